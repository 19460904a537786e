//! The figures of one group (SPEC §3) as polars aggregations, and their conversion into
//! [`relief_core::summary::Figures`] with the confidence interval and flags added.
//!
//! Definitions, all over the rows of the group:
//! - change = before − after; mean, median (an even count takes the midpoint of the two middle
//!   values) and sample SD (n − 1) of it;
//! - 95 % CI of the mean change: mean ± t(0.975, n − 1) · SD / √n, only when n ≥ the minimum
//!   group size;
//! - improved / worse / unchanged rates: share of rows with change > 0, < 0, = 0;
//! - responder rates: share of rows with before > 0 whose relative relief change / before
//!   reaches the threshold; rows with before = 0 are left out and counted apart. The comparison
//!   is done as change ≥ threshold · before (within 1e-9), so a 3-point drop from 10 is exactly
//!   30 % whatever floating point makes of 3 / 10;
//! - SRM = mean change / SD of change;
//! - MCID rate (SPEC §3.1): share of rows with before ≥ 1 whose change reaches the points of
//!   their arrival-soreness band (change ≥ points(before) − 1e-9), the same per-row test as
//!   [`crate::stats::reaches_mcid`]; `None` when no row arrived at 1 or more.

use crate::buckets::Buckets;
use crate::frame::col_names as c;
use polars::prelude::*;
use relief_core::summary::Figures;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// The thresholds figures are computed with. Borrows the MCID bands, so it stays `Copy`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Thresholds<'a> {
    pub responder: f64,
    pub strong: f64,
    pub min_group: u64,
    /// Arrival-soreness band edges of the MCID rate, increasing.
    pub mcid_edges: &'a [f64],
    /// Points needed in each band, one more than the edges.
    pub mcid_points: &'a [f64],
}

/// The 2-point minimal clinically important difference on the 0–10 scale.
pub const MCID_POINTS: f64 = 2.0;

/// The points of change that are clinically important for each row's before-score, as one
/// expression: `when(before < e0) p0, otherwise when(before < e1) p1 … otherwise p_last`. The same rule
/// as `AnalysisConfig::mcid_points_for`, including its fallback for a band without points.
fn mcid_points(t: Thresholds) -> Expr {
    let points = |band: usize| {
        let p = t.mcid_points.get(band).or(t.mcid_points.last());
        lit(p.copied().unwrap_or(2.0))
    };
    // Built from the top band down, each band the `otherwise` of the one below it.
    let mut expr = points(t.mcid_edges.len());
    for (band, edge) in t.mcid_edges.iter().enumerate().rev() {
        expr = when(col(c::BEFORE).lt(lit(*edge)))
            .then(points(band))
            .otherwise(expr);
    }
    expr
}

/// A per-row test the rate figures count; its number is its bit in [`FLAGS`].
#[derive(Debug, Clone, Copy)]
enum Flag {
    Improved,
    Worse,
    ZeroBefore,
    Responder,
    StrongResponder,
    McidCounted,
    McidReached,
}

/// How many per-row tests [`flags`] has.
const FLAG_COUNT: usize = 7;

/// The per-row tests the rate figures count, each with the flag it sets: evaluated on a period's
/// frame once ([`with_flags`]) instead of again by each of its nineteen groupings.
fn flags(t: Thresholds) -> [(Flag, Expr); FLAG_COUNT] {
    let change = || col(c::CHANGE);
    let before = || col(c::BEFORE);
    let reaches = |thr: f64| {
        before()
            .gt(lit(0.0))
            .and(change().gt_eq(before() * lit(thr) - lit(1e-9)))
    };
    let mcid_reached = before()
        .gt_eq(lit(1.0))
        .and(change().gt_eq(mcid_points(t) - lit(crate::stats::mcid::TOLERANCE)));
    [
        (Flag::Improved, change().gt(lit(0.0))),
        (Flag::Worse, change().lt(lit(0.0))),
        (Flag::ZeroBefore, before().eq(lit(0.0))),
        (Flag::Responder, reaches(t.responder)),
        (Flag::StrongResponder, reaches(t.strong)),
        (Flag::McidCounted, before().gt_eq(lit(1.0))),
        (Flag::McidReached, mcid_reached),
    ]
}

