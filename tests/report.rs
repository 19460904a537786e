//! End-to-end tests of `relief report`: real xlsx and csv in, summary.json, workbook, charts and
//! the clean table out.

use crate::common::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Client identifiers planted in the inputs; none may appear in any output.
const CLIENTS: [&str; 4] = [
    "Margaret Oyelaran",
    "C-77123",
    "40009",
    "jsmith@example.org",
];

/// A long-layout export with a title row, Excel date cells, and twelve October rows.
///
/// Lower back rows (before → after): 8→3 focus deep, 7→4 focus firm, 6→5 no focus light,
/// 9→4 focus deep, 5→5 no focus medium; neck rows: 4→2, 5→3.
fn write_long(path: &Path) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Sessions").unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    ws.write(0, 0, "Harbour Clinic — session export").unwrap();
    let header = [
        "Session Date",
        "Client ID",
        "Therapist",
        "Body Area",
        "Pain Before (0-10)",
        "Pain After (0-10)",
        "Pressure",
        "Minutes",
        "Focus",
        "Notes",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write(2, c as u16, *h).unwrap();
    }
    // (day, client, region, before, after, pressure, minutes, focus)
    type Row<'a> = (u8, usize, &'a str, f64, f64, &'a str, f64, &'a str);
    let rows: [Row; 7] = [
        (1, 0, "lower back", 8.0, 3.0, "deep", 20.0, "yes"),
        (1, 0, "neck", 4.0, 2.0, "deep", 10.0, ""),
        (8, 1, "Lower Back", 7.0, 4.0, "firm", 15.0, "x"),
        (8, 1, "neck", 5.0, 3.0, "firm", 10.0, ""),
        (15, 2, "lumbar", 6.0, 5.0, "light", 10.0, "no"),
        (22, 3, "low back", 9.0, 4.0, "deep tissue", 25.0, "Y"),
        (29, 0, "lower back", 5.0, 5.0, "medium", 10.0, ""),
    ];
    for (i, (day, client, region, before, after, pressure, minutes, focus)) in
        rows.iter().enumerate()
    {
        let r = 3 + i as u32;
        let d = ExcelDateTime::from_ymd(2026, 10, *day).unwrap();
        ws.write_datetime_with_format(r, 0, &d, &date).unwrap();
        if *client == 2 {
            ws.write(r, 1, 40009).unwrap(); // a numeric id, as some exports write it
        } else {
            ws.write(r, 1, CLIENTS[*client]).unwrap();
        }
        ws.write(r, 2, "Ana Costa").unwrap();
        ws.write(r, 3, *region).unwrap();
        ws.write(r, 4, *before).unwrap();
        ws.write(r, 5, *after).unwrap();
        ws.write(r, 6, *pressure).unwrap();
        ws.write(r, 7, *minutes).unwrap();
        ws.write(r, 8, *focus).unwrap();
        ws.write(r, 9, format!("private note about {}", CLIENTS[*client]))
            .unwrap();
    }
    // One bad row: an after-score of 11.
    let d = ExcelDateTime::from_ymd(2026, 10, 30).unwrap();
    ws.write_datetime_with_format(10, 0, &d, &date).unwrap();
    ws.write(10, 1, CLIENTS[1]).unwrap();
    ws.write(10, 2, "Ana Costa").unwrap();
    ws.write(10, 3, "neck").unwrap();
    ws.write(10, 4, 6).unwrap();
    ws.write(10, 5, 11).unwrap();
    wb.save(path).unwrap();
}

/// A wide-layout csv for September: one session, lower back and legs.
fn write_wide_csv(path: &Path) {
    std::fs::write(
        path,
        "\u{feff}Date;Client;Practitioner;Focus areas;Lower back before;Lower back after;Legs pre;Legs post\n\
         2026-09-12;jsmith@example.org;Ben;lower back;7;3,5;5/10;4/10\n",
    )
    .unwrap();
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn region<'a>(list: &'a Value, key: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|r| r["region"] == key)
        .unwrap_or_else(|| panic!("no {key} in {list}"))
}

