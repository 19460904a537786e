//! Personalisation effects at equal arrival soreness (SPEC §3.2).
//!
//! Raw group means mix a factor with how sore the region arrived: clients ask for focus on their
//! sorest regions, and a region that arrives at 8 has more to relieve than one at 3. So for each
//! factor (focus, pressure, minutes band, technique) and each region, and pooled over regions,
//! relief fits
//!
//! ```text
//! change = a + b·before + Σ_l c_l·[level = l] + u          (one region)
//! change = Σ_r a_r·[region = r] + b·before + Σ_l c_l·[level = l] + u   (pooled, "all")
//! ```
//!
//! by ordinary least squares ([`super::ols`]), with one indicator per non-reference level that
//! has rows in the model. c_l is the level's difference from the reference at equal arrival
//! soreness; its 95 % CI is c_l ± t(0.975, G − 1)·SE with SE from the client-clustered CR1
//! covariance (G clients), because one client's sessions are not independent. It is an
//! association in the clinic's records, not proof that the factor caused the relief.
//!
//! The factor-specific part is only which levels exist and which is the reference; the
//! [`FactorLevel`] trait carries both, so one function serves every factor.

use super::ols::{self, Design, Fit, NoFit};
use super::t975;
use crate::distinct::DistinctIds;
use rayon::prelude::*;
use relief_core::personalisation::{AdjustedEntry, Factor, RegionOrAll};
use relief_core::{MinutesBand, Pressure, Region};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

/// Models with fewer clients than this give estimates but no CI: a t interval on G − 1 degrees
/// of freedom with a handful of clusters is not to be trusted (SPEC §3.2).
pub const MIN_CLIENTS_FOR_CI: usize = 10;

/// How a factor's reference level is chosen among the levels present (SPEC §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceRule {
    /// The lowest level present in the natural order: focus `false`, the lightest pressure,
    /// the lowest minutes band.
    Lowest,
    /// The level with the most rows; ties go to the first in the natural order.
    MostRows,
}

/// A level of a personalisation factor. `Ord` is the natural order entries are listed in.
pub trait FactorLevel: Ord + Clone + Send + Sync {
    /// The factor these levels belong to.
    const FACTOR: Factor;
    /// How the reference level is chosen.
    const REFERENCE: ReferenceRule;
}

/// A level that can spell itself as JSON and the workbook write it: `"true"`, `"firm"`,
/// `"16-30"`, a technique's name. A level that is only a number in a table of names (the
/// period's techniques, to keep each model row small) is spelled by
/// [`adjusted_effects_spelled`]'s caller instead.
pub trait SpelledLevel: FactorLevel {
    /// The level's text.
    fn text(&self) -> String;
}

/// Focus: `true` against `false`.
impl FactorLevel for bool {
    const FACTOR: Factor = Factor::Focus;
    const REFERENCE: ReferenceRule = ReferenceRule::Lowest;
}

impl SpelledLevel for bool {
    fn text(&self) -> String {
        self.to_string()
    }
}

/// Pressure: each level against the lightest present.
impl FactorLevel for Pressure {
    const FACTOR: Factor = Factor::Pressure;
    const REFERENCE: ReferenceRule = ReferenceRule::Lowest;
}

impl SpelledLevel for Pressure {
    fn text(&self) -> String {
        self.key().to_string()
    }
}

/// Minutes band: each band against the lowest present.
impl FactorLevel for MinutesBand {
    const FACTOR: Factor = Factor::Minutes;
    const REFERENCE: ReferenceRule = ReferenceRule::Lowest;
}

impl SpelledLevel for MinutesBand {
    fn text(&self) -> String {
        self.key().to_string()
    }
}

/// A technique as the export names it, ordered alphabetically ignoring case, ties by the
/// exact text (so `Swedish` and `swedish` stay two techniques, in a fixed order).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Technique {
    folded: Box<str>,
    text: Arc<str>,
}

impl Technique {
    /// The technique named `text`.
    pub fn new(text: impl Into<Arc<str>>) -> Technique {
        let text = text.into();
        Technique {
            folded: text.to_lowercase().into(),
            text,
        }
    }

    /// The name as the export wrote it.
    pub fn name(&self) -> &str {
        &self.text
    }
}

