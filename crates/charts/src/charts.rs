//! The five statistical charts: before vs after, trend, responders, personalisation and regular
//! visits. (The body map has its own module: it is a drawing, not a chart.)
//!
//! Region charts share one layout: a label column on the left (region name beside its colour
//! dot), the plot in the middle, and a value column on the right that spells out the figures
//! behind each mark. Columns are measured from the text they hold and labels are shortened with
//! an ellipsis when space runs out, so nothing overlaps whatever the names. Every region appears
//! on every region chart, with "no data" where it has none, so the charts line up when printed
//! side by side.

use crate::canvas::{Align, Canvas, Font};
use crate::layout::{self, Body, Key, LABEL, NOTE, Scale, TICK, VALUE};
use crate::palette::{self, region_colour, region_marker, tint};
use crate::{ChartError, region_figures};
use relief_core::summary::{Figures, MonthFigures, Summary};
use relief_core::{Pressure, Region};

/// One region row of a region chart: where it sits and the space it has.
struct Row {
    region: Region,
    /// Vertical centre of the row.
    y: i32,
    /// Row height in pixels.
    h: i32,
}

/// Lays out one row per region between `top` and `bottom`, draws the alternating bands across
/// `[left, right]` and the region labels right-aligned at `label_right`.
fn region_rows(
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

/// The width of the label column: the longest region label, its dot and a gap.
fn label_column(c: &Canvas) -> i32 {
    Region::ALL
        .iter()
        .map(|r| c.text_width(r.label(), LABEL))
        .max()
        .unwrap_or(0)
        + c.px(52.0)
}

/// The width of a value column holding `texts`, capped at `max`.
fn value_column(c: &Canvas, texts: &[String], font: Font, max: i32) -> i32 {
    (texts
        .iter()
        .map(|t| c.text_width(t, font))
        .max()
        .unwrap_or(0)
        + c.px(24.0))
    .min(max)
}

/// `n = 130`, with thousands separators.
fn n(f: &Figures) -> String {
    format!("n = {}", layout::thousands(f.rows))
}

/// A change in words: `2.4 points less sore`.
fn change_words(change: f64) -> String {
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

/// Mean soreness before and after per region, as a dumbbell with the 95 % CI of the change.
pub fn before_after(c: &Canvas, s: &Summary) -> Result<(), ChartError> {
    let body = layout::frame(
        c,
        "Soreness before and after the session, by region",
        &layout::subtitle(&s.period, s.rows.used, "mean score on the 0–10 scale"),
        &layout::footer(
            s.settings.min_group_size,
            "The whisker is the 95 % confidence interval of the change, drawn around the after score.",
        ),
    )?;
    let texts: Vec<String> = Region::ALL
        .iter()
        .map(|&r| match region_figures(s, r) {
            None => "no data".to_string(),
            Some(f) => {
                let ci = match f.ci95 {
                    Some([lo, hi]) => format!("CI {} to {}", layout::one(lo), layout::one(hi)),
                    None => "small sample".to_string(),
                };
                format!("{}  ({ci}),  {}", change_words(f.mean_change), n(f))
            }
        })
        .collect();
    let label_w = label_column(c);
    let value_w = value_column(c, &texts, VALUE, (body.right - body.left) * 2 / 5);
    let (plot_l, plot_r) = (
        body.left + label_w + c.px(16.0),
        body.right - value_w - c.px(24.0),
    );
    let legend_y = body.top + c.px(8.0);
    layout::legend_row(
        c,
        plot_l,
        legend_y,
        &[
            (
                Key::Dot {
                    colour: palette::MUTED,
                    hollow: false,
                },
                "before the session".into(),
            ),
            (
                Key::Dot {
                    colour: palette::region_colour(Region::LowerBack),
                    hollow: false,
                },
                "after (region colour)".into(),
            ),
            (Key::Whisker, "95 % CI of the change".into()),
        ],
    )?;
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
    layout::x_axis(
        c,
        x,
        step,
        top,
        bottom,
        "Mean soreness (0 = none, 10 = worst imaginable)",
        &|t| layout::num(t, 0),
    )?;
    for (row, text) in rows.iter().zip(&texts) {
        let value_x = body.right - value_w + c.px(12.0);
        let Some(f) = region_figures(s, row.region) else {
            c.text(text, value_x, row.y, Align::Left, NOTE)?;
            continue;
        };
        let colour = region_colour(row.region);
        let (xb, xa) = (x.at(f.mean_before), x.at(f.mean_after));
        c.line(&[(xb, row.y), (xa, row.y)], tint(colour, 0.45), 7.0)?;
        if let Some([lo, hi]) = f.ci95 {
            let (a, b) = (x.at(f.mean_before - hi), x.at(f.mean_before - lo));
            let cap = (row.h / 5).min(c.px(12.0));
            c.line(&[(a, row.y), (b, row.y)], palette::INK, 2.0)?;
            c.line(&[(a, row.y - cap), (a, row.y + cap)], palette::INK, 2.0)?;
            c.line(&[(b, row.y - cap), (b, row.y + cap)], palette::INK, 2.0)?;
        }
        let r = (f64::from(row.h) / c.s / 4.0).min(12.0);
        c.circle((xb, row.y), r, palette::MUTED, 0.0)?;
        c.circle(
            (xa, row.y),
            r,
            colour,
            if f.small_sample { 3.5 } else { 0.0 },
        )?;
        let fitted = c.fit(text, value_w - c.px(24.0), VALUE);
        c.text(&fitted, value_x, row.y, Align::Left, VALUE)?;
    }
    Ok(())
}

/// Share of rows reaching the responder and strong-responder thresholds, per region.
pub fn responders(c: &Canvas, s: &Summary) -> Result<(), ChartError> {
    let (t30, t50) = (
        layout::num(s.settings.responder_threshold * 100.0, 0),
        layout::num(s.settings.strong_responder_threshold * 100.0, 0),
    );
    let body = layout::frame(
        c,
        "How many clients felt clearly better, by region",
        &layout::subtitle(&s.period, s.rows.used, "share of rows per region"),
        &layout::footer(
            s.settings.min_group_size,
            "Rows with a before-score of 0 cannot improve and are left out of the shares.",
        ),
    )?;
    let texts: Vec<String> = Region::ALL
        .iter()
        .map(|&r| match region_figures(s, r) {
            None => "no data".to_string(),
            Some(f) => match (f.responder_rate, f.strong_responder_rate) {
                (Some(a), Some(b)) => format!(
                    "≥ {t30} %: {}   ≥ {t50} %: {}   {}",
                    layout::percent(a),
                    layout::percent(b),
                    n(f)
                ),
                _ => format!("no share (every before-score is 0),  {}", n(f)),
            },
        })
        .collect();
    let label_w = label_column(c);
    let value_w = value_column(c, &texts, VALUE, (body.right - body.left) * 2 / 5);
    let (plot_l, plot_r) = (
        body.left + label_w + c.px(16.0),
        body.right - value_w - c.px(24.0),
    );
    let legend_y = body.top + c.px(8.0);
    let grey = palette::KEY;
    layout::legend_row(
        c,
        plot_l,
        legend_y,
        &[
            (
                Key::Swatch {
                    fill: tint(grey, 0.6),
                    hatched: false,
                },
                format!("≥ {t30} % less sore (responder)"),
            ),
            (
                Key::Swatch {
                    fill: grey,
                    hatched: false,
                },
                format!("≥ {t50} % less sore (strong responder)"),
            ),
            (
                Key::Swatch {
                    fill: tint(grey, 0.3),
                    hatched: true,
                },
                "small sample".into(),
            ),
        ],
    )?;
    let (top, bottom) = (legend_y + c.px(32.0), body.bottom - c.px(76.0));
    let x = Scale {
        v0: 0.0,
        v1: 1.0,
        p0: plot_l,
        p1: plot_r,
    };
    let rows = region_rows(c, top, bottom, body.left, body.right, body.left + label_w)?;
    layout::x_axis(
        c,
        x,
        0.2,
        top,
        bottom,
        "Share of session × region rows (%)",
        &|t| format!("{:.0} %", t * 100.0),
    )?;
    for (row, text) in rows.iter().zip(&texts) {
        let value_x = body.right - value_w + c.px(12.0);
        let Some(f) = region_figures(s, row.region) else {
            c.text(text, value_x, row.y, Align::Left, NOTE)?;
            continue;
        };
        let colour = region_colour(row.region);
        let half = (row.h * 3 / 10).max(2);
        let (a, b) = ((plot_l, row.y - half), (plot_l, row.y + half));
        if let Some(rate) = f.responder_rate {
            let end = x.at(rate);
            c.rect(a, (end, b.1), tint(colour, 0.6))?;
            if let Some(strong) = f.strong_responder_rate {
                c.rect(a, (x.at(strong), b.1), colour)?;
            }
            if f.small_sample && end > plot_l {
                c.hatch_rect(a, (end, b.1), palette::BACKGROUND)?;
            }
        }
        let fitted = c.fit(text, value_w - c.px(24.0), VALUE);
        c.text(&fitted, value_x, row.y, Align::Left, VALUE)?;
    }
    Ok(())
}

/// Focus vs not focus per region (left), and mean change by pressure level (right).
pub fn personalisation(c: &Canvas, s: &Summary) -> Result<(), ChartError> {
    let body = layout::frame(
        c,
        "Does personalisation help? Focus regions and pressure",
        &layout::subtitle(
            &s.period,
            s.rows.used,
            "mean change in points; more is more relief",
        ),
        &layout::footer(
            s.settings.min_group_size,
            "Rows whose export did not record focus or pressure are left out of that side.",
        ),
    )?;
    let gap = c.px(60.0);
    let split = body.left + (body.right - body.left) * 11 / 20;
    focus_panel(
        c,
        s,
        Body {
            right: split - gap / 2,
            ..body
        },
    )?;
    pressure_panel(
        c,
        s,
        Body {
            left: split + gap / 2,
            ..body
        },
    )
}

fn focus_of(s: &Summary, region: Region, focus: bool) -> Option<&Figures> {
    s.by_focus
        .iter()
        .find(|f| f.region == region && f.focus == focus && f.figures.rows > 0)
        .map(|f| &f.figures)
}

fn focus_panel(c: &Canvas, s: &Summary, body: Body) -> Result<(), ChartError> {
    c.text(
        "Focus region or not",
        body.left,
        body.top + c.px(4.0),
        Align::Left,
        LABEL.bold(),
    )?;
    let label_w = label_column(c);
    let short = |f: Option<&Figures>| match f {
        Some(f) => format!(
            "{}  (n {})",
            layout::one(f.mean_change),
            layout::thousands(f.rows)
        ),
        None => "no data".to_string(),
    };
    let texts: Vec<String> = Region::ALL
        .iter()
        .flat_map(|&r| [short(focus_of(s, r, true)), short(focus_of(s, r, false))])
        .collect();
    let value_w = value_column(c, &texts, NOTE, (body.right - body.left) / 3);
    let (plot_l, plot_r) = (body.left + label_w + c.px(16.0), body.right - value_w);
    let legend_y = body.top + c.px(46.0);
    let blue = region_colour(Region::LowerBack);
    layout::legend_row(
        c,
        plot_l,
        legend_y,
        &[
            (
                Key::Swatch {
                    fill: blue,
                    hatched: false,
                },
                "focus".into(),
            ),
            (
                Key::Swatch {
                    fill: tint(blue, 0.6),
                    hatched: false,
                },
                "not focus".into(),
            ),
        ],
    )?;
    let (top, bottom) = (legend_y + c.px(32.0), body.bottom - c.px(76.0));
    let changes = s
        .by_focus
        .iter()
        .filter(|f| f.figures.rows > 0)
        .map(|f| f.figures.mean_change);
    let (lo, hi) = changes.fold((0.0f64, 1.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi, step) = layout::nice_range(lo, hi, 5);
    let x = Scale {
        v0: lo,
        v1: hi,
        p0: plot_l,
        p1: plot_r,
    };
    let rows = region_rows(c, top, bottom, body.left, body.right, body.left + label_w)?;
    layout::x_axis(c, x, step, top, bottom, "Mean change (points)", &|t| {
        layout::num(t, 1)
    })?;
    for row in &rows {
        let colour = region_colour(row.region);
        let bar = (row.h * 3 / 10).max(2);
        for (focus, dy, fill) in [
            (true, -bar / 2 - 1, colour),
            (false, bar / 2 + 1, tint(colour, 0.6)),
        ] {
            let y = row.y + dy;
            let text = short(focus_of(s, row.region, focus));
            let tx = body.right - value_w + c.px(14.0);
            let Some(f) = focus_of(s, row.region, focus) else {
                c.text(&text, tx, y, Align::Left, NOTE)?;
                continue;
            };
            let (a, b) = ((x.at(0.0), y - bar / 2), (x.at(f.mean_change), y + bar / 2));
            c.rect(a, b, fill)?;
            if f.small_sample {
                c.hatch_rect(a, b, palette::BACKGROUND)?;
            }
            c.text(
                &c.fit(&text, value_w - c.px(14.0), VALUE),
                tx,
                y,
                Align::Left,
                NOTE.colour(palette::INK),
            )?;
        }
    }
    Ok(())
}

fn pressure_panel(c: &Canvas, s: &Summary, body: Body) -> Result<(), ChartError> {
    c.text(
        "Mean change by pressure",
        body.left,
        body.top + c.px(4.0),
        Align::Left,
        LABEL.bold(),
    )?;
    let label_w = label_column(c);
    let (grid_l, grid_r) = (body.left + label_w, body.right);
    let head_y = body.top + c.px(46.0);
    let top = head_y + c.px(22.0);
    let bottom = body.bottom - c.px(110.0);
    let limit = layout::diverging_limit(
        s.by_pressure
            .iter()
            .filter(|p| p.figures.rows > 0)
            .map(|p| p.figures.mean_change),
    );
    let cols = Pressure::ALL.len() as i32;
    let cw = (grid_r - grid_l) / cols;
    for (j, p) in Pressure::ALL.iter().enumerate() {
        let cx = grid_l + j as i32 * cw + cw / 2;
        c.text(p.label(), cx, head_y, Align::Centre, LABEL)?;
    }
    let rows = region_rows(
        c,
        top,
        bottom,
        body.left,
        body.left + label_w,
        body.left + label_w,
    )?;
    let pad = c.px(3.0);
    for row in &rows {
        let (y0, y1) = (row.y - row.h / 2 + pad, row.y + row.h / 2 - pad);
        for (j, p) in Pressure::ALL.iter().enumerate() {
            let x0 = grid_l + j as i32 * cw + pad;
            let x1 = x0 + cw - 2 * pad;
            let cell = s
                .by_pressure
                .iter()
                .find(|f| f.region == row.region && f.pressure == *p && f.figures.rows > 0);
            let cx = (x0 + x1) / 2;
            let Some(cell) = cell else {
                c.rect((x0, y0), (x1, y1), tint(palette::NO_DATA, 0.5))?;
                c.text("–", cx, row.y, Align::Centre, TICK)?;
                continue;
            };
            let f = &cell.figures;
            let fill = palette::diverging(f.mean_change, limit);
            c.rect((x0, y0), (x1, y1), fill)?;
            if f.small_sample {
                c.hatch_rect((x0, y0), (x1, y1), palette::BACKGROUND)?;
            }
            let ink = if palette::needs_light_text(fill) {
                palette::BACKGROUND
            } else {
                palette::INK
            };
            let big = VALUE.bold().colour(ink);
            let small = NOTE.colour(ink);
            let value = layout::one(f.mean_change);
            let count = format!("n {}", layout::thousands(f.rows));
            if y1 - y0 > c.cap(big) + c.cap(small) + c.px(16.0) {
                let dy = (c.cap(big) + c.px(8.0)) / 2 + c.px(2.0);
                c.text(&value, cx, row.y - dy + c.px(2.0), Align::Centre, big)?;
                c.text(
                    &c.fit(&count, x1 - x0, small),
                    cx,
                    row.y + dy,
                    Align::Centre,
                    small,
                )?;
            } else {
                let both = c.fit(&format!("{value} ({count})"), x1 - x0 - 2 * pad, small);
                c.text(&both, cx, row.y, Align::Centre, small)?;
            }
        }
    }
    let bar_w = (grid_r - grid_l).min(c.px(520.0));
    layout::colour_bar(
        c,
        (grid_l + (grid_r - grid_l - bar_w) / 2, bottom + c.px(22.0)),
        bar_w,
        limit,
        "Mean change (points)",
    )?;
    Ok(())
}

/// A series of a line chart: a region and its points `(x index, value, small sample)`.
struct Series {
    region: Region,
    rows: u64,
    points: Vec<(usize, f64, bool)>,
}

/// Everything a line chart needs besides the series.
struct LineChart<'a> {
    title: &'a str,
    subtitle: String,
    footer: String,
    x_labels: Vec<String>,
    x_title: &'a str,
    y_title: &'a str,
    /// The value range to show before rounding to ticks.
    y_range: (f64, f64),
    /// A dashed reference line and its label.
    reference: Option<(f64, String)>,
    /// The legend's words for a hollow marker.
    small_note: String,
}

/// Orders series so the regions with the most rows come first (legend order); ties keep region
/// order.
fn by_importance(mut series: Vec<Series>) -> Vec<Series> {
    series.sort_by(|a, b| b.rows.cmp(&a.rows).then(a.region.cmp(&b.region)));
    series
}

fn line_chart(c: &Canvas, spec: LineChart, series: &[Series]) -> Result<(), ChartError> {
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
    layout::y_axis(c, y, step, plot_l, plot_r, title_x, spec.y_title, &tick)?;
    // Legend.
    let mut ly = top + c.px(10.0);
    c.text("Region  (rows)", legend_x, ly, Align::Left, NOTE)?;
    ly += c.px(36.0);
    for (s, text) in series.iter().zip(&entries) {
        let key = Key::Line {
            colour: region_colour(s.region),
            marker: region_marker(s.region),
            hollow: false,
        };
        layout::draw_key(c, &key, legend_x, ly)?;
        let fitted = c.fit(text, body.right - legend_x - c.px(44.0), VALUE);
        c.text(&fitted, legend_x + c.px(44.0), ly, Align::Left, VALUE)?;
        ly += c.px(36.0);
    }
    if series.is_empty() {
        c.text("no data", legend_x, ly, Align::Left, NOTE)?;
    } else {
        let key = Key::Line {
            colour: palette::MUTED,
            marker: palette::Marker::Circle,
            hollow: true,
        };
        ly += c.px(8.0);
        layout::draw_key(c, &key, legend_x, ly)?;
        let text = c.fit(&spec.small_note, body.right - legend_x - c.px(44.0), NOTE);
        c.text(&text, legend_x + c.px(44.0), ly, Align::Left, NOTE)?;
        if let Some((_, label)) = &spec.reference {
            ly += c.px(36.0);
            layout::draw_key(
                c,
                &Key::Dashed {
                    colour: palette::MUTED,
                },
                legend_x,
                ly,
            )?;
            let text = c.fit(label, body.right - legend_x - c.px(44.0), NOTE);
            c.text(&text, legend_x + c.px(44.0), ly, Align::Left, NOTE)?;
        }
    }
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

/// Mean change per region by month, across the whole range the report covers.
pub fn trend(c: &Canvas, s: &Summary, months: &[MonthFigures]) -> Result<(), ChartError> {
    let mut labels: Vec<&str> = months
        .iter()
        .filter(|m| m.figures.rows > 0)
        .map(|m| m.month.as_str())
        .collect();
    labels.sort_unstable();
    labels.dedup();
    let series = Region::ALL
        .iter()
        .map(|&region| {
            let mut points = Vec::new();
            let mut rows = 0;
            for m in months
                .iter()
                .filter(|m| m.region == region && m.figures.rows > 0)
            {
                if let Ok(i) = labels.binary_search(&m.month.as_str()) {
                    points.push((i, m.figures.mean_change, m.figures.small_sample));
                    rows += m.figures.rows;
                }
            }
            points.sort_by_key(|p| p.0);
            Series {
                region,
                rows,
                points,
            }
        })
        .filter(|s| !s.points.is_empty())
        .collect::<Vec<_>>();
    let series = by_importance(series);
    let total: u64 = series.iter().map(|s| s.rows).sum();
    let values = series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let mcid = s.settings.mcid_points;
    let (lo, hi) = values.fold((0.0f64, mcid.max(0.5)), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let range = match (labels.first(), labels.last()) {
        (Some(a), Some(b)) if a != b => {
            format!("{} – {}", layout::month_label(a), layout::month_label(b))
        }
        (Some(a), _) => layout::month_label(a),
        _ => "no months".to_string(),
    };
    let spec = LineChart {
        title: "Relief by region, month by month",
        subtitle: format!(
            "Report {}  ·  months shown: {range}  ·  {} session × region rows in these months",
            layout::period_label(&s.period),
            layout::thousands(total)
        ),
        footer: layout::footer(
            s.settings.min_group_size,
            "Lines join consecutive months only.",
        ),
        x_labels: labels.iter().map(|m| layout::month_short(m)).collect(),
        x_title: "Month of the session",
        y_title: "Mean change (points; more = more relief)",
        y_range: (lo, hi + 0.2),
        small_note: format!("fewer than {} rows", s.settings.min_group_size),
        reference: Some((
            mcid,
            format!("clinically important: {} points", layout::num(mcid, 1)),
        )),
    };
    line_chart(c, spec, &series)
}

/// The most visit numbers the visits chart shows; later visits are few and noisy.
const MAX_VISITS: u32 = 12;

/// Mean soreness on arrival by the client's visit number, per region.
pub fn visits(c: &Canvas, s: &Summary) -> Result<(), ChartError> {
    let last = s
        .by_visit
        .iter()
        .filter(|v| v.figures.rows > 0)
        .map(|v| v.visit)
        .max()
        .unwrap_or(1)
        .clamp(1, MAX_VISITS);
    let hidden = s
        .by_visit
        .iter()
        .any(|v| v.visit > MAX_VISITS && v.figures.rows > 0);
    let series = Region::ALL
        .iter()
        .map(|&region| {
            let mut points = Vec::new();
            let mut rows = 0;
            for v in s
                .by_visit
                .iter()
                .filter(|v| v.region == region && v.figures.rows > 0)
            {
                if (1..=last).contains(&v.visit) {
                    points.push((
                        (v.visit - 1) as usize,
                        v.figures.mean_before,
                        v.figures.small_sample,
                    ));
                    rows += v.figures.rows;
                }
            }
            points.sort_by_key(|p| p.0);
            Series {
                region,
                rows,
                points,
            }
        })
        .filter(|s| !s.points.is_empty())
        .collect::<Vec<_>>();
    let series = by_importance(series);
    let values = series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let (lo, hi) = if lo.is_finite() {
        ((lo - 0.5).max(0.0), (hi + 0.5).min(10.0))
    } else {
        (0.0, 10.0)
    };
    let note = if hidden {
        format!("Visits after the {MAX_VISITS}th are not shown.")
    } else {
        String::new()
    };
    let spec = LineChart {
        title: "Do clients arrive less sore over a course of visits?",
        subtitle: layout::subtitle(
            &s.period,
            s.rows.used,
            "visit 1 = the client's first visit in the data",
        ),
        footer: layout::footer(s.settings.min_group_size, &note),
        x_labels: (1..=last).map(|v| v.to_string()).collect(),
        x_title: "Visit number of the client",
        y_title: "Mean soreness before the session (0–10)",
        y_range: (lo, hi),
        reference: None,
        small_note: format!("fewer than {} rows", s.settings.min_group_size),
    };
    line_chart(c, spec, &series)
}
