//! Finding the header row of a sheet and reading its layout (SPEC §2.2–§2.4).
//!
//! The header is the first row, among the first 30 used rows, in which at least three cells
//! name known columns (a field such as `Date` or `Client`, or a wide-layout column such as
//! `Lower back before`). The layout follows from the names: `region` + `before` + `after` is
//! the long layout (one row per session × region), per-region before/after pairs the wide one
//! (one row per session).
//!
//! Hand-kept wide sheets often split the header over two rows (SPEC §2.9): region names
//! (merged across their columns, or simply written above the first of them) over a row of
//! `Before | After | Minutes`. Each row is first tried as the upper half of such a pair; the
//! header row is then the lower one. A row whose names include no date, client or score column
//! (a price list, a sheet of drop-down lists) does not make a sheet a session sheet (§2.2).

use crate::grid::{Grid, RowView, Value};
use relief_core::vocabulary::WideKind;
use relief_core::{Field, Region, Side, Vocabulary};

/// How many used rows from the top are searched for the header.
pub(crate) const HEADER_SEARCH_ROWS: usize = 30;

/// Known cells a row needs to count as a header.
const MIN_HEADER_MATCHES: usize = 3;

/// The columns of a sheet, 0-based. Session-level fields are shared by both layouts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Columns {
    pub date: u32,
    pub client: u32,
    /// `None` for a solo practice's sheet without a therapist column (SPEC §2.9).
    pub therapist: Option<u32>,
    pub pressure: Option<u32>,
    pub technique: Option<u32>,
    pub session_id: Option<u32>,
    /// Long: a yes/no flag per row. Wide: a list of regions per session.
    pub focus: Option<u32>,
}

/// The long layout's per-row columns.
#[derive(Debug, Clone)]
pub(crate) struct LongColumns {
    pub region: u32,
    pub before: u32,
    pub after: u32,
    pub side: Option<u32>,
    pub minutes: Option<u32>,
}

/// One region's columns in the wide layout.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WidePair {
    pub region: Region,
    pub side: Option<Side>,
    pub before: Option<(u32, String)>,
    pub after: Option<(u32, String)>,
    pub minutes: Option<u32>,
}

#[derive(Debug, Clone)]
pub(crate) enum Layout {
    Long(LongColumns),
    /// Pairs sorted by region, then side, so records come out in report order.
    Wide(Vec<WidePair>),
}

impl Layout {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Layout::Long(_) => "long",
            Layout::Wide(_) => "wide",
        }
    }
}

/// A recognised header.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    /// 0-based row index of the header (the lower row of a two-row header).
    pub row: u32,
    /// The upper row of a two-row header (region names), 0-based.
    pub upper: Option<u32>,
    pub columns: Columns,
    pub layout: Layout,
}

/// What the cells of one row say as a header.
#[derive(Default)]
struct Matched {
    fields: Vec<(Field, u32)>,
    wide: Vec<(Region, Option<Side>, WideKind, u32, String)>,
    count: usize,
}

impl Matched {
    fn field(&self, f: Field) -> Option<u32> {
        self.fields.iter().find(|(g, _)| *g == f).map(|(_, c)| *c)
    }

    /// Whether the names include a date, client or score column (SPEC §2.2): without one, the
    /// row heads a price list or a sheet of drop-down lists, not sessions.
    fn names_sessions(&self) -> bool {
        [Field::Date, Field::Client, Field::Before, Field::After]
            .iter()
            .any(|f| self.field(*f).is_some())
            || self
                .wide
                .iter()
                .any(|w| matches!(w.2, WideKind::Before | WideKind::After))
    }

    fn add_field(&mut self, field: Field, col: u32) {
        self.count += 1;
        // The first column with a name wins; a repeated name is ignored.
        if self.field(field).is_none() {
            self.fields.push((field, col));
        }
    }
}

fn match_row(row: &RowView<'_, '_>, vocabulary: &Vocabulary) -> Matched {
    let mut m = Matched::default();
    for (col, v) in row.cells() {
        let Value::Text(t) = v else { continue };
        if let Some(field) = vocabulary.field(t) {
            m.add_field(field, col);
        } else if let Some(w) = vocabulary.wide_column(t) {
            m.count += 1;
            m.wide
                .push((w.region, w.side, w.kind, col, t.trim().to_string()));
        }
    }
    m
}