/// Technique: each against the technique with the most rows.
impl FactorLevel for Technique {
    const FACTOR: Factor = Factor::Technique;
    const REFERENCE: ReferenceRule = ReferenceRule::MostRows;
}

impl SpelledLevel for Technique {
    fn text(&self) -> String {
        self.text.to_string()
    }
}

/// One session × region whose factor is known: what a model needs of it.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelRow<L> {
    pub region: Region,
    /// Soreness on arrival, 0–10.
    pub before: f64,
    /// before − after; positive means relief.
    pub change: f64,
    /// Any id that is the same for all of one client's rows and differs between clients.
    pub client: u32,
    pub level: L,
}

/// The adjusted effects of one factor over one report period (SPEC §3.2), in report order:
/// by level in its natural order, then region with `all` (the pooled model) first.
///
/// `rows` are the period's rows where the factor is known (scores are always known: records
/// only exist with both); pass them owned (a `Vec`) to save a copy. The reference level is
/// chosen once over all of them ([`FactorLevel::REFERENCE`]) and used for every region. An
/// entry exists for every level with rows in a model whose reference level also has rows
/// there: a region with focus rows only has no focus entry. `small_sample` (and no CI) when the
/// level or the reference has fewer than `min_group_size` rows or fewer than 2 clients, or the
/// model has fewer than [`MIN_CLIENTS_FOR_CI`] clients. `adjusted_difference` and `ci95` are
/// `None` for every level of a model that cannot be fitted ([`NoFit`]: N ≤ K, X
/// rank-deficient, or more levels than [`ols::MAX_COLUMNS`] leaves room for).
///
/// The rows are put in a canonical order before anything is summed, so the input's row order
/// does not change a bit of the result.
pub fn adjusted_effects<'r, L: SpelledLevel + 'r>(
    rows: impl Into<Cow<'r, [LevelRow<L>]>>,
    min_group_size: u64,
) -> Vec<AdjustedEntry> {
    adjusted_effects_spelled(rows, min_group_size, &L::text)
}

/// As [`adjusted_effects`], for levels that `text` spells.
pub fn adjusted_effects_spelled<'r, L: FactorLevel + 'r>(
    rows: impl Into<Cow<'r, [LevelRow<L>]>>,
    min_group_size: u64,
    text: &(dyn Fn(&L) -> String + Sync),
) -> Vec<AdjustedEntry> {
    let mut rows = rows.into().into_owned();
    let Some(reference) = reference_level(&rows) else {
        return Vec::new();
    };
    canonical_order(&mut rows);
    // The pooled model and each region's: independent fits over the same rows, read only, so
    // they run on every core; each gives its entries, collected in this order.
    let mut models: Vec<(&[LevelRow<L>], RegionOrAll)> = vec![(&rows, RegionOrAll::All)];
    models.extend(
        rows.chunk_by(|a, b| a.region == b.region)
            .map(|region_rows| (region_rows, RegionOrAll::Region(region_rows[0].region))),
    );
    let mut entries: Vec<(L, AdjustedEntry)> = models
        .into_par_iter()
        .flat_map_iter(|(rows, scope)| model_entries(rows, scope, &reference, min_group_size, text))
        .collect();
    entries.sort_by(|(la, a), (lb, b)| la.cmp(lb).then_with(|| a.region.cmp(&b.region)));
    entries.into_iter().map(|(_, e)| e).collect()
}

