//! What every chart shares: the title block and footer, linear scales with round ticks, legends,
//! the colour bar of the diverging scale, and the wording of numbers, months and periods.
//!
//! Keeping these in one place is what makes the six charts read as one set: same title size,
//! same subtitle (period and row count), same footer note on small samples, same number style.

use crate::ChartError;
use crate::canvas::{Align, Canvas, Font, Px};
use crate::palette::{self, Marker};
use plotters::style::RGBColor;

/// Text sizes, in design pixels (1600 × 1000).
pub const TITLE: Font = Font::new(44.0).bold();
pub const SUBTITLE: Font = Font::new(24.0).colour(palette::MUTED);
pub const LABEL: Font = Font::new(24.0);
pub const TICK: Font = Font::new(21.0).colour(palette::MUTED);
pub const VALUE: Font = Font::new(21.0);
pub const NOTE: Font = Font::new(19.0).colour(palette::MUTED);

/// Design-pixel margin around the page.
pub const MARGIN: f64 = 48.0;

/// The free rectangle left for a chart's body once the title and footer are drawn.
#[derive(Debug, Clone, Copy)]
pub struct Body {
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
}

/// Where the title, subtitle and footer go, and the body space between them.
struct Chrome {
    title_y: i32,
    sub_y: i32,
    foot_y: i32,
    body: Body,
}

fn chrome(c: &Canvas) -> Chrome {
    let m = c.px(MARGIN);
    let title_y = c.px(MARGIN + 14.0);
    let sub_y = title_y + c.px(48.0);
    let foot_y = c.h - c.px(30.0);
    Chrome {
        title_y,
        sub_y,
        foot_y,
        body: Body {
            left: m,
            top: sub_y + c.px(44.0),
            right: c.w - m,
            bottom: foot_y - c.px(34.0),
        },
    }
}

/// The body space [`frame`] leaves on this canvas, without drawing anything.
#[cfg(test)]
pub fn body_of(c: &Canvas) -> Body {
    chrome(c).body
}

/// Draws the title, the subtitle line and the footer note; returns the space in between.
pub fn frame(c: &Canvas, title: &str, subtitle: &str, footer: &str) -> Result<Body, ChartError> {
    let ch = chrome(c);
    let (m, width) = (ch.body.left, ch.body.right - ch.body.left);
    c.fitted(title, (m, ch.title_y), width, TITLE)?;
    c.fitted(subtitle, (m, ch.sub_y), width, SUBTITLE)?;
    c.fitted(footer, (m, ch.foot_y), width, NOTE)?;
    Ok(ch.body)
}

/// [`frame`] with the subtitle of a chart of `s` (its period and rows, then `extra`) and the
/// footer of a region chart: the small-sample note for its `marks` with `note` after it.
pub fn summary_frame(
    c: &Canvas,
    s: &relief_core::summary::Summary,
    (title, extra): (&str, &str),
    marks: &str,
    note: &str,
) -> Result<Body, ChartError> {
    let footer = footer(marks, s.settings.min_group_size, note);
    chart_frame(c, s, title, extra, &footer)
}

/// [`frame`] with the subtitle of a chart of `s`: its period and rows, then `extra`.
pub fn chart_frame(
    c: &Canvas,
    s: &relief_core::summary::Summary,
    title: &str,
    extra: &str,
    footer: &str,
) -> Result<Body, ChartError> {
    frame(c, title, &subtitle(&s.period, s.rows.used, extra), footer)
}

/// The bold line at the top of the body (a takeaway sentence, a panel's title), shortened to
/// the body's width.
pub fn heading(c: &Canvas, body: &Body, text: &str) -> Result<(), ChartError> {
    let at = (body.left, body.top + c.px(4.0));
    c.fitted(text, at, body.right - body.left, LABEL.bold())?;
    Ok(())
}

/// The subtitle every chart carries: period, rows, and what the rows are.
pub fn subtitle(period: &relief_core::Period, rows: u64, extra: &str) -> String {
    let mut s = format!(
        "{}  ·  {} session × region rows",
        period.label(),
        thousands(rows)
    );
    if !extra.is_empty() {
        s.push_str("  ·  ");
        s.push_str(extra);
    }
    s
}

