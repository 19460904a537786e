//! The wiring of "does personalisation help?" into the summary: every group's `mcid_rate`, the
//! `adjusted` list and the `course` list of a period must equal what the statistics functions
//! (`relief_analysis::stats`) give on the same rows, gathered here straight from the records,
//! independently of the prepared frame (client numbers, visit numbers and technique order are
//! all recomputed in this file). The statistics themselves are checked by hand and against a
//! second implementation in `stats::tests`; this file checks that the right rows reach them.

use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relief_analysis::Period;
use relief_analysis::stats::{
    CourseRow, LevelRow, SpelledLevel, Technique, adjusted_effects, course_of_care, mcid_rate,
};
use relief_core::config::AnalysisConfig;
use relief_core::personalisation::{AdjustedEntry, CourseEntry};
use relief_core::summary::{Figures, Summary};
use relief_core::{MinutesBand, Pressure, Record, Region};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

mod common;

use common::{month, months, settings, summarise};

const TECHNIQUES: [&str; 4] = ["Swedish", "deep tissue", "Cupping", "swedish"];

/// A clinic's records from September to November 2026: `clients` clients with 1–7 sessions
/// each on distinct days, 1–4 regions a session, focus sorer on arrival and relieved more,
/// every optional value sometimes missing.
fn clinic(seed: u64, clients: usize) -> Vec<Record> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    let start = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    for c in 0..clients {
        let mut days: Vec<i64> = (0..rng.random_range(1..=7))
            .map(|_| rng.random_range(0..91))
            .collect();
        days.sort_unstable();
        days.dedup();
        let offset: f64 = rng.random_range(-1.5..1.5);
        for (visit, day) in days.into_iter().enumerate() {
            let date = start + chrono::Duration::days(day);
            let pressure =
                (rng.random_range(0..10) > 0).then(|| Pressure::ALL[rng.random_range(0..4)]);
            let technique =
                (rng.random_range(0..8) > 0).then(|| TECHNIQUES[rng.random_range(0..4)]);
            for region in Region::ALL {
                if rng.random_range(0..9) >= 3 {
                    continue;
                }
                let focus = rng.random_bool(0.4);
                let before = (5.0 + offset - 0.3 * visit as f64
                    + if focus { 1.5 } else { 0.0 }
                    + rng.random_range(-2.0..2.0))
                .clamp(0.0, 10.0);
                let before = (before * 2.0).round() / 2.0;
                let change =
                    before * 0.4 + if focus { 0.8 } else { 0.0 } + rng.random_range(-1.5..1.5);
                let after = ((before - change).clamp(0.0, 10.0) * 2.0).round() / 2.0;
                let mut r = common::record(1, &format!("client {c}"), region, before, after);
                r.date = date;
                r.pressure = pressure;
                r.minutes =
                    (rng.random_range(0..10) > 0).then(|| f64::from(rng.random_range(0..45)));
                r.focus = (rng.random_range(0..12) > 0).then_some(focus);
                r.technique = technique.map(Arc::from);
                r.origin.row = out.len() as u32 + 2;
                out.push(r);
            }
        }
    }
    out
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn close_opt(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => close(a, b),
        (None, None) => true,
        _ => false,
    }
}

fn close_ci(a: Option<[f64; 2]>, b: Option<[f64; 2]>) -> bool {
    close_opt(a.map(|c| c[0]), b.map(|c| c[0])) && close_opt(a.map(|c| c[1]), b.map(|c| c[1]))
}

/// Client numbers of this file's own: by first appearance in the records.
fn client_ids(records: &[Record]) -> Vec<u32> {
    let mut ids: HashMap<&str, u32> = HashMap::new();
    records
        .iter()
        .map(|r| {
            let n = ids.len() as u32;
            *ids.entry(&r.client).or_insert(n)
        })
        .collect()
}

fn in_period(r: &Record, period: &Period) -> bool {
    let (from, to) = period.bounds();
    (from..=to).contains(&r.date)
}

