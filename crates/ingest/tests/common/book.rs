//! Hand-kept workbooks for tests: sheets with merged ranges, hidden sheets, date, time and
//! duration cells, written with rust_xlsxwriter the way a spreadsheet program saves them.

use H::*;
use relief_ingest::FileRead;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::path::{Path, PathBuf};

/// A cell of a hand-kept sheet.
#[derive(Clone, Debug)]
pub enum H {
    /// Blank.
    E,
    S(&'static str),
    N(f64),
    /// A date cell (yyyy, m, d), shown `d mmm yyyy`.
    D(u16, u8, u8),
    /// A time-of-day cell holding minutes, shown `h:mm` (what typing `0:15` makes).
    Time(f64),
    /// A duration cell holding minutes, shown `[h]:mm`.
    Dur(f64),
}

/// One sheet: rows from Excel row 1, merged ranges (0-based, inclusive), hidden or not.
pub struct Sheet {
    pub name: &'static str,
    pub rows: Vec<Vec<H>>,
    pub merges: Vec<(u32, u16, u32, u16)>,
    pub hidden: bool,
}

pub fn sheet(name: &'static str, rows: Vec<Vec<H>>) -> Sheet {
    Sheet {
        name,
        rows,
        merges: Vec::new(),
        hidden: false,
    }
}

/// A header row of text cells.
pub fn header(names: &[&'static str]) -> Vec<H> {
    names.iter().map(|n| S(n)).collect()
}

/// How Jo Marsh's log starts: a title row, the long header with one more `column`, and Ann
/// Lee's first row with `value` in that column.
pub fn jo_log_start(column: &'static str, value: H) -> Vec<Vec<H>> {
    vec![
        vec![S("Jo Marsh — massage log")],
        header(&super::long_and(column)),
        vec![
            D(2026, 10, 3),
            S("Ann Lee"),
            S("Jo"),
            S("Neck"),
            N(6.0),
            N(3.0),
            value,
        ],
    ]
}

/// The hidden list sheet spreadsheet templates keep for drop-downs: two rows, then `more`.
pub fn lists_sheet(more: Vec<Vec<H>>) -> Sheet {
    let mut rows = vec![
        header(&["Region", "Therapist", "Technique"]),
        vec![S("Neck"), S("Jo"), S("Swedish")],
        vec![S("Lower back"), S("Mia"), S("Deep tissue")],
    ];
    rows.extend(more);
    let mut lists = sheet("Lists", rows);
    lists.hidden = true;
    lists
}

/// Writes `sheets` into a fresh folder and reads the file with the default settings.
pub fn read(sheets: &[Sheet]) -> (tempfile::TempDir, PathBuf, FileRead) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.xlsx");
    write(&path, sheets);
    let r = super::Env::new().read(&path);
    (dir, path, r)
}

/// Writes the workbook: merges first (rust_xlsxwriter writes their covered cells blank), then
/// every cell that is not blank, so a merge's value is its top-left cell's.
pub fn write(path: &Path, sheets: &[Sheet]) {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("d mmm yyyy");
    let time = Format::new().set_num_format("h:mm");
    let duration = Format::new().set_num_format("[h]:mm");
    let border = Format::new().set_border(rust_xlsxwriter::FormatBorder::Thin);
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(s.name).unwrap();
        ws.set_hidden(s.hidden);
        for &(r0, c0, r1, c1) in &s.merges {
            ws.merge_range(r0, c0, r1, c1, "", &border).unwrap();
        }
        for (r, row) in s.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    E => {}
                    S(t) => {
                        ws.write_string(r, c, *t).unwrap();
                    }
                    N(n) => {
                        ws.write_number(r, c, *n).unwrap();
                    }
                    D(y, m, d) => {
                        let dt = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                        ws.write_datetime_with_format(r, c, &dt, &date).unwrap();
                    }
                    Time(min) => {
                        ws.write_number_with_format(r, c, min / 1440.0, &time)
                            .unwrap();
                    }
                    Dur(min) => {
                        ws.write_number_with_format(r, c, min / 1440.0, &duration)
                            .unwrap();
                    }
                }
            }
        }
    }
    wb.save(path).unwrap();
}
