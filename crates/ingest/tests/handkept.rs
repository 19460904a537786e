//! Hand-kept workbooks (SPEC §2.9), one test per promise: real xlsx files written with
//! rust_xlsxwriter — merged ranges, hidden sheets, time-formatted cells, two-row headers, ditto
//! rows — read back, with what is read, rejected and reported checked exactly. Every read also
//! checks the counting identity `read = used + rejected + duplicates` per sheet (`Env::read`).

mod common;

use chrono::NaiveDate;
use common::book::{H, H::*, Sheet, sheet, write};
use common::{Env, rejects, rj};
use relief_core::{Pressure, Region};
use relief_ingest::{FileRead, NotSession, SheetNote};
use std::path::PathBuf;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const LONG: [&str; 6] = ["Date", "Client", "Therapist", "Region", "Before", "After"];

fn header(names: &[&'static str]) -> Vec<H> {
    names.iter().map(|n| S(n)).collect()
}

/// Writes `sheets` into a fresh folder and reads the file with the default settings.
fn read(sheets: &[Sheet]) -> (tempfile::TempDir, PathBuf, FileRead) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.xlsx");
    write(&path, sheets);
    let r = Env::new().read(&path);
    (dir, path, r)
}

/// The notes of one sheet.
fn notes<'a>(r: &'a FileRead, sheet: &str) -> &'a [SheetNote] {
    r.notes
        .iter()
        .find(|n| n.sheet == sheet)
        .map_or(&[], |n| &n.notes)
}

/// (row, date, region) of every record, in reading order.
fn rows(r: &FileRead) -> Vec<(u32, NaiveDate, Region)> {
    r.records
        .iter()
        .map(|x| (x.origin.row, x.date, x.region))
        .collect()
}

#[test]
fn merged_date_client_and_therapist_belong_to_every_row_of_the_range() {
    let mut s = sheet(
        "Log",
        vec![
            vec![S("Jo Marsh — massage log")],
            header(&[
                "Date",
                "Client",
                "Therapist",
                "Region",
                "Before",
                "After",
                "Pressure",
            ]),
            vec![
                D(2026, 10, 3),
                S("Ann Lee"),
                S("Jo"),
                S("Neck"),
                N(6.0),
                N(3.0),
                S("firm"),
            ],
            vec![E, E, E, S("Lower back"), N(7.0), N(4.0)],
            vec![E, E, E, S("Shoulders"), N(5.0), N(3.0)],
        ],
    );
    // The title across A1:G1, and date, client, therapist down rows 3–5.
    s.merges = vec![(0, 0, 0, 6), (2, 0, 4, 0), (2, 1, 4, 1), (2, 2, 4, 2)];
    let (_d, _p, r) = read(&[s]);
    assert!(r.rejects.is_empty(), "{:?}", rejects(&r));
    assert_eq!(r.report.sheets[0].header_row, 2);
    let env = Env::new();
    for rec in &r.records {
        assert_eq!(rec.date, ymd(2026, 10, 3), "row {}", rec.origin.row);
        assert_eq!(rec.client, env.pseudo.client("Ann Lee"));
        assert_eq!(rec.therapist.as_deref(), Some("Jo"));
    }
    assert_eq!(
        rows(&r).iter().map(|x| x.2).collect::<Vec<_>>(),
        [Region::Neck, Region::LowerBack, Region::Shoulders]
    );
    // Only the merged cells take the value: the pressure was not merged.
    let pressures: Vec<_> = r.records.iter().map(|x| x.pressure).collect();
    assert_eq!(pressures, [Some(Pressure::Firm), None, None]);
    assert_eq!(
        notes(&r, "Log"),
        [SheetNote::Merged {
            first: 3,
            last: 5,
            columns: vec!["date".into(), "client".into(), "therapist".into()],
        }]
    );
    assert_eq!(
        notes(&r, "Log")[0].to_string(),
        "rows 3–5: date, client, therapist merged"
    );
}

