//! The body map: a front and a back outline, each region of SPEC §2.5 shaded by its mean change.
//!
//! The figures are drawn from polygons defined here, in a 100 × 250 unit box (x to the right,
//! y down), so no image file is needed and the drawing scales with the chart. The front view
//! shows the regions visible from the front; the chest and belly are not regions and stay a
//! neutral skin tone. The back view shows upper and lower back. Both views pool left and right,
//! as the figures do. Labels sit in columns beside the figures with leader lines, pushed apart
//! so they never overlap.

use crate::canvas::{Align, Canvas, Px};
use crate::layout::{self, Key, LABEL, NOTE, VALUE};
use crate::palette::{self, region_colour};
use crate::{ChartError, region_figures};
use relief_core::Region;
use relief_core::summary::{Figures, Summary};

/// A body part: its region (or `None` for skin that is not a region) and its outline.
struct Part {
    region: Option<Region>,
    outline: Vec<(f64, f64)>,
}

/// An ellipse as a polygon.
fn ellipse(cx: f64, cy: f64, rx: f64, ry: f64) -> Vec<(f64, f64)> {
    (0..48)
        .map(|i| {
            let a = f64::from(i) / 48.0 * std::f64::consts::TAU;
            (cx + rx * a.cos(), cy + ry * a.sin())
        })
        .collect()
}

/// The same outline on the other side of the body's centre line.
fn mirror(outline: &[(f64, f64)]) -> Vec<(f64, f64)> {
    outline.iter().rev().map(|&(x, y)| (100.0 - x, y)).collect()
}

/// The parts of one view, back to front in drawing order: the limbs, then the trunk and head.
fn parts(back: bool) -> Vec<Part> {
    let mut parts = limbs();
    parts.extend(trunk(back));
    parts
}

