//! Turning the rows of one sheet into session × region records and rejects (SPEC §2.2–§2.8).
//!
//! Every used row below the header ends up in exactly one place: a record, a reject (one per
//! session × region), or the footer count; blank rows are not rows at all. Values go through the
//! shared [`Vocabulary`], so a score, a region or a pressure word means the same in every file.
//! The client identifier is pseudonymised the moment it is read and is never copied into a
//! reject; free-text columns (notes) are never looked at.
//!
//! In a spreadsheet's long layout, a row with a region and scores but a blank date, client,
//! therapist and session id is a ditto row (SPEC §2.9): it continues the session of the data row
//! right above it (see `ditto`); it is neither a footer nor a row with a blank date.

use crate::Pseudonymizer;
use crate::ditto::{self, Above, Carried, DittoRuns};
use crate::grid::{Grid, RowView, Value};
use crate::header::{Columns, Header, Layout, LongColumns, WidePair};
use crate::values::{DatePlan, Problem, Reader, WordMemo, shown};
use chrono::NaiveDate;
use relief_core::date::ColumnOrder;
use relief_core::summary::SheetReport;
use relief_core::{
    DittoBreak, Field, Origin, Pressure, Record, Records, Reject, RejectReason, ValueError,
    Vocabulary,
};
use std::sync::Arc;

/// What one sheet is read with.
pub(crate) struct SheetContext<'o> {
    pub file: Arc<str>,
    pub sheet: Arc<str>,
    pub vocabulary: &'o Vocabulary,
    pub pseudonymizer: &'o Pseudonymizer,
    pub pseudonymise_therapists: bool,
    /// Whether ditto rows continue the session above (spreadsheets; not CSV).
    pub ditto: bool,
    pub hidden: bool,
}

/// What one sheet gave.
#[derive(Debug)]
pub(crate) struct SheetOutcome {
    pub report: SheetReport,
    pub records: Records,
    pub rejects: Vec<Reject>,
    /// Excel row numbers of the rows skipped as footers.
    pub footers: Vec<u32>,
    /// Runs of ditto rows: first and last Excel row, and the row whose session they continue.
    pub ditto: Vec<(u32, u32, u32)>,
}

/// The session-level values of one row.
struct Session {
    date: NaiveDate,
    client: Arc<str>,
    therapist: Option<Arc<str>>,
    pressure: Option<Pressure>,
    technique: Option<Arc<str>>,
    session_id: Option<Arc<str>>,
}

