//! The list sheets: Rejects (every row not used and why), Conflicts (copies that disagree with
//! the one used) and Sources (every file and sheet read, with its fingerprint). Lists longer
//! than a sheet holds are cut, and the sheet says so.

use super::{
    Grid, HEADER_ROW, MAX_LIST_ROWS, Plan, finish_table, list_cut, start_sheet, table_row,
};
use crate::style::{Kind, Styles};
use relief_core::summary::Summary;
use relief_core::words::count;
use rust_xlsxwriter::{Workbook, XlsxError};

/// Starts the list sheet `name` of `total` items, at most [`MAX_LIST_ROWS`] of them shown. The
/// line under the title is `empty` when there are none; otherwise `some(total)`, then the note
/// of a cut list. Returns the grid and how many items to write.
fn start_list<'w>(
    (workbook, styles): (&'w mut Workbook, &'w Styles),
    (name, title): (&str, &str),
    total: usize,
    empty: &str,
    some: impl FnOnce(u64) -> String,
) -> Result<(Grid<'w>, usize), XlsxError> {
    let (shown, cut) = list_cut(total, MAX_LIST_ROWS);
    let about = if total == 0 {
        empty.to_string()
    } else {
        some(total as u64) + &cut
    };
    let ws = start_sheet(workbook, name, styles, title, &about)?;
    Ok((Grid::new(ws, styles), shown))
}

/// Writes the Rejects sheet: every row not used, where it is, and why.
pub fn write_rejects(
    workbook: &mut Workbook,
    styles: &Styles,
    summary: &Summary,
    plan: &Plan,
) -> Result<(), XlsxError> {
    let (mut grid, shown) = start_list(
        (workbook, styles),
        (&plan.rejects, "Rows that were not used"),
        summary.rejects.len(),
        "Every row was used: nothing to fix.",
        |n| {
            format!(
                "{} not used. Each line says where the row is and why; fix the export and run the report again.",
                count(n, "row was", "rows were")
            )
        },
    )?;
    let headers: Vec<String> = ["File", "Sheet", "Row", "Column", "Value", "Reason", "Month"]
        .map(String::from)
        .into();
    for (i, r) in summary.rejects.iter().take(shown).enumerate() {
        let row = table_row(i);
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
    let (mut grid, shown) = start_list(
        (workbook, styles),
        (&plan.conflicts, "Conflicting copies"),
        summary.conflicts.len(),
        "No session and region was exported twice with different values.",
        |n| {
            format!(
                "{} with another copy of the same session and region. The later copy was used (later file in name order, or lower row); check which is right.",
                count(n, "copy disagreed", "copies disagreed")
            )
        },
    )?;
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
        let row = table_row(i);
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
        "Hidden",
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
            grid.text(row, 11, if sheet.hidden { "yes" } else { "no" }, false)?;
            row += 1;
        }
    }
    finish_table(&mut grid, "Sources", &headers, row - HEADER_ROW - 1, 6)
}
