//! `.xlsb` (Excel binary workbooks): read like xlsx, streamed cell by cell under the same
//! limits, checked against LibreOffice's reading of the same file, and refused with a reason
//! when a record would make calamine reserve more than the file holds.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

fn sessions() -> Vec<Vec<C>> {
    vec![
        header(&LONG),
        session((2026, 10, 3), "A1", "Ann", "neck", 6.0, 2.0),
        session((2026, 10, 4), "A2", "Ann", "lower back", 7.5, 3.0),
        session((2026, 10, 5), "A3", "Ben", "hips", 5.0, 11.0),
    ]
}

/// An xlsb whose first sheet is a price list and whose second holds the sessions.
fn price_list_and_sessions(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("oct.xlsb");
    write_xlsb(
        &path,
        &[
            ("Price list", vec![vec![s("Massage"), C::N(60.0)]]),
            ("Sessions", sessions()),
        ],
    );
    path
}

#[test]
fn an_xlsb_is_read_like_an_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let path = price_list_and_sessions(dir.path());
    let r = Env::new().read_whole(&path);
    assert_eq!(r.report.sheets.len(), 1);
    let sheet = &r.report.sheets[0];
    assert_eq!(
        (sheet.name.as_str(), sheet.header_row, sheet.rows_read),
        ("Sessions", 1, 3)
    );
    let got: Vec<(String, u32, String, f64, f64)> = r
        .records
        .iter()
        .map(|x| {
            (
                x.date.to_string(),
                x.origin.row,
                x.region.key().to_string(),
                x.before,
                x.after,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("2026-10-03".into(), 2, "neck".into(), 6.0, 2.0),
            ("2026-10-04".into(), 3, "lower_back".into(), 7.5, 3.0),
        ]
    );
    assert_eq!(
        rejects(&r),
        [rj(4, "after", "11", "score 11 is outside 0–10")]
    );
}

/// The same file read by LibreOffice: the sheet as CSV text.
fn libreoffice_csv(path: &Path, out: &Path) -> String {
    let status = Command::new("soffice")
        .args(["--headless", "--norestore", "--convert-to"])
        .arg("csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2")
        .arg("--outdir")
        .arg(out)
        .arg(path)
        .env("HOME", out)
        .env("LC_ALL", "C")
        .output()
        .expect("LibreOffice (soffice) is installed: .ci/run installs it");
    assert!(status.status.success(), "{status:?}");
    let name = path.file_stem().unwrap().to_string_lossy();
    // Sheet 2 of the workbook ("-Sessions" suffix when every sheet is exported).
    let sessions = out.join(format!("{name}-Sessions.csv"));
    std::fs::read_to_string(&sessions).unwrap_or_else(|e| {
        panic!(
            "{e}: {:?}",
            std::fs::read_dir(out).unwrap().collect::<Vec<_>>()
        )
    })
}

#[test]
fn libreoffice_reads_the_same_cells_from_the_xlsb() {
    let dir = tempfile::tempdir().unwrap();
    let path = price_list_and_sessions(dir.path());
    let csv = libreoffice_csv(&path, dir.path());
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "Date,Client,Therapist,Region,Before,After");
    // LibreOffice shows date cells in its locale's format (C: month first).
    assert_eq!(lines[1], "10/03/2026,A1,Ann,neck,6,2", "{csv}");
    assert_eq!(lines[2], "10/04/2026,A2,Ann,lower back,7.5,3", "{csv}");
    assert_eq!(lines[3], "10/05/2026,A3,Ben,hips,5,11", "{csv}");
    // And relief reads LibreOffice's text exactly as it reads the xlsb.
    let again = dir.path().join("again.csv");
    std::fs::write(&again, &csv).unwrap();
    let env = Env::toml("[dates]\norder = \"month-first\"\n");
    let (a, b) = (env.read(&path), env.read(&again));
    let key = |r: &relief_ingest::FileRead| -> Vec<(String, u32, f64, f64)> {
        r.records
            .iter()
            .map(|x| (x.date.to_string(), x.origin.row, x.before, x.after))
            .collect()
    };
    assert_eq!(key(&a), key(&b));
    assert_eq!(rejects(&a), rejects(&b));
}

