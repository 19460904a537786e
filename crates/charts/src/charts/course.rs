//! The course of care (SPEC §3.3): do regular clients arrive less sore? Per region, the mean
//! soreness on arrival at the clients' first session scoring it against their latest, with the
//! 95 % CI of the fall — counted over every session up to the period's end, so a one-month
//! report still tells the story of the whole course. (It replaced a chart of arrival soreness
//! by visit number within the period, which a single month left almost empty.)

use super::*;
use crate::ChartError;
use crate::canvas::{Align, Canvas};
use crate::layout::{self, Key, LABEL, NOTE, VALUE};
use crate::palette::{self, region_colour, tint};
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
    let clients: u64 = s.course.iter().map(|e| e.clients).sum();
    if clients == 0 {
        return "No client had two or more sessions scoring a region with the latest in this period."
            .to_string();
    }
    let first = s
        .course
        .iter()
        .map(|e| e.mean_first * e.clients as f64)
        .sum::<f64>()
        / clients as f64;
    let latest = s
        .course
        .iter()
        .map(|e| e.mean_latest * e.clients as f64)
        .sum::<f64>()
        / clients as f64;
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
    let body = layout::frame(
        c,
        "Do regular clients arrive less sore? First session against latest",
        &layout::subtitle(
            &s.period,
            s.rows.used,
            &format!(
                "regular clients counted over every session up to {}",
                end.format("%-d %B %Y")
            ),
        ),
        &format!(
            "Hollow: fewer than {} clients (small sample, no confidence interval). Regular: two or more sessions scoring the region, the latest in the period.",
            s.settings.min_group_size
        ),
    )?;
    c.text(
        &c.fit(&takeaway(s), body.right - body.left, LABEL.bold()),
        body.left,
        body.top + c.px(4.0),
        Align::Left,
        LABEL.bold(),
    )?;
    let texts: Vec<String> = Region::ALL
        .iter()
        .map(|&r| entry_of(s, r).map_or_else(|| "no regular clients".to_string(), value_text))
        .collect();
    let label_w = label_column(c);
    let value_w = value_column(c, &texts, VALUE, (body.right - body.left) * 2 / 5);
    let (plot_l, plot_r) = (
        body.left + label_w + c.px(16.0),
        body.right - value_w - c.px(24.0),
    );
    let legend_y = body.top + c.px(46.0);
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
                "first session".into(),
            ),
            (
                Key::Dot {
                    colour: region_colour(Region::LowerBack),
                    hollow: false,
                },
                "latest session (region colour)".into(),
            ),
            (Key::Whisker, "95 % CI of the fall".into()),
        ],
    )?;
    let (x, rows) = soreness_rows(
        c,
        &body,
        legend_y,
        (plot_l, plot_r),
        label_w,
        "Mean soreness on arrival (0 = none, 10 = worst imaginable)",
    )?;
    for (row, text) in rows.iter().zip(&texts) {
        let value_x = body.right - value_w + c.px(12.0);
        let Some(e) = entry_of(s, row.region) else {
            c.text(text, value_x, row.y, Align::Left, NOTE)?;
            continue;
        };
        let colour = region_colour(row.region);
        let (xf, xl) = (x.at(e.mean_first), x.at(e.mean_latest));
        c.line(&[(xf, row.y), (xl, row.y)], tint(colour, 0.45), 7.0)?;
        if let Some([lo, hi]) = e.ci95 {
            // The interval of the latest score, cut at the ends of the 0–10 scale: an end that
            // is cut gets no cap, so it does not pass for the interval's end.
            let (from, to) = (e.mean_first - hi, e.mean_first - lo);
            let (a, b) = (x.at(from.max(x.v0)), x.at(to.min(x.v1)));
            let cap = (row.h / 5).min(c.px(12.0));
            c.line(&[(a, row.y), (b, row.y)], palette::INK, 2.0)?;
            if from >= x.v0 {
                c.line(&[(a, row.y - cap), (a, row.y + cap)], palette::INK, 2.0)?;
            }
            if to <= x.v1 {
                c.line(&[(b, row.y - cap), (b, row.y + cap)], palette::INK, 2.0)?;
            }
        }
        let r = (f64::from(row.h) / c.s / 4.0).min(12.0);
        c.circle((xf, row.y), r, palette::MUTED, 0.0)?;
        c.circle(
            (xl, row.y),
            r,
            colour,
            if e.small_sample { 3.5 } else { 0.0 },
        )?;
        let fitted = c.fit(text, value_w - c.px(24.0), VALUE);
        c.text(&fitted, value_x, row.y, Align::Left, VALUE)?;
    }
    Ok(())
}
