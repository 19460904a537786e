//! Regular visits: mean soreness on arrival by visit number, per region.

use super::line::{LineChart, Series, by_importance, line_chart};
use crate::ChartError;
use crate::canvas::Canvas;
use crate::layout::{self};
use relief_core::Region;
use relief_core::summary::Summary;

/// The most visit numbers the visits chart shows; later visits are few and noisy.
const MAX_VISITS: u32 = 12;

/// Mean soreness on arrival by the client's visit number, per region.
pub fn visits(c: &Canvas, s: &Summary) -> Result<(), ChartError> {
    let last = s
        .by_visit
        .iter()
        .filter(|v| v.figures.rows > 0)
        .map(|v| v.key.visit)
        .max()
        .unwrap_or(1)
        .clamp(1, MAX_VISITS);
    let hidden = s
        .by_visit
        .iter()
        .any(|v| v.key.visit > MAX_VISITS && v.figures.rows > 0);
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
                if (1..=last).contains(&v.key.visit) {
                    points.push((
                        (v.key.visit - 1) as usize,
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
