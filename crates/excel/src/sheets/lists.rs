//! The list sheets: Rejects (every row not used and why), Conflicts (copies that disagree with
//! the one used) and Sources (every file and sheet read, with its fingerprint). Lists longer
//! than a sheet holds are cut, and the sheet says so.

use super::{
    Grid, HEADER_ROW, MAX_LIST_ROWS, Out, Plan, finish_table, list_cut, start_sheet, table_row,
};
use crate::style::Kind;
use relief_core::summary::Summary;
use relief_core::words::count;
use relief_core::{Duplicate, Reject};
use rust_xlsxwriter::XlsxError;

/// A list sheet: where its items and its sheet's name come from, and what it says around its
/// rows.
struct List<T: 'static> {
    items: fn(&Summary) -> &[T],
    sheet: for<'p> fn(&'p Plan<'_>) -> &'p str,
    title: &'static str,
    /// The Excel table's name.
    table: &'static str,
    headers: &'static [&'static str],
    /// The line under the title when the list is empty.
    empty: &'static str,
    /// Otherwise the count of items, in these words (one, many), then `rest`.
    noun: (&'static str, &'static str),
    rest: &'static str,
}

const REJECTS: List<Reject> = List {
    items: |s| &s.rejects,
    sheet: |p| &p.rejects,
    title: "Rows that were not used",
    table: "Rejects",
    headers: &["File", "Sheet", "Row", "Column", "Value", "Reason", "Month"],
    empty: "Every row was used: nothing to fix.",
    noun: ("row was", "rows were"),
    rest: " not used. Each line says where the row is and why; fix the export and run the report again.",
};

const CONFLICTS: List<Duplicate> = List {
    items: |s| &s.conflicts,
    sheet: |p| &p.conflicts,
    title: "Conflicting copies",
    table: "Conflicts",
    headers: &[
        "File (copy not used)",
        "Sheet",
        "Row",
        "File (copy used)",
        "Sheet (copy used)",
        "Row (copy used)",
        "Month",
        "What differs",
    ],
    empty: "No session and region was exported twice with different values.",
    noun: ("copy disagreed", "copies disagreed"),
    rest: " with another copy of the same session and region. The later copy was used (later file in name order, or lower row); check which is right.",
};

/// Writes the sheet of `list`, at most [`MAX_LIST_ROWS`] of its items (the line under the title
/// says when the list is cut); `cells` writes one item's row.
fn write_list<T>(
    out: &mut Out,
    list: &List<T>,
    mut cells: impl FnMut(&mut Grid, u32, &T) -> Result<(), XlsxError>,
) -> Result<(), XlsxError> {
    let (items, name) = ((list.items)(out.summary), (list.sheet)(out.plan));
    let (shown, cut) = list_cut(items.len(), MAX_LIST_ROWS);
    let about = if items.is_empty() {
        list.empty.to_string()
    } else {
        let (one, many) = list.noun;
        format!("{}{}{cut}", count(items.len() as u64, one, many), list.rest)
    };
    let ws = start_sheet(out.workbook, name, out.styles, list.title, &about)?;
    let mut grid = Grid::new(ws, out.styles);
    for (i, item) in items.iter().take(shown).enumerate() {
        cells(&mut grid, table_row(i), item)?;
    }
    let headers: Vec<String> = list.headers.iter().map(|h| h.to_string()).collect();
    finish_table(&mut grid, list.table, &headers, shown as u32, 6)
}

/// Writes the Rejects sheet: every row not used, where it is, and why.
pub fn write_rejects(out: &mut Out) -> Result<(), XlsxError> {
    write_list(out, &REJECTS, |grid, row, r| {
        grid.place(row, 0, (&r.file, &r.sheet, r.row))?;
        let column = if r.column.is_empty() {
            "(whole row)"
        } else {
            &r.column
        };
        grid.text(row, 3, column, false)?;
        grid.text(row, 4, &r.value, false)?;
        grid.text(row, 5, &r.reason.to_string(), false)?;
        let month = r.month.as_deref().unwrap_or("date unreadable");
        grid.text(row, 6, month, false)
    })
}

/// Writes the Conflicts sheet: copies of a session × region that disagree with the one used.
pub fn write_conflicts(out: &mut Out) -> Result<(), XlsxError> {
    write_list(out, &CONFLICTS, |grid, row, d| {
        grid.place(row, 0, (&d.file, &d.sheet, d.row))?;
        grid.place(row, 3, (&d.kept_file, &d.kept_sheet, d.kept_row))?;
        grid.text(row, 6, &d.month, false)?;
        let differs = d.conflict.as_deref().unwrap_or("identical copy");
        grid.text(row, 7, differs, false)
    })
}

/// Writes the Sources sheet: one row per sheet of every file, or one row saying why a file
/// gave nothing.
pub fn write_sources(out: &mut Out) -> Result<(), XlsxError> {
    let about = format!(
        "{}. One line per sheet read; a file that could not be read says why. Row counts here are for the whole file, every month in it (the Overview counts this period's rows). The SHA-256 fingerprint changes whenever a file's content changes.",
        count(out.summary.files.len() as u64, "file", "files")
    );
    let ws = start_sheet(
        out.workbook,
        &out.plan.sources,
        out.styles,
        "Files and sheets read",
        &about,
    )?;
    let mut grid = Grid::new(ws, out.styles);
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
        "Hidden",
    ]
    .map(String::from)
    .into();
    let mut row = HEADER_ROW + 1;
    for file in &out.summary.files {
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
            grid.text(row, 11, if sheet.hidden { "yes" } else { "no" }, false)?;
            row += 1;
        }
    }
    finish_table(&mut grid, "Sources", &headers, row - HEADER_ROW - 1, 6)
}