/// The column holding every row's flags, bit `k` for the test of [`Flag`] number `k` (a test that
/// is null, as for a missing score, counts as not set, as in polars' sum of a boolean column).
/// Seven bits: a signed byte, the narrowest number the engine is built with, holds them.
const FLAGS: &str = "__flags";

/// `frame` with the flags the aggregations count, packed into one [`FLAGS`] byte a row so that
/// each grouping reads one value per row instead of seven scattered bits. The tests are
/// evaluated by polars as boolean columns (a bit a row) and packed here, so no wider column
/// than the byte is ever made: at 20 M rows each 4-byte one would be 80 MB.
///
/// # Errors
/// When polars fails (a bug).
pub(crate) fn with_flags(mut frame: DataFrame, t: Thresholds) -> PolarsResult<DataFrame> {
    let (bits, tests): (Vec<usize>, Vec<Expr>) = flags(t)
        .into_iter()
        .map(|(flag, test)| {
            let bit = flag as usize;
            (
                bit,
                test.fill_null(lit(false)).alias(format!("{FLAGS}{bit}")),
            )
        })
        .unzip();
    let tests = frame.clone().lazy().select(tests).collect()?;
    let mut packed = vec![0i8; frame.height()];
    for (bit, test) in bits.into_iter().zip(tests.columns()) {
        let test = test.bool()?.rechunk();
        for set in test.downcast_iter().map(|bits| bits.values()) {
            for (p, set) in packed.iter_mut().zip(set.iter()) {
                *p |= i8::from(set) << bit;
            }
        }
    }
    frame.with_column(Column::new(FLAGS.into(), packed))?;
    Ok(frame)
}