#[test]
fn a_merged_range_fills_only_the_used_cells() {
    let mut s = sheet(
        "Log",
        vec![
            header(&LONG),
            vec![D(2026, 10, 3), S("Ann"), S("Jo"), S("Neck"), N(6.0), N(3.0)],
            vec![E, E, E, S("Hips"), N(5.0), N(2.0)],
        ],
    );
    s.merges = vec![(1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 2, 2)];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.xlsx");
    write(&path, &[s]);
    // A range claiming the whole sheet from the first client cell on.
    common::patch(
        &path,
        "xl/worksheets/sheet1.xml",
        r#"ref="B2:B3""#,
        r#"ref="B2:XFD1048576""#,
    );
    let r = Env::new().read(&path);
    assert!(r.report.error.is_none(), "{:?}", r.report.error);
    assert!(r.rejects.is_empty(), "{:?}", rejects(&r));
    assert_eq!(r.records.len(), 2);
    // The client's value spread over the used columns of rows 2–3 only: the scores were
    // there already, and nothing beyond column F or row 3 was made up.
    assert_eq!(
        r.records
            .iter()
            .map(|x| (x.before, x.after))
            .collect::<Vec<_>>(),
        [(6.0, 3.0), (5.0, 2.0)]
    );
    assert_eq!(r.report.sheets[0].rows_read, 2);
}

/// A wide sheet with a two-row header: region names merged across Before | After | Minutes.
fn two_row_wide(merged: bool) -> Sheet {
    let mut s = sheet(
        "Wide",
        vec![
            vec![S("Sessions 2026")],
            vec![S("Date"), E, E, S("Lower back"), E, E, S("Neck"), E, E],
            vec![
                E,
                S("Client"),
                S("Therapist"),
                S("Before"),
                S("After"),
                S("Minutes"),
                S("Pre"),
                S("Post"),
                S("Mins"),
            ],
            vec![
                D(2026, 10, 5),
                S("Ann"),
                S("Jo"),
                N(7.0),
                N(3.0),
                N(20.0),
                N(5.0),
                N(4.0),
                N(10.0),
            ],
            vec![D(2026, 10, 6), S("Bob"), S("Jo"), E, E, E, N(6.0), E, E],
        ],
    );
    if merged {
        // Date down rows 2–3; each region across its three columns.
        s.merges = vec![(1, 0, 2, 0), (1, 3, 1, 5), (1, 6, 1, 8)];
    }
    s
}

#[test]
fn merged_region_names_over_a_two_row_header_make_one_wide_header() {
    let (_d, _p, r) = read(&[two_row_wide(true)]);
    let sh = &r.report.sheets[0];
    assert_eq!((sh.layout.as_str(), sh.header_row), ("wide", 3));
    assert_eq!(
        rows(&r),
        [
            (4, ymd(2026, 10, 5), Region::Neck),
            (4, ymd(2026, 10, 5), Region::LowerBack),
        ]
    );
    let back = r
        .records
        .iter()
        .find(|x| x.region == Region::LowerBack)
        .unwrap();
    assert_eq!(
        (back.before, back.after, back.minutes),
        (7.0, 3.0, Some(20.0))
    );
    // Bob's neck has a before-score under "Neck / Pre" and no after-score under "Neck / Post".
    assert_eq!(
        rejects(&r),
        [rj(
            5,
            "after",
            "",
            "'Neck Post' is blank while the other score of neck is filled in"
        )]
    );
    assert_eq!(
        notes(&r, "Wide").first(),
        Some(&SheetNote::TwoRowHeader { upper: 2, lower: 3 })
    );
}

#[test]
fn a_two_row_header_without_merges_takes_the_name_written_above() {
    // The same sheet with each region name typed once, above its first column (or centred
    // across the columns without merging them), and the date header only in the upper row.
    let (_d, _p, r) = read(&[two_row_wide(false)]);
    assert_eq!(r.report.sheets[0].header_row, 3);
    assert_eq!(r.records.len(), 2);
    assert_eq!(r.rejects.len(), 1);
}

/// A long sheet typed the hand-kept way: the date, client and therapist on a session's first
/// row only.
fn ditto_sheet() -> Sheet {
    sheet(
        "Log",
        vec![
            header(&[
                "Date",
                "Client",
                "Therapist",
                "Session",
                "Region",
                "Before",
                "After",
                "Pressure",
            ]),
            vec![
                D(2026, 10, 3),
                S("Ann"),
                S("Jo"),
                S("S-1"),
                S("Neck"),
                N(6.0),
                N(3.0),
                S("firm"),
            ],
            vec![E, E, E, E, S("Lower back"), N(7.0), N(4.0)],
            vec![E, E, E, E, S("Hips"), N(5.0), N(2.0), S("light")],
            vec![
                D(2026, 10, 4),
                S("Bob"),
                S("Mia"),
                E,
                S("Feet"),
                N(3.0),
                N(1.0),
            ],
            vec![E, E, E, E, S("Legs"), N(4.0), N(2.0)],
        ],
    )
}

