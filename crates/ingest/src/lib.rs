//! The reader: therapists' exports in, session × region records and rejects out (SPEC §2).
//!
//! Everything downstream — every mean, rate and chart — is only as true as this crate's reading
//! of real clinic files, so it is strict about what it accepts and says why about everything it
//! does not. It reads `.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods` (with calamine) and `.csv` /
//! `.tsv` (`,` `;` or tab, UTF-8 with or without a byte-order mark; Windows-1252 is read too),
//! finds each sheet's header row and layout (long or wide), turns every used row into records —
//! one per session × region, each with its origin (file, sheet, row as Excel shows it) — or into
//! rejects with a reason a therapist understands, and removes duplicates across files.
//!
//! Untrusted files are expected. Only ordinary files are opened; files are recognised by their
//! bytes; zip packages are checked from their central directory before any part is unpacked;
//! xlsx and xlsb sheets are streamed cell by cell, never expanded to their claimed dimension,
//! and CSV is read record by record; cell and row limits apply as cells arrive; and parsing runs
//! under `catch_unwind`, so a file that trips the spreadsheet library is one clear error and the
//! run goes on.
//!
//! Where things live: [`read_inputs`], [`read_file`] and [`read_bytes`] (this file) are the
//! public entry points; `paths` lists the files of folders; `file` takes one file from its bytes
//! to its sheets, `guard` and `biff` check hostile packages before calamine sees them,
//! `formats/` holds one reader per format, `grid` is a sheet's used cells (with merged cells
//! filled), `header` finds the header row and layout, `sheet` turns rows into records and
//! rejects (every reject's reason is a `relief_core::RejectReason`), `values` reads one cell into
//! a typed value, `ditto` continues sessions on hand-kept sheets, `notes` says what was
//! resolved, `in_order` reads files on every core and hands them over in path order, `merge`
//! and `dedup` put the files together, `panic_guard` keeps a malformed file from ending the run.
//!
//! Choices where the specification is silent:
//! - The header is searched in the first 30 *used* rows (blank rows above a title do not count).
//! - A slash-date column that neither the config nor the column settles: dates that read two
//!   ways are rejected, each naming `[dates] order`; dates that read one way are used.
//! - A sheet whose header row lacks a needed column, and sheets or header rows named in the
//!   config that do not work, are reported in the file's `error` (joined by `; `) while the
//!   file's other sheets are still read.
//! - A wide-layout session row with no score for any region is one reject (column empty).
//! - A row is a footer when it has no readable date, its client cell is blank or reads
//!   `Total`, `Average`, `Sum`, `Mean`, `Count` or `Summary`, and — in the long layout — it has
//!   no region (other than such a word) with a score: a row with a region and a score is data.
//! - Merged cells are filled before anything else (xlsx, xls and ods); see `grid`. xlsx sheets
//!   load their merged ranges only when the sheet wrote empty cells, which every spreadsheet
//!   program writes under a merge (see `formats/xlsx.rs`).
//! - A ditto row continues the session above even when that row's own region or score was
//!   rejected (its date, client and therapist were read); a row whose date, client or therapist
//!   was rejected ends the session. See `ditto`.
//! - A sheet that is not a session sheet (no header, or a header without date, client or score
//!   columns) is listed in the file's notes, unless the config names it, which makes it a
//!   problem in the file's `error`.

mod biff;
mod dedup;
mod ditto;
mod error;
mod file;
mod formats;
mod grid;
mod guard;
mod header;
mod in_order;
mod merge;
mod notes;
mod panic_guard;
mod paths;
mod pseudonym;
mod sheet;
mod values;

pub use error::IngestError;
pub use merge::{Merger, merge};
pub use notes::{NotSession, SheetNote, SheetNotes};
pub use panic_guard::install_quiet_panic_hook;
pub use paths::{EXTENSIONS, expand_paths, real_path};
pub use pseudonym::{Pseudonymizer, normalize_id};

use panic_guard::GuardedParse;
use relief_core::summary::{FileReport, RowCounts};
use relief_core::{Config, Duplicate, Records, Reject, Vocabulary};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// What every file is read with.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions<'a> {
    pub config: &'a Config,
    pub vocabulary: &'a Vocabulary,
    pub pseudonymizer: &'a Pseudonymizer,
    /// The header's row number (as Excel shows it) for every sheet of every file, from
    /// `--header-row`; it wins over the config's per-file `header_row`.
    pub header_row: Option<u32>,
}

impl<'a> ReadOptions<'a> {
    /// Options without `--header-row`: each sheet's header is found, or taken from the config.
    pub fn new(
        config: &'a Config,
        vocabulary: &'a Vocabulary,
        pseudonymizer: &'a Pseudonymizer,
    ) -> ReadOptions<'a> {
        ReadOptions {
            config,
            vocabulary,
            pseudonymizer,
            header_row: None,
        }
    }
}

/// A row skipped as a footer (`Total`, `Average` …), listed so nothing disappears unseen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Footer {
    pub file: String,
    pub sheet: String,
    /// As Excel shows it, counting from 1.
    pub row: u32,
}

