//! The reader: therapists' exports in, session × region records and rejects out (SPEC §2).
//!
//! Everything downstream — every mean, rate and chart — is only as true as this crate's reading
//! of real clinic files, so it is strict about what it accepts and says why about everything it
//! does not. It reads `.xlsx`, `.xlsm`, `.xls`, `.ods` (with calamine) and `.csv` (`,` `;` or tab,
//! UTF-8 with or without a byte-order mark; Windows-1252 is read too), finds each sheet's header
//! row and layout (long or wide), turns every used row into records — one per session × region,
//! each with its origin (file, sheet, row as Excel shows it) — or into rejects with a reason a
//! therapist understands, and removes duplicates across files.
//!
//! Untrusted files are expected. Files are recognised by their bytes; zip packages are checked
//! from their central directory before any part is unpacked; xlsx sheets are streamed cell by
//! cell, never expanded to their claimed dimension; cell and row limits apply as cells arrive;
//! and parsing runs under `catch_unwind`, so a file that trips the spreadsheet library is one
//! clear error and the run goes on.
//!
//! Choices where the specification is silent:
//! - The header is searched in the first 30 *used* rows (blank rows above a title do not count).
//! - A slash-date column that neither the config nor the column settles: dates that read two
//!   ways are rejected, each naming `[dates] order`; dates that read one way are used.
//! - A sheet whose header row lacks a needed column, and sheets or header rows named in the
//!   config that do not work, are reported in the file's `error` (joined by `; `) while the
//!   file's other sheets are still read.
//! - A wide-layout session row with no score for any region is one reject (column empty).
//! - A row is a footer when it has no readable date and its client cell is blank or reads
//!   `Total`, `Average`, `Sum`, `Mean`, `Count` or `Summary`.
//! - Merged cells hold their value in the top-left cell only, as in the file; rows under a
//!   merged date or client are read with that cell blank.

mod biff;
mod dedup;
mod error;
mod grid;
mod guard;
mod header;
mod paths;
mod pseudonym;
mod sheet;

pub use error::IngestError;
pub use paths::{EXTENSIONS, expand_paths};
pub use pseudonym::{Pseudonymizer, normalize_id};

use calamine::{Ods, Reader, SheetType, Xls, Xlsx};
use grid::{Grid, GridBuilder, Value};
use guard::Kind;
use header::HeaderProblem;
use rayon::prelude::*;
use relief_core::summary::{FileReport, RowCounts};
use relief_core::{Config, Duplicate, Record, Reject, Vocabulary};
use sha2::{Digest, Sha256};
use sheet::{SheetContext, SheetOutcome};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    pub records: Vec<Record>,
    pub rejects: Vec<Reject>,
    pub footers: Vec<Footer>,
}

/// Every file, read and merged.
#[derive(Debug, Default)]
pub struct Ingested {
    /// Used records, in file, sheet, row, region order.
    pub records: Vec<Record>,
    pub rejects: Vec<Reject>,
    /// Copies counted once; those with `conflict` set disagreed with the kept copy.
    pub duplicates: Vec<Duplicate>,
    /// One per file, in reading (sorted path) order.
    pub files: Vec<FileReport>,
    pub rows: RowCounts,
    pub footers: Vec<Footer>,
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
/// Any error opening or reading the file.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
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
pub fn read_inputs(
    files: &[PathBuf],
    opts: &ReadOptions<'_>,
    on_file_done: &(dyn Fn(&Path) + Sync),
) -> Ingested {
    let reads: Vec<FileRead> = files
        .par_iter()
        .map(|f| {
            let r = read_file(f, opts);
            on_file_done(f);
            r
        })
        .collect();
    merge(reads)
}

/// Merges files read one by one (in sorted path order): removes duplicates and conflicts across
/// and within them (SPEC §2.7), and completes each sheet's counts so that
/// `rows_read = rows_used + rows_rejected + rows_duplicate` holds for every sheet.
pub fn merge(reads: Vec<FileRead>) -> Ingested {
    let mut out = Ingested::default();
    let mut all = Vec::with_capacity(reads.iter().map(|r| r.records.len()).sum());
    for r in reads {
        all.extend(r.records);
        out.rejects.extend(r.rejects);
        out.footers.extend(r.footers);
        out.files.push(r.report);
    }
    let (records, duplicates) = dedup::dedup(all);
    let mut per_sheet: HashMap<(&str, &str), u64> = HashMap::new();
    for d in &duplicates {
        *per_sheet.entry((&d.file, &d.sheet)).or_default() += 1;
    }
    for f in &mut out.files {
        for s in &mut f.sheets {
            if let Some(n) = per_sheet.get(&(f.path.as_str(), s.name.as_str())) {
                s.rows_duplicate = *n;
                s.rows_used -= n;
            }
            out.rows.read += s.rows_read;
            out.rows.used += s.rows_used;
            out.rows.rejected += s.rows_rejected;
            out.rows.duplicates += s.rows_duplicate;
            out.rows.footer_skipped += s.footer_skipped;
        }
    }
    out.rows.conflicts = duplicates.iter().filter(|d| d.conflict.is_some()).count() as u64;
    out.records = records;
    out.duplicates = duplicates;
    out
}

/// Reads one file. Never panics: a file that cannot be read comes back with its report's
/// `error` set and no records, whatever is wrong with it.
pub fn read_file(path: &Path, opts: &ReadOptions<'_>) -> FileRead {
    let shown = path.display().to_string();
    let mut out = FileRead {
        path: path.to_path_buf(),
        report: FileReport {
            path: shown.clone(),
            sha256: String::new(),
            error: None,
            sheets: Vec::new(),
        },
        records: Vec::new(),
        rejects: Vec::new(),
        footers: Vec::new(),
    };
    let result = {
        let _guard = GuardedParse::enter();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_file_inner(path, &shown, opts, &mut out)
        }))
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
            out.records.clear();
            out.rejects.clear();
            out.footers.clear();
        }
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        out.report.error = Some(text.join("; "));
    }
    if out.report.sha256.is_empty() {
        out.report.sha256 = sha256_file(path).unwrap_or_default();
    }
    out
}

