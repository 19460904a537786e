//! The colours and marker shapes of every chart, defined once.
//!
//! Each region keeps one colour and one marker shape on every chart, so a reader who learns
//! "lower back is the dark blue square" on the trend can find it again on the responder bars.
//! The region colours live in `relief_core::palette` (the workbook's charts use them too); the
//! marker shapes repeat the distinction for black-and-white printing. The body map and the pressure table use a separate diverging scale (blue for relief,
//! orange for worse) centred on zero change.

use plotters::style::RGBColor;
use relief_core::Region;

/// Page background.
pub const BACKGROUND: RGBColor = RGBColor(255, 255, 255);
/// Body text, titles and axis lines.
pub const INK: RGBColor = RGBColor(33, 33, 33);
/// Secondary text: subtitles, notes, tick labels.
pub const MUTED: RGBColor = RGBColor(95, 95, 95);
/// Grid lines.
pub const GRID: RGBColor = RGBColor(222, 222, 222);
/// Alternate row bands that guide the eye along a row.
pub const BAND: RGBColor = RGBColor(246, 246, 246);
/// Legend keys that explain a kind of mark rather than a region.
pub const KEY: RGBColor = RGBColor(90, 90, 90);
/// Fill of a region or cell that has no data.
pub const NO_DATA: RGBColor = RGBColor(214, 214, 214);
/// A difference at equal arrival soreness (the adjusted estimate): the diverging scale's
/// relief blue, so it reads as the figure that counts.
pub const ADJUSTED: RGBColor = RGBColor(33, 102, 172);
/// A raw difference as recorded: a light grey that stays visible beside the adjusted mark.
pub const RAW: RGBColor = RGBColor(150, 150, 150);

/// The fixed colour of a region (same on every chart, and in the workbook's charts).
pub fn region_colour(region: Region) -> RGBColor {
    let [r, g, b] = relief_core::palette::region_rgb(region);
    RGBColor(r, g, b)
}

/// The marker shape of a region on line charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
    TriangleDown,
}

/// The fixed marker of a region (same on every line chart).
pub fn region_marker(region: Region) -> Marker {
    match region {
        Region::Head => Marker::Diamond,
        Region::Neck => Marker::Triangle,
        Region::Shoulders => Marker::Circle,
        Region::UpperBack => Marker::TriangleDown,
        Region::LowerBack => Marker::Square,
        Region::Arms => Marker::Triangle,
        Region::Hips => Marker::Circle,
        Region::Legs => Marker::Diamond,
        Region::Feet => Marker::Square,
    }
}

/// Mixes `colour` with white; `amount` 0 keeps the colour, 1 gives white.
pub fn tint(colour: RGBColor, amount: f64) -> RGBColor {
    let mix = |c: u8| (f64::from(c) + (255.0 - f64::from(c)) * amount).round() as u8;
    RGBColor(mix(colour.0), mix(colour.1), mix(colour.2))
}

/// The diverging stops, from "worse" (negative change) through neutral to "relief" (positive).
const DIVERGING: [(f64, RGBColor); 5] = [
    (-1.0, RGBColor(179, 88, 6)),
    (-0.5, RGBColor(241, 163, 64)),
    (0.0, RGBColor(247, 247, 247)),
    (0.5, RGBColor(103, 169, 207)),
    (1.0, RGBColor(33, 102, 172)),
];

/// The colour of a mean change on the diverging scale that runs from `-limit` (worse, orange)
/// through 0 (near white) to `+limit` (relief, blue). Values beyond the limit take the end colour.
pub fn diverging(change: f64, limit: f64) -> RGBColor {
    let t = if limit > 0.0 && change.is_finite() {
        (change / limit).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    for pair in DIVERGING.windows(2) {
        let ((t0, c0), (t1, c1)) = (pair[0], pair[1]);
        if t <= t1 {
            let f = (t - t0) / (t1 - t0);
            let mix =
                |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
            return RGBColor(mix(c0.0, c1.0), mix(c0.1, c1.1), mix(c0.2, c1.2));
        }
    }
    DIVERGING[DIVERGING.len() - 1].1
}

/// Whether text on `fill` reads better in white than in black.
pub fn needs_light_text(fill: RGBColor) -> bool {
    let luma = 0.299 * f64::from(fill.0) + 0.587 * f64::from(fill.1) + 0.114 * f64::from(fill.2);
    luma < 140.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_has_its_own_colour() {
        for (i, a) in Region::ALL.iter().enumerate() {
            for b in &Region::ALL[i + 1..] {
                assert_ne!(
                    region_colour(*a),
                    region_colour(*b),
                    "{a:?} and {b:?} share a colour"
                );
            }
        }
    }

    #[test]
    fn diverging_scale_is_centred_on_zero_and_clamped() {
        assert_eq!(diverging(0.0, 3.0), RGBColor(247, 247, 247));
        assert_eq!(diverging(3.0, 3.0), RGBColor(33, 102, 172));
        assert_eq!(diverging(9.0, 3.0), RGBColor(33, 102, 172));
        assert_eq!(diverging(-3.0, 3.0), RGBColor(179, 88, 6));
        // Halfway to relief is the middle stop exactly.
        assert_eq!(diverging(1.5, 3.0), RGBColor(103, 169, 207));
        assert_eq!(diverging(f64::NAN, 3.0), RGBColor(247, 247, 247));
    }

    #[test]
    fn tint_runs_from_colour_to_white() {
        let c = RGBColor(0, 100, 200);
        assert_eq!(tint(c, 0.0), c);
        assert_eq!(tint(c, 1.0), RGBColor(255, 255, 255));
        assert_eq!(tint(c, 0.5), RGBColor(128, 178, 228));
    }
}
