//! Reading a written workbook back with calamine, as the workbook tests do: open it, take a
//! sheet, a cell, the headers of the sheet's table; and checking a sentence says what it must.
//! (Each test file uses its part of it.)
#![allow(dead_code)]

use calamine::{Data, Range, Reader, Xlsx, open_workbook};
use std::path::Path;

/// A written workbook, opened with calamine.
pub type Book = Xlsx<std::io::BufReader<std::fs::File>>;

/// Row (0-based) of every table header, as the crate documents it.
pub const HEADER: u32 = 3;

pub fn open(path: &Path) -> Book {
    open_workbook(path).unwrap_or_else(|e| panic!("{} opens: {e}", path.display()))
}

pub fn sheet(book: &mut Book, name: &str) -> Range<Data> {
    book.worksheet_range(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"))
}

pub fn cell(range: &Range<Data>, row: u32, col: u32) -> Data {
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

/// The headers of the table on `range`, left to right up to the first blank.
pub fn headers(range: &Range<Data>) -> Vec<String> {
    (0..40)
        .map(|c| match cell(range, HEADER, c) {
            Data::String(s) => s,
            _ => String::new(),
        })
        .take_while(|s| !s.is_empty())
        .collect()
}

/// Fails, naming the missing part, unless `text` contains every one of `wants`.
pub fn assert_says(text: &str, wants: &[&str]) {
    for want in wants {
        assert!(text.contains(want), "{text}\n lacks {want:?}");
    }
}