fn level_rows<L>(
    records: &[Record],
    period: &Period,
    level: impl Fn(&Record) -> Option<L>,
) -> Vec<LevelRow<L>> {
    let clients = client_ids(records);
    records
        .iter()
        .zip(clients)
        .filter(|(r, _)| in_period(r, period))
        .filter_map(|(r, client)| {
            Some(LevelRow {
                region: r.region,
                before: r.before,
                change: r.before - r.after,
                client,
                level: level(r)?,
            })
        })
        .collect()
}

/// The `adjusted` list as the statistics give it on rows gathered from the records.
fn expected_adjusted(records: &[Record], period: &Period, min: u64) -> Vec<AdjustedEntry> {
    fn of<L: SpelledLevel>(rows: Vec<LevelRow<L>>, min: u64) -> Vec<AdjustedEntry> {
        adjusted_effects(&rows, min)
    }
    let mut out = of(level_rows(records, period, |r| r.focus), min);
    out.extend(of(level_rows(records, period, |r| r.pressure), min));
    out.extend(of(
        level_rows(records, period, |r| r.minutes.map(MinutesBand::of)),
        min,
    ));
    out.extend(of(
        level_rows(records, period, |r| {
            r.technique
                .as_deref()
                .map(|t| Technique::new(t.to_string()))
        }),
        min,
    ));
    out
}

/// The `course` list as the statistics give it; visits numbered here by date per client (the
/// generated clients have at most one session a day).
fn expected_course(
    records: &[Record],
    period: &Period,
    config: &AnalysisConfig,
) -> Vec<CourseEntry> {
    let clients = client_ids(records);
    let mut dates: BTreeMap<u32, Vec<NaiveDate>> = BTreeMap::new();
    for (r, c) in records.iter().zip(&clients) {
        dates.entry(*c).or_default().push(r.date);
    }
    for d in dates.values_mut() {
        d.sort();
        d.dedup();
    }
    let rows: Vec<CourseRow> = records
        .iter()
        .zip(&clients)
        .map(|(r, c)| CourseRow {
            client: *c,
            region: r.region,
            date: r.date,
            visit: dates[c].binary_search(&r.date).unwrap() as u32 + 1,
            before: r.before,
        })
        .collect();
    course_of_care(&rows, period, config)
}

fn assert_adjusted_equal(got: &[AdjustedEntry], want: &[AdjustedEntry]) {
    assert_eq!(got.len(), want.len(), "entries: {got:#?}\nwant {want:#?}");
    for (g, w) in got.iter().zip(want) {
        let keys = |e: &AdjustedEntry| {
            (
                e.factor,
                e.level.clone(),
                e.reference.clone(),
                e.region,
                e.rows,
                e.clients,
                e.reference_rows,
                e.small_sample,
            )
        };
        assert_eq!(keys(g), keys(w));
        assert!(
            close(g.raw_difference, w.raw_difference)
                && close_opt(g.adjusted_difference, w.adjusted_difference)
                && close_ci(g.ci95, w.ci95),
            "{g:?}\nwant {w:?}"
        );
    }
}

fn assert_course_equal(got: &[CourseEntry], want: &[CourseEntry]) {
    assert_eq!(got.len(), want.len(), "{got:#?}\nwant {want:#?}");
    for (g, w) in got.iter().zip(want) {
        assert_eq!(
            (g.region, g.clients, g.small_sample, g.median_sessions),
            (w.region, w.clients, w.small_sample, w.median_sessions)
        );
        assert!(
            close(g.mean_first, w.mean_first)
                && close(g.mean_latest, w.mean_latest)
                && close(g.mean_fall, w.mean_fall)
                && close_opt(g.sd_fall, w.sd_fall)
                && close_ci(g.ci95, w.ci95)
                && close_opt(g.mcid_rate, w.mcid_rate)
                && close_opt(g.fall_30_rate, w.fall_30_rate),
            "{g:?}\nwant {w:?}"
        );
    }
}

