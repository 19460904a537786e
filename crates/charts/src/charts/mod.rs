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

use crate::canvas::{Align, Canvas, Font};
use crate::layout::{self, Body, Key, LABEL, NOTE, Scale, VALUE};
use crate::palette::{self, region_colour};
use crate::{ChartError, region_figures};
use relief_core::Region;
use relief_core::summary::{Figures, Summary};

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

/// Under a legend at `legend_y`: one row per region across the body and, over the plot, the
/// value axis from 0 to `v1` in steps of `step`, with its `title` and tick labels.
pub(super) fn region_plot(
    c: &Canvas,
    body: &Body,
    legend_y: i32,
    cols: &Columns,
    (v1, step): (f64, f64),
    title: &str,
    tick: &dyn Fn(f64) -> String,
) -> Result<(Scale, Vec<Row>), ChartError> {
    let (top, bottom) = (legend_y + c.px(32.0), body.bottom - c.px(76.0));
    let x = Scale {
        v0: 0.0,
        v1,
        p0: cols.plot_l,
        p1: cols.plot_r,
    };
    let rows = region_rows(
        c,
        top,
        bottom,
        body.left,
        body.right,
        body.left + cols.label_w,
    )?;
    let axis = layout::Axis {
        scale: x,
        step,
        title,
        tick,
    };
    layout::x_axis(c, &axis, top, bottom)?;
    Ok((x, rows))
}

/// [`region_plot`] on the 0–10 soreness scale, as the before–after and course-of-care charts
/// both draw it.
pub(super) fn soreness_rows(
    c: &Canvas,
    body: &Body,
    legend_y: i32,
    cols: &Columns,
    title: &str,
) -> Result<(Scale, Vec<Row>), ChartError> {
    let step = if cols.plot_r - cols.plot_l > c.px(600.0) {
        1.0
    } else {
        2.0
    };
    region_plot(c, body, legend_y, cols, (10.0, step), title, &|t| {
        layout::num(t, 0)
    })
}

/// The columns of a region chart: labels, the plot between `plot_l` and `plot_r`, and the
/// figures in words at `value_x`.
pub(super) struct Columns {
    pub(super) label_w: i32,
    pub(super) value_w: i32,
    pub(super) plot_l: i32,
    pub(super) plot_r: i32,
    pub(super) value_x: i32,
}

/// Measures the columns of a region chart whose value column holds `texts` (at most two
/// fifths of the width).
pub(super) fn columns(c: &Canvas, body: &Body, texts: &[String]) -> Columns {
    let label_w = label_column(c);
    let value_w = value_column(c, texts, VALUE, (body.right - body.left) * 2 / 5);
    Columns {
        label_w,
        value_w,
        plot_l: body.left + label_w + c.px(16.0),
        plot_r: body.right - value_w - c.px(24.0),
        value_x: body.right - value_w + c.px(12.0),
    }
}

/// Draws each region row: `marks` draws the row's marks and says whether the region has data;
/// then its text goes in the value column (in the note font where there is no data).
pub(super) fn each_row(
    c: &Canvas,
    cols: &Columns,
    rows: &[Row],
    texts: &[String],
    mut marks: impl FnMut(&Row) -> Result<bool, ChartError>,
) -> Result<(), ChartError> {
    for (row, text) in rows.iter().zip(texts) {
        if marks(row)? {
            let fitted = c.fit(text, cols.value_w - c.px(24.0), VALUE);
            c.text(&fitted, cols.value_x, row.y, Align::Left, VALUE)?;
        } else {
            c.text(text, cols.value_x, row.y, Align::Left, NOTE)?;
        }
    }
    Ok(())
}

/// A confidence-interval whisker from `lo` to `hi` at height `y`, with end caps of half-height
/// `cap`. With `cut`, ends beyond the scale are cut at its edge and drawn without a cap, so a
/// cut end does not pass for the interval's end.
pub(super) fn whisker(
    c: &Canvas,
    x: Scale,
    y: i32,
    cap: i32,
    [lo, hi]: [f64; 2],
    cut: bool,
) -> Result<(), ChartError> {
    let (from, to) = if cut {
        (lo.max(x.v0), hi.min(x.v1))
    } else {
        (lo, hi)
    };
    let (a, b) = (x.at(from), x.at(to));
    c.line(&[(a, y), (b, y)], palette::INK, 2.0)?;
    if !cut || lo >= x.v0 {
        c.line(&[(a, y - cap), (a, y + cap)], palette::INK, 2.0)?;
    }
    if !cut || hi <= x.v1 {
        c.line(&[(b, y - cap), (b, y + cap)], palette::INK, 2.0)?;
    }
    Ok(())
}

