//! Figures checked against arithmetic done by hand on small data (the arithmetic is written out
//! beside each assertion), and the grouping rules of SPEC §3.

use chrono::NaiveDate;
use relief_analysis::{AnalysisSettings, InputFacts, Period, Prepared};
use relief_core::summary::Summary;
use relief_core::{Origin, Pressure, Record, Region, Reject};
use std::sync::Arc;

mod common;

use common::month;
use common::record as rec;

fn settings() -> AnalysisSettings {
    common::settings(5)
}

fn summarise(records: &[Record]) -> Summary {
    let october = month("2026-10");
    common::summarise(records, &october, &settings())
}

/// One row per `(before, after)` pair, all in `region`, each of its own client on its own day
/// (the 1st, 2nd, … of October).
fn rows_in(region: Region, pairs: &[(f64, f64)]) -> Vec<Record> {
    pairs
        .iter()
        .enumerate()
        .map(|(i, &(b, a))| rec(i as u32 + 1, &format!("c{i}"), region, b, a))
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn every_figure_of_one_group_by_hand() {
    // before → after: 8→4, 6→3, 7→7, 5→6, 10→5; changes 4, 3, 0, −1, 5.
    let pairs = [(8.0, 4.0), (6.0, 3.0), (7.0, 7.0), (5.0, 6.0), (10.0, 5.0)];
    let records = rows_in(Region::LowerBack, &pairs);
    let s = summarise(&records);
    assert_eq!(s.regions.len(), 1);
    let f = &s.regions[0].figures;
    assert_eq!(s.regions[0].region, Region::LowerBack);
    assert_eq!((f.rows, f.sessions, f.clients), (5, 5, 5));
    assert!(close(f.mean_before, 36.0 / 5.0)); // 8+6+7+5+10 = 36
    assert!(close(f.mean_after, 25.0 / 5.0)); // 4+3+7+6+5 = 25
    assert!(close(f.mean_change, 11.0 / 5.0)); // 4+3+0−1+5 = 11
    assert!(close(f.median_change, 3.0)); // sorted −1, 0, 3, 4, 5
    // Squared deviations from 2.2: 3.24 + 0.64 + 4.84 + 10.24 + 7.84 = 26.8; / (5 − 1) = 6.7.
    let sd = 6.7f64.sqrt();
    assert!(close(f.sd_change.unwrap(), sd));
    // t(0.975, 4) = 2.7764451051977987 (any t table: 2.776).
    let half = 2.7764451051977987 * sd / 5f64.sqrt();
    let [lo, hi] = f.ci95.unwrap();
    assert!((lo - (2.2 - half)).abs() < 1e-6 && (hi - (2.2 + half)).abs() < 1e-6);
    assert!(close(f.improved_rate, 3.0 / 5.0));
    assert!(close(f.worse_rate, 1.0 / 5.0));
    assert!(close(f.unchanged_rate, 1.0 / 5.0));
    // Relative relief 4/8 = 0.5, 3/6 = 0.5, 0, −0.2, 5/10 = 0.5: three reach 30 % and 50 %.
    assert_eq!(f.responder_rate, Some(0.6));
    assert_eq!(f.strong_responder_rate, Some(0.6));
    assert!(close(f.srm.unwrap(), 2.2 / sd));
    assert!(!f.small_sample);
    assert!(f.meets_mcid); // 2.2 ≥ 2 points
    assert_eq!(f.zero_before_rows, 0);
}

#[test]
fn median_of_an_even_count_is_the_midpoint() {
    // Changes 1, 2, 3, 10: the two middle values are 2 and 3, so the median is 2.5.
    let records = rows_in(
        Region::Neck,
        &[(10.0, 9.0), (10.0, 8.0), (10.0, 7.0), (10.0, 0.0)],
    );
    let f = &summarise(&records).regions[0].figures;
    assert_eq!(f.median_change, 2.5);
}

#[test]
fn small_groups_are_flagged_without_ci_and_single_rows_without_sd() {
    let records = vec![
        rec(1, "a", Region::Neck, 6.0, 3.0),
        rec(2, "b", Region::Neck, 5.0, 4.0),
        rec(3, "c", Region::Feet, 4.0, 2.0),
    ];
    let s = summarise(&records);
    let neck = &s.regions[0].figures;
    assert!(neck.small_sample && neck.ci95.is_none());
    assert!(close(neck.sd_change.unwrap(), 2f64.sqrt())); // changes 3 and 1
    let feet = &s.regions[1].figures;
    assert_eq!(s.regions[1].region, Region::Feet);
    assert!(feet.sd_change.is_none() && feet.srm.is_none() && feet.ci95.is_none());
}

#[test]
fn zero_before_rows_are_left_out_of_relative_rates() {
    // 0→0 has no relative relief; of the other two, 10→6 is 40 % (responder, not strong) and
    // 4→4 is 0 %.
    let records = rows_in(Region::Hips, &[(0.0, 0.0), (10.0, 6.0), (4.0, 4.0)]);
    let f = &summarise(&records).regions[0].figures;
    assert_eq!(f.zero_before_rows, 1);
    assert_eq!(f.responder_rate, Some(0.5));
    assert_eq!(f.strong_responder_rate, Some(0.0));
    // Every before-score 0: the rates cannot be computed.
    let f = &summarise(&[rec(1, "a", Region::Hips, 0.0, 0.0)]).regions[0].figures;
    assert_eq!((f.responder_rate, f.strong_responder_rate), (None, None));
}

#[test]
fn thirty_percent_exactly_counts_despite_floating_point() {
    // 7 → 4.9 is a 2.1-point drop, exactly 30 %, though 7.0 − 4.9 is 2.0999999999999996.
    let f = &summarise(&[rec(1, "a", Region::Arms, 7.0, 4.9)]).regions[0].figures;
    assert_eq!(f.responder_rate, Some(1.0));
}

#[test]
fn groups_and_their_order() {
    let mut records = Vec::new();
    let mut add = |day,
                   client: &str,
                   region,
                   b,
                   a,
                   p: Option<Pressure>,
                   focus,
                   minutes,
                   tech: Option<&str>,
                   therapist: &str| {
        let mut r = rec(day, client, region, b, a);
        r.pressure = p;
        r.focus = focus;
        r.minutes = minutes;
        r.technique = tech.map(Arc::from);
        r.therapist = Some(Arc::from(therapist));
        records.push(r);
    };
    add(
        1,
        "x",
        Region::LowerBack,
        8.0,
        3.0,
        Some(Pressure::Deep),
        Some(true),
        Some(20.0),
        Some("Swedish"),
        "Zoe",
    );
    add(
        1,
        "x",
        Region::Legs,
        5.0,
        4.0,
        Some(Pressure::Deep),
        Some(false),
        Some(10.0),
        Some("Swedish"),
        "Zoe",
    );
    add(
        2,
        "y",
        Region::LowerBack,
        6.0,
        5.0,
        Some(Pressure::Light),
        Some(false),
        Some(5.0),
        None,
        "Ana",
    );
    add(
        2,
        "y",
        Region::Legs,
        4.0,
        4.0,
        Some(Pressure::Light),
        None,
        Some(0.0),
        Some("Deep tissue"),
        "Ana",
    );
    add(
        3,
        "x",
        Region::LowerBack,
        7.0,
        4.0,
        None,
        Some(true),
        None,
        Some("Swedish"),
        "Ana",
    );
    let s = summarise(&records);

    // Pressure light before deep; the row without pressure is left out and counted.
    let keys: Vec<_> = s
        .by_pressure
        .iter()
        .map(|r| (r.key.pressure, r.region))
        .collect();
    assert_eq!(
        keys,
        vec![
            (Pressure::Light, Region::LowerBack),
            (Pressure::Light, Region::Legs),
            (Pressure::Deep, Region::LowerBack),
            (Pressure::Deep, Region::Legs),
        ]
    );
    assert_eq!(s.unknown.pressure, 1);
    // Focus false before true; lower back with focus: 8→3 and 7→4, mean change (5 + 3) / 2 = 4.
    let keys: Vec<_> = s.by_focus.iter().map(|r| (r.key.focus, r.region)).collect();
    assert_eq!(
        keys,
        vec![
            (false, Region::LowerBack),
            (false, Region::Legs),
            (true, Region::LowerBack)
        ]
    );
    assert_eq!(s.by_focus[2].figures.mean_change, 4.0);
    assert_eq!(s.unknown.focus, 1);
    // Therapists alphabetically.
    let names: Vec<_> = s
        .by_therapist
        .iter()
        .map(|r| r.key.therapist.as_str())
        .collect();
    assert_eq!(names, vec!["Ana", "Ana", "Zoe", "Zoe"]);
    // Minutes bands: 0, 1-5, 6-15, 16-30.
    let bands: Vec<_> = s
        .by_minutes
        .iter()
        .map(|r| (r.key.minutes_band.key(), r.region))
        .collect();
    assert_eq!(
        bands,
        vec![
            ("0", Region::Legs),
            ("1-5", Region::LowerBack),
            ("6-15", Region::Legs),
            ("16-30", Region::LowerBack)
        ]
    );
    assert_eq!(s.unknown.minutes, 1);
    // Visits: client x came on the 1st and the 3rd, y once.
    let visits: Vec<_> = s
        .by_visit
        .iter()
        .map(|r| (r.key.visit, r.region, r.figures.rows))
        .collect();
    assert_eq!(
        visits,
        vec![
            (1, Region::LowerBack, 2),
            (1, Region::Legs, 2),
            (2, Region::LowerBack, 1)
        ]
    );
    // Sessions: x on the 1st (2 rows) counts once.
    assert_eq!(s.regions[1].figures.sessions, 2); // legs: x on the 1st, y on the 2nd
    assert_eq!(s.regions[0].figures.clients, 2); // lower back: x and y
}

#[test]
fn spillover_compares_sessions_with_and_without_the_other_region() {
    // Lower back with legs worked (minutes > 0) on the 1st and 2nd; legs recorded with 0 minutes
    // on the 3rd (not worked); no legs on the 4th.
    let mut records = vec![];
    for (day, lb, legs) in [
        (1, 4.0, Some(10.0)),
        (2, 3.0, Some(5.0)),
        (3, 1.0, Some(0.0)),
        (4, 2.0, None),
    ] {
        let mut r = rec(day, "x", Region::LowerBack, 8.0, 8.0 - lb);
        r.minutes = Some(20.0);
        records.push(r);
        if let Some(m) = legs {
            let mut r = rec(day, "x", Region::Legs, 5.0, 4.0);
            r.minutes = Some(m);
            records.push(r);
        }
    }
    let s = summarise(&records);
    let lb_legs: Vec<_> = s
        .spillover
        .iter()
        .filter(|r| r.region == Region::LowerBack && r.key.other_region == Region::Legs)
        .map(|r| (r.key.other_worked, r.figures.rows, r.figures.mean_change))
        .collect();
    // Not worked: days 3 and 4, changes 1 and 2 → 1.5. Worked: days 1 and 2, changes 4 and 3 → 3.5.
    assert_eq!(lb_legs, vec![(false, 2, 1.5), (true, 2, 3.5)]);
    // Lower back is listed first as a target.
    assert_eq!(s.spillover[0].region, Region::LowerBack);
    // A region is never its own "other".
    assert!(s.spillover.iter().all(|r| r.region != r.key.other_region));
}

#[test]
fn period_filters_records_rejects_and_keeps_visit_numbers() {
    let mut sept = rec(1, "x", Region::Neck, 5.0, 2.0);
    sept.date = NaiveDate::from_ymd_opt(2026, 9, 20).unwrap();
    let oct = rec(5, "x", Region::Neck, 4.0, 2.0);
    let prepared = Prepared::new([sept, oct].into_iter().collect()).unwrap();
    let origin = Origin {
        file: Arc::from("a.xlsx"),
        sheet: Arc::from("S"),
        row: 9,
    };
    let rejects = vec![
        Reject::new(&origin, None, "x", relief_core::RejectReason::NoScores)
            .in_month(NaiveDate::from_ymd_opt(2026, 9, 2)),
        Reject::new(
            &origin,
            None,
            "32/13/2026",
            relief_core::RejectReason::NoScores,
        ),
    ];
    let facts = InputFacts {
        files: &[],
        rejects: &rejects,
        duplicates: &[],
        footer_skipped: 2,
    };
    let s = prepared
        .summarise(&month("2026-10"), &facts, &settings())
        .unwrap();
    assert_eq!(s.period.name(), "2026-10");
    assert_eq!(s.regions[0].figures.rows, 1);
    // The October session is the client's second visit even though September is outside.
    assert_eq!(s.by_visit[0].key.visit, 2);
    // The undated reject belongs to every period; September's does not.
    assert_eq!(s.rejects.len(), 1);
    assert_eq!(s.rejects[0].value, "32/13/2026");
    assert_eq!(
        (
            s.rows.read,
            s.rows.used,
            s.rows.rejected,
            s.rows.footer_skipped
        ),
        (2, 1, 1, 2)
    );
    assert_eq!(
        prepared
            .months()
            .iter()
            .map(Period::name)
            .collect::<Vec<_>>(),
        ["2026-09", "2026-10"]
    );
    let trend = prepared.trend(&settings()).unwrap();
    assert_eq!(
        trend
            .iter()
            .map(|m| m.key.month.as_str())
            .collect::<Vec<_>>(),
        vec!["2026-09", "2026-10"]
    );
}

#[test]
fn therapists_are_listed_alphabetically_whatever_their_case() {
    // Regression: byte order put "Bob" before "anna".
    let mut records = Vec::new();
    for (day, name) in [(1, "Bob"), (2, "anna"), (3, "Carl"), (4, "Anna")] {
        let mut r = rec(day, &format!("c{day}"), Region::Neck, 5.0, 3.0);
        r.therapist = Some(Arc::from(name));
        records.push(r);
    }
    let s = summarise(&records);
    let names: Vec<&str> = s
        .by_therapist
        .iter()
        .map(|r| r.key.therapist.as_str())
        .collect();
    assert_eq!(names, vec!["Anna", "anna", "Bob", "Carl"]);
}
