//! Reading real xlsx workbooks: header detection under titles, both layouts, every kind of
//! value, formula and error cells, footers, the 1904 date system, and the config's overrides.

mod common;

use common::*;
use relief_core::{Pressure, Region, Side};

fn long_sheet() -> Vec<Vec<C>> {
    use C::*;
    vec![
        vec![s("North Clinic — session export")],
        vec![s("Exported 2026-11-01")],
        vec![],
        header(&[
            "Date",
            "Client ID",
            "Therapist",
            "Body region",
            "Before",
            "After",
            "Pressure",
            "Focus",
            "Notes",
        ]),
        vec![
            D(2026, 10, 3),
            N(40009.0),
            s("Ann"),
            s("Lower back"),
            N(7.0),
            N(3.0),
            s("firm"),
            s("yes"),
            s("private note"),
        ],
        vec![
            D(2026, 10, 3),
            N(40009.0),
            s("Ann"),
            s("left shoulder"),
            s("6,5"),
            s("2/10"),
            s("Medium"),
        ],
        vec![],
        vec![
            D(2026, 10, 4),
            s("C-2"),
            s("Ben"),
            s("neck"),
            N(11.0),
            N(5.0),
        ],
        vec![
            D(2026, 10, 4),
            s("C-2"),
            s("Ben"),
            s("elbow"),
            N(5.0),
            N(4.0),
        ],
        vec![
            D(2026, 10, 5),
            s("C-3"),
            s("Ben"),
            s("hips"),
            F("=4+1", "5"),
            F("=1/0", "#DIV/0!"),
        ],
        vec![
            D(2026, 10, 5),
            s("C-3"),
            s("Ben"),
            s("feet"),
            N(4.0),
            N(2.0),
            s("very hard"),
        ],
        vec![E, s("C-4"), s("Ann"), s("neck"), N(5.0), N(4.0)],
        vec![D(2026, 10, 6), E, s("Ann"), s("neck"), N(5.0), N(3.0)],
        vec![s("Total"), E, E, E, N(50.0), N(20.0)],
        vec![s("Average"), E, E, E, N(5.0), N(2.0)],
    ]
}

#[test]
fn long_layout_under_a_merged_title_reads_every_value_and_rejects_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let path = xlsx_in(dir.path(), "north.xlsx", &[("Sessions", long_sheet())]);
    // Merge the title across A1:F1 as exports do.
    patch(
        &path,
        "xl/worksheets/sheet1.xml",
        "</sheetData>",
        "</sheetData><mergeCells count=\"1\"><mergeCell ref=\"A1:F1\"/></mergeCells>",
    );
    let env = Env::new();
    let r = env.read_whole(&path);
    let sheet = &r.report.sheets[0];
    assert_eq!((sheet.layout.as_str(), sheet.header_row), ("long", 4));
    assert_eq!(row_counts(sheet), [8, 2, 6, 2]);
    assert_eq!(
        r.footers.iter().map(|f| f.row).collect::<Vec<_>>(),
        [14, 15]
    );

    let a = &r.records.get(0);
    assert_eq!(a.date, ymd(2026, 10, 3));
    assert_eq!(a.client, env.pseudo.client("40009"));
    assert_eq!(a.therapist.as_deref(), Some("Ann"));
    assert_eq!(
        (a.region, a.side, a.before, a.after),
        (Region::LowerBack, None, 7.0, 3.0)
    );
    assert_eq!(
        (a.pressure, a.focus, a.minutes),
        (Some(Pressure::Firm), Some(true), None)
    );
    assert_eq!(
        (&*a.origin.file, &*a.origin.sheet, a.origin.row),
        (path.to_str().unwrap(), "Sessions", 5)
    );
    let b = &r.records.get(1);
    assert_eq!(
        (b.region, b.side, b.before, b.after),
        (Region::Shoulders, Some(Side::Left), 6.5, 2.0)
    );
    assert_eq!(
        (b.pressure, b.focus, b.origin.row),
        (Some(Pressure::Medium), Some(false), 6)
    );

    assert_eq!(
        rejects(&r),
        vec![
            rj(8, "before", "11", "score 11 is outside 0–10"),
            unknown_region(9, "region", "elbow"),
            rj(
                10,
                "after",
                "#DIV/0!",
                "the cell shows the spreadsheet error #DIV/0!; fix the formula or type the value"
            ),
            unknown_pressure(11, "very hard"),
            rj(12, "date", "", "date is blank"),
            rj(13, "client", "", "client is blank"),
        ]
    );
    // Months ride along where the date was readable.
    let months: Vec<_> = r.rejects.iter().map(|x| x.month.as_deref()).collect();
    assert_eq!(
        months,
        [
            Some("2026-10"),
            Some("2026-10"),
            Some("2026-10"),
            Some("2026-10"),
            None,
            Some("2026-10")
        ]
    );
    // Neither client identifiers nor notes travel anywhere.
    let everything = format!("{:?}{:?}", r.records, r.rejects);
    for secret in ["40009", "C-2", "C-3", "C-4", "private note"] {
        assert!(!everything.contains(secret), "{secret} leaked");
    }
}

