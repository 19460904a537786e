//! The Overview sheet: the period, what was read, the headline figures in words and numbers,
//! and the workbook's contents.

use super::groups::figure_cells;
use super::personalisation::{adjusted_headline, course_headline};
use super::{Grid, Out, Plan, num, pct, start_sheet};
use crate::style::Kind;
use relief_core::summary::{Figures, Settings, Summary};
use relief_core::words::one_decimal as one;
use rust_xlsxwriter::XlsxError;

/// Writes the Overview sheet: headline in words, the same in numbers, what was read, and the
/// workbook's contents, one section after another.
pub fn write_overview(out: &mut Out) -> Result<(), XlsxError> {
    let about = "Soreness on the 0–10 scale, before and after each session, per body region. Relief = before − after: a positive number means the client left less sore.";
    let title = format!("Soreness relief report, {}", out.summary.period.words());
    let ws = start_sheet(out.workbook, &out.plan.overview, out.styles, &title, about)?;
    ws.set_active(true);
    ws.set_screen_gridlines(false);
    ws.set_print_fit_to_pages(1, 1);
    let mut grid = Grid::new(ws, out.styles);
    let row = headline_section(&mut grid, out.summary, 3)?;
    let row = personalisation_section(&mut grid, out.summary, row + 1)?;
    let row = numbers_section(&mut grid, out.summary, row + 1)?;
    let row = read_section(&mut grid, out.summary, out.plan, row + 1)?;
    contents_section(&mut grid, out.plan, row + 1)?;
    // The headline sentences run across the sheet; fixed widths keep the numbers block tidy.
    grid.ws.set_column_width(0, 30)?;
    for col in 1..=7 {
        grid.ws.set_column_width(col, 12)?;
    }
    grid.ws.set_column_width(8, 18)?;
    Ok(())
}

/// Writes a section title at `row`; returns the row below it.
fn section(grid: &mut Grid, row: u32, title: &str) -> Result<u32, XlsxError> {
    grid.ws
        .write_string_with_format(row, 0, title, &grid.styles.section)?;
    Ok(row + 1)
}

/// One sentence per region; returns the row after the section.
fn headline_section(grid: &mut Grid, summary: &Summary, row: u32) -> Result<u32, XlsxError> {
    let mut row = section(grid, row, "Headline")?;
    if summary.regions.is_empty() {
        grid.text(row, 0, "No session had both scores in this period.", false)?;
        row += 1;
    }
    for r in &summary.regions {
        grid.ws.write_string(
            row,
            0,
            headline(r.region.label(), &r.figures, &summary.settings),
        )?;
        row += 1;
    }
    Ok(row)
}

/// One sentence on focus at equal arrival soreness and one on the course of care, each
/// wrapped across the sheet's width; returns the row after the section.
fn personalisation_section(grid: &mut Grid, summary: &Summary, row: u32) -> Result<u32, XlsxError> {
    let mut row = section(grid, row, "Does personalisation help?")?;
    for sentence in [adjusted_headline(summary), course_headline(summary)] {
        grid.ws
            .merge_range(row, 0, row, 8, &sentence, &grid.styles.wrap)?;
        // Excel does not grow merged rows to fit; about 120 characters fit on a line.
        let lines = sentence.chars().count().div_ceil(120).max(1);
        grid.ws.set_row_height(row, 15.0 * lines as f64 + 2.0)?;
        row += 1;
    }
    Ok(row)
}

/// The headline figures as a small table, the same cells as the Regions sheet.
fn numbers_section(grid: &mut Grid, summary: &Summary, row: u32) -> Result<u32, XlsxError> {
    let s = &summary.settings;
    let mut row = section(grid, row, "In numbers")?;
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
            .write_string_with_format(row, c as u16, h, &grid.styles.header)?;
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
            (19, Kind::Text),
        ]
        .into_iter()
        .enumerate()
        {
            grid.cell(row, 2 + c as u16, &all[i], kind, small)?;
        }
        row += 1;
    }
    if row > first_number_row {
        let scale = grid.styles.change_scale();
        grid.ws
            .add_conditional_format(first_number_row, 4, row - 1, 4, &scale)?;
    }
    Ok(row)
}

/// Files, sheets and rows: what was read, used, rejected, counted once or left out.
fn read_section(
    grid: &mut Grid,
    summary: &Summary,
    plan: &Plan,
    row: u32,
) -> Result<u32, XlsxError> {
    let mut row = section(grid, row, "What was read")?;
    let failed = summary.files.iter().filter(|f| f.error.is_some()).count();
    let sheets: usize = summary.files.iter().map(|f| f.sheets.len()).sum();
    let c = &summary.rows;
    let mut counts: Vec<(String, u64, String)> = [
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
    ]
    .into_iter()
    .map(|(label, n, hint)| (label.to_string(), n, hint.to_string()))
    .collect();
    for g in &plan.groups {
        if let Some(value) = g.table.spec.unknown {
            counts.push((
                format!("Rows without {}", value.word()),
                summary.unknown.of(value),
                format!("left out of the {} table only", g.table.spec.sheet),
            ));
        }
    }
    grid.ws
        .write_string_with_format(row, 0, "Period", &grid.styles.label)?;
    grid.text(row, 1, &summary.period.name(), false)?;
    row += 1;
    for (label, value, hint) in counts {
        grid.ws
            .write_string_with_format(row, 0, &label, &grid.styles.label)?;
        grid.number(row, 1, value as f64, Kind::Count, false)?;
        if !hint.is_empty() {
            grid.ws
                .write_string_with_format(row, 2, &hint, &grid.styles.subtitle)?;
        }
        row += 1;
    }
    Ok(row)
}

/// Every sheet of the workbook with a line on what it holds.
fn contents_section(grid: &mut Grid, plan: &Plan, row: u32) -> Result<u32, XlsxError> {
    let mut row = section(grid, row, "Sheets in this workbook")?;
    for (name, what) in plan.contents() {
        grid.ws
            .write_string_with_format(row, 0, &name, &grid.styles.bold)?;
        grid.ws.write_string(row, 1, &what)?;
        row += 1;
    }
    Ok(row)
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