/// Reads one sheet below its header.
pub(crate) fn read_sheet(grid: &Grid<'_>, header: &Header, ctx: &SheetContext<'_>) -> SheetOutcome {
    let cols = &header.columns;
    let data_rows = || grid.rows().filter(|r| r.row > header.row);
    let mut reader = Reader {
        ctx,
        is_1904: grid.is_1904,
        plan: date_plan(grid, header, ctx),
        clients: Default::default(),
        therapists: Default::default(),
        texts: Default::default(),
        words: WordMemo::default(),
    };
    let mut out = SheetOutcome {
        report: SheetReport {
            name: ctx.sheet.to_string(),
            layout: header.layout.name().to_string(),
            header_row: header.row + 1,
            rows_read: 0,
            rows_used: 0,
            rows_rejected: 0,
            rows_duplicate: 0,
            footer_skipped: 0,
            hidden: ctx.hidden,
        },
        records: Records::default(),
        rejects: Vec::new(),
        footers: Vec::new(),
        ditto: Vec::new(),
    };
    let mut above = Above::Broken(DittoBreak::Header);
    let mut runs = DittoRuns::default();
    let mut last_row = header.row;
    let is_ditto = |row: &RowView<'_, '_>| match &header.layout {
        Layout::Long(long) => ctx.ditto && ditto::is_ditto_row(row, cols, long),
        Layout::Wide(_) => false,
    };
    let mut rows = data_rows().peekable();
    let mut this_ditto = rows.peek().is_some_and(is_ditto);
    while let Some(row) = rows.next() {
        // A session is kept for the next row only when that row continues it: most sheets have
        // no ditto rows, and copying every session would cost them time for nothing.
        let next_ditto = rows.peek().is_some_and(is_ditto);
        let carry = next_ditto && rows.peek().is_some_and(|n| n.row == row.row + 1);
        if row.row != last_row + 1 {
            above = Above::Broken(DittoBreak::BlankRow);
        }
        last_row = row.row;
        let origin = Origin {
            file: ctx.file.clone(),
            sheet: ctx.sheet.clone(),
            row: row.row + 1,
        };
        if let Layout::Long(long) = &header.layout
            && std::mem::replace(&mut this_ditto, next_ditto)
        {
            ditto_row(
                &mut reader,
                (&row, cols, long),
                &above,
                origin,
                &mut out,
                &mut runs,
            );
            continue;
        }
        let date = reader.date(row.get(cols.date));
        if is_footer(&row, cols, &header.layout, &date) {
            out.footers.push(origin.row);
            above = Above::Broken(DittoBreak::Footer);
            continue;
        }
        match &header.layout {
            Layout::Long(long) => {
                let session = if carry { Carry::Keep } else { Carry::Drop };
                let read = long_row(
                    &mut reader,
                    (&row, cols, long),
                    date,
                    session,
                    origin,
                    &mut out,
                );
                // Nothing kept: the session could not be read, or no ditto row follows to need it.
                above = read.map_or(Above::Broken(DittoBreak::RejectedSession), Above::Session);
            }
            Layout::Wide(pairs) => wide_row(&mut reader, &row, cols, pairs, date, origin, &mut out),
        }
    }
    out.ditto = runs.0;
    let r = &mut out.report;
    r.rows_used = out.records.len() as u64;
    r.rows_rejected = out.rejects.len() as u64;
    r.rows_read = r.rows_used + r.rows_rejected;
    r.footer_skipped = out.footers.len() as u64;
    out
}

/// How the sheet's slash dates are read: the config's order, else what the column settles.
fn date_plan(grid: &Grid<'_>, header: &Header, ctx: &SheetContext<'_>) -> DatePlan {
    if let Some(o) = ctx.vocabulary.date_order {
        return DatePlan::Fixed(o);
    }
    let col = header.columns.date;
    let texts = grid
        .rows()
        .filter(|r| r.row > header.row)
        .filter_map(|r| match r.get(col) {
            Some(Value::Text(t)) => relief_core::date::parse_text(t).ok(),
            _ => None,
        });
    match relief_core::date::decide_column_order(texts) {
        ColumnOrder::Decided(o) => DatePlan::Fixed(o),
        ColumnOrder::Ambiguous | ColumnOrder::Contradictory => DatePlan::Undecided,
    }
}

/// A ditto row: read with the session above, or rejected when there is none to continue.
fn ditto_row(
    reader: &mut Reader<'_, '_>,
    rows: (&RowView<'_, '_>, &Columns, &LongColumns),
    above: &Above,
    origin: Origin,
    out: &mut SheetOutcome,
    runs: &mut DittoRuns,
) {
    match above {
        Above::Session(carried) => {
            runs.push(origin.row, carried.row);
            long_row(
                reader,
                rows,
                Err(blank_date()),
                Carry::From(carried),
                origin,
                out,
            );
        }
        Above::Broken(why) => {
            let p = Problem {
                field: Some(Field::Date),
                value: String::new(),
                reason: RejectReason::DittoWithoutSession { above: *why },
            };
            out.rejects.push(reject(&origin, p, None));
        }
    }
}

fn blank_date() -> Problem {
    Problem {
        field: Some(Field::Date),
        value: String::new(),
        reason: ValueError::Blank(Field::Date).into(),
    }
}

