//! One sheet per analysis group: the group's keys, then the same figure columns for every
//! group, as an Excel table with a colour scale on the relief columns and small samples flagged.

use super::{Cell, Grid, Group, Out, finish_table, num, pct, start_sheet, table_row};
use crate::style::Kind;
use relief_core::summary::{Figures, KeyCell, Settings};
use rust_xlsxwriter::XlsxError;

/// The header of the `mcid_rate` column (SPEC §3.1).
pub const MCID_RATE: &str = "Clinically important relief (for arrival soreness)";

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
        col(MCID_RATE.into(), Kind::Rate, false),
        col("Rows with before = 0".into(), Kind::Count, false),
        col("Small sample".into(), Kind::Text, false),
    ]
}

/// The cells of one row of figures, in [`figure_columns`] order.
pub(super) fn figure_cells(f: &Figures, s: &Settings) -> Vec<Cell> {
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
        opt(f.mcid_rate, &|| {
            Cell::Missing(
                "No rate: no row in this group arrived with soreness 1 or more, so none can be judged."
                    .into(),
            )
        }),
        count(f.zero_before_rows),
        Cell::Text(if f.small_sample {
            format!("yes: under {} rows", s.min_group_size)
        } else {
            String::new()
        }),
    ]
}

/// Writes one analysis group as a table.
pub fn write_group(out: &mut Out, group: &Group) -> Result<(), XlsxError> {
    let settings = &out.summary.settings;
    let spec = &group.table.spec;
    let mut about = spec.about.to_string();
    if group.table.rows.is_empty() {
        about.push_str(" No rows in this period.");
    }
    if let Some(value) = spec.unknown {
        let n = out.summary.unknown.of(value);
        if n > 0 {
            about.push_str(&format!(
                " {n} rows had no {} recorded and are left out of this table.",
                value.word()
            ));
        }
    }
    let ws = start_sheet(out.workbook, &group.sheet, out.styles, spec.title, &about)?;
    let mut grid = Grid::new(ws, out.styles);
    let columns = figure_columns(settings);
    let mut headers: Vec<String> = spec.headers.iter().map(|k| k.to_string()).collect();
    headers.extend(columns.iter().map(|c| c.header.clone()));
    let first_figure = spec.headers.len() as u16;

    for (i, (keys, figures)) in group.table.rows.iter().enumerate() {
        let row = table_row(i);
        let small = figures.small_sample;
        for (c, key) in keys.iter().enumerate() {
            match key {
                KeyCell::Text(t) => grid.text(row, c as u16, t, small)?,
                KeyCell::Number(v) => grid.number(row, c as u16, *v, Kind::Count, small)?,
            }
        }
        for (c, (cell, column)) in figure_cells(figures, settings)
            .iter()
            .zip(&columns)
            .enumerate()
        {
            grid.cell(row, first_figure + c as u16, cell, column.kind, small)?;
        }
    }
    let rows = group.table.rows.len() as u32;
    let change = (0..).zip(&columns).filter(|(_, c)| c.change);
    grid.change_scale(rows, change.map(|(c, _)| first_figure + c))?;
    finish_table(&mut grid, spec.table, &headers, rows, 8)
}
