//! The workbook's sheets other than the charts: the overview, one table per analysis group, the
//! rejects, conflicts and sources lists, and the About sheet.
//!
//! Every sheet opens the same way so a reader finds their bearings: a title in row 1, one
//! sentence on what the sheet shows in row 2, and (for tables) the header in row 4, frozen.

use crate::style::{Kind, Styles, note};
use crate::text::{SheetNames, fit_cell, looks_like_formula};
use relief_core::summary::{Figures, MonthFigures, Settings, Summary};
use relief_core::words::count;
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

/// The sheet names and the content of every group sheet, decided before anything is written so
/// the overview can list the sheets and the charts can refer to them.
pub struct Plan<'a> {
    pub overview: String,
    pub charts: String,
    pub groups: Vec<Group<'a>>,
    pub rejects: String,
    pub conflicts: String,
    pub sources: String,
    pub about: String,
}

/// One analysis group's sheet.
pub struct Group<'a> {
    pub sheet: String,
    /// The Excel table's name (letters only, unique in the workbook).
    table: &'static str,
    title: String,
    /// One sentence on what the table answers.
    about: String,
    /// Headers of the key columns, in the order the rows hold them.
    keys: Vec<&'static str>,
    rows: Vec<GroupRow<'a>>,
    /// Rows left out because the export did not record the grouping value.
    unknown: Option<(u64, &'static str)>,
}

/// One row of a group table: its keys and its figures.
struct GroupRow<'a> {
    keys: Vec<Key>,
    figures: &'a Figures,
}

/// A key cell.
enum Key {
    Text(String),
    Number(f64),
}

