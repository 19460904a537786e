//! Realistic synthetic therapist exports, deterministic for a seed (`relief sample`).
//!
//! Demos, tests and benchmarks need spreadsheets that look like what clinics really send: four
//! clinic styles (a long-layout workbook with a title block, a wide-layout workbook, a `;`
//! separated CSV, and a workbook kept by hand with merged cells, ditto rows, a two-row header
//! and hidden sheets), the usual spellings and mess, a short and exact list of planted problems, and
//! soreness figures that tell a story every chart can show (the model is described in
//! `model.rs` and in the README written beside the files). With [`SampleOptions::clean`] the same
//! sessions are written as plain long-layout workbooks for benchmarks instead.
//!
//! The same options always give byte-identical files: randomness comes from a `ChaCha8Rng`
//! seeded with [`SampleOptions::seed`], nothing iterates a hash map, and workbooks carry a fixed
//! creation date. Every file is written to a hidden temporary name and renamed into place.
//!
//! ```no_run
//! use relief_sample::{generate, SampleOptions};
//! let files = generate(std::path::Path::new("sample-data"), &SampleOptions::default())?;
//! assert_eq!(files.len(), 5); // README.md and four clinic exports
//! # Ok::<(), relief_sample::SampleError>(())
//! ```

mod clean;
mod clinics;
mod error;
mod model;
mod readme;

pub use clean::MAX_SESSIONS_PER_FILE;
pub use error::SampleError;

use std::path::{Path, PathBuf};

/// The seed of the committed `sample-data/` folder.
pub const DEFAULT_SEED: u64 = 2026;

/// Sessions in the default (committed) sample: about 40 clients over six months.
pub const DEFAULT_SESSIONS: usize = 480;

/// Sessions the messy sample needs at least, so every planted problem finds a session to sit in.
pub const MIN_MESSY_SESSIONS: usize = 100;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleOptions {
    /// Seed of the random generator; the same seed gives the same bytes.
    pub seed: u64,
    /// Number of sessions (visits) in all files together; each has two to nine region rows.
    pub sessions: usize,
    /// Number of export files. The messy sample cycles through the four clinic styles and needs
    /// at least three (the hand-kept style is the fourth); the clean sample splits the sessions into this many date ranges, and into
    /// more when a file would hold over [`MAX_SESSIONS_PER_FILE`] sessions.
    pub files: usize,
    /// Plain long-layout workbooks without any mess, for benchmarks.
    pub clean: bool,
}

impl Default for SampleOptions {
    /// The options of the committed `sample-data/`: seed 2026, 480 sessions, 4 files, messy.
    fn default() -> Self {
        SampleOptions {
            seed: DEFAULT_SEED,
            sessions: DEFAULT_SESSIONS,
            files: 4,
            clean: false,
        }
    }
}

/// Writes the sample into `out_dir` (created if missing) and returns the files written, sorted.
///
/// The messy sample also writes `README.md`, which lists every file and every planted problem
/// with its file, sheet and row.
///
/// # Errors
/// [`SampleError`] when the folder or a file cannot be written, or the options ask for fewer
/// sessions or files than the sample needs.
pub fn generate(out_dir: &Path, opts: &SampleOptions) -> Result<Vec<PathBuf>, SampleError> {
    generate_with_manifest(out_dir, opts).map(|m| m.files)
}