/// One file, read. Duplicates are not removed yet (that needs every file): the sheet reports'
/// `rows_used` count every record and `rows_duplicate` is 0 until [`merge`] runs.
#[derive(Debug)]
pub struct FileRead {
    pub path: PathBuf,
    /// The file's path, sha256, error (if it could not be read) and its sheets.
    pub report: FileReport,
    /// In sheet, row, region order.
    pub records: Records,
    pub rejects: Vec<Reject>,
    pub footers: Vec<Footer>,
    /// What was resolved or decided per sheet (merged cells, ditto rows, sheets not read).
    pub notes: Vec<SheetNotes>,
}

/// Every file, read and merged.
#[derive(Debug, Default)]
pub struct Ingested {
    /// Used records, in file, sheet, row, region order.
    pub records: Records,
    pub rejects: Vec<Reject>,
    /// Copies counted once; those with `conflict` set disagreed with the kept copy.
    pub duplicates: Vec<Duplicate>,
    /// One per file, in reading (sorted path) order.
    pub files: Vec<FileReport>,
    pub rows: RowCounts,
    pub footers: Vec<Footer>,
    /// Per sheet, in file and sheet order: what was resolved or decided (`validate -v`).
    pub notes: Vec<SheetNotes>,
}

impl Ingested {
    /// Files that could not be read at all, or had a sheet that could not be read.
    pub fn failed_files(&self) -> impl Iterator<Item = &FileReport> {
        self.files.iter().filter(|f| f.error.is_some())
    }
}

/// SHA-256 of a file's bytes, lower-case hex, read in blocks.
///
/// # Errors
/// Any error opening or reading the file, and anything that is not an ordinary file (opening a
/// named pipe would wait for a writer for ever).
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not an ordinary file",
        ));
    }
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Reads every file in parallel, then removes duplicates across them in the order given
/// (pass [`expand_paths`]' sorted list). `on_file_done` is called as each file finishes, from
/// any thread, for progress bars.
///
/// Files are read on as many threads as rayon's pool has and merged, in path order, as they
/// finish (see `in_order`), so the records are held once (in the merged columns) plus a few
/// files' worth, not twice.
pub fn read_inputs(
    files: &[PathBuf],
    opts: &ReadOptions<'_>,
    on_file_done: &(dyn Fn(&Path) + Sync),
) -> Ingested {
    let readers = rayon::current_num_threads().max(1);
    let mut merger = Merger::default();
    let read = |f: &Path| {
        let r = read_file(f, opts);
        on_file_done(f);
        r
    };
    in_order::read_in_order(files, readers, readers * 4, &read, |r| merger.push(r));
    merger.finish()
}

/// Reads one file. Never panics: a file that cannot be read comes back with its report's
/// `error` set and no records, whatever is wrong with it (including not being a file at all:
/// a pipe, a socket, a device or a link in a loop is refused with the reason).
pub fn read_file(path: &Path, opts: &ReadOptions<'_>) -> FileRead {
    read_file_as(path, &path.display().to_string(), opts)
}

/// Reads the file at `path` as [`read_file`] does, but names it `shown` in everything the
/// reading produces (records, rejects, footers, the file's report) and when matching the
/// config's per-file settings: a batch names inbox files by their path inside the inbox,
/// whatever the current folder is. `FileRead::path` stays `path`.
pub fn read_file_as(path: &Path, shown: &str, opts: &ReadOptions<'_>) -> FileRead {
    let mut out = guarded(path, shown, |out| file::read_path(path, shown, opts, out));
    if out.report.sha256.is_empty() {
        out.report.sha256 = sha256_file(path).unwrap_or_default();
    }
    out
}

/// Reads a file's bytes as [`read_file`] reads the file: `name` is how reports name it, and its
/// ending says what format it should be. For callers that hold the bytes already (and the
/// fuzz targets, which must not touch the disk); never panics.
pub fn read_bytes(name: &str, bytes: &[u8], opts: &ReadOptions<'_>) -> FileRead {
    guarded(Path::new(name), name, |out| {
        file::read_bytes(name, bytes, opts, out)
    })
}

/// Runs `read` under `catch_unwind` and turns what it returns into the file's report.
fn guarded(
    path: &Path,
    shown: &str,
    read: impl FnOnce(&mut FileRead) -> Result<Vec<IngestError>, IngestError>,
) -> FileRead {
    let mut out = FileRead {
        path: path.to_path_buf(),
        report: FileReport {
            path: shown.to_string(),
            sha256: String::new(),
            error: None,
            sheets: Vec::new(),
        },
        records: Records::default(),
        rejects: Vec::new(),
        footers: Vec::new(),
        notes: Vec::new(),
    };
    let result = {
        let _guard = GuardedParse::enter();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read(&mut out)))
    };
    let problems = match result {
        Ok(Ok(problems)) => problems,
        Ok(Err(e)) => vec![e],
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown failure".into());
            vec![IngestError::ReaderFailed(msg)]
        }
    };
    if !problems.is_empty() {
        let fatal = out.report.sheets.is_empty();
        if fatal {
            out.records = Records::default();
            out.rejects.clear();
            out.footers.clear();
            out.notes.clear();
        }
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        out.report.error = Some(text.join("; "));
    }
    out
}
