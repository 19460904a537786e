//! A thin drawing layer over plotters' bitmap backend, in pixels.
//!
//! The charts lay themselves out by hand (label columns, value columns, legends) so that no label
//! can overlap another whatever its length; this module gives them the few primitives they need —
//! rectangles, lines, polygons, markers, hatching and text placed by its cap height — each
//! returning a [`ChartError`] instead of plotters' backend error. Every size is scaled from a
//! 1600 × 1000 design by [`Canvas::s`], so a smaller image is the same picture, smaller.

use crate::ChartError;
use crate::palette::{self, Marker};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, FontTransform};

/// The family name the bundled font is registered under.
pub const FONT: &str = "relief-dejavu-sans";

/// A point in pixels, origin top left.
pub type Px = (i32, i32);

/// How text is placed horizontally around its x.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Centre,
    Right,
}

/// The style of one piece of text.
#[derive(Debug, Clone, Copy)]
pub struct Font {
    /// Size in design pixels (scaled by the canvas).
    pub size: f64,
    pub bold: bool,
    pub colour: RGBColor,
}

impl Font {
    pub const fn new(size: f64) -> Font {
        Font {
            size,
            bold: false,
            colour: palette::INK,
        }
    }
    pub const fn bold(mut self) -> Font {
        self.bold = true;
        self
    }
    pub const fn colour(mut self, colour: RGBColor) -> Font {
        self.colour = colour;
        self
    }
}

/// Cap height of DejaVu Sans as a share of the size ab_glyph is given (ascent − descent).
const CAP: f64 = 0.626;

/// One chart being drawn.
pub struct Canvas<'a> {
    area: DrawingArea<BitMapBackend<'a>, Shift>,
    /// Image width and height in pixels.
    pub w: i32,
    pub h: i32,
    /// Scale from the 1600 × 1000 design to this image.
    pub s: f64,
    chart: &'static str,
}