/// Sorts `rows` by region, level, before, change and client (`f64`s in `total_cmp` order), in
/// place: the rows are the only copy, however many there are. Rows with equal keys are equal
/// in every field a model reads, so their order among themselves changes nothing.
///
/// Region and level take few values, so the rows are first moved into one bucket per (region,
/// level) by an in-place counting sort (each row moves at most once into its bucket); then each
/// bucket is sorted by the rest, on every core. That is the same order a comparison sort of the
/// whole key gives, at a fraction of its comparisons.
fn canonical_order<L: FactorLevel>(rows: &mut [LevelRow<L>]) {
    // The distinct levels, in order, without a per-row list (rows can be tens of millions).
    let levels: Vec<L> = rows
        .iter()
        .map(|r| &r.level)
        .collect::<BTreeSet<&L>>()
        .into_iter()
        .cloned()
        .collect();
    let bucket_of = |r: &LevelRow<L>| {
        let level = levels
            .binary_search(&r.level)
            .expect("every level is listed");
        r.region as usize * levels.len() + level
    };
    let buckets = Region::ALL.len() * levels.len();
    let mut ends = vec![0usize; buckets];
    for r in rows.iter() {
        ends[bucket_of(r)] += 1;
    }
    let mut at = 0;
    for end in &mut ends {
        at += *end;
        *end = at;
    }
    // `next[b]` is the first place of bucket b not yet holding one of its rows.
    let mut next: Vec<usize> = std::iter::once(0).chain(ends.iter().copied()).collect();
    next.pop();
    let starts = next.clone();
    for b in 0..buckets {
        while next[b] < ends[b] {
            let home = bucket_of(&rows[next[b]]);
            if home == b {
                next[b] += 1;
            } else {
                rows.swap(next[b], next[home]);
                next[home] += 1;
            }
        }
    }
    let mut slices = Vec::with_capacity(buckets);
    let mut rest = rows;
    for (start, end) in starts.iter().zip(&ends) {
        let (bucket, tail) = rest.split_at_mut(end - start);
        slices.push(bucket);
        rest = tail;
    }
    slices.into_par_iter().for_each(|bucket| {
        bucket.sort_unstable_by_key(|r| (total_key(r.before), total_key(r.change), r.client));
    });
}

/// An `f64` as a `u64` that orders as [`f64::total_cmp`] does.
fn total_key(v: f64) -> u64 {
    let bits = v.to_bits() as i64;
    ((bits ^ (((bits >> 63) as u64) >> 1) as i64) as u64) ^ (1 << 63)
}

/// The reference level among the levels of `rows`, by the factor's rule.
fn reference_level<L: FactorLevel>(rows: &[LevelRow<L>]) -> Option<L> {
    let mut counts: BTreeMap<&L, u64> = BTreeMap::new();
    for r in rows {
        *counts.entry(&r.level).or_default() += 1;
    }
    let chosen = match L::REFERENCE {
        ReferenceRule::Lowest => counts.keys().next().copied(),
        // max_by_key keeps the last maximum; iterate in reverse so ties go to the first level.
        ReferenceRule::MostRows => counts
            .iter()
            .rev()
            .max_by_key(|(_, n)| **n)
            .map(|(l, _)| *l),
    };
    chosen.cloned()
}

/// Rows, clients and mean change of one level in one model, summed in row order.
struct LevelStats {
    rows: u64,
    clients: u64,
    change_sum: f64,
}

impl LevelStats {
    /// The stats of the rows in `runs` (in row order).
    fn of<L>(rows: &[LevelRow<L>], runs: &[Range<usize>], ids: &mut DistinctIds) -> LevelStats {
        let level_rows = || runs.iter().flat_map(|run| &rows[run.clone()]);
        LevelStats {
            rows: runs.iter().map(|run| run.len() as u64).sum(),
            clients: ids.count(level_rows().map(|r| r.client)),
            change_sum: level_rows().fold(0.0, |sum, r| sum + r.change),
        }
    }

    /// A level only has stats once a row added it, so `rows` is at least 1.
    fn mean_change(&self) -> f64 {
        self.change_sum / self.rows as f64
    }
}

/// A distinct-id counter for the clients of `rows`.
fn distinct_clients<L>(rows: &[LevelRow<L>]) -> DistinctIds {
    let max = rows.iter().map(|r| r.client).max().unwrap_or(0);
    DistinctIds::new(max, rows.len())
}

/// The rows of each level as runs of neighbouring rows, in row order (rows sorted by region,
/// then level, so a level has one run per region it occurs in).
fn level_runs<L: FactorLevel>(rows: &[LevelRow<L>]) -> BTreeMap<&L, Vec<Range<usize>>> {
    let mut runs: BTreeMap<&L, Vec<Range<usize>>> = BTreeMap::new();
    let mut start = 0;
    for run in rows.chunk_by(|a, b| a.level == b.level) {
        runs.entry(&run[0].level)
            .or_default()
            .push(start..start + run.len());
        start += run.len();
    }
    runs
}

