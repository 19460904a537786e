//! The workbook's sheets other than the charts: the plan that names every sheet, the cell
//! writer they share, and one module per kind of sheet — `groups` (one table per analysis
//! group), `personalisation` (the adjusted differences and the course of care), `lists`
//! (rejects, conflicts, sources), `overview` and `about`.
//!
//! Every sheet opens the same way so a reader finds their bearings: a title in row 1, one
//! sentence on what the sheet shows in row 2, and (for tables) the header in row 4, frozen.

mod about;
mod groups;
mod lists;
mod overview;
mod personalisation;

pub use about::write_about;
pub use groups::write_group;
pub use lists::{write_conflicts, write_rejects, write_sources};
pub use overview::{headline, write_overview};
pub use personalisation::{write_adjusted, write_course};

use crate::style::{Kind, Styles, note};
use crate::text::{SheetNames, fit_cell, looks_like_formula};
use relief_core::summary::{GroupTable, MonthFigures, Summary};
use rust_xlsxwriter::{Table, TableColumn, TableStyle, Workbook, Worksheet, XlsxError};

/// Row (0-based) of every table's header; data starts on the next row.
pub const HEADER_ROW: u32 = 3;

/// The most list rows (rejects, conflicts) a sheet can hold below its header: Excel stops at
/// 1,048,576 rows. Longer lists are cut, and the sheet says so; `summary.json` keeps them all.
const MAX_LIST_ROWS: usize = 1_048_576 - HEADER_ROW as usize - 1;

/// How many of `total` list rows fit, and the sentence that says the rest were left out.
fn list_cut(total: usize, limit: usize) -> (usize, String) {
    if total <= limit {
        (total, String::new())
    } else {
        (
            limit,
            format!(
                " Only the first {limit} fit in a sheet; the other {} are in summary.json.",
                total - limit
            ),
        )
    }
}

/// What every sheet writer works with: the workbook being built, its formats, the report and
/// the plan of sheets. Each writer adds its sheet to the workbook.
pub struct Out<'a> {
    pub workbook: &'a mut Workbook,
    pub styles: &'a Styles,
    pub summary: &'a Summary,
    pub plan: &'a Plan<'a>,
}

/// A sheet writer of the workbook.
pub type Writer = fn(&mut Out) -> Result<(), XlsxError>;

/// The sheet names and the content of every group sheet, decided before anything is written so
/// the overview can list the sheets and the charts can refer to them.
pub struct Plan<'a> {
    pub overview: String,
    pub charts: String,
    pub groups: Vec<Group<'a>>,
    pub adjusted: String,
    pub course: String,
    pub rejects: String,
    pub conflicts: String,
    pub sources: String,
    pub about: String,
}

/// One analysis group's sheet: the sheet name it was given, and the group's table.
pub struct Group<'a> {
    pub sheet: String,
    pub table: GroupTable<'a>,
}

impl<'a> Plan<'a> {
    /// Names every sheet and gathers each group's rows.
    pub fn new(summary: &'a Summary, trend: &'a [MonthFigures]) -> Plan<'a> {
        let mut names = SheetNames::new();
        let overview = names.claim("Overview");
        let charts = names.claim("Charts");
        let groups = summary
            .group_tables(trend)
            .into_iter()
            .map(|table| Group {
                sheet: names.claim(table.spec.sheet),
                table,
            })
            .collect();
        Plan {
            overview,
            charts,
            groups,
            adjusted: names.claim("Personalisation, adjusted"),
            course: names.claim("Course of care"),
            rejects: names.claim("Rejects"),
            conflicts: names.claim("Conflicts"),
            sources: names.claim("Sources"),
            about: names.claim("About"),
        }
    }

    /// Every sheet with a line on what it holds, in workbook order, for the overview.
    fn contents(&self) -> Vec<(String, String)> {
        let mut list = vec![
            (
                self.overview.clone(),
                "This page: the period, what was read, the headline.".to_string(),
            ),
            (
                self.charts.clone(),
                "Charts of the main figures, with the numbers they are drawn from.".to_string(),
            ),
        ];
        list.extend(
            self.groups
                .iter()
                .map(|g| (g.sheet.clone(), g.table.spec.about.to_string())),
        );
        list.push((
            self.adjusted.clone(),
            "Focus, pressure, minutes and technique: the raw difference in relief beside the difference at equal arrival soreness.".to_string(),
        ));
        list.push((
            self.course.clone(),
            "Regular clients: soreness on arrival at their first session against their latest, per region.".to_string(),
        ));
        list.push((
            self.rejects.clone(),
            "Every row that was not used and why: the list to fix an export with.".to_string(),
        ));
        list.push((self.conflicts.clone(), "The same session and region exported twice with different values; the later copy was used.".to_string()));
        list.push((self.sources.clone(), "Every file and sheet read, its layout and counts, whether the sheet is hidden, and a fingerprint (SHA-256) of each file.".to_string()));
        list.push((
            self.about.clone(),
            "What every figure means, and the thresholds in force.".to_string(),
        ));
        list
    }
}

