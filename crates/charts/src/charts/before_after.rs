//! Before vs after by region: mean soreness at the start and end of the session, with the 95 %
//! confidence interval of the change.

use super::*;
use crate::canvas::{Align, Canvas};
use crate::layout::{self, Key, NOTE, VALUE};
use crate::palette::{self, region_colour, tint};
use crate::{ChartError, region_figures};
use relief_core::Region;
use relief_core::summary::Summary;

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
    let (x, rows) = soreness_rows(
        c,
        &body,
        legend_y,
        (plot_l, plot_r),
        label_w,
        "Mean soreness (0 = none, 10 = worst imaginable)",
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
