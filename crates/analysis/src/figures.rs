//! The figures of one group (SPEC §3): the per-row tests evaluated by polars, the means, median
//! and SD gathered in one pass over each group's rows with polars' own arithmetic, and their
//! conversion into [`relief_core::summary::Figures`] with the confidence interval added.
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
use crate::frame::{col_names as c, dense};
use crate::prefetch::{AHEAD, prefetch};
use polars::polars_utils::kahan_sum::KahanSum;
use polars::polars_utils::total_ord::TotalOrd;
use polars::prelude::*;
use rayon::prelude::*;
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

/// The points of change that are clinically important for a before-score: the first band whose
/// edge is above it, else the last. The same rule as `AnalysisConfig::mcid_points_for`,
/// including its fallback for a band without points.
fn mcid_points_at(t: &Thresholds, before: f64) -> f64 {
    let band = t
        .mcid_edges
        .iter()
        .position(|edge| before < *edge)
        .unwrap_or(t.mcid_edges.len());
    let p = t.mcid_points.get(band).or(t.mcid_points.last());
    p.copied().unwrap_or(2.0)
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

/// How many per-row tests [`row_flags`] sets.
const FLAG_COUNT: usize = 7;

/// A row's flags: bit `k` set when the test of [`Flag`] number `k` holds. A test that needs a
/// score the row lacks is not set. The change is before − after, as every reader of the frame
/// works it out.
fn row_flags(before: Option<f64>, after: Option<f64>, t: &Thresholds) -> i8 {
    let mut bits = 0i8;
    let mut set = |flag: Flag, holds: bool| {
        if holds {
            bits |= 1 << flag as usize;
        }
    };
    let Some(b) = before else {
        return 0;
    };
    set(Flag::ZeroBefore, b == 0.0);
    set(Flag::McidCounted, b >= 1.0);
    if let Some(a) = after {
        let change = b - a;
        let reaches = |threshold: f64| b > 0.0 && change >= b * threshold - 1e-9;
        set(Flag::Improved, change > 0.0);
        set(Flag::Worse, change < 0.0);
        set(Flag::Responder, reaches(t.responder));
        set(Flag::StrongResponder, reaches(t.strong));
        set(
            Flag::McidReached,
            b >= 1.0 && change >= mcid_points_at(t, b) - crate::stats::mcid::TOLERANCE,
        );
    }
    bits
}

/// The column holding every row's flags, bit `k` for the test of [`Flag`] number `k` (a test that
/// is null, as for a missing score, counts as not set, as in polars' sum of a boolean column).
/// Seven bits: a signed byte, the narrowest number the engine is built with, holds them.
const FLAGS: &str = "__flags";

/// `frame` with the flags the aggregations count, packed into one [`FLAGS`] byte a row so that
/// each grouping reads one value per row instead of seven scattered bits. One pass over the two
/// scores: no column wider than the byte, and no column of the change, is ever made.
///
/// # Errors
/// When the frame lacks a score column (a bug).
pub(crate) fn with_flags(mut frame: DataFrame, t: Thresholds) -> PolarsResult<DataFrame> {
    let packed: Vec<i8> = {
        let (before, after) = (
            frame.column(c::BEFORE)?.f64()?,
            frame.column(c::AFTER)?.f64()?,
        );
        before
            .iter()
            .zip(after.iter())
            .map(|(b, a)| row_flags(b, a, &t))
            .collect()
    };
    frame.with_column(Column::new(FLAGS.into(), packed))?;
    Ok(frame)
}

/// The figures of every group of `buckets`, in group order, over a frame [`with_flags`], with
/// each group's distinct sessions and clients from `distinct` (which [`crate::distinct`] counts
/// over the same buckets).
///
/// Each group's means, median, SD and flag counts come from one pass over its rows
/// ([`GroupStats`]), the groups on every core.
///
/// # Errors
/// When a column is missing or of another type, or a score is missing (a bug).
///
/// # Panics
/// If `buckets` were not made from `frame`'s rows, or `distinct` has another number of groups.
pub(crate) fn aggregate(
    frame: &DataFrame,
    buckets: &Buckets,
    distinct: &[(u64, u64)],
    t: Thresholds,
) -> PolarsResult<Vec<Figures>> {
    assert_eq!(buckets.height(), frame.height(), "groups of another frame");
    assert_eq!(
        buckets.len(),
        distinct.len(),
        "distinct counts of other groups"
    );
    let before = frame.column(c::BEFORE)?.f64()?;
    let after = frame.column(c::AFTER)?.f64()?;
    polars_ensure!(
        before.null_count() == 0 && after.null_count() == 0,
        ComputeError: "a row without a score"
    );
    let packed = frame.column(FLAGS)?.i8()?;
    let (before, after, packed) = (dense(before), dense(after), dense(packed));
    let stats: Vec<GroupStats> = (0..buckets.len())
        .into_par_iter()
        .map(|g| GroupStats::of(buckets.members(g), &before, &after, &packed))
        .collect();
    Ok(stats
        .into_iter()
        .zip(distinct)
        .map(|(g, &(sessions, clients))| {
            let n = g.rows;
            let count = |flag: Flag| g.flags[flag as usize];
            let sd = g.sd.filter(|s| s.is_finite() && n >= 2);
            let mean_change = g.mean_change.unwrap_or(f64::NAN);
            let small_sample = n < t.min_group;
            let zero_before = count(Flag::ZeroBefore);
            let rated = n - zero_before;
            let rate = |k: u64| (rated > 0).then(|| k as f64 / rated as f64);
            let (improved, worse) = (count(Flag::Improved), count(Flag::Worse));
            let (mcid_counted, mcid_reached) = (count(Flag::McidCounted), count(Flag::McidReached));
            Figures {
                rows: n,
                sessions,
                clients,
                mean_before: g.mean_before.unwrap_or(f64::NAN),
                mean_after: g.mean_after.unwrap_or(f64::NAN),
                mean_change,
                median_change: g.median_change.unwrap_or(f64::NAN),
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

/// What one group's figures need of its rows, gathered in one pass over them.
///
/// A group's rows lie scattered over the frame (one therapist's among millions), so reading a
/// value is a wait for memory. polars' group kernels (mean, median, SD, each a pass of its
/// own) read before, after and change five times a row; this reads before, after and the
/// flags once, asking for them a few rows ahead ([`prefetch`]), and derives change = before −
/// after exactly as the frame's column was made. The arithmetic is polars' own, step for step
/// and in the same row order, so every figure has the same bits as its kernels give (a test
/// holds the two side by side): a compensated (Kahan) sum for the means, Welford's online
/// update for the variance, and its linear-interpolation quantile for the median.
#[derive(Debug, PartialEq)]
struct GroupStats {
    rows: u64,
    mean_before: Option<f64>,
    mean_after: Option<f64>,
    mean_change: Option<f64>,
    median_change: Option<f64>,
    /// Sample SD (n − 1); `None` under two rows.
    sd: Option<f64>,
    /// How many rows have each [`Flag`] set.
    flags: [u64; FLAG_COUNT],
}

impl GroupStats {
    fn of(members: &[u32], before: &[f64], after: &[f64], packed: &[i8]) -> GroupStats {
        let mut sums = [
            KahanSum::<f64>::default(),
            KahanSum::default(),
            KahanSum::default(),
        ];
        let mut variance = Welford::default();
        let mut changes = Vec::with_capacity(members.len());
        let mut flags = [0u64; FLAG_COUNT];
        // The last row's before, after and change: a group of one row has them as its means.
        let mut last = [f64::NAN; 3];
        for (j, &row) in members.iter().enumerate() {
            if let Some(&ahead) = members.get(j + AHEAD) {
                let ahead = ahead as usize;
                prefetch(&before[ahead]);
                prefetch(&after[ahead]);
                prefetch(&packed[ahead]);
            }
            let row = row as usize;
            let (b, a) = (before[row], after[row]);
            let change = b - a;
            last = [b, a, change];
            for (sum, v) in sums.iter_mut().zip(last) {
                *sum += v;
            }
            variance.add(change);
            changes.push(change);
            let bits = packed[row];
            for (bit, n) in flags.iter_mut().enumerate() {
                *n += u64::from((bits >> bit) & 1 != 0);
            }
        }
        let n = members.len();
        // polars' mean: one row is its own value; more are the compensated sum over n.
        let mean = |k: usize| match n {
            0 => None,
            1 => Some(last[k]),
            _ => Some(sums[k].sum() / n as f64),
        };
        GroupStats {
            rows: n as u64,
            mean_before: mean(0),
            mean_after: mean(1),
            mean_change: mean(2),
            median_change: median(&mut changes),
            sd: variance.sample().map(f64::sqrt),
            flags,
        }
    }
}

/// Welford's online variance, as polars' `online_variance` computes it.
#[derive(Default)]
struct Welford {
    count: u64,
    mean: f64,
    m2: f64,
}

impl Welford {
    fn add(&mut self, value: f64) {
        let new_count = self.count + 1;
        let delta_1 = value - self.mean;
        let new_mean = delta_1 / new_count as f64 + self.mean;
        let delta_2 = value - new_mean;
        self.m2 += delta_1 * delta_2;
        self.count = new_count;
        self.mean = new_mean;
    }

    /// The sample variance (n − 1); `None` under two values.
    fn sample(&self) -> Option<f64> {
        (self.count > 1).then(|| self.m2 / (self.count as f64 - 1.0))
    }
}

/// The median as polars' quantile 0.5 with linear interpolation computes it: the lower middle
/// value by selection in polars' total order, and with an even count the next value up, the
/// two interpolated halfway. Reorders `values`.
fn median(values: &mut [f64]) -> Option<f64> {
    let n = values.len();
    match n {
        0 => return None,
        1 => return Some(values[0]),
        _ => {}
    }
    let float_idx = (n as f64 - 1.0) * 0.5;
    let idx = (float_idx as usize).min(n - 1);
    let top = float_idx.ceil() as usize;
    let (_, lower, upper_part) = values.select_nth_unstable_by(idx, TotalOrd::tot_cmp);
    let lower = *lower;
    if idx == top {
        return Some(lower);
    }
    let upper = upper_part
        .iter()
        .copied()
        .min_by(TotalOrd::tot_cmp)
        .expect("an even count leaves a value above the lower middle");
    Some(if lower == upper {
        lower
    } else {
        (float_idx - idx as f64) * (upper - lower) + lower
    })
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

    // The flags as polars expressions, as `with_flags` evaluated them before `row_flags`: the
    // oracle the pass is held to.

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

    /// The per-row tests the rate figures count, each with the flag it sets.
    fn flags(t: Thresholds) -> [(Flag, Expr); FLAG_COUNT] {
        // before − after, as every reader of the frame works out the change.
        let change = || col(c::BEFORE) - col(c::AFTER);
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

    /// `row_flags` sets, bit for bit, what polars' expressions give over the same rows: scores
    /// on every band edge and threshold and beside them, relief, no change and worse, default
    /// and custom bands (one without points of its own), and rows without an after-score.
    #[test]
    fn row_flags_are_polars_expressions_bit_for_bit() {
        let scores: Vec<f64> = (0..=100)
            .map(|i| f64::from(i) / 10.0)
            .chain([0.25, 4.99, 5.01])
            .collect();
        let mut before = Vec::new();
        let mut after = Vec::new();
        for &b in &scores {
            for &a in &scores {
                before.push(Some(b));
                after.push(Some(a));
            }
            before.push(Some(b));
            after.push(None);
        }
        before.push(None);
        after.push(Some(3.0));
        let frame = DataFrame::new(
            before.len(),
            vec![
                Column::new(c::BEFORE.into(), before.clone()),
                Column::new(c::AFTER.into(), after.clone()),
            ],
        )
        .unwrap();
        let defaults = [[5.0, 8.0].as_slice(), [1.0, 2.0, 3.0].as_slice()];
        let custom = [[3.0, 6.5, 9.0].as_slice(), [0.5, 1.5].as_slice()];
        for [edges, points] in [defaults, custom] {
            let t = Thresholds {
                responder: 0.3,
                strong: 0.5,
                min_group: 5,
                mcid_edges: edges,
                mcid_points: points,
            };
            let tests: Vec<Expr> = flags(t)
                .into_iter()
                .map(|(flag, test)| {
                    test.fill_null(lit(false))
                        .alias(format!("f{}", flag as usize))
                })
                .collect();
            let expected = frame.clone().lazy().select(tests).collect().unwrap();
            let got = with_flags(frame.clone(), t).unwrap();
            let got = got.column(FLAGS).unwrap().i8().unwrap();
            for test in expected.columns() {
                let bit = test
                    .name()
                    .trim_start_matches('f')
                    .parse::<usize>()
                    .unwrap();
                let test = test.bool().unwrap();
                for (i, (want, packed)) in test.iter().zip(got.iter()).enumerate() {
                    let have = packed.unwrap() & (1 << bit) != 0;
                    assert_eq!(
                        Some(have),
                        want,
                        "bit {bit}, before {:?}, after {:?}",
                        before[i],
                        after[i]
                    );
                }
            }
        }
    }

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

    /// The one-pass figures have, bit for bit, what polars' own group kernels give over the
    /// same rows (mean, median, SD with n − 1): empty groups, groups of one, two and three rows,
    /// odd and even counts, ties, zero changes, and scores in tenths, whose sums round
    /// differently in another order or without the compensation. Each row's flags are counted
    /// once per set bit.
    #[test]
    fn one_pass_figures_have_the_bits_of_polars_kernels() {
        use crate::buckets::NO_SLOT;
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |m: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % m
        };
        let n = 4_000;
        let before: Vec<f64> = (0..n).map(|_| next(101) as f64 / 10.0).collect();
        let after: Vec<f64> = before
            .iter()
            .map(|b| match next(4) {
                0 => *b,
                _ => next(101) as f64 / 10.0,
            })
            .collect();
        let packed: Vec<i8> = (0..n).map(|_| next(128) as i8).collect();
        // Group 0 stays empty, 1 has one row, 2 two, 3 three; the rest share the others, and
        // some rows are in no group.
        let slots: Vec<u32> = (0..n)
            .map(|i| match i {
                10 => 1,
                20 | 21 => 2,
                30..=32 => 3,
                _ => match next(10) {
                    0 => NO_SLOT,
                    g => 3 + g as u32,
                },
            })
            .collect();
        let buckets = Buckets::new(&slots, 13);
        let ours: Vec<GroupStats> = (0..buckets.len())
            .map(|g| GroupStats::of(buckets.members(g), &before, &after, &packed))
            .collect();

        let change: Vec<f64> = before.iter().zip(&after).map(|(b, a)| b - a).collect();
        let column = |v: &[f64]| Column::new("v".into(), v.to_vec());
        let groups = buckets.clone().into_polars();
        // SAFETY: every row number of the groups is below n, the columns' length.
        let kernels = unsafe {
            [
                column(&before).agg_mean(&groups),
                column(&after).agg_mean(&groups),
                column(&change).agg_mean(&groups),
                column(&change).agg_median(&groups),
                column(&change).agg_std(&groups, 1),
            ]
        };
        let bits = |c: &Column| -> Vec<Option<u64>> {
            c.f64()
                .unwrap()
                .iter()
                .map(|v| v.map(f64::to_bits))
                .collect()
        };
        let ours_bits = |f: fn(&GroupStats) -> Option<f64>| -> Vec<Option<u64>> {
            ours.iter().map(|g| f(g).map(f64::to_bits)).collect()
        };
        assert_eq!(ours_bits(|g| g.mean_before), bits(&kernels[0]));
        assert_eq!(ours_bits(|g| g.mean_after), bits(&kernels[1]));
        assert_eq!(ours_bits(|g| g.mean_change), bits(&kernels[2]));
        assert_eq!(ours_bits(|g| g.median_change), bits(&kernels[3]));
        assert_eq!(ours_bits(|g| g.sd), bits(&kernels[4]));
        assert_eq!(ours[0].rows, 0);
        assert_eq!(ours[0].mean_before, None);
        assert_eq!(ours[1].sd, None, "one row has no SD");
        assert!(ours[2].sd.is_some());

        for (g, stats) in ours.iter().enumerate() {
            let members = buckets.members(g);
            assert_eq!(stats.rows, members.len() as u64);
            for (bit, count) in stats.flags.iter().enumerate() {
                let set = members
                    .iter()
                    .filter(|&&r| packed[r as usize] & (1 << bit) != 0)
                    .count();
                assert_eq!(*count, set as u64, "group {g}, flag {bit}");
            }
        }
    }
}
