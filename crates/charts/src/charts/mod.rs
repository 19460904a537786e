//! The statistical charts: before vs after, trend, responders, personalisation, the adjusted
//! differences and the course of care. (The body map has its own module: it is a drawing, not a
//! chart.)
//!
//! Region charts share one layout: a label column on the left (region name beside its colour
//! dot), the plot in the middle, and a value column on the right that spells out the figures
//! behind each mark. Columns are measured from the text they hold and labels are shortened with
//! an ellipsis when space runs out, so nothing overlaps whatever the names. Every region appears
//! on every region chart, with "no data" where it has none, so the charts line up when printed
//! side by side.

mod adjusted;
mod before_after;
mod course;
mod line;
mod personalisation;
mod responders;
mod trend;

pub use adjusted::adjusted;
pub use before_after::before_after;
pub use course::course;
pub use personalisation::personalisation;
pub use responders::responders;
pub use trend::trend;

use crate::ChartError;
use crate::canvas::{Align, Canvas, Font};
use crate::layout::{self, Body, LABEL, Scale};
use crate::palette::{self, region_colour};
use relief_core::Region;
use relief_core::summary::Figures;

/// One region row of a region chart: where it sits and the space it has.
pub(super) struct Row {
    pub(super) region: Region,
    /// Vertical centre of the row.
    pub(super) y: i32,
    /// Row height in pixels.
    pub(super) h: i32,
}

/// Lays out one row per region between `top` and `bottom`, draws the alternating bands across
/// `[left, right]` and the region labels right-aligned at `label_right`.
pub(super) fn region_rows(
    c: &Canvas,
    top: i32,
    bottom: i32,
    left: i32,
    right: i32,
    label_right: i32,
) -> Result<Vec<Row>, ChartError> {
    let n = Region::ALL.len() as i32;
    let h = (bottom - top) / n;
    let mut rows = Vec::new();
    for (i, region) in Region::ALL.into_iter().enumerate() {
        let y0 = top + i as i32 * h;
        if i.is_multiple_of(2) {
            c.rect((left, y0), (right, y0 + h - 1), palette::BAND)?;
        }
        let y = y0 + h / 2;
        let dot = label_right - c.px(12.0);
        c.circle((dot, y), 8.0, region_colour(region), 0.0)?;
        c.text(region.label(), dot - c.px(20.0), y, Align::Right, LABEL)?;
        rows.push(Row { region, y, h });
    }
    Ok(rows)
}

/// Under a legend at `legend_y`: one row per region and the 0–10 soreness axis with its
/// `title`, as the before–after and course-of-care charts both draw them.
pub(super) fn soreness_rows(
    c: &Canvas,
    body: &Body,
    legend_y: i32,
    (plot_l, plot_r): (i32, i32),
    label_w: i32,
    title: &str,
) -> Result<(Scale, Vec<Row>), ChartError> {
    let (top, bottom) = (legend_y + c.px(32.0), body.bottom - c.px(76.0));
    let x = Scale {
        v0: 0.0,
        v1: 10.0,
        p0: plot_l,
        p1: plot_r,
    };
    let rows = region_rows(c, top, bottom, body.left, body.right, body.left + label_w)?;
    let step = if plot_r - plot_l > c.px(600.0) {
        1.0
    } else {
        2.0
    };
    layout::x_axis(c, x, step, top, bottom, title, &|t| layout::num(t, 0))?;
    Ok((x, rows))
}

/// The width of the label column: the longest region label, its dot and a gap.
pub(super) fn label_column(c: &Canvas) -> i32 {
    Region::ALL
        .iter()
        .map(|r| c.text_width(r.label(), LABEL))
        .max()
        .unwrap_or(0)
        + c.px(52.0)
}

/// The width of a value column holding `texts`, capped at `max`.
pub(super) fn value_column(c: &Canvas, texts: &[String], font: Font, max: i32) -> i32 {
    (texts
        .iter()
        .map(|t| c.text_width(t, font))
        .max()
        .unwrap_or(0)
        + c.px(24.0))
    .min(max)
}

/// `n = 130`, with thousands separators.
pub(super) fn n(f: &Figures) -> String {
    format!("n = {}", layout::thousands(f.rows))
}

/// A change in words: `2.4 points less sore`.
pub(super) fn change_words(change: f64) -> String {
    let v = layout::one(change.abs());
    let unit = if v == "1.0" { "point" } else { "points" };
    if v == "0.0" {
        "no change".to_string()
    } else if change > 0.0 {
        format!("{v} {unit} less sore")
    } else {
        format!("{v} {unit} more sore")
    }
}
