//! The "Personalisation, adjusted" sheet (SPEC §3.2: raw and adjusted differences side by side)
//! and the "Course of care" sheet (SPEC §3.3), and the Overview's headline sentence for each.
//!
//! Raw group means mix a factor with how sore the region arrived, so this sheet puts the raw
//! difference beside the one at equal arrival soreness, and every sentence about it says that an
//! adjusted difference is an association in the clinic's records, not proof of cause. A figure
//! that cannot be computed is a blank cell whose note says why, in words, as on every sheet.

use super::{Cell, Grid, Out, finish_table, pct, start_sheet, table_row};
use crate::style::Kind;
use relief_core::personalisation::{AdjustedEntry, CourseEntry, Factor, RegionOrAll};
use relief_core::summary::{Settings, Summary};
use relief_core::words::{count, one_decimal as one};
use rust_xlsxwriter::XlsxError;

/// The caveat every adjusted figure carries.
pub const ASSOCIATION: &str = "an association in the clinic's records at equal arrival soreness, not proof that the factor caused the relief";

/// Headers of the adjusted table, in column order.
pub fn adjusted_headers() -> Vec<String> {
    [
        "Factor",
        "Level",
        "Reference level",
        "Region",
        "Rows",
        "Clients",
        "Reference rows",
        "Raw difference (points)",
        "Adjusted difference (points)",
        "95 % CI low",
        "95 % CI high",
        "Small sample",
    ]
    .map(String::from)
    .into()
}

/// Why an entry is a small sample, in words; the first rule that applies (SPEC §3.2).
pub fn small_reason(e: &AdjustedEntry, min: u64) -> String {
    if e.rows < min {
        format!(
            "only {} at this level (fewer than {min})",
            count(e.rows, "row", "rows")
        )
    } else if e.reference_rows < min {
        format!(
            "only {} at the reference level (fewer than {min})",
            count(e.reference_rows, "row", "rows")
        )
    } else if e.clients < 2 {
        "every row at this level is from one client".to_string()
    } else {
        "fewer than 2 clients at the reference level, or fewer than 10 clients in the comparison"
            .to_string()
    }
}

/// The note of a missing adjusted difference.
pub const NO_ADJUSTED: &str = "No adjusted difference: the comparison at equal arrival soreness cannot be computed here, because arrival soreness was the same in every row, there are too few rows for what has to be estimated, or there are more techniques than one comparison can hold (a model has at most 64 columns: about 54 techniques over all regions, 62 in one region). The raw difference is still shown.";

/// The cells of one adjusted entry, in [`adjusted_headers`] order.
fn adjusted_cells(e: &AdjustedEntry, s: &Settings) -> Vec<(Cell, Kind)> {
    let ci_missing = || {
        Cell::Missing(if e.small_sample {
            format!(
                "No confidence interval: small sample, {}. The estimate is shown but is fragile.",
                small_reason(e, s.min_group_size)
            )
        } else if e.adjusted_difference.is_none() {
            "No confidence interval: there is no adjusted difference (see its note).".to_string()
        } else {
            "No confidence interval: the spread of the estimate could not be computed.".to_string()
        })
    };
    let ci = |i: usize| e.ci95.map_or_else(ci_missing, |c| Cell::Number(c[i]));
    let n = |v: u64| (Cell::Number(v as f64), Kind::Count);
    let text = |t: String| (Cell::Text(t), Kind::Text);
    vec![
        text(e.factor.label().to_string()),
        text(e.level_words()),
        text(e.reference_words()),
        text(e.region.label().to_string()),
        n(e.rows),
        n(e.clients),
        n(e.reference_rows),
        (Cell::Number(e.raw_difference), Kind::Score),
        (
            e.adjusted_difference
                .map_or_else(|| Cell::Missing(NO_ADJUSTED.into()), Cell::Number),
            Kind::Score,
        ),
        (ci(0), Kind::Score),
        (ci(1), Kind::Score),
        text(if e.small_sample {
            format!("yes: {}", small_reason(e, s.min_group_size))
        } else {
            String::new()
        }),
    ]
}

