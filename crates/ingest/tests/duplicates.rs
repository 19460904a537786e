//! Duplicates and conflicts across files and within one (SPEC §2.7), and the counting identity
//! `read = used + rejected + duplicates` on every sheet.

mod common;

use common::*;

const HEADER: &str = "date,client,therapist,region,before,after,pressure\n";

#[test]
fn later_file_and_lower_row_win_and_conflicts_say_what_differs() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    std::fs::write(&a, format!("{HEADER}2026-10-03,1,Ann,neck,6,2,firm\n2026-10-03,1,Ann,lower back,7,3,firm\n2026-10-04,2,Ann,neck,5,5,\n")).unwrap();
    // Row 2 repeats a's neck exactly; row 3 repeats a's lower back with after 4; rows 4 and 5
    // are the same session twice within b, identical.
    std::fs::write(&b, format!("{HEADER}2026-10-03,1,Ann,neck,6,2,firm\n2026-10-03,1,Ann,lower back,7,4,firm\n2026-10-05,3,Ben,hips,4,1,\n2026-10-05,3,Ben,hips,4,1,\n")).unwrap();
    let env = Env::new();
    let files = relief_ingest::expand_paths(&[dir.path().to_path_buf()]).unwrap();
    let got = env.read_all(&files);
    let kept: Vec<_> = got
        .records
        .iter()
        .map(|r| (r.origin.file.ends_with("b.csv"), r.origin.row))
        .collect();
    assert_eq!(kept, [(false, 4), (true, 2), (true, 3), (true, 5)]);
    let dups: Vec<_> = got
        .duplicates
        .iter()
        .map(|d| {
            (
                d.file.ends_with("a.csv"),
                d.row,
                d.kept_file.ends_with("b.csv"),
                d.kept_row,
                d.conflict.clone(),
            )
        })
        .collect();
    assert_eq!(
        dups,
        [
            (true, 2, true, 2, None),
            (
                true,
                3,
                true,
                3,
                Some("after: 3 here, 4 in the kept copy".into())
            ),
            (false, 4, true, 5, None),
        ]
    );
    assert_eq!(got.duplicates[1].month, "2026-10");
    let r = got.rows;
    assert_eq!(
        (r.read, r.used, r.rejected, r.duplicates, r.conflicts),
        (7, 4, 0, 3, 1)
    );
    let per_sheet: Vec<_> = got
        .files
        .iter()
        .map(|f| {
            (
                f.sheets[0].rows_read,
                f.sheets[0].rows_used,
                f.sheets[0].rows_duplicate,
            )
        })
        .collect();
    assert_eq!(per_sheet, [(3, 1, 2), (4, 3, 1)]);
}

#[test]
fn a_session_id_keys_duplicates_when_the_export_has_one() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    std::fs::write(&a, "session id,date,client,therapist,region,before,after\nS1,2026-10-03,1,Ann,neck,6,2\nS1,2026-10-04,1,Ann,neck,6,2\nS2,2026-10-04,1,Ann,neck,6,2\n").unwrap();
    let got = Env::new().read_all(&[a]);
    assert_eq!(got.records.len(), 2);
    assert_eq!(got.duplicates.len(), 1);
    assert_eq!(
        got.duplicates[0].conflict.as_deref(),
        Some("date: 2026-10-03 here, 2026-10-04 in the kept copy")
    );
}

#[test]
fn reading_is_deterministic_whatever_the_thread_timing() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for i in 0..6 {
        let p = dir.path().join(format!("f{i}.csv"));
        let mut text = HEADER.to_string();
        for r in 0..40 {
            text.push_str(&format!(
                "2026-10-{:02},{},Ann,neck,{},{},\n",
                1 + r % 28,
                (r * 7 + i) % 11,
                r % 11,
                (r + i) % 11
            ));
        }
        std::fs::write(&p, text).unwrap();
        files.push(p);
    }
    let env = Env::new();
    let one = env.read_all(&files);
    let two = env.read_all(&files);
    assert_eq!(one.records, two.records);
    assert_eq!(one.duplicates, two.duplicates);
    // Reading the files one by one and merging gives the same as reading them in parallel.
    let merged = relief_ingest::merge(
        files
            .iter()
            .map(|f| relief_ingest::read_file(f, &env.opts()))
            .collect(),
    );
    assert_eq!(merged.records, one.records);
    assert_eq!(merged.rows, one.rows);
}
