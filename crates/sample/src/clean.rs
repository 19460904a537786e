//! The clean sample: plain long-layout workbooks for benchmarks.
//!
//! One header row, ISO-formatted date cells, numeric scores and minutes, canonical region and
//! pressure names, no problems. The sessions are the messy sample's sessions for the same seed
//! and session count (without its mess), split by date into `files` workbooks of about equal
//! size.
//!
//! Sessions are generated one at a time and each workbook is saved and dropped as soon as its
//! share is written, so memory follows the rows of one file, not of the whole sample. Without
//! rust_xlsxwriter's `constant_memory` feature the workbook itself keeps its cells until it is
//! saved: for millions of rows ask for more files. A sheet that would pass Excel's row limit
//! continues on a second sheet (`Sessions 2`).

use crate::model::{THERAPISTS, World};
use crate::{Manifest, SampleError, SampleOptions, write_atomic};
use chrono::Datelike;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::path::Path;

/// Data rows per sheet: Excel's 1,048,576 rows less the header.
const ROWS_PER_SHEET: u32 = 1_048_575;

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

/// One workbook being filled.
struct Book {
    sheets: Vec<Worksheet>,
    row: u32,
}

impl Book {
    fn new() -> Result<Book, XlsxError> {
        let mut book = Book {
            sheets: Vec::new(),
            row: 0,
        };
        book.add_sheet()?;
        Ok(book)
    }

    fn add_sheet(&mut self) -> Result<(), XlsxError> {
        let mut ws = Worksheet::new();
        let name = match self.sheets.len() {
            0 => "Sessions".to_string(),
            n => format!("Sessions {}", n + 1),
        };
        ws.set_name(name)?;
        ws.write_row_with_format(0, 0, HEADERS, &Format::new().set_bold())?;
        self.sheets.push(ws);
        self.row = 1;
        Ok(())
    }

    fn save(self) -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        wb.set_properties(&crate::workbook_properties());
        for ws in self.sheets {
            wb.push_worksheet(ws);
        }
        wb.save_to_buffer()
    }
}

/// Writes the clean sample.
pub(crate) fn write(out_dir: &Path, opts: &SampleOptions) -> Result<Manifest, SampleError> {
    if opts.files == 0 {
        return Err(SampleError::TooFewFiles {
            what: "the clean sample",
            needed: 1,
            got: 0,
        });
    }
    let workbook_error = |index: usize| {
        let path = out_dir.join(file_name(index, opts.files));
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
        while written >= (index + 1) * opts.sessions / opts.files && index + 1 < opts.files {
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
            if book.row > ROWS_PER_SHEET {
                book.add_sheet().map_err(workbook_error(index))?;
            }
            let row = book.row;
            let Some(ws) = book.sheets.last_mut() else {
                continue;
            };
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
    for i in index + 1..opts.files {
        finish(i, Book::new().map_err(workbook_error(i))?)?;
    }
    Ok(manifest)
}