#[test]
fn ditto_rows_continue_the_session_above_and_take_only_its_date_client_therapist_and_id() {
    let (_d, _p, r) = read(&[ditto_sheet()]);
    assert!(r.rejects.is_empty(), "{:?}", rejects(&r));
    assert!(r.footers.is_empty());
    let env = Env::new();
    let got: Vec<_> = r
        .records
        .iter()
        .map(|x| {
            (
                x.origin.row,
                x.date,
                x.client == env.pseudo.client("Ann"),
                x.therapist.as_deref().unwrap_or("").to_string(),
                x.session_id.as_deref().map(str::to_string),
                x.pressure,
            )
        })
        .collect();
    let id = Some("S-1".to_string());
    assert_eq!(
        got,
        [
            (
                2,
                ymd(2026, 10, 3),
                true,
                "Jo".into(),
                id.clone(),
                Some(Pressure::Firm)
            ),
            // Nothing but date, client, therapist and session id is carried: row 3's pressure
            // is its own (blank), row 4's its own (light).
            (3, ymd(2026, 10, 3), true, "Jo".into(), id.clone(), None),
            (
                4,
                ymd(2026, 10, 3),
                true,
                "Jo".into(),
                id,
                Some(Pressure::Light)
            ),
            (5, ymd(2026, 10, 4), false, "Mia".into(), None, None),
            (6, ymd(2026, 10, 4), false, "Mia".into(), None, None),
        ]
    );
    assert_eq!(
        notes(&r, "Log"),
        [
            SheetNote::Ditto {
                first: 3,
                last: 4,
                of: 2
            },
            SheetNote::Ditto {
                first: 6,
                last: 6,
                of: 5
            },
        ]
    );
}

#[test]
fn a_ditto_row_with_nothing_to_continue_is_rejected_saying_why() {
    let ditto = || vec![E, E, E, S("Neck"), N(5.0), N(3.0)];
    let session = |d: H| vec![d, S("Ann"), S("Jo"), S("Neck"), N(6.0), N(2.0)];
    let s = sheet(
        "Log",
        vec![
            header(&LONG),
            ditto(),                                     // 2: right under the header
            session(D(2026, 10, 3)),                     // 3
            vec![],                                      // 4: blank
            ditto(),                                     // 5: after a blank row
            ditto(),                                     // 6: still nothing to continue
            session(S("31/02/2026")),                    // 7: a session whose date is no date
            ditto(),                                     // 8: after a rejected session row
            vec![S("Total"), E, E, E, N(22.0), N(10.0)], // 9: footer
            ditto(),                                     // 10: after the footer
        ],
    );
    let (_d, _p, r) = read(&[s]);
    let tail = "; type the date and client, or merge them down from the session's first row";
    let why = |w: &str| {
        format!(
            "the date and client are blank and there is no session above to continue ({w}){tail}"
        )
    };
    assert_eq!(
        rejects(&r),
        [
            rj(2, "date", "", &why("the row is right under the header")),
            rj(5, "date", "", &why("a blank row stands above it")),
            rj(6, "date", "", &why("a blank row stands above it")),
            rj(
                7,
                "date",
                "31/02/2026",
                "'31/02/2026' is not a date: use a date cell, 2026-10-03, or 03/10/2026"
            ),
            rj(
                8,
                "date",
                "",
                &why("the row above it was rejected for its date, client or therapist")
            ),
            rj(10, "date", "", &why("a footer row stands above it")),
        ]
    );
    assert_eq!(rows(&r), [(3, ymd(2026, 10, 3), Region::Neck)]);
    assert_eq!(r.footers.iter().map(|f| f.row).collect::<Vec<_>>(), [9]);
}

