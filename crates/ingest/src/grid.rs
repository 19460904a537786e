//! One sheet as relief sees it: the used cells, row by row, whatever format they came from.
//!
//! xlsx sheets are read with calamine's streaming cell reader, so a sheet whose dimension claims
//! `A1:XFD1048576` costs only the cells it really has; xls and ods sheets come from calamine's
//! ranges; CSV lines are split by the `csv` crate. Text borrows from the workbook's shared
//! strings (or the CSV records) wherever it can, so turning cells into records copies nothing
//! it does not keep. The builder enforces the cell and row limits as cells arrive, so a hostile
//! sheet is refused before it can fill memory.

use crate::IngestError;
use calamine::{CellErrorType, Data, DataRef, Range};
use std::borrow::Cow;

/// A cell's value. Blank cells (and whitespace-only text) are not stored at all.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    Number(f64),
    Text(Cow<'a, str>),
    Bool(bool),
    /// A date cell: the serial number in the workbook's date system.
    Serial(f64),
    /// A duration cell (`[h]:mm`), which is never a date.
    Duration(f64),
    /// A spreadsheet error such as `#DIV/0!`.
    Error(&'static str),
}

impl Value<'_> {
    /// The cell as a therapist would read it, for rejects.
    pub(crate) fn shown(&self, is_1904: bool) -> String {
        match self {
            Value::Number(n) => relief_core::score::format_number(*n),
            Value::Text(t) => t.trim().to_string(),
            Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Value::Serial(s) => relief_core::date::from_excel_serial(*s, is_1904)
                .map(|d| d.to_string())
                .unwrap_or_else(|_| relief_core::score::format_number(*s)),
            Value::Duration(d) => relief_core::score::format_number(*d),
            Value::Error(e) => (*e).to_string(),
        }
    }
}

fn error_text(e: &CellErrorType) -> &'static str {
    match e {
        CellErrorType::Div0 => "#DIV/0!",
        CellErrorType::NA => "#N/A",
        CellErrorType::Name => "#NAME?",
        CellErrorType::Null => "#NULL!",
        CellErrorType::Num => "#NUM!",
        CellErrorType::Ref => "#REF!",
        CellErrorType::Value => "#VALUE!",
        CellErrorType::GettingData => "#DATA!",
    }
}

fn text(t: Cow<'_, str>) -> Option<Value<'_>> {
    (!t.trim().is_empty()).then_some(Value::Text(t))
}

/// Converts a streamed xlsx cell; `None` for a blank one.
pub(crate) fn from_data_ref(d: DataRef<'_>) -> Option<Value<'_>> {
    match d {
        DataRef::Empty => None,
        DataRef::Int(i) => Some(Value::Number(i as f64)),
        DataRef::Float(f) => Some(Value::Number(f)),
        DataRef::String(s) => text(Cow::Owned(s)),
        DataRef::SharedString(s) => text(Cow::Borrowed(s)),
        DataRef::Bool(b) => Some(Value::Bool(b)),
        DataRef::DateTime(dt) if dt.is_duration() => Some(Value::Duration(dt.as_f64())),
        DataRef::DateTime(dt) => Some(Value::Serial(dt.as_f64())),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => text(Cow::Owned(s)),
        DataRef::Error(e) => Some(Value::Error(error_text(&e))),
    }
}

/// Converts a cell of a calamine range (xls, ods); `None` for a blank one.
pub(crate) fn from_data(d: &Data) -> Option<Value<'_>> {
    match d {
        Data::Empty => None,
        Data::Int(i) => Some(Value::Number(*i as f64)),
        Data::Float(f) => Some(Value::Number(*f)),
        Data::String(s) => text(Cow::Borrowed(s)),
        Data::Bool(b) => Some(Value::Bool(*b)),
        Data::DateTime(dt) if dt.is_duration() => Some(Value::Duration(dt.as_f64())),
        Data::DateTime(dt) => Some(Value::Serial(dt.as_f64())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => text(Cow::Borrowed(s)),
        Data::Error(e) => Some(Value::Error(error_text(e))),
    }
}

/// The used cells of one sheet, sorted by row then column. Rows and columns count from 0.
#[derive(Debug, Default)]
pub(crate) struct Grid<'a> {
    cells: Vec<(u32, u32, Value<'a>)>,
    /// Each used row: its number and the span of its cells in `cells`.
    rows: Vec<(u32, usize, usize)>,
    /// Whether date serials count from 1904 (old Mac workbooks).
    pub is_1904: bool,
}

/// One used row of a [`Grid`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowView<'g, 'a> {
    /// 0-based row index; Excel shows `row + 1`.
    pub row: u32,
    cells: &'g [(u32, u32, Value<'a>)],
}

impl<'g, 'a> RowView<'g, 'a> {
    /// The value in column `col`, if the cell is not blank.
    pub(crate) fn get(&self, col: u32) -> Option<&'g Value<'a>> {
        self.cells
            .binary_search_by_key(&col, |c| c.1)
            .ok()
            .map(|i| &self.cells[i].2)
    }

    /// Every non-blank cell: column and value.
    pub(crate) fn cells(&self) -> impl Iterator<Item = (u32, &'g Value<'a>)> + 'g {
        self.cells.iter().map(|c| (c.1, &c.2))
    }
}