#[test]
fn wide_layout_gives_one_record_per_region_with_scores() {
    use C::*;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.xlsx");
    let names = [
        "Visit date",
        "Patient",
        "Practitioner",
        "Pressure",
        "Focus areas",
        "Lower back before",
        "Lower back after",
        "Neck pre",
        "Neck post (0-10)",
        "Shoulders (L) before",
        "Shoulders (L) after",
        "Hips minutes",
        "Hips before",
        "Hips after",
        "Notes",
    ];
    let rows = vec![
        header(&names),
        vec![
            D(2026, 10, 3),
            N(1.0),
            s("Ann"),
            s("firm"),
            s("lower back; neck"),
            N(7.0),
            N(3.0),
            N(5.0),
            N(4.0),
        ],
        vec![
            D(2026, 10, 4),
            N(2.0),
            s("Ann"),
            E,
            E,
            N(6.0),
            E,
            N(4.0),
            N(2.0),
            N(3.0),
            N(1.0),
            N(30.0),
            N(5.0),
            N(4.0),
            s("text"),
        ],
        vec![
            D(2026, 10, 5),
            E,
            s("Ann"),
            E,
            E,
            N(5.0),
            N(4.0),
            N(6.0),
            N(5.0),
        ],
        vec![D(2026, 10, 6), N(3.0), s("Ben")],
        vec![
            D(2026, 10, 6),
            N(4.0),
            s("Ben"),
            E,
            s("elbow"),
            N(5.0),
            N(4.0),
        ],
    ];
    write_xlsx(&path, &[("Week", rows)]);
    let env = Env::new();
    let r = env.read_whole(&path);
    let sheet = &r.report.sheets[0];
    assert_eq!((sheet.layout.as_str(), sheet.header_row), ("wide", 1));
    let got: Vec<_> = r
        .records
        .iter()
        .map(|x| {
            (
                x.origin.row,
                x.region,
                x.side,
                x.before,
                x.after,
                x.minutes,
                x.focus,
                x.pressure,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                2,
                Region::Neck,
                None,
                5.0,
                4.0,
                None,
                Some(true),
                Some(Pressure::Firm)
            ),
            (
                2,
                Region::LowerBack,
                None,
                7.0,
                3.0,
                None,
                Some(true),
                Some(Pressure::Firm)
            ),
            (3, Region::Neck, None, 4.0, 2.0, None, Some(false), None),
            (
                3,
                Region::Shoulders,
                Some(Side::Left),
                3.0,
                1.0,
                None,
                Some(false),
                None
            ),
            (
                3,
                Region::Hips,
                None,
                5.0,
                4.0,
                Some(30.0),
                Some(false),
                None
            ),
        ]
    );
    assert_eq!(
        rejects(&r),
        vec![
            rj(
                3,
                "after",
                "",
                "'Lower back after' is blank while the other score of lower back is filled in"
            ),
            rj(4, "client", "", "client is blank"),
            rj(4, "client", "", "client is blank"),
            rj(
                5,
                "",
                "",
                "the session has no before or after score for any region"
            ),
            unknown_region(6, "focus", "elbow"),
        ]
    );
    assert_eq!(
        (sheet.rows_read, sheet.rows_used, sheet.rows_rejected),
        (10, 5, 5)
    );
}

