//! Duplicates and conflicts across files and within a file (SPEC §2.7).
//!
//! The same session × region — the same (client, date, therapist, region, side), or the same
//! (session id, client, region, side) when the export has session ids (two clinics may both
//! number a session 1001) — is counted once. Records arrive in reading order (files in sorted
//! path order, then sheets, then rows), and the last copy is the one used: the later file wins,
//! and within a file the lower row. Every other copy is a duplicate pointing at the kept one; a
//! copy whose values differ from the kept one is also a conflict, and the difference is said in
//! plain words.
//!
//! Each record's key is packed into one 128-bit number from the columns (texts are already
//! numbers there) and the (key, position) pairs are sorted: equal keys become neighbours
//! without a hash map of owned keys, and memory stays at 24 bytes a record however long the
//! input.

use relief_core::records::NO_TEXT;
use relief_core::{Duplicate, Record, Records};

/// The record's identity as one number: session id and client, or client, day and therapist;
/// then region and side. The top bit says which kind, so the two never collide.
fn key(r: &Records, i: usize) -> u128 {
    let tail = (u128::from(r.region[i]) << 2) | u128::from(r.side[i]);
    let (kind, a, b, c) = if r.session_id[i] != NO_TEXT {
        (1u128, r.session_id[i], r.client[i], 0)
    } else {
        (0, r.client[i], r.day[i] as u32, r.therapist[i])
    };
    (kind << 127) | (u128::from(a) << 70) | (u128::from(b) << 38) | (u128::from(c) << 6) | tail
}

/// Removes the duplicates from `records` (keeping the order of the used ones) and returns them.
pub(crate) fn dedup(records: &mut Records) -> Vec<Duplicate> {
    let n = records.len();
    let mut keyed: Vec<(u128, u32)> = (0..n).map(|i| (key(records, i), i as u32)).collect();
    keyed.sort_unstable();
    // For every record that is not the last copy of its key: the copy that is kept.
    let mut kept_for: Vec<(u32, u32)> = Vec::new();
    for group in keyed.chunk_by(|a, b| a.0 == b.0) {
        if let [copies @ .., (_, kept)] = group {
            kept_for.extend(copies.iter().map(|(_, i)| (*i, *kept)));
        }
    }
    drop(keyed);
    if kept_for.is_empty() {
        return Vec::new();
    }
    kept_for.sort_unstable();
    let mut keep = vec![true; n];
    let duplicates = kept_for
        .into_iter()
        .map(|(copy, kept)| {
            keep[copy as usize] = false;
            let (r, k) = (records.get(copy as usize), records.get(kept as usize));
            Duplicate {
                file: r.origin.file.to_string(),
                sheet: r.origin.sheet.to_string(),
                row: r.origin.row,
                kept_file: k.origin.file.to_string(),
                kept_sheet: k.origin.sheet.to_string(),
                kept_row: k.origin.row,
                month: r.month(),
                conflict: difference(&r, &k),
            }
        })
        .collect();
    records.retain(&keep);
    duplicates
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
        // Keyed by session id (and client): the session's own details may disagree too.
        diff("date", copy.date.to_string(), kept.date.to_string());
        diff("therapist", show(&copy.therapist), show(&kept.therapist));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}
