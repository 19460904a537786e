//! The ods pre-check: one streaming pass over `content.xml`, with the XML parser calamine uses,
//! that refuses what calamine cannot read safely before calamine sees it.
//!
//! calamine reads an ods by building every sheet as a full rectangle in memory. It expands
//! `table:number-rows-repeated` and `table:number-columns-repeated` into copies, fills the
//! blank rows *between* data rows with blank cells, clones the sheet once more when it is
//! asked for, and quietly stops at row 1,048,576 — so one data row repeated a billion times
//! costs gigabytes and loses the rows below it without a word. It also loops for ever when
//! the XML ends inside a table. This pass follows calamine's reading rules (which elements
//! are rows and cells, which cells hold a value, how repeats are capped), counts what that
//! expansion would hold, and refuses, each with its own reason:
//! - XML that is not well-formed or ends inside an element (calamine may never return);
//! - a row holding data that is repeated past the rows a sheet can have, or that lies below
//!   them (calamine would cut it silently);
//! - more cells holding data than `input.max_cells`;
//! - a sheet whose repeats would take far more memory than its XML (an .xls-style "sparse"
//!   file: the remedy is the same, save it as .xlsx, which is read cell by cell).
//!
//! Trailing blank rows, however often repeated, cost nothing here or in calamine: LibreOffice
//! writes them on every sheet.

use crate::IngestError;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::io::BufRead;

/// Rows and columns a spreadsheet can have; calamine caps repeats at the same numbers.
pub(crate) const MAX_ROWS: u64 = 1_048_576;
const MAX_COLUMNS: u64 = 16_384;

/// Memory calamine spends per cell of a sheet's rectangle: the value (32 bytes) and formula
/// (24) ranges, and the value range cloned once when the sheet is asked for (32).
const RECT_CELL_BYTES: u64 = 88;
/// Per cell of a row as read, before rows are expanded: value and formula, with room for the
/// vectors' growth.
const ROW_CELL_BYTES: u64 = 112;
/// Per cell relief keeps in its own grid.
const GRID_CELL_BYTES: u64 = 40;
/// Per text copy: the allocation's own overhead.
const TEXT_OVERHEAD: u64 = 32;
/// Repeats may always cost this much memory...
const MEMORY_FLOOR: u64 = 192 << 20;
/// ...and beyond it, at most this many times the XML of the sheets' rows and cells. Sheets
/// written out cell by cell cost 2–8 times that XML; only repeats go further. Bytes outside
/// the rows (comments, padding, styles) do not count, so padding cannot raise the allowance.
const MEMORY_PER_XML_BYTE: u64 = 16;

/// What the pass checks against.
pub(crate) struct OdsLimits {
    pub max_rows: u64,
    pub max_cells: u64,
}

/// Checks `content.xml` (see the module docs).
///
/// # Errors
/// [`IngestError::Corrupt`], [`IngestError::RepeatedRow`], [`IngestError::TooManyRows`],
/// [`IngestError::TooManyCells`] or [`IngestError::RepetitiveOds`], each naming the sheet.
pub(crate) fn check_content(content: impl BufRead, limits: &OdsLimits) -> Result<(), IngestError> {
    let mut reader = Reader::from_reader(content);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.trim_text(false);
    config.expand_empty_elements = true;
    let mut scan = Scan {
        limits,
        table_bytes: 0,
        worst: None,
        depth: 0,
        table: None,
        row: None,
        cell: None,
        skip_to: None,
        valued: 0,
        memory: 0,
    };
    let mut buf = Vec::with_capacity(4096);
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            IngestError::Corrupt(format!("its content is not well-formed XML: {e}"))
        })?;
        let in_table = scan.table.is_some();
        let bytes = match event {
            Event::Start(e) => {
                scan.depth += 1;
                scan.start(&e)?;
                e.len() + 2
            }
            Event::End(e) => {
                scan.end(e.name().0)?;
                scan.depth = scan.depth.saturating_sub(1);
                e.len() + 3
            }
            Event::Text(t) => {
                scan.text(t.len() as u64);
                t.len()
            }
            Event::GeneralRef(r) => {
                scan.text(4);
                r.len() + 2
            }
            Event::Eof => break,
            _ => 0,
        };
        if in_table {
            scan.table_bytes = scan.table_bytes.saturating_add(bytes as u64);
        }
        buf.clear();
    }
    if scan.depth != 0 || scan.table.is_some() {
        let which = scan
            .table
            .as_ref()
            .map_or_else(String::new, |t| format!(" inside sheet '{}'", t.name));
        return Err(IngestError::Corrupt(format!(
            "its content ends{which} before the XML is closed; the file was cut short"
        )));
    }
    // Checked at the end, against the XML of every sheet: a big gap early in a file that goes
    // on to hold much data is as proportionate as the same data without the gap.
    let budget = MEMORY_FLOOR.max(scan.table_bytes.saturating_mul(MEMORY_PER_XML_BYTE));
    match scan.worst {
        Some((sheet, _)) if scan.memory > budget => Err(IngestError::RepetitiveOds {
            sheet,
            memory_mb: scan.memory >> 20,
        }),
        _ => Ok(()),
    }
}

