//! Printable PNG charts of one report period (SPEC §4.2), drawn from the report model.
//!
//! Therapists print these and paste them into newsletters, so each chart stands on its own: a
//! title, the period and row count, axis titles with units, a legend, and a footer that explains
//! the marks. Six charts are drawn per period:
//!
//! | file | what it shows |
//! |---|---|
//! | `before-after.png` | mean soreness before and after per region, with the 95 % CI of the change |
//! | `trend.png` | mean change per region by month across the whole range of the report |
//! | `responders.png` | share of rows with ≥ 30 % and ≥ 50 % relief per region, with n |
//! | `personalisation.png` | focus vs not focus per region, and change by pressure level |
//! | `adjusted.png` | each personalisation factor's difference in relief, raw beside at equal arrival soreness, with 95 % CIs |
//! | `course.png` | regular clients' arrival soreness at their first session against their latest, per region |
//! | `body-map.png` | a front and back outline, each region shaded by its mean change |
//!
//! Choices made where the spec is silent: every region keeps one colour and marker on every
//! chart ([`palette`]); small samples are hatched (bars, body map, table cells) or hollow
//! (markers); regions without data are listed with "no data" rather than left out, so the set of
//! regions is the same on every chart; the trend legend lists regions by their number of rows,
//! most first; the body map's colour scale is symmetric around 0 and spans at least ±3
//! points. Text is DejaVu Sans, bundled (see `fonts/LICENSE-DejaVu.txt`), so the output is the
//! same on every machine and no system font is needed.
//!
//! Files are written to a temporary name in the target folder and renamed into place; the same
//! input gives byte-identical PNGs.

mod body_map;
mod canvas;
mod charts;
mod layout;
pub mod palette;

use relief_core::Region;
use relief_core::summary::{Figures, MonthFigures, Summary};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Size of the charts in pixels. Text, lines and margins scale with the size, so a smaller chart
/// is the same picture, smaller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartOptions {
    pub width: u32,
    pub height: u32,
}

impl Default for ChartOptions {
    /// 1600 × 1000 pixels: a printed A4 half page at 200 dpi.
    fn default() -> Self {
        ChartOptions {
            width: 1600,
            height: 1000,
        }
    }
}

/// The smallest and largest chart sides accepted, in pixels.
pub const MIN_SIDE: u32 = 400;
pub const MAX_SIDE: u32 = 8000;

/// Why the charts could not be drawn or written.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The requested size is too small to be readable or too large to draw.
    #[error(
        "chart size {width} × {height} pixels is not supported: each side must be between {MIN_SIDE} and {MAX_SIDE} pixels"
    )]
    Size { width: u32, height: u32 },
    /// The bundled font could not be loaded (the program itself is damaged).
    #[error("the bundled chart font could not be loaded")]
    Font,
    /// Drawing failed inside the plotting library.
    #[error("could not draw the {chart} chart: {message}")]
    Draw {
        chart: &'static str,
        message: String,
    },
    /// The PNG encoder refused the image.
    #[error("could not encode the {chart} chart as PNG: {message}")]
    Encode {
        chart: &'static str,
        message: String,
    },
    /// The chart folder or a chart file could not be written.
    #[error("could not write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

static FONT_BYTES: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static FONT_BOLD_BYTES: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Registers the bundled font with plotters once per process.
pub(crate) fn register_fonts() -> Result<(), ChartError> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = DONE.get_or_init(|| {
        use plotters::style::{FontStyle, register_font};
        register_font(canvas::FONT, FontStyle::Normal, FONT_BYTES).is_ok()
            && register_font(canvas::FONT, FontStyle::Bold, FONT_BOLD_BYTES).is_ok()
    });
    if *ok { Ok(()) } else { Err(ChartError::Font) }
}

/// The file names [`render_all`] writes, in the order it writes them.
pub const FILES: [&str; 7] = [
    "before-after.png",
    "trend.png",
    "responders.png",
    "personalisation.png",
    "adjusted.png",
    "course.png",
    "body-map.png",
];

