//! Report models the writers' tests start from (feature `test-support`): the settings of the
//! default config, and a summary with every figure taken out, so each test spells out only the
//! figures it draws and checks.

use crate::summary::{RowCounts, Settings, Summary, UnknownCounts};
use crate::{Config, Period};

/// The settings a report made with the default config carries, stamped with `relief_version`.
pub fn settings(relief_version: &str) -> Settings {
    let a = Config::default().analysis;
    Settings {
        responder_threshold: a.responder_threshold,
        strong_responder_threshold: a.strong_responder_threshold,
        min_group_size: a.min_group_size,
        mcid_points: 2.0,
        score_scale: 10,
        relief_version: relief_version.to_string(),
        mcid_band_edges: a.mcid_band_edges,
        mcid_band_points: a.mcid_band_points,
    }
}

/// A report of `period` without a single row: no files, every list empty, every count 0.
pub fn empty(period: Period, settings: Settings) -> Summary {
    Summary {
        period,
        rows: RowCounts::default(),
        files: Vec::new(),
        regions: Vec::new(),
        by_month: Vec::new(),
        by_therapist: Vec::new(),
        by_pressure: Vec::new(),
        by_focus: Vec::new(),
        rejects: Vec::new(),
        by_minutes: Vec::new(),
        by_technique: Vec::new(),
        spillover: Vec::new(),
        by_visit: Vec::new(),
        conflicts: Vec::new(),
        unknown: UnknownCounts::default(),
        settings,
        adjusted: Vec::new(),
        course: Vec::new(),
    }
}

/// `s` with every figure, reject, conflict and count taken out; its period, files and
/// settings kept.
pub fn cleared(s: Summary) -> Summary {
    Summary {
        files: s.files,
        ..empty(s.period, s.settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_are_the_default_configs() {
        let s = settings("t");
        assert_eq!(
            (
                s.responder_threshold,
                s.strong_responder_threshold,
                s.min_group_size
            ),
            (0.3, 0.5, 5)
        );
        assert_eq!(
            (s.mcid_band_edges, s.mcid_band_points),
            (vec![5.0, 8.0], vec![1.0, 2.0, 3.0])
        );
    }
}