impl<'a> Plan<'a> {
    /// Names every sheet and gathers each group's rows.
    pub fn new(summary: &'a Summary, trend: &'a [MonthFigures]) -> Plan<'a> {
        let mut names = SheetNames::new();
        let overview = names.claim("Overview");
        let charts = names.claim("Charts");
        let text = |s: &str| Key::Text(s.to_string());
        let region = |r: relief_core::Region| Key::Text(r.label().to_string());
        let unknown = summary.unknown;
        let mut group = |sheet: &str,
                         table: &'static str,
                         title: &str,
                         about: &str,
                         keys: Vec<&'static str>,
                         rows: Vec<GroupRow<'a>>,
                         unknown: Option<(u64, &'static str)>| Group {
            sheet: names.claim(sheet),
            table,
            title: title.to_string(),
            about: about.to_string(),
            keys,
            rows,
            unknown,
        };
        let groups = vec![
            group(
                "Regions",
                "Regions",
                "Relief by body region",
                "All sessions of the period, per body region: how sore before, how sore after, and how much relief.",
                vec!["Region"],
                summary
                    .regions
                    .iter()
                    .map(|f| GroupRow {
                        keys: vec![region(f.region)],
                        figures: &f.figures,
                    })
                    .collect(),
                None,
            ),
            group(
                "Months",
                "Months",
                "Relief by month",
                "Each month of the range this report covers, per body region: is relief steady over time?",
                vec!["Month", "Region"],
                trend
                    .iter()
                    .map(|f| GroupRow {
                        keys: vec![text(&f.month), region(f.region)],
                        figures: &f.figures,
                    })
                    .collect(),
                None,
            ),
            group(
                "Therapists",
                "Therapists",
                "Relief by therapist",
                "Each therapist's sessions, per body region.",
                vec!["Therapist", "Region"],
                summary
                    .by_therapist
                    .iter()
                    .map(|f| GroupRow {
                        keys: vec![text(&f.therapist), region(f.region)],
                        figures: &f.figures,
                    })
                    .collect(),
                None,
            ),
            group(
                "Pressure",
                "Pressure",
                "Relief by pressure",
                "Sessions grouped by the pressure used on the region, lightest first: does firmer work bring more relief?",
                vec!["Pressure", "Region"],
                summary
                    .by_pressure
                    .iter()
                    .map(|f| GroupRow {
                        keys: vec![text(f.pressure.label()), region(f.region)],
                        figures: &f.figures,
                    })
                    .collect(),
                Some((unknown.pressure, "pressure")),
            ),
            group(
                "Focus",
                "Focus",
                "Focus regions against the rest",
                "The personalisation effect: regions the client asked to focus on, against the same regions when they were not a focus.",
                vec!["Focus", "Region"],
                summary
                    .by_focus
                    .iter()
                    .map(|f| GroupRow {
                        keys: vec![
                            text(if f.focus {
                                "Focus region"
                            } else {
                                "Not a focus"
                            }),
                            region(f.region),
                        ],
                        figures: &f.figures,
                    })
                    .collect(),
                Some((unknown.focus, "focus")),
            ),
            group(
                "Minutes",
                "Minutes",
                "Relief by minutes on the region",
                "Dose and response: sessions grouped by the minutes spent on the region.",
                vec!["Minutes on region", "Region"],
                summary
                    .by_minutes
                    .iter()
                    .map(|f| GroupRow {
                        keys: vec![text(&f.minutes_band), region(f.region)],
                        figures: &f.figures,
                    })
                    .collect(),
                Some((unknown.minutes, "minutes")),
            ),
            group(
                "Technique",
                "Technique",
                "Relief by technique",
                "Sessions grouped by the technique the export names.",
                vec!["Technique", "Region"],
                summary
                    .by_technique
                    .iter()
                    .map(|f| GroupRow {
                        keys: vec![text(&f.technique), region(f.region)],
                        figures: &f.figures,
                    })
                    .collect(),
                Some((unknown.technique, "technique")),
            ),
            group(
                "Spill-over",
                "SpillOver",
                "Spill-over between regions",
                "Relief of a target region when another region was also worked in the same session, against when it was not.",
                vec!["Target region", "Other region", "Other region worked"],
                summary
                    .spillover
                    .iter()
                    .map(|f| GroupRow {
                        keys: vec![
                            region(f.region),
                            region(f.other_region),
                            text(if f.other_worked {
                                "worked too"
                            } else {
                                "not worked"
                            }),
                        ],
                        figures: &f.figures,
                    })
                    .collect(),
                None,
            ),
            group(
                "Visits",
                "Visits",
                "Soreness by visit number",
                "Do clients arrive less sore over a course of sessions? Visit 1 is the client's first session in all the data read; watch \"Before (mean)\".",
                vec!["Visit", "Region"],
                summary
                    .by_visit
                    .iter()
                    .map(|f| GroupRow {
                        keys: vec![Key::Number(f64::from(f.visit)), region(f.region)],
                        figures: &f.figures,
                    })
                    .collect(),
                None,
            ),
        ];
        Plan {
            overview,
            charts,
            groups,
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
                .map(|g| (g.sheet.clone(), g.about.clone())),
        );
        list.push((
            self.rejects.clone(),
            "Every row that was not used and why: the list to fix an export with.".to_string(),
        ));
        list.push((self.conflicts.clone(), "The same session and region exported twice with different values; the later copy was used.".to_string()));
        list.push((self.sources.clone(), "Every file and sheet read, its layout and counts, and a fingerprint (SHA-256) of each file.".to_string()));
        list.push((
            self.about.clone(),
            "What every figure means, and the thresholds in force.".to_string(),
        ));
        list
    }
}

/// A figure column of the group tables.
pub struct FigureColumn {
    pub header: String,
    kind: Kind,
    /// Whether the colour scale applies (the relief columns).
    change: bool,
}