/// Fits one model (one region, or pooled) and writes an entry per non-reference level.
/// `rows` are sorted by region, then level.
fn model_entries<L: FactorLevel>(
    rows: &[LevelRow<L>],
    scope: RegionOrAll,
    reference: &L,
    min_group_size: u64,
    text: &(dyn Fn(&L) -> String + Sync),
) -> Vec<(L, AdjustedEntry)> {
    let mut runs = level_runs(rows);
    let Some(reference_runs) = runs.remove(reference) else {
        return Vec::new();
    };
    let others: Vec<&L> = runs.keys().copied().collect();
    if others.is_empty() {
        return Vec::new();
    }
    let mut ids = distinct_clients(rows);
    let reference_stats = LevelStats::of(rows, &reference_runs, &mut ids);
    let reference_clients = reference_stats.clients;
    let (fitted, first_level_column) = fit_model(rows, scope, &others);
    let clients = ids.count(rows.iter().map(|r| r.client)) as usize;
    let t = t975(clients.saturating_sub(1) as u64);
    runs.into_iter()
        .enumerate()
        .map(|(i, (level, level_runs))| {
            let stats = LevelStats::of(rows, &level_runs, &mut ids);
            let level_clients = stats.clients;
            let small_sample = stats.rows < min_group_size
                || reference_stats.rows < min_group_size
                || level_clients < 2
                || reference_clients < 2
                || clients < MIN_CLIENTS_FOR_CI;
            let column = first_level_column + i;
            let coefficient = fitted.as_ref().ok().map(|f| f.coefficients[column]);
            let ci95 = match (&fitted, t) {
                (Ok(f), Some(t)) if !small_sample => f.std_error(column).and_then(|se| {
                    let b = f.coefficients[column];
                    let ci = [b - t * se, b + t * se];
                    ci.iter().all(|v| v.is_finite()).then_some(ci)
                }),
                _ => None,
            };
            let entry = AdjustedEntry {
                factor: L::FACTOR,
                level: text(level),
                reference: text(reference),
                region: scope,
                rows: stats.rows,
                clients: level_clients,
                reference_rows: reference_stats.rows,
                raw_difference: stats.mean_change() - reference_stats.mean_change(),
                adjusted_difference: coefficient.filter(|c| c.is_finite()),
                ci95,
                small_sample,
            };
            (level.clone(), entry)
        })
        .collect()
}

/// One model's design, read from its rows: an intercept (one region) or one indicator per
/// region with rows (pooled), then `before`, then one indicator per level of `others`.
struct ModelDesign<'a, L> {
    rows: &'a [LevelRow<L>],
    regions: Vec<Region>,
    others: &'a [&'a L],
}

impl<L: FactorLevel> Design for ModelDesign<'_, L> {
    fn rows(&self) -> usize {
        self.rows.len()
    }

    fn columns(&self) -> usize {
        self.regions.len().max(1) + 1 + self.others.len()
    }

    fn row(&self, i: usize, x: &mut [f64]) -> (f64, u32) {
        let r = &self.rows[i];
        let head = self.regions.len().max(1);
        if self.regions.is_empty() {
            x[0] = 1.0;
        } else {
            for (v, g) in x.iter_mut().zip(&self.regions) {
                *v = f64::from(u8::from(*g == r.region));
            }
        }
        x[head] = r.before;
        for (v, l) in x[head + 1..].iter_mut().zip(self.others) {
            *v = f64::from(u8::from(**l == r.level));
        }
        (r.change, r.client)
    }

    fn cluster(&self, i: usize) -> u32 {
        self.rows[i].client
    }
}