/// As [`generate`], and also says where every planted feature stands, for tests and tools that
/// want to check a reader against the sample.
///
/// # Errors
/// As [`generate`].
pub fn generate_with_manifest(
    out_dir: &Path,
    opts: &SampleOptions,
) -> Result<Manifest, SampleError> {
    std::fs::create_dir_all(out_dir).map_err(|source| SampleError::CreateDir {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let mut manifest = if opts.clean {
        clean::write(out_dir, opts)?
    } else {
        clinics::write(out_dir, opts)?
    };
    manifest.files.sort();
    Ok(manifest)
}

/// What a run wrote and where its planted features are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Manifest {
    /// Every file written, sorted by path.
    pub files: Vec<PathBuf>,
    /// Planted features, in file order then row order. Empty for the clean sample.
    pub features: Vec<Feature>,
}

impl Manifest {
    /// The features of one kind.
    pub fn of_kind(&self, kind: FeatureKind) -> impl Iterator<Item = &Feature> {
        self.features.iter().filter(move |f| f.kind == kind)
    }
}

/// One planted feature: a place in a file a reader must handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    pub kind: FeatureKind,
    /// The file name inside the output folder.
    pub file: String,
    /// The sheet name; for a CSV file, the file name (as the reader names it).
    pub sheet: String,
    /// Row as Excel shows it, counting from 1; in a CSV, the line number.
    pub row: u32,
    /// The canonical column (`after`), where the feature sits in one cell.
    pub column: Option<&'static str>,
    /// The cell's value as written (empty for a blank cell).
    pub value: String,
    /// A few words on what it is.
    pub note: String,
}

/// The kinds of planted feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FeatureKind {
    /// A title or export note above the header.
    TitleRow,
    /// The header row.
    HeaderRow,
    /// An empty row between data rows.
    BlankRow,
    /// A `Total` row below the data.
    FooterRow,
    /// A sheet without session data (a price list, a sheet of drop-down lists).
    ExtraSheet,
    /// A hidden sheet of sessions, read like the others.
    HiddenSheet,
    /// A session's date, client and therapist merged down over its region rows.
    MergedCells,
    /// Region rows whose date, client and therapist are left blank under the session's first row.
    DittoRows,
    /// Region names (merged across their columns) above a row of before/after/minutes.
    TwoRowHeader,
    /// A sheet without a therapist column (a solo practice's book).
    SoloSheet,
    /// A date typed as text with a month name or dots.
    TextDate,
    /// Minutes as a time or duration cell, or typed with units (`15 min`, `0:15`).
    TypedMinutes,
    /// A score outside 0–10 (a problem: one reject).
    OutOfRangeScore,
    /// A region no synonym matches (a problem: one reject).
    UnknownRegion,
    /// A before-score without its after-score (a problem: one reject).
    MissingAfter,
    /// A date that is no date (a problem: one reject).
    UnreadableDate,
    /// A region row without date and client after a blank row: nothing to continue (a problem).
    DittoWithoutSession,
    /// A time cell `15:00` in the minutes column: fifteen hours (a problem: one reject).
    ImplausibleMinutes,
    /// A session × region that is exported again, identically, in a later file.
    DuplicateOriginal,
    /// The identical copy of a [`FeatureKind::DuplicateOriginal`] row.
    DuplicateCopy,
    /// A session × region that a later file repeats with a different after-score.
    ConflictOriginal,
    /// The disagreeing copy of a [`FeatureKind::ConflictOriginal`] row; the reader keeps it.
    ConflictCopy,
}

impl FeatureKind {
    /// Whether a reader must reject the row (the planted bad values).
    pub fn is_reject(self) -> bool {
        matches!(
            self,
            FeatureKind::OutOfRangeScore
                | FeatureKind::UnknownRegion
                | FeatureKind::MissingAfter
                | FeatureKind::UnreadableDate
                | FeatureKind::DittoWithoutSession
                | FeatureKind::ImplausibleMinutes
        )
    }
}

/// Writes `bytes` to `dir/name` atomically (relief's one writer: temporary name, fsync,
/// rename), so a crash never leaves a half-written export under its final name.
pub(crate) fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, SampleError> {
    let path = dir.join(name);
    relief_atomic::write(&path, bytes).map_err(|e| SampleError::Write {
        path: path.clone(),
        source: e.into(),
    })?;
    Ok(path)
}

/// A new workbook with a fixed author and creation date, so the same options give the same
/// bytes.
pub(crate) fn new_workbook() -> rust_xlsxwriter::Workbook {
    let created =
        rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 11, 2).and_then(|d| d.and_hms(9, 0, 0));
    let props = rust_xlsxwriter::DocProperties::new().set_author("relief sample");
    let props = match created {
        Ok(date) => props.set_creation_datetime(&date),
        Err(_) => props,
    };
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.set_properties(&props);
    wb
}
