//! From the reader's records to one analysable table: canonical order, sessions, visit numbers
//! and the regions each session worked, in columns of plain numbers.
//!
//! The records come as columns ([`Records`]); each column is put into canonical order and the
//! reader's copy dropped before the next, so the run holds the input about once, not twice.
//! Texts stay numbers (client, therapist, technique, file, sheet point into one [`Texts`]
//! table) until a writer needs the words.

use crate::frame::build_frame;
use crate::{AnalysisError, Period};
use polars::prelude::DataFrame;
use rayon::prelude::*;
use relief_core::Records;
use relief_core::records::{NO_TEXT, Texts};
use std::cmp::Ordering;
use std::collections::HashMap;

/// All records of a run, ready to be summarised for any period.
pub struct Prepared {
    /// The columns the figures are computed from, in canonical order (see [`crate::frame`]).
    pub(crate) frame: DataFrame,
    /// Every text the records hold.
    pub(crate) texts: Texts,
    /// The months that have records, in order; the frame's month column indexes this list.
    pub(crate) months: Vec<Period>,
    /// Per row, in canonical order: what the clean table shows beyond the frame.
    pub(crate) rows: RowColumns,
    /// What identifies each session, by session number: its key text is made only when the
    /// clean table names the session.
    pub(crate) sessions: Vec<SessionKey>,
    /// `texts` as cells of the clean CSV, made by the first CSV written and shared by every
    /// period's.
    pub(crate) csv_texts: std::sync::OnceLock<crate::csv_cells::Cells>,
}

/// What identifies a session (text numbers; [`NO_TEXT`] where not recorded).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionKey {
    client: u32,
    /// The day of the session's first row.
    day: i32,
    therapist: u32,
    /// The export's session id.
    id: u32,
}

impl SessionKey {
    /// The session's key as text, the input of its pseudonym: client and the export's session
    /// id where there is one, else client, date and therapist.
    pub(crate) fn text(&self, texts: &Texts) -> String {
        let text = |id: u32| if id == NO_TEXT { "" } else { &**texts.get(id) };
        if self.id != NO_TEXT {
            format!("{}|id|{}", text(self.client), text(self.id))
        } else {
            let date = relief_core::records::date_of(self.day);
            format!("{}|{}|{}", text(self.client), date, text(self.therapist))
        }
    }
}

/// The per-row columns only the clean table needs, in canonical order.
#[derive(Default)]
pub(crate) struct RowColumns {
    pub day: Vec<i32>,
    pub side: Vec<u8>,
    pub minutes: Vec<f64>,
    pub file: Vec<u32>,
    pub sheet: Vec<u32>,
    pub row: Vec<u32>,
}

/// What the analysis adds to each row, in canonical order.
pub(crate) struct Derived {
    /// The session number of each row: the export's session id (within the client) where it
    /// has one, else client, date and therapist (SPEC §3).
    pub session: Vec<u32>,
    /// The client's visit number of each row over the whole input, 1 for the first session.
    pub visit: Vec<u32>,
    /// Bit `i` set when region `Region::ALL[i]` was worked in the row's session (group 7).
    pub worked: Vec<u16>,
    /// The month of each row, as an index into the months list.
    pub month: Vec<u32>,
}

