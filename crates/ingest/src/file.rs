//! One file, start to end: size limit, content hash, recognising the format by its bytes, the
//! hostile-file checks that run before calamine sees the bytes, choosing the sheets to read, and
//! handing each sheet's grid to the header finder and the row reader.

use crate::grid::{Grid, GridBuilder};
use crate::guard::{self, Kind};
use crate::header::{self, HeaderProblem};
use crate::sheet::{self, SheetContext, SheetOutcome};
use crate::{FileRead, Footer, IngestError, ReadOptions, biff, formats};
use calamine::SheetType;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;

/// Reads the file at `path` into `out`; returns the sheet-level problems, or the error that
/// stopped it. Anything but an ordinary file is refused before it is opened: opening a named
/// pipe would wait for a writer for ever.
pub(crate) fn read_path(
    path: &Path,
    shown: &str,
    opts: &ReadOptions<'_>,
    out: &mut FileRead,
) -> Result<Vec<IngestError>, IngestError> {
    if let Some(refusal) = crate::paths::refusal(path) {
        return Err(refusal);
    }
    let io = |e| IngestError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    check_size(size, opts)?;
    let bytes = std::fs::read(path).map_err(io)?;
    read_bytes(shown, &bytes, opts, out)
}

fn check_size(size: u64, opts: &ReadOptions<'_>) -> Result<(), IngestError> {
    let limit_mb = opts.config.input.max_file_mb;
    if size > limit_mb.saturating_mul(1 << 20) {
        return Err(IngestError::TooLarge {
            size_mb: size >> 20,
            limit_mb,
        });
    }
    Ok(())
}

/// Reads a file's bytes into `out`, named `shown` (its name's ending says what it should be).
pub(crate) fn read_bytes(
    shown: &str,
    bytes: &[u8],
    opts: &ReadOptions<'_>,
    out: &mut FileRead,
) -> Result<Vec<IngestError>, IngestError> {
    let input = &opts.config.input;
    check_size(bytes.len() as u64, opts)?;
    out.report.sha256 = hex::encode(Sha256::digest(bytes));
    let name = Path::new(shown)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = Path::new(&name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let kind = guard::sniff(&ext, bytes)?;
    if matches!(kind, Kind::Xlsx | Kind::Xlsb | Kind::Ods) {
        guard::check_zip(bytes, kind, input)?;
    }
    if kind == Kind::Xls {
        biff::check_xls(bytes, input.max_rows, input.max_cells)?;
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
        Kind::Xlsx => formats::read_xlsx(bytes, &mut ctx)?,
        Kind::Xlsb => formats::read_xlsb(bytes, &mut ctx)?,
        Kind::Xls => formats::read_xls(bytes, &mut ctx)?,
        Kind::Ods => formats::read_ods(bytes, &mut ctx)?,
        Kind::Csv => formats::read_csv(bytes, &name, ext == "tsv", &mut ctx)?,
    }
    let FileContext { problems, out, .. } = ctx;
    if out.report.sheets.is_empty() && problems.is_empty() {
        return Err(IngestError::NoHeader);
    }
    Ok(problems)
}

/// Which sheets of a file to read, and where their header is.
pub(crate) struct SheetPlan {
    /// Only these sheets (from the config); empty means every sheet with a header.
    only: Vec<String>,
    /// The header's 0-based row, when the user named it.
    pub(crate) header_row: Option<u32>,
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
    pub(crate) fn select(
        &self,
        worksheets: Vec<String>,
        problems: &mut Vec<IngestError>,
    ) -> Vec<String> {
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

pub(crate) struct FileContext<'o, 'f> {
    pub(crate) file: Arc<str>,
    pub(crate) opts: &'o ReadOptions<'o>,
    pub(crate) plan: SheetPlan,
    pub(crate) out: &'f mut FileRead,
    pub(crate) problems: Vec<IngestError>,
}

impl FileContext<'_, '_> {
    /// Finds the header of one sheet's grid and reads its rows.
    pub(crate) fn sheet(&mut self, name: &str, grid: &Grid<'_>) {
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
        self.out.records.append(records);
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

    pub(crate) fn builder<'a>(&self, name: &str) -> GridBuilder<'a> {
        let input = &self.opts.config.input;
        GridBuilder::new(name, input.max_cells, input.max_rows)
    }
}

pub(crate) fn corrupt(e: impl std::fmt::Display) -> IngestError {
    let text = e.to_string();
    if text.to_lowercase().contains("password") {
        IngestError::PasswordProtected
    } else {
        IngestError::Corrupt(text)
    }
}

pub(crate) fn worksheet_names(sheets: &[calamine::Sheet]) -> Vec<String> {
    sheets
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect()
}
