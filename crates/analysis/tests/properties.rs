//! Invariants that must hold for any input: reordering rows or splitting them across files
//! changes nothing; means agree with each other; rates are fractions; counts add up.

use chrono::NaiveDate;
use proptest::prelude::*;
use relief_analysis::{AnalysisSettings, Period};
use relief_core::summary::{Figures, Summary};
use relief_core::{Origin, Pressure, Record, Region};
use std::sync::Arc;

mod common;

use common::months;

fn settings() -> AnalysisSettings {
    common::settings(3)
}

prop_compose! {
    fn record()(
        day in 1u32..=28, month in 9u32..=10, client in 0u8..6, region in 0usize..9,
        before in 0u8..=20, after in 0u8..=20, pressure in proptest::option::of(0usize..4),
        focus in proptest::option::of(any::<bool>()), minutes in proptest::option::of(0u8..40),
        therapist in 0u8..3, row in 2u32..500,
    ) -> Record {
        Record {
            date: NaiveDate::from_ymd_opt(2026, month, day).unwrap(),
            client: Arc::from(format!("client{client}")),
            therapist: Some(Arc::from(["Ana", "Ben", "Zoe"][therapist as usize])),
            session_id: None,
            region: Region::ALL[region],
            side: None,
            before: before as f64 / 2.0,
            after: after as f64 / 2.0,
            pressure: pressure.map(|p| Pressure::ALL[p]),
            minutes: minutes.map(f64::from),
            focus,
            technique: None,
            origin: Origin { file: Arc::from("a.xlsx"), sheet: Arc::from("S"), row },
        }
    }
}

fn summary(records: &[Record], period: &Period) -> Summary {
    common::summarise(records, period, &settings())
}

fn all_figures(s: &Summary) -> Vec<&Figures> {
    let mut v: Vec<&Figures> = s.regions.iter().map(|r| &r.figures).collect();
    v.extend(s.by_month.iter().map(|r| &r.figures));
    v.extend(s.by_therapist.iter().map(|r| &r.figures));
    v.extend(s.by_pressure.iter().map(|r| &r.figures));
    v.extend(s.by_focus.iter().map(|r| &r.figures));
    v.extend(s.by_minutes.iter().map(|r| &r.figures));
    v.extend(s.spillover.iter().map(|r| &r.figures));
    v.extend(s.by_visit.iter().map(|r| &r.figures));
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn reordering_and_splitting_across_files_changes_nothing(
        records in proptest::collection::vec(record(), 1..60),
        seed in any::<u64>(),
    ) {
        let period = months("2026-09", "2026-10");
        let base = summary(&records, &period);
        // Reverse, rotate by the seed, and move every other row into a second file.
        let mut shuffled: Vec<Record> = records.iter().rev().cloned().collect();
        let k = (seed as usize) % shuffled.len();
        shuffled.rotate_left(k);
        for (i, r) in shuffled.iter_mut().enumerate() {
            if i % 2 == 0 {
                r.origin.file = Arc::from("b.xlsx");
            }
        }
        prop_assert_eq!(base, summary(&shuffled, &period));
    }

    #[test]
    fn figures_agree_with_each_other(records in proptest::collection::vec(record(), 1..80)) {
        let period = months("2026-09", "2026-10");
        let s = summary(&records, &period);
        prop_assert_eq!(s.rows.read, s.rows.used + s.rows.rejected + s.rows.duplicates);
        prop_assert_eq!(s.rows.used, records.len() as u64);
        let total: u64 = s.regions.iter().map(|r| r.figures.rows).sum();
        prop_assert_eq!(total, records.len() as u64);
        for f in all_figures(&s) {
            prop_assert!((f.mean_change - (f.mean_before - f.mean_after)).abs() < 1e-9);
            for rate in [Some(f.improved_rate), Some(f.worse_rate), Some(f.unchanged_rate),
                         f.responder_rate, f.strong_responder_rate].into_iter().flatten() {
                prop_assert!((0.0..=1.0).contains(&rate));
            }
            prop_assert!((f.improved_rate + f.worse_rate + f.unchanged_rate - 1.0).abs() < 1e-9);
            if let (Some(r), Some(sr)) = (f.responder_rate, f.strong_responder_rate) {
                prop_assert!(sr <= r);
            }
            if let Some([lo, hi]) = f.ci95 {
                prop_assert!(lo <= f.mean_change && f.mean_change <= hi);
            }
            prop_assert_eq!(f.ci95.is_none(), f.small_sample || f.sd_change.is_none());
            prop_assert!(f.sessions <= f.rows && f.clients <= f.sessions);
        }
        // Months add up to the whole.
        let by_month: u64 = s.by_month.iter().map(|r| r.figures.rows).sum();
        prop_assert_eq!(by_month, records.len() as u64);
    }
}
