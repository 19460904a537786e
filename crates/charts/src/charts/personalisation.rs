//! Personalisation: focus regions against the rest, and relief by pressure level, per region.

use super::*;
use crate::ChartError;
use crate::canvas::{Align, Canvas};
use crate::layout::{self, Body, Key, LABEL, NOTE, Scale, TICK, VALUE};
use crate::palette::{self, region_colour, tint};
use relief_core::summary::{Figures, Summary};
use relief_core::{Pressure, Region};

/// Focus vs not focus per region (left), and mean change by pressure level (right).
pub fn personalisation(c: &Canvas, s: &Summary) -> Result<(), ChartError> {
    let body = layout::summary_frame(
        c,
        s,
        (
            "Does personalisation help? Focus regions and pressure",
            "mean change in points; more is more relief",
        ),
        layout::BARS_AND_MARKERS,
        "Rows whose export did not record focus or pressure are left out of that side.",
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
        .find(|f| f.region == region && f.key.focus == focus && f.figures.rows > 0)
        .map(|f| &f.figures)
}

fn focus_panel(c: &Canvas, s: &Summary, body: Body) -> Result<(), ChartError> {
    layout::heading(c, &body, "Focus region or not")?;
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
    // One font sizes the value column, fits its texts and draws them.
    let value_font = NOTE.colour(palette::INK);
    let value_w = value_column(c, &texts, value_font, (body.right - body.left) / 3);
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
    let axis = layout::Axis {
        scale: x,
        step,
        title: "Mean change (points)",
        tick: &|t| layout::num(t, 1),
    };
    layout::x_axis(c, &axis, top, bottom)?;
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
                &c.fit(&text, value_w - c.px(14.0), value_font),
                tx,
                y,
                Align::Left,
                value_font,
            )?;
        }
    }
    Ok(())
}

fn pressure_panel(c: &Canvas, s: &Summary, body: Body) -> Result<(), ChartError> {
    layout::heading(c, &body, "Mean change by pressure")?;
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
                .find(|f| f.region == row.region && f.key.pressure == *p && f.figures.rows > 0);
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