/// A footer: no readable date, no client (or a word such as "Total" where the client goes), and
/// — in the long layout — no region with a score, which makes a row data (SPEC §2.2).
fn is_footer(
    row: &RowView<'_, '_>,
    cols: &Columns,
    layout: &Layout,
    date: &Result<NaiveDate, Problem>,
) -> bool {
    if date.is_ok() {
        return false;
    }
    if let Layout::Long(long) = layout
        && ditto::has_region_and_score(row, long)
    {
        return false;
    }
    // An ambiguous slash date is still a date.
    if let Some(Value::Text(t)) = row.get(cols.date)
        && relief_core::date::parse_text(t).is_ok()
    {
        return false;
    }
    row.get(cols.client).is_none_or(ditto::is_footer_word)
}

fn reject(origin: &Origin, p: Problem, date: Option<NaiveDate>) -> Reject {
    Reject::new(origin, p.field, p.value, p.reason).in_month(date)
}

/// The session-level values of a row; a ditto row takes date, client, therapist and session
/// id from the session it continues (`carried`) and reads the rest from its own cells.
fn session(
    reader: &mut Reader<'_, '_>,
    row: &RowView<'_, '_>,
    cols: &Columns,
    date: Result<NaiveDate, Problem>,
    carried: Option<&Carried>,
) -> Result<Session, Problem> {
    let (date, client, therapist, session_id) = match carried {
        Some(c) => (
            c.date,
            c.client.clone(),
            c.therapist.clone(),
            c.session_id.clone(),
        ),
        None => {
            let date = date?;
            let client = reader.client(row.get(cols.client))?;
            let therapist = match cols.therapist {
                Some(c) => Some(reader.therapist(row.get(c))?),
                None => None,
            };
            let session_id = match cols.session_id {
                Some(c) => reader.label(Field::SessionId, row.get(c))?,
                None => None,
            };
            (date, client, therapist, session_id)
        }
    };
    let pressure = match cols.pressure {
        Some(c) => reader.pressure(row.get(c))?,
        None => None,
    };
    let technique = match cols.technique {
        Some(c) => reader.label(Field::Technique, row.get(c))?,
        None => None,
    };
    Ok(Session {
        date,
        client,
        therapist,
        pressure,
        technique,
        session_id,
    })
}

/// What a long-layout row does with sessions: continues one (a ditto row), keeps its own for the
/// ditto row below it, or neither.
enum Carry<'c> {
    From(&'c Carried),
    Keep,
    Drop,
}

/// Reads one long-layout row (a ditto row with the session it continues). With
/// [`Carry::Keep`], returns the session for the ditto row below, when it could be read (even if
/// this row's region or scores could not); otherwise `None`.
fn long_row(
    reader: &mut Reader<'_, '_>,
    (row, cols, long): (&RowView<'_, '_>, &Columns, &LongColumns),
    date: Result<NaiveDate, Problem>,
    carry: Carry<'_>,
    origin: Origin,
    out: &mut SheetOutcome,
) -> Option<Carried> {
    let carried = match carry {
        Carry::From(c) => Some(c),
        _ => None,
    };
    let month = carried
        .map(|c| c.date)
        .or_else(|| date.as_ref().ok().copied());
    let s = match session(reader, row, cols, date, carried) {
        Ok(s) => s,
        Err(p) => {
            out.rejects.push(reject(&origin, p, month));
            return None;
        }
    };
    let next = matches!(carry, Carry::Keep).then(|| Carried {
        date: s.date,
        client: s.client.clone(),
        therapist: s.therapist.clone(),
        session_id: s.session_id.clone(),
        row: carried.map_or(origin.row, |c| c.row),
    });
    let result = (|| {
        let (region, named_side) = reader.region(row.get(long.region))?;
        let side = match long.side {
            Some(c) => {
                let v = row.get(c);
                match (reader.side(v)?, named_side) {
                    (Some(a), Some(b)) if a != b => {
                        return Err(Problem {
                            field: Some(Field::Side),
                            value: shown(v, false),
                            reason: RejectReason::SideConflict {
                                named: b,
                                column: a,
                            },
                        });
                    }
                    (a, b) => a.or(b),
                }
            }
            None => named_side,
        };
        let before = reader.score(Field::Before, row.get(long.before))?;
        let after = reader.score(Field::After, row.get(long.after))?;
        let minutes = match long.minutes {
            Some(c) => reader.minutes(row.get(c))?,
            None => None,
        };
        let focus = match cols.focus {
            Some(c) => Some(reader.focus_flag(row.get(c))?),
            None => None,
        };
        Ok(Record {
            date: s.date,
            client: s.client,
            therapist: s.therapist,
            session_id: s.session_id,
            region,
            side,
            before,
            after,
            pressure: s.pressure,
            minutes,
            focus,
            technique: s.technique,
            origin: origin.clone(),
        })
    })();
    match result {
        Ok(r) => out.records.push(r),
        Err(p) => out.rejects.push(reject(&origin, p, month)),
    }
    next
}