fn all_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(all_files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn a_month_report_has_the_figures_worked_out_by_hand() {
    let wd = Workdir::new();
    std::fs::create_dir(wd.join("in")).unwrap();
    write_long(&wd.join("in/october.xlsx"));
    write_wide_csv(&wd.join("in/september.csv"));
    let out = wd.relief(&["report", "in", "--month", "2026-10", "--out", "out"]);
    // One row rejected (score 11): exit status 1, reports written all the same.
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let s = read_json(&wd.join("out/2026-10/summary.json"));
    assert_eq!(s["period"], "2026-10");
    assert_eq!(s["rows"]["used"], 7);
    assert_eq!(s["rows"]["rejected"], 1);
    assert_eq!(s["rows"]["read"], 8);
    let lb = region(&s["regions"], "lower_back");
    // Lower back: 8→3, 7→4, 6→5, 9→4, 5→5. Before 35/5 = 7, after 21/5 = 4.2, change 2.8.
    assert_eq!(lb["rows"], 5);
    assert!((lb["mean_before"].as_f64().unwrap() - 7.0).abs() < 1e-9);
    assert!((lb["mean_after"].as_f64().unwrap() - 4.2).abs() < 1e-9);
    assert!((lb["mean_change"].as_f64().unwrap() - 2.8).abs() < 1e-9);
    // Changes 5, 3, 1, 5, 0 → median 3; clients: Margaret (twice), C-77123, 40009, jsmith → 4.
    assert_eq!(lb["median_change"], 3.0);
    assert_eq!(lb["clients"], 4);
    // Relative: 5/8, 3/7, 1/6, 5/9, 0 → responders (≥ 30 %) 3 of 5, strong (≥ 50 %) 2 of 5.
    assert_eq!(lb["responder_rate"], 0.6);
    assert_eq!(lb["strong_responder_rate"], 0.4);
    // Focus: yes/x/Y are focus (5, 3, 5 → mean 13/3), "no" and blank are not (1, 0 → 0.5).
    let focus: Vec<(bool, f64)> = s["by_focus"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["region"] == "lower_back")
        .map(|r| {
            (
                r["focus"].as_bool().unwrap(),
                r["mean_change"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(focus.len(), 2);
    assert!(!focus[0].0 && (focus[0].1 - 0.5).abs() < 1e-9);
    assert!(focus[1].0 && (focus[1].1 - 13.0 / 3.0).abs() < 1e-9);
    // Pressure light → deep, "deep tissue" is deep.
    let levels: Vec<&str> = s["by_pressure"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["region"] == "lower_back")
        .map(|r| r["pressure"].as_str().unwrap())
        .collect();
    assert_eq!(levels, vec!["light", "medium", "firm", "deep"]);
    // The reject names file, sheet, Excel row, column, value and reason.
    let reject = &s["rejects"][0];
    assert_eq!(reject["sheet"], "Sessions");
    assert_eq!(reject["row"], 11);
    assert_eq!(reject["column"], "after");
    assert_eq!(reject["value"], "11");
    assert_eq!(reject["reason"], "score 11 is outside 0–10");
    // Visit numbers count September too: jsmith's October 22 visit is their second (with
    // Margaret's October 29), so two lower-back rows are second visits, three are first.
    let lb_visits: Vec<(u64, u64)> = s["by_visit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["region"] == "lower_back")
        .map(|r| (r["visit"].as_u64().unwrap(), r["rows"].as_u64().unwrap()))
        .collect();
    assert_eq!(lb_visits, vec![(1, 3), (2, 2)]);
    // Every output is there.
    let dir = wd.join("out/2026-10");
    assert!(dir.join("relief-2026-10.xlsx").is_file());
    assert!(dir.join("sessions.csv").is_file());
    assert!(dir.join("charts").read_dir().unwrap().count() >= 5);
}

#[test]
fn no_client_identifier_reaches_any_output() {
    let wd = Workdir::new();
    std::fs::create_dir(wd.join("in")).unwrap();
    write_long(&wd.join("in/october.xlsx"));
    write_wide_csv(&wd.join("in/september.csv"));
    let out = wd.relief(&["report", "in", "--by-month", "--out", "out", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let mut texts = vec![String::from_utf8_lossy(&out.stdout).to_string()];
    texts.push(String::from_utf8_lossy(&out.stderr).to_string());
    for file in all_files(&wd.join("out")) {
        let bytes = std::fs::read(&file).unwrap();
        if file.extension().is_some_and(|e| e == "xlsx") {
            // Look inside the zip: every XML part.
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            for i in 0..zip.len() {
                let mut part = String::new();
                std::io::Read::read_to_string(&mut zip.by_index(i).unwrap(), &mut part).unwrap();
                texts.push(part);
            }
        } else {
            texts.push(String::from_utf8_lossy(&bytes).to_string());
        }
    }
    for text in &texts {
        for client in CLIENTS {
            assert!(!text.contains(client), "client {client} found in an output");
        }
        assert!(
            !text.contains("private note"),
            "a free-text note was copied"
        );
    }
    // The clean table has months, not days.
    let csv = std::fs::read_to_string(wd.join("out/2026-10/sessions.csv")).unwrap();
    assert!(
        csv.starts_with("month,client,session,therapist,region"),
        "{csv}"
    );
    assert!(!csv.contains("2026-10-01"));
}

#[test]
fn by_month_writes_one_report_per_month_and_a_json_array() {
    let wd = Workdir::new();
    std::fs::create_dir(wd.join("in")).unwrap();
    write_long(&wd.join("in/october.xlsx"));
    write_wide_csv(&wd.join("in/september.csv"));
    let out = wd.relief(&["report", "in", "--by-month", "--out", "out", "--json", "-q"]);
    let v: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{}", show(&out)));
    let periods: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["period"].as_str().unwrap())
        .collect();
    assert_eq!(periods, vec!["2026-09", "2026-10"]);
    // September: wide layout, lower back 7 → 3.5 (focus) and legs 5 → 4.
    let sept = read_json(&wd.join("out/2026-09/summary.json"));
    assert_eq!(sept, v[0]);
    assert_eq!(region(&sept["regions"], "lower_back")["mean_change"], 3.5);
    assert_eq!(region(&sept["regions"], "legs")["mean_change"], 1.0);
    // The October reject has a date, so it is not in September's report.
    assert_eq!(sept["rows"]["rejected"], 0);
}

#[test]
fn rerunning_gives_byte_identical_outputs() {
    let wd = Workdir::new();
    std::fs::create_dir(wd.join("in")).unwrap();
    write_long(&wd.join("in/october.xlsx"));
    write_wide_csv(&wd.join("in/september.csv"));
    wd.relief(&["report", "in", "--by-month", "--out", "a", "-q"]);
    wd.relief(&["report", "in", "--by-month", "--out", "b", "-q"]);
    let (a, b) = (all_files(&wd.join("a")), all_files(&wd.join("b")));
    assert_eq!(a.len(), b.len());
    assert!(a.len() > 10);
    for (fa, fb) in a.iter().zip(&b) {
        assert_eq!(fa.file_name(), fb.file_name());
        assert!(
            std::fs::read(fa).unwrap() == std::fs::read(fb).unwrap(),
            "{} differs between runs",
            fa.display()
        );
    }
    // No temporary files are left behind.
    assert!(
        a.iter()
            .all(|p| !p.file_name().unwrap().to_string_lossy().contains("tmp"))
    );
}

/// Every file under `dir` with its bytes, by path inside `dir`.
fn contents(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    all_files(dir)
        .into_iter()
        .map(|p| {
            (
                p.strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_run_killed_before_its_report_is_complete_leaves_the_old_report_whole() {
    let wd = Workdir::new();
    std::fs::create_dir(wd.join("in")).unwrap();
    write_long(&wd.join("in/october.xlsx"));
    // Exit 1: the fixture holds a rejected row.
    let out = wd.relief(&["report", "in", "--month", "2026-10", "--out", "out", "-q"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let before = contents(&wd.join("out/2026-10"));
    assert!(before.len() > 8, "{before:?}");
    std::fs::write(wd.join("out/2026-10/my notes.txt"), "mine").unwrap();
    let before = contents(&wd.join("out/2026-10"));

    // New data, and the run dies after writing every file of the new report but before it
    // takes the folder's place (as a kill or a power cut would: no clean-up runs).
    write_wide_csv(&wd.join("in/september.csv"));
    let killed = std::process::Command::new(env!("CARGO_BIN_EXE_relief"))
        .args(["report", "in", "--month", "2026-10", "--out", "out", "-q"])
        .current_dir(wd.path())
        .env("RELIEF_KEY_FILE", wd.join(".relief-key"))
        .env("RELIEF_FAILPOINT", "before-report-swap")
        .output()
        .unwrap();
    assert_eq!(killed.status.code(), Some(101), "{}", show(&killed));
    assert!(
        contents(&wd.join("out/2026-10")) == before,
        "the old report changed though the new one never took its place"
    );

    // The next run finishes the job and tidies what the dead one left (exit 1: the fixture
    // holds a rejected row).
    let out = wd.relief(&["report", "in", "--month", "2026-10", "--out", "out", "-q"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let after = contents(&wd.join("out/2026-10"));
    assert_ne!(after, before);
    assert!(
        after
            .iter()
            .any(|(p, b)| p == Path::new("my notes.txt") && b == b"mine")
    );
    let hidden: Vec<_> = std::fs::read_dir(wd.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "left behind: {hidden:?}");
}

#[test]
fn without_a_period_one_report_covers_everything() {
    let wd = Workdir::new();
    std::fs::create_dir(wd.join("in")).unwrap();
    write_long(&wd.join("in/october.xlsx"));
    write_wide_csv(&wd.join("in/september.csv"));
    let out = wd.relief(&["report", "in", "--out", "out", "-q"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let s = read_json(&wd.join("out/2026-09_2026-10/summary.json"));
    assert_eq!(s["rows"]["used"], 9);
}

#[test]
fn usage_errors_exit_2_with_a_plain_message() {
    let wd = Workdir::new();
    let out = wd.relief(&["report", "nowhere", "--month", "2026-10"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nowhere"),
        "{}",
        show(&out)
    );
    let out = wd.relief(&["report", ".", "--month", "October"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("YYYY-MM"),
        "{}",
        show(&out)
    );
    std::fs::write(wd.join("relief.toml"), "[analysis]\nresponder = 0.3\n").unwrap();
    let out = wd.relief(&["report", ".", "--month", "2026-10"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("responder"),
        "{}",
        show(&out)
    );
}

/// Reports written inside the folder being read would be read back as exports on the next run
/// (a new user's `--out exports/reports` did that, and every workbook came back as rejects):
/// refused before anything is read or written, as `relief batch` refuses it for its inbox.
#[test]
fn an_output_folder_inside_the_input_is_refused() {
    let wd = Workdir::new();
    std::fs::create_dir(wd.join("in")).unwrap();
    write_wide_csv(&wd.join("in/september.csv"));
    for out_dir in ["in/reports", "in/../in/deeper/reports"] {
        let out = wd.relief(&["report", "in", "--out", out_dir]);
        assert_eq!(out.status.code(), Some(2), "{}", show(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("is inside in") && stderr.contains("--out"),
            "{stderr}"
        );
    }
    assert!(!wd.join("in/reports").exists() && !wd.join("in/deeper").exists());
    // A folder beside the input, and a file inside it given on its own, are fine.
    let out = wd.relief(&["report", "in", "--out", "reports-in", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let out = wd.relief(&["report", "in/september.csv", "--out", "in/reports", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
}

/// `--quiet` keeps a good run silent but still says what went wrong: a scheduled `report -q`
/// with rejected rows printed nothing at all.
#[test]
fn quiet_still_reports_problems() {
    let wd = Workdir::new();
    std::fs::create_dir(wd.join("in")).unwrap();
    write_long(&wd.join("in/october.xlsx"));
    let out = wd.relief(&["report", "in", "--out", "out", "-q"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("rejected") && stderr.contains("Rejects sheet"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "{}", show(&out));
}

/// A month without a single session writes nothing and says what the data covers (a new user
/// got an empty workbook and six empty charts, with exit status 0).
#[test]
fn a_month_without_sessions_writes_nothing_and_says_what_the_data_covers() {
    let wd = Workdir::new();
    std::fs::create_dir(wd.join("in")).unwrap();
    write_wide_csv(&wd.join("in/september.csv"));
    let out = wd.relief(&["report", "in", "--month", "2026-03", "--out", "out"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("No sessions in 2026-03 (the data covers 2026-09 only)"),
        "{}",
        show(&out)
    );
    assert!(!wd.join("out").exists());
    // A one-digit month is a typo, not January.
    let out = wd.relief(&["report", "in", "--month", "2026-1"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
}