/// Writes the sessions as an xlsb whose part `part` `edit` has changed, reads it and returns
/// the file's error.
fn error_with_part(part: &str, edit: impl FnOnce(&mut Vec<u8>)) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.xlsb");
    let mut parts = xlsb_parts(&[("Sessions", sessions())]);
    let (_, bytes) = parts.iter_mut().find(|(n, _)| n == part).unwrap();
    edit(bytes);
    std::fs::write(&path, zip_parts(&parts)).unwrap();
    Env::new().read(&path).report.error.expect("an error")
}

#[test]
fn a_record_claiming_more_than_its_part_is_refused_before_calamine_opens_it() {
    // A shared string record that says it is 256 MB long, in a part of a few hundred bytes:
    // calamine would reserve (and zero) all of it before noticing.
    let err = error_with_part("xl/sharedStrings.bin", |sst| {
        sst.extend_from_slice(&[0x13, 0xFF, 0xFF, 0xFF, 0x7F])
    });
    assert!(
        err.contains(
            "xl/sharedStrings.bin has a record of 268435455 bytes, longer than the part itself"
        ),
        "{err}"
    );
}

#[test]
fn a_styles_part_calamine_misreads_is_refused_before_it_reserves_memory() {
    // Found by fuzzing the xlsb reader: a 761-byte workbook made calamine reserve 136 MB. The
    // styles part is sound as records, but calamine reads its types without skipping bodies
    // and takes bytes inside a body for a record and its length.
    let err = error_with_part("xl/styles.bin", |styles| {
        let mut bad = vec![0x16, 0x08, 0x00, 0xE7, 0x04, 0xFF, 0xFF, 0xFF, 0x40, 0x00];
        bad.extend_from_slice(styles);
        *styles = bad;
    });
    assert_eq!(
        err,
        "the file is damaged and cannot be read (the part xl/styles.bin has a record of 136314879 bytes, longer than the part itself (100 bytes)); open it and save it again"
    );
}

#[test]
fn a_row_past_the_last_row_is_refused_instead_of_ending_the_sheet_silently() {
    let err = error_with_part("xl/worksheets/sheet1.bin", |sheet| {
        // Row header number 2 (the first data row) becomes row 5,000,000.
        let at = sheet
            .windows(5)
            .position(|w| w == [0x00, 0x11, 0x01, 0x00, 0x00])
            .expect("the second row header");
        sheet[at + 2..at + 6].copy_from_slice(&4_999_999u32.to_le_bytes());
    });
    assert!(err.contains("starts row 5000000 of a sheet"), "{err}");
}

#[test]
fn cell_and_row_limits_apply_to_xlsb_as_cells_arrive() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("oct.xlsb");
    write_xlsb(&path, &[("Sessions", sessions())]);
    let r = Env::toml("[input]\nmax_cells = 9\n").read(&path);
    assert_eq!(
        r.report.error.as_deref(),
        Some(
            "sheet 'Sessions' holds more than 9 cells, the limit (input.max_cells in relief.toml)"
        )
    );
    let r = Env::toml("[input]\nmax_rows = 2\n").read(&path);
    assert!(r.report.error.unwrap().contains("more than 2 rows"));
}

#[test]
fn an_xlsb_named_xlsx_is_still_read_and_a_folder_lists_it() {
    let dir = tempfile::tempdir().unwrap();
    write_xlsb(
        &dir.path().join("renamed.xlsx"),
        &[("Sessions", sessions())],
    );
    write_xlsb(&dir.path().join("b.XLSB"), &[("Sessions", sessions())]);
    std::fs::write(dir.path().join("c.numbers"), b"PK\x03\x04 not really").unwrap();
    let files = relief_ingest::expand_paths(&[dir.path().to_path_buf()]).unwrap();
    let got = Env::new().read_all(&files);
    let errors: Vec<(String, Option<String>)> = got
        .files
        .iter()
        .map(|f| {
            (
                Path::new(&f.path)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                f.error.clone(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            ("b.XLSB".to_string(), None),
            (
                "c.numbers".to_string(),
                Some(
                    "Apple Numbers (.numbers) files are not read; save the file as .xlsx or .csv"
                        .into()
                )
            ),
            ("renamed.xlsx".to_string(), None),
        ]
    );
    // The two workbooks hold the same sessions: counted once.
    assert_eq!((got.rows.used, got.rows.duplicates), (2, 2));
}
