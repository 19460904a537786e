//! One file, start to end: size limit, content hash, recognising the format by its bytes, the
//! hostile-file checks that run before calamine sees the bytes, choosing the sheets to read, and
//! handing each sheet's grid to the header finder and the row reader.

use crate::grid::{Grid, GridBuilder, MergedRange};
use crate::guard::{self, Kind};
use crate::header::{self, Header, HeaderProblem, Layout};
use crate::notes::{NotSession, SheetNote, SheetNotes};
use crate::sheet::{self, SheetContext, SheetOutcome};
use crate::{FileRead, Footer, IngestError, ReadOptions, biff, formats};
use calamine::{SheetType, SheetVisible};
use relief_core::{Field, Vocabulary};
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

/// How a sheet arrives from its format reader.
struct SheetIn<'m> {
    hidden: bool,
    /// The merged ranges that filled cells.
    filled: &'m [MergedRange],
    /// Whether ditto rows apply (spreadsheets, not CSV).
    ditto: bool,
    /// CSV records that ran over several lines and look like they swallowed rows (a quote
    /// left open): first and last line of each.
    swallowed: &'m [(u64, u64)],
}

impl FileContext<'_, '_> {
    /// Finds the header of a CSV file's grid and reads its rows (no merges, no ditto rows);
    /// `swallowed` as in [`SheetIn`].
    pub(crate) fn sheet(&mut self, name: &str, grid: &Grid<'_>, swallowed: &[(u64, u64)]) {
        let how = SheetIn {
            hidden: false,
            filled: &[],
            ditto: false,
            swallowed,
        };
        self.read(name, grid, how);
    }

    /// Resolves the merged cells of a workbook sheet's grid, finds its header and reads its
    /// rows (ditto rows apply).
    ///
    /// # Errors
    /// [`IngestError::TooManyCells`] when the merged cells would pass the cell limit.
    pub(crate) fn workbook_sheet(
        &mut self,
        name: &str,
        mut grid: Grid<'_>,
        hidden: bool,
        merges: &[MergedRange],
    ) -> Result<(), IngestError> {
        let max_cells = self.opts.config.input.max_cells;
        let filled = grid.fill_merges(merges, max_cells, name)?;
        let how = SheetIn {
            hidden,
            filled: &filled,
            ditto: true,
            swallowed: &[],
        };
        self.read(name, &grid, how);
        Ok(())
    }

    fn read(&mut self, name: &str, grid: &Grid<'_>, how: SheetIn<'_>) {
        let mut notes = SheetNotes {
            file: self.file.to_string(),
            sheet: name.to_string(),
            hidden: how.hidden,
            notes: Vec::new(),
        };
        let header = match header::find_header(grid, self.opts.vocabulary, self.plan.header_row) {
            Ok(h) => h,
            Err(problem) => {
                self.not_read(name, grid, problem, notes);
                return;
            }
        };
        let ctx = SheetContext {
            file: self.file.clone(),
            sheet: Arc::from(name),
            vocabulary: self.opts.vocabulary,
            pseudonymizer: self.opts.pseudonymizer,
            pseudonymise_therapists: self.opts.config.privacy.pseudonymise_therapists,
            ditto: how.ditto,
            hidden: how.hidden,
        };
        let SheetOutcome {
            report,
            records,
            rejects,
            footers,
            ditto,
        } = sheet::read_sheet(grid, &header, &ctx);
        if let Some(upper) = header.upper {
            notes.notes.push(SheetNote::TwoRowHeader {
                upper: upper + 1,
                lower: header.row + 1,
            });
        }
        if header.columns.therapist.is_none() {
            notes.notes.push(SheetNote::NoTherapistColumn);
        }
        let NotRead { unknown, repeated } = columns_not_read(grid, &header, self.opts.vocabulary);
        if !unknown.is_empty() {
            notes.notes.push(SheetNote::ColumnsNotRead(unknown));
        }
        if !repeated.is_empty() {
            notes.notes.push(SheetNote::RepeatedColumns(repeated));
        }
        merged_notes(grid, &header, how.filled, &mut notes.notes);
        notes.notes.extend(
            how.swallowed
                .iter()
                .map(|&(first, last)| SheetNote::QuoteLeftOpen { first, last }),
        );
        notes
            .notes
            .extend(ditto.into_iter().map(|(first, last, of)| SheetNote::Ditto {
                first,
                last,
                of,
            }));
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
        if !notes.notes.is_empty() {
            self.out.notes.push(notes);
        }
    }