/// The figure columns, in table order; headers name the thresholds in force.
pub fn figure_columns(s: &Settings) -> Vec<FigureColumn> {
    let col = |header: String, kind, change| FigureColumn {
        header,
        kind,
        change,
    };
    vec![
        col("Rows".into(), Kind::Count, false),
        col("Sessions".into(), Kind::Count, false),
        col("Clients".into(), Kind::Count, false),
        col("Before (mean)".into(), Kind::Score, false),
        col("After (mean)".into(), Kind::Score, false),
        col("Relief (mean change)".into(), Kind::Score, true),
        col("Relief (median change)".into(), Kind::Score, true),
        col("SD of change".into(), Kind::Score, false),
        col("95 % CI low".into(), Kind::Score, false),
        col("95 % CI high".into(), Kind::Score, false),
        col("Improved".into(), Kind::Rate, false),
        col("Unchanged".into(), Kind::Rate, false),
        col("Worse".into(), Kind::Rate, false),
        col(
            format!("Responders (≥ {} % relief)", pct(s.responder_threshold)),
            Kind::Rate,
            false,
        ),
        col(
            format!(
                "Strong responders (≥ {} % relief)",
                pct(s.strong_responder_threshold)
            ),
            Kind::Rate,
            false,
        ),
        col("SRM".into(), Kind::Ratio, false),
        col(
            format!("Reaches {}-point MCID", num(s.mcid_points)),
            Kind::Text,
            false,
        ),
        col("Rows with before = 0".into(), Kind::Count, false),
        col("Small sample".into(), Kind::Text, false),
    ]
}

/// A cell's content before it is written.
enum Cell {
    Number(f64),
    Text(String),
    /// A figure that cannot be computed: a blank cell with a note that says why.
    Missing(String),
}

/// The cells of one row of figures, in [`figure_columns`] order.
fn figure_cells(f: &Figures, s: &Settings) -> Vec<Cell> {
    let n = |v: f64| Cell::Number(v);
    let count = |v: u64| Cell::Number(v as f64);
    let rate_missing = || {
        Cell::Missing(
            "No rate: every before-score in this group is 0, so relative relief is not defined."
                .into(),
        )
    };
    let opt = |v: Option<f64>, why: &dyn Fn() -> Cell| v.map_or_else(why, Cell::Number);
    let ci_missing = || {
        Cell::Missing(if f.small_sample {
            format!(
                "No confidence interval: fewer than {} rows (small sample).",
                s.min_group_size
            )
        } else {
            "No confidence interval: the spread of the changes is unknown.".into()
        })
    };
    vec![
        count(f.rows),
        count(f.sessions),
        count(f.clients),
        n(f.mean_before),
        n(f.mean_after),
        n(f.mean_change),
        n(f.median_change),
        opt(f.sd_change, &|| {
            Cell::Missing("No SD: the group has a single row.".into())
        }),
        opt(f.ci95.map(|c| c[0]), &ci_missing),
        opt(f.ci95.map(|c| c[1]), &ci_missing),
        n(f.improved_rate),
        n(f.unchanged_rate),
        n(f.worse_rate),
        opt(f.responder_rate, &rate_missing),
        opt(f.strong_responder_rate, &rate_missing),
        opt(f.srm, &|| {
            Cell::Missing("No SRM: the SD of change is 0 or unknown.".into())
        }),
        Cell::Text(if f.meets_mcid { "yes" } else { "no" }.into()),
        count(f.zero_before_rows),
        Cell::Text(if f.small_sample {
            format!("yes: under {} rows", s.min_group_size)
        } else {
            String::new()
        }),
    ]
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

    /// Sets every column's width from what was written, between `min` and `max` characters.
    fn fit_columns(&mut self, min: usize, max: usize) -> Result<(), XlsxError> {
        for (col, &w) in self.widths.iter().enumerate() {
            let width = w.clamp(min, max) + 2;
            self.ws.set_column_width(col as u16, width as f64)?;
        }
        Ok(())
    }
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

/// Writes one analysis group as a table.
pub fn write_group(
    workbook: &mut Workbook,
    styles: &Styles,
    summary: &Summary,
    group: &Group,
) -> Result<(), XlsxError> {
    let settings = &summary.settings;
    let mut about = group.about.clone();
    if group.rows.is_empty() {
        about.push_str(" No rows in this period.");
    }
    if let Some((n, what)) = group.unknown.filter(|(n, _)| *n > 0) {
        about.push_str(&format!(
            " {n} rows had no {what} recorded and are left out of this table."
        ));
    }
    let ws = start_sheet(workbook, &group.sheet, styles, &group.title, &about)?;
    let mut grid = Grid::new(ws, styles);
    let columns = figure_columns(settings);
    let mut headers: Vec<String> = group.keys.iter().map(|k| k.to_string()).collect();
    headers.extend(columns.iter().map(|c| c.header.clone()));
    let first_figure = group.keys.len() as u16;

    for (i, r) in group.rows.iter().enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        let small = r.figures.small_sample;
        for (c, key) in r.keys.iter().enumerate() {
            match key {
                Key::Text(t) => grid.text(row, c as u16, t, small)?,
                Key::Number(v) => grid.number(row, c as u16, *v, Kind::Count, small)?,
            }
        }
        for (c, (cell, column)) in figure_cells(r.figures, settings)
            .iter()
            .zip(&columns)
            .enumerate()
        {
            grid.cell(row, first_figure + c as u16, cell, column.kind, small)?;
        }
    }
    let rows = group.rows.len() as u32;
    if rows > 0 {
        for (c, column) in columns.iter().enumerate() {
            if column.change {
                let col = first_figure + c as u16;
                grid.ws.add_conditional_format(
                    HEADER_ROW + 1,
                    col,
                    HEADER_ROW + rows,
                    col,
                    &styles.change_scale(),
                )?;
            }
        }
    }
    finish_table(&mut grid, group.table, &headers, rows, 8)
}