/// A cell's content before it is written.
enum Cell {
    Number(f64),
    Text(String),
    /// A figure that cannot be computed: a blank cell with a note that says why.
    Missing(String),
}

/// Writes cells while keeping track of the widths the columns need.
struct Grid<'w> {
    ws: &'w mut Worksheet,
    styles: &'w Styles,
    widths: Vec<usize>,
}

impl<'w> Grid<'w> {
    fn new(ws: &'w mut Worksheet, styles: &'w Styles) -> Grid<'w> {
        Grid {
            ws,
            styles,
            widths: Vec::new(),
        }
    }

    fn see(&mut self, col: u16, chars: usize) {
        let col = usize::from(col);
        if self.widths.len() <= col {
            self.widths.resize(col + 1, 0);
        }
        self.widths[col] = self.widths[col].max(chars);
    }

    /// Writes user or report text: cut to Excel's limit, quote-prefixed when it looks like a
    /// formula so it stays text when edited.
    fn text(&mut self, row: u32, col: u16, text: &str, small: bool) -> Result<(), XlsxError> {
        let text = fit_cell(text);
        let format = match (looks_like_formula(&text), small) {
            (true, false) => &self.styles.quoted,
            (true, true) => &self.styles.quoted_small,
            (false, _) => self.styles.figure(Kind::Text, small),
        };
        self.ws
            .write_string_with_format(row, col, text.as_ref(), format)?;
        let longest_line = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        self.see(col, longest_line);
        Ok(())
    }

    fn number(
        &mut self,
        row: u32,
        col: u16,
        value: f64,
        kind: Kind,
        small: bool,
    ) -> Result<(), XlsxError> {
        if value.is_finite() {
            self.ws
                .write_number_with_format(row, col, value, self.styles.figure(kind, small))?;
            self.see(col, 7);
        } else {
            self.missing(
                row,
                col,
                kind,
                small,
                "Not a number: the figure could not be computed.",
            )?;
        }
        Ok(())
    }

    fn missing(
        &mut self,
        row: u32,
        col: u16,
        kind: Kind,
        small: bool,
        why: &str,
    ) -> Result<(), XlsxError> {
        self.ws
            .write_blank(row, col, self.styles.figure(kind, small))?;
        self.ws.insert_note(row, col, &note(why))?;
        Ok(())
    }

    fn cell(
        &mut self,
        row: u32,
        col: u16,
        cell: &Cell,
        kind: Kind,
        small: bool,
    ) -> Result<(), XlsxError> {
        match cell {
            Cell::Number(v) => self.number(row, col, *v, kind, small),
            Cell::Text(t) => self.text(row, col, t, small),
            Cell::Missing(why) => self.missing(row, col, kind, small, why),
        }
    }

    /// Writes where a row is: its file, sheet and row number, from column `col`.
    fn place(
        &mut self,
        row: u32,
        col: u16,
        (file, sheet, at): (&str, &str, u32),
    ) -> Result<(), XlsxError> {
        self.text(row, col, file, false)?;
        self.text(row, col + 1, sheet, false)?;
        self.number(row, col + 2, f64::from(at), Kind::Count, false)
    }

    /// Writes one table row of `cells`, each with its kind, from column `first`.
    fn cells(
        &mut self,
        row: u32,
        first: u16,
        cells: &[(Cell, Kind)],
        small: bool,
    ) -> Result<(), XlsxError> {
        for (c, (cell, kind)) in cells.iter().enumerate() {
            self.cell(row, first + c as u16, cell, *kind, small)?;
        }
        Ok(())
    }

    /// Gives the columns `cols` of a table of `rows` rows the colour scale of a change (none
    /// for an empty table).
    fn change_scale(
        &mut self,
        rows: u32,
        cols: impl IntoIterator<Item = u16>,
    ) -> Result<(), XlsxError> {
        if rows == 0 {
            return Ok(());
        }
        for col in cols {
            self.ws.add_conditional_format(
                HEADER_ROW + 1,
                col,
                HEADER_ROW + rows,
                col,
                &self.styles.change_scale(),
            )?;
        }
        Ok(())
    }

    /// Sets every column's width from what was written, between `min` and `max` characters.
    fn fit_columns(&mut self, min: usize, max: usize) -> Result<(), XlsxError> {
        for (col, &w) in self.widths.iter().enumerate() {
            let width = w.clamp(min, max) + 2;
            self.ws.set_column_width(col as u16, width as f64)?;
        }
        Ok(())
    }
}

