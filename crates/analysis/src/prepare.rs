//! From records to one analysable frame: canonical order, compact ids for clients and sessions,
//! visit numbers and the regions each session worked.

use crate::frame::build_frame;
use crate::{AnalysisError, Period};
use polars::prelude::DataFrame;
use relief_core::{Record, Region};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

/// All records of a run, ready to be summarised for any period.
pub struct Prepared {
    pub(crate) frame: DataFrame,
    months: Vec<Period>,
    /// Client pseudonyms by client id (the frame holds the id).
    pub(crate) clients: Vec<Arc<str>>,
    /// A text key per session id, for the clean table's session hash.
    pub(crate) session_keys: Vec<String>,
}

/// What the analysis adds to each record before it enters the frame.
pub(crate) struct Derived {
    pub client: u32,
    /// The session this row belongs to: the export's session id where it has one, else client,
    /// date and therapist (SPEC §3).
    pub session: u32,
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

        // Compact ids, given in canonical order so they are the same on every run.
        let mut client_ids: HashMap<&str, u32> = HashMap::new();
        let mut clients: Vec<Arc<str>> = Vec::new();
        let mut therapist_ids: HashMap<&str, u32> = HashMap::new();
        type SessionKey<'a> = (u32, chrono::NaiveDate, u32, Option<&'a str>);
        let mut session_ids: HashMap<SessionKey<'_>, u32> = HashMap::new();
        let mut session_keys: Vec<String> = Vec::new();
        // Per session: client, date, regions worked.
        let mut session_info: Vec<(u32, chrono::NaiveDate, u16)> = Vec::new();
        let mut row_ids: Vec<(u32, u32)> = Vec::with_capacity(order.len());
        for r in &order {
            let client = *client_ids.entry(&r.client).or_insert_with(|| {
                clients.push(r.client.clone());
                clients.len() as u32 - 1
            });
            let n_therapists = therapist_ids.len() as u32;
            let therapist = *therapist_ids.entry(&r.therapist).or_insert(n_therapists);
            // With a session id, the id (within the client) names the session; else the day
            // and therapist do.
            let key = match r.session_id.as_deref() {
                Some(id) => (client, chrono::NaiveDate::MIN, 0, Some(id)),
                None => (client, r.date, therapist, None),
            };
            let session = *session_ids.entry(key).or_insert_with(|| {
                session_keys.push(match &r.session_id {
                    Some(id) => format!("{}|id|{id}", r.client),
                    None => format!("{}|{}|{}", r.client, r.date, r.therapist),
                });
                session_info.push((client, r.date, 0));
                session_keys.len() as u32 - 1
            });
            let worked = r.minutes.is_none_or(|m| m > 0.0);
            if worked {
                session_info[session as usize].2 |= 1 << region_index(r.region);
            }
            row_ids.push((client, session));
        }
        let visits = visit_numbers(&session_info, clients.len());
        let derived: Vec<Derived> = row_ids
            .into_iter()
            .map(|(client, session)| Derived {
                client,
                session,
                visit: visits[session as usize],
                worked: session_info[session as usize].2,
            })
            .collect();
        // In date order already, so equal months are neighbours.
        let mut months: Vec<Period> = Vec::new();
        for r in &order {
            let month = Period::month_of(r.date);
            if months.last() != Some(&month) {
                months.push(month);
            }
        }
        let frame = build_frame(&order, &derived)?;
        Ok(Prepared {
            frame,
            months,
            clients,
            session_keys,
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

/// Numbers each client's sessions 1, 2, 3 … by date; sessions of the same day keep the
/// canonical order they were first seen in.
fn visit_numbers(sessions: &[(u32, chrono::NaiveDate, u16)], n_clients: usize) -> Vec<u32> {
    let mut per_client: Vec<Vec<(chrono::NaiveDate, u32)>> = vec![Vec::new(); n_clients];
    for (id, (client, date, _)) in sessions.iter().enumerate() {
        per_client[*client as usize].push((*date, id as u32));
    }
    let mut visits = vec![0u32; sessions.len()];
    for mut list in per_client {
        list.sort();
        for (n, (_, id)) in list.into_iter().enumerate() {
            visits[id as usize] = n as u32 + 1;
        }
    }
    visits
}

/// The region's position in report order, 0–8.
pub(crate) fn region_index(region: Region) -> u8 {
    Region::ALL
        .iter()
        .position(|r| *r == region)
        .expect("every region is in ALL") as u8
}