/// Draws every chart of `summary` into `dir` (usually `reports/<period>/charts/`), creating the
/// folder if needed, and returns the paths written, in the order of [`FILES`].
///
/// `trend` holds the by-month figures across the whole range the report covers, so a one-month
/// report still shows the months before it; when it is empty, `summary.by_month` is used.
///
/// # Errors
///
/// [`ChartError::Size`] for a size outside [`MIN_SIDE`]..=[`MAX_SIDE`]; [`ChartError::Write`]
/// when the folder or a file cannot be written; the other variants only if the bundled font or
/// the drawing library fail.
pub fn render_all(
    summary: &Summary,
    trend: &[MonthFigures],
    dir: &Path,
    opts: &ChartOptions,
) -> Result<Vec<PathBuf>, ChartError> {
    let images = render_images(summary, trend, opts)?;
    std::fs::create_dir_all(dir).map_err(|source| ChartError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::with_capacity(images.len());
    for (name, png) in images {
        let path = dir.join(name);
        write_atomically(&path, &png)?;
        written.push(path);
    }
    Ok(written)
}

/// Draws every chart and encodes it as PNG in memory, as `(file name, bytes)`.
///
/// # Errors
///
/// As [`render_all`], without the write errors.
pub fn render_images(
    summary: &Summary,
    trend: &[MonthFigures],
    opts: &ChartOptions,
) -> Result<Vec<(&'static str, Vec<u8>)>, ChartError> {
    let (w, h) = (opts.width, opts.height);
    if !(MIN_SIDE..=MAX_SIDE).contains(&w) || !(MIN_SIDE..=MAX_SIDE).contains(&h) {
        return Err(ChartError::Size {
            width: w,
            height: h,
        });
    }
    register_fonts()?;
    let trend = if trend.is_empty() {
        &summary.by_month[..]
    } else {
        trend
    };
    type Draw = fn(&canvas::Canvas, &Summary, &[MonthFigures]) -> Result<(), ChartError>;
    let charts: [(&'static str, &'static str, Draw); 7] = [
        (FILES[0], "before vs after", |c, s, _| {
            charts::before_after(c, s)
        }),
        (FILES[1], "trend", |c, s, t| charts::trend(c, s, t)),
        (FILES[2], "responders", |c, s, _| charts::responders(c, s)),
        (FILES[3], "personalisation", |c, s, _| {
            charts::personalisation(c, s)
        }),
        (FILES[4], "adjusted differences", |c, s, _| {
            charts::adjusted(c, s)
        }),
        (FILES[5], "course of care", |c, s, _| charts::course(c, s)),
        (FILES[6], "body map", |c, s, _| body_map::draw(c, s)),
    ];
    let mut out = Vec::with_capacity(charts.len());
    for (file, chart, draw) in charts {
        let mut buffer = vec![0u8; w as usize * h as usize * 3];
        {
            let canvas = canvas::Canvas::new(&mut buffer, w, h, chart)?;
            draw(&canvas, summary, trend)?;
            canvas.finish()?;
        }
        out.push((file, encode_png(&buffer, w, h, chart)?));
    }
    Ok(out)
}

/// Encodes an RGB buffer with fixed settings, so the same pixels always give the same bytes.
fn encode_png(rgb: &[u8], w: u32, h: u32, chart: &'static str) -> Result<Vec<u8>, ChartError> {
    let err = |e: png::EncodingError| ChartError::Encode {
        chart,
        message: e.to_string(),
    };
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Default);
        encoder.set_filter(png::FilterType::Sub);
        let mut writer = encoder.write_header().map_err(err)?;
        writer.write_image_data(rgb).map_err(err)?;
        writer.finish().map_err(err)?;
    }
    Ok(bytes)
}

/// Writes one chart atomically (relief's one writer: temporary name, fsync, rename), so a
/// crash never leaves a half-written chart.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ChartError> {
    relief_atomic::write(path, bytes).map_err(|e| ChartError::Write {
        path: path.to_path_buf(),
        source: e.into(),
    })
}

/// The overall figures of a region, when it has any rows.
fn region_figures(summary: &Summary, region: Region) -> Option<&Figures> {
    summary
        .regions
        .iter()
        .find(|r| r.region == region && r.figures.rows > 0)
        .map(|r| &r.figures)
}
