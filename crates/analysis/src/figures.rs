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

const ROWS: &str = "__rows";
const MEAN_BEFORE: &str = "__mean_before";
const MEAN_AFTER: &str = "__mean_after";
const MEAN_CHANGE: &str = "__mean_change";
const MEDIAN: &str = "__median";
const SD: &str = "__sd";
const IMPROVED: &str = "__improved";
const WORSE: &str = "__worse";
const ZERO_BEFORE: &str = "__zero_before";
const RESPONDERS: &str = "__responders";
const STRONG: &str = "__strong";
const MCID_COUNTED: &str = "__mcid_counted";
const MCID_REACHED: &str = "__mcid_reached";

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

/// The per-row tests the rate figures count, as flag columns named after their counts: added to
/// a period's frame once ([`with_flags`]) instead of evaluated again by each of its nineteen
/// groupings.
fn flags(t: Thresholds) -> [(Expr, &'static str); 7] {
    let change = || col(c::CHANGE);
    let before = || col(c::BEFORE);
    let reaches = |thr: f64| {
        before()
            .gt(lit(0.0))
            .and(change().gt_eq(before() * lit(thr) - lit(1e-9)))
    };
    [
        (change().gt(lit(0.0)), IMPROVED),
        (change().lt(lit(0.0)), WORSE),
        (before().eq(lit(0.0)), ZERO_BEFORE),
        (reaches(t.responder), RESPONDERS),
        (reaches(t.strong), STRONG),
        (before().gt_eq(lit(1.0)), MCID_COUNTED),
        (
            before()
                .gt_eq(lit(1.0))
                .and(change().gt_eq(mcid_points(t) - lit(crate::stats::mcid::TOLERANCE))),
            MCID_REACHED,
        ),
    ]
}

/// `frame` with the flag columns the aggregations count (one bit a row each).
///
/// # Errors
/// When polars fails (a bug).
pub(crate) fn with_flags(frame: DataFrame, t: Thresholds) -> PolarsResult<DataFrame> {
    frame
        .lazy()
        .with_columns(flags(t).map(|(test, name)| test.alias(name)))
        .collect()
}

/// The figures of every group of `buckets` but the distinct sessions and clients (which
/// [`crate::distinct`] counts beside them), one row per group, over a frame [`with_flags`].
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
/// If `buckets` were not made from `frame`'s rows.
pub(crate) fn aggregate(
    frame: &DataFrame,
    buckets: Buckets,
    t: Thresholds,
) -> PolarsResult<DataFrame> {
    assert_eq!(buckets.height(), frame.height(), "groups of another frame");
    let rows: Vec<u64> = (0..buckets.len())
        .map(|g| buckets.members(g).len() as u64)
        .collect();
    let mut counts = vec![Column::new(ROWS.into(), rows)];
    for (_, name) in flags(t) {
        counts.push(Column::new(
            name.into(),
            count_flags(frame, name, &buckets)?,
        ));
    }
    let height = buckets.len();
    let groups = buckets.into_polars();
    let column = |name: &str| -> PolarsResult<Column> { Ok(frame.column(name)?.rechunk()) };
    let (before, after, change) = (column(c::BEFORE)?, column(c::AFTER)?, column(c::CHANGE)?);
    // SAFETY: the kernels do not check bounds; every row number of the groups is below the
    // height the buckets were made from, which is the frame's (asserted above).
    let figures = unsafe {
        [
            before.agg_mean(&groups).with_name(MEAN_BEFORE.into()),
            after.agg_mean(&groups).with_name(MEAN_AFTER.into()),
            change.agg_mean(&groups).with_name(MEAN_CHANGE.into()),
            change.agg_median(&groups).with_name(MEDIAN.into()),
            change.agg_std(&groups, 1).with_name(SD.into()),
        ]
    };
    counts.extend(figures);
    DataFrame::new(height, counts)
}

/// How many rows of each group have the flag `name` set: the group's sum of a 0/1 column, as
/// whole numbers. Counted from the flag's bits, where polars' sum of a boolean column would turn
/// the whole column into numbers first, for each of a period's nineteen groupings.
fn count_flags(frame: &DataFrame, name: &str, buckets: &Buckets) -> PolarsResult<Vec<u64>> {
    let flags = frame.column(name)?.bool()?.rechunk();
    let Some(flags) = flags.downcast_iter().next() else {
        return Ok(vec![0; buckets.len()]);
    };
    // A null flag counts as not set, as in polars' sum.
    let set = |r: usize| flags.value(r) && flags.validity().is_none_or(|v| v.get_bit(r));
    Ok((0..buckets.len())
        .map(|g| {
            let members = buckets.members(g).iter().map(|&r| r as usize);
            members.filter(|&r| set(r)).count() as u64
        })
        .collect())
}

/// Reads the figures of every row of an aggregated frame, in row order, with each row's
/// distinct sessions and clients from `distinct`.
pub(crate) fn read_figures(
    df: &DataFrame,
    distinct: &[(u64, u64)],
    t: Thresholds,
) -> PolarsResult<Vec<Figures>> {
    let u = |name: &str| -> PolarsResult<Vec<u64>> {
        Ok(df
            .column(name)?
            .u64()?
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    };
    let f = |name: &str| -> PolarsResult<Vec<Option<f64>>> {
        Ok(df
            .column(name)?
            .cast(&DataType::Float64)?
            .f64()?
            .iter()
            .collect())
    };
    let rows = u(ROWS)?;
    let (mean_before, mean_after, mean_change) = (f(MEAN_BEFORE)?, f(MEAN_AFTER)?, f(MEAN_CHANGE)?);
    let (median, sd) = (f(MEDIAN)?, f(SD)?);
    let (improved, worse, zero) = (u(IMPROVED)?, u(WORSE)?, u(ZERO_BEFORE)?);
    let (responders, strong) = (u(RESPONDERS)?, u(STRONG)?);
    let (mcid_counted, mcid_reached) = (u(MCID_COUNTED)?, u(MCID_REACHED)?);
    Ok((0..df.height())
        .map(|i| {
            let n = rows[i];
            let sd = sd[i].filter(|s| s.is_finite() && n >= 2);
            let mean_change = mean_change[i].unwrap_or(f64::NAN);
            let small_sample = n < t.min_group;
            let rated = n - zero[i];
            let rate = |k: u64| (rated > 0).then(|| k as f64 / rated as f64);
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
                improved_rate: improved[i] as f64 / n as f64,
                worse_rate: worse[i] as f64 / n as f64,
                responder_rate: rate(responders[i]),
                strong_responder_rate: rate(strong[i]),
                srm: sd.filter(|s| *s > 0.0).map(|s| mean_change / s),
                small_sample,
                unchanged_rate: (n - improved[i] - worse[i]) as f64 / n as f64,
                zero_before_rows: zero[i],
                meets_mcid: mean_change >= MCID_POINTS,
                mcid_rate: (mcid_counted[i] > 0)
                    .then(|| mcid_reached[i] as f64 / mcid_counted[i] as f64),
            }
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