/// The figures of every group of `buckets`, in group order, over a frame [`with_flags`], with
/// each group's distinct sessions and clients from `distinct` (which [`crate::distinct`] counts
/// over the same buckets).
///
/// The means, medians and SDs are polars' own group-by kernels, the ones its lazy
/// `group_by(..).agg(..)` runs, given the groups relief already has instead of grouping the
/// frame again (the columns are single chunks, as polars makes them before it aggregates); the
/// row and flag counts are whole numbers, counted directly.
///
/// # Errors
/// When a column is missing or of another type (a bug).
///
/// # Panics
/// If `buckets` were not made from `frame`'s rows, or `distinct` has another number of groups.
pub(crate) fn aggregate(
    frame: &DataFrame,
    buckets: Buckets,
    distinct: &[(u64, u64)],
    t: Thresholds,
) -> PolarsResult<Vec<Figures>> {
    assert_eq!(buckets.height(), frame.height(), "groups of another frame");
    assert_eq!(
        buckets.len(),
        distinct.len(),
        "distinct counts of other groups"
    );
    let rows: Vec<u64> = (0..buckets.len())
        .map(|g| buckets.members(g).len() as u64)
        .collect();
    let flags = count_flags(frame, &buckets)?;
    let groups = buckets.into_polars();
    let column = |name: &str| -> PolarsResult<Column> { Ok(frame.column(name)?.rechunk()) };
    let (before, after, change) = (column(c::BEFORE)?, column(c::AFTER)?, column(c::CHANGE)?);
    // SAFETY: the kernels do not check bounds; every row number of the groups is below the
    // height the buckets were made from, which is the frame's (asserted above).
    let kernels = unsafe {
        [
            before.agg_mean(&groups),
            after.agg_mean(&groups),
            change.agg_mean(&groups),
            change.agg_median(&groups),
            change.agg_std(&groups, 1),
        ]
    };
    let values = |figure: &Column| -> PolarsResult<Vec<Option<f64>>> {
        Ok(figure.cast(&DataType::Float64)?.f64()?.iter().collect())
    };
    let [mean_before, mean_after, mean_change, median, sd] = &kernels;
    let (mean_before, mean_after) = (values(mean_before)?, values(mean_after)?);
    let (mean_change, median, sd) = (values(mean_change)?, values(median)?, values(sd)?);
    Ok((0..rows.len())
        .map(|i| {
            let n = rows[i];
            let count = |flag: Flag| flags[i][flag as usize];
            let sd = sd[i].filter(|s| s.is_finite() && n >= 2);
            let mean_change = mean_change[i].unwrap_or(f64::NAN);
            let small_sample = n < t.min_group;
            let zero_before = count(Flag::ZeroBefore);
            let rated = n - zero_before;
            let rate = |k: u64| (rated > 0).then(|| k as f64 / rated as f64);
            let (improved, worse) = (count(Flag::Improved), count(Flag::Worse));
            let (mcid_counted, mcid_reached) = (count(Flag::McidCounted), count(Flag::McidReached));
            Figures {
                rows: n,
                sessions: distinct[i].0,
                clients: distinct[i].1,
                mean_before: mean_before[i].unwrap_or(f64::NAN),
                mean_after: mean_after[i].unwrap_or(f64::NAN),
                mean_change,
                median_change: median[i].unwrap_or(f64::NAN),
                sd_change: sd,
                ci95: if small_sample {
                    None
                } else {
                    sd.map(|s| ci95(mean_change, s, n))
                },
                improved_rate: improved as f64 / n as f64,
                worse_rate: worse as f64 / n as f64,
                responder_rate: rate(count(Flag::Responder)),
                strong_responder_rate: rate(count(Flag::StrongResponder)),
                srm: sd.filter(|s| *s > 0.0).map(|s| mean_change / s),
                small_sample,
                unchanged_rate: (n - improved - worse) as f64 / n as f64,
                zero_before_rows: zero_before,
                meets_mcid: mean_change >= MCID_POINTS,
                mcid_rate: (mcid_counted > 0).then(|| mcid_reached as f64 / mcid_counted as f64),
            }
        })
        .collect())
}

/// How many rows of each group have each flag set: the group's sums of the 0/1 tests, as whole
/// numbers, counted in one pass over the group's rows from the packed [`FLAGS`] (polars' sum of
/// a boolean column would turn the whole column into numbers first, for each flag of each of a
/// period's nineteen groupings).
fn count_flags(frame: &DataFrame, buckets: &Buckets) -> PolarsResult<Vec<[u64; FLAG_COUNT]>> {
    let packed = frame.column(FLAGS)?.i8()?.rechunk();
    let packed = packed.cont_slice()?;
    Ok((0..buckets.len())
        .map(|g| {
            let mut set = [0u64; FLAG_COUNT];
            for &r in buckets.members(g) {
                let bits = packed[r as usize];
                for (bit, n) in set.iter_mut().enumerate() {
                    *n += u64::from((bits >> bit) & 1 != 0);
                }
            }
            set
        })
        .collect())
}

/// The 95 % confidence interval of a mean, Student t with n − 1 degrees of freedom.
pub(crate) fn ci95(mean: f64, sd: f64, n: u64) -> [f64; 2] {
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64)
        .expect("n ≥ 2 gives a valid t distribution")
        .inverse_cdf(0.975);
    let half = t * sd / (n as f64).sqrt();
    [mean - half, mean + half]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_tables() {
        // Two-sided 95 % critical values from any Student t table.
        for (df, expected) in [
            (1u64, 12.706),
            (4, 2.776),
            (9, 2.262),
            (29, 2.045),
            (120, 1.980),
        ] {
            let [lo, hi] = ci95(0.0, 1.0, df + 1);
            let t = hi * ((df + 1) as f64).sqrt();
            assert!((t - expected).abs() < 5e-4, "df {df}: {t}");
            assert!((lo + hi).abs() < 1e-12);
        }
    }
}