/// Writes the Rejects sheet: every row not used, where it is, and why.
pub fn write_rejects(
    workbook: &mut Workbook,
    styles: &Styles,
    summary: &Summary,
    plan: &Plan,
) -> Result<(), XlsxError> {
    let (shown, cut) = list_cut(summary.rejects.len(), MAX_LIST_ROWS);
    let about = if summary.rejects.is_empty() {
        "Every row was used: nothing to fix.".to_string()
    } else {
        format!(
            "{} not used. Each line says where the row is and why; fix the export and run the report again.{cut}",
            count(summary.rejects.len() as u64, "row was", "rows were")
        )
    };
    let ws = start_sheet(
        workbook,
        &plan.rejects,
        styles,
        "Rows that were not used",
        &about,
    )?;
    let mut grid = Grid::new(ws, styles);
    let headers: Vec<String> = ["File", "Sheet", "Row", "Column", "Value", "Reason", "Month"]
        .map(String::from)
        .into();
    for (i, r) in summary.rejects.iter().take(shown).enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        grid.text(row, 0, &r.file, false)?;
        grid.text(row, 1, &r.sheet, false)?;
        grid.number(row, 2, f64::from(r.row), Kind::Count, false)?;
        grid.text(
            row,
            3,
            if r.column.is_empty() {
                "(whole row)"
            } else {
                &r.column
            },
            false,
        )?;
        grid.text(row, 4, &r.value, false)?;
        grid.text(row, 5, &r.reason.to_string(), false)?;
        grid.text(
            row,
            6,
            r.month.as_deref().unwrap_or("date unreadable"),
            false,
        )?;
    }
    finish_table(&mut grid, "Rejects", &headers, shown as u32, 6)
}

/// Writes the Conflicts sheet: copies of a session × region that disagree with the one used.
pub fn write_conflicts(
    workbook: &mut Workbook,
    styles: &Styles,
    summary: &Summary,
    plan: &Plan,
) -> Result<(), XlsxError> {
    let (shown, cut) = list_cut(summary.conflicts.len(), MAX_LIST_ROWS);
    let about = if summary.conflicts.is_empty() {
        "No session and region was exported twice with different values.".to_string()
    } else {
        format!(
            "{} with another copy of the same session and region. The later copy was used (later file in name order, or lower row); check which is right.{cut}",
            count(
                summary.conflicts.len() as u64,
                "copy disagreed",
                "copies disagreed"
            )
        )
    };
    let ws = start_sheet(
        workbook,
        &plan.conflicts,
        styles,
        "Conflicting copies",
        &about,
    )?;
    let mut grid = Grid::new(ws, styles);
    let headers: Vec<String> = [
        "File (copy not used)",
        "Sheet",
        "Row",
        "File (copy used)",
        "Sheet (copy used)",
        "Row (copy used)",
        "Month",
        "What differs",
    ]
    .map(String::from)
    .into();
    for (i, d) in summary.conflicts.iter().take(shown).enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        grid.text(row, 0, &d.file, false)?;
        grid.text(row, 1, &d.sheet, false)?;
        grid.number(row, 2, f64::from(d.row), Kind::Count, false)?;
        grid.text(row, 3, &d.kept_file, false)?;
        grid.text(row, 4, &d.kept_sheet, false)?;
        grid.number(row, 5, f64::from(d.kept_row), Kind::Count, false)?;
        grid.text(row, 6, &d.month, false)?;
        grid.text(
            row,
            7,
            d.conflict.as_deref().unwrap_or("identical copy"),
            false,
        )?;
    }
    finish_table(&mut grid, "Conflicts", &headers, shown as u32, 6)
}

