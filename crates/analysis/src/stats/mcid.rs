//! Clinically important change by arrival soreness (SPEC §3.1): the per-row test every group's
//! `mcid_rate` counts, and the rate over a group's rows.
//!
//! A fixed 2-point MCID suits a client who arrives at 5–7; one who arrives at 3 cannot easily
//! gain 2 points, and one who arrives at 9 needs more to feel it. So the points needed depend on
//! the before-score's band (config `analysis.mcid_band_edges` / `mcid_band_points`; by default
//! 1 point below 5, 2 from 5 to below 8, 3 from 8).

use relief_core::config::AnalysisConfig;

/// Slack allowed to "reaches", so a change of 2 points that floating point wrote as
/// 1.9999999999 still counts (the responder test allows the same).
pub const TOLERANCE: f64 = 1e-9;

/// Whether a row's change reaches the clinically important change for its before-score:
/// change ≥ points(before) − 1e-9. `None` when before < 1: such rows are not counted (a client
/// arriving at 0.5 has almost nothing to relieve).
pub fn reaches_mcid(before: f64, change: f64, analysis: &AnalysisConfig) -> Option<bool> {
    (before >= 1.0).then(|| change >= analysis.mcid_points_for(before) - TOLERANCE)
}

/// The share of rows, among those with before ≥ 1, whose change reaches the MCID for their
/// before-score; `None` when no row has before ≥ 1. Rows are `(before, change)` pairs.
pub fn mcid_rate(
    rows: impl IntoIterator<Item = (f64, f64)>,
    analysis: &AnalysisConfig,
) -> Option<f64> {
    let (mut counted, mut reached) = (0u64, 0u64);
    for (before, change) in rows {
        if let Some(r) = reaches_mcid(before, change, analysis) {
            counted += 1;
            reached += u64::from(r);
        }
    }
    (counted > 0).then(|| reached as f64 / counted as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_band_needs_its_own_points() {
        let a = AnalysisConfig::default();
        // (before, change, reaches?)
        for (before, change, want) in [
            (3.0, 1.0, Some(true)),
            (3.0, 0.5, Some(false)),
            (4.5, 1.0, Some(true)),
            (5.0, 1.5, Some(false)),
            (5.0, 2.0, Some(true)),
            (7.5, 2.0, Some(true)),
            (8.0, 2.5, Some(false)),
            (8.0, 3.0, Some(true)),
            (10.0, 3.0, Some(true)),
            (1.0, 1.0, Some(true)),
            (0.5, 0.5, None),
            (0.0, 0.0, None),
            (6.0, -1.0, Some(false)),
        ] {
            assert_eq!(
                reaches_mcid(before, change, &a),
                want,
                "before {before}, change {change}"
            );
        }
    }

    #[test]
    fn rounding_below_the_points_still_reaches() {
        let a = AnalysisConfig::default();
        let change = 5.6 - 3.6; // 1.9999999999999996 in binary floating point
        assert!(change < 2.0);
        assert_eq!(reaches_mcid(5.6, change, &a), Some(true));
        assert_eq!(reaches_mcid(5.6, 2.0 - 1e-6, &a), Some(false));
    }

    #[test]
    fn rate_counts_only_rows_arriving_at_1_or_more() {
        let a = AnalysisConfig::default();
        // Counted: (3, 1) yes, (6, 1) no, (9, 3) yes, (9, 2) no → 2 of 4. (0, 0) and (0.5, 0.5)
        // are not counted.
        let rows = [
            (3.0, 1.0),
            (6.0, 1.0),
            (9.0, 3.0),
            (9.0, 2.0),
            (0.0, 0.0),
            (0.5, 0.5),
        ];
        assert_eq!(mcid_rate(rows, &a), Some(0.5));
        assert_eq!(mcid_rate([(0.0, 0.0), (0.5, 0.0)], &a), None);
        assert_eq!(mcid_rate([], &a), None);
    }

    #[test]
    fn configured_bands_are_used() {
        let a = AnalysisConfig {
            mcid_band_edges: vec![],
            mcid_band_points: vec![2.0],
            ..AnalysisConfig::default()
        };
        assert_eq!(reaches_mcid(3.0, 1.0, &a), Some(false));
        assert_eq!(reaches_mcid(9.0, 2.0, &a), Some(true));
    }
}