#[test]
fn adjusted_and_course_equal_the_statistics_on_the_same_rows() {
    let records = clinic(11, 60);
    let s = settings(5);
    for period in [month("2026-10"), months("2026-09", "2026-11")] {
        let summary = summarise(&records, &period, &s);
        let want = expected_adjusted(&records, &period, 5);
        assert_adjusted_equal(&summary.adjusted, &want);
        // The data has every factor, pooled and per region, with CIs: the test compares
        // something.
        for factor in ["focus", "pressure", "minutes", "technique"] {
            assert!(
                summary
                    .adjusted
                    .iter()
                    .any(|e| e.factor.key() == factor && e.ci95.is_some()),
                "{factor}: no entry with a CI in {}",
                period.name()
            );
        }
        assert_course_equal(
            &summary.course,
            &expected_course(&records, &period, &s.analysis),
        );
        assert!(summary.course.iter().any(|e| e.ci95.is_some()));
    }
}

#[test]
fn technique_references_and_order_follow_the_spec_through_the_frame() {
    // "Swedish" and "swedish" are two techniques; the reference is the commonest over the
    // period, levels alphabetical ignoring case.
    let records = clinic(5, 40);
    let summary = summarise(&records, &month("2026-10"), &settings(3));
    let levels: Vec<&str> = summary
        .adjusted
        .iter()
        .filter(|e| e.factor.key() == "technique" && e.region.key() == "all")
        .map(|e| e.level.as_str())
        .collect();
    let mut sorted = levels.clone();
    sorted.sort_by(|a, b| a.to_lowercase().cmp(&b.to_lowercase()).then(a.cmp(b)));
    assert_eq!(levels, sorted);
    assert_eq!(levels.len(), TECHNIQUES.len() - 1);
}

#[test]
fn every_group_mcid_rate_equals_the_per_row_test() {
    let records = clinic(3, 50);
    let period = month("2026-10");
    for s in [
        settings(5),
        // Other bands: 1.5 points below 4, 2.5 from 4 (a band holds its lower edge).
        {
            let mut s = settings(5);
            s.analysis.mcid_band_edges = vec![4.0];
            s.analysis.mcid_band_points = vec![1.5, 2.5];
            s
        },
    ] {
        let config = s.analysis.clone();
        let summary = summarise(&records, &period, &s);
        let rows: Vec<&Record> = records.iter().filter(|r| in_period(r, &period)).collect();
        // Each group's rows, gathered from the records by the group's own key.
        let check = |name: &str, region: Region, f: &Figures, keep: &dyn Fn(&Record) -> bool| {
            let mine: Vec<(f64, f64)> = rows
                .iter()
                .filter(|r| r.region == region && keep(r))
                .map(|r| (r.before, r.before - r.after))
                .collect();
            assert_eq!(mine.len() as u64, f.rows, "{name} {region:?}");
            let want = mcid_rate(mine, &config);
            assert!(
                close_opt(f.mcid_rate, want),
                "{name} {region:?}: {:?}, want {want:?}",
                f.mcid_rate
            );
        };
        for e in &summary.regions {
            check("regions", e.region, &e.figures, &|_| true);
        }
        for e in &summary.by_focus {
            check("focus", e.region, &e.figures, &|r| {
                r.focus == Some(e.key.focus)
            });
        }
        for e in &summary.by_pressure {
            check("pressure", e.region, &e.figures, &|r| {
                r.pressure == Some(e.key.pressure)
            });
        }
        for e in &summary.by_minutes {
            check("minutes", e.region, &e.figures, &|r| {
                r.minutes.map(MinutesBand::of) == Some(e.key.minutes_band)
            });
        }
        for e in &summary.by_technique {
            check("technique", e.region, &e.figures, &|r| {
                r.technique.as_deref() == Some(e.key.technique.as_str())
            });
        }
        assert!(
            summary
                .regions
                .iter()
                .any(|r| r.figures.mcid_rate.is_some())
        );
    }
}