/// Writes the Sources sheet: one row per sheet of every file, or one row saying why a file
/// gave nothing.
pub fn write_sources(
    workbook: &mut Workbook,
    styles: &Styles,
    summary: &Summary,
    plan: &Plan,
) -> Result<(), XlsxError> {
    let about = format!(
        "{}. One line per sheet read; a file that could not be read says why. Row counts here are for the whole file, every month in it (the Overview counts this period's rows). The SHA-256 fingerprint changes whenever a file's content changes.",
        count(summary.files.len() as u64, "file", "files")
    );
    let ws = start_sheet(
        workbook,
        &plan.sources,
        styles,
        "Files and sheets read",
        &about,
    )?;
    let mut grid = Grid::new(ws, styles);
    let headers: Vec<String> = [
        "File",
        "Sheet",
        "Layout",
        "Header row",
        "Rows read",
        "Rows used",
        "Rows rejected",
        "Duplicate rows",
        "Footer rows skipped",
        "SHA-256",
        "Problem",
    ]
    .map(String::from)
    .into();
    let mut row = HEADER_ROW + 1;
    for file in &summary.files {
        let problem = match (&file.error, file.sheets.is_empty()) {
            (Some(e), _) => Some(format!("Could not be read: {e}")),
            (None, true) => Some("No sheet with a recognisable header row.".to_string()),
            (None, false) => None,
        };
        if let Some(problem) = problem {
            grid.text(row, 0, &file.path, false)?;
            grid.text(row, 9, &file.sha256, false)?;
            grid.text(row, 10, &problem, false)?;
            row += 1;
        }
        for sheet in &file.sheets {
            grid.text(row, 0, &file.path, false)?;
            grid.text(row, 1, &sheet.name, false)?;
            grid.text(row, 2, &sheet.layout, false)?;
            let counts = [
                u64::from(sheet.header_row),
                sheet.rows_read,
                sheet.rows_used,
                sheet.rows_rejected,
                sheet.rows_duplicate,
                sheet.footer_skipped,
            ];
            for (c, v) in counts.into_iter().enumerate() {
                grid.number(row, 3 + c as u16, v as f64, Kind::Count, false)?;
            }
            grid.text(row, 9, &file.sha256, false)?;
            row += 1;
        }
    }
    finish_table(&mut grid, "Sources", &headers, row - HEADER_ROW - 1, 6)
}