/// A mean that moved, on a 0–10 row: from, to, the 95 % CI `[lo, hi]` of the change, and
/// whether it is a small sample.
pub(super) type Dumbbell = (f64, f64, Option<[f64; 2]>, bool);

/// Draws each region row of a dumbbell chart and its text: a muted dot at `from`, a dot in the
/// region's colour at `to` (hollow for a small sample), a tinted bar between them and the
/// whisker of the change's CI drawn around `to` (`cut` as in [`whisker`]). `of` gives a
/// region's dumbbell, `None` where it has no data.
pub(super) fn dumbbells(
    c: &Canvas,
    (cols, x): (&Columns, Scale),
    rows: &[Row],
    texts: &[String],
    cut: bool,
    of: impl Fn(Region) -> Option<Dumbbell>,
) -> Result<(), ChartError> {
    each_row(c, cols, rows, texts, |row| {
        let Some((from, to, ci95, small_sample)) = of(row.region) else {
            return Ok(false);
        };
        let colour = region_colour(row.region);
        let (xf, xt) = (x.at(from), x.at(to));
        c.line(
            &[(xf, row.y), (xt, row.y)],
            palette::tint(colour, 0.45),
            7.0,
        )?;
        if let Some([lo, hi]) = ci95 {
            let cap = (row.h / 5).min(c.px(12.0));
            whisker(c, x, row.y, cap, [from - hi, from - lo], cut)?;
        }
        let r = (f64::from(row.h) / c.s / 4.0).min(12.0);
        c.circle((xf, row.y), r, palette::MUTED, 0.0)?;
        let ring = if small_sample { 3.5 } else { 0.0 };
        c.circle((xt, row.y), r, colour, ring)?;
        Ok(true)
    })
}

/// The words of a dumbbell chart: its legend (from, to, the whisker), the axis title, and
/// whether whiskers are cut at the scale's ends.
pub(super) struct DumbbellChart<'a> {
    pub(super) legend: [&'a str; 3],
    pub(super) axis: &'a str,
    pub(super) cut: bool,
}

/// Draws a dumbbell chart under a legend at `legend_y`: the legend, one row per region on the
/// 0–10 soreness axis, each region's dumbbell from `of` and its text from `texts`.
pub(super) fn dumbbell_chart(
    c: &Canvas,
    body: &Body,
    legend_y: i32,
    texts: &[String],
    chart: &DumbbellChart,
    of: impl Fn(Region) -> Option<Dumbbell>,
) -> Result<(), ChartError> {
    let cols = columns(c, body, texts);
    dumbbell_legend(c, cols.plot_l, legend_y, chart.legend)?;
    let (x, rows) = soreness_rows(c, body, legend_y, &cols, chart.axis)?;
    dumbbells(c, (&cols, x), &rows, texts, chart.cut, of)
}

/// The legend of a dumbbell chart: the muted dot for `from`, the region colour for `to`, and
/// the whisker.
pub(super) fn dumbbell_legend(
    c: &Canvas,
    x: i32,
    y: i32,
    [from, to, whisker]: [&str; 3],
) -> Result<i32, ChartError> {
    let dot = |colour| Key::Dot {
        colour,
        hollow: false,
    };
    layout::legend_row(
        c,
        x,
        y,
        &[
            (dot(palette::MUTED), from.into()),
            (dot(region_colour(Region::LowerBack)), to.into()),
            (Key::Whisker, whisker.into()),
        ],
    )
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

/// Each region's text beside its row, from its overall figures; "no data" where it has none.
pub(super) fn region_texts(s: &Summary, text: impl Fn(&Figures) -> String) -> Vec<String> {
    Region::ALL
        .iter()
        .map(|&r| region_figures(s, r).map_or_else(|| "no data".to_string(), &text))
        .collect()
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
