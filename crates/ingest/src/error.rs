//! Why a whole file (or a whole sheet) could not be read, in words a therapist can act on.
//!
//! Row-level problems are [`relief_core::Reject`]s; these errors are for everything bigger: a
//! file that is not a spreadsheet, is password-protected, is damaged, or breaks one of the limits
//! that protect relief from zip bombs and absurd dimensions. Each one ends up as the `error` of
//! the file's [`relief_core::summary::FileReport`], and the other files are still read.

use std::path::PathBuf;

/// A file-level (or sheet-level) problem. The `Display` text is shown to the user as is, after
/// the file's path.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A path given to relief does not exist.
    #[error("{}: no such file or folder", .0.display())]
    MissingPath(PathBuf),
    /// A file or folder exists but could not be opened or listed.
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Not an ordinary file: a pipe, socket or device, a link that leads nowhere or round in a
    /// circle, or a folder link back into itself. The text says which.
    #[error("{0}")]
    NotAFile(String),
    /// The file has no bytes at all.
    #[error("the file is empty")]
    Empty,
    /// An encrypted workbook: Office stores it as an OLE container, not a zip.
    #[error(
        "the workbook is password-protected: open it, remove the password and save it again without one"
    )]
    PasswordProtected,
    /// The bytes are not a spreadsheet of the kind the name says.
    #[error("this is not a spreadsheet: {0}")]
    NotASpreadsheet(String),
    /// A format relief does not read.
    #[error("{0} files are not read; save the file as .xlsx or .csv")]
    Unsupported(String),
    /// The spreadsheet is damaged or not what its name says.
    #[error("the file is damaged and cannot be read ({0}); open it and save it again")]
    Corrupt(String),
    /// The file is larger than `input.max_file_mb`.
    #[error(
        "the file is {size_mb} MB, above the limit of {limit_mb} MB (input.max_file_mb in relief.toml)"
    )]
    TooLarge { size_mb: u64, limit_mb: u64 },
    /// The parts of an xlsx/ods package would unpack to more than `input.max_unzipped_mb`.
    #[error(
        "the file would unpack to {size_mb} MB, above the limit of {limit_mb} MB (input.max_unzipped_mb in relief.toml); it may be a zip bomb"
    )]
    UnzippedTooLarge { size_mb: u64, limit_mb: u64 },
    /// A package with more parts than any spreadsheet has.
    #[error(
        "the file holds {count} packed parts, far more than any spreadsheet (limit {limit}); it may be a zip bomb"
    )]
    TooManyParts { count: usize, limit: usize },
    /// One part unpacks to far more than its packed size.
    #[error(
        "the part {part} would unpack {ratio} times its packed size; that is a zip bomb, not a spreadsheet"
    )]
    SuspiciousRatio { part: String, ratio: u64 },
    /// A sheet (or the whole file) holds more cells than `input.max_cells`.
    #[error("{where_} holds more than {limit} cells, the limit (input.max_cells in relief.toml)")]
    TooManyCells { where_: String, limit: u64 },
    /// A sheet holds more rows than `input.max_rows`.
    #[error(
        "sheet '{sheet}' has more than {limit} rows, the limit (input.max_rows in relief.toml)"
    )]
    TooManyRows { sheet: String, limit: u64 },
    /// A CSV line with more cells than a spreadsheet has columns.
    #[error(
        "line {line} has more than {limit} columns, more than a spreadsheet can have; it is not a table relief can read"
    )]
    TooManyColumns { line: u64, limit: u64 },
    /// An old-style `.xls` sheet whose few cells span a huge grid: calamine would build the
    /// whole grid in memory (gigabytes), so such a file is refused before it is opened.
    #[error(
        "sheet '{sheet}' spreads {filled} filled cells over {rows} rows × {columns} columns; an .xls this sparse would take gigabytes to read: open it and save it as .xlsx"
    )]
    SparseXls {
        sheet: String,
        filled: u64,
        rows: u64,
        columns: u64,
    },
    /// An ods row holding data repeated (`table:number-rows-repeated`) past the rows a sheet can
    /// have or past `input.max_rows`: reading on would lose the rows below it.
    #[error(
        "sheet '{sheet}' repeats row {row} {repeats} times (table:number-rows-repeated), past {limit}; the rows below it would be lost, so the file is not read: open it, delete the repeated rows and save it again"
    )]
    RepeatedRow {
        sheet: String,
        row: u64,
        repeats: u64,
        limit: String,
    },
    /// An ods sheet with data below the last row a sheet can have, which would be lost.
    #[error(
        "sheet '{sheet}' has data below row {limit}, the last row a sheet can have; that data would be lost, so the file is not read: open it, move the data up and save it again"
    )]
    DataBelowLastRow { sheet: String, limit: u64 },
    /// An ods sheet whose repeated rows and cells (or blank gaps between rows) would take far
    /// more memory than the file's size, because the spreadsheet library expands them.
    #[error(
        "sheet '{sheet}' repeats rows or cells (table:number-rows-repeated, table:number-columns-repeated) so often that reading it would take about {memory_mb} MB of memory; open the file and save it as .xlsx, which relief reads cell by cell"
    )]
    RepetitiveOds { sheet: String, memory_mb: u64 },
    /// An old-style `.xls` whose sheets together spread few cells over huge grids: calamine
    /// builds every sheet's grid when it opens the file.
    #[error(
        "the first {sheets} sheets spread {filled} filled cells over grids of {cells} cells; an .xls this sparse would take gigabytes to read: open it and save it as .xlsx"
    )]
    SparseXlsWorkbook {
        sheets: usize,
        filled: u64,
        cells: u64,
    },
    /// The spreadsheet library failed on a malformed file.
    #[error(
        "the spreadsheet reader failed on this file ({0}); it is probably damaged: open it and save it again"
    )]
    ReaderFailed(String),
    /// No sheet has a row that reads as a header.
    #[error(
        "no sheet has a recognisable header row (a row within the first 30 with at least three known column names such as date, client, therapist, region, before, after)"
    )]
    NoHeader,
    /// A sheet named in the config or on the command line is not in the file.
    #[error("there is no sheet '{sheet}' in this file (it has: {available})")]
    SheetNotFound { sheet: String, available: String },
    /// A sheet's header lacks a column relief needs, or the row named as header is not one.
    #[error("sheet '{sheet}': {problem}")]
    BadHeader { sheet: String, problem: String },
}
