//! Responder rates by region: the share of rows relieved by at least 30 % and at least 50 %.

use super::*;
use crate::canvas::Canvas;
use crate::layout::{self, Key};
use crate::palette::{self, region_colour, tint};
use crate::{ChartError, region_figures};
use relief_core::summary::Summary;

/// Share of rows reaching the responder and strong-responder thresholds, per region.
pub fn responders(c: &Canvas, s: &Summary) -> Result<(), ChartError> {
    let (t30, t50) = (
        layout::num(s.settings.responder_threshold * 100.0, 0),
        layout::num(s.settings.strong_responder_threshold * 100.0, 0),
    );
    let body = layout::summary_frame(
        c,
        s,
        (
            "How many clients felt clearly better, by region",
            "share of rows per region",
        ),
        layout::BARS_AND_MARKERS,
        "Rows with a before-score of 0 cannot improve and are left out of the shares.",
    )?;
    let texts = region_texts(s, |f| match (f.responder_rate, f.strong_responder_rate) {
        (Some(a), Some(b)) => format!(
            "≥ {t30} %: {}   ≥ {t50} %: {}   {}",
            layout::percent(a),
            layout::percent(b),
            n(f)
        ),
        _ => format!("no share (every before-score is 0),  {}", n(f)),
    });
    let cols = columns(c, &body, &texts);
    let plot_l = cols.plot_l;
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
    let (x, rows) = region_plot(
        c,
        &body,
        legend_y,
        &cols,
        (1.0, 0.2),
        "Share of session × region rows (%)",
        &|t| format!("{:.0} %", t * 100.0),
    )?;
    each_row(c, &cols, &rows, &texts, |row| {
        let Some(f) = region_figures(s, row.region) else {
            return Ok(false);
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
        Ok(true)
    })
}
