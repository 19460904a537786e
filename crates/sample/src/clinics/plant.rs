//! Planting: which sessions carry the sample's planted problems, duplicates and conflict. The
//! choice prefers sessions that make the README tell a plausible story, and falls back to any
//! free session, so every planted problem finds a place whatever the seed.

use super::{DupRole, Entry, Mark};
use crate::model::Session;
use chrono::Datelike;
use relief_core::Region;

/// Chooses the sessions that carry the planted problems, and copies the duplicated ones into the
/// riverside file. Preferences make the README tell a plausible story (Anna Berg covers at
/// riverside and her sessions get entered twice); any session does when none fits.
pub(super) fn plant(per_file: &mut [Vec<Entry>], numeric_id: &[bool]) {
    let copies = plant_north(&mut per_file[0], numeric_id);
    plant_harbour(&mut per_file[1]);
    plant_riverside(&mut per_file[2], copies);
    if let Some(willow) = per_file.get_mut(3) {
        plant_willow(willow);
    }
}

/// The first free session meeting the first preference any free session meets; else the first
/// free session.
fn choose(
    entries: &[Entry],
    taken: &[usize],
    wants: &[&dyn Fn(&Session) -> bool],
) -> Option<usize> {
    let free = |i: &usize| !taken.contains(i);
    wants
        .iter()
        .find_map(|want| {
            (0..entries.len())
                .filter(free)
                .find(|&i| want(&entries[i].session))
        })
        .or_else(|| (0..entries.len()).find(free))
}

fn in_month(s: &Session, m: u32) -> bool {
    s.date.month() == m
}

/// The north clinic: the originals of the duplicated and the conflicting session, and an
/// out-of-range score. Returns the copies the riverside file repeats.
fn plant_north(north: &mut [Entry], numeric_id: &[bool]) -> Vec<Entry> {
    let mut copies = Vec::new();
    let mut taken = Vec::new();
    let anna_numeric = |s: &Session| s.therapist == 0 && numeric_id[s.client];
    if let Some(i) = choose(
        north,
        &taken,
        &[
            &|s| in_month(s, 9) && anna_numeric(s) && s.rows.len() == 3,
            &|s| anna_numeric(s) && (2..=4).contains(&s.rows.len()),
            &|s| numeric_id[s.client],
        ],
    ) {
        taken.push(i);
        north[i].mark.dup = Some(DupRole::IdenticalOriginal);
        copies.push(Entry {
            session: north[i].session.clone(),
            mark: Mark {
                dup: Some(DupRole::IdenticalCopy),
                ..Mark::default()
            },
        });
    }
    let has_lower_back = |s: &Session| s.rows.iter().any(|r| r.region == Region::LowerBack);
    if let Some(i) = choose(
        north,
        &taken,
        &[
            &|s| in_month(s, 10) && s.therapist == 0 && has_lower_back(s),
            &|s| s.therapist == 0 && has_lower_back(s),
        ],
    ) {
        taken.push(i);
        let mut session = north[i].session.clone();
        let k = session
            .rows
            .iter()
            .position(|r| r.region == Region::LowerBack)
            .unwrap_or(0);
        let mut row = session.rows[k].clone();
        row.after = if row.after <= 8.0 {
            row.after + 1.0
        } else {
            row.after - 1.0
        };
        north[i].mark.dup = Some(DupRole::ConflictOriginal(row.region));
        session.rows = vec![row];
        copies.push(Entry {
            session,
            mark: Mark {
                dup: Some(DupRole::ConflictCopy),
                ..Mark::default()
            },
        });
    }
    if let Some(i) = choose(north, &taken, &[&|s| in_month(s, 7)]) {
        north[i].mark.out_of_range = true;
    }
    copies
}

/// The harbour spa: a neck before-score without its after-score.
fn plant_harbour(harbour: &mut [Entry]) {
    let has_neck = |s: &Session| s.rows.iter().any(|r| r.region == Region::Neck);
    if let Some(i) = choose(
        harbour,
        &[],
        &[&|s| in_month(s, 6) && has_neck(s), &has_neck],
    ) {
        let s = &harbour[i].session;
        let region = s
            .rows
            .iter()
            .find(|r| r.region == Region::Neck)
            .or(s.rows.first())
            .map(|r| r.region);
        harbour[i].mark.missing_after = region;
    }
}

/// The riverside studio: an unreadable date, an unknown region, and the north copies.
fn plant_riverside(river: &mut Vec<Entry>, copies: Vec<Entry>) {
    let mut taken = Vec::new();
    if let Some(i) = choose(river, &taken, &[&|s| in_month(s, 8)]) {
        taken.push(i);
        river[i].mark.bad_date = true;
    }
    if let Some(i) = choose(river, &taken, &[&|s| in_month(s, 6)]) {
        river[i].mark.unknown_region = true;
    }
    river.extend(copies);
    // Stable: a copy follows the riverside sessions of its day.
    river.sort_by_key(|e| e.session.date);
}

/// The willow practice: a row of a `Sessions` session whose minutes (9 to 23, so the time stays
/// within a day) are typed as a time of that many hours.
fn plant_willow(willow: &mut [Entry]) {
    let on_sessions = |s: &Session| super::willow::sheet_of(s) == super::willow::SESSIONS_SHEET;
    let long_row = |s: &Session| s.rows.iter().position(|r| (9..24).contains(&r.minutes));
    if let Some(i) = choose(
        willow,
        &[],
        &[
            &|s| on_sessions(s) && in_month(s, 9) && long_row(s).is_some(),
            &|s| on_sessions(s) && long_row(s).is_some(),
        ],
    ) && let Some(k) = long_row(&willow[i].session)
    {
        willow[i].mark.implausible_minutes = Some(k);
    }
}
