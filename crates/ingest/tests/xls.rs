//! Reading real old-style `.xls` workbooks (BIFF8, converted by LibreOffice from the table
//! below and committed under `tests/fixtures/`), and refusing crafted ones before calamine
//! opens them: a claimed dimension and a far cell patched into a copy of the real file, a
//! truncated copy, and a compound file whose workbook stream is garbage.
//!
//! The same table is also written as an `.xlsx` at test time, so the `.xls` path (calamine's
//! whole-workbook parse, `Int` numbers and `DateTime` dates) is checked against the streaming
//! `.xlsx` path record for record.

mod common;

use chrono::NaiveDate;
use common::*;
use relief_core::{Pressure, Region, Side};
use std::path::{Path, PathBuf};

const FIXTURE: &str = "tests/fixtures/clinic-export.xls";

fn fixture() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE)).unwrap()
}

/// The export the fixture was made from: a title, a long-layout session table with five bad
/// values, a footer, and a second sheet with no table at all.
fn table() -> Vec<(&'static str, Vec<Vec<C>>)> {
    use C::*;
    let head = [
        "Date",
        "Client ID",
        "Therapist",
        "Region",
        "Side",
        "Before",
        "After",
        "Pressure",
        "Minutes",
        "Notes",
    ];
    let mut rows = vec![
        vec![s("Riverside Massage — sessions October 2026")],
        vec![],
        head.iter().map(|h| s(h)).collect(),
    ];
    let good: [GoodRow; 12] = [
        (1, 1001.0, "Ann", "Neck", "", 7.0, 3.0, "firm", 20.0),
        (1, 1001.0, "Ann", "Shoulder", "left", 6.0, 2.0, "firm", 15.0),
        (1, 1002.0, "Ben", "Lower back", "", 8.0, 4.0, "medium", 30.0),
        (2, 1003.0, "Ann", "Upper back", "", 5.0, 2.5, "light", 25.0),
        (2, 1003.0, "Ann", "Neck", "", 6.0, 3.0, "light", 20.0),
        (3, 1001.0, "Ben", "Hips", "right", 4.0, 1.0, "deep", 15.0),
        (3, 1004.0, "Ben", "Calves", "", 6.5, 3.5, "medium", 10.0),
        (6, 1002.0, "Ann", "Lower back", "", 7.0, 5.0, "firm", 30.0),
        (6, 1005.0, "Cara", "Feet", "", 3.0, 0.0, "light", 10.0),
        (
            7, 1004.0, "Cara", "Shoulder", "right", 9.0, 6.0, "medium", 20.0,
        ),
        (8, 1003.0, "Ben", "Neck", "", 5.0, 1.0, "firm", 20.0),
        (8, 1005.0, "Cara", "Head", "", 4.0, 2.0, "light", 15.0),
    ];
    for (day, client, therapist, region, side, before, after, pressure, minutes) in good {
        rows.push(vec![
            D(2026, 10, day),
            N(client),
            s(therapist),
            s(region),
            if side.is_empty() { E } else { s(side) },
            N(before),
            N(after),
            s(pressure),
            N(minutes),
            s("regular client"),
        ]);
    }
    // Rows 16–20: one bad value each.
    rows.push(vec![
        D(2026, 10, 9),
        N(1006.0),
        s("Ann"),
        s("Neck"),
        E,
        N(11.0),
        N(4.0),
        s("firm"),
    ]);
    rows.push(vec![
        D(2026, 10, 9),
        N(1006.0),
        s("Ann"),
        s("Elbow"),
        E,
        N(5.0),
        N(4.0),
    ]);
    rows.push(vec![
        D(2026, 10, 9),
        N(1002.0),
        s("Ben"),
        s("Hips"),
        s("left"),
        N(6.0),
        E,
    ]);
    rows.push(vec![E, N(1004.0), s("Cara"), s("Neck"), E, N(6.0), N(4.0)]);
    rows.push(vec![
        D(2026, 10, 10),
        N(1001.0),
        s("Ann"),
        s("Neck"),
        E,
        N(5.0),
        N(3.0),
        s("hard as you can"),
    ]);
    rows.push(vec![s("Total"), E, E, E, E, N(105.5), N(47.0)]);
    vec![
        ("Sessions", rows),
        (
            "Read me",
            vec![
                vec![s("Exported from the booking system.")],
                vec![s("Scores are 0–10.")],
            ],
        ),
    ]
}

