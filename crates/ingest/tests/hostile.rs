//! Files that cannot be read, and files built to hurt: each is one clear error with its path,
//! in bounded memory, and the other files are still read.

mod common;

use common::*;
use std::path::{Path, PathBuf};

fn good(dir: &Path) -> PathBuf {
    let row = session((2026, 10, 3), "A", "Ann", "neck", 6.0, 2.0);
    xlsx_in(dir, "good.xlsx", &[("S", vec![header(&LONG), row])])
}

/// Adds a part of `bytes` to the package at `path`.
fn pad(path: &Path, bytes: Vec<u8>) {
    rezip(path, |_, d| d, &[("xl/media/padding.bin", bytes)]);
}

fn error_of(env: &Env, path: &Path) -> String {
    let r = env.read(path);
    assert!(r.records.is_empty() && r.rejects.is_empty());
    assert!(!r.report.sha256.is_empty() || std::fs::metadata(path).is_err());
    r.report.error.expect("an error")
}

#[test]
fn unreadable_files_each_say_why_and_the_rest_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = good(d);
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(d.join("corrupt.xlsx"), &bytes[..bytes.len() / 2]).unwrap();
    std::fs::write(
        d.join("renamed.xlsx"),
        "date,client,therapist\n2026-10-03,1,Ann\n",
    )
    .unwrap();
    let mut cfb = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    cfb.resize(1536, 0);
    let mut encrypted = cfb.clone();
    for u in "EncryptedPackage".encode_utf16() {
        encrypted.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(d.join("locked.xlsx"), &encrypted).unwrap();
    // A CFB header followed by junk: calamine must fail cleanly.
    let mut junk = cfb.clone();
    junk.extend((0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    std::fs::write(d.join("junk.xls"), &junk).unwrap();
    std::fs::write(d.join("random.xls"), b"\x01\x02garbage\xff\xfe").unwrap();
    std::fs::write(d.join("empty.xlsx"), b"").unwrap();

    let env = Env::new();
    let files = relief_ingest::expand_paths(&[d.to_path_buf()]).unwrap();
    let got = env.read_all(&files);
    let errors: Vec<(String, String)> = got
        .files
        .iter()
        .filter_map(|f| {
            Some((
                Path::new(&f.path)
                    .file_name()?
                    .to_string_lossy()
                    .into_owned(),
                f.error.clone()?,
            ))
        })
        .collect();
    let error = |name: &str| {
        errors
            .iter()
            .find(|e| e.0 == name)
            .map(|e| e.1.clone())
            .unwrap_or_default()
    };
    assert!(error("corrupt.xlsx").contains("damaged"), "{errors:?}");
    assert!(
        error("renamed.xlsx").contains("plain text") && error("renamed.xlsx").contains(".csv"),
        "{errors:?}"
    );
    assert_eq!(
        error("locked.xlsx"),
        "the workbook is password-protected: open it, remove the password and save it again without one"
    );
    assert!(
        error("junk.xls").contains("damaged") || error("junk.xls").contains("reader failed"),
        "{errors:?}"
    );
    assert!(
        error("random.xls").contains("not a spreadsheet"),
        "{errors:?}"
    );
    assert_eq!(error("empty.xlsx"), "the file is empty");
    assert_eq!(errors.len(), 6, "{errors:?}");
    // The good file is read in full.
    assert_eq!(got.records.len(), 1);
    assert_eq!(got.files.len(), 7);
}

#[test]
fn a_dimension_claiming_the_whole_grid_costs_only_the_cells_present() {
    let dir = tempfile::tempdir().unwrap();
    let path = good(dir.path());
    // Claim A1:XFD1048576 and put a real cell there: a full range would be 17 billion cells.
    patch(
        &path,
        "xl/worksheets/sheet1.xml",
        "<dimension ref=\"A1:F2\"/>",
        "<dimension ref=\"A1:XFD1048576\"/>",
    );
    patch(
        &path,
        "xl/worksheets/sheet1.xml",
        "</sheetData>",
        "<row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row></sheetData>",
    );
    let r = Env::new().read_whole(&path);
    assert_eq!(r.records.len(), 1);
    // The far cell is a row with no date and no client: a footer, counted.
    assert_eq!(
        r.footers.iter().map(|f| f.row).collect::<Vec<_>>(),
        [1_048_576]
    );
}

#[test]
fn a_zip_bomb_of_a_few_kilobytes_is_refused_before_it_is_unpacked() {
    let dir = tempfile::tempdir().unwrap();
    // 40 MB of zeros packs to about 40 KB: the ratio gives it away under the default limits.
    let path = good(dir.path());
    pad(&path, vec![0u8; 40 << 20]);
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size < 100 << 10, "{size}");
    let err = error_of(&Env::new(), &path);
    assert!(
        err.contains("xl/media/padding.bin") && err.contains("zip bomb"),
        "{err}"
    );

    // 3 MB packs to a few KB; with a 2 MB unpack limit the total gives it away.
    let small = dir.path().join("small").join("good.xlsx");
    std::fs::create_dir_all(small.parent().unwrap()).unwrap();
    std::fs::copy(good(dir.path()), &small).unwrap();
    pad(&small, vec![b' '; 3 << 20]);
    assert!(std::fs::metadata(&small).unwrap().len() < 16 << 10);
    let err = error_of(&Env::toml("[input]\nmax_unzipped_mb = 2\n"), &small);
    assert_eq!(
        err,
        "the file would unpack to 3 MB, above the limit of 2 MB (input.max_unzipped_mb in relief.toml); it may be a zip bomb"
    );
}

#[test]
fn a_shared_string_count_no_file_could_hold_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let part = "xl/sharedStrings.xml";
    let text = {
        let bytes = std::fs::read(good(dir.path())).unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut z.by_name(part).unwrap(), &mut s).unwrap();
        s
    };
    let start = text.find("uniqueCount=\"").unwrap();
    let end = start + 13 + text[start + 13..].find('"').unwrap();
    let declared = &text[start..=end];
    let sst = &text[text.find("<sst").unwrap()..start];
    // The count as written, and three legal ways of writing it that a text search misses: an
    // abort on any of them would stop every later batch run.
    let padding = format!("<!--{}-->{sst}", "p".repeat(5000));
    let disguises: [(&str, String); 4] = [
        (declared, "uniqueCount=\"900000000000\"".to_string()),
        (declared, "uniqueCount = \"900000000000\"".to_string()),
        (declared, "uniqueCount\t=\t'900000000000'".to_string()),
        (sst, padding),
    ];
    for (i, (from, to)) in disguises.iter().enumerate() {
        let path = dir.path().join(format!("{i}")).join("good.xlsx");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::copy(good(dir.path()), &path).unwrap();
        if i == 3 {
            patch(&path, part, declared, "uniqueCount=\"900000000000\"");
        }
        patch(&path, part, from, to);
        let err = error_of(&Env::new(), &path);
        assert!(
            err.contains("claims 900000000000 distinct texts"),
            "{i}: {err}"
        );
    }
}

