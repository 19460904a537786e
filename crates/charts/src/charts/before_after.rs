//! Before vs after by region: mean soreness at the start and end of the session, with the 95 %
//! confidence interval of the change.

use super::*;
use crate::canvas::Canvas;
use crate::layout;
use crate::{ChartError, region_figures};
use relief_core::summary::Summary;

/// Mean soreness before and after per region, as a dumbbell with the 95 % CI of the change.
pub fn before_after(c: &Canvas, s: &Summary) -> Result<(), ChartError> {
    let body = layout::summary_frame(
        c,
        s,
        (
            "Soreness before and after the session, by region",
            "mean score on the 0–10 scale",
        ),
        layout::MARKERS,
        "Whisker: where the true average change most likely lies (95 % confidence interval), drawn around the after score.",
    )?;
    let texts = region_texts(s, |f| {
        let ci = match f.ci95 {
            Some([lo, hi]) => format!("CI {} to {}", layout::one(lo), layout::one(hi)),
            None => "small sample".to_string(),
        };
        format!("{}  ({ci}),  {}", change_words(f.mean_change), n(f))
    });
    let chart = DumbbellChart {
        legend: [
            "before the session",
            "after (region colour)",
            "95 % CI of the change",
        ],
        axis: "Mean soreness (0 = none, 10 = worst imaginable)",
        cut: false,
    };
    dumbbell_chart(c, &body, body.top + c.px(8.0), &texts, &chart, |r| {
        region_figures(s, r).map(|f| (f.mean_before, f.mean_after, f.ci95, f.small_sample))
    })
}