impl<'a> Canvas<'a> {
    /// Starts a chart on a white RGB buffer of `w × h` pixels.
    pub fn new(
        buffer: &'a mut [u8],
        w: u32,
        h: u32,
        chart: &'static str,
    ) -> Result<Canvas<'a>, ChartError> {
        let area = BitMapBackend::with_buffer(buffer, (w, h)).into_drawing_area();
        let s = (f64::from(w) / 1600.0).min(f64::from(h) / 1000.0);
        let canvas = Canvas {
            area,
            w: w as i32,
            h: h as i32,
            s,
            chart,
        };
        canvas
            .area
            .fill(&palette::BACKGROUND)
            .map_err(|e| canvas.err(e))?;
        Ok(canvas)
    }

    /// Scales a design length to pixels (at least 1).
    pub fn px(&self, design: f64) -> i32 {
        ((design * self.s).round() as i32).max(1)
    }

    fn err(&self, e: impl std::fmt::Display) -> ChartError {
        ChartError::Draw {
            chart: self.chart,
            message: e.to_string(),
        }
    }

    /// Writes the drawing into the buffer; errors surface here rather than being lost on drop.
    pub fn finish(self) -> Result<(), ChartError> {
        self.area.present().map_err(|e| ChartError::Draw {
            chart: self.chart,
            message: e.to_string(),
        })
    }

    /// Fills the rectangle between two corners (inclusive).
    pub fn rect(&self, a: Px, b: Px, fill: RGBColor) -> Result<(), ChartError> {
        // The backend's fill excludes the far edge; add it back so both corners are inside.
        let (a, b) = (
            (a.0.min(b.0), a.1.min(b.1)),
            (a.0.max(b.0) + 1, a.1.max(b.1) + 1),
        );
        self.area
            .draw(&Rectangle::new([a, b], fill.filled()))
            .map_err(|e| self.err(e))
    }

    /// Draws the outline of a rectangle, `width` design pixels wide.
    pub fn rect_outline(
        &self,
        a: Px,
        b: Px,
        colour: RGBColor,
        width: f64,
    ) -> Result<(), ChartError> {
        let (a, b) = ((a.0.min(b.0), a.1.min(b.1)), (a.0.max(b.0), a.1.max(b.1)));
        let w = self.px(width);
        for i in 0..w {
            self.area
                .draw(&Rectangle::new(
                    [(a.0 + i, a.1 + i), (b.0 - i, b.1 - i)],
                    colour.stroke_width(1),
                ))
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// Draws a polyline, `width` design pixels wide.
    pub fn line(&self, points: &[Px], colour: RGBColor, width: f64) -> Result<(), ChartError> {
        let w = self.px(width) as u32;
        self.area
            .draw(&PathElement::new(points.to_vec(), colour.stroke_width(w)))
            .map_err(|e| self.err(e))
    }

    /// Draws a dashed straight line.
    pub fn dashed(
        &self,
        a: Px,
        b: Px,
        colour: RGBColor,
        width: f64,
        dash: f64,
    ) -> Result<(), ChartError> {
        let (dx, dy) = (f64::from(b.0 - a.0), f64::from(b.1 - a.1));
        let len = (dx * dx + dy * dy).sqrt();
        let step = dash * self.s;
        if len < 1.0 || step < 1.0 {
            return self.line(&[a, b], colour, width);
        }
        let mut t = 0.0;
        while t < len {
            let t1 = (t + step).min(len);
            let p = |t: f64| {
                (
                    a.0 + (dx * t / len).round() as i32,
                    a.1 + (dy * t / len).round() as i32,
                )
            };
            self.line(&[p(t), p(t1)], colour, width)?;
            t += 2.0 * step;
        }
        Ok(())
    }

    /// Fills a polygon.
    pub fn polygon(&self, points: &[Px], fill: RGBColor) -> Result<(), ChartError> {
        self.area
            .draw(&Polygon::new(points.to_vec(), fill.filled()))
            .map_err(|e| self.err(e))
    }

    /// Fills a circle; with `ring` > 0 only a ring of that design width is drawn, on white.
    pub fn circle(
        &self,
        c: Px,
        radius: f64,
        colour: RGBColor,
        ring: f64,
    ) -> Result<(), ChartError> {
        let r = self.px(radius);
        self.area
            .draw(&Circle::new(c, r, colour.filled()))
            .map_err(|e| self.err(e))?;
        if ring > 0.0 {
            let inner = r - self.px(ring);
            if inner > 0 {
                self.area
                    .draw(&Circle::new(c, inner, palette::BACKGROUND.filled()))
                    .map_err(|e| self.err(e))?;
            }
        }
        Ok(())
    }

    /// Draws a region's marker of `radius` design pixels; hollow markers mark small samples.
    pub fn marker(
        &self,
        shape: Marker,
        c: Px,
        radius: f64,
        colour: RGBColor,
        hollow: bool,
    ) -> Result<(), ChartError> {
        let ring = if hollow { 3.0 } else { 0.0 };
        if shape == Marker::Circle {
            return self.circle(c, radius, colour, ring);
        }
        let outline = |r: f64| -> Vec<Px> {
            let r = r * self.s;
            let pts: &[(f64, f64)] = match shape {
                Marker::Square => &[(-0.85, -0.85), (0.85, -0.85), (0.85, 0.85), (-0.85, 0.85)],
                Marker::Triangle => &[(0.0, -1.15), (1.05, 0.75), (-1.05, 0.75)],
                Marker::TriangleDown => &[(0.0, 1.15), (1.05, -0.75), (-1.05, -0.75)],
                Marker::Diamond | Marker::Circle => {
                    &[(0.0, -1.2), (1.1, 0.0), (0.0, 1.2), (-1.1, 0.0)]
                }
            };
            pts.iter()
                .map(|(x, y)| (c.0 + (x * r).round() as i32, c.1 + (y * r).round() as i32))
                .collect()
        };
        self.polygon(&outline(radius), colour)?;
        if hollow {
            let inner = radius - ring * 1.6;
            if inner > 0.5 {
                self.polygon(&outline(inner), palette::BACKGROUND)?;
            }
        }
        Ok(())
    }

    /// Draws diagonal hatching over a rectangle: the mark of a small sample.
    pub fn hatch_rect(&self, a: Px, b: Px, colour: RGBColor) -> Result<(), ChartError> {
        let (x0, y0, x1, y1) = (a.0.min(b.0), a.1.min(b.1), a.0.max(b.0), a.1.max(b.1));
        let poly = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)];
        self.hatch_polygon(&poly, colour)
    }

    /// Draws diagonal hatching (lines rising to the right) inside any simple polygon.
    pub fn hatch_polygon(&self, poly: &[Px], colour: RGBColor) -> Result<(), ChartError> {
        if poly.len() < 3 {
            return Ok(());
        }
        // Lines x + y = k; intersect each with every edge, pair the crossings up in order.
        let spacing = self.px(9.0).max(4);
        let sums: Vec<i32> = poly.iter().map(|p| p.0 + p.1).collect();
        let (lo, hi) = (
            *sums.iter().min().unwrap_or(&0),
            *sums.iter().max().unwrap_or(&0),
        );
        let mut k = lo - lo.rem_euclid(spacing) + spacing;
        let width = self.s * 2.0;
        while k < hi {
            let kf = f64::from(k) + 0.5;
            let mut xs: Vec<f64> = Vec::new();
            for i in 0..poly.len() {
                let (p, q) = (poly[i], poly[(i + 1) % poly.len()]);
                let (sp, sq) = (f64::from(p.0 + p.1), f64::from(q.0 + q.1));
                if (sp - kf) * (sq - kf) < 0.0 {
                    let t = (kf - sp) / (sq - sp);
                    xs.push(f64::from(p.0) + t * f64::from(q.0 - p.0));
                }
            }
            xs.sort_by(f64::total_cmp);
            for pair in xs.chunks_exact(2) {
                let (xa, xb) = (pair[0].round() as i32, pair[1].round() as i32);
                self.line(&[(xa, k - xa), (xb, k - xb)], colour, width / self.s)?;
            }
            k += spacing;
        }
        Ok(())
    }

    fn style(&self, font: Font) -> TextStyle<'static> {
        let style = if font.bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        (FONT, font.size * self.s, style)
            .into_font()
            .color(&font.colour)
    }

    /// The width of `text` in pixels.
    pub fn text_width(&self, text: &str, font: Font) -> i32 {
        self.area
            .estimate_text_size(text, &self.style(font))
            .map(|(w, _)| w as i32)
            .unwrap_or(0)
    }

    /// Cap height of `font` in pixels: the height of the text's capitals.
    pub fn cap(&self, font: Font) -> i32 {
        (font.size * self.s * CAP).round() as i32
    }

    /// Draws `text` with its capitals vertically centred on `y`; returns its width.
    pub fn text(
        &self,
        text: &str,
        x: i32,
        y: i32,
        align: Align,
        font: Font,
    ) -> Result<i32, ChartError> {
        let size = font.size * self.s;
        // ab_glyph puts the baseline half a size below the anchor; move it to y + cap / 2.
        let top = y + (size * CAP / 2.0 - size / 2.0).round() as i32;
        let h = match align {
            Align::Left => HPos::Left,
            Align::Centre => HPos::Center,
            Align::Right => HPos::Right,
        };
        let style = self.style(font).pos(Pos::new(h, VPos::Top));
        self.area
            .draw(&Text::new(text.to_string(), (x, top), style))
            .map_err(|e| self.err(e))?;
        Ok(self.text_width(text, font))
    }

    /// Draws `text` reading upwards, centred on `(x, y)` (an axis title on the left).
    pub fn text_up(&self, text: &str, x: i32, y: i32, font: Font) -> Result<(), ChartError> {
        let size = font.size * self.s;
        let left = x + (size * CAP / 2.0 - size / 2.0).round() as i32;
        let style = self
            .style(font)
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Top));
        self.area
            .draw(&Text::new(text.to_string(), (left, y), style))
            .map_err(|e| self.err(e))
    }

    /// Draws `text` left-aligned from `x`, shortened with an ellipsis to fit in `max` pixels:
    /// how titles, headings and notes are written, so a long name never runs off the chart.
    pub fn fitted(
        &self,
        text: &str,
        (x, y): (i32, i32),
        max: i32,
        font: Font,
    ) -> Result<i32, ChartError> {
        self.text(&self.fit(text, max, font), x, y, Align::Left, font)
    }

    /// Shortens `text` with an ellipsis until it fits in `max` pixels.
    ///
    /// The longest prefix that fits is found by halving, not by dropping one character at a
    /// time: each try measures the whole candidate, so a 30,000-character name typed into a
    /// technique cell would otherwise take minutes. Width grows with the prefix, so the
    /// halving finds the same prefix the one-by-one search would.
    pub fn fit(&self, text: &str, max: i32, font: Font) -> String {
        if self.text_width(text, font) <= max {
            return text.to_string();
        }
        let chars: Vec<char> = text.chars().collect();
        let candidate = |keep: usize| -> String {
            chars[..keep]
                .iter()
                .collect::<String>()
                .trim_end()
                .to_string()
                + "…"
        };
        let fits = |keep: usize| self.text_width(&candidate(keep), font) <= max;
        if !fits(0) {
            return String::new();
        }
        // `lo` always fits; `hi` is the longest prefix that might.
        let (mut lo, mut hi) = (0, chars.len() - 1);
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if fits(mid) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        candidate(lo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `check` on a 400 × 400 canvas with relief's fonts.
    fn on_canvas(check: impl FnOnce(&Canvas)) {
        crate::register_fonts().unwrap();
        let mut buffer = vec![0u8; 400 * 400 * 3];
        let c = Canvas::new(&mut buffer, 400, 400, "test").unwrap();
        check(&c);
    }

    #[test]
    fn long_names_are_shortened_to_fit_and_short_ones_kept() {
        on_canvas(|c| {
            let font = Font::new(24.0);
            let long = "Dr. Maximiliana Wolkenstein-Featherstonehaugh (senior therapist)";
            assert!(
                c.text_width(long, font) > 150,
                "the name is long at this size"
            );
            let fitted = c.fit(long, 150, font);
            assert!(fitted.ends_with('…'), "{fitted}");
            assert!(c.text_width(&fitted, font) <= 150, "{fitted} is too wide");
            assert!(long.starts_with(fitted.trim_end_matches('…')));
            assert_eq!(c.fit("Kai", 150, font), "Kai");
            // Bold text is wider than regular text of the same size.
            assert!(c.text_width(long, font.bold()) > c.text_width(long, font));
        });
    }

    /// The search one character at a time that `fit` replaced, kept as its oracle.
    fn fit_one_by_one(c: &Canvas, text: &str, max: i32, font: Font) -> String {
        if c.text_width(text, font) <= max {
            return text.to_string();
        }
        let chars: Vec<char> = text.chars().collect();
        for keep in (0..chars.len()).rev() {
            let candidate = chars[..keep]
                .iter()
                .collect::<String>()
                .trim_end()
                .to_string()
                + "…";
            if c.text_width(&candidate, font) <= max {
                return candidate;
            }
        }
        String::new()
    }

    #[test]
    fn halving_finds_what_the_one_by_one_search_finds() {
        on_canvas(|c| {
            let font = Font::new(18.0);
            let long = "Myofascial release  with   cupping, très doux — Ωmega W i d e";
            for max in (0..400).step_by(7) {
                assert_eq!(
                    c.fit(long, max, font),
                    fit_one_by_one(c, long, max, font),
                    "max {max}"
                );
            }
            // A name as long as a cell can hold: the longest prefix that fits, and one character
            // more would not.
            let huge: String = "Swedish deep tissue ".repeat(1_600);
            let fitted = c.fit(&huge, 300, font);
            assert!(c.text_width(&fitted, font) <= 300);
            let kept = fitted.trim_end_matches('…').chars().count();
            for more in 1..=2 {
                let prefix: String = huge.chars().take(kept + more).collect();
                let wider = prefix.trim_end().to_string() + "…";
                assert!(
                    wider == fitted || c.text_width(&wider, font) > 300,
                    "{wider}"
                );
            }
        });
    }
}