/// The worksheet row of the `i`th table row (0-based), under the header.
fn table_row(i: usize) -> u32 {
    HEADER_ROW + 1 + i as u32
}

/// Title, one-line description, print setup: how every sheet starts.
fn start_sheet<'w>(
    workbook: &'w mut Workbook,
    name: &str,
    styles: &Styles,
    title: &str,
    about: &str,
) -> Result<&'w mut Worksheet, XlsxError> {
    let ws = workbook.add_worksheet();
    ws.set_name(name)?;
    ws.write_string_with_format(0, 0, fit_cell(title).as_ref(), &styles.title)?;
    ws.write_string_with_format(1, 0, fit_cell(about).as_ref(), &styles.subtitle)?;
    ws.set_row_height(0, 22)?;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    Ok(ws)
}

/// A table column spec: header and whether its header gets the table's header format.
fn table_columns(headers: &[String], styles: &Styles) -> Vec<TableColumn> {
    headers
        .iter()
        .map(|h| {
            TableColumn::new()
                .set_header(h.as_str())
                .set_header_format(&styles.header)
        })
        .collect()
}

/// Adds the Excel table over the header and `rows` data rows (at least one, blank when there
/// is no data, because Excel tables cannot be empty), freezes the header and fits the columns.
fn finish_table(
    grid: &mut Grid,
    name: &str,
    headers: &[String],
    rows: u32,
    min_width: usize,
) -> Result<(), XlsxError> {
    let last_col = (headers.len() - 1) as u16;
    let last_row = HEADER_ROW + rows.max(1);
    let table = Table::new()
        .set_name(name)
        .set_style(TableStyle::Light9)
        .set_columns(&table_columns(headers, grid.styles));
    grid.ws
        .add_table(HEADER_ROW, 0, last_row, last_col, &table)?;
    grid.ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    grid.ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    for (col, h) in headers.iter().enumerate() {
        // Headers wrap, so their longest word sets the floor, not their whole length.
        let word = h
            .split_whitespace()
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(0);
        grid.see(col as u16, word.max(min_width));
    }
    // Tall enough for three wrapped lines only where a header needs them.
    let tall = headers.iter().any(|h| h.chars().count() > 14);
    grid.ws
        .set_row_height(HEADER_ROW, if tall { 45 } else { 18 })?;
    grid.fit_columns(6, 48)
}

/// A threshold fraction as a percent number without needless decimals: 0.3 → `30`.
fn pct(fraction: f64) -> String {
    num(fraction * 100.0)
}

/// A number without needless decimals: 2.0 → `2`, 2.5 → `2.5`.
fn num(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_cut_to_what_a_sheet_holds() {
        assert_eq!(list_cut(10, 10), (10, String::new()));
        let (shown, note) = list_cut(12, 10);
        assert_eq!(shown, 10);
        assert_eq!(
            note,
            " Only the first 10 fit in a sheet; the other 2 are in summary.json."
        );
        // The last list row lands on Excel's last row, 1,048,576 (0-based 1,048,575).
        assert_eq!(HEADER_ROW as usize + MAX_LIST_ROWS, 1_048_575);
    }

    #[test]
    fn numbers_read_well_in_sentences() {
        assert_eq!(pct(0.3), "30");
        assert_eq!(pct(0.325), "32.5");
        assert_eq!(num(2.0), "2");
    }
}
