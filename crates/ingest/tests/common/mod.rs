//! Helpers the reader's tests share: writing real workbooks with rust_xlsxwriter, patching parts
//! of a zip package, and reading files with a given config.

#![allow(dead_code)]

pub mod book;
mod xlsb;
#[allow(unused_imports)]
pub use xlsb::{write_xlsb, xlsb_parts, zip_parts};

use chrono::NaiveDate;
use relief_core::{Config, Vocabulary};
use relief_ingest::{FileRead, Ingested, Pseudonymizer, ReadOptions, SheetNote};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// A sheet's rows as read, used, rejected and skipped as footers.
pub fn row_counts(s: &relief_core::summary::SheetReport) -> [u64; 4] {
    [s.rows_read, s.rows_used, s.rows_rejected, s.footer_skipped]
}

/// A cell to write.
#[derive(Clone)]
pub enum C {
    /// Blank.
    E,
    S(String),
    N(f64),
    /// A date cell (yyyy, m, d).
    D(u16, u8, u8),
    /// A formula with its cached result.
    F(&'static str, &'static str),
}

pub fn s(t: &str) -> C {
    C::S(t.to_string())
}

pub fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The long layout's six needed columns, as most logs name them.
pub const LONG: [&str; 6] = ["Date", "Client", "Therapist", "Region", "Before", "After"];

/// `LONG` and one more column, for a table that also holds minutes, pressure, …
pub fn long_and(extra: &'static str) -> Vec<&'static str> {
    let mut names = LONG.to_vec();
    names.push(extra);
    names
}

/// A header row of text cells.
pub fn header(names: &[&str]) -> Vec<C> {
    names.iter().map(|h| s(h)).collect()
}

/// One long-layout session row: date, client, therapist, region, before, after.
pub fn session(
    (y, m, d): (u16, u8, u8),
    client: &str,
    therapist: &str,
    region: &str,
    before: f64,
    after: f64,
) -> Vec<C> {
    vec![
        C::D(y, m, d),
        s(client),
        s(therapist),
        s(region),
        C::N(before),
        C::N(after),
    ]
}

/// Writes an xlsx named `name` in `dir` with the given sheets; returns its path.
pub fn xlsx_in(dir: &Path, name: &str, sheets: &[(&str, Vec<Vec<C>>)]) -> PathBuf {
    let path = dir.join(name);
    write_xlsx(&path, sheets);
    path
}

/// Writes an xlsx with the given sheets; rows start at Excel row 1.
pub fn write_xlsx(path: &Path, sheets: &[(&str, Vec<Vec<C>>)]) {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    C::E => {}
                    C::S(t) => {
                        ws.write_string(r, c, t).unwrap();
                    }
                    C::N(n) => {
                        ws.write_number(r, c, *n).unwrap();
                    }
                    C::D(y, m, d) => {
                        let dt = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                        ws.write_datetime_with_format(r, c, &dt, &date).unwrap();
                    }
                    C::F(f, result) => {
                        ws.write_formula(r, c, Formula::new(*f).set_result(*result))
                            .unwrap();
                    }
                }
            }
        }
    }
    wb.save(path).unwrap();
}

/// Rewrites a zip package: `edit` may replace a part's bytes; `extra` parts are added.
pub fn rezip(path: &Path, edit: impl Fn(&str, Vec<u8>) -> Vec<u8>, extra: &[(&str, Vec<u8>)]) {
    let bytes = std::fs::read(path).unwrap();
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.start_file(name.clone(), opts).unwrap();
        out.write_all(&edit(&name, data)).unwrap();
    }
    for (name, data) in extra {
        out.start_file(name.to_string(), opts).unwrap();
        out.write_all(data).unwrap();
    }
    std::fs::write(path, out.finish().unwrap().into_inner()).unwrap();
}

/// Replaces text in one part of a zip package.
pub fn patch(path: &Path, part: &str, from: &str, to: &str) {
    rezip(
        path,
        |name, data| {
            if name == part {
                let text = String::from_utf8(data).unwrap();
                assert!(text.contains(from), "{part} has no {from:?}: {text}");
                text.replacen(from, to, 1).into_bytes()
            } else {
                data
            }
        },
        &[],
    );
}

/// Converts `input` with LibreOffice, headless, into `format` in `out`; returns the new file.
pub fn soffice(input: &Path, format: &str, out: &Path) -> PathBuf {
    let profile = format!("file://{}", out.join("profile").display());
    let status = std::process::Command::new("soffice")
        .arg(format!("-env:UserInstallation={profile}"))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            format,
            "--outdir",
        ])
        .arg(out)
        .arg(input)
        .status()
        .expect("soffice runs (apt-get install libreoffice-calc-nogui)");
    assert!(
        status.success(),
        "LibreOffice could not convert to {format}"
    );
    out.join(input.with_extension(format).file_name().unwrap())
}