impl<'a> Grid<'a> {
    /// Every row with at least one non-blank cell, top to bottom.
    pub(crate) fn rows(&self) -> impl Iterator<Item = RowView<'_, 'a>> + '_ {
        self.rows.iter().map(|&(row, s, e)| RowView {
            row,
            cells: &self.cells[s..e],
        })
    }
}

/// Collects cells under the configured limits.
pub(crate) struct GridBuilder<'a> {
    cells: Vec<(u32, u32, Value<'a>)>,
    sorted: bool,
    max_cells: u64,
    max_rows: u64,
    distinct_rows: u64,
    sheet: String,
}

impl<'a> GridBuilder<'a> {
    pub(crate) fn new(sheet: &str, max_cells: u64, max_rows: u64) -> Self {
        GridBuilder {
            cells: Vec::new(),
            sorted: true,
            max_cells,
            max_rows,
            distinct_rows: 0,
            sheet: sheet.to_string(),
        }
    }

    /// Adds a non-blank cell.
    ///
    /// # Errors
    /// [`IngestError::TooManyCells`] or [`IngestError::TooManyRows`] once a limit is passed.
    pub(crate) fn push(&mut self, row: u32, col: u32, value: Value<'a>) -> Result<(), IngestError> {
        if self.cells.len() as u64 >= self.max_cells {
            return Err(IngestError::TooManyCells {
                where_: format!("sheet '{}'", self.sheet),
                limit: self.max_cells,
            });
        }
        match self.cells.last() {
            Some(&(r, c, _)) if (r, c) >= (row, col) => {
                self.sorted = false;
                if r != row {
                    self.distinct_rows += 1;
                }
            }
            Some(&(r, _, _)) if r == row => {}
            _ => self.distinct_rows += 1,
        }
        if self.distinct_rows > self.max_rows {
            return Err(IngestError::TooManyRows {
                sheet: self.sheet.clone(),
                limit: self.max_rows,
            });
        }
        self.cells.push((row, col, value));
        Ok(())
    }

    pub(crate) fn finish(mut self, is_1904: bool) -> Grid<'a> {
        if !self.sorted {
            // Cells out of order (rare writers, or crafted files): sort, and let the last
            // value written to a position win, as a spreadsheet program would.
            self.cells.sort_by_key(|c| (c.0, c.1));
            let mut kept: Vec<(u32, u32, Value<'a>)> = Vec::with_capacity(self.cells.len());
            for c in self.cells {
                match kept.last_mut() {
                    Some(last) if (last.0, last.1) == (c.0, c.1) => *last = c,
                    _ => kept.push(c),
                }
            }
            self.cells = kept;
        }
        let mut rows = Vec::new();
        let mut start = 0;
        for i in 1..=self.cells.len() {
            if i == self.cells.len() || self.cells[i].0 != self.cells[start].0 {
                rows.push((self.cells[start].0, start, i));
                start = i;
            }
        }
        Grid {
            cells: self.cells,
            rows,
            is_1904,
        }
    }
}

/// Builds a grid from a calamine range (xls, ods), borrowing its text.
pub(crate) fn from_range<'r>(
    range: &'r Range<Data>,
    builder: GridBuilder<'r>,
) -> Result<GridBuilder<'r>, IngestError> {
    let mut builder = builder;
    let (r0, c0) = range.start().unwrap_or((0, 0));
    for (r, c, d) in range.used_cells() {
        if let Some(v) = from_data(d) {
            builder.push(r0 + r as u32, c0 + c as u32, v)?;
        }
    }
    Ok(builder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_order_cells_are_sorted_and_the_last_write_wins() {
        let mut b = GridBuilder::new("S", 100, 100);
        b.push(2, 0, Value::Number(1.0)).unwrap();
        b.push(0, 1, Value::Number(2.0)).unwrap();
        b.push(0, 0, Value::Number(3.0)).unwrap();
        b.push(2, 0, Value::Number(4.0)).unwrap();
        let g = b.finish(false);
        let rows: Vec<_> = g.rows().map(|r| (r.row, r.cells().count())).collect();
        assert_eq!(rows, [(0, 2), (2, 1)]);
        let last = g.rows().last().unwrap();
        assert_eq!(last.get(0), Some(&Value::Number(4.0)));
        assert_eq!(last.get(5), None);
    }

    #[test]
    fn limits_are_enforced_as_cells_arrive() {
        let mut b = GridBuilder::new("S", 3, 100);
        for c in 0..3 {
            b.push(0, c, Value::Bool(true)).unwrap();
        }
        let err = b.push(1, 0, Value::Bool(true)).unwrap_err();
        assert!(err.to_string().contains("more than 3 cells"), "{err}");
        let mut b = GridBuilder::new("S", 100, 2);
        b.push(0, 0, Value::Bool(true)).unwrap();
        b.push(5, 0, Value::Bool(true)).unwrap();
        b.push(5, 1, Value::Bool(true)).unwrap();
        let err = b.push(9, 0, Value::Bool(true)).unwrap_err();
        assert!(err.to_string().contains("more than 2 rows"), "{err}");
    }
}
