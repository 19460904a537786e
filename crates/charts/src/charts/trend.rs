//! Relief by region, month by month, over the whole range the input covers.

use super::line::{LineChart, Series, by_importance, line_chart};
use crate::ChartError;
use crate::canvas::Canvas;
use crate::layout::{self};
use relief_core::Region;
use relief_core::summary::{MonthFigures, Summary};

/// Mean change per region by month, across the whole range the report covers.
pub fn trend(c: &Canvas, s: &Summary, months: &[MonthFigures]) -> Result<(), ChartError> {
    let mut labels: Vec<&str> = months
        .iter()
        .filter(|m| m.figures.rows > 0)
        .map(|m| m.key.month.as_str())
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
                if let Ok(i) = labels.binary_search(&m.key.month.as_str()) {
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
            s.period.label(),
            layout::thousands(total)
        ),
        footer: layout::footer(
            layout::BARS_AND_MARKERS,
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