#[test]
fn mcid_rate_is_null_when_no_row_arrives_at_1_or_more() {
    let records: Vec<Record> = clinic(1, 4)
        .into_iter()
        .map(|r| Record {
            before: 0.5,
            after: 0.0,
            ..r
        })
        .collect();
    let summary = summarise(&records, &months("2026-09", "2026-11"), &settings(5));
    assert!(
        summary
            .regions
            .iter()
            .all(|r| r.figures.mcid_rate.is_none())
    );
    // JSON carries the field, null, on every group entry.
    let json = serde_json::to_value(&summary).unwrap();
    for list in ["regions", "by_month", "by_visit"] {
        for e in json[list].as_array().unwrap() {
            assert!(
                e.get("mcid_rate").is_some_and(|v| v.is_null()),
                "{list}: {e}"
            );
        }
    }
}

#[test]
fn the_json_has_the_new_lists_and_no_nan_anywhere() {
    let records = clinic(9, 30);
    let summary = summarise(&records, &month("2026-11"), &settings(5));
    let text = serde_json::to_string(&summary).unwrap();
    assert!(!text.contains("NaN") && !text.contains("inf"));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let adjusted = json["adjusted"].as_array().unwrap();
    assert!(!adjusted.is_empty());
    for key in [
        "factor",
        "level",
        "reference",
        "region",
        "rows",
        "clients",
        "reference_rows",
        "raw_difference",
        "adjusted_difference",
        "ci95",
        "small_sample",
    ] {
        assert!(
            adjusted.iter().all(|e| e.get(key).is_some()),
            "adjusted lacks {key}"
        );
    }
    let course = json["course"].as_array().unwrap();
    assert!(!course.is_empty());
    assert!(course.iter().all(|e| e.get("median_sessions").is_some()));
    // The lists come after every field that was there before them.
    let at = |key: &str| text.find(&format!("\"{key}\":")).unwrap();
    assert!(at("settings") < at("adjusted") && at("adjusted") < at("course"));
    let back: Summary = serde_json::from_str(&text).unwrap();
    assert_eq!(back.adjusted.len(), summary.adjusted.len());
}

#[test]
fn later_months_never_change_a_past_month() {
    let records = clinic(21, 50);
    let october = month("2026-10");
    let until_october: Vec<Record> = records
        .iter()
        .filter(|r| r.date.month() <= 10)
        .cloned()
        .collect();
    let all = summarise(&records, &october, &settings(5));
    let cut = summarise(&until_october, &october, &settings(5));
    assert_eq!(all.course, cut.course);
    assert_eq!(all.adjusted, cut.adjusted);
    assert!(!all.course.is_empty());
}

#[test]
fn degenerate_data_reaches_the_summary_as_the_spec_says() {
    let rec = |day, client: &str, region, before, after, focus| Record {
        focus: Some(focus),
        ..common::record(day, client, region, before, after)
    };
    // Neck: one client, focus and not, arrival soreness varying → an estimate, no CI.
    // Hips: focus rows only → no hips entry. Feet: arrival soreness 6 everywhere → no estimate.
    let mut records = Vec::new();
    for day in 1..=8u32 {
        let b = 3.0 + f64::from(day % 4);
        records.push(rec(day, "solo", Region::Neck, b, b - 1.0, day % 2 == 0));
        records.push(rec(day, "solo", Region::Hips, b, b - 2.0, true));
        let c = format!("c{day}");
        records.push(rec(
            day,
            &c,
            Region::Feet,
            6.0,
            5.0 - f64::from(day % 3),
            day % 2 == 0,
        ));
    }
    let summary = summarise(&records, &month("2026-10"), &settings(2));
    let find = |region: &str| summary.adjusted.iter().find(|e| e.region.key() == region);
    let neck = find("neck").expect("a neck entry");
    assert!(neck.adjusted_difference.is_some() && neck.ci95.is_none() && neck.small_sample);
    assert_eq!(neck.clients, 1);
    assert!(find("hips").is_none(), "{:?}", summary.adjusted);
    let feet = find("feet").expect("a feet entry");
    assert_eq!((feet.adjusted_difference, feet.ci95), (None, None));
    assert!(feet.raw_difference.is_finite());
    let text = serde_json::to_string(&summary).unwrap();
    assert!(!text.contains("NaN"));
}
