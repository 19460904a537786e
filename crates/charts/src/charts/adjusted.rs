//! Personalisation at equal arrival soreness (SPEC §3.2): a forest plot of each factor's
//! difference in relief against its reference level, the raw difference as recorded beside
//! the adjusted one with its 95 % CI, around the zero line.
//!
//! Rows: first every comparison pooled over all regions (focus, each pressure level, each
//! minutes band, each technique), then focus region by region — the question clinics ask most.
//! When the rows do not fit, region rows are dropped first and the footer says how many are in
//! the workbook. A line above the plot says in words what the focus figures mean, and that an
//! adjusted difference is an association, not proof of cause.

use crate::ChartError;
use crate::canvas::{Align, Canvas, Font};
use crate::layout::{self, Body, Key, LABEL, NOTE, Scale, VALUE};
use crate::palette::{self, Marker, region_colour};
use relief_core::personalisation::{AdjustedEntry, Factor, RegionOrAll};
use relief_core::summary::Summary;

/// The least height of a row, in design pixels: below it labels would touch.
const MIN_ROW: f64 = 30.0;
/// The most height of a row, so a few rows do not spread over the whole page.
const MAX_ROW: f64 = 56.0;

/// One line of the forest plot.
enum Line<'a> {
    /// A section title: `All regions`, `Focus, region by region`.
    Section(&'static str),
    Entry(&'a AdjustedEntry),
}

/// The label of an entry: `Pressure: firm vs light` pooled, the region's name per region.
fn label(e: &AdjustedEntry) -> String {
    match e.region {
        RegionOrAll::All => match e.factor {
            Factor::Focus => "Focus region vs not a focus".to_string(),
            // Lower case mid-label: "Pressure: firm vs light".
            Factor::Pressure => format!("Pressure: {} vs {}", e.level, e.reference),
            _ => format!(
                "{}: {} vs {}",
                e.factor.label(),
                e.level_words(),
                e.reference_words()
            ),
        },
        RegionOrAll::Region(r) => r.label().to_string(),
    }
}

/// The figures of an entry in words, for the value column.
fn value_text(e: &AdjustedEntry) -> String {
    let adjusted = match (e.adjusted_difference, e.ci95) {
        (Some(a), Some([lo, hi])) => format!(
            "{}  ({} to {})",
            layout::one(a),
            layout::one(lo),
            layout::one(hi)
        ),
        (Some(a), None) => format!("{}  (small sample)", layout::one(a)),
        (None, _) => "not computable".to_string(),
    };
    format!(
        "{adjusted}   raw {}   n {}",
        layout::one(e.raw_difference),
        layout::thousands(e.rows)
    )
}

/// The lines to draw: pooled comparisons, then focus by region, cut to `max` lines (region
/// lines go first). Returns the lines and what was left out.
fn lines(s: &Summary, max: usize) -> (Vec<Line<'_>>, LeftOut) {
    let pooled: Vec<&AdjustedEntry> = s
        .adjusted
        .iter()
        .filter(|e| e.region == RegionOrAll::All)
        .collect();
    let focus: Vec<&AdjustedEntry> = s
        .adjusted
        .iter()
        .filter(|e| e.factor == Factor::Focus && e.region != RegionOrAll::All)
        .collect();
    let mut out = Vec::new();
    let pooled_shown = pooled.len().min(max.saturating_sub(1));
    if !pooled.is_empty() {
        out.push(Line::Section("All regions"));
        out.extend(pooled.iter().take(pooled_shown).map(|e| Line::Entry(e)));
    }
    let room = max.saturating_sub(out.len() + 1);
    if !focus.is_empty() && room > 0 {
        out.push(Line::Section(
            "Focus region vs not a focus, region by region",
        ));
        out.extend(focus.iter().take(room).map(|e| Line::Entry(e)));
    }
    let shown = out.iter().filter(|l| matches!(l, Line::Entry(_))).count();
    let left_out = LeftOut {
        all: pooled.len() + focus.len() - shown,
        pooled: pooled.len() - pooled_shown,
    };
    (out, left_out)
}

/// The comparisons the chart has no room for (all of them are in the workbook).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LeftOut {
    all: usize,
    /// Of which comparisons over all regions (the rest are focus in one region).
    pooled: usize,
}

impl LeftOut {
    /// The note under the chart, naming where the rest are; `None` when nothing is left out.
    fn note(self) -> Option<String> {
        let more = match (self.all, self.pooled) {
            (0, _) => return None,
            (1, 0) => "1 more comparison (focus in another region) is".to_string(),
            (n, 0) => format!("{n} more comparisons (focus in other regions) are"),
            (1, _) => "1 more comparison is".to_string(),
            (n, _) => format!("{n} more comparisons are"),
        };
        Some(format!(
            "{more} in the workbook's Personalisation, adjusted sheet."
        ))
    }
}