/// How a chart with bars and markers draws a small sample, for [`footer`].
pub const BARS_AND_MARKERS: &str = "Hatched bars and hollow markers";
/// How a chart of markers only draws a small sample.
pub const MARKERS: &str = "Hollow";

/// The footer every chart carries: how its `marks` show a small sample, then `extra`.
pub fn footer(marks: &str, min_group: u64, extra: &str) -> String {
    let mut s =
        format!("{marks}: fewer than {min_group} rows (small sample, no confidence interval).");
    if !extra.is_empty() {
        s.push_str("  ");
        s.push_str(extra);
    }
    s
}

/// A linear map from values to pixels.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub v0: f64,
    pub v1: f64,
    pub p0: i32,
    pub p1: i32,
}

impl Scale {
    /// Pixel of a value. Values outside the range extrapolate a little, but no further than one
    /// range width, so a broken figure (NaN, infinite) cannot send a line across the universe.
    pub fn at(&self, v: f64) -> i32 {
        if self.v1 == self.v0 || !v.is_finite() {
            return self.p0;
        }
        let t = ((v - self.v0) / (self.v1 - self.v0)).clamp(-1.0, 2.0);
        (f64::from(self.p0) + t * f64::from(self.p1 - self.p0)).round() as i32
    }
}

/// A "nice" step (1, 2, 2.5 or 5 × 10ⁿ) that splits `span` into at most `max_ticks` parts.
pub fn nice_step(span: f64, max_ticks: usize) -> f64 {
    let raw = span.abs().max(1e-9) / max_ticks.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * mag >= raw {
            return m * mag;
        }
    }
    10.0 * mag
}

/// Widens `[lo, hi]` outwards to whole steps; returns the range and the step.
pub fn nice_range(lo: f64, hi: f64, max_ticks: usize) -> (f64, f64, f64) {
    let (lo, hi) = if hi - lo < 1e-9 {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    };
    let step = nice_step(hi - lo, max_ticks);
    ((lo / step).floor() * step, (hi / step).ceil() * step, step)
}

/// The tick values of a range, by step.
pub fn ticks(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let n = ((hi - lo) / step).round() as i64;
    (0..=n).map(|i| lo + i as f64 * step).collect()
}

/// A number with at most `decimals` decimals, a true minus sign, and no `-0`.
pub fn num(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".to_string()
    } else {
        s.replace('-', "−")
    }
}

pub use relief_core::words::one_decimal as one;

/// A count with thin thousands separators: `12 345`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(ch);
    }
    out
}

/// A percentage from a fraction: `0.634` → `63 %`.
pub fn percent(rate: f64) -> String {
    format!("{:.0} %", rate * 100.0)
}

/// `2026-10` → `October 2026`; anything else is returned as given.
pub fn month_label(month: &str) -> String {
    relief_core::words::month_name(month).unwrap_or_else(|| month.to_string())
}

/// `2026-10` → `Oct 2026`, for axis ticks.
pub fn month_short(month: &str) -> String {
    relief_core::words::month_short(month).unwrap_or_else(|| month.to_string())
}

/// One entry of a legend.
pub enum Key {
    /// A region's marker and line.
    Line {
        colour: RGBColor,
        marker: Marker,
        hollow: bool,
    },
    /// A filled box, optionally hatched.
    Swatch { fill: RGBColor, hatched: bool },
    /// A round dot, hollow for small samples.
    Dot { colour: RGBColor, hollow: bool },
    /// A marker of any shape, without a line.
    Marker {
        shape: Marker,
        colour: RGBColor,
        hollow: bool,
    },
    /// A confidence-interval whisker.
    Whisker,
    /// A dashed reference line.
    Dashed { colour: RGBColor },
    /// An empty outlined box: a part of the body map that is not a region.
    Outline,
}

/// Draws a legend row from left to right starting at `(x, y)`; returns the x after it.
pub fn legend_row(c: &Canvas, x: i32, y: i32, items: &[(Key, String)]) -> Result<i32, ChartError> {
    let mut x = x;
    for (key, label) in items {
        draw_key(c, key, x, y)?;
        x += c.px(44.0);
        x += c.text(label, x, y, Align::Left, VALUE)?;
        x += c.px(34.0);
    }
    Ok(x)
}

