//! One sheet as relief sees it: the used cells, row by row, whatever format they came from.
//!
//! xlsx sheets are read with calamine's streaming cell reader, so a sheet whose dimension claims
//! `A1:XFD1048576` costs only the cells it really has; xls and ods sheets come from calamine's
//! ranges; CSV lines are split by the `csv` crate. Text borrows from the workbook's shared
//! strings (or the CSV records) wherever it can, so turning cells into records copies nothing
//! it does not keep. The builder enforces the cell and row limits as cells arrive, so a hostile
//! sheet is refused before it can fill memory.
//!
//! Merged cells are resolved here, before the header is looked for (SPEC §2.9): every blank cell
//! of a merged range reads as the range's top-left value, within the sheet's used cells only —
//! rows that hold a value, between the first and last column that hold one — so a range that
//! claims the whole sheet fills nothing beyond them.

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
            Value::Serial(s) if (0.0..1.0).contains(s) => clock(*s),
            Value::Serial(s) => relief_core::date::from_excel_serial(*s, is_1904)
                .map(|d| d.to_string())
                .unwrap_or_else(|_| relief_core::score::format_number(*s)),
            Value::Duration(d) => clock(*d),
            Value::Error(e) => (*e).to_string(),
        }
    }
}

/// A fraction of a day as a clock shows it: `0:15`, `15:00`, `1:02:30` (hours may pass 24).
fn clock(days: f64) -> String {
    if !days.is_finite() || days < 0.0 {
        return relief_core::score::format_number(days);
    }
    let seconds = (days * 86_400.0).round() as u64;
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if s == 0 {
        format!("{h}:{m:02}")
    } else {
        format!("{h}:{m:02}:{s:02}")
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
    // Whitespace-only is blank; stops at the first other character (trimming looked at both ends).
    t.chars()
        .any(|c| !c.is_whitespace())
        .then_some(Value::Text(t))
}

/// An ISO 8601 duration (how OpenDocument stores a time cell, `PT0H15M0S`) as a duration cell,
/// so it reads and shows like Excel's (`0:15`); other text stays text.
fn iso_duration(t: Cow<'_, str>) -> Option<Value<'_>> {
    match relief_core::duration::iso_duration(t.trim()) {
        Some(minutes) => Some(Value::Duration(minutes / 1440.0)),
        None => text(t),
    }
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
        DataRef::DurationIso(s) => iso_duration(Cow::Owned(s)),
        DataRef::DateTimeIso(s) => text(Cow::Owned(s)),
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
        Data::DurationIso(s) => iso_duration(Cow::Borrowed(s)),
        Data::DateTimeIso(s) => text(Cow::Borrowed(s)),
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

/// A merged range, 0-based and inclusive, as the workbook declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MergedRange {
    pub first_row: u32,
    pub first_col: u32,
    pub last_row: u32,
    pub last_col: u32,
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

impl<'a> Grid<'a> {
    /// The same grid owning its text, so the workbook it borrowed from can be used again
    /// (to load the sheet's merged ranges).
    pub(crate) fn into_owned(self) -> Grid<'static> {
        let cells = self
            .cells
            .into_iter()
            .map(|(r, c, v)| {
                let v = match v {
                    Value::Text(t) => Value::Text(Cow::Owned(t.into_owned())),
                    Value::Number(n) => Value::Number(n),
                    Value::Bool(b) => Value::Bool(b),
                    Value::Serial(s) => Value::Serial(s),
                    Value::Duration(d) => Value::Duration(d),
                    Value::Error(e) => Value::Error(e),
                };
                (r, c, v)
            })
            .collect();
        Grid {
            cells,
            rows: self.rows,
            is_1904: self.is_1904,
        }
    }

    /// The value at a position, if the cell is not blank.
    pub(crate) fn get(&self, row: u32, col: u32) -> Option<&Value<'a>> {
        self.cells
            .binary_search_by_key(&(row, col), |c| (c.0, c.1))
            .ok()
            .map(|i| &self.cells[i].2)
    }

    /// The first and last column that hold a value.
    fn column_span(&self) -> Option<(u32, u32)> {
        let first = self.rows.iter().map(|&(_, s, _)| self.cells[s].1).min()?;
        let last = self
            .rows
            .iter()
            .map(|&(_, _, e)| self.cells[e - 1].1)
            .max()?;
        Some((first, last))
    }

    /// Gives every blank cell of each merged range the range's top-left value, within the used
    /// cells (rows that hold a value, columns between the first and last that hold one).
    /// Returns the ranges that filled at least one cell, in the order given.
    ///
    /// # Errors
    /// [`IngestError::TooManyCells`] when the filled cells, or the positions the ranges cover,
    /// pass the cell limit (a hostile file declaring huge or countless merges).
    pub(crate) fn fill_merges(
        &mut self,
        merges: &[MergedRange],
        max_cells: u64,
        sheet: &str,
    ) -> Result<Vec<MergedRange>, IngestError> {
        let Some((col_min, col_max)) = self.column_span() else {
            return Ok(Vec::new());
        };
        let too_many = || IngestError::TooManyCells {
            where_: format!("sheet '{sheet}' (with its merged cells)"),
            limit: max_cells,
        };
        let mut extra: Vec<(u32, u32, Value<'a>)> = Vec::new();
        let mut filled = Vec::new();
        // Positions looked at, filled or not: bounded too, so countless overlapping ranges
        // over full rows cannot turn into a long loop.
        let mut visited: u64 = 0;
        for m in merges {
            let (c0, c1) = (m.first_col.max(col_min), m.last_col.min(col_max));
            if m.first_row > m.last_row || c0 > c1 {
                continue;
            }
            let Some(value) = self.get(m.first_row, m.first_col).cloned() else {
                continue;
            };
            let start = self.rows.partition_point(|r| r.0 < m.first_row);
            let before = extra.len();
            for &(row, s, e) in self.rows[start..].iter().take_while(|r| r.0 <= m.last_row) {
                let cells = &self.cells[s..e];
                visited += u64::from(c1 - c0 + 1);
                if visited > max_cells.saturating_mul(2) {
                    return Err(too_many());
                }
                for col in c0..=c1 {
                    if cells.binary_search_by_key(&col, |c| c.1).is_err() {
                        extra.push((row, col, value.clone()));
                    }
                }
                if (self.cells.len() + extra.len()) as u64 > max_cells {
                    return Err(too_many());
                }
            }
            if extra.len() > before {
                filled.push(*m);
            }
        }
        if extra.is_empty() {
            return Ok(filled);
        }
        // Overlapping ranges (only in broken files): the first range to claim a cell keeps it.
        extra.sort_by_key(|c| (c.0, c.1));
        extra.dedup_by_key(|c| (c.0, c.1));
        let mut cells = Vec::with_capacity(self.cells.len() + extra.len());
        let mut old = std::mem::take(&mut self.cells).into_iter().peekable();
        let mut new = extra.into_iter().peekable();
        loop {
            let take_old = match (old.peek(), new.peek()) {
                (Some(a), Some(b)) => (a.0, a.1) < (b.0, b.1),
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let next = if take_old { old.next() } else { new.next() };
            cells.extend(next);
        }
        self.cells = cells;
        self.rows = row_spans(&self.cells);
        Ok(filled)
    }
}

/// Each used row: its number and the span of its cells.
fn row_spans(cells: &[(u32, u32, Value<'_>)]) -> Vec<(u32, usize, usize)> {
    let mut rows = Vec::new();
    let mut start = 0;
    for i in 1..=cells.len() {
        if i == cells.len() || cells[i].0 != cells[start].0 {
            rows.push((cells[start].0, start, i));
            start = i;
        }
    }
    rows
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
        Grid {
            rows: row_spans(&self.cells),
            cells: self.cells,
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

    fn grid(cells: &[(u32, u32, f64)]) -> Grid<'static> {
        let mut b = GridBuilder::new("S", 1000, 1000);
        for &(r, c, v) in cells {
            b.push(r, c, Value::Number(v)).unwrap();
        }
        b.finish(false)
    }

    fn merged(first_row: u32, first_col: u32, last_row: u32, last_col: u32) -> MergedRange {
        MergedRange {
            first_row,
            first_col,
            last_row,
            last_col,
        }
    }

    #[test]
    fn merged_ranges_fill_their_blank_cells_with_the_top_left_value() {
        // A1 merged down A1:A3 over rows that have other cells; row 4 (index 3) is blank.
        let mut g = grid(&[
            (0, 0, 7.0),
            (0, 1, 1.0),
            (1, 1, 2.0),
            (2, 1, 3.0),
            (4, 1, 5.0),
        ]);
        let filled = g.fill_merges(&[merged(0, 0, 4, 0)], 1000, "S").unwrap();
        assert_eq!(filled, [merged(0, 0, 4, 0)]);
        for r in [0, 1, 2, 4] {
            assert_eq!(g.get(r, 0), Some(&Value::Number(7.0)), "row {r}");
        }
        // A blank row stays blank: it is not a used row.
        assert_eq!(g.get(3, 0), None);
        assert_eq!(g.rows().count(), 4);
    }

    #[test]
    fn a_range_claiming_the_whole_sheet_fills_only_the_used_cells() {
        let mut g = grid(&[(0, 0, 1.0), (0, 2, 9.0), (5, 1, 2.0)]);
        let whole = merged(0, 0, 1_048_575, 16_383);
        g.fill_merges(&[whole], 1000, "S").unwrap();
        // Used rows 0 and 5, used columns 0–2: six cells, nothing else.
        let cells: Vec<(u32, u32)> = g
            .rows()
            .flat_map(|r| r.cells().map(move |(c, _)| (r.row, c)).collect::<Vec<_>>())
            .collect();
        assert_eq!(cells, [(0, 0), (0, 1), (0, 2), (5, 0), (5, 1), (5, 2)]);
        // Values already there are kept.
        assert_eq!(g.get(0, 2), Some(&Value::Number(9.0)));
        assert_eq!(g.get(5, 1), Some(&Value::Number(2.0)));
        assert_eq!(g.get(5, 0), Some(&Value::Number(1.0)));
    }

    #[test]
    fn merges_count_against_the_cell_limit() {
        let mut b = GridBuilder::new("S", 10, 1000);
        for r in 0..8 {
            b.push(r, 0, Value::Number(1.0)).unwrap();
        }
        b.push(0, 5, Value::Number(1.0)).unwrap();
        let mut g = b.finish(false);
        let err = g.fill_merges(&[merged(0, 5, 7, 5)], 10, "S").unwrap_err();
        assert!(err.to_string().contains("merged cells"), "{err}");
    }

    #[test]
    fn time_cells_show_as_a_clock() {
        assert_eq!(Value::Serial(15.0 / 1440.0).shown(false), "0:15");
        assert_eq!(Value::Serial(0.625).shown(false), "15:00");
        assert_eq!(Value::Duration(1.5 / 24.0).shown(false), "1:30");
        assert_eq!(
            Value::Duration(26.0 / 24.0 + 1.0 / 86400.0).shown(false),
            "26:00:01"
        );
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
