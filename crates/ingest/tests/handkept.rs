//! Hand-kept workbooks (SPEC §2.9), one test per promise: real xlsx files written with
//! rust_xlsxwriter — merged ranges, hidden sheets, time-formatted cells, two-row headers, ditto
//! rows — read back, with what is read, rejected and reported checked exactly. Every read also
//! checks the counting identity `read = used + rejected + duplicates` per sheet (`Env::read`).
//! Typed values, hidden and non-session sheets and solo practices are in `handkept_values.rs`.

mod common;

use chrono::NaiveDate;
use common::book::{H, H::*, Sheet, header, jo_log_start, read, sheet, write};
use common::{Env, LONG, notes, rejects, rj, unknown_region, ymd};
use relief_core::{Pressure, Region};
use relief_ingest::{FileRead, SheetNote};

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
        [
            jo_log_start("Pressure", S("firm")),
            vec![
                vec![E, E, E, S("Lower back"), N(7.0), N(4.0)],
                vec![E, E, E, S("Shoulders"), N(5.0), N(3.0)],
            ],
        ]
        .concat(),
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
            unknown_region(2, "region", "Elbow pit"),
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