/// Writes the "Personalisation, adjusted" sheet.
pub fn write_adjusted(out: &mut Out) -> Result<(), XlsxError> {
    let mut about = "Does focus, pressure, minutes or technique go with more relief? Raw: the difference in mean relief as recorded. Adjusted: the difference at equal arrival soreness, with a 95 % CI that allows for clients' repeat sessions.".to_string();
    if out.summary.adjusted.is_empty() {
        about.push_str(
            " No comparison in this period: each factor needs recorded rows at two levels or more.",
        );
    }
    let ws = start_sheet(
        out.workbook,
        &out.plan.adjusted,
        out.styles,
        "Personalisation, raw and at equal arrival soreness",
        &about,
    )?;
    ws.write_string_with_format(
        2,
        0,
        format!(
            "Each level is compared with the reference level of its factor. An adjusted difference is {ASSOCIATION}."
        ),
        &out.styles.subtitle,
    )?;
    let mut grid = Grid::new(ws, out.styles);
    let headers = adjusted_headers();
    for (i, e) in out.summary.adjusted.iter().enumerate() {
        let cells = adjusted_cells(e, &out.summary.settings);
        grid.cells(table_row(i), 0, &cells, e.small_sample)?;
    }
    let rows = out.summary.adjusted.len() as u32;
    grid.change_scale(rows, [7, 8])?;
    finish_table(&mut grid, "Adjusted", &headers, rows, 8)
}

/// Headers of the course table, in column order; the 30 % one names the threshold in force.
pub fn course_headers(s: &Settings) -> Vec<String> {
    vec![
        "Region".into(),
        "Clients".into(),
        "Before at first session (mean)".into(),
        "Before at latest session (mean)".into(),
        "Fall (mean, points)".into(),
        "SD of fall".into(),
        "95 % CI low".into(),
        "95 % CI high".into(),
        "Clinically important fall".into(),
        format!("Fell by ≥ {} %", pct(s.responder_threshold)),
        "Sessions per client (median)".into(),
        "Small sample".into(),
    ]
}

/// The cells of one course entry, in [`course_headers`] order.
fn course_cells(e: &CourseEntry, s: &Settings) -> Vec<(Cell, Kind)> {
    let min = s.min_group_size;
    let ci_missing = || {
        Cell::Missing(if e.small_sample {
            format!("No confidence interval: fewer than {min} clients (small sample).")
        } else {
            "No confidence interval: the spread of the falls is unknown.".to_string()
        })
    };
    let ci = |i: usize| e.ci95.map_or_else(ci_missing, |c| Cell::Number(c[i]));
    let rate =
        |v: Option<f64>, why: &str| v.map_or_else(|| Cell::Missing(why.into()), Cell::Number);
    vec![
        (Cell::Text(e.region.label().into()), Kind::Text),
        (Cell::Number(e.clients as f64), Kind::Count),
        (Cell::Number(e.mean_first), Kind::Score),
        (Cell::Number(e.mean_latest), Kind::Score),
        (Cell::Number(e.mean_fall), Kind::Score),
        (rate(e.sd_fall, "No SD: a single client."), Kind::Score),
        (ci(0), Kind::Score),
        (ci(1), Kind::Score),
        (
            rate(
                e.mcid_rate,
                "No rate: no client arrived at 1 or more at their first session.",
            ),
            Kind::Rate,
        ),
        (
            rate(
                e.fall_30_rate,
                "No rate: every client arrived at 0 at their first session.",
            ),
            Kind::Rate,
        ),
        (Cell::Number(e.median_sessions), Kind::Score),
        (
            Cell::Text(if e.small_sample {
                format!("yes: under {min} clients")
            } else {
                String::new()
            }),
            Kind::Text,
        ),
    ]
}

/// Writes the "Course of care" sheet.
pub fn write_course(out: &mut Out) -> Result<(), XlsxError> {
    let mut about = format!(
        "Do regular clients arrive less sore? Per region, the clients with two or more sessions scoring it up to {}, the latest in this period: soreness on arrival at their first such session and at their latest. Every session in the data up to then counts; later ones are ignored.",
        out.summary.period.end_of_last_month().format("%-d %B %Y")
    );
    if out.summary.course.is_empty() {
        about.push_str(" No such client in this period.");
    }
    let ws = start_sheet(
        out.workbook,
        &out.plan.course,
        out.styles,
        "Course of care: arrival soreness, first session against latest",
        &about,
    )?;
    let mut grid = Grid::new(ws, out.styles);
    let headers = course_headers(&out.summary.settings);
    for (i, e) in out.summary.course.iter().enumerate() {
        let cells = course_cells(e, &out.summary.settings);
        grid.cells(table_row(i), 0, &cells, e.small_sample)?;
    }
    let rows = out.summary.course.len() as u32;
    grid.change_scale(rows, [4])?;
    finish_table(&mut grid, "CourseOfCare", &headers, rows, 11)
}