/// Writes the Overview sheet.
pub fn write_overview(
    workbook: &mut Workbook,
    styles: &Styles,
    summary: &Summary,
    plan: &Plan,
) -> Result<(), XlsxError> {
    let s = &summary.settings;
    let about = "Soreness on the 0–10 scale, before and after each session, per body region. Relief = before − after: a positive number means the client left less sore.";
    let title = format!("Soreness relief report, {}", period_words(&summary.period));
    let ws = start_sheet(workbook, &plan.overview, styles, &title, about)?;
    ws.set_active(true);
    ws.set_screen_gridlines(false);
    ws.set_print_fit_to_pages(1, 1);
    let mut grid = Grid::new(ws, styles);
    let mut row = 3;

    grid.ws
        .write_string_with_format(row, 0, "Headline", &styles.section)?;
    row += 1;
    if summary.regions.is_empty() {
        grid.text(row, 0, "No session had both scores in this period.", false)?;
        row += 1;
    }
    for r in &summary.regions {
        grid.ws
            .write_string(row, 0, headline(r.region.label(), &r.figures, s))?;
        row += 1;
    }

    row += 1;
    grid.ws
        .write_string_with_format(row, 0, "In numbers", &styles.section)?;
    row += 1;
    let headers = [
        "Region".to_string(),
        "Rows".into(),
        "Before (mean)".into(),
        "After (mean)".into(),
        "Relief (mean change)".into(),
        "95 % CI low".into(),
        "95 % CI high".into(),
        format!("Responders (≥ {} % relief)", pct(s.responder_threshold)),
        "Small sample".into(),
    ];
    for (c, h) in headers.iter().enumerate() {
        grid.ws
            .write_string_with_format(row, c as u16, h, &styles.header)?;
    }
    grid.ws.set_row_height(row, 45)?;
    row += 1;
    let first_number_row = row;
    for r in &summary.regions {
        let f = &r.figures;
        let all = figure_cells(f, s);
        let small = f.small_sample;
        grid.text(row, 0, r.region.label(), small)?;
        grid.number(row, 1, f.rows as f64, Kind::Count, small)?;
        // Same cells as the Regions sheet: before, after, change, CI low/high, responders, flag.
        for (c, (i, kind)) in [
            (3, Kind::Score),
            (4, Kind::Score),
            (5, Kind::Score),
            (8, Kind::Score),
            (9, Kind::Score),
            (13, Kind::Rate),
            (18, Kind::Text),
        ]
        .into_iter()
        .enumerate()
        {
            grid.cell(row, 2 + c as u16, &all[i], kind, small)?;
        }
        row += 1;
    }
    if row > first_number_row {
        grid.ws
            .add_conditional_format(first_number_row, 4, row - 1, 4, &styles.change_scale())?;
    }

    row += 1;
    grid.ws
        .write_string_with_format(row, 0, "What was read", &styles.section)?;
    row += 1;
    let failed = summary.files.iter().filter(|f| f.error.is_some()).count();
    let sheets: usize = summary.files.iter().map(|f| f.sheets.len()).sum();
    let c = &summary.rows;
    let u = &summary.unknown;
    let counts: [(&str, u64, &str); 13] = [
        ("Files read", (summary.files.len() - failed) as u64, ""),
        ("Files that could not be read", failed as u64, "see Sources"),
        ("Sheets read", sheets as u64, ""),
        (
            "Rows read",
            c.read,
            "one row = one session × one body region",
        ),
        ("Rows used", c.used, ""),
        (
            "Rows rejected",
            c.rejected,
            "see Rejects: each with the reason",
        ),
        (
            "Duplicate rows (counted once)",
            c.duplicates,
            "the same session and region exported twice",
        ),
        ("… of which conflicting", c.conflicts, "see Conflicts"),
        (
            "Footer rows skipped",
            c.footer_skipped,
            "lines such as Total or Average",
        ),
        (
            "Rows without pressure",
            u.pressure,
            "left out of the Pressure table only",
        ),
        (
            "Rows without focus",
            u.focus,
            "left out of the Focus table only",
        ),
        (
            "Rows without minutes",
            u.minutes,
            "left out of the Minutes table only",
        ),
        (
            "Rows without technique",
            u.technique,
            "left out of the Technique table only",
        ),
    ];
    grid.ws
        .write_string_with_format(row, 0, "Period", &styles.label)?;
    grid.text(row, 1, &summary.period, false)?;
    row += 1;
    for (label, value, hint) in counts {
        grid.ws
            .write_string_with_format(row, 0, label, &styles.label)?;
        grid.number(row, 1, value as f64, Kind::Count, false)?;
        if !hint.is_empty() {
            grid.ws
                .write_string_with_format(row, 2, hint, &styles.subtitle)?;
        }
        row += 1;
    }

    row += 1;
    grid.ws
        .write_string_with_format(row, 0, "Sheets in this workbook", &styles.section)?;
    row += 1;
    for (name, what) in plan.contents() {
        grid.ws
            .write_string_with_format(row, 0, &name, &styles.bold)?;
        grid.ws.write_string(row, 1, &what)?;
        row += 1;
    }
    // The headline sentences run across the sheet; fixed widths keep the numbers block tidy.
    grid.ws.set_column_width(0, 30)?;
    for col in 1..=7 {
        grid.ws.set_column_width(col, 12)?;
    }
    grid.ws.set_column_width(8, 18)?;
    Ok(())
}

