//! Why a sample could not be written, in words a user can act on.

use std::path::PathBuf;

/// A failure to write the sample. Nothing half-written is left under a final name: files are
/// written to a hidden temporary name first and renamed into place.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    /// The output folder could not be created.
    #[error("cannot create the output folder {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file could not be written or renamed into place.
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The spreadsheet writer refused a workbook (a sheet over Excel's limits, for example).
    #[error("cannot build the workbook {path}: {source}")]
    Workbook {
        path: PathBuf,
        source: rust_xlsxwriter::XlsxError,
    },
    /// The CSV writer failed.
    #[error("cannot build the CSV file {path}: {source}")]
    Csv { path: PathBuf, source: csv::Error },
    /// Too few sessions were asked for to hold every planted feature of the messy sample.
    #[error(
        "the messy sample needs at least {needed} sessions to plant every problem; {got} were asked for (use --clean for smaller files)"
    )]
    TooFewSessions { needed: usize, got: usize },
    /// Too few files were asked for.
    #[error("{what} needs {needed} or more files; {got} were asked for")]
    TooFewFiles {
        what: &'static str,
        needed: usize,
        got: usize,
    },
}