    /// A sheet without a usable header: a problem when the config named the sheet or the
    /// header looks incomplete; otherwise not a session sheet, listed with the reason.
    fn not_read(
        &mut self,
        name: &str,
        grid: &Grid<'_>,
        problem: HeaderProblem,
        mut notes: SheetNotes,
    ) {
        let why = match problem {
            HeaderProblem::Incomplete(problem) => {
                self.problems.push(IngestError::BadHeader {
                    sheet: name.to_string(),
                    problem,
                });
                return;
            }
            HeaderProblem::NotFound if grid.rows().next().is_none() => NotSession::Empty,
            HeaderProblem::NotFound => NotSession::NoHeader,
            HeaderProblem::NoSessionColumns(row, names) => NotSession::NoSessionColumns {
                row: row + 1,
                names,
            },
        };
        if !self.plan.only.is_empty() {
            // The config asked for this sheet by name: not reading it is a problem.
            self.problems.push(IngestError::BadHeader {
                sheet: name.to_string(),
                problem: format!("it is not a session sheet: {why}"),
            });
            return;
        }
        notes.notes.push(SheetNote::NotSessionSheet(why));
        self.out.notes.push(notes);
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

/// Whether the named sheet is hidden (or "very hidden", reachable only from Visual Basic).
pub(crate) fn is_hidden(sheets: &[calamine::Sheet], name: &str) -> bool {
    sheets
        .iter()
        .any(|s| s.name == name && s.visible != SheetVisible::Visible)
}

/// Notes for the merged ranges that filled cells in the data rows, one per row span, naming
/// the columns (the title merges above the header are no news to anyone).
fn merged_notes(
    grid: &Grid<'_>,
    header: &Header,
    filled: &[MergedRange],
    notes: &mut Vec<SheetNote>,
) {
    let mut spans: Vec<(u32, u32, Vec<u32>)> = Vec::new();
    for m in filled.iter().filter(|m| m.last_row > header.row) {
        let first = m.first_row.max(header.row + 1);
        let cols = m.first_col..=m.last_col;
        match spans.iter_mut().find(|s| (s.0, s.1) == (first, m.last_row)) {
            Some(s) => s.2.extend(cols),
            None => spans.push((first, m.last_row, cols.collect())),
        }
    }
    spans.sort_by_key(|s| (s.0, s.1));
    for (first, last, mut cols) in spans {
        cols.sort_unstable();
        cols.dedup();
        let columns = cols
            .into_iter()
            .filter_map(|c| column_label(grid, header, c))
            .collect::<Vec<_>>();
        if !columns.is_empty() {
            notes.push(SheetNote::Merged {
                first: first + 1,
                last: last + 1,
                columns,
            });
        }
    }
}

/// The column letters Excel shows: 0 is `A`, 26 is `AA`.
fn column_letter(col: u32) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let d = (n - 1) % 26;
        out.push(b'A' + d as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Header cells (in either row of a two-row header) that name no column relief reads.
fn columns_not_read(grid: &Grid<'_>, header: &Header, vocabulary: &Vocabulary) -> NotRead {
    let known = known_columns(header);
    let used = |col: u32| {
        known.iter().any(|(c, _)| *c == Some(col))
            || matches!(&header.layout, Layout::Wide(pairs) if pairs.iter().any(|p| {
                [p.before.as_ref().map(|b| b.0), p.after.as_ref().map(|a| a.0), p.minutes]
                    .contains(&Some(col))
            }))
    };
    let mut out: Vec<(u32, String)> = Vec::new();
    for row in header.upper.into_iter().chain([header.row]) {
        let Some(view) = grid.rows().find(|r| r.row == row) else {
            continue;
        };
        for (col, v) in view.cells() {
            let crate::grid::Value::Text(t) = v else {
                continue;
            };
            // In a two-row header a column is read or not as a whole: a region name stands
            // above the score columns it names.
            if !used(col) && !out.iter().any(|(c, _)| *c == col) {
                out.push((col, t.trim().to_string()));
            }
        }
    }
    out.sort_by_key(|(c, _)| *c);
    // A known name on an unread column repeats a column that is read.
    let read_instead = |name: &str| {
        let field = vocabulary.field(name)?;
        known.iter().find(|(_, f)| *f == field)?.0
    };
    let (mut unknown, mut repeated) = (Vec::new(), Vec::new());
    for (col, name) in out {
        match read_instead(&name) {
            Some(read) => repeated.push((name, column_letter(col), column_letter(read))),
            None => unknown.push((name, column_letter(col))),
        }
    }
    NotRead { unknown, repeated }
}

/// Header cells whose columns are not read: names relief does not know (name, letter), and
/// names that repeat a column read instead (name, letter, letter of the column read).
struct NotRead {
    unknown: Vec<(String, String)>,
    repeated: Vec<(String, String, String)>,
}

/// The session-level and long-layout columns of a header, with their fields.
fn known_columns(header: &Header) -> Vec<(Option<u32>, Field)> {
    let c = &header.columns;
    let mut known: Vec<(Option<u32>, Field)> = vec![
        (Some(c.date), Field::Date),
        (Some(c.client), Field::Client),
        (c.therapist, Field::Therapist),
        (c.pressure, Field::Pressure),
        (c.technique, Field::Technique),
        (c.session_id, Field::SessionId),
        (c.focus, Field::Focus),
    ];
    if let Layout::Long(l) = &header.layout {
        known.extend([
            (Some(l.region), Field::Region),
            (Some(l.before), Field::Before),
            (Some(l.after), Field::After),
            (l.side, Field::Side),
            (l.minutes, Field::Minutes),
        ]);
    }
    known
}

/// What a column is called in a note: its field (`date`), else its header text; `None` for a
/// column without a header (nothing there is read).
fn column_label(grid: &Grid<'_>, header: &Header, col: u32) -> Option<String> {
    if let Some((_, f)) = known_columns(header).iter().find(|(k, _)| *k == Some(col)) {
        return Some(f.key().replace('_', " "));
    }
    grid.get(header.row, col).map(|v| v.shown(grid.is_1904))
}