/// Why a sheet has no usable header.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum HeaderProblem {
    /// No row looks like a header: the sheet is not a session sheet.
    NotFound,
    /// The best header-like row names no date, client or score column (0-based row, the
    /// names): a price list or a sheet of drop-down lists, not a session sheet.
    NoSessionColumns(u32, Vec<String>),
    /// A row looks like a header but lacks columns relief needs (said to the user).
    Incomplete(String),
}

/// The region named by the upper row of a two-row header above column `col`: the cell's own
/// text (merged cells were filled before), else — for a name written once above its columns
/// without a merge — the nearest text to its left, if that is a region name.
fn region_above(
    upper: &RowView<'_, '_>,
    col: u32,
    vocabulary: &Vocabulary,
) -> Option<(Region, Option<Side>, String)> {
    let text = match upper.get(col) {
        Some(Value::Text(t)) => t,
        Some(_) => return None,
        None => match upper.cells().take_while(|(c, _)| *c < col).last() {
            Some((_, Value::Text(t))) => t,
            _ => return None,
        },
    };
    let (region, side) = vocabulary.region(text).ok()?;
    Some((region, side, text.trim().to_string()))
}

/// Reads `upper` and `lower` as one two-row header (SPEC §2.9), if `lower` holds score words
/// under region names of `upper`. Session-level names may stand in either row.
fn match_pair(
    upper: &RowView<'_, '_>,
    lower: &RowView<'_, '_>,
    vocabulary: &Vocabulary,
) -> Option<Matched> {
    let mut m = Matched::default();
    let mut under_regions = Vec::new();
    for (col, v) in lower.cells() {
        let Value::Text(t) = v else { continue };
        let kind = match vocabulary.field(t) {
            Some(Field::Before) => WideKind::Before,
            Some(Field::After) => WideKind::After,
            Some(Field::Minutes) => WideKind::Minutes,
            _ => continue,
        };
        if let Some((region, side, name)) = region_above(upper, col, vocabulary) {
            under_regions.push(col);
            m.count += 1;
            m.wide
                .push((region, side, kind, col, format!("{name} {}", t.trim())));
        }
    }
    if !m.wide.iter().any(|w| w.2 != WideKind::Minutes) {
        return None;
    }
    // Session-level names from both rows, left to right; the lower row's score words under a
    // region are that region's columns, not fields.
    let mut named: Vec<(u32, Field)> = Vec::new();
    for (row, is_lower) in [(upper, false), (lower, true)] {
        for (col, v) in row.cells() {
            let Value::Text(t) = v else { continue };
            if is_lower && under_regions.contains(&col) {
                continue;
            }
            match vocabulary.field(t) {
                Some(Field::Before | Field::After | Field::Minutes | Field::Region) | None => {}
                Some(field) => named.push((col, field)),
            }
        }
    }
    named.sort_by_key(|(col, _)| *col);
    for (col, field) in named {
        m.add_field(field, col);
    }
    Some(m)
}

/// The names of a header-like row, for saying why it heads no session sheet.
fn names(row: &RowView<'_, '_>) -> Vec<String> {
    row.cells()
        .filter_map(|(_, v)| match v {
            Value::Text(t) => Some(t.trim().to_string()),
            _ => None,
        })
        .collect()
}

/// Finds the header, or reads the row the user named (`forced`, 0-based).
pub(crate) fn find_header(
    grid: &Grid<'_>,
    vocabulary: &Vocabulary,
    forced: Option<u32>,
) -> Result<Header, HeaderProblem> {
    let rows: Vec<RowView<'_, '_>> = grid.rows().take(HEADER_SEARCH_ROWS + 1).collect();
    if let Some(row) = forced {
        return forced_header(grid, vocabulary, row);
    }
    let mut first_problem = None;
    let mut not_session = None;
    for (i, view) in rows.iter().enumerate().take(HEADER_SEARCH_ROWS) {
        // The upper half of a two-row header first: alone, it may look like an incomplete one.
        if let Some(lower) = rows.get(i + 1).filter(|l| l.row == view.row + 1)
            && let Some(m) = match_pair(view, lower, vocabulary)
        {
            match build(lower.row, &m) {
                Ok(mut h) => {
                    h.upper = Some(view.row);
                    return Ok(h);
                }
                Err(p) => {
                    first_problem.get_or_insert(format!(
                        "rows {}–{} look like a two-row header but {p}",
                        view.row + 1,
                        lower.row + 1
                    ));
                }
            }
        }
        let m = match_row(view, vocabulary);
        if m.count < MIN_HEADER_MATCHES {
            continue;
        }
        if !m.names_sessions() {
            not_session.get_or_insert_with(|| (view.row, names(view)));
            continue;
        }
        match build(view.row, &m) {
            Ok(h) => return Ok(h),
            Err(p) => {
                first_problem
                    .get_or_insert(format!("row {} looks like a header but {p}", view.row + 1));
            }
        }
    }
    Err(match (first_problem, not_session) {
        (Some(p), _) => HeaderProblem::Incomplete(p),
        (None, Some((row, names))) => HeaderProblem::NoSessionColumns(row, names),
        (None, None) => HeaderProblem::NotFound,
    })
}