#[test]
fn the_1904_date_system_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let sheets = [(
        "S",
        vec![
            header(&LONG),
            session((2022, 10, 2), "A", "Ann", "neck", 6.0, 2.0),
        ],
    )];
    let path = xlsx_in(dir.path(), "mac.xlsx", &sheets);
    // rust_xlsxwriter wrote the 1900 serial of 2022-10-02 (44836 = 46298 − 1462): read in the
    // 1904 system, the same number is 2026-10-03.
    patch(
        &path,
        "xl/workbook.xml",
        "<workbookPr",
        "<workbookPr date1904=\"1\"",
    );
    let r = Env::new().read_whole(&path);
    assert_eq!(r.records.get(0).date, ymd(2026, 10, 3));
    // Without the flag, the same cell is 2022-10-02: the flag, not the number, decided.
    let plain = xlsx_in(dir.path(), "plain.xlsx", &sheets);
    assert_eq!(
        Env::new().read(&plain).records.get(0).date,
        ymd(2022, 10, 2)
    );
}

#[test]
fn a_header_missing_a_needed_column_is_said_and_other_sheets_still_read() {
    use C::*;
    let r = Env::new().read_sheets(
        "two.xlsx",
        &[
            ("Good", long_sheet()),
            (
                "Bad",
                vec![
                    // No client column (a sheet without a therapist column is a solo
                    // practice's and is read, SPEC §2.9).
                    header(&["Date", "Therapist", "Region", "Before", "After"]),
                    vec![D(2026, 10, 3), s("Ann"), s("neck"), N(6.0), N(2.0)],
                ],
            ),
            ("Notes", vec![vec![s("Remember to order oil")]]),
        ],
    );
    assert_eq!(r.report.sheets.len(), 1);
    assert_eq!(r.records.len(), 2);
    let err = r.report.error.unwrap();
    assert!(
        err.contains("sheet 'Bad': row 1 looks like a header but has no client column"),
        "{err}"
    );
    assert!(!err.contains("Notes"), "{err}");
}

#[test]
fn a_workbook_without_any_header_is_one_clear_error() {
    let r = Env::new().read_sheets(
        "notes.xlsx",
        &[(
            "Sheet1",
            vec![vec![s("Shopping")], vec![s("oil"), s("towels")]],
        )],
    );
    assert!(
        r.report
            .error
            .unwrap()
            .contains("no sheet has a recognisable header row")
    );
    assert!(r.records.is_empty() && r.rejects.is_empty());
}

#[test]
fn config_names_sheets_and_header_rows() {
    use C::*;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("north").join("october.xlsx");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    // The real header is on row 3; row 1 is a legend that reads as a header and wins detection.
    let odd = vec![
        header(&LONG),
        vec![],
        header(&["Session date", "Member", "Staff", "Area", "Pre", "Post"]),
        vec![D(2026, 10, 3), s("A"), s("Ann"), s("neck"), N(6.0), N(2.0)],
    ];
    write_xlsx(&path, &[("Other", long_sheet()), ("Sessions", odd)]);
    let r = Env::new().read(&path);
    let s = &r.report.sheets[1];
    assert_eq!(
        (s.name.as_str(), s.header_row, s.rows_used, s.rows_rejected),
        ("Sessions", 1, 1, 1)
    );
    assert!(
        r.rejects
            .iter()
            .any(|x| x.sheet == "Sessions" && x.row == 3 && x.column == "date")
    );
    // The per-file override picks the sheet and its header row.
    let env = Env::toml(
        "[[input.files]]\npath = \"north/october.xlsx\"\nsheet = \"Sessions\"\nheader_row = 3\n",
    );
    let r = env.read_whole(&path);
    assert_eq!(r.report.sheets.len(), 1);
    assert_eq!((r.report.sheets[0].header_row, r.records.len()), (3, 1));
    // --header-row applies to every sheet; on Other row 3 is blank, which is said.
    let mut env = Env::toml("[input]\nsheets = [\"sessions\", \"Missing\"]\n");
    env.header_row = Some(3);
    let r = env.read(&path);
    assert_eq!(r.records.len(), 1);
    let err = r.report.error.unwrap();
    assert!(
        err.contains("there is no sheet 'Missing' in this file (it has: Other, Sessions)"),
        "{err}"
    );
}

#[test]
fn pseudonymised_therapists_on_request() {
    let env = Env::toml("[privacy]\npseudonymise_therapists = true\n");
    let r = env.read_sheets("north.xlsx", &[("Sessions", long_sheet())]);
    assert_eq!(
        r.records.get(0).therapist,
        Some(env.pseudo.therapist("Ann"))
    );
    assert!(!format!("{:?}", r.records).contains("Ann"));
}
