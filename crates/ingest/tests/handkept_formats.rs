//! Hand-kept workbooks in the other formats: the same hand-kept table (merged date, client and
//! therapist over a session's rows, a two-row wide header with merged region names, time and
//! duration cells, a hidden sheet of old months, a hidden list sheet) as LibreOffice saves it
//! as `.xls`, `.ods` and `.xlsx`, read exactly like the `.xlsx` rust_xlsxwriter writes.
//!
//! calamine keeps merged ranges for xls; for ods it does not, and relief reads them from the
//! file's `content.xml` itself (`formats/ods.rs`). The `.xls` and `.ods` files are committed
//! under `tests/fixtures/` (see its README); the first test proves they are what LibreOffice
//! makes of the table today. LibreOffice's own `.xlsx` is made at test time: it proves that
//! LibreOffice writes the empty cells under a merge, which is what makes relief load a sheet's
//! merged ranges at all (`formats/xlsx.rs`).

mod common;

use common::book::{H::*, Sheet, header, jo_log_start, lists_sheet, sheet, write};
use common::{Env, soffice};
use relief_ingest::FileRead;
use std::path::{Path, PathBuf};

/// The hand-kept table the fixtures are made from.
fn table() -> Vec<Sheet> {
    let mut october = sheet(
        "October",
        [
            jo_log_start("Minutes", Time(15.0)),
            vec![
                vec![E, E, E, S("Lower back"), N(7.0), N(4.0), Dur(75.0)],
                vec![E, E, E, S("Shoulders"), N(5.0), N(2.0), S("20 min")],
                vec![
                    S("5 Oct 2026"),
                    S("Bob"),
                    S("Mia"),
                    S("Hips"),
                    N(5.0),
                    N(3.0),
                    N(30.0),
                ],
                vec![E, E, E, S("Legs"), N(4.0), N(2.0), S("1h")],
                vec![E, E, E, S("Feet"), N(3.0), N(3.0), Time(900.0)],
                vec![],
                vec![E, E, E, S("Neck"), N(5.0), N(3.0)],
                vec![S("Total"), E, E, E, N(30.0), N(17.0)],
            ],
        ]
        .concat(),
    );
    october.merges = vec![(0, 0, 0, 6), (2, 0, 4, 0), (2, 1, 4, 1), (2, 2, 4, 2)];
    let mut wide = sheet(
        "Mia wide",
        vec![
            vec![
                S("Date"),
                S("Client"),
                S("Therapist"),
                S("Lower back"),
                E,
                E,
                S("Neck"),
                E,
                E,
            ],
            vec![
                E,
                E,
                E,
                S("Before"),
                S("After"),
                S("Mins"),
                S("Pre"),
                S("Post"),
                S("Mins"),
            ],
            vec![
                D(2026, 10, 10),
                S("Dora"),
                S("Mia"),
                N(8.0),
                N(5.0),
                Time(25.0),
                N(6.0),
                N(4.0),
                N(10.0),
            ],
            vec![
                D(2026, 10, 12),
                S("Cara"),
                S("Mia"),
                N(7.0),
                N(4.0),
                N(30.0),
                E,
                E,
                E,
            ],
        ],
    );
    wide.merges = vec![
        (0, 0, 1, 0),
        (0, 1, 1, 1),
        (0, 2, 1, 2),
        (0, 3, 0, 5),
        (0, 6, 0, 8),
    ];
    let mut old = sheet(
        "September",
        vec![
            header(&["Date", "Client", "Therapist", "Region", "Before", "After"]),
            vec![
                D(2026, 9, 14),
                S("Ann Lee"),
                S("Jo"),
                S("Neck"),
                N(7.0),
                N(4.0),
            ],
            vec![E, E, E, S("Lower back"), N(8.0), N(5.0)],
        ],
    );
    old.merges = vec![(1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 2, 2)];
    old.hidden = true;
    let lists = lists_sheet(Vec::new());
    vec![october, wide, old, lists]
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Everything a reading says, without the file's name and hash: records, rejects, footers,
/// sheet reports and notes, as comparable text.
fn reading(r: &FileRead) -> Vec<String> {
    let mut out: Vec<String> = r
        .records
        .iter()
        .map(|x| {
            format!(
                "record {}:{} {} {} {:?} {:?} {} {} {:?} {:?}",
                x.origin.sheet,
                x.origin.row,
                x.date,
                x.client,
                x.therapist,
                x.region,
                x.before,
                x.after,
                x.minutes,
                x.session_id
            )
        })
        .collect();
    out.extend(r.rejects.iter().map(|x| {
        format!(
            "reject {}:{} {} '{}' {}",
            x.sheet, x.row, x.column, x.value, x.reason
        )
    }));
    out.extend(
        r.footers
            .iter()
            .map(|f| format!("footer {}:{}", f.sheet, f.row)),
    );
    out.extend(r.report.sheets.iter().map(|s| {
        format!(
            "sheet {} {} header {} hidden {} read {} used {} rejected {}",
            s.name, s.layout, s.header_row, s.hidden, s.rows_read, s.rows_used, s.rows_rejected
        )
    }));
    for n in &r.notes {
        out.extend(
            n.notes
                .iter()
                .map(|note| format!("note {} hidden {}: {note}", n.sheet, n.hidden)),
        );
    }
    out
}

fn xlsx_reading(dir: &Path) -> Vec<String> {
    let path = dir.join("hand-kept.xlsx");
    write(&path, &table());
    reading(&Env::new().read(&path))
}

#[test]
fn the_xlsx_table_reads_as_a_therapist_means_it() {
    let dir = tempfile::tempdir().unwrap();
    let got = xlsx_reading(dir.path());
    let want_lines = [
        "sheet October long header 2 hidden false read 7 used 5 rejected 2",
        "sheet Mia wide wide header 2 hidden false read 3 used 3 rejected 0",
        "sheet September long header 1 hidden true read 2 used 2 rejected 0",
        "footer October:11",
        "note October hidden false: rows 3–5: date, client, therapist merged",
        "note October hidden false: rows 7–8 continue the session of row 6",
        "note Mia wide hidden false: two-row header on rows 1–2: region names above before/after/minutes",
        "note September hidden true: rows 2–3: date, client, therapist merged",
    ];
    for line in want_lines {
        assert!(
            got.iter().any(|g| g == line),
            "missing {line:?} in {got:#?}"
        );
    }
    assert!(
        got.iter()
            .any(|g| g.starts_with("note Lists hidden true: not a session sheet")),
        "{got:#?}"
    );
    assert!(
        got.iter()
            .any(|g| g
                .starts_with("reject October:8 minutes '15:00' minutes '15:00' reads as 15 hours")),
        "{got:#?}"
    );
    let minutes: Vec<&String> = got
        .iter()
        .filter(|g| g.starts_with("record October"))
        .collect();
    // 0:15 as a time, 1:15 as a duration, "20 min", 30, "1h".
    for (line, m) in minutes.iter().zip(["15.0", "75.0", "20.0", "30.0", "60.0"]) {
        assert!(line.ends_with(&format!("Some({m}) None")), "{line}");
    }
}

#[test]
fn the_hand_kept_fixtures_are_what_libreoffice_makes_of_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("hand-kept.xlsx");
    write(&xlsx, &table());
    for format in ["xls", "ods"] {
        let fresh = soffice(&xlsx, format, dir.path());
        let name = format!("hand-kept.{format}");
        if std::env::var_os("RELIEF_UPDATE_FIXTURE").is_some() {
            std::fs::copy(&fresh, fixture(&name)).unwrap();
        }
        let env = Env::new();
        assert_eq!(
            reading(&env.read(&fresh)),
            reading(&env.read(&fixture(&name))),
            "{name}"
        );
    }
}

#[test]
fn xls_reads_merged_cells_hidden_sheets_and_time_cells_like_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let want = xlsx_reading(dir.path());
    assert_eq!(reading(&Env::new().read(&fixture("hand-kept.xls"))), want);
}

#[test]
fn ods_reads_merged_cells_hidden_sheets_and_time_cells_like_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let want = xlsx_reading(dir.path());
    assert_eq!(reading(&Env::new().read(&fixture("hand-kept.ods"))), want);
}

#[test]
fn an_xlsx_saved_by_libreoffice_has_its_merged_cells_read() {
    let dir = tempfile::tempdir().unwrap();
    let want = xlsx_reading(dir.path());
    let out = dir.path().join("saved");
    std::fs::create_dir(&out).unwrap();
    let saved = soffice(&dir.path().join("hand-kept.xlsx"), "xlsx", &out);
    assert_eq!(reading(&Env::new().read(&saved)), want);
}