#[test]
fn a_row_rejected_for_its_region_or_score_still_carries_its_session() {
    let s = sheet(
        "Log",
        vec![
            header(&LONG),
            vec![
                D(2026, 10, 3),
                S("Ann"),
                S("Jo"),
                S("Elbow pit"),
                N(6.0),
                N(2.0),
            ],
            vec![E, E, E, S("Neck"), N(11.0), N(3.0)],
            vec![E, E, E, S("Hips"), N(5.0), N(2.0)],
        ],
    );
    let (_d, _p, r) = read(&[s]);
    assert_eq!(
        rejects(&r),
        [
            rj(
                2,
                "region",
                "Elbow pit",
                "unknown region 'Elbow pit' — add it under [regions] in relief.toml"
            ),
            rj(3, "before", "11", "score 11 is outside 0–10"),
        ]
    );
    assert_eq!(rows(&r), [(4, ymd(2026, 10, 3), Region::Hips)]);
    // The rejects of ditto rows fall in the month of the session they continue.
    assert_eq!(r.rejects[1].month.as_deref(), Some("2026-10"));
}

#[test]
fn footers_are_told_apart_from_ditto_rows() {
    let s = sheet(
        "Log",
        vec![
            header(&LONG),
            vec![D(2026, 10, 3), S("Ann"), S("Jo"), S("Neck"), N(6.0), N(2.0)],
            vec![E, E, E, S("Hips"), N(5.0), N(2.0)],
            // Sums under the scores, the word in the region column or in the date column.
            vec![E, E, E, S("Total"), N(11.0), N(4.0)],
            vec![S("Average"), E, E, E, N(5.5), N(2.0)],
        ],
    );
    let (_d, _p, r) = read(&[s]);
    assert!(r.rejects.is_empty(), "{:?}", rejects(&r));
    assert_eq!(r.records.len(), 2);
    assert_eq!(r.footers.iter().map(|f| f.row).collect::<Vec<_>>(), [4, 5]);
    assert_eq!(r.report.sheets[0].footer_skipped, 2);
}

#[test]
fn ditto_rows_do_not_apply_to_csv() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.csv");
    std::fs::write(
        &path,
        "Date,Client,Therapist,Region,Before,After\n2026-10-03,Ann,Jo,Neck,6,2\n,,,Hips,5,2\n",
    )
    .unwrap();
    let r = Env::new().read(&path);
    // Not a ditto row, and not a footer either: a row with a region and scores is data.
    assert_eq!(rejects(&r), [rj(3, "date", "", "date is blank")]);
    assert!(r.footers.is_empty());
    assert!(r.notes.is_empty());
}

#[test]
fn dates_typed_with_month_names_dots_and_times_are_read() {
    let typed = [
        "3 Oct 2026",
        "3 October 2026",
        "Oct 3, 2026",
        "03-Oct-2026",
        "2026/10/03",
        "3.10.2026",
        "2026-10-03 14:30",
        "Sat 3 Oct 26",
    ];
    let mut table = vec![header(&LONG)];
    for t in typed {
        table.push(vec![S(t), S("Ann"), S("Jo"), S("Neck"), N(6.0), N(2.0)]);
    }
    table.push(vec![
        S("14 Sept 2026"),
        S("Ann"),
        S("Jo"),
        S("Neck"),
        N(6.0),
        N(2.0),
    ]);
    // A two-digit year in a slash date: 2026.
    table.push(vec![
        S("25/9/26"),
        S("Ann"),
        S("Jo"),
        S("Neck"),
        N(6.0),
        N(2.0),
    ]);
    let (_d, _p, r) = read(&[sheet("Log", table)]);
    assert!(r.rejects.is_empty(), "{:?}", rejects(&r));
    let dates: Vec<NaiveDate> = r.records.iter().map(|x| x.date).collect();
    let mut want = vec![ymd(2026, 10, 3); typed.len()];
    want.extend([ymd(2026, 9, 14), ymd(2026, 9, 25)]);
    assert_eq!(dates, want);
}