/// The named table calamine is reading (its `read_table`).
struct Table {
    name: String,
    /// Rows so far, blank or not, repeats counted and capped as calamine caps them.
    total_rows: u64,
    /// Rows holding data, repeats counted.
    data_rows: u64,
    /// The rectangle calamine builds: first and one-past-last row holding data, and columns.
    first: Option<u64>,
    end: u64,
    col_min: u64,
    col_max: u64,
    /// Cells of rows as read, before rows are expanded.
    row_cells: u64,
    /// Text bytes: in the rectangle (copied per repeat) and in rows as read.
    rect_text: u64,
    row_text: u64,
    /// Cells holding data, repeats counted.
    valued: u64,
}

impl Table {
    /// What calamine (and relief's grid) would spend on this table so far.
    fn memory(&self) -> u64 {
        let rect = match self.first {
            Some(first) => (self.end - first).saturating_mul(self.col_max - self.col_min + 1),
            None => 0,
        };
        rect.saturating_mul(RECT_CELL_BYTES)
            .saturating_add(self.row_cells.saturating_mul(ROW_CELL_BYTES))
            .saturating_add(self.valued.saturating_mul(GRID_CELL_BYTES))
            .saturating_add(self.rect_text.saturating_mul(2))
            .saturating_add(self.row_text)
    }
}

/// A row being read (calamine's `read_row`).
struct Row {
    depth: usize,
    /// Its first row number (0-based), and how often it repeats: as written and as capped.
    start: u64,
    repeats: u64,
    capped: u64,
    /// Cells pushed so far, and blank cells waiting to be pushed before the next value.
    len: u64,
    pending_blank: u64,
    /// Columns of the first and last cell holding data.
    first: Option<u64>,
    last: u64,
    valued: u64,
    text: u64,
}

/// A string cell whose value is its text content.
struct TextCell {
    repeats: u64,
    len: u64,
    paragraphs: u64,
    /// Depth of an `office:annotation` being skipped (a comment, not the value).
    annotation: Option<usize>,
}

struct Scan<'l> {
    limits: &'l OdsLimits,
    /// Bytes of XML inside the sheets' tables.
    table_bytes: u64,
    /// The sheet that would cost the most memory, and how much.
    worst: Option<(String, u64)>,
    depth: usize,
    table: Option<Table>,
    row: Option<Row>,
    cell: Option<TextCell>,
    /// Skipping a cell's content, up to the end of the element at this depth.
    skip_to: Option<usize>,
    /// Cells holding data in the whole file, repeats counted.
    valued: u64,
    /// Memory of the tables already read.
    memory: u64,
}