/// Draws one legend key with its left edge at `x`, centred on `y`, 34 design pixels wide.
pub fn draw_key(c: &Canvas, key: &Key, x: i32, y: i32) -> Result<(), ChartError> {
    match key {
        Key::Line {
            colour,
            marker,
            hollow,
        } => {
            c.line(&[(x, y), (x + c.px(34.0), y)], *colour, 3.0)?;
            c.marker(*marker, (x + c.px(17.0), y), 8.0, *colour, *hollow)
        }
        Key::Swatch { fill, hatched } => {
            let (a, b) = ((x, y - c.px(11.0)), (x + c.px(34.0), y + c.px(11.0)));
            c.rect(a, b, *fill)?;
            if *hatched {
                c.hatch_rect(a, b, palette::BACKGROUND)?;
                c.rect_outline(a, b, palette::MUTED, 1.0)?;
            }
            Ok(())
        }
        Key::Dot { colour, hollow } => c.circle(
            (x + c.px(17.0), y),
            10.0,
            *colour,
            if *hollow { 3.5 } else { 0.0 },
        ),
        Key::Marker {
            shape,
            colour,
            hollow,
        } => c.marker(*shape, (x + c.px(17.0), y), 9.0, *colour, *hollow),
        Key::Whisker => {
            let (a, b) = (x + c.px(2.0), x + c.px(32.0));
            c.line(&[(a, y), (b, y)], palette::INK, 2.0)?;
            c.line(&[(a, y - c.px(9.0)), (a, y + c.px(9.0))], palette::INK, 2.0)?;
            c.line(&[(b, y - c.px(9.0)), (b, y + c.px(9.0))], palette::INK, 2.0)
        }
        Key::Dashed { colour } => c.dashed((x, y), (x + c.px(34.0), y), *colour, 2.0, 6.0),
        Key::Outline => {
            let (a, b) = ((x, y - c.px(11.0)), (x + c.px(34.0), y + c.px(11.0)));
            c.rect_outline(a, b, palette::MUTED, 2.0)
        }
    }
}

/// Draws the diverging colour bar, `width` pixels wide with its top left at `at`, ticks every
/// point from `-limit` to `+limit`, and the words for each end.
pub fn colour_bar(
    c: &Canvas,
    at: Px,
    width: i32,
    limit: f64,
    title: &str,
) -> Result<i32, ChartError> {
    let (x0, y0) = at;
    let bar_h = c.px(22.0);
    c.text(title, x0 + width / 2, y0, Align::Centre, LABEL)?;
    let top = y0 + c.px(24.0);
    for i in 0..width {
        let v = -limit + 2.0 * limit * (f64::from(i) + 0.5) / f64::from(width);
        c.rect(
            (x0 + i, top),
            (x0 + i, top + bar_h),
            palette::diverging(v, limit),
        )?;
    }
    c.rect_outline((x0, top), (x0 + width, top + bar_h), palette::MUTED, 1.0)?;
    let scale = Scale {
        v0: -limit,
        v1: limit,
        p0: x0,
        p1: x0 + width,
    };
    let step = nice_step(2.0 * limit, 6).max(0.5);
    let ty = top + bar_h + c.px(20.0);
    for t in ticks(-limit, limit, step) {
        let x = scale.at(t);
        c.line(
            &[(x, top + bar_h), (x, top + bar_h + c.px(6.0))],
            palette::MUTED,
            1.0,
        )?;
        let label = if t > 0.0 {
            format!("+{}", num(t, 1))
        } else {
            num(t, 1)
        };
        c.text(&label, x, ty, Align::Centre, TICK)?;
    }
    let wy = ty + c.px(28.0);
    c.text("◀ more sore after", x0, wy, Align::Left, NOTE)?;
    c.text(
        "less sore after (relief) ▶",
        x0 + width,
        wy,
        Align::Right,
        NOTE,
    )?;
    Ok(wy + c.px(12.0))
}

/// The symmetric limit of the diverging scale: at least 3 points, else the largest |change|
/// rounded up to a whole point, so a typical month uses the full range of colours.
pub fn diverging_limit(changes: impl IntoIterator<Item = f64>) -> f64 {
    let max = changes
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    max.ceil().clamp(3.0, 10.0)
}

