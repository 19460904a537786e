//! Duplicates and conflicts across files and within a file (SPEC §2.7).
//!
//! The same session × region — the same (client, date, therapist, region, side), or the same
//! (session id, region, side) when the export has session ids — is counted once. Records arrive
//! in reading order (files in sorted path order, then sheets, then rows), and the last copy is
//! the one used: the later file wins, and within a file the lower row. Every other copy is a
//! duplicate pointing at the kept one; a copy whose values differ from the kept one is also a
//! conflict, and the difference is said in plain words.

use relief_core::{Duplicate, Record, Region, Side};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(PartialEq, Eq, Hash)]
enum Key {
    Session(Arc<str>, Region, Option<Side>),
    Visit(Arc<str>, chrono::NaiveDate, Arc<str>, Region, Option<Side>),
}

fn key(r: &Record) -> Key {
    match &r.session_id {
        Some(id) => Key::Session(id.clone(), r.region, r.side),
        None => Key::Visit(
            r.client.clone(),
            r.date,
            r.therapist.clone(),
            r.region,
            r.side,
        ),
    }
}

/// Splits records into the ones used and the duplicates, keeping the order of the used ones.
pub(crate) fn dedup(records: Vec<Record>) -> (Vec<Record>, Vec<Duplicate>) {
    let mut last: HashMap<Key, usize> = HashMap::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        last.insert(key(r), i);
    }
    if last.len() == records.len() {
        return (records, Vec::new());
    }
    let mut duplicates = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let kept_at = last[&key(r)];
        if kept_at != i {
            let kept = &records[kept_at];
            duplicates.push(Duplicate {
                file: r.origin.file.to_string(),
                sheet: r.origin.sheet.to_string(),
                row: r.origin.row,
                kept_file: kept.origin.file.to_string(),
                kept_sheet: kept.origin.sheet.to_string(),
                kept_row: kept.origin.row,
                month: r.month(),
                conflict: difference(r, kept),
            });
        }
    }
    let used = records
        .into_iter()
        .enumerate()
        .filter(|(i, r)| last.get(&key(r)) == Some(i))
        .map(|(_, r)| r)
        .collect();
    (used, duplicates)
}

/// What differs between a copy and the kept copy, or `None` when they agree.
fn difference(copy: &Record, kept: &Record) -> Option<String> {
    fn show<T: std::fmt::Display>(v: &Option<T>) -> String {
        v.as_ref().map_or("blank".into(), |v| v.to_string())
    }
    let num = |v: f64| relief_core::score::format_number(v);
    let mut parts = Vec::new();
    let mut diff = |name: &str, here: String, there: String| {
        if here != there {
            parts.push(format!("{name}: {here} here, {there} in the kept copy"));
        }
    };
    diff("before", num(copy.before), num(kept.before));
    diff("after", num(copy.after), num(kept.after));
    diff("pressure", show(&copy.pressure), show(&kept.pressure));
    diff(
        "minutes",
        show(&copy.minutes.map(num)),
        show(&kept.minutes.map(num)),
    );
    diff("focus", show(&copy.focus), show(&kept.focus));
    diff("technique", show(&copy.technique), show(&kept.technique));
    if copy.session_id.is_some() {
        // Keyed by session id: the session's own details may disagree too.
        diff("date", copy.date.to_string(), kept.date.to_string());
        diff(
            "therapist",
            copy.therapist.to_string(),
            kept.therapist.to_string(),
        );
        if copy.client != kept.client {
            // Never the identifiers themselves.
            parts.push("the client differs".into());
        }
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}