/// A difference in relief in words: `1.8 points more relief`, `0.4 points less relief`,
/// `the same relief`.
fn more_relief(d: f64) -> String {
    let v = one(d.abs());
    let unit = if v == "1.0" { "point" } else { "points" };
    match v.as_str() {
        "0.0" => "the same relief".to_string(),
        _ if d > 0.0 => format!("{v} {unit} more relief"),
        _ => format!("{v} {unit} less relief"),
    }
}

/// The Overview's sentence on focus at equal arrival soreness (the pooled focus entry).
pub fn adjusted_headline(summary: &Summary) -> String {
    let pooled = summary
        .adjusted
        .iter()
        .find(|e| e.factor == Factor::Focus && e.region == RegionOrAll::All);
    let Some(e) = pooled else {
        return "Focus regions against the rest: no comparison at equal arrival soreness in this period, because it needs both focus and non-focus rows.".to_string();
    };
    let raw = more_relief(e.raw_difference);
    let rows = count(e.rows, "focus row", "focus rows");
    let Some(adjusted) = e.adjusted_difference else {
        return format!(
            "Focus regions had {raw} than the rest as recorded (all regions, {rows}); the difference at equal arrival soreness cannot be computed, because arrival soreness was the same in every row or there are too few rows."
        );
    };
    let ci = match e.ci95 {
        Some([lo, hi]) => format!("95 % CI {} to {}", one(lo), one(hi)),
        None => format!(
            "no confidence interval: {}",
            small_reason(e, summary.settings.min_group_size)
        ),
    };
    let sorer = match (summary.focus_arrival(true), summary.focus_arrival(false)) {
        (Some(f), Some(o)) if one(f) != one(o) && f > o => format!(
            ": focus regions arrived sorer ({} against {} on average), and a sorer region has more to relieve",
            one(f),
            one(o)
        ),
        _ => String::new(),
    };
    let (r, a) = (one(e.raw_difference), one(adjusted));
    let compared = if a == r {
        String::new()
    } else if adjusted < e.raw_difference {
        format!(" — less than the raw gap{sorer}")
    } else {
        " — more than the raw gap".to_string()
    };
    format!(
        "Focus regions had {raw} than the rest as recorded, and {} at equal arrival soreness ({ci}; all regions, {rows}){compared}. That is {ASSOCIATION}.",
        more_relief(adjusted)
    )
}

/// The Overview's sentence on the course of care: the overall direction (the clients' mean
/// fall over every region), the region with the most regular clients, and in how many regions
/// arrival soreness fell.
pub fn course_headline(summary: &Summary) -> String {
    let Some(e) = summary
        .course
        .iter()
        .max_by(|a, b| a.clients.cmp(&b.clients).then(b.region.cmp(&a.region)))
    else {
        return "Course of care: no client had two or more sessions scoring a region with the latest in this period, so there is nothing to compare yet.".to_string();
    };
    let fell = summary.course.iter().filter(|c| c.mean_fall > 0.0).count();
    let regions = summary.course.len();
    let clients = count(e.clients, "client", "clients");
    let movement = match one(e.mean_fall).as_str() {
        "0.0" => format!(
            "arrived at about {} at their first and at their latest session",
            one(e.mean_first)
        ),
        _ if e.mean_fall > 0.0 => format!(
            "arrived at {} on average at their first session and {} at their latest, a fall of {} points",
            one(e.mean_first),
            one(e.mean_latest),
            one(e.mean_fall)
        ),
        _ => format!(
            "arrived at {} on average at their first session and {} at their latest, {} points sorer",
            one(e.mean_first),
            one(e.mean_latest),
            one(-e.mean_fall)
        ),
    };
    let ci = match e.ci95 {
        Some([lo, hi]) => format!(" (95 % CI {} to {})", one(lo), one(hi)),
        None => " (too few clients for a confidence interval)".to_string(),
    };
    let important = e
        .mcid_rate
        .map(|r| {
            format!(
                ", a clinically important fall for {} % of them",
                (r * 100.0).round()
            )
        })
        .unwrap_or_default();
    // The lead follows the fall over all counted clients, each region weighted by its clients.
    let weighted = summary.course_mean(|c| c.mean_fall).unwrap_or(0.0);
    let lead = match one(weighted).as_str() {
        "0.0" => "Regular clients arrive about as sore as when their course began",
        _ if weighted > 0.0 => "Regular clients arrive less sore as their course goes on",
        _ => "Regular clients arrive sorer as their course goes on",
    };
    format!(
        "{lead}: in the {}, {clients} with two or more sessions {movement}{ci}{important}; arrival soreness fell in {fell} of {} with such clients.",
        e.region.label().to_lowercase(),
        count(regions as u64, "region", "regions")
    )
}