/// The headline of one region in words and numbers.
///
/// `Lower back (120 rows): soreness fell from 6.4 to 3.1 on average, a relief of 3.3 points
/// (95 % CI 3.0 to 3.6); 71 % of sessions relieved at least 30 %.`
pub fn headline(label: &str, f: &Figures, s: &Settings) -> String {
    let change = f.mean_change;
    let movement = if format!("{:.1}", change.abs()) == "0.0" {
        format!("soreness stayed at {} on average", one(f.mean_before))
    } else if change > 0.0 {
        format!(
            "soreness fell from {} to {} on average, a relief of {} points",
            one(f.mean_before),
            one(f.mean_after),
            one(change)
        )
    } else {
        format!(
            "soreness rose from {} to {} on average, {} points worse",
            one(f.mean_before),
            one(f.mean_after),
            one(-change)
        )
    };
    let ci = match f.ci95 {
        Some([lo, hi]) => format!(" (95 % CI {} to {})", one(lo), one(hi)),
        None if f.small_sample => " (too few rows for a confidence interval)".to_string(),
        None => String::new(),
    };
    let responders = match f.responder_rate {
        Some(r) => format!(
            "; {} % of sessions relieved at least {} %",
            num((r * 100.0).round()),
            pct(s.responder_threshold)
        ),
        None => "; relative relief is not defined (every before-score was 0)".to_string(),
    };
    let rows = if f.rows == 1 {
        "1 row".to_string()
    } else {
        format!("{} rows", f.rows)
    };
    format!("{label} ({rows}): {movement}{ci}{responders}.")
}

/// `2026-10` → `October 2026`; a range → `2026-01 to 2026-12`; anything else as is.
pub fn period_words(period: &str) -> String {
    let month = relief_core::words::month_name;
    match period.split_once('_') {
        Some((a, b)) => match (month(a), month(b)) {
            (Some(a), Some(b)) => format!("{a} to {b}"),
            _ => period.to_string(),
        },
        None => month(period).unwrap_or_else(|| period.to_string()),
    }
}