/// The sentence above the plot: what the pooled focus comparison says.
fn takeaway(s: &Summary) -> String {
    let focus = s
        .adjusted
        .iter()
        .find(|e| e.factor == Factor::Focus && e.region == RegionOrAll::All);
    let Some(e) = focus else {
        return "No focus comparison in this period: it needs focus and non-focus rows."
            .to_string();
    };
    let raw = layout::one(e.raw_difference);
    match e.adjusted_difference {
        Some(a) => {
            let shrink = match (s.focus_arrival(true), s.focus_arrival(false)) {
                _ if layout::one(a) == raw || a > e.raw_difference => "",
                (Some(f), Some(o)) if f > o => " — less, because focus regions arrive sorer",
                _ => " — less",
            };
            format!(
                "Focus regions: {raw} points more relief as recorded, {} at equal arrival soreness{shrink}.",
                layout::one(a)
            )
        }
        None => format!(
            "Focus regions: {raw} points more relief as recorded; at equal arrival soreness it cannot be computed."
        ),
    }
}

/// The forest plot of the adjusted differences.
pub fn adjusted(c: &Canvas, s: &Summary) -> Result<(), ChartError> {
    let footer = format!(
        "Hollow dot: small sample (under {} rows or 2 clients at a level, or under 10 clients), no confidence interval.",
        s.settings.min_group_size
    );
    let body = layout::chart_frame(
        c,
        s,
        "Does personalisation help? Raw against equal arrival soreness",
        "difference in relief from the reference level, in points",
        &footer,
    )?;
    layout::heading(c, &body, &takeaway(s))?;
    let at = (body.left, body.top + c.px(36.0));
    c.fitted(CAVEAT, at, body.right - body.left, NOTE)?;
    let legend_y = body.top + c.px(74.0);
    let top = legend_y + c.px(30.0);
    // Room below the rows for the axis (ticks and title) and the note on rows left out.
    let bottom = body.bottom - c.px(100.0);
    let max = (f64::from(bottom - top) / (MIN_ROW * c.s)).floor().max(1.0) as usize;
    let (lines, left_out) = lines(s, max);
    if lines.is_empty() {
        c.text(
            "No comparison in this period: each factor needs recorded rows at two levels or more.",
            (body.left + body.right) / 2,
            (top + bottom) / 2,
            Align::Centre,
            LABEL,
        )?;
        return Ok(());
    }
    let entries: Vec<&AdjustedEntry> = lines
        .iter()
        .filter_map(|l| match l {
            Line::Entry(e) => Some(*e),
            Line::Section(_) => None,
        })
        .collect();
    let labels: Vec<String> = entries.iter().map(|e| label(e)).collect();
    let values: Vec<String> = entries.iter().map(|e| value_text(e)).collect();
    let width = body.right - body.left;
    let label_w = labels
        .iter()
        .map(|l| c.text_width(l, VALUE))
        .max()
        .unwrap_or(0)
        .min(width * 3 / 10)
        + c.px(44.0);
    let value_w = super::value_column(c, &values, VALUE, width * 3 / 10);
    let (plot_l, plot_r) = (
        body.left + label_w + c.px(16.0),
        body.right - value_w - c.px(16.0),
    );
    legend(c, plot_l, legend_y)?;
    let x = x_scale(&entries, plot_l, plot_r);
    let row_h = (f64::from(bottom - top) / lines.len() as f64).min(MAX_ROW * c.s) as i32;
    let plot_bottom = top + row_h * lines.len() as i32;
    let axis = layout::Axis {
        scale: x.0,
        step: x.1,
        title: "Difference in relief from the reference level (points; more is more relief)",
        tick: &|t| layout::num(t, 1),
    };
    layout::x_axis(c, &axis, top, plot_bottom)?;
    let plot = Plot {
        body,
        top,
        row_h,
        label_w,
        value_w,
        x: x.0,
    };
    draw_lines(c, &plot, &lines, &labels, &values)?;
    if let Some(note) = left_out.note() {
        c.text(
            &note,
            body.left,
            plot_bottom + c.px(88.0),
            Align::Left,
            NOTE,
        )?;
    }
    Ok(())
}

/// The line under the takeaway: what "adjusted" means, and what it does not.
const CAVEAT: &str = "Adjusted = compared at equal arrival soreness: an association in the clinic's records, not proof that the factor caused the relief.";

/// Where the forest plot's lines go: the body, the first line's top, the line height, the
/// label and value columns' widths and the value axis.
struct Plot {
    body: Body,
    top: i32,
    row_h: i32,
    label_w: i32,
    value_w: i32,
    x: Scale,
}

/// Draws the section titles (the first with the value column's heading) and the entries, on
/// alternating bands.
fn draw_lines(
    c: &Canvas,
    plot: &Plot,
    lines: &[Line],
    labels: &[String],
    values: &[String],
) -> Result<(), ChartError> {
    let Plot {
        body,
        top,
        row_h,
        label_w,
        value_w,
        x,
    } = *plot;
    let mut i = 0;
    for (k, line) in lines.iter().enumerate() {
        let y = top + row_h * k as i32 + row_h / 2;
        match line {
            Line::Section(title) => {
                c.text(title, body.left, y, Align::Left, VALUE.bold())?;
                if k == 0 {
                    let head = "at equal soreness (95 % CI)   raw   rows";
                    let x = body.right - value_w + c.px(12.0);
                    c.fitted(head, (x, y), value_w, NOTE)?;
                }
            }
            Line::Entry(e) => {
                if k % 2 == 1 {
                    c.rect(
                        (body.left, y - row_h / 2),
                        (body.right, y + row_h / 2 - 1),
                        palette::BAND,
                    )?;
                }
                let row = Row {
                    y,
                    h: row_h,
                    label: &labels[i],
                    value: &values[i],
                };
                entry(c, e, &row, (body.left, label_w), x, body.right - value_w)?;
                i += 1;
            }
        }
    }
    Ok(())
}

