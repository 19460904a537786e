//! Responder rates by region: the share of rows relieved by at least 30 % and at least 50 %.

use super::*;
use crate::canvas::{Align, Canvas};
use crate::layout::{self, Key, NOTE, Scale, VALUE};
use crate::palette::{self, region_colour, tint};
use crate::{ChartError, region_figures};
use relief_core::Region;
use relief_core::summary::Summary;

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
