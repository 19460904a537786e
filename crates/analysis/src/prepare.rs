//! From records to one analysable frame: canonical order, session keys, visit numbers and the
//! regions each session worked.

use crate::AnalysisError;
use crate::frame::build_frame;
use polars::prelude::DataFrame;
use relief_core::{Record, Region};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// All records of a run, ready to be summarised for any period.
pub struct Prepared {
    pub(crate) frame: DataFrame,
    months: Vec<String>,
}

/// What the analysis adds to each record before it enters the frame.
pub(crate) struct Derived {
    /// The session this row belongs to: the export's session id where it has one, else client,
    /// date and therapist (SPEC §3). Already free of raw identifiers: the client is a pseudonym.
    pub session: String,
    /// The client's visit number over the whole input, 1 for the first session seen.
    pub visit: u32,
    /// Bit `i` set when region `Region::ALL[i]` was worked in this row's session (SPEC §3 group 7).
    pub worked: u16,
}

impl Prepared {
    /// Orders the records canonically, numbers visits and builds the frame.
    ///
    /// Visit numbers count every session of the client in the whole input, before any period is
    /// applied, so a client's third visit stays the third in October's report.
    ///
    /// # Errors
    /// [`AnalysisError::Engine`] if polars refuses the frame (a bug, not bad input).
    pub fn new(records: &[Record]) -> Result<Prepared, AnalysisError> {
        let mut order: Vec<&Record> = records.iter().collect();
        order.sort_by(|a, b| canonical_order(a, b));
        let sessions: Vec<String> = order.iter().map(|r| session_key(r)).collect();
        let visits = visit_numbers(&order, &sessions);
        let worked = worked_regions(&order, &sessions);
        let derived: Vec<Derived> = sessions
            .into_iter()
            .enumerate()
            .map(|(i, session)| Derived {
                worked: worked[&session],
                visit: visits[&(order[i].client.clone(), session.clone())],
                session,
            })
            .collect();
        let mut months: Vec<String> = order.iter().map(|r| r.month()).collect();
        months.dedup();
        months.sort();
        months.dedup();
        let frame = build_frame(&order, &derived)?;
        Ok(Prepared { frame, months })
    }

    /// The months that have records, in order (`YYYY-MM`).
    pub fn months(&self) -> &[String] {
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
}

/// The order every computation sees: independent of file order and row order.
fn canonical_order(a: &Record, b: &Record) -> Ordering {
    a.date
        .cmp(&b.date)
        .then_with(|| a.client.cmp(&b.client))
        .then_with(|| a.therapist.cmp(&b.therapist))
        .then_with(|| a.session_id.cmp(&b.session_id))
        .then_with(|| a.region.cmp(&b.region))
        .then_with(|| a.side.cmp(&b.side))
        .then_with(|| a.before.total_cmp(&b.before))
        .then_with(|| a.after.total_cmp(&b.after))
        .then_with(|| a.origin.cmp(&b.origin))
}

fn session_key(r: &Record) -> String {
    match &r.session_id {
        Some(id) => format!("{}|id|{id}", r.client),
        None => format!("{}|{}|{}", r.client, r.date, r.therapist),
    }
}

/// Numbers each client's sessions 1, 2, 3 … in date order (ties by session key).
fn visit_numbers(order: &[&Record], sessions: &[String]) -> HashMap<(Arc<str>, String), u32> {
    let mut per_client: BTreeMap<&str, Vec<(chrono::NaiveDate, &str)>> = BTreeMap::new();
    for (r, s) in order.iter().zip(sessions) {
        per_client
            .entry(&r.client)
            .or_default()
            .push((r.date, s.as_str()));
    }
    let mut out = HashMap::new();
    for (client, mut list) in per_client {
        list.sort();
        list.dedup_by(|a, b| a.1 == b.1);
        let client: Arc<str> = Arc::from(client);
        let mut n = 0;
        for (_, s) in list {
            out.entry((client.clone(), s.to_string()))
                .or_insert_with(|| {
                    n += 1;
                    n
                });
        }
    }
    out
}

/// For each session, the regions worked: a row with minutes > 0, or any row when the minutes are
/// not recorded (SPEC §3 group 7).
fn worked_regions(order: &[&Record], sessions: &[String]) -> HashMap<String, u16> {
    let mut out: HashMap<String, u16> = HashMap::new();
    for (r, s) in order.iter().zip(sessions) {
        let worked = r.minutes.is_none_or(|m| m > 0.0);
        let bit = if worked {
            1u16 << region_index(r.region)
        } else {
            0
        };
        *out.entry(s.clone()).or_default() |= bit;
    }
    out
}

/// The region's position in report order, 0–8.
pub(crate) fn region_index(region: Region) -> u8 {
    Region::ALL
        .iter()
        .position(|r| *r == region)
        .expect("every region is in ALL") as u8
}