/// Day, client, therapist, region, side, before, after, pressure, minutes.
type GoodRow = (
    u8,
    f64,
    &'static str,
    &'static str,
    &'static str,
    f64,
    f64,
    &'static str,
    f64,
);

fn ymd(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, d).unwrap()
}

fn write_fixture_at(path: &Path) {
    write_xlsx(path, &table());
}

/// LibreOffice, converting the same table today, still makes an .xls that reads exactly like the
/// committed fixture (so the fixture is what it claims to be). Needs `soffice` (CI installs it;
/// `RELIEF_SKIP_LIBREOFFICE=1` skips). `RELIEF_UPDATE_FIXTURE=1` replaces the committed fixture
/// with the fresh conversion.
#[test]
fn the_fixture_is_what_libreoffice_makes_of_the_table() {
    if std::env::var_os("RELIEF_SKIP_LIBREOFFICE").is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("clinic-export.xlsx");
    write_fixture_at(&xlsx);
    let fresh = soffice(&xlsx, "xls", dir.path());
    if std::env::var_os("RELIEF_UPDATE_FIXTURE").is_some() {
        let out = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        std::fs::copy(&fresh, out).unwrap();
    }
    let committed = in_temp(dir.path(), "committed.xls", &fixture());
    let env = Env::new();
    let (a, b) = (env.read(&fresh), env.read(&committed));
    assert_eq!(a.records.len(), b.records.len());
    for (x, y) in a.records.iter().zip(&b.records) {
        assert_eq!(
            (x.date, &x.client, x.region, x.before, x.after),
            (y.date, &y.client, y.region, y.before, y.after)
        );
    }
    let reasons = |r: &relief_ingest::FileRead| {
        r.rejects
            .iter()
            .map(|j| j.reason.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(reasons(&a), reasons(&b));
}

fn in_temp(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn the_real_xls_gives_exactly_the_expected_records_and_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let path = in_temp(dir.path(), "clinic-export.xls", &fixture());
    let env = Env::new();
    let r = env.read_whole(&path);
    assert_eq!(r.report.sheets.len(), 1, "the 'Read me' sheet has no table");
    let sheet = &r.report.sheets[0];
    assert_eq!(
        (sheet.name.as_str(), sheet.layout.as_str(), sheet.header_row),
        ("Sessions", "long", 3)
    );
    assert_eq!(row_counts(sheet), [17, 12, 5, 1]);
    assert_eq!(r.footers.iter().map(|f| f.row).collect::<Vec<_>>(), [21]);

    // Whole numbers come back from calamine as Int, dates as DateTime: both read as written.
    let first = &r.records.get(0);
    assert_eq!(first.date, ymd(1));
    assert_eq!(first.client, env.pseudo.client("1001"));
    assert_eq!(
        (first.therapist.as_deref(), first.region, first.side),
        (Some("Ann"), Region::Neck, None)
    );
    assert_eq!(
        (first.before, first.after, first.pressure, first.minutes),
        (7.0, 3.0, Some(Pressure::Firm), Some(20.0))
    );
    assert_eq!(first.origin.row, 4);
    let calves = &r.records.get(6);
    assert_eq!(
        (calves.date, calves.before, calves.after, calves.origin.row),
        (ymd(3), 6.5, 3.5, 10)
    );
    assert_eq!(r.records.get(1).side, Some(Side::Left));
    assert_eq!(r.records.get(9).side, Some(Side::Right));
    // The sums of the table above, computed by hand.
    let before: f64 = r.records.iter().map(|x| x.before).sum();
    let after: f64 = r.records.iter().map(|x| x.after).sum();
    let minutes: f64 = r.records.iter().filter_map(|x| x.minutes).sum();
    assert_eq!((before, after, minutes), (70.5, 33.0, 230.0));
    let days: Vec<u32> = r
        .records
        .iter()
        .map(|x| x.date.format("%d").to_string().parse().unwrap())
        .collect();
    assert_eq!(days, [1, 1, 1, 2, 2, 3, 3, 6, 6, 7, 8, 8]);

    assert_eq!(
        rejects(&r),
        vec![
            rj(16, "before", "11", "score 11 is outside 0–10"),
            unknown_region(17, "region", "Elbow"),
            rj(18, "after", "", "after is blank"),
            rj(19, "date", "", "date is blank"),
            unknown_pressure(20, "hard as you can"),
        ]
    );
    let everything = format!("{:?}{:?}", r.records, r.rejects);
    for secret in ["1001", "1006", "regular client"] {
        assert!(!everything.contains(secret), "{secret} leaked");
    }
}

#[test]
fn the_xls_reads_the_same_as_the_xlsx_it_was_made_from() {
    let dir = tempfile::tempdir().unwrap();
    let xls = in_temp(dir.path(), "export.xls", &fixture());
    let xlsx = dir.path().join("export.xlsx");
    write_fixture_at(&xlsx);
    let env = Env::new();
    let (a, b) = (env.read(&xls), env.read(&xlsx));
    assert_eq!(a.records.len(), b.records.len());
    for (x, y) in a.records.iter().zip(&b.records) {
        assert_eq!(
            (x.date, &x.client, &x.therapist, x.region, x.side),
            (y.date, &y.client, &y.therapist, y.region, y.side)
        );
        assert_eq!(
            (x.before, x.after, x.pressure, x.minutes, x.origin.row),
            (y.before, y.after, y.pressure, y.minutes, y.origin.row)
        );
    }
    assert_eq!(rejects(&a), rejects(&b));
    assert_eq!(a.report.sheets, b.report.sheets);
}

/// Offsets of the records of one type in the fixture's workbook stream. LibreOffice writes the
/// stream as one contiguous run of sectors, so records can be patched in the file in place.
fn find_records(bytes: &[u8], typ: u16, stream_start: usize, stream_len: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = stream_start;
    while at + 4 <= stream_start + stream_len {
        let t = u16::from_le_bytes([bytes[at], bytes[at + 1]]);
        let len = u16::from_le_bytes([bytes[at + 2], bytes[at + 3]]) as usize;
        if t == typ {
            out.push(at);
        }
        at += 4 + len;
    }
    out
}

/// Where the workbook stream starts in the file (a BOF record of BIFF8 workbook globals) and
/// how long its records run.
fn workbook_stream(bytes: &[u8]) -> (usize, usize) {
    // BOF (09 08), length 16, version 0x0600, type 0x0005 (workbook globals).
    let bof = [0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x05, 0x00];
    let start = bytes
        .windows(bof.len())
        .position(|w| w == bof)
        .expect("a BIFF8 workbook BOF");
    // Walk to the last EOF of the last sheet: records until the bytes stop parsing as records.
    let mut at = start;
    let mut end = start;
    while at + 4 <= bytes.len() {
        let t = u16::from_le_bytes([bytes[at], bytes[at + 1]]);
        let len = u16::from_le_bytes([bytes[at + 2], bytes[at + 3]]) as usize;
        at += 4 + len;
        if t == 0x000A {
            end = at;
        }
        if t == 0 && len == 0 {
            break;
        }
    }
    (start, end - start)
}

#[test]
fn a_claimed_whole_grid_and_a_far_cell_are_refused_before_calamine_opens_the_file() {
    let mut bytes = fixture();
    let (start, len) = workbook_stream(&bytes);
    let dims = find_records(&bytes, 0x0200, start, len);
    assert!(!dims.is_empty(), "no DIMENSIONS record");
    // The first sheet's DIMENSIONS: rows 0..65536, columns 0..256.
    let d = dims[0] + 4;
    bytes[d..d + 4].copy_from_slice(&0u32.to_le_bytes());
    bytes[d + 4..d + 8].copy_from_slice(&65_536u32.to_le_bytes());
    bytes[d + 8..d + 10].copy_from_slice(&0u16.to_le_bytes());
    bytes[d + 10..d + 12].copy_from_slice(&256u16.to_le_bytes());
    let dir = tempfile::tempdir().unwrap();
    // The claim alone is within the default limits (calamine only reserves for it) ...
    let claimed = in_temp(dir.path(), "claimed.xls", &bytes);
    let r = Env::new().read_whole(&claimed);
    assert_eq!(r.records.len(), 12);
    // ... but not within a stricter cell limit.
    let err = Env::toml("[input]\nmax_cells = 1000000\n")
        .read(&claimed)
        .report
        .error
        .unwrap();
    assert_eq!(
        err,
        "sheet 'Sessions' holds more than 1000000 cells, the limit (input.max_cells in relief.toml)"
    );

    // Move the last text cell of the Sessions sheet (the one before the second sheet's
    // DIMENSIONS) to IV65536: calamine would fill a dense grid of 16.7 million cells (over
    // half a gigabyte) for a few hundred values.
    let labels = find_records(&bytes, 0x00FD, start, len);
    let last = labels.iter().filter(|&&a| a < dims[1]).max().unwrap();
    let far = last + 4;
    bytes[far..far + 2].copy_from_slice(&65_535u16.to_le_bytes());
    bytes[far + 2..far + 4].copy_from_slice(&255u16.to_le_bytes());
    let path = in_temp(dir.path(), "far.xls", &bytes);
    let r = Env::new().read(&path);
    let err = r.report.error.unwrap();
    assert!(r.records.is_empty() && r.rejects.is_empty());
    assert!(
        err.starts_with("sheet 'Sessions' spreads ")
            && err.contains(" filled cells over 65536 rows × 256 columns")
            && err.ends_with("save it as .xlsx"),
        "{err}"
    );
}

#[test]
fn a_truncated_xls_and_garbage_in_the_workbook_stream_are_clean_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = fixture();
    let env = Env::new();
    for cut in [600, bytes.len() / 2, bytes.len() - 700] {
        let path = in_temp(dir.path(), &format!("cut-{cut}.xls"), &bytes[..cut]);
        let r = env.read(&path);
        let err = r.report.error.unwrap();
        assert!(err.contains("damaged"), "cut at {cut}: {err}");
        assert!(r.records.is_empty() && r.rejects.is_empty());
    }

    // The container intact, the workbook stream overwritten with noise.
    let mut garbage = bytes.clone();
    let (start, len) = workbook_stream(&garbage);
    let mut x: u32 = 0x1234_5678;
    for b in &mut garbage[start..start + len] {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    let path = in_temp(dir.path(), "garbage.xls", &garbage);
    let r = env.read(&path);
    let err = r.report.error.unwrap();
    assert!(
        err.contains("damaged") || err.contains("reader failed"),
        "{err}"
    );
    assert!(r.records.is_empty());

    // A stream whose records parse but whose sheet points past the end.
    let mut lost = bytes.clone();
    let sheets = find_records(&lost, 0x0085, start, len);
    let at = sheets[0] + 4;
    lost[at..at + 4].copy_from_slice(&0x7FFF_FFFFu32.to_le_bytes());
    let r = env.read(&in_temp(dir.path(), "lost.xls", &lost));
    assert_eq!(
        r.report.error.as_deref(),
        Some(
            "the file is damaged and cannot be read (a sheet of the workbook points past the end of its data); open it and save it again"
        )
    );
}

#[test]
fn a_panic_inside_calamine_is_one_clean_error() {
    // calamine reads a NAME record's fourth byte without checking its length: turn the
    // 2-byte CODEPAGE record into a NAME record and it panics mid-parse. The pre-scan has no
    // reason to refuse the file, so this is caught by `catch_unwind`.
    let mut bytes = fixture();
    let (start, len) = workbook_stream(&bytes);
    let codepage = find_records(&bytes, 0x0042, start, len)[0];
    assert_eq!(bytes[codepage + 2], 2, "CODEPAGE holds two bytes");
    bytes[codepage..codepage + 2].copy_from_slice(&0x0018u16.to_le_bytes());
    let dir = tempfile::tempdir().unwrap();
    let path = in_temp(dir.path(), "panics.xls", &bytes);
    let good = in_temp(dir.path(), "good.xls", &fixture());
    let env = Env::new();
    let got = env.read_all(&[good, path]);
    let err = got.files[1].error.clone().unwrap();
    assert!(
        err.starts_with("the spreadsheet reader failed on this file (")
            && err.contains("index out of bounds")
            && err.ends_with("open it and save it again"),
        "{err}"
    );
    // The other file is read in full.
    assert_eq!(got.records.len(), 12);
    assert_eq!(got.files[0].error, None);
}