/// The grid lines of an axis, one per tick: its value, its pixel on `scale`, and its colour and
/// width (the zero line stronger than the rest).
fn grid_lines(scale: Scale, step: f64) -> impl Iterator<Item = (f64, i32, RGBColor, f64)> {
    let (lo, hi) = (scale.v0.min(scale.v1), scale.v0.max(scale.v1));
    ticks(lo, hi, step).into_iter().map(move |t| {
        let zero = t.abs() < 1e-9;
        let (colour, width) = if zero {
            (palette::MUTED, 2.0)
        } else {
            (palette::GRID, 1.0)
        };
        (t, scale.at(t), colour, width)
    })
}

/// A value axis: its scale, the step between grid lines, its title and how a tick reads.
pub struct Axis<'a> {
    pub scale: Scale,
    pub step: f64,
    pub title: &'a str,
    pub tick: &'a dyn Fn(f64) -> String,
}

/// Draws a horizontal value axis: grid lines over `[top, bottom]`, tick labels below, title.
pub fn x_axis(c: &Canvas, axis: &Axis, top: i32, bottom: i32) -> Result<(), ChartError> {
    for (t, x, colour, width) in grid_lines(axis.scale, axis.step) {
        c.line(&[(x, top), (x, bottom)], colour, width)?;
        c.text(&(axis.tick)(t), x, bottom + c.px(22.0), Align::Centre, TICK)?;
    }
    let middle = (axis.scale.p0 + axis.scale.p1) / 2;
    c.text(
        axis.title,
        middle,
        bottom + c.px(58.0),
        Align::Centre,
        LABEL,
    )?;
    Ok(())
}

/// Draws a vertical value axis: grid lines over `[left, right]`, tick labels left of `left`,
/// and the title reading upwards at `title_x`.
pub fn y_axis(
    c: &Canvas,
    axis: &Axis,
    (left, right): (i32, i32),
    title_x: i32,
) -> Result<(), ChartError> {
    for (t, y, colour, width) in grid_lines(axis.scale, axis.step) {
        c.line(&[(left, y), (right, y)], colour, width)?;
        c.text(&(axis.tick)(t), left - c.px(12.0), y, Align::Right, TICK)?;
    }
    c.text_up(
        axis.title,
        title_x,
        (axis.scale.p0 + axis.scale.p1) / 2,
        LABEL,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(num(2.345, 1), "2.3");
        assert_eq!(num(2.0, 1), "2");
        assert_eq!(num(-0.04, 1), "0");
        assert_eq!(num(-1.25, 2), "−1.25");
        assert_eq!(one(2.0), "2.0");
        assert_eq!(one(-0.04), "0.0");
        assert_eq!(one(-0.45), "−0.5");
        assert_eq!(thousands(1234567), "1\u{202f}234\u{202f}567");
        assert_eq!(thousands(999), "999");
        assert_eq!(percent(0.634), "63 %");
    }

    #[test]
    fn periods_and_months_are_spelled_out() {
        assert_eq!(month_short("2026-02"), "Feb 2026");
        assert_eq!(month_label("not a month"), "not a month");
        assert_eq!(month_label("2026-13"), "2026-13");
    }

    #[test]
    fn nice_ranges_cover_the_data_in_round_steps() {
        assert_eq!(nice_range(0.0, 7.3, 6), (0.0, 8.0, 2.0));
        assert_eq!(nice_range(-0.4, 2.6, 6), (-0.5, 3.0, 0.5));
        let (lo, hi, step) = nice_range(3.0, 3.0, 5);
        assert!(lo <= 3.0 && hi >= 3.0 && step > 0.0);
        assert_eq!(ticks(0.0, 1.0, 0.25).len(), 5);
    }

    #[test]
    fn diverging_limit_is_at_least_three_points() {
        assert_eq!(diverging_limit([1.2, -0.4]), 3.0);
        assert_eq!(diverging_limit([4.2, -0.4, f64::NAN]), 5.0);
        assert_eq!(diverging_limit([]), 3.0);
    }
}