#[test]
fn minutes_as_time_cells_and_typed_durations_are_read() {
    let typed: [(H, f64); 14] = [
        (Time(15.0), 15.0),
        (Dur(75.0), 75.0),
        (S("0:15"), 15.0),
        (S("00:15:00"), 15.0),
        (S("15 min"), 15.0),
        (S("15 mins"), 15.0),
        (S("15m"), 15.0),
        (S("1 h"), 60.0),
        (S("1 hr"), 60.0),
        (S("1 hour"), 60.0),
        (S("1h 15m"), 75.0),
        (S("1.5 h"), 90.0),
        (S("90 minutes"), 90.0),
        // 12.5 minutes and a float's dust: rounded to the second.
        (N(12.500_000_1), 12.5),
    ];
    let mut table = vec![header(&[
        "Date",
        "Client",
        "Therapist",
        "Region",
        "Before",
        "After",
        "Minutes",
    ])];
    for (cell, _) in &typed {
        table.push(vec![
            D(2026, 10, 3),
            S("Ann"),
            S("Jo"),
            S("Neck"),
            N(6.0),
            N(2.0),
            cell.clone(),
        ]);
    }
    let (_d, _p, r) = read(&[sheet("Log", table)]);
    assert!(r.rejects.is_empty(), "{:?}", rejects(&r));
    let got: Vec<f64> = r.records.iter().map(|x| x.minutes.unwrap()).collect();
    let want: Vec<f64> = typed.iter().map(|t| t.1).collect();
    assert_eq!(got, want);
}

#[test]
fn more_than_480_minutes_is_rejected_saying_how_it_was_read() {
    let mut table = vec![header(&[
        "Date",
        "Client",
        "Therapist",
        "Region",
        "Before",
        "After",
        "Minutes",
    ])];
    for cell in [S("15:00"), Time(900.0), N(600.0), N(480.0)] {
        table.push(vec![
            D(2026, 10, 3),
            S("Ann"),
            S("Jo"),
            S("Neck"),
            N(6.0),
            N(2.0),
            cell,
        ]);
    }
    let (_d, _p, r) = read(&[sheet("Log", table)]);
    let tail = ": more than 480 minutes on one region is implausible (for a quarter of an hour write 15, 0:15 or 15 min)";
    assert_eq!(
        rejects(&r),
        [
            rj(
                2,
                "minutes",
                "15:00",
                &format!("minutes '15:00' reads as 15 hours (900 minutes){tail}")
            ),
            rj(
                3,
                "minutes",
                "15:00",
                &format!("minutes '15:00' reads as 15 hours (900 minutes){tail}")
            ),
            rj(
                4,
                "minutes",
                "600",
                &format!("minutes '600' reads as 10 hours (600 minutes){tail}")
            ),
        ]
    );
    assert_eq!(r.records.len(), 1);
    assert_eq!(r.records[0].minutes, Some(480.0));
}

fn one_session(date: H) -> Vec<Vec<H>> {
    vec![
        header(&LONG),
        vec![date, S("Ann"), S("Jo"), S("Neck"), N(6.0), N(2.0)],
    ]
}

#[test]
fn hidden_sheets_are_read_and_reported_hidden() {
    let mut old = sheet("Old months", one_session(D(2026, 5, 4)));
    old.hidden = true;
    let (_d, _p, r) = read(&[sheet("October", one_session(D(2026, 10, 3))), old]);
    let sheets: Vec<(&str, bool, u64)> = r
        .report
        .sheets
        .iter()
        .map(|s| (s.name.as_str(), s.hidden, s.rows_used))
        .collect();
    assert_eq!(sheets, [("October", false, 1), ("Old months", true, 1)]);
    assert_eq!(r.records[1].date, ymd(2026, 5, 4));
    // The JSON carries the flag for every sheet, visible ones too.
    let json = serde_json::to_value(&r.report).unwrap();
    assert_eq!(json["sheets"][0]["hidden"], false);
    assert_eq!(json["sheets"][1]["hidden"], true);
}

#[test]
fn the_config_sheet_list_still_decides_for_hidden_sheets() {
    let mut old = sheet("Old months", one_session(D(2026, 5, 4)));
    old.hidden = true;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.xlsx");
    write(&path, &[sheet("October", one_session(D(2026, 10, 3))), old]);
    let r = Env::toml("[input]\nsheets = [\"October\"]\n").read(&path);
    assert_eq!(r.report.sheets.len(), 1);
    assert_eq!(r.report.sheets[0].name, "October");
    assert!(r.report.error.is_none());
}

