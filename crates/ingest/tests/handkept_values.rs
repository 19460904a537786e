//! Hand-kept workbooks (SPEC §2.9), the values and sheets therapists type, one test per promise:
//! dates with month names and dots, minutes as time cells and typed durations with the
//! 480-minute cap, hidden sheets, sheets that are not session sheets, solo practices, and the
//! session-id duplicate key with its client. Real xlsx files written with rust_xlsxwriter; every
//! read checks the counting identity per sheet (`Env::read`). Merged cells, two-row headers and
//! ditto rows are in `handkept.rs`.

mod common;

use chrono::NaiveDate;
use common::book::{H, H::*, Sheet, header, lists_sheet, read, sheet, write};
use common::{Env, LONG, long_and, notes, rejects, rj, ymd};

use relief_ingest::{NotSession, SheetNote};
use std::path::PathBuf;

/// A log of one neck session a row, each with one of `minutes` in a Minutes column.
fn minutes_sheet(minutes: impl IntoIterator<Item = H>) -> Sheet {
    let mut table = vec![header(&long_and("Minutes"))];
    for cell in minutes {
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
    sheet("Log", table)
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
    let (_d, _p, r) = read(&[minutes_sheet(typed.iter().map(|t| t.0.clone()))]);
    assert!(r.rejects.is_empty(), "{:?}", rejects(&r));
    let got: Vec<f64> = r.records.iter().map(|x| x.minutes.unwrap()).collect();
    let want: Vec<f64> = typed.iter().map(|t| t.1).collect();
    assert_eq!(got, want);
}

#[test]
fn more_than_480_minutes_is_rejected_saying_how_it_was_read() {
    let (_d, _p, r) = read(&[minutes_sheet([S("15:00"), Time(900.0), N(600.0), N(480.0)])]);
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
    assert_eq!(r.records.get(0).minutes, Some(480.0));
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
    assert_eq!(r.records.get(1).date, ymd(2026, 5, 4));
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
    let lists = lists_sheet(vec![vec![S("Shoulders"), E, S("Trigger point")]]);
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
    assert_eq!(r.records.get(1).date, ymd(2026, 10, 3));
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
            header(&[["Session ID"].as_slice(), &LONG].concat()),
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

#[test]
fn a_repeated_header_is_named_apart_from_unknown_ones() {
    let s = sheet(
        "October",
        vec![
            header(&[LONG.as_slice(), &["Notes", "after"]].concat()),
            vec![
                D(2026, 10, 3),
                S("Ann"),
                S("Kim"),
                S("Neck"),
                N(6.0),
                N(2.0),
                S("felt good"),
                N(9.0),
            ],
        ],
    );
    let (_d, _p, r) = read(&[s]);
    assert_eq!(r.records.len(), 1);
    assert_eq!(
        r.records.get(0).after,
        2.0,
        "the first After column is the one read"
    );
    let notes: Vec<String> = r.notes[0].notes.iter().map(ToString::to_string).collect();
    assert_eq!(
        notes,
        [
            "not read: 'Notes' (G) — names relief does not know; if one holds minutes, pressure, focus or another field, add its name under [headers] in relief.toml",
            "not read: 'after' (H) repeats column F — the first column of a name is the one read; rename or remove the other if it holds something else",
        ]
    );
}