/// Fits one model. Returns the fit and the column of the first level indicator.
fn fit_model<L: FactorLevel>(
    rows: &[LevelRow<L>],
    scope: RegionOrAll,
    others: &[&L],
) -> (Result<Fit, NoFit>, usize) {
    let regions: Vec<Region> = match scope {
        RegionOrAll::All => {
            let mut r: Vec<Region> = rows.iter().map(|r| r.region).collect();
            r.dedup(); // sorted by region already
            r
        }
        RegionOrAll::Region(_) => Vec::new(),
    };
    let head = regions.len().max(1);
    let design = ModelDesign {
        rows,
        regions,
        others,
    };
    (ols::fit_design(&design), head + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row<L>(region: Region, before: f64, change: f64, client: u32, level: L) -> LevelRow<L> {
        LevelRow {
            region,
            before,
            change,
            client,
            level,
        }
    }

    /// The rows of the paper example in `ols::tests::hand_worked_cr1_with_two_clients`.
    fn paper_rows() -> Vec<LevelRow<bool>> {
        let lb = Region::LowerBack;
        vec![
            row(lb, 4.0, 1.5, 1, false),
            row(lb, 8.0, 4.0, 1, true),
            row(lb, 4.0, 0.5, 2, false),
            row(lb, 6.0, 3.0, 2, true),
        ]
    }

    /// `n` clients, each with a focus and a non-focus row in `region`, arrival soreness varying.
    fn many_clients(region: Region, n: u32) -> Vec<LevelRow<bool>> {
        (0..n)
            .flat_map(|c| {
                let b = 3.0 + f64::from(c % 5);
                [
                    row(region, b, 0.4 * b + 0.1 * f64::from(c % 3), c, false),
                    row(
                        region,
                        b + 2.0,
                        0.4 * b + 1.5 - 0.1 * f64::from(c % 4),
                        c,
                        true,
                    ),
                ]
            })
            .collect()
    }

    /// The bucketed sort puts rows in the order a comparison sort of the whole key gives, over
    /// rows with many ties, signed zeros, every region and a factor with several levels.
    #[test]
    fn canonical_order_is_the_order_of_the_whole_key() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let mut next = |m: u64| rng.random_range(0..m);
        let mut rows: Vec<LevelRow<Pressure>> = (0..20_000)
            .map(|_| {
                let before = next(21) as f64 / 2.0;
                let change = [0.0, -0.0, 1.5, -2.0, 3.0][next(5) as usize];
                row(
                    Region::ALL[next(9) as usize],
                    before,
                    change,
                    next(300) as u32,
                    Pressure::ALL[next(Pressure::ALL.len() as u64) as usize],
                )
            })
            .collect();
        let key = |r: &LevelRow<Pressure>| {
            (
                r.region,
                r.level,
                total_key(r.before),
                total_key(r.change),
                r.client,
            )
        };
        let mut expected: Vec<_> = rows.iter().map(key).collect();
        expected.sort_unstable();
        canonical_order(&mut rows);
        assert_eq!(rows.iter().map(key).collect::<Vec<_>>(), expected);

        let mut few = vec![
            row(Region::Feet, 2.0, 1.0, 3, true),
            row(Region::Head, 2.0, 1.0, 3, false),
        ];
        canonical_order(&mut few);
        assert_eq!((few[0].region, few[1].region), (Region::Head, Region::Feet));
        canonical_order::<bool>(&mut []);
    }

    #[test]
    fn total_key_orders_as_total_cmp() {
        let mut values = vec![
            3.0,
            -0.0,
            0.0,
            -2.5,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e-300,
            -1e-300,
            10.0,
            0.5,
        ];
        let mut by_key = values.clone();
        values.sort_by(f64::total_cmp);
        by_key.sort_by_key(|v| total_key(*v));
        assert_eq!(
            values.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            by_key.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn paper_example_raw_against_adjusted() {
        let got = adjusted_effects(paper_rows(), 2);
        assert_eq!(got.len(), 2, "pooled and lower back: {got:?}");
        for (e, region) in got
            .iter()
            .zip([RegionOrAll::All, RegionOrAll::Region(Region::LowerBack)])
        {
            assert_eq!(e.region, region);
            assert_eq!(
                (e.factor, e.level.as_str(), e.reference.as_str()),
                (Factor::Focus, "true", "false")
            );
            assert_eq!((e.rows, e.clients, e.reference_rows), (2, 2, 2));
            assert!((e.raw_difference - 2.5).abs() < 1e-12);
            assert!((e.adjusted_difference.unwrap() - 1.0).abs() < 1e-12);
            // Two clients: G < 10, so an estimate without a CI.
            assert!(e.small_sample && e.ci95.is_none());
        }
    }

    #[test]
    fn ci_is_the_coefficient_plus_minus_t_times_the_cr1_se() {
        let rows = many_clients(Region::Neck, 12);
        let got = adjusted_effects(&rows, 5);
        let e = &got[0];
        assert!(!e.small_sample, "{e:?}");
        // The same model by hand: intercept, before, focus.
        let x: Vec<f64> = rows
            .iter()
            .flat_map(|r| [1.0, r.before, f64::from(u8::from(r.level))])
            .collect();
        let y: Vec<f64> = rows.iter().map(|r| r.change).collect();
        let c: Vec<u32> = rows.iter().map(|r| r.client).collect();
        let f = ols::fit(&x, 3, &y, &c).unwrap();
        let (b, se) = (f.coefficients[2], f.std_error(2).unwrap());
        // t(0.975, 11) from a printed table.
        let [lo, hi] = e.ci95.unwrap();
        assert!(
            (lo - (b - 2.200_985 * se)).abs() < 1e-5 && (hi - (b + 2.200_985 * se)).abs() < 1e-5
        );
        assert!((e.adjusted_difference.unwrap() - b).abs() < 1e-12);
    }

    #[test]
    fn region_with_focus_rows_only_has_no_focus_entry() {
        let mut rows = many_clients(Region::Neck, 12);
        rows.extend((0..6).map(|c| row(Region::Hips, 5.0 + f64::from(c % 3), 2.0, c, true)));
        let got = adjusted_effects(&rows, 5);
        let regions: Vec<RegionOrAll> = got.iter().map(|e| e.region).collect();
        assert_eq!(
            regions,
            [RegionOrAll::All, RegionOrAll::Region(Region::Neck)]
        );
        // The pooled model counts the hips rows as focus rows.
        assert_eq!(got[0].rows, 18);
        // Nothing but focus rows anywhere: no reference, no entry at all.
        let only: Vec<_> = rows.iter().filter(|r| r.level).cloned().collect();
        assert!(adjusted_effects(&only, 5).is_empty());
        assert!(adjusted_effects::<bool>(&[], 5).is_empty());
    }

    #[test]
    fn one_client_gives_an_estimate_without_ci() {
        let rows: Vec<LevelRow<bool>> = many_clients(Region::Feet, 12)
            .into_iter()
            .map(|r| LevelRow { client: 7, ..r })
            .collect();
        for e in adjusted_effects(&rows, 5) {
            assert!(e.adjusted_difference.is_some_and(f64::is_finite), "{e:?}");
            assert!(e.small_sample && e.ci95.is_none());
            assert_eq!(e.clients, 1);
        }
    }

    #[test]
    fn a_level_from_one_client_gives_an_estimate_without_ci() {
        let mut rows: Vec<LevelRow<Pressure>> = many_clients(Region::Legs, 12)
            .into_iter()
            .map(|r| LevelRow {
                level: if r.level {
                    Pressure::Medium
                } else {
                    Pressure::Light
                },
                region: r.region,
                before: r.before,
                change: r.change,
                client: r.client,
            })
            .collect();
        rows.extend((0..6).map(|i| row(Region::Legs, 4.0 + f64::from(i), 3.0, 3, Pressure::Deep)));
        let got = adjusted_effects(&rows, 5);
        let deep: Vec<&AdjustedEntry> = got.iter().filter(|e| e.level == "deep").collect();
        assert_eq!(deep.len(), 2);
        for e in deep {
            assert_eq!((e.rows, e.clients), (6, 1));
            assert!(e.adjusted_difference.is_some() && e.small_sample && e.ci95.is_none());
        }
        let medium = got.iter().find(|e| e.level == "medium").unwrap();
        assert!(!medium.small_sample && medium.ci95.is_some(), "{medium:?}");
    }

    #[test]
    fn same_arrival_soreness_everywhere_or_too_few_rows_gives_no_estimate() {
        let rows: Vec<LevelRow<bool>> = many_clients(Region::Head, 12)
            .into_iter()
            .map(|r| LevelRow { before: 6.0, ..r })
            .collect();
        let got = adjusted_effects(&rows, 5);
        assert_eq!(got.len(), 2);
        for e in &got {
            assert_eq!((e.adjusted_difference, e.ci95), (None, None));
            assert!(e.raw_difference.is_finite());
        }
        // Three rows, four columns (intercept, before, medium, firm): N ≤ K.
        let rows = vec![
            row(Region::Head, 3.0, 1.0, 1, Pressure::Light),
            row(Region::Head, 5.0, 2.0, 2, Pressure::Medium),
            row(Region::Head, 7.0, 1.0, 3, Pressure::Firm),
        ];
        let got = adjusted_effects(&rows, 5);
        assert_eq!(got.len(), 4, "medium and firm, pooled and head");
        assert!(
            got.iter()
                .all(|e| e.adjusted_difference.is_none() && e.ci95.is_none())
        );
        assert!(got.iter().all(|e| e.small_sample));
    }

    #[test]
    fn references_follow_each_factors_rule_and_hold_for_every_region() {
        // Technique: most rows overall ("Swedish", 3 rows) even where another leads locally;
        // a tie between "deep tissue" and "Cupping" goes to "Cupping" (alphabetical, any case).
        let t = |name: &str| Technique::new(name);
        let rows = vec![
            row(Region::Neck, 5.0, 1.0, 1, t("Swedish")),
            row(Region::Neck, 6.0, 2.0, 2, t("Swedish")),
            row(Region::Hips, 4.0, 1.0, 3, t("Swedish")),
            row(Region::Hips, 5.0, 2.0, 4, t("deep tissue")),
            row(Region::Hips, 6.0, 2.0, 5, t("deep tissue")),
        ];
        let got = adjusted_effects(&rows, 2);
        assert!(got.iter().all(|e| e.reference == "Swedish"), "{got:?}");
        let tie = vec![
            row(Region::Neck, 5.0, 1.0, 1, t("deep tissue")),
            row(Region::Neck, 6.0, 2.0, 2, t("Cupping")),
        ];
        assert_eq!(
            reference_level(&tie).map(|l| l.text()),
            Some("Cupping".into())
        );
        // Pressure: the lowest level present, not the commonest.
        let p = vec![
            row(Region::Neck, 5.0, 1.0, 1, Pressure::Firm),
            row(Region::Neck, 6.0, 2.0, 2, Pressure::Firm),
            row(Region::Neck, 6.0, 2.0, 2, Pressure::Medium),
        ];
        assert_eq!(reference_level(&p), Some(Pressure::Medium));
        assert_eq!(MinutesBand::of(5.5).key(), "6-15");
        assert!(MinutesBand::of(0.0) < MinutesBand::of(40.0));
    }

    #[test]
    fn entries_are_ordered_by_level_then_region_with_all_first() {
        let mut rows = Vec::new();
        for (i, region) in [Region::Feet, Region::Neck].into_iter().enumerate() {
            for c in 0..4u32 {
                for (j, p) in [Pressure::Deep, Pressure::Light, Pressure::Firm]
                    .into_iter()
                    .enumerate()
                {
                    let b = 3.0 + f64::from(c) + j as f64;
                    rows.push(row(
                        region,
                        b,
                        1.0 + 0.1 * (i + j) as f64 + f64::from(c % 2),
                        c,
                        p,
                    ));
                }
            }
        }
        let got: Vec<(String, String)> = adjusted_effects(&rows, 2)
            .into_iter()
            .map(|e| (e.level, e.region.key().to_string()))
            .collect();
        let want = [
            ("firm", "all"),
            ("firm", "neck"),
            ("firm", "feet"),
            ("deep", "all"),
            ("deep", "neck"),
            ("deep", "feet"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(l, r)| (l.to_string(), r.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn large_client_ids_count_and_fit_as_small_ones_do() {
        // Client ids far above the row count take the sorting path of DistinctIds; the
        // entries must be those of the same clients numbered 0, 1, 2 ….
        let mut rows = many_clients(Region::Neck, 30);
        rows.extend(many_clients(Region::Feet, 30));
        let small = adjusted_effects(&rows, 5);
        for r in &mut rows {
            // Increasing with the small ids, so clusters are added in the same order.
            r.client = 1_000_000_000 + 7 * r.client;
        }
        let large = adjusted_effects(&rows, 5);
        assert_eq!(small.len(), 3);
        assert!(
            small
                .iter()
                .all(|e| e.clients == 30 || e.region == RegionOrAll::All)
        );
        assert_eq!(small, large);
        let mut ids = distinct_clients(&rows);
        assert!(ids.sorts(), "large ids are counted by sorting");
        assert_eq!(ids.count(rows.iter().map(|r| r.client)), 30);
    }
}
