//! What the analysis tests share: the default settings as a fresh config gives them, and a
//! summary of records with no file, reject or duplicate behind them — so each test file says
//! only what it checks.

use relief_analysis::{AnalysisSettings, InputFacts, Period, Prepared};
use relief_core::Config;
use relief_core::Record;
use relief_core::summary::Summary;

/// The settings of the default config (thresholds 30 % and 50 %, groups of 5, the 0–10 scale),
/// with `min_group_size` as the test needs it.
pub fn settings(min_group_size: u64) -> AnalysisSettings {
    AnalysisSettings {
        min_group_size,
        ..AnalysisSettings::from_config(&Config::default(), "test")
    }
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
