//! The clean sample: plain long-layout workbooks for benchmarks.
//!
//! One header row, ISO-formatted date cells, numeric scores and minutes, canonical region and
//! pressure names, no problems. The sessions are the messy sample's sessions for the same seed
//! and session count (without its mess), split by date into `files` workbooks of about equal
//! size.
//!
//! Sessions are generated one at a time and each workbook is saved and dropped as soon as its
//! share is written, so memory follows the rows of one file, not of the whole sample. Without
//! rust_xlsxwriter's `constant_memory` feature a workbook keeps its cells until it is saved
//! (about 1.3 KB per row), so no file holds more than [`MAX_SESSIONS_PER_FILE`] sessions: larger
//! samples get more files than asked for. That also keeps every sheet under Excel's row limit
//! (at most nine region rows per session).

use crate::model::{THERAPISTS, World};
use crate::{Manifest, SampleError, SampleOptions, write_atomic};
use chrono::Datelike;
use rust_xlsxwriter::{ExcelDateTime, Format, Worksheet, XlsxError};
use std::path::Path;

/// Sessions per clean file at most: about 360,000 rows and 0.5 GB while the file is built.
pub const MAX_SESSIONS_PER_FILE: usize = 100_000;

/// Column headers of the clean layout.
pub(crate) const HEADERS: [&str; 10] = [
    "Date",
    "Client",
    "Therapist",
    "Region",
    "Before",
    "After",
    "Pressure",
    "Minutes",
    "Focus",
    "Technique",
];

/// File name of clean file `index` (0-based), numbered so names sort in date order.
pub(crate) fn file_name(index: usize, files: usize) -> String {
    let width = files.to_string().len().max(3);
    format!("sessions-{:0width$}.xlsx", index + 1)
}

/// One workbook being filled: a single `Sessions` sheet with its header.
struct Book {
    sheet: Worksheet,
    row: u32,
}

impl Book {
    fn new() -> Result<Book, XlsxError> {
        let mut sheet = Worksheet::new();
        sheet.set_name("Sessions")?;
        sheet.write_row_with_format(0, 0, HEADERS, &Format::new().set_bold())?;
        Ok(Book { sheet, row: 1 })
    }

    fn save(self) -> Result<Vec<u8>, XlsxError> {
        let mut wb = crate::new_workbook();
        wb.push_worksheet(self.sheet);
        wb.save_to_buffer()
    }
}

/// Writes the clean sample.
pub(crate) fn write(out_dir: &Path, opts: &SampleOptions) -> Result<Manifest, SampleError> {
    write_capped(out_dir, opts, MAX_SESSIONS_PER_FILE)
}

/// Writes the clean sample with at most `cap` sessions per file.
fn write_capped(out_dir: &Path, opts: &SampleOptions, cap: usize) -> Result<Manifest, SampleError> {
    if opts.files == 0 {
        return Err(SampleError::TooFewFiles {
            what: "the clean sample",
            needed: 1,
            got: 0,
        });
    }
    let files = opts.files.max(opts.sessions.div_ceil(cap.max(1)));
    let workbook_error = |index: usize| {
        let path = out_dir.join(file_name(index, files));
        move |source| SampleError::Workbook { path, source }
    };
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let mut manifest = Manifest::default();
    let mut index = 0;
    let mut book = Book::new().map_err(workbook_error(0))?;
    let mut finish = |index: usize, book: Book| -> Result<(), SampleError> {
        let bytes = book.save().map_err(workbook_error(index))?;
        manifest.files.push(write_atomic(
            out_dir,
            &file_name(index, opts.files),
            &bytes,
        )?);
        Ok(())
    };
    for (written, session) in World::new(opts.seed, opts.sessions, 3).enumerate() {
        // File `index` holds sessions [index·n/files, (index+1)·n/files).
        while written >= (index + 1) * opts.sessions / files && index + 1 < files {
            finish(
                index,
                std::mem::replace(&mut book, Book::new().map_err(workbook_error(index + 1))?),
            )?;
            index += 1;
        }
        let d = session.date;
        let date = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
            .map_err(workbook_error(index))?;
        let client = format!("C-{}", 40001 + session.client);
        for r in &session.rows {
            let (ws, row) = (&mut book.sheet, book.row);
            (|| -> Result<(), XlsxError> {
                ws.write_datetime_with_format(row, 0, &date, &date_fmt)?;
                ws.write_string(row, 1, &client)?;
                ws.write_string(row, 2, THERAPISTS[session.therapist].0)?;
                ws.write_string(row, 3, r.region.label())?;
                ws.write_number(row, 4, r.before)?;
                ws.write_number(row, 5, r.after)?;
                ws.write_string(row, 6, session.pressure.key())?;
                ws.write_number(row, 7, f64::from(r.minutes))?;
                ws.write_string(row, 8, if r.focus { "yes" } else { "no" })?;
                ws.write_string(row, 9, session.technique)?;
                Ok(())
            })()
            .map_err(workbook_error(index))?;
            book.row += 1;
        }
    }
    finish(index, book)?;
    // Files that got no sessions (more files than sessions) still exist, with their header.
    for i in index + 1..files {
        finish(i, Book::new().map_err(workbook_error(i))?)?;
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_too_big_for_the_asked_files_gets_more_files_of_at_most_cap_sessions() {
        let dir = tempfile::tempdir().unwrap();
        let opts = SampleOptions {
            clean: true,
            sessions: 230,
            files: 2,
            ..SampleOptions::default()
        };
        let m = write_capped(dir.path(), &opts, 100).unwrap();
        let names: Vec<String> = m
            .files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "sessions-001.xlsx",
                "sessions-002.xlsx",
                "sessions-003.xlsx"
            ]
        );
    }

    #[test]
    fn file_names_sort_in_order() {
        assert_eq!(file_name(0, 3), "sessions-001.xlsx");
        assert_eq!(file_name(1233, 1234), "sessions-1234.xlsx");
        assert!(file_name(8, 1234) < file_name(99, 1234));
    }
}
