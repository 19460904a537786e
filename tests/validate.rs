//! End-to-end tests of `relief validate`: real files in a temporary folder (and the committed
//! sample-data), the built binary, and what it prints and exits with.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{}", show(out)))
}

#[test]
fn sample_data_lists_every_planted_problem_and_nothing_else() {
    let samples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let w = Workdir::new();
    let out = w.relief(&["validate", samples.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let v = json(&out);
    let rejects: Vec<(String, u64, String, String)> = v["rejects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let file = r["file"].as_str().unwrap();
            let name = file.rsplit(['/', '\\']).next().unwrap().to_string();
            (
                name,
                r["row"].as_u64().unwrap(),
                r["column"].as_str().unwrap().to_string(),
                r["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // The planted problems of sample-data/README.md, exactly (read from it, so a regenerated
    // sample stays checked).
    let readme = std::fs::read_to_string(samples.join("README.md")).unwrap();
    let table = |title: &str| -> Vec<Vec<String>> {
        let start = readme.find(title).unwrap();
        let rest = &readme[start..];
        let end = rest[3..].find("\n## ").map_or(rest.len(), |e| e + 3);
        rest[..end]
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| file"))
            .map(|l| {
                l.trim_matches('|')
                    .split(" | ")
                    .map(|c| c.trim().trim_matches('`').to_string())
                    .collect()
            })
            .collect()
    };
    let mut planted: Vec<(String, u64, String, String)> = table("## Planted problems")
        .iter()
        .map(|c| {
            (
                c[0].clone(),
                c[2].parse().unwrap(),
                c[3].clone(),
                if c[4] == "(blank)" {
                    String::new()
                } else {
                    c[4].clone()
                },
            )
        })
        .collect();
    planted.sort();
    let mut rejects = rejects;
    rejects.sort();
    assert_eq!(rejects, planted);
    let dup_rows = table("## Duplicates and the conflict");
    let identical = dup_rows
        .iter()
        .filter(|c| c[5].contains("first copy:"))
        .count();
    for f in v["files"].as_array().unwrap() {
        assert!(f["error"].is_null(), "{f}");
    }
    let dups = v["duplicates"].as_array().unwrap();
    let conflicts: Vec<_> = dups.iter().filter(|d| !d["conflict"].is_null()).collect();
    // Each identical copy is listed twice in the README (both places); the conflict once a side.
    assert_eq!(
        (dups.len(), conflicts.len()),
        (identical + 1, 1),
        "{dups:?}"
    );
    let loser = dup_rows
        .iter()
        .find(|c| c[5].contains("conflict: first copy"))
        .unwrap();
    let winner = dup_rows
        .iter()
        .find(|c| c[5].contains("conflict: later copy"))
        .unwrap();
    let c = conflicts[0];
    assert!(
        c["file"].as_str().unwrap().ends_with(&loser[0])
            && c["row"].as_u64() == loser[2].parse().ok()
    );
    assert!(
        c["kept_file"].as_str().unwrap().ends_with(&winner[0])
            && c["kept_row"].as_u64() == winner[2].parse().ok()
    );
    let rows = &v["rows"];
    assert_eq!(
        rows["read"],
        rows["used"].as_u64().unwrap() + planted.len() as u64 + dups.len() as u64
    );
    assert_eq!(rows["footer_skipped"], 2);

    // The same in words: each reason with its row, and the conflict.
    let out = w.relief(&["validate", samples.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<String> = planted
        .iter()
        .map(|(file, row, column, _)| {
            let word = if file.ends_with(".csv") {
                "line"
            } else {
                "row"
            };
            format!(
                "(column {column}): {}{word} {row}\n",
                if file.ends_with(".csv") {
                    String::new()
                } else {
                    "sheet '".to_string()
                }
            )
        })
        .collect();
    for l in &lines {
        let (head, tail) = l.split_once(": ").unwrap();
        assert!(
            text.lines()
                .any(|t| t.contains(head) && t.ends_with(tail.split_whitespace().last().unwrap())),
            "missing {l:?} in\n{text}"
        );
    }
    let out_of_range = planted.iter().find(|p| p.3 == "11").unwrap().1;
    let footers: Vec<String> = table("## Other mess")
        .iter()
        .filter(|c| c[5].starts_with("footer row"))
        .map(|c| format!("1 footer row skipped (row {})", c[2]))
        .collect();
    assert_eq!(footers.len(), 2);
    let wanted = [
        format!("score 11 is outside 0–10 (column before): sheet 'Sessions', row {out_of_range}"),
        "unknown region 'elbow pit' — add it under [regions] in relief.toml (column region)".into(),
        "'32/13/2026' is not a date: use a date cell, 2026-10-03, or 03/10/2026 (column date)"
            .into(),
        format!(
            "minutes '{}' reads as",
            planted.iter().find(|p| p.2 == "minutes").unwrap().3
        ),
        "the date and client are blank and there is no session above to continue".into(),
        "conflict:".into(),
    ];
    for want in wanted.iter().chain(&footers) {
        assert!(text.contains(want.as_str()), "missing {want:?} in\n{text}");
    }
}

#[test]
fn bad_files_and_rows_are_reported_and_good_ones_read() {
    let w = Workdir::new();
    std::fs::create_dir_all(w.join("in")).unwrap();
    std::fs::write(
        w.join("in/a.csv"),
        "date;client;therapist;region;before;after\n2026-10-03;1;Ann;neck;7,5;3\n2026-10-03;1;Ann;knee;6;11\n2026-10-04;2;Ann;elbow;6;1\n",
    )
    .unwrap();
    std::fs::write(w.join("in/b.xlsx"), "this is not a workbook").unwrap();
    std::fs::write(w.join("in/~$a.xlsx"), "lock file").unwrap();
    let out = w.relief(&["validate", "in"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        "in/a.csv\n  data: long layout, header on line 1 — 3 rows read: 1 used, 2 rejected, 0 duplicates",
        "in/b.xlsx\n  cannot be read: see Problems below",
        "in/b.xlsx\n  this is not a spreadsheet",
        "score 11 is outside 0–10 (column after): line 3",
        "unknown region 'elbow' — add it under [regions] in relief.toml (column region): line 4",
        "Read 3 rows from 2 files: 1 used, 2 rejected, 0 duplicates.",
        "1 file could not be read in full",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{}", show(&out));
    }
    assert!(!text.contains("~$"), "{text}");
}

#[test]
fn a_clean_file_exits_zero_and_header_row_is_honoured() {
    let w = Workdir::new();
    std::fs::write(
        w.join("ok.csv"),
        "Clinic,,,,,\ndate,client,therapist,region,before,after\n2026-10-03,1,Ann,neck,7,3\n",
    )
    .unwrap();
    let out = w.relief(&["validate", "ok.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let out = w.relief(&["validate", "ok.csv", "--header-row", "2", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(json(&out)["files"][0]["sheets"][0]["header_row"], 2);
    let out = w.relief(&["validate", "ok.csv", "--header-row", "1"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("header row 1 has no"),
        "{}",
        show(&out)
    );
}

#[test]
fn a_missing_path_cannot_run() {
    let w = Workdir::new();
    let out = w.relief(&["validate", "nowhere.xlsx"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nowhere.xlsx: no such file or folder"));
    let out = w.relief(&["validate"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
}

/// Regression: a file that makes the spreadsheet library panic is one plain error, without
/// Rust's panic message on the terminal (the reader catches the panic; the hook stays quiet).
#[test]
fn a_file_that_trips_the_spreadsheet_library_prints_no_panic_message() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/ingest/tests/fixtures/clinic-export.xls");
    let mut bytes = std::fs::read(fixture).unwrap();
    // Turn the 2-byte CODEPAGE record (0x0042) into a NAME record (0x0018), which calamine
    // reads past its end.
    let at = bytes
        .windows(4)
        .position(|w| w == [0x42, 0, 2, 0])
        .expect("a CODEPAGE record");
    bytes[at..at + 2].copy_from_slice(&[0x18, 0]);
    let wd = Workdir::new();
    std::fs::write(wd.join("panics.xls"), bytes).unwrap();
    let out = wd.relief(&["validate", "panics.xls"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("open it and save it again"), "{all}");
    assert!(!all.contains("panicked"), "{all}");
}

/// Regression: `relief report … --json | head` panicked with "failed printing to stdout" once
/// the reader of the pipe had gone (the JSON, 1.6 MB, is far larger than a pipe's buffer).
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::io::Read;
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let wd = Workdir::new();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_relief"))
        .arg("report")
        .arg(&sample)
        .args(["--by-month", "--json", "-q", "--out"])
        .arg(wd.join("out"))
        .env("RELIEF_KEY_FILE", wd.join(".relief-key"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte, then close the pipe like `head -c 1` does.
    let mut stdout = child.stdout.take().unwrap();
    let mut one = [0u8; 1];
    stdout.read_exact(&mut one).unwrap();
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    child.wait().unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// `validate -v` says what it resolved in the hand-kept sample workbook, so a therapist can see
/// relief understood it; hidden sheets are marked, in words and in the JSON.
#[test]
fn verbose_validate_says_what_it_resolved_in_a_hand_kept_workbook() {
    let book = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-data/willow-practice.xlsx");
    let w = Workdir::new();
    let out = w.relief(&["validate", "-v", book.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        ": date, client, therapist merged",
        "continue the session of row ",
        "two-row header on rows 1–2: region names above before/after/minutes",
        "sheet 'Old months' (hidden): long layout",
        "no therapist column: its rows have no therapist",
        "sheet 'Lists' (hidden) is not a session sheet: its header on row 1 (Region, Therapist, Technique) names no date, client or score column",
        "sheet 'Prices' is not a session sheet",
        "… and ",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    // Without -v: the sheets that are not session sheets are still listed, the notes are not.
    let out = w.relief(&["validate", book.to_str().unwrap()]);
    let plain = String::from_utf8_lossy(&out.stdout);
    assert!(plain.contains("sheet 'Lists' (hidden) is not a session sheet"));
    assert!(!plain.contains("continue the session of row"));
    let out = w.relief(&["validate", "--json", book.to_str().unwrap()]);
    let v = json(&out);
    let hidden: Vec<(String, bool)> = v["files"][0]["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["hidden"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        hidden,
        [
            ("Sessions".to_string(), false),
            ("Ruth".to_string(), false),
            ("Home visits".to_string(), false),
            ("Old months".to_string(), true),
        ]
    );
}

#[test]
fn a_repeated_column_name_is_pointed_out_without_verbose() {
    let wd = Workdir::new();
    std::fs::write(
        wd.join("visits.csv"),
        "date,client,therapist,region,before,after,after\n2026-10-01,Ann,Kim,neck,7,3,9\n",
    )
    .unwrap();
    let out = wd.relief(&["validate", "visits.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("not read: 'after' (G) repeats column F"),
        "{}",
        show(&out)
    );
}

#[test]
fn a_quote_left_open_is_pointed_out_without_verbose() {
    let wd = Workdir::new();
    std::fs::write(
        wd.join("visits.csv"),
        "date,client,therapist,region,before,after\n\
         2026-10-01,\"Ann,Kim,neck,7,3\n\
         2026-10-02,Bo,Kim,hips,6,2\n",
    )
    .unwrap();
    let out = wd.relief(&["validate", "visits.csv"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("lines 2–3 were read as one row"),
        "{}",
        show(&out)
    );
}