/// Reads the file into `out`; returns the sheet-level problems, or the error that stopped it.
fn read_file_inner(
    path: &Path,
    shown: &str,
    opts: &ReadOptions<'_>,
    out: &mut FileRead,
) -> Result<Vec<IngestError>, IngestError> {
    let input = &opts.config.input;
    let io = |e| IngestError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > input.max_file_mb.saturating_mul(1 << 20) {
        return Err(IngestError::TooLarge {
            size_mb: size >> 20,
            limit_mb: input.max_file_mb,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    out.report.sha256 = hex::encode(Sha256::digest(&bytes));
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    let kind = guard::sniff(ext, &bytes)?;
    if matches!(kind, Kind::Xlsx | Kind::Ods) {
        guard::check_zip(&bytes, kind, input.max_unzipped_mb, input.max_cells)?;
    }
    if kind == Kind::Xls {
        biff::check_xls(&bytes, input.max_rows, input.max_cells)?;
    }
    let plan = SheetPlan::new(shown, opts);
    let mut ctx = FileContext {
        file: Arc::from(shown),
        opts,
        plan,
        out,
        problems: Vec::new(),
    };
    match kind {
        Kind::Xlsx => read_xlsx(&bytes, &mut ctx)?,
        Kind::Xls => read_xls(&bytes, &mut ctx)?,
        Kind::Ods => read_ods(&bytes, &mut ctx)?,
        Kind::Csv => read_csv(&bytes, path, &mut ctx)?,
    }
    let FileContext { problems, out, .. } = ctx;
    if out.report.sheets.is_empty() && problems.is_empty() {
        return Err(IngestError::NoHeader);
    }
    Ok(problems)
}

/// Which sheets of a file to read, and where their header is.
struct SheetPlan {
    /// Only these sheets (from the config); empty means every sheet with a header.
    only: Vec<String>,
    /// The header's 0-based row, when the user named it.
    header_row: Option<u32>,
}

impl SheetPlan {
    fn new(shown: &str, opts: &ReadOptions<'_>) -> SheetPlan {
        let input = &opts.config.input;
        let normalized = shown.replace('\\', "/");
        let file_override = input.files.iter().find(|o| {
            let want = o.path.replace('\\', "/");
            normalized == want
                || normalized.ends_with(&format!("/{}", want.trim_start_matches('/')))
        });
        let only = match file_override.and_then(|o| o.sheet.clone()) {
            Some(s) => vec![s],
            None => input.sheets.clone(),
        };
        let header_row = opts
            .header_row
            .or(file_override.and_then(|o| o.header_row))
            .map(|r| r.saturating_sub(1));
        SheetPlan { only, header_row }
    }

    /// The sheets to read, in workbook order; names in the config that are missing are problems.
    fn select(&self, worksheets: Vec<String>, problems: &mut Vec<IngestError>) -> Vec<String> {
        if self.only.is_empty() {
            return worksheets;
        }
        let mut chosen = Vec::new();
        for want in &self.only {
            match worksheets
                .iter()
                .find(|n| n.trim().eq_ignore_ascii_case(want.trim()))
            {
                Some(n) => {
                    if !chosen.contains(n) {
                        chosen.push(n.clone());
                    }
                }
                None => problems.push(IngestError::SheetNotFound {
                    sheet: want.clone(),
                    available: worksheets.join(", "),
                }),
            }
        }
        let order = |n: &String| worksheets.iter().position(|w| w == n);
        chosen.sort_by_key(order);
        chosen
    }
}

struct FileContext<'o, 'f> {
    file: Arc<str>,
    opts: &'o ReadOptions<'o>,
    plan: SheetPlan,
    out: &'f mut FileRead,
    problems: Vec<IngestError>,
}

impl FileContext<'_, '_> {
    /// Finds the header of one sheet's grid and reads its rows.
    fn sheet(&mut self, name: &str, grid: &Grid<'_>) {
        let header = match header::find_header(grid, self.opts.vocabulary, self.plan.header_row) {
            Ok(h) => h,
            Err(HeaderProblem::NotFound) if self.plan.only.is_empty() => return,
            Err(HeaderProblem::NotFound) => {
                self.problems.push(IngestError::BadHeader {
                    sheet: name.to_string(),
                    problem: "no row within the first 30 looks like a header".into(),
                });
                return;
            }
            Err(HeaderProblem::Incomplete(problem)) => {
                self.problems.push(IngestError::BadHeader {
                    sheet: name.to_string(),
                    problem,
                });
                return;
            }
        };
        let ctx = SheetContext {
            file: self.file.clone(),
            sheet: Arc::from(name),
            vocabulary: self.opts.vocabulary,
            pseudonymizer: self.opts.pseudonymizer,
            pseudonymise_therapists: self.opts.config.privacy.pseudonymise_therapists,
        };
        let SheetOutcome {
            report,
            records,
            rejects,
            footers,
        } = sheet::read_sheet(grid, &header, &ctx);
        self.out.records.extend(records);
        self.out.rejects.extend(rejects);
        self.out
            .footers
            .extend(footers.into_iter().map(|row| Footer {
                file: self.file.to_string(),
                sheet: name.to_string(),
                row,
            }));
        self.out.report.sheets.push(report);
    }

    fn builder<'a>(&self, name: &str) -> GridBuilder<'a> {
        let input = &self.opts.config.input;
        GridBuilder::new(name, input.max_cells, input.max_rows)
    }
}

fn corrupt(e: impl std::fmt::Display) -> IngestError {
    let text = e.to_string();
    if text.to_lowercase().contains("password") {
        IngestError::PasswordProtected
    } else {
        IngestError::Corrupt(text)
    }
}

fn worksheet_names(sheets: &[calamine::Sheet]) -> Vec<String> {
    sheets
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect()
}

/// xlsx and xlsm: every sheet streamed cell by cell, never expanded to its claimed dimension.
fn read_xlsx(bytes: &[u8], ctx: &mut FileContext<'_, '_>) -> Result<(), IngestError> {
    let mut wb: Xlsx<Cursor<&[u8]>> = Xlsx::new(Cursor::new(bytes)).map_err(corrupt)?;
    let is_1904 = wb.has_1904_epoch();
    let names = ctx
        .plan
        .select(worksheet_names(wb.sheets_metadata()), &mut ctx.problems);
    for name in names {
        let mut builder = ctx.builder(&name);
        let mut cells = match wb.worksheet_cells_reader(&name) {
            Ok(c) => c,
            Err(calamine::XlsxError::NotAWorksheet(_)) => continue,
            Err(e) => return Err(corrupt(e)),
        };
        while let Some(cell) = cells.next_cell().map_err(corrupt)? {
            let (row, col) = cell.get_position();
            if let Some(v) = grid::from_data_ref(cell.get_value().clone()) {
                builder.push(row, col, v)?;
            }
        }
        drop(cells);
        let grid = builder.finish(is_1904);
        ctx.sheet(&name, &grid);
    }
    Ok(())
}

/// xls (BIFF): calamine parses the whole workbook when it opens it.
fn read_xls(bytes: &[u8], ctx: &mut FileContext<'_, '_>) -> Result<(), IngestError> {
    let mut wb: Xls<Cursor<&[u8]>> = Xls::new(Cursor::new(bytes)).map_err(corrupt)?;
    let is_1904 = wb.has_1904_epoch();
    let names = ctx
        .plan
        .select(worksheet_names(wb.sheets_metadata()), &mut ctx.problems);
    for name in names {
        let range = wb.worksheet_range(&name).map_err(corrupt)?;
        let grid = grid::from_range(&range, ctx.builder(&name))?.finish(is_1904);
        ctx.sheet(&name, &grid);
    }
    Ok(())
}

/// ods: the content was checked for repeated-cell expansion before calamine opens it.
fn read_ods(bytes: &[u8], ctx: &mut FileContext<'_, '_>) -> Result<(), IngestError> {
    let mut wb: Ods<Cursor<&[u8]>> = Ods::new(Cursor::new(bytes)).map_err(corrupt)?;
    let names = ctx
        .plan
        .select(worksheet_names(wb.sheets_metadata()), &mut ctx.problems);
    for name in names {
        let range = wb.worksheet_range(&name).map_err(corrupt)?;
        let grid = grid::from_range(&range, ctx.builder(&name))?.finish(false);
        ctx.sheet(&name, &grid);
    }
    Ok(())
}

/// Decodes CSV bytes: UTF-8 with or without a byte-order mark, else Windows-1252 (what Excel on
/// Windows writes for "CSV" without "UTF-8").
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| cp1252(b)).collect()),
    }
}

fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

/// CSV: the separator (`,` `;` or tab) is the one whose first rows hold the best header.
fn read_csv(bytes: &[u8], path: &Path, ctx: &mut FileContext<'_, '_>) -> Result<(), IngestError> {
    let text = decode(bytes);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let vocabulary = ctx.opts.vocabulary;
    let score = |delimiter: u8| -> usize {
        csv_reader(&text, delimiter)
            .records()
            .take(header::HEADER_SEARCH_ROWS)
            .filter_map(Result::ok)
            .map(|r| {
                r.iter()
                    .filter(|c| {
                        vocabulary.field(c).is_some() || vocabulary.wide_column(c).is_some()
                    })
                    .count()
            })
            .max()
            .unwrap_or(0)
    };
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| (score(*d), std::cmp::Reverse(*d == b'\t')))
        .unwrap_or(b',');
    let max_rows = ctx.opts.config.input.max_rows;
    let mut records = Vec::new();
    for r in csv_reader(&text, delimiter).records() {
        let r = r.map_err(|e| IngestError::Corrupt(format!("not readable as CSV: {e}")))?;
        if records.len() as u64 >= max_rows {
            return Err(IngestError::TooManyRows {
                sheet: name.clone(),
                limit: max_rows,
            });
        }
        records.push(r);
    }
    let mut builder = ctx.builder(&name);
    for r in &records {
        let line = record_line(&text, r.position()) as u32;
        for (col, cell) in r.iter().enumerate() {
            if !cell.trim().is_empty() {
                builder.push(line - 1, col as u32, Value::Text(Cow::Borrowed(cell)))?;
            }
        }
    }
    let grid = builder.finish(false);
    ctx.sheet(&name, &grid);
    Ok(())
}

/// The line a record starts on. The csv crate reports the position where it began looking,
/// which is before any blank lines it skipped; count those.
fn record_line(text: &str, position: Option<&csv::Position>) -> u64 {
    let Some(p) = position else { return 1 };
    let mut line = p.line();
    for b in text.as_bytes().iter().skip(p.byte() as usize) {
        match b {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
    }
    line
}

fn csv_reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

thread_local! {
    /// Set while this thread parses a file under `catch_unwind`.
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks the current thread as parsing under `catch_unwind` until dropped.
struct GuardedParse(bool);

impl GuardedParse {
    fn enter() -> GuardedParse {
        GuardedParse(GUARDED.with(|g| g.replace(true)))
    }
}

impl Drop for GuardedParse {
    fn drop(&mut self) {
        GUARDED.with(|g| g.set(self.0));
    }
}

/// Installs a panic hook that stays silent for panics the reader catches (a malformed file that
/// trips the spreadsheet library becomes one clear error for that file, so Rust's own panic
/// message would only alarm the user) and leaves every other panic to the previous hook.
pub fn install_quiet_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !GUARDED.with(|g| g.get()) {
            previous(info);
        }
    }));
}
