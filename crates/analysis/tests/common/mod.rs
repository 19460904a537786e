//! What the analysis tests share: the default settings as a fresh config gives them, and a
//! summary of records with no file, reject or duplicate behind them — so each test file says
//! only what it checks.

use chrono::NaiveDate;
use relief_analysis::{AnalysisSettings, InputFacts, Period, Prepared};
use relief_core::summary::Summary;
use relief_core::{Config, Origin, Record, Region};
use std::sync::Arc;

/// The settings of the default config (thresholds 30 % and 50 %, groups of 5, the 0–10 scale),
/// with `min_group_size` as the test needs it.
pub fn settings(min_group_size: u64) -> AnalysisSettings {
    let mut settings = AnalysisSettings::from_config(&Config::default(), "test");
    settings.analysis.min_group_size = min_group_size;
    settings
}

/// The report period of one month, `YYYY-MM`.
#[allow(dead_code)] // each test file is its own crate; not every one reports a single month
pub fn month(month: &str) -> Period {
    Period::parse_month(month).unwrap()
}

/// The report period from month `first` to month `last`, both `YYYY-MM`.
#[allow(dead_code)] // each test file is its own crate; not every one reports a range
pub fn months(first: &str, last: &str) -> Period {
    Period::parse_range(first, last).unwrap()
}

/// The summary of `records` over `period`, read from no file.
pub fn summarise(records: &[Record], period: &Period, settings: &AnalysisSettings) -> Summary {
    let facts = InputFacts {
        files: &[],
        rejects: &[],
        duplicates: &[],
        footer_skipped: 0,
    };
    Prepared::new(records.iter().cloned().collect())
        .unwrap()
        .summarise(period, &facts, settings)
        .unwrap()
}

/// A record builder with sensible defaults: one client, one therapist, one day of October 2026
/// per record, nothing but the scores recorded.
#[allow(dead_code)] // each test file is its own crate; properties.rs generates its records
pub fn record(day: u32, client: &str, region: Region, before: f64, after: f64) -> Record {
    Record {
        date: NaiveDate::from_ymd_opt(2026, 10, day).unwrap(),
        client: Arc::from(client),
        therapist: Some(Arc::from("Ana")),
        session_id: None,
        region,
        side: None,
        before,
        after,
        pressure: None,
        minutes: None,
        focus: None,
        technique: None,
        origin: Origin {
            file: Arc::from("a.xlsx"),
            sheet: Arc::from("Sessions"),
            row: day + 1,
        },
    }
}