#[test]
fn cell_and_row_limits_apply() {
    let dir = tempfile::tempdir().unwrap();
    let path = good(dir.path());
    let err = error_of(&Env::toml("[input]\nmax_cells = 9\n"), &path);
    assert_eq!(
        err,
        "sheet 'S' holds more than 9 cells, the limit (input.max_cells in relief.toml)"
    );
    let err = error_of(&Env::toml("[input]\nmax_rows = 1\n"), &path);
    assert_eq!(
        err,
        "sheet 'S' has more than 1 rows, the limit (input.max_rows in relief.toml)"
    );
    let csv = dir.path().join("a.csv");
    std::fs::write(&csv, "date,client\n1,2\n3,4\n").unwrap();
    let err = error_of(&Env::toml("[input]\nmax_rows = 2\n"), &csv);
    assert!(err.contains("more than 2 rows"), "{err}");
}

#[test]
fn a_cell_reference_past_any_column_is_refused_not_wrapped_into_a_real_column() {
    // `AORKZISS` is column 5 + 3 × 2^32: arithmetic that wraps would put the cell in column E
    // (Before) and read its value there without a word. relief refuses the file instead, in
    // every build (the release profile keeps calamine's overflow checks on).
    let dir = tempfile::tempdir().unwrap();
    let path = good(dir.path());
    patch(
        &path,
        "xl/worksheets/sheet1.xml",
        "r=\"E2\"",
        "r=\"AORKZISS2\"",
    );
    let err = error_of(&Env::new(), &path);
    assert!(err.contains("it is probably damaged"), "{err}");
}