/// The header on the row the user named: the lower row of a two-row header when the row above
/// it holds the region names, else the row alone.
fn forced_header(
    grid: &Grid<'_>,
    vocabulary: &Vocabulary,
    row: u32,
) -> Result<Header, HeaderProblem> {
    let shown = row + 1;
    let Some(view) = grid.rows().find(|r| r.row == row) else {
        return Err(HeaderProblem::Incomplete(format!(
            "the header row given ({shown}) is empty"
        )));
    };
    if let Some(upper) = row
        .checked_sub(1)
        .and_then(|u| grid.rows().find(|r| r.row == u))
        && let Some(m) = match_pair(&upper, &view, vocabulary)
        && let Ok(mut h) = build(row, &m)
    {
        h.upper = Some(upper.row);
        return Ok(h);
    }
    build(row, &match_row(&view, vocabulary))
        .map_err(|p| HeaderProblem::Incomplete(format!("header row {shown} {p}")))
}

fn build(row: u32, m: &Matched) -> Result<Header, String> {
    let has_long = [Field::Region, Field::Before, Field::After]
        .iter()
        .all(|f| m.field(*f).is_some());
    let has_wide = m
        .wide
        .iter()
        .any(|w| matches!(w.2, WideKind::Before | WideKind::After));
    // No therapist column is a solo practice (SPEC §2.9), not a missing column.
    let mut missing: Vec<&str> = [Field::Date, Field::Client]
        .iter()
        .filter(|f| m.field(**f).is_none())
        .map(|f| f.key())
        .collect();
    if !has_long && !has_wide {
        for f in [Field::Region, Field::Before, Field::After] {
            if m.field(f).is_none() {
                missing.push(f.key());
            }
        }
    }
    if !missing.is_empty() {
        let plural = if missing.len() > 1 { "s" } else { "" };
        return Err(format!(
            "has no {} column{plural}; name the column{plural} as relief expects or add the name under [headers] in relief.toml",
            missing.join(", ")
        ));
    }
    let columns = Columns {
        date: m.field(Field::Date).unwrap_or_default(),
        client: m.field(Field::Client).unwrap_or_default(),
        therapist: m.field(Field::Therapist),
        pressure: m.field(Field::Pressure),
        technique: m.field(Field::Technique),
        session_id: m.field(Field::SessionId),
        focus: m.field(Field::Focus),
    };
    let layout = if has_long {
        Layout::Long(LongColumns {
            region: m.field(Field::Region).unwrap_or_default(),
            before: m.field(Field::Before).unwrap_or_default(),
            after: m.field(Field::After).unwrap_or_default(),
            side: m.field(Field::Side),
            minutes: m.field(Field::Minutes),
        })
    } else {
        let mut pairs: Vec<WidePair> = Vec::new();
        for (region, side, kind, col, name) in &m.wide {
            let i = match pairs
                .iter()
                .position(|p| p.region == *region && p.side == *side)
            {
                Some(i) => i,
                None => {
                    pairs.push(WidePair {
                        region: *region,
                        side: *side,
                        before: None,
                        after: None,
                        minutes: None,
                    });
                    pairs.len() - 1
                }
            };
            let p = &mut pairs[i];
            match kind {
                WideKind::Before => {
                    p.before.get_or_insert((*col, name.clone()));
                }
                WideKind::After => {
                    p.after.get_or_insert((*col, name.clone()));
                }
                WideKind::Minutes => {
                    p.minutes.get_or_insert(*col);
                }
            }
        }
        // A region with only a minutes column has no scores to read.
        pairs.retain(|p| p.before.is_some() || p.after.is_some());
        pairs.sort_by_key(|p| (p.region, p.side));
        Layout::Wide(pairs)
    };
    Ok(Header {
        row,
        upper: None,
        columns,
        layout,
    })
}