/// A config, its vocabulary and a fixed key.
pub struct Env {
    pub config: Config,
    pub vocabulary: Vocabulary,
    pub pseudo: Pseudonymizer,
    pub header_row: Option<u32>,
}

impl Env {
    pub fn new() -> Env {
        Env::with(Config::default())
    }

    pub fn toml(text: &str) -> Env {
        Env::with(Config::from_toml(text).unwrap())
    }

    pub fn with(config: Config) -> Env {
        Env {
            vocabulary: Vocabulary::new(&config),
            config,
            pseudo: Pseudonymizer::new(b"test key"),
            header_row: None,
        }
    }

    pub fn opts(&self) -> ReadOptions<'_> {
        ReadOptions {
            config: &self.config,
            vocabulary: &self.vocabulary,
            pseudonymizer: &self.pseudo,
            header_row: self.header_row,
        }
    }

    pub fn read(&self, path: &Path) -> FileRead {
        let r = relief_ingest::read_file(path, &self.opts());
        assert_counts(&r);
        r
    }

    /// Reads a file that must be read without a file-level error (its rows may still be
    /// rejected); fails naming the file and the report otherwise.
    pub fn read_whole(&self, path: &Path) -> FileRead {
        let r = self.read(path);
        assert_eq!(r.report.error, None, "{}: {:?}", path.display(), r.report);
        r
    }

    /// Writes `sheets` as the xlsx `name` in a fresh temporary folder and reads it.
    pub fn read_sheets(&self, name: &str, sheets: &[(&str, Vec<Vec<C>>)]) -> FileRead {
        let dir = tempfile::tempdir().unwrap();
        self.read(&xlsx_in(dir.path(), name, sheets))
    }

    pub fn read_all(&self, paths: &[PathBuf]) -> Ingested {
        let got = relief_ingest::read_inputs(paths, &self.opts(), &|_| {});
        for f in &got.files {
            for s in &f.sheets {
                assert_eq!(
                    s.rows_read,
                    s.rows_used + s.rows_rejected + s.rows_duplicate,
                    "counting identity broken for {} / {}",
                    f.path,
                    s.name
                );
            }
        }
        let r = &got.rows;
        assert_eq!(r.read, r.used + r.rejected + r.duplicates);
        assert_eq!(r.used as usize, got.records.len());
        assert_eq!(r.rejected as usize, got.rejects.len());
        assert_eq!(r.duplicates as usize, got.duplicates.len());
        got
    }
}

/// Every sheet's counts agree with the records and rejects actually produced.
pub fn assert_counts(r: &FileRead) {
    for s in &r.report.sheets {
        let records = r
            .records
            .iter()
            .filter(|x| *x.origin.sheet == s.name)
            .count() as u64;
        let rejects = r.rejects.iter().filter(|x| x.sheet == s.name).count() as u64;
        let footers = r.footers.iter().filter(|x| x.sheet == s.name).count() as u64;
        assert_eq!(s.rows_used, records, "{}", s.name);
        assert_eq!(s.rows_rejected, rejects, "{}", s.name);
        assert_eq!(s.footer_skipped, footers, "{}", s.name);
        assert_eq!(
            s.rows_read,
            s.rows_used + s.rows_rejected + s.rows_duplicate
        );
    }
}

/// The notes of one sheet.
pub fn notes<'a>(r: &'a FileRead, sheet: &str) -> &'a [SheetNote] {
    r.notes
        .iter()
        .find(|n| n.sheet == sheet)
        .map_or(&[], |n| &n.notes)
}

/// Rejects as (row, column, value, reason), for exact comparison.
pub fn rejects(r: &FileRead) -> Vec<(u32, String, String, String)> {
    r.rejects
        .iter()
        .map(|x| {
            (
                x.row,
                x.column.clone(),
                x.value.clone(),
                x.reason.to_string(),
            )
        })
        .collect()
}

pub fn rj(row: u32, column: &str, value: &str, reason: &str) -> (u32, String, String, String) {
    (row, column.into(), value.into(), reason.into())
}

/// The reject of a region name relief does not know.
pub fn unknown_region(row: u32, column: &str, value: &str) -> (u32, String, String, String) {
    let reason = format!("unknown region '{value}' — add it under [regions] in relief.toml");
    rj(row, column, value, &reason)
}

/// The reject of a pressure word relief does not know.
pub fn unknown_pressure(row: u32, value: &str) -> (u32, String, String, String) {
    let reason = format!(
        "unknown pressure '{value}' — use light, medium, firm or deep (or 1–4), or add it under [pressure] in relief.toml"
    );
    rj(row, "pressure", value, &reason)
}