/// Arms, hands, legs and feet, each drawn on both sides.
fn limbs() -> Vec<Part> {
    let arm = vec![
        (15.0, 63.0),
        (27.0, 62.0),
        (26.5, 72.0),
        (25.0, 92.0),
        (22.5, 118.0),
        (21.0, 136.0),
        (13.5, 136.0),
        (13.0, 118.0),
        (12.5, 92.0),
        (13.0, 72.0),
    ];
    let hand = ellipse(17.3, 143.0, 4.6, 8.0);
    let leg = vec![
        (27.0, 150.0),
        (48.5, 154.0),
        (47.5, 176.0),
        (46.0, 196.0),
        (45.5, 220.0),
        (45.0, 233.0),
        (37.0, 233.0),
        (35.0, 210.0),
        (33.0, 196.0),
        (29.0, 176.0),
    ];
    let foot = vec![
        (37.0, 232.0),
        (45.0, 232.0),
        (46.0, 239.0),
        (47.5, 245.0),
        (33.0, 246.0),
        (34.0, 239.0),
    ];
    let pair = |region, outline: Vec<(f64, f64)>| {
        let mirrored = mirror(&outline);
        [
            Part {
                region: Some(region),
                outline,
            },
            Part {
                region: Some(region),
                outline: mirrored,
            },
        ]
    };
    [
        pair(Region::Arms, arm),
        pair(Region::Arms, hand),
        pair(Region::Legs, leg),
        pair(Region::Feet, foot),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The trunk (its back regions only on the back view), hips, neck, shoulders and head.
fn trunk(back: bool) -> Vec<Part> {
    let (upper, lower) = if back {
        (Some(Region::UpperBack), Some(Region::LowerBack))
    } else {
        (None, None)
    };
    let part = |region, outline| Part { region, outline };
    vec![
        part(
            upper,
            vec![
                (28.0, 62.0),
                (38.0, 57.0),
                (62.0, 57.0),
                (72.0, 62.0),
                (71.0, 80.0),
                (68.0, 100.0),
                (32.0, 100.0),
                (29.0, 80.0),
            ],
        ),
        part(
            lower,
            vec![
                (32.0, 100.0),
                (68.0, 100.0),
                (69.0, 114.0),
                (71.0, 127.0),
                (29.0, 127.0),
                (31.0, 114.0),
            ],
        ),
        part(
            Some(Region::Hips),
            vec![
                (29.0, 126.0),
                (71.0, 126.0),
                (74.0, 140.0),
                (73.0, 154.0),
                (51.5, 157.0),
                (50.0, 151.0),
                (48.5, 157.0),
                (27.0, 154.0),
                (26.0, 140.0),
            ],
        ),
        part(
            Some(Region::Neck),
            vec![(44.0, 29.0), (56.0, 29.0), (57.5, 43.0), (42.5, 43.0)],
        ),
        part(
            Some(Region::Shoulders),
            vec![
                (42.5, 42.0),
                (57.5, 42.0),
                (70.0, 45.5),
                (78.0, 50.0),
                (82.0, 56.0),
                (84.0, 64.0),
                (72.0, 62.0),
                (62.0, 57.0),
                (38.0, 57.0),
                (28.0, 62.0),
                (16.0, 64.0),
                (18.0, 56.0),
                (22.0, 50.0),
                (30.0, 45.5),
            ],
        ),
        part(Some(Region::Head), ellipse(50.0, 17.0, 11.0, 14.0)),
    ]
}

/// Which view a region is labelled on, and the point its leader line ends at (figure units).
fn anchor(region: Region) -> (bool, (f64, f64)) {
    match region {
        Region::Head => (false, (43.0, 14.0)),
        Region::Shoulders => (false, (22.0, 56.0)),
        Region::Arms => (false, (17.0, 100.0)),
        Region::Legs => (false, (36.0, 190.0)),
        Region::Neck => (true, (54.0, 37.0)),
        Region::UpperBack => (true, (62.0, 78.0)),
        Region::LowerBack => (true, (60.0, 113.0)),
        Region::Hips => (true, (64.0, 141.0)),
        Region::Feet => (true, (60.0, 240.0)),
    }
}

/// Where the two figures sit on a canvas.
struct Geometry {
    /// Top of the colour bar block.
    legend_top: i32,
    /// Top and bottom of the figures.
    top: i32,
    bottom: i32,
    /// Pixels per figure unit.
    unit: f64,
    fig_w: i32,
    centre: i32,
    /// Left edge of the front (0) and back (1) figures.
    origins: [i32; 2],
}

impl Geometry {
    fn new(c: &Canvas, body: layout::Body) -> Geometry {
        let legend_top = body.bottom - c.px(112.0);
        let (top, bottom) = (body.top + c.px(40.0), legend_top - c.px(20.0));
        let unit = f64::from(bottom - top) / 250.0;
        let fig_w = (100.0 * unit).round() as i32;
        let centre = (body.left + body.right) / 2;
        let spread = fig_w * 4 / 5;
        Geometry {
            legend_top,
            top,
            bottom,
            unit,
            fig_w,
            centre,
            origins: [centre - spread - fig_w / 2, centre + spread - fig_w / 2],
        }
    }

    /// The pixel of a point in figure units on the front (0) or back (1) view.
    fn to_px(&self, view: usize, (x, y): (f64, f64)) -> Px {
        (
            self.origins[view] + (x * self.unit).round() as i32,
            self.top + (y * self.unit).round() as i32,
        )
    }
}

/// Draws the body map.
pub fn draw(c: &Canvas, s: &Summary) -> Result<(), ChartError> {
    let body = layout::summary_frame(
        c,
        s,
        (
            "Where clients feel relief: mean change by body region",
            "left and right sides pooled",
        ),
        layout::BARS_AND_MARKERS,
        "Change = soreness before − after, on the 0–10 scale.",
    )?;
    let limit = layout::diverging_limit(
        Region::ALL
            .iter()
            .filter_map(|&r| region_figures(s, r))
            .map(|f| f.mean_change),
    );
    // Room for the colour bar at the bottom.
    let g = Geometry::new(c, body);
    views(c, s, &g, limit)?;
    labels(c, s, &g, body)?;
    keys(c, &g, limit)
}

/// The front and back figures, each region filled with its change (hatched for a small
/// sample), parts that are not a region left blank.
fn views(c: &Canvas, s: &Summary, g: &Geometry, limit: f64) -> Result<(), ChartError> {
    for (view, back) in [(0usize, false), (1, true)] {
        let heading = if back { "Back" } else { "Front" };
        c.text(
            heading,
            g.origins[view] + g.fig_w / 2,
            g.top - c.px(22.0),
            Align::Centre,
            LABEL.bold(),
        )?;
        for part in parts(back) {
            let poly: Vec<Px> = part.outline.iter().map(|&p| g.to_px(view, p)).collect();
            let figures = part.region.and_then(|r| region_figures(s, r));
            let fill = match (part.region, figures) {
                (None, _) => palette::BACKGROUND,
                (Some(_), None) => palette::NO_DATA,
                (Some(_), Some(f)) => palette::diverging(f.mean_change, limit),
            };
            c.polygon(&poly, fill)?;
            if figures.is_some_and(|f| f.small_sample) {
                c.hatch_polygon(&poly, palette::MUTED)?;
            }
            let mut closed = poly.clone();
            closed.push(poly[0]);
            c.line(&closed, palette::MUTED, 2.0)?;
        }
    }
    Ok(())
}

/// The region labels: one column left of the front view, one right of the back view, each
/// with a leader line to its region.
fn labels(c: &Canvas, s: &Summary, g: &Geometry, body: layout::Body) -> Result<(), ChartError> {
    let gap = c.px(40.0);
    let columns = [
        (false, g.origins[0] - gap, Align::Right),
        (true, g.origins[1] + g.fig_w + gap, Align::Left),
    ];
    let line_h = c.px(30.0);
    for (back, x, align) in columns {
        let view = usize::from(back);
        let mut labels: Vec<(Region, Px)> = Region::ALL
            .iter()
            .filter(|&&r| anchor(r).0 == back)
            .map(|&r| (r, g.to_px(view, anchor(r).1)))
            .collect();
        labels.sort_by_key(|l| l.1.1);
        let ys = spread_out(
            &labels.iter().map(|l| l.1.1).collect::<Vec<_>>(),
            2 * line_h + c.px(8.0),
            g.top,
            g.bottom - line_h,
        );
        let room = if back { body.right - x } else { x - body.left };
        for ((region, point), y) in labels.into_iter().zip(ys) {
            let f = region_figures(s, region);
            let dir = if back { 1 } else { -1 };
            let name_y = y - line_h / 2;
            let dot_x = x + dir * c.px(10.0);
            c.circle((dot_x, name_y), 8.0, region_colour(region), 0.0)?;
            let name_x = x + dir * c.px(28.0);
            c.text(
                &c.fit(region.label(), room - c.px(28.0), LABEL.bold()),
                name_x,
                name_y,
                align,
                LABEL.bold(),
            )?;
            let detail = c.fit(&detail(f), room, VALUE);
            let detail_font = if f.is_some() { VALUE } else { NOTE };
            c.text(&detail, x, y + line_h / 2, align, detail_font)?;
            // Leader line from the label to the region, ending in a dot.
            let start = (x - dir * c.px(10.0), y);
            c.line(&[start, (point.0, point.1)], palette::MUTED, 1.5)?;
            c.circle(point, 4.0, palette::INK, 0.0)?;
        }
    }
    Ok(())
}

/// The colour bar and the keys for no data, what is not a region, and small samples.
fn keys(c: &Canvas, g: &Geometry, limit: f64) -> Result<(), ChartError> {
    let bar_w = c.px(560.0);
    let bar_x = g.centre - bar_w / 2;
    layout::colour_bar(
        c,
        (bar_x, g.legend_top),
        bar_w,
        limit,
        "Mean change (points)",
    )?;
    let keys_x = bar_x + bar_w + c.px(60.0);
    let swatch = |fill, hatched| Key::Swatch { fill, hatched };
    let keys = [
        (35.0, swatch(palette::NO_DATA, false), "no data"),
        (-2.0, Key::Outline, "not a region (chest, belly)"),
        (
            72.0,
            swatch(palette::diverging(limit / 2.0, limit), true),
            "small sample",
        ),
    ];
    for (dy, key, text) in keys {
        let y = g.legend_top + c.px(dy);
        layout::legend_row(c, keys_x, y, &[(key, text.into())])?;
    }
    Ok(())
}

/// The second line of a label: the change in words and the row count.
fn detail(f: Option<&Figures>) -> String {
    let Some(f) = f else {
        return "no data".to_string();
    };
    let v = layout::one(f.mean_change.abs());
    let change = if v == "0.0" {
        "no change".to_string()
    } else if f.mean_change > 0.0 {
        format!("{v} points less sore")
    } else {
        format!("{v} points more sore")
    };
    let small = if f.small_sample { "small sample, " } else { "" };
    format!("{change}  ·  {small}n = {}", layout::thousands(f.rows))
}

/// Moves sorted label positions apart so neighbours are at least `gap` apart, keeping them within
/// `[lo, hi]` where possible, and as close to where they want to be as the gaps allow.
fn spread_out(wanted: &[i32], gap: i32, lo: i32, hi: i32) -> Vec<i32> {
    let mut ys: Vec<i32> = Vec::with_capacity(wanted.len());
    for &w in wanted {
        let y = match ys.last() {
            Some(&prev) => w.max(prev + gap),
            None => w.max(lo),
        };
        ys.push(y);
    }
    // Push back up from the bottom if the last label ran past the limit.
    let mut limit = hi;
    for y in ys.iter_mut().rev() {
        if *y > limit {
            *y = limit;
        }
        limit = *y - gap;
    }
    ys
}

#[cfg(test)]
mod tests {
    use super::*;
    use relief_core::summary::{RegionFigures, Summary};
    use relief_core::test_support;

    fn figures(rows: u64, change: f64) -> Figures {
        Figures {
            rows,
            sessions: rows,
            clients: rows,
            mean_before: 6.0,
            mean_after: 6.0 - change,
            mean_change: change,
            median_change: change,
            sd_change: Some(1.0),
            ci95: None,
            improved_rate: 0.5,
            worse_rate: 0.1,
            responder_rate: Some(0.4),
            strong_responder_rate: Some(0.2),
            srm: Some(change),
            small_sample: rows < 5,
            unchanged_rate: 0.4,
            zero_before_rows: 0,
            meets_mcid: change >= 2.0,
            mcid_rate: Some(0.5),
        }
    }

    #[test]
    fn regions_are_filled_with_the_colour_of_their_mean_change() {
        let period = relief_core::Period::parse_name("2026-06").unwrap();
        let summary = Summary {
            regions: vec![
                RegionFigures {
                    key: relief_core::summary::RegionKey {},
                    region: Region::LowerBack,
                    figures: figures(40, 2.5),
                },
                RegionFigures {
                    key: relief_core::summary::RegionKey {},
                    region: Region::Legs,
                    figures: figures(30, -1.0),
                },
            ],
            ..test_support::empty(period, test_support::settings("test"))
        };
        crate::register_fonts().unwrap();
        let (w, h) = (800u32, 500u32);
        let mut buffer = vec![0u8; (w * h * 3) as usize];
        let g = {
            let c = Canvas::new(&mut buffer, w, h, "body map").unwrap();
            draw(&c, &summary).unwrap();
            let g = Geometry::new(&c, layout::body_of(&c));
            c.finish().unwrap();
            g
        };
        let pixel = |(x, y): Px| {
            let i = (y as usize * w as usize + x as usize) * 3;
            plotters::style::RGBColor(buffer[i], buffer[i + 1], buffer[i + 2])
        };
        // The largest |change| is below 3, so the scale runs from −3 to +3.
        assert_eq!(
            pixel(g.to_px(1, (40.0, 108.0))),
            palette::diverging(2.5, 3.0),
            "lower back"
        );
        assert_eq!(
            pixel(g.to_px(0, (40.0, 175.0))),
            palette::diverging(-1.0, 3.0),
            "legs, front"
        );
        assert_eq!(
            pixel(g.to_px(1, (41.0, 240.0))),
            palette::NO_DATA,
            "feet have no data"
        );
        assert_eq!(
            pixel(g.to_px(0, (50.0, 80.0))),
            palette::BACKGROUND,
            "the chest is not a region"
        );
        assert_ne!(palette::diverging(2.5, 3.0), palette::diverging(-1.0, 3.0));
    }

    #[test]
    fn labels_are_spread_apart_and_kept_in_bounds() {
        assert_eq!(spread_out(&[10, 12, 100], 20, 0, 500), vec![10, 30, 100]);
        assert_eq!(
            spread_out(&[480, 490, 495], 20, 0, 500),
            vec![460, 480, 500]
        );
        assert_eq!(spread_out(&[-5], 20, 0, 500), vec![0]);
    }

    #[test]
    fn every_region_is_drawn_and_labelled() {
        for region in Region::ALL {
            let views: Vec<bool> = [false, true]
                .into_iter()
                .filter(|&back| parts(back).iter().any(|p| p.region == Some(region)))
                .collect();
            assert!(!views.is_empty(), "{region:?} is not drawn");
            assert!(
                views.contains(&anchor(region).0),
                "{region:?} is labelled on a view without it"
            );
        }
    }
}
