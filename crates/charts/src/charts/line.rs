//! The line chart of the trend: one line per region over an ordered axis (months), small
//! samples hollow.

use super::*;
use crate::ChartError;
use crate::canvas::{Align, Canvas, Font};
use crate::layout::{self, Key, LABEL, NOTE, Scale, TICK, VALUE};
use crate::palette::{self, region_colour, region_marker};
use relief_core::Region;

/// A series of a line chart: a region and its points `(x index, value, small sample)`.
pub(super) struct Series {
    pub(super) region: Region,
    pub(super) rows: u64,
    pub(super) points: Vec<(usize, f64, bool)>,
}

/// Everything a line chart needs besides the series.
pub(super) struct LineChart<'a> {
    pub(super) title: &'a str,
    pub(super) subtitle: String,
    pub(super) footer: String,
    pub(super) x_labels: Vec<String>,
    pub(super) x_title: &'a str,
    pub(super) y_title: &'a str,
    /// The value range to show before rounding to ticks.
    pub(super) y_range: (f64, f64),
    /// A dashed reference line and its label.
    pub(super) reference: Option<(f64, String)>,
    /// The legend's words for a hollow marker.
    pub(super) small_note: String,
}

/// Orders series so the regions with the most rows come first (legend order); ties keep region
/// order.
pub(super) fn by_importance(mut series: Vec<Series>) -> Vec<Series> {
    series.sort_by(|a, b| b.rows.cmp(&a.rows).then(a.region.cmp(&b.region)));
    series
}

pub(super) fn line_chart(c: &Canvas, spec: LineChart, series: &[Series]) -> Result<(), ChartError> {
    let body = layout::frame(c, spec.title, &spec.subtitle, &spec.footer)?;
    // Legend column on the right: one entry per series, most important first.
    let entries: Vec<String> = series
        .iter()
        .map(|s| format!("{}  ({})", s.region.label(), layout::thousands(s.rows)))
        .collect();
    let notes: Vec<String> = std::iter::once(spec.small_note.clone())
        .chain(spec.reference.iter().map(|r| r.1.clone()))
        .collect();
    let legend_w = value_column(c, &entries, VALUE, (body.right - body.left) / 3)
        .max(value_column(c, &notes, NOTE, (body.right - body.left) / 3))
        + c.px(52.0);
    let legend_x = body.right - legend_w + c.px(24.0);
    let (lo, hi, step) = layout::nice_range(spec.y_range.0, spec.y_range.1, 6);
    let tick = |t: f64| layout::num(t, 1);
    // Every tick label, not only the ends: "2.5" is wider than "3".
    let tick_w = layout::ticks(lo, hi, step)
        .iter()
        .map(|&t| c.text_width(&tick(t), layout::TICK))
        .max()
        .unwrap_or(0);
    let title_x = body.left + c.px(14.0);
    let plot_l = title_x + c.px(28.0) + tick_w;
    let plot_r = body.right - legend_w - c.px(16.0);
    let (top, bottom) = (body.top + c.px(16.0), body.bottom - c.px(76.0));
    let y = Scale {
        v0: lo,
        v1: hi,
        p0: bottom,
        p1: top,
    };
    let axis = layout::Axis {
        scale: y,
        step,
        title: spec.y_title,
        tick: &tick,
    };
    layout::y_axis(c, &axis, (plot_l, plot_r), title_x)?;
    legend(c, &spec, series, &entries, (legend_x, top, body.right))?;
    // X axis: evenly spaced categories; labels thinned so they never touch.
    let n = spec.x_labels.len().max(1);
    let slot = f64::from(plot_r - plot_l) / n as f64;
    let x_at = |i: usize| plot_l + (slot * (i as f64 + 0.5)).round() as i32;
    let widest = spec
        .x_labels
        .iter()
        .map(|l| c.text_width(l, TICK))
        .max()
        .unwrap_or(0);
    let every = ((f64::from(widest + c.px(16.0)) / slot).ceil() as usize).max(1);
    for (i, label) in spec.x_labels.iter().enumerate() {
        let x = x_at(i);
        c.line(&[(x, bottom), (x, bottom + c.px(8.0))], palette::MUTED, 1.0)?;
        if i.is_multiple_of(every) {
            c.text(label, x, bottom + c.px(24.0), Align::Centre, TICK)?;
        }
    }
    c.line(&[(plot_l, bottom), (plot_r, bottom)], palette::MUTED, 1.0)?;
    c.text(
        spec.x_title,
        (plot_l + plot_r) / 2,
        bottom + c.px(60.0),
        Align::Centre,
        LABEL,
    )?;
    if let Some((v, _)) = &spec.reference
        && (lo..=hi).contains(v)
    {
        let ry = y.at(*v);
        c.dashed((plot_l, ry), (plot_r, ry), palette::MUTED, 2.0, 10.0)?;
    }
    // Least important first, so the regions that matter most are drawn on top.
    for s in series.iter().rev() {
        let colour = region_colour(s.region);
        for pair in s.points.windows(2) {
            let ((i0, v0, _), (i1, v1, _)) = (pair[0], pair[1]);
            if i1 == i0 + 1 {
                c.line(&[(x_at(i0), y.at(v0)), (x_at(i1), y.at(v1))], colour, 4.0)?;
            }
        }
        for &(i, v, small) in &s.points {
            c.marker(
                region_marker(s.region),
                (x_at(i), y.at(v)),
                9.0,
                colour,
                small,
            )?;
        }
    }
    Ok(())
}

/// One legend line: its key at `x`, then `text` in `font`, shortened to end before `right`.
fn legend_line(
    c: &Canvas,
    key: &Key,
    text: &str,
    font: Font,
    (x, y): (i32, i32),
    right: i32,
) -> Result<(), ChartError> {
    layout::draw_key(c, key, x, y)?;
    let fitted = c.fit(text, right - x - c.px(44.0), font);
    c.text(&fitted, x + c.px(44.0), y, Align::Left, font)?;
    Ok(())
}

/// The legend column from `(x, top)` to `right`: one line per series with its `entries` text,
/// most important first, then what a hollow marker and the reference line mean.
fn legend(
    c: &Canvas,
    spec: &LineChart,
    series: &[Series],
    entries: &[String],
    (x, top, right): (i32, i32, i32),
) -> Result<(), ChartError> {
    let mut y = top + c.px(10.0);
    c.text("Region  (rows)", x, y, Align::Left, NOTE)?;
    y += c.px(36.0);
    for (s, text) in series.iter().zip(entries) {
        let key = Key::Line {
            colour: region_colour(s.region),
            marker: region_marker(s.region),
            hollow: false,
        };
        legend_line(c, &key, text, VALUE, (x, y), right)?;
        y += c.px(36.0);
    }
    if series.is_empty() {
        c.text("no data", x, y, Align::Left, NOTE)?;
        return Ok(());
    }
    let hollow = Key::Line {
        colour: palette::MUTED,
        marker: palette::Marker::Circle,
        hollow: true,
    };
    y += c.px(8.0);
    legend_line(c, &hollow, &spec.small_note, NOTE, (x, y), right)?;
    if let Some((_, label)) = &spec.reference {
        y += c.px(36.0);
        let dashed = Key::Dashed {
            colour: palette::MUTED,
        };
        legend_line(c, &dashed, label, NOTE, (x, y), right)?;
    }
    Ok(())
}