#[test]
fn list_and_price_sheets_are_not_session_sheets_and_flood_nothing() {
    let mut lists = sheet(
        "Lists",
        vec![
            header(&["Region", "Therapist", "Technique"]),
            vec![S("Neck"), S("Jo"), S("Swedish")],
            vec![S("Lower back"), S("Mia"), S("Deep tissue")],
            vec![S("Shoulders"), E, S("Trigger point")],
        ],
    );
    lists.hidden = true;
    let prices = sheet(
        "Prices",
        vec![
            header(&["Treatment", "Duration", "Price"]),
            vec![S("Back and neck"), S("30 min"), N(42.0)],
        ],
    );
    let (_d, _p, r) = read(&[
        sheet("October", one_session(D(2026, 10, 3))),
        lists,
        prices,
        sheet("Empty", vec![]),
    ]);
    assert!(r.report.error.is_none(), "{:?}", r.report.error);
    assert!(r.rejects.is_empty(), "{:?}", rejects(&r));
    assert_eq!(r.report.sheets.len(), 1);
    let listed: Vec<(&str, bool, &NotSession)> = r
        .notes
        .iter()
        .filter_map(|n| Some((n.sheet.as_str(), n.hidden, n.not_session()?)))
        .collect();
    assert_eq!(
        listed,
        [
            (
                "Lists",
                true,
                &NotSession::NoSessionColumns {
                    row: 1,
                    names: vec!["Region".into(), "Therapist".into(), "Technique".into()],
                }
            ),
            ("Prices", false, &NotSession::NoHeader),
            ("Empty", false, &NotSession::Empty),
        ]
    );
    assert_eq!(
        r.notes[0].notes[0].to_string(),
        "not a session sheet: its header on row 1 (Region, Therapist, Technique) names no date, client or score column; its rows are not read"
    );
}

#[test]
fn a_sheet_without_a_therapist_column_is_a_solo_practice() {
    let s = sheet(
        "Home visits",
        vec![
            header(&["Date", "Client", "Region", "Before", "After"]),
            vec![D(2026, 10, 3), S("Ann"), S("Neck"), N(6.0), N(2.0)],
            vec![E, E, S("Hips"), N(5.0), N(2.0)],
        ],
    );
    let (_d, _p, r) = read(&[s]);
    assert!(r.rejects.is_empty(), "{:?}", rejects(&r));
    assert_eq!(r.records.len(), 2);
    assert!(r.records.iter().all(|x| x.therapist.is_none()));
    // A ditto row there needs only the date and client blank.
    assert_eq!(r.records[1].date, ymd(2026, 10, 3));
    assert_eq!(
        notes(&r, "Home visits"),
        [
            SheetNote::NoTherapistColumn,
            SheetNote::Ditto {
                first: 3,
                last: 3,
                of: 2
            }
        ]
    );
}

#[test]
fn the_same_session_id_at_two_clinics_is_two_sessions() {
    let table = |client: &'static str, after: f64| {
        vec![
            header(&[
                "Session ID",
                "Date",
                "Client",
                "Therapist",
                "Region",
                "Before",
                "After",
            ]),
            vec![
                S("1001"),
                D(2026, 10, 3),
                S(client),
                S("Jo"),
                S("Neck"),
                N(6.0),
                N(after),
            ],
        ]
    };
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = ["a.xlsx", "b.xlsx", "c.xlsx"]
        .iter()
        .map(|n| dir.path().join(n))
        .collect();
    write(&paths[0], &[sheet("S", table("Ann", 2.0))]);
    // Another clinic numbers its own session 1001 too: another client, another session.
    write(&paths[1], &[sheet("S", table("Bob", 3.0))]);
    // The first clinic's session exported again, with another after-score: a conflict.
    write(&paths[2], &[sheet("S", table("Ann", 4.0))]);
    let got = Env::new().read_all(&paths);
    assert_eq!(got.records.len(), 2);
    assert_eq!(got.duplicates.len(), 1);
    let d = &got.duplicates[0];
    assert!(d.file.ends_with("a.xlsx") && d.kept_file.ends_with("c.xlsx"));
    assert_eq!(
        d.conflict.as_deref(),
        Some("after: 2 here, 4 in the kept copy")
    );
}