impl Prepared {
    /// Orders the records canonically, numbers sessions and visits, and builds the frame.
    ///
    /// Visit numbers count every session of the client in the whole input, before any period is
    /// applied, so a client's third visit stays the third in October's report.
    ///
    /// # Errors
    /// [`AnalysisError::Engine`] if polars refuses the frame (a bug, not bad input).
    pub fn new(records: Records) -> Result<Prepared, AnalysisError> {
        let ranks = text_ranks(records.texts());
        let order = canonical_order(&records, &ranks);
        let mut records = records;
        let rows = RowColumns {
            day: gather(&mut records.day, &order),
            side: gather(&mut records.side, &order),
            minutes: gather(&mut records.minutes, &order),
            file: gather(&mut records.file, &order),
            sheet: gather(&mut records.sheet, &order),
            row: gather(&mut records.row, &order),
        };
        let client = gather(&mut records.client, &order);
        let therapist = gather(&mut records.therapist, &order);
        let session_id = gather(&mut records.session_id, &order);
        let region = gather(&mut records.region, &order);
        let (session, sessions, worked) =
            number_sessions(&rows, &client, &therapist, &session_id, &region);
        drop(session_id);
        let visits = visit_numbers(&sessions, records.texts().len());
        let (months, month) = month_numbers(&rows.day);
        let derived = Derived {
            visit: session.iter().map(|s| visits[*s as usize]).collect(),
            worked: session.iter().map(|s| worked[*s as usize]).collect(),
            session,
            month,
        };
        drop(worked);
        let frame = build_frame(
            &mut records,
            &order,
            client,
            therapist,
            region,
            &rows,
            derived,
        )?;
        drop(order);
        let texts = records.texts().clone();
        Ok(Prepared {
            frame,
            texts,
            months,
            rows,
            sessions,
            csv_texts: std::sync::OnceLock::new(),
        })
    }

    /// The months that have records, in order.
    pub fn months(&self) -> &[Period] {
        &self.months
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.frame.height()
    }

    /// Whether there are no records at all.
    pub fn is_empty(&self) -> bool {
        self.frame.height() == 0
    }

    /// The rows of `period`: a contiguous range, since rows are in date order.
    pub(crate) fn rows_of(&self, period: &Period) -> std::ops::Range<usize> {
        let (from, to) = period.bounds();
        let (from, to) = (
            relief_core::records::day_number(from),
            relief_core::records::day_number(to),
        );
        let start = self.rows.day.partition_point(|d| *d < from);
        let end = self.rows.day.partition_point(|d| *d <= to);
        start..end.max(start)
    }
}

/// Takes a column out of the records in `order`, dropping the reader's copy.
fn gather<T: Copy>(column: &mut Vec<T>, order: &[u32]) -> Vec<T> {
    let source = std::mem::take(column);
    order.iter().map(|&i| source[i as usize]).collect()
}

/// For every text number, its rank in the texts' sorted order: comparing ranks compares the
/// texts, so sorting never touches a string.
fn text_ranks(texts: &Texts) -> Vec<u32> {
    let all = texts.all();
    let mut by_text: Vec<u32> = (0..all.len() as u32).collect();
    by_text.sort_unstable_by(|a, b| all[*a as usize].cmp(&all[*b as usize]));
    let mut ranks = vec![0u32; all.len()];
    for (rank, id) in by_text.into_iter().enumerate() {
        ranks[id as usize] = rank as u32;
    }
    ranks
}

