//! The course of care (SPEC §3.3): do regular clients arrive less sore? Per region, the mean
//! soreness on arrival at the clients' first session scoring it against their latest, with the
//! 95 % CI of the fall — counted over every session up to the period's end, so a one-month
//! report still tells the story of the whole course. (It replaced a chart of arrival soreness
//! by visit number within the period, which a single month left almost empty.)

use super::*;
use crate::ChartError;
use crate::canvas::Canvas;
use crate::layout;
use relief_core::Region;
use relief_core::personalisation::CourseEntry;
use relief_core::summary::Summary;

fn entry_of(s: &Summary, region: Region) -> Option<&CourseEntry> {
    s.course
        .iter()
        .find(|e| e.region == region && e.clients > 0)
}

/// The figures of a region in words: `1.8 points less sore (CI 1.4 to 2.2), 58 clients`.
fn value_text(e: &CourseEntry) -> String {
    let ci = match e.ci95 {
        Some([lo, hi]) => format!("CI {} to {}", layout::one(lo), layout::one(hi)),
        None => "small sample".to_string(),
    };
    let clients = layout::thousands(e.clients);
    let noun = if e.clients == 1 { "client" } else { "clients" };
    format!("{}  ({ci}),  {clients} {noun}", change_words(e.mean_fall))
}

/// The sentence above the plot: the overall fall, over every counted client.
fn takeaway(s: &Summary) -> String {
    let (Some(first), Some(latest)) = (
        s.course_mean(|e| e.mean_first),
        s.course_mean(|e| e.mean_latest),
    ) else {
        return "No client had two or more sessions scoring a region with the latest in this period."
            .to_string();
    };
    let verb = match layout::one(first - latest).as_str() {
        "0.0" => "arrive about as sore as at their first session",
        _ if first > latest => "arrive less sore than at their first session",
        _ => "arrive sorer than at their first session",
    };
    format!(
        "Regular clients {verb}: {} on average then, {} at their latest session (all regions).",
        layout::one(first),
        layout::one(latest)
    )
}

/// Mean soreness on arrival, first session against latest, per region.
pub fn course(c: &Canvas, s: &Summary) -> Result<(), ChartError> {
    let (_, end) = s.period.bounds();
    let counted = format!(
        "regular clients counted over every session up to {}",
        end.format("%-d %B %Y")
    );
    let footer = format!(
        "Hollow: fewer than {} clients (small sample, no confidence interval). Regular: two or more sessions scoring the region, the latest in the period.",
        s.settings.min_group_size
    );
    let body = layout::chart_frame(
        c,
        s,
        "Do regular clients arrive less sore? First session against latest",
        &counted,
        &footer,
    )?;
    layout::heading(c, &body, &takeaway(s))?;
    let texts: Vec<String> = Region::ALL
        .iter()
        .map(|&r| entry_of(s, r).map_or_else(|| "no regular clients".to_string(), value_text))
        .collect();
    // The interval of the latest score is cut at the ends of the 0–10 scale.
    let chart = DumbbellChart {
        legend: [
            "first session",
            "latest session (region colour)",
            "95 % CI of the fall",
        ],
        axis: "Mean soreness on arrival (0 = none, 10 = worst imaginable)",
        cut: true,
    };
    dumbbell_chart(c, &body, body.top + c.px(46.0), &texts, &chart, |r| {
        entry_of(s, r).map(|e| (e.mean_first, e.mean_latest, e.ci95, e.small_sample))
    })
}