/// Where one entry row sits and what it says.
struct Row<'a> {
    y: i32,
    h: i32,
    label: &'a str,
    value: &'a str,
}

/// The value axis: every raw value, estimate and CI end, and zero, in round steps.
fn x_scale(entries: &[&AdjustedEntry], p0: i32, p1: i32) -> (Scale, f64) {
    let values = entries.iter().flat_map(|e| {
        let ci = e.ci95.map_or([None, None], |[lo, hi]| [Some(lo), Some(hi)]);
        [Some(e.raw_difference), e.adjusted_difference, ci[0], ci[1]]
    });
    let (lo, hi) = values
        .flatten()
        .filter(|v| v.is_finite())
        .fold((0.0f64, 0.5f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi, step) = layout::nice_range(lo, hi, 6);
    (
        Scale {
            v0: lo,
            v1: hi,
            p0,
            p1,
        },
        step,
    )
}

/// The legend: raw, adjusted, CI, small sample.
fn legend(c: &Canvas, x: i32, y: i32) -> Result<i32, ChartError> {
    layout::legend_row(
        c,
        x,
        y,
        &[
            (
                Key::Marker {
                    shape: Marker::Diamond,
                    colour: palette::RAW,
                    hollow: false,
                },
                "raw, as recorded".into(),
            ),
            (
                Key::Dot {
                    colour: palette::ADJUSTED,
                    hollow: false,
                },
                "at equal arrival soreness".into(),
            ),
            (Key::Whisker, "95 % CI".into()),
            (
                Key::Dot {
                    colour: palette::ADJUSTED,
                    hollow: true,
                },
                "small sample".into(),
            ),
        ],
    )
}

/// Draws one comparison: label, raw diamond, a faint line to the estimate, the CI whisker,
/// the estimate's dot (hollow for a small sample) and the figures in words.
fn entry(
    c: &Canvas,
    e: &AdjustedEntry,
    row: &Row,
    (left, label_w): (i32, i32),
    x: Scale,
    value_x: i32,
) -> Result<(), ChartError> {
    let y = row.y;
    let font: Font = VALUE;
    let mut label_x = left + c.px(16.0);
    if let RegionOrAll::Region(r) = e.region {
        c.circle((label_x + c.px(6.0), y), 7.0, region_colour(r), 0.0)?;
        label_x += c.px(22.0);
    }
    let room = left + label_w - label_x;
    c.text(&c.fit(row.label, room, font), label_x, y, Align::Left, font)?;
    let xr = x.at(e.raw_difference);
    if let Some(a) = e.adjusted_difference {
        c.line(&[(xr, y), (x.at(a), y)], palette::GRID, 3.0)?;
    }
    let r = (f64::from(row.h) / c.s / 4.0).clamp(5.0, 10.0);
    c.marker(Marker::Diamond, (xr, y), r, palette::RAW, false)?;
    if let Some([lo, hi]) = e.ci95 {
        let cap = (row.h / 4).min(c.px(10.0));
        super::whisker(c, x, y, cap, [lo, hi], false)?;
    }
    if let Some(a) = e.adjusted_difference {
        let ring = if e.small_sample { 3.0 } else { 0.0 };
        c.circle((x.at(a), y), r, palette::ADJUSTED, ring)?;
    }
    let ink = if e.small_sample || e.adjusted_difference.is_none() {
        VALUE.colour(palette::MUTED)
    } else {
        VALUE
    };
    let fitted = c.fit(row.value, c.w - value_x - c.px(60.0), ink);
    c.text(&fitted, value_x + c.px(12.0), y, Align::Left, ink)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::LeftOut;

    /// The note says "focus in other regions" only when every comparison left out is one: a
    /// period of hundreds of techniques leaves out comparisons over all regions too.
    #[test]
    fn the_note_names_focus_only_when_only_focus_is_left_out() {
        let note = |all, pooled| LeftOut { all, pooled }.note();
        assert_eq!(note(0, 0), None);
        assert_eq!(
            note(1, 0).unwrap(),
            "1 more comparison (focus in another region) is in the workbook's Personalisation, adjusted sheet."
        );
        assert!(
            note(4, 0)
                .unwrap()
                .starts_with("4 more comparisons (focus in other regions) are")
        );
        assert_eq!(
            note(1981, 1970).unwrap(),
            "1981 more comparisons are in the workbook's Personalisation, adjusted sheet."
        );
        assert!(note(1, 1).unwrap().starts_with("1 more comparison is"));
    }
}