impl Scan<'_> {
    fn start(&mut self, e: &BytesStart<'_>) -> Result<(), IngestError> {
        if self.skip_to.is_some() {
            return Ok(());
        }
        let name = e.name().0;
        if let Some(cell) = &mut self.cell {
            match (cell.annotation, name) {
                (Some(_), _) => {}
                (None, "office:annotation") => cell.annotation = Some(self.depth),
                (None, "text:p") => {
                    cell.paragraphs += 1;
                    if cell.paragraphs > 1 {
                        cell.len += 1;
                    }
                }
                (None, "text:s") => {
                    let spaces = number(attr(e, "text:c").as_deref()).unwrap_or(1);
                    cell.len = cell.len.saturating_add(spaces);
                }
                (None, "text:tab" | "text:line-break") => cell.len += 1,
                _ => {}
            }
            return Ok(());
        }
        if self.row.is_some() {
            if matches!(name, "table:table-cell" | "table:covered-table-cell") {
                self.cell_start(e);
            }
            return Ok(());
        }
        if let Some(table) = &mut self.table {
            if name == "table:table-row" {
                let repeats = number(attr(e, "table:number-rows-repeated").as_deref()).unwrap_or(1);
                let capped = repeats.min(MAX_ROWS.saturating_sub(table.total_rows));
                self.row = Some(Row {
                    depth: self.depth,
                    start: table.total_rows,
                    repeats,
                    capped,
                    len: 0,
                    pending_blank: 0,
                    first: None,
                    last: 0,
                    valued: 0,
                    text: 0,
                });
                table.total_rows += capped;
            }
            return Ok(());
        }
        if name == "table:table"
            && let Some(sheet) = attr(e, "table:name")
        {
            self.table = Some(Table {
                name: sheet,
                total_rows: 0,
                data_rows: 0,
                first: None,
                end: 0,
                col_min: u64::MAX,
                col_max: 0,
                row_cells: 0,
                rect_text: 0,
                row_text: 0,
                valued: 0,
            });
        }
        Ok(())
    }

    fn end(&mut self, name: &str) -> Result<(), IngestError> {
        if let Some(skip) = self.skip_to {
            if self.depth == skip {
                self.skip_to = None;
            }
            return Ok(());
        }
        if let Some(cell) = &mut self.cell {
            if cell.annotation == Some(self.depth) {
                cell.annotation = None;
            } else if cell.annotation.is_none()
                && matches!(name, "table:table-cell" | "table:covered-table-cell")
            {
                // calamine takes the first cell end it meets as the end of the text.
                let (repeats, len) = (cell.repeats, cell.len);
                self.cell = None;
                self.push_cell(true, repeats, len);
            }
            return Ok(());
        }
        if let Some(row) = &self.row {
            if name == "table:table-row" && self.depth >= row.depth {
                self.row_end()?;
            }
            return Ok(());
        }
        if name == "table:table"
            && let Some(table) = self.table.take()
        {
            let memory = table.memory();
            self.memory = self.memory.saturating_add(memory);
            if self.worst.as_ref().is_none_or(|w| memory > w.1) {
                self.worst = Some((table.name, memory));
            }
        }
        Ok(())
    }

    fn text(&mut self, len: u64) {
        if self.skip_to.is_none()
            && let Some(cell) = &mut self.cell
            && cell.annotation.is_none()
        {
            cell.len = cell.len.saturating_add(len);
        }
    }

    /// A cell's attributes, read as calamine reads them: the first value attribute wins.
    fn cell_start(&mut self, e: &BytesStart<'_>) {
        let repeats = number(attr(e, "table:number-columns-repeated").as_deref()).unwrap_or(1);
        let (mut value_set, mut is_string, mut is_error) = (false, false, false);
        let (mut text_len, mut formula, mut empty_string) = (0u64, false, false);
        for (key, value) in raw_attrs(e) {
            match key {
                "office:value" | "office:boolean-value" if !value_set => value_set = true,
                "office:string-value" | "office:date-value" | "office:time-value" if !value_set => {
                    value_set = true;
                    text_len = value.len() as u64;
                    empty_string = key == "office:string-value" && value.is_empty();
                }
                "office:value-type" if !value_set => is_string = value == "string",
                "calcext:value-type" => is_error = value == "error",
                "table:formula" => formula = !value.is_empty(),
                _ => {}
            }
        }
        // An error cell's empty string value is replaced by its text, as LibreOffice writes it.
        let content_is_value = (!value_set && is_string) || (is_error && empty_string);
        if content_is_value {
            self.cell = Some(TextCell {
                repeats,
                len: 0,
                paragraphs: 0,
                annotation: None,
            });
        } else {
            self.skip_to = Some(self.depth);
            self.push_cell(value_set || formula, repeats, text_len);
        }
    }

    /// calamine's `read_row` for one cell: blanks wait until a value follows them; a row never
    /// passes [`MAX_COLUMNS`].
    fn push_cell(&mut self, valued: bool, repeats: u64, text_len: u64) {
        let Some(row) = &mut self.row else { return };
        let blank = row.pending_blank.min(MAX_COLUMNS - row.len);
        row.len += blank;
        row.pending_blank = 0;
        let capped = repeats.min(MAX_COLUMNS - row.len);
        if !valued {
            row.pending_blank = capped;
            return;
        }
        if capped == 0 {
            return;
        }
        row.first.get_or_insert(row.len);
        row.len += capped;
        row.last = row.len - 1;
        row.valued += capped;
        if text_len > 0 {
            row.text = row
                .text
                .saturating_add((text_len + TEXT_OVERHEAD).saturating_mul(capped));
        }
    }

    fn row_end(&mut self) -> Result<(), IngestError> {
        let (Some(row), Some(table)) = (self.row.take(), &mut self.table) else {
            return Ok(());
        };
        table.row_cells = table.row_cells.saturating_add(row.len);
        table.row_text = table.row_text.saturating_add(row.text);
        let Some(first_col) = row.first else {
            return Ok(());
        };
        let shown = row.start + 1;
        if row.start >= MAX_ROWS {
            return Err(IngestError::DataBelowLastRow {
                sheet: table.name.clone(),
                limit: MAX_ROWS,
            });
        }
        if row.capped < row.repeats {
            return Err(IngestError::RepeatedRow {
                sheet: table.name.clone(),
                row: shown,
                repeats: row.repeats,
                limit: format!("the {MAX_ROWS} rows a sheet can have"),
            });
        }
        table.data_rows = table.data_rows.saturating_add(row.capped);
        if table.data_rows > self.limits.max_rows {
            if row.repeats > 1 {
                return Err(IngestError::RepeatedRow {
                    sheet: table.name.clone(),
                    row: shown,
                    repeats: row.repeats,
                    limit: format!(
                        "the limit of {} rows (input.max_rows in relief.toml)",
                        self.limits.max_rows
                    ),
                });
            }
            return Err(IngestError::TooManyRows {
                sheet: table.name.clone(),
                limit: self.limits.max_rows,
            });
        }
        table.first.get_or_insert(row.start);
        table.end = row.start + row.capped;
        table.col_min = table.col_min.min(first_col);
        table.col_max = table.col_max.max(row.last);
        let valued = row.valued.saturating_mul(row.capped);
        table.valued = table.valued.saturating_add(valued);
        table.rect_text = table
            .rect_text
            .saturating_add(row.text.saturating_mul(row.capped));
        self.valued = self.valued.saturating_add(valued);
        if self.valued > self.limits.max_cells {
            return Err(IngestError::TooManyCells {
                where_: "the file".into(),
                limit: self.limits.max_cells,
            });
        }
        Ok(())
    }
}