fn wide_row(
    reader: &mut Reader<'_, '_>,
    row: &RowView<'_, '_>,
    cols: &Columns,
    pairs: &[WidePair],
    date: Result<NaiveDate, Problem>,
    origin: Origin,
    out: &mut SheetOutcome,
) {
    let month = date.as_ref().ok().copied();
    let session = session(reader, row, cols, date, None).and_then(|s| {
        let focus = match cols.focus {
            Some(c) => Some(reader.focus_list(row.get(c))?),
            None => None,
        };
        Ok((s, focus))
    });
    let (session, focus) = match session {
        Ok(s) => s,
        Err(p) => {
            // A bad session-level value rejects every region with a score, each counted.
            let n = pairs.iter().filter(|p| has_score(row, p)).count().max(1);
            for _ in 0..n {
                out.rejects.push(reject(
                    &origin,
                    Problem {
                        field: p.field,
                        value: p.value.clone(),
                        reason: p.reason.clone(),
                    },
                    month,
                ));
            }
            return;
        }
    };
    let mut any = false;
    for pair in pairs {
        if !has_score(row, pair) {
            continue;
        }
        any = true;
        let cell = |c: &Option<(u32, String)>| c.as_ref().and_then(|(c, _)| row.get(*c));
        let result = (|| {
            let before = score_of_pair(
                reader,
                Field::Before,
                pair,
                &pair.before,
                cell(&pair.before),
            )?;
            let after = score_of_pair(reader, Field::After, pair, &pair.after, cell(&pair.after))?;
            let minutes = match pair.minutes {
                Some(c) => reader.minutes(row.get(c))?,
                None => None,
            };
            Ok(Record {
                date: session.date,
                client: session.client.clone(),
                therapist: session.therapist.clone(),
                session_id: session.session_id.clone(),
                region: pair.region,
                side: pair.side,
                before,
                after,
                pressure: session.pressure,
                minutes,
                focus: focus.as_ref().map(|f| f.contains(&pair.region)),
                technique: session.technique.clone(),
                origin: origin.clone(),
            })
        })();
        match result {
            Ok(r) => out.records.push(r),
            Err(p) => out.rejects.push(reject(&origin, p, month)),
        }
    }
    if !any {
        out.rejects.push(reject(
            &origin,
            Problem {
                field: None,
                value: String::new(),
                reason: RejectReason::NoScores,
            },
            month,
        ));
    }
}

fn has_score(row: &RowView<'_, '_>, pair: &WidePair) -> bool {
    [&pair.before, &pair.after]
        .iter()
        .any(|c| c.as_ref().is_some_and(|(c, _)| row.get(*c).is_some()))
}

/// One score of a wide pair; a blank names the column that is blank (or missing).
fn score_of_pair(
    reader: &Reader<'_, '_>,
    field: Field,
    pair: &WidePair,
    column: &Option<(u32, String)>,
    v: Option<&Value<'_>>,
) -> Result<f64, Problem> {
    match (column, v) {
        (None, _) => Err(Problem {
            field: Some(field),
            value: String::new(),
            reason: RejectReason::NoPairColumn {
                region: pair.region,
                field,
            },
        }),
        (Some((_, name)), None) => Err(Problem {
            field: Some(field),
            value: String::new(),
            reason: RejectReason::PairCellBlank {
                column: name.clone(),
                region: pair.region,
            },
        }),
        (Some(_), Some(_)) => reader.score(field, v),
    }
}