/// The order every computation sees, independent of file order and row order: date, client,
/// therapist, session id, region, side, before, after, then where the row came from.
fn canonical_order(r: &Records, ranks: &[u32]) -> Vec<u32> {
    let rank = |id: u32| {
        if id == NO_TEXT {
            0
        } else {
            ranks[id as usize] + 1
        }
    };
    // Date and client first, packed, so most of the work is one sort of plain numbers; rows
    // that tie there (the regions of one session) are few and ordered in full.
    let mut keyed: Vec<(u64, u32)> = (0..r.len())
        .map(|i| {
            let day = (r.day[i] as i64 - i32::MIN as i64) as u64;
            ((day << 32) | u64::from(rank(r.client[i])), i as u32)
        })
        .collect();
    // Both sorts run on every core, in place. The first sort's keys hold the row's position,
    // so none tie; each run of the second is sorted on its own, exactly as one core would, so
    // the order is the same however the work is shared out.
    keyed.par_sort_unstable();
    let full = |a: &u32, b: &u32| -> Ordering {
        let (a, b) = (*a as usize, *b as usize);
        rank(r.therapist[a])
            .cmp(&rank(r.therapist[b]))
            .then_with(|| rank(r.session_id[a]).cmp(&rank(r.session_id[b])))
            .then_with(|| r.region[a].cmp(&r.region[b]))
            .then_with(|| r.side[a].cmp(&r.side[b]))
            .then_with(|| r.before[a].total_cmp(&r.before[b]))
            .then_with(|| r.after[a].total_cmp(&r.after[b]))
            .then_with(|| rank(r.file[a]).cmp(&rank(r.file[b])))
            .then_with(|| rank(r.sheet[a]).cmp(&rank(r.sheet[b])))
            .then_with(|| r.row[a].cmp(&r.row[b]))
    };
    keyed
        .par_chunk_by_mut(|a, b| a.0 == b.0)
        .for_each(|run| run.sort_unstable_by(|(_, a), (_, b)| full(a, b)));
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Numbers the sessions in canonical order of first appearance. Without a session id a session
/// is a run of rows with the same date, client and therapist (they are neighbours in canonical
/// order); with one, the same id of the same client on any date.
///
/// Returns each row's session number, each session's key, and per session a bit per region
/// worked in it.
fn number_sessions(
    rows: &RowColumns,
    client: &[u32],
    therapist: &[u32],
    session_id: &[u32],
    region: &[u8],
) -> (Vec<u32>, Vec<SessionKey>, Vec<u16>) {
    // A sheet without a therapist column leaves the therapist out of the key (NO_TEXT).
    let mut by_id: HashMap<(u32, u32), u32> = HashMap::new();
    let mut keys: Vec<SessionKey> = Vec::new();
    let mut worked: Vec<u16> = Vec::new();
    let mut session = Vec::with_capacity(client.len());
    let mut last: Option<(i32, u32, u32, u32)> = None;
    for i in 0..client.len() {
        let here = (rows.day[i], client[i], therapist[i], session_id[i]);
        // A new session starts at this row: its key is this row's (the id is NO_TEXT where the
        // export has none).
        let mut start = || {
            keys.push(SessionKey {
                client: client[i],
                day: rows.day[i],
                therapist: therapist[i],
                id: session_id[i],
            });
            worked.push(0);
            keys.len() as u32 - 1
        };
        let n = if session_id[i] != NO_TEXT {
            *by_id
                .entry((client[i], session_id[i]))
                .or_insert_with(start)
        } else if last == Some(here) {
            *session.last().expect("a previous row")
        } else {
            start()
        };
        last = Some(here);
        if rows.minutes[i].is_nan() || rows.minutes[i] > 0.0 {
            worked[n as usize] |= 1 << region[i];
        }
        session.push(n);
    }
    (session, keys, worked)
}

/// Numbers each client's sessions 1, 2, 3 … by date; sessions of the same day keep the
/// canonical order they were first seen in.
fn visit_numbers(sessions: &[SessionKey], n_texts: usize) -> Vec<u32> {
    let mut by_client: Vec<(u32, i32, u32)> = sessions
        .iter()
        .enumerate()
        .map(|(id, key)| (key.client, key.day, id as u32))
        .collect();
    by_client.sort_unstable();
    let mut visits = vec![0u32; sessions.len()];
    let mut previous = u32::MAX;
    let mut n = 0;
    for (client, _, id) in by_client {
        n = if client == previous { n + 1 } else { 1 };
        previous = client;
        visits[id as usize] = n;
    }
    debug_assert!(sessions.iter().all(|s| (s.client as usize) < n_texts));
    visits
}

/// The months that have rows, and each row's month as an index into them.
fn month_numbers(days: &[i32]) -> (Vec<Period>, Vec<u32>) {
    let mut months: Vec<Period> = Vec::new();
    let mut out = Vec::with_capacity(days.len());
    let mut last_day = None;
    for d in days {
        if last_day != Some(*d) {
            let month = Period::month_of(relief_core::records::date_of(*d));
            if months.last() != Some(&month) {
                months.push(month);
            }
            last_day = Some(*d);
        }
        out.push(months.len() as u32 - 1);
    }
    (months, out)
}