/// The attributes of a tag as calamine reads them: `key="value"` or `key='value'`, in order,
/// stopping at the first malformed one.
fn raw_attrs<'a>(e: &'a BytesStart<'_>) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
    let mut rest = e.attributes_raw();
    std::iter::from_fn(move || {
        let (key, after) = rest.split_once('=')?;
        let after = after.trim_start();
        let quote = after.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let body = &after[1..];
        let (value, tail) = body.split_once(quote).unwrap_or((body, ""));
        rest = tail;
        Some((key.trim(), value))
    })
}

/// The first attribute named `name`, with entities decoded.
fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    let (_, value) = raw_attrs(e).find(|(k, _)| *k == name)?;
    Some(quick_xml::escape::unescape(value).map_or_else(|_| value.to_string(), |v| v.into_owned()))
}

/// A repeat count as calamine parses it; anything else calamine refuses on its own.
fn number(text: Option<&str>) -> Option<u64> {
    text?.parse::<u64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(xml: &str, max_rows: u64, max_cells: u64) -> Result<(), IngestError> {
        let limits = OdsLimits {
            max_rows,
            max_cells,
        };
        check_content(xml.as_bytes(), &limits)
    }

    /// Limits far above every sheet here, so only the rule under test can refuse.
    const ROWS: u64 = 2_000_000;
    const CELLS: u64 = 50_000_000;

    /// Checks a sheet `S` holding `rows` under the generous limits.
    fn check_rows(rows: &str) -> Result<(), IngestError> {
        check(&doc(rows), ROWS, CELLS)
    }

    /// The sentence a therapist reads when the sheet holding `rows` is refused.
    fn refusal(rows: &str) -> String {
        check_rows(rows).unwrap_err().to_string()
    }

    fn doc(rows: &str) -> String {
        format!(
            r#"<office:document-content><office:body><office:spreadsheet><table:table table:name="S">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
        )
    }

    const DATA: &str = r#"<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Ann</text:p></table:table-cell>"#;

    #[test]
    fn trailing_blank_repeats_cost_nothing() {
        let rows = format!(
            r#"<table:table-row>{DATA}</table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#
        );
        check_rows(&rows).unwrap();
    }

    #[test]
    fn a_data_row_repeated_past_the_sheet_is_refused_with_its_row() {
        let rows = format!(
            r#"<table:table-row>{DATA}</table:table-row><table:table-row table:number-rows-repeated="1000000000">{DATA}</table:table-row>"#
        );
        assert_eq!(
            refusal(&rows),
            "sheet 'S' repeats row 2 1000000000 times (table:number-rows-repeated), past the 1048576 rows a sheet can have; the rows below it would be lost, so the file is not read: open it, delete the repeated rows and save it again"
        );
        let rows =
            format!(r#"<table:table-row table:number-rows-repeated="20">{DATA}</table:table-row>"#);
        let err = check(&doc(&rows), 10, CELLS).unwrap_err();
        assert!(err.to_string().contains("input.max_rows"), "{err}");
    }

    #[test]
    fn a_data_row_below_the_last_row_is_refused() {
        let rows = format!(
            r#"<table:table-row table:number-rows-repeated="1048576"><table:table-cell/></table:table-row><table:table-row>{DATA}</table:table-row>"#
        );
        assert_eq!(
            refusal(&rows),
            "sheet 'S' has data below row 1048576, the last row a sheet can have; that data would be lost, so the file is not read: open it, move the data up and save it again"
        );
    }

    /// Two rows of six cells with 1,000,000 blank rows between them.
    fn blank_gap_between_wide_rows() -> String {
        let wide = DATA.repeat(3);
        format!(
            r#"<table:table-row>{wide}</table:table-row><table:table-row table:number-rows-repeated="1000000"><table:table-cell/></table:table-row><table:table-row>{wide}</table:table-row>"#
        )
    }

    #[test]
    fn blank_gaps_between_data_rows_count_as_memory() {
        // calamine fills the 1,000,000 blank rows with 6 blank cells each: about half a GB.
        let rows = blank_gap_between_wide_rows();
        let err = check_rows(&rows).unwrap_err();
        assert!(
            matches!(err, IngestError::RepetitiveOds { ref sheet, memory_mb } if sheet == "S" && memory_mb > 400),
            "{err}"
        );
    }

    #[test]
    fn padding_outside_the_rows_does_not_raise_the_allowance() {
        // 1,000,000 blank rows of 6 cells between two data rows: about 500 MB in calamine.
        // 40 MB of comment would have allowed 640 MB if every byte of XML counted.
        let rows = blank_gap_between_wide_rows();
        let padded = format!("<!--{}-->{}", " ".repeat(40 << 20), doc(&rows))
            .replacen("<!--", "<office:document-content><!--", 1)
            .replacen("--><office:document-content>", "-->", 1);
        let err = check(&padded, ROWS, CELLS).unwrap_err();
        assert!(matches!(err, IngestError::RepetitiveOds { .. }), "{err}");
    }

    #[test]
    fn a_huge_run_of_spaces_in_one_cell_is_refused() {
        let rows = r#"<table:table-row><table:table-cell office:value-type="string"><text:p><text:s text:c="4000000000"/></text:p></table:table-cell></table:table-row>"#;
        let err = check_rows(rows).unwrap_err();
        assert!(matches!(err, IngestError::RepetitiveOds { .. }), "{err}");
    }

    #[test]
    fn cells_holding_data_are_counted_after_expansion() {
        let rows = r#"<table:table-row table:number-rows-repeated="1000"><table:table-cell table:number-columns-repeated="50" office:value-type="float" office:value="1"/><table:table-cell table:number-columns-repeated="900"/></table:table-row>"#;
        check(&doc(rows), ROWS, 50_000).unwrap();
        let err = check(&doc(rows), ROWS, 49_999).unwrap_err();
        assert!(matches!(err, IngestError::TooManyCells { .. }), "{err}");
    }

    #[test]
    fn content_cut_short_inside_a_table_is_refused() {
        let xml = doc(&format!("<table:table-row>{DATA}</table:table-row>"));
        let cut = xml.replace(
            "</table:table></office:spreadsheet></office:body></office:document-content>",
            "",
        );
        let err = check(&cut, ROWS, CELLS).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the file is damaged and cannot be read (its content ends inside sheet 'S' before the XML is closed; the file was cut short); open it and save it again"
        );
        let mismatched = xml.replace("</table:table>", "</table:tablex>");
        let err = check(&mismatched, ROWS, CELLS).unwrap_err();
        assert!(err.to_string().contains("not well-formed"), "{err}");
    }
}