/// One decimal, with a true minus sign for negatives (`−0.4`).
fn one(v: f64) -> String {
    let s = format!("{v:.1}");
    match s.strip_prefix('-') {
        Some("0.0") => "0.0".to_string(),
        Some(rest) => format!("−{rest}"),
        None => s,
    }
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

/// Writes the About sheet: every figure's definition and the settings in force.
pub fn write_about(
    workbook: &mut Workbook,
    styles: &Styles,
    summary: &Summary,
    plan: &Plan,
) -> Result<(), XlsxError> {
    let s = &summary.settings;
    let ws = start_sheet(
        workbook,
        &plan.about,
        styles,
        "What the figures mean",
        "Definitions of every column, and the settings this report was made with.",
    )?;
    let resp = pct(s.responder_threshold);
    let strong = pct(s.strong_responder_threshold);
    let mcid = num(s.mcid_points);
    let scale = if s.score_scale == 100 {
        "0–100 in the exports, divided by 10 to the 0–10 scale".to_string()
    } else {
        "0–10 (Numeric Pain Rating Scale)".to_string()
    };
    let terms: Vec<(String, String)> = vec![
        ("Row".into(), "One session × one body region with both a before and an after score. A session that treats three regions gives three rows.".into()),
        ("Sessions".into(), "Distinct sessions: by the export's session id where it has one, else by client, date and therapist.".into()),
        ("Clients".into(), "Distinct clients. Client names and ids never appear in this workbook.".into()),
        ("Before (mean), After (mean)".into(), "Average soreness at the start and at the end of the session, on the 0–10 scale.".into()),
        ("Relief (mean change)".into(), "Average of before − after, in points. Positive means less sore after the session; negative means more sore. Coloured from red (worse) through white (no change) to green (relief).".into()),
        ("Relief (median change)".into(), "The middle value of before − after: half the rows had more relief, half less. Less swayed by a few extreme rows than the mean.".into()),
        ("SD of change".into(), "Standard deviation of before − after (sample, n − 1): how much the relief varies from row to row. Blank for a single row.".into()),
        ("95 % CI low / high".into(), "95 % confidence interval of the mean relief (Student t): the range the true average relief most likely lies in. Blank for small samples.".into()),
        ("Improved, Unchanged, Worse".into(), "Share of rows where soreness went down, stayed the same, or went up.".into()),
        (format!("Responders (≥ {resp} % relief)"), format!("Share of rows where soreness fell by at least {resp} % of its starting value — the usual mark of clinically important relief in pain research. Rows that started at 0 are left out; blank when all did.")),
        (format!("Strong responders (≥ {strong} % relief)"), format!("Share of rows where soreness fell by at least {strong} % of its starting value.")),
        ("SRM".into(), "Standardised response mean: mean relief divided by its SD. Around 0.2 is small, 0.5 moderate, 0.8 or more large. Blank when the SD is 0 or unknown.".into()),
        (format!("Reaches {mcid}-point MCID"), format!("Whether the mean relief is at least {mcid} points, the minimal clinically important difference on the 0–10 scale.")),
        ("Rows with before = 0".into(), "Rows whose client arrived with no soreness in the region: relative relief is not defined for them.".into()),
        ("Small sample".into(), format!("Groups with fewer than {} rows are shown, in amber italics, but their figures are fragile and they get no confidence interval.", s.min_group_size)),
        ("Blank figure with a red corner".into(), "A figure that cannot be computed. Hover over the cell to read why. A blank is never a zero.".into()),
        ("Month".into(), "Calendar month of the session date (YYYY-MM). Reports show months, never single days.".into()),
        ("Minutes on region".into(), "Minutes spent on the region in the session, in bands: 0, 1-5, 6-15, 16-30, over 30.".into()),
        ("Spill-over".into(), "For a target region, the relief when another region was also worked in the same session (minutes above 0, or any row when minutes are not recorded) against when it was not.".into()),
        ("Visit".into(), "The client's visit number, counting every session of the client in all the data read (1 = first). Falling Before (mean) over visits means clients arrive less sore as a course goes on.".into()),
        ("Unknown values".into(), "A row whose export did not record pressure, focus, minutes or technique is left out of that one table (counted on the Overview), never guessed.".into()),
    ];
    let settings: Vec<(String, String)> = vec![
        ("Period".into(), summary.period.clone()),
        ("Responder threshold".into(), format!("{resp} % relief")),
        ("Strong responder threshold".into(), format!("{strong} % relief")),
        ("Minimum group size".into(), format!("{} rows; smaller groups are flagged", s.min_group_size)),
        ("MCID".into(), format!("{mcid} points")),
        ("Score scale".into(), scale),
        ("Made by".into(), format!("relief {}", s.relief_version)),
        ("Document date".into(), "Set to the end of the period rather than the time of the run, so the same data always gives the same file.".into()),
    ];
    let grid = Grid::new(ws, styles);
    let mut row = 3;
    for (heading, list) in [("Figures", terms), ("Settings in force", settings)] {
        grid.ws
            .write_string_with_format(row, 0, heading, &styles.section)?;
        row += 1;
        for (term, meaning) in list {
            grid.ws
                .write_string_with_format(row, 0, &term, &styles.bold)?;
            grid.ws
                .write_string_with_format(row, 1, fit_cell(&meaning).as_ref(), &styles.wrap)?;
            row += 1;
        }
        row += 1;
    }
    grid.ws.set_column_width(0, 34)?;
    grid.ws.set_column_width(1, 100)?;
    Ok(())
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
        assert_eq!(one(-0.04), "0.0");
        assert_eq!(one(-3.26), "−3.3");
        assert_eq!(pct(0.3), "30");
        assert_eq!(pct(0.325), "32.5");
        assert_eq!(num(2.0), "2");
        assert_eq!(period_words("2026-10"), "October 2026");
        assert_eq!(
            period_words("2026-01_2026-12"),
            "January 2026 to December 2026"
        );
        assert_eq!(period_words("weird"), "weird");
    }
}
