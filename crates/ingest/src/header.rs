//! Finding the header row of a sheet and reading its layout (SPEC §2.2–§2.4).
//!
//! The header is the first row, among the first 30 used rows, in which at least three cells
//! name known columns (a field such as `Date` or `Client`, or a wide-layout column such as
//! `Lower back before`). The layout follows from the names: `region` + `before` + `after` is
//! the long layout (one row per session × region), per-region before/after pairs the wide one
//! (one row per session).

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
    pub therapist: u32,
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
    /// 0-based row index of the header.
    pub row: u32,
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
}

fn match_row(row: &RowView<'_, '_>, vocabulary: &Vocabulary) -> Matched {
    let mut m = Matched::default();
    for (col, v) in row.cells() {
        let Value::Text(t) = v else { continue };
        if let Some(field) = vocabulary.field(t) {
            m.count += 1;
            // The first column with a name wins; a repeated name is ignored.
            if m.field(field).is_none() {
                m.fields.push((field, col));
            }
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
    /// No row looks like a header: the sheet is not a session sheet (skipped quietly).
    NotFound,
    /// A row looks like a header but lacks columns relief needs (said to the user).
    Incomplete(String),
}

/// Finds the header, or reads the row the user named (`forced`, 0-based).
pub(crate) fn find_header(
    grid: &Grid<'_>,
    vocabulary: &Vocabulary,
    forced: Option<u32>,
) -> Result<Header, HeaderProblem> {
    if let Some(row) = forced {
        let shown = row + 1;
        let Some(view) = grid.rows().find(|r| r.row == row) else {
            return Err(HeaderProblem::Incomplete(format!(
                "the header row given ({shown}) is empty"
            )));
        };
        return build(row, &match_row(&view, vocabulary))
            .map_err(|p| HeaderProblem::Incomplete(format!("header row {shown} {p}")));
    }
    let mut first_problem = None;
    for view in grid.rows().take(HEADER_SEARCH_ROWS) {
        let m = match_row(&view, vocabulary);
        if m.count < MIN_HEADER_MATCHES {
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
    Err(first_problem.map_or(HeaderProblem::NotFound, HeaderProblem::Incomplete))
}

fn build(row: u32, m: &Matched) -> Result<Header, String> {
    let has_long = [Field::Region, Field::Before, Field::After]
        .iter()
        .all(|f| m.field(*f).is_some());
    let has_wide = m
        .wide
        .iter()
        .any(|w| matches!(w.2, WideKind::Before | WideKind::After));
    let mut missing: Vec<&str> = [Field::Date, Field::Client, Field::Therapist]
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
        therapist: m.field(Field::Therapist).unwrap_or_default(),
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
        columns,
        layout,
    })
}
