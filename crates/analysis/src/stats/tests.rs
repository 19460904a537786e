//! Checks of the statistics against an independent computation and against invariants.
//!
//! - A second, deliberately simple implementation (normal equations in plain `f64`, solved and
//!   inverted by a hand-written Gauss–Jordan elimination, its own CR1 sum over a `HashMap` of
//!   clusters, its own design matrices and reference choice) must agree with [`ols::fit`] and
//!   [`adjusted_effects`] to 1e-9 on generated clinic data (seeded ChaCha).
//! - On that data, whose true focus effect is known, the adjusted difference finds it and the
//!   raw one overstates it — the story SPEC §3.2 exists to tell.
//! - Property tests: permuting rows or renaming clients changes nothing; duplicating every
//!   client's rows under a new client id leaves the coefficients unchanged.

use super::*;
use chrono::NaiveDate;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relief_core::personalisation::{AdjustedEntry, RegionOrAll};
use relief_core::{Period, Pressure, Region, config::AnalysisConfig};
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::collections::{BTreeMap, BTreeSet, HashMap};

// ---------- the simple implementation ----------

/// Inverts a square matrix by Gauss–Jordan elimination with partial pivoting.
fn gauss_jordan_inverse(mut a: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    let k = a.len();
    let mut inv: Vec<Vec<f64>> = (0..k)
        .map(|i| (0..k).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    for col in 0..k {
        let pivot = (col..k)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap();
        a.swap(col, pivot);
        inv.swap(col, pivot);
        let p = a[col][col];
        assert!(p.abs() > 1e-12, "singular in the test's own solve");
        for j in 0..k {
            a[col][j] /= p;
            inv[col][j] /= p;
        }
        for i in 0..k {
            if i != col {
                let f = a[i][col];
                for j in 0..k {
                    a[i][j] -= f * a[col][j];
                    inv[i][j] -= f * inv[col][j];
                }
            }
        }
    }
    inv
}

fn mat_vec(m: &[Vec<f64>], v: &[f64]) -> Vec<f64> {
    m.iter()
        .map(|row| row.iter().zip(v).map(|(a, b)| a * b).sum())
        .collect()
}

fn mat_mul(a: &[Vec<f64>], b: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let k = b[0].len();
    a.iter()
        .map(|row| {
            (0..k)
                .map(|j| row.iter().zip(b).map(|(x, brow)| x * brow[j]).sum())
                .collect()
        })
        .collect()
}

struct Naive {
    beta: Vec<f64>,
    residuals: Vec<f64>,
    cov: Vec<Vec<f64>>,
}

/// β = (X′X)⁻¹X′y; V = (X′X)⁻¹ (Σ_g s_g s_gᵀ) (X′X)⁻¹ · G/(G−1) · (N−1)/(N−K).
fn naive_fit(x: &[Vec<f64>], y: &[f64], clusters: &[u32]) -> Naive {
    let (n, k) = (x.len(), x[0].len());
    let mut xtx = vec![vec![0.0; k]; k];
    let mut xty = vec![0.0; k];
    for (row, yi) in x.iter().zip(y) {
        for i in 0..k {
            xty[i] += row[i] * yi;
            for j in 0..k {
                xtx[i][j] += row[i] * row[j];
            }
        }
    }
    let bread = gauss_jordan_inverse(xtx);
    let beta = mat_vec(&bread, &xty);
    let residuals: Vec<f64> = x
        .iter()
        .zip(y)
        .map(|(row, yi)| yi - row.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>())
        .collect();
    let mut scores: HashMap<u32, Vec<f64>> = HashMap::new();
    for ((row, u), c) in x.iter().zip(&residuals).zip(clusters) {
        let s = scores.entry(*c).or_insert_with(|| vec![0.0; k]);
        for j in 0..k {
            s[j] += row[j] * u;
        }
    }
    let mut meat = vec![vec![0.0; k]; k];
    for s in scores.values() {
        for i in 0..k {
            for j in 0..k {
                meat[i][j] += s[i] * s[j];
            }
        }
    }
    let g = scores.len() as f64;
    let factor = g / (g - 1.0) * (n as f64 - 1.0) / (n - k) as f64;
    let cov = mat_mul(&mat_mul(&bread, &meat), &bread)
        .into_iter()
        .map(|r| r.into_iter().map(|v| v * factor).collect())
        .collect();
    Naive {
        beta,
        residuals,
        cov,
    }
}

/// The adjusted entries of one factor, computed the long way: levels are indices 0, 1, 2 …
/// in natural order, the reference is the lowest present.
fn naive_adjusted(
    rows: &[(Region, f64, f64, u32, usize)],
    min: u64,
) -> Vec<(usize, RegionOrAll, NaiveEntry)> {
    let reference = rows.iter().map(|r| r.4).min().unwrap();
    let mut scopes: Vec<RegionOrAll> = vec![RegionOrAll::All];
    let regions: BTreeSet<Region> = rows.iter().map(|r| r.0).collect();
    scopes.extend(regions.iter().map(|r| RegionOrAll::Region(*r)));
    let mut out = Vec::new();
    for scope in scopes {
        let model: Vec<_> = rows
            .iter()
            .filter(|r| scope == RegionOrAll::All || scope == RegionOrAll::Region(r.0))
            .collect();
        let levels: BTreeSet<usize> = model.iter().map(|r| r.4).collect();
        if !levels.contains(&reference) || levels.len() < 2 {
            continue;
        }
        let others: Vec<usize> = levels.into_iter().filter(|l| *l != reference).collect();
        let model_regions = distinct_regions(model.iter().map(|r| r.0));
        let x: Vec<Vec<f64>> = model
            .iter()
            .map(|r| {
                let mut v = Vec::new();
                if scope == RegionOrAll::All {
                    v.extend(
                        model_regions
                            .iter()
                            .map(|g| if *g == r.0 { 1.0 } else { 0.0 }),
                    );
                } else {
                    v.push(1.0);
                }
                v.push(r.1);
                v.extend(others.iter().map(|l| if *l == r.4 { 1.0 } else { 0.0 }));
                v
            })
            .collect();
        let y: Vec<f64> = model.iter().map(|r| r.2).collect();
        let c: Vec<u32> = model.iter().map(|r| r.3).collect();
        let fit = naive_fit(&x, &y, &c);
        let g = c.iter().collect::<BTreeSet<_>>().len();
        let t = StudentsT::new(0.0, 1.0, (g - 1) as f64)
            .unwrap()
            .inverse_cdf(0.975);
        let k = x[0].len();
        let stats = |level: usize| {
            let r: Vec<_> = model.iter().filter(|r| r.4 == level).collect();
            let mean = r.iter().map(|r| r.2).sum::<f64>() / r.len() as f64;
            let clients = r.iter().map(|r| r.3).collect::<BTreeSet<_>>().len();
            (r.len() as u64, clients, mean)
        };
        let (ref_rows, ref_clients, ref_mean) = stats(reference);
        for (i, level) in others.iter().enumerate() {
            let j = k - others.len() + i;
            let (rows, clients, mean) = stats(*level);
            let small = rows < min || ref_rows < min || clients < 2 || ref_clients < 2 || g < 10;
            let b = fit.beta[j];
            let se = fit.cov[j][j].sqrt();
            out.push((
                *level,
                scope,
                NaiveEntry {
                    rows,
                    clients: clients as u64,
                    reference_rows: ref_rows,
                    raw: mean - ref_mean,
                    adjusted: b,
                    ci: (!small).then_some([b - t * se, b + t * se]),
                },
            ));
        }
    }
    out.sort_by_key(|a| (a.0, a.1));
    out
}

struct NaiveEntry {
    rows: u64,
    clients: u64,
    reference_rows: u64,
    raw: f64,
    adjusted: f64,
    ci: Option<[f64; 2]>,
}

// ---------- generated clinic data ----------

/// One generated session × region: region, before, change, client, focus, pressure level.
#[derive(Debug, Clone, Copy)]
struct Visit {
    region: Region,
    before: f64,
    change: f64,
    client: u32,
    focus: bool,
    pressure: usize,
}

/// A clinic's records with known effects: change = 0.35·before + 1.0·focus + 0.25·pressure
/// level + a client effect + noise, in half points. Clients ask for focus mostly on their
/// sorest regions, so raw focus means are inflated by arrival soreness.
fn clinic(seed: u64, clients: u32) -> Vec<Visit> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let regions = [
        Region::Neck,
        Region::Shoulders,
        Region::LowerBack,
        Region::Hips,
    ];
    let half = |v: f64| (v * 2.0).round() / 2.0;
    let mut out = Vec::new();
    for client in 0..clients {
        let effect: f64 = rng.random_range(-0.8..0.8);
        for _ in 0..rng.random_range(1..7) {
            for (i, region) in regions.iter().enumerate() {
                if rng.random_bool(0.35) {
                    continue;
                }
                let before = half(rng.random_range(1.0..9.5) + i as f64 * 0.2).min(10.0);
                let focus = rng.random_bool(((before - 1.0) / 9.0).clamp(0.05, 0.95));
                let pressure = rng.random_range(0..4usize);
                let noise: f64 = rng.random_range(-1.5..1.5);
                let change = 0.35 * before
                    + if focus { 1.0 } else { 0.0 }
                    + 0.25 * pressure as f64
                    + effect
                    + noise;
                let change = half(change).clamp(before - 10.0, before);
                out.push(Visit {
                    region: *region,
                    before,
                    change,
                    client,
                    focus,
                    pressure,
                });
            }
        }
    }
    out
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

/// Each region once, in order: the indicator columns of a model.
fn distinct_regions(regions: impl Iterator<Item = Region>) -> Vec<Region> {
    regions.collect::<BTreeSet<_>>().into_iter().collect()
}

#[test]
fn ols_agrees_with_the_normal_equations_on_generated_data() {
    for seed in 0..20 {
        let data = clinic(seed, 25 + seed as u32);
        // Pooled pressure model: region indicators, before, medium/firm/deep indicators.
        let regions = distinct_regions(data.iter().map(|v| v.region));
        let x: Vec<Vec<f64>> = data
            .iter()
            .map(|v| {
                let mut row: Vec<f64> = regions
                    .iter()
                    .map(|r| f64::from(u8::from(*r == v.region)))
                    .collect();
                row.push(v.before);
                row.extend((1..4).map(|p| f64::from(u8::from(p == v.pressure))));
                row
            })
            .collect();
        let y: Vec<f64> = data.iter().map(|v| v.change).collect();
        let c: Vec<u32> = data.iter().map(|v| v.client).collect();
        let naive = naive_fit(&x, &y, &c);
        let k = x[0].len();
        let flat: Vec<f64> = x.concat();
        let f = ols::fit(&flat, k, &y, &c).unwrap();
        for (a, b) in f.coefficients.iter().zip(&naive.beta) {
            assert!(close(*a, *b, 1e-9), "seed {seed}: β {a} vs {b}");
        }
        for ((row, yi), b) in x.iter().zip(&y).zip(&naive.residuals) {
            let a = yi
                - row
                    .iter()
                    .zip(&f.coefficients)
                    .map(|(x, c)| x * c)
                    .sum::<f64>();
            assert!(close(a, *b, 1e-9), "seed {seed}: u {a} vs {b}");
        }
        let cov = f.covariance.unwrap();
        for i in 0..k {
            for j in 0..k {
                let (a, b) = (cov[i * k + j], naive.cov[i][j]);
                assert!(close(a, b, 1e-9), "seed {seed}: V[{i}][{j}] {a} vs {b}");
            }
        }
    }
}

fn assert_matches_naive(
    got: &[AdjustedEntry],
    want: &[(usize, RegionOrAll, NaiveEntry)],
    what: &str,
) {
    assert_eq!(got.len(), want.len(), "{what}: {got:?}");
    for (e, (_, scope, w)) in got.iter().zip(want) {
        assert_eq!(e.region, *scope, "{what}");
        assert_eq!(
            (e.rows, e.clients, e.reference_rows),
            (w.rows, w.clients, w.reference_rows),
            "{what}"
        );
        assert!(close(e.raw_difference, w.raw, 1e-9), "{what}: raw {e:?}");
        assert!(
            close(e.adjusted_difference.unwrap(), w.adjusted, 1e-9),
            "{what}: {e:?}"
        );
        match (e.ci95, w.ci) {
            (Some([a, b]), Some([c, d])) => {
                assert!(close(a, c, 1e-9) && close(b, d, 1e-9), "{what}: {e:?}")
            }
            (None, None) => {}
            _ => panic!("{what}: CI {:?} vs {:?}", e.ci95, w.ci),
        }
    }
}

/// The generated visits as rows of the adjusted model, at the level `level` picks.
fn level_rows<'v, L>(
    data: impl IntoIterator<Item = &'v Visit>,
    level: impl Fn(&Visit) -> L,
) -> Vec<LevelRow<L>> {
    data.into_iter()
        .map(|v| LevelRow {
            region: v.region,
            before: v.before,
            change: v.change,
            client: v.client,
            level: level(v),
        })
        .collect()
}

#[test]
fn adjusted_effects_agree_with_the_long_way_on_generated_data() {
    for seed in [3, 11, 42] {
        let data = clinic(seed, 40);
        let focus = level_rows(&data, |v| v.focus);
        let naive: Vec<_> = data
            .iter()
            .map(|v| (v.region, v.before, v.change, v.client, usize::from(v.focus)))
            .collect();
        assert_matches_naive(
            &adjusted_effects(&focus, 5),
            &naive_adjusted(&naive, 5),
            "focus",
        );

        // Pressure, with the lightest level left out so "medium" is the reference.
        let data: Vec<&Visit> = data.iter().filter(|v| v.pressure > 0).collect();
        let pressure = level_rows(data.iter().copied(), |v| Pressure::ALL[v.pressure]);
        let naive: Vec<_> = data
            .iter()
            .map(|v| (v.region, v.before, v.change, v.client, v.pressure))
            .collect();
        let got = adjusted_effects(&pressure, 5);
        assert!(got.iter().all(|e| e.reference == "medium"));
        assert_matches_naive(&got, &naive_adjusted(&naive, 5), "pressure");
    }
}

#[test]
fn adjusted_focus_difference_finds_the_true_effect_where_raw_overstates_it() {
    let data = clinic(7, 150);
    let rows = level_rows(&data, |v| v.focus);
    let pooled = &adjusted_effects(&rows, 5)[0];
    assert_eq!(pooled.region, RegionOrAll::All);
    let adjusted = pooled.adjusted_difference.unwrap();
    let [lo, hi] = pooled.ci95.unwrap();
    // Built with a true effect of 1.0 point; focus regions arrive sorer, so raw is inflated.
    assert!(lo < 1.0 && 1.0 < hi, "CI {lo}..{hi} misses the true 1.0");
    assert!(
        pooled.raw_difference > adjusted + 0.5,
        "raw {} adjusted {adjusted}",
        pooled.raw_difference
    );
}

// ---------- properties ----------

type RawRow = (usize, u8, u8, u32, usize);

fn to_rows(raw: &[RawRow], rename: &[u32]) -> Vec<LevelRow<Pressure>> {
    const REGIONS: [Region; 3] = [Region::Neck, Region::LowerBack, Region::Feet];
    raw.iter()
        .map(|&(region, before, after, client, level)| {
            let (before, after) = (f64::from(before) / 2.0, f64::from(after) / 2.0);
            LevelRow {
                region: REGIONS[region],
                before,
                change: before - after,
                client: rename[client as usize],
                level: Pressure::ALL[level],
            }
        })
        .collect()
}

fn raw_rows() -> impl Strategy<Value = Vec<RawRow>> {
    prop::collection::vec((0..3usize, 0..=20u8, 0..=20u8, 0..12u32, 0..3usize), 1..60)
}

fn same_option(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => close(a, b, 1e-9),
        (None, None) => true,
        _ => false,
    }
}

fn assert_finite(entries: &[AdjustedEntry]) {
    for e in entries {
        let values = [
            Some(e.raw_difference),
            e.adjusted_difference,
            e.ci95.map(|c| c[0]),
            e.ci95.map(|c| c[1]),
        ];
        assert!(values.iter().flatten().all(|v| v.is_finite()), "{e:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn permuting_rows_or_renaming_clients_changes_nothing(
        (raw, shuffled, names) in raw_rows().prop_flat_map(|raw| {
            let names: Vec<u32> = (100..112).collect();
            (Just(raw.clone()), Just(raw).prop_shuffle(), Just(names).prop_shuffle())
        })
    ) {
        let identity: Vec<u32> = (0..12).collect();
        let a = adjusted_effects(to_rows(&raw, &identity), 3);
        let b = adjusted_effects(to_rows(&shuffled, &names), 3);
        assert_finite(&a);
        prop_assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            prop_assert_eq!((&x.level, x.region, x.rows, x.clients, x.reference_rows, x.small_sample),
                (&y.level, y.region, y.rows, y.clients, y.reference_rows, y.small_sample));
            prop_assert!(close(x.raw_difference, y.raw_difference, 1e-9));
            prop_assert!(same_option(x.adjusted_difference, y.adjusted_difference), "{:?} vs {:?}", x, y);
            prop_assert!(same_option(x.ci95.map(|c| c[0]), y.ci95.map(|c| c[0])));
            prop_assert!(same_option(x.ci95.map(|c| c[1]), y.ci95.map(|c| c[1])));
        }
    }

    #[test]
    fn duplicating_clients_under_new_ids_keeps_the_coefficients(raw in raw_rows()) {
        let identity: Vec<u32> = (0..12).collect();
        let twins: Vec<u32> = (1000..1012).collect();
        let once = to_rows(&raw, &identity);
        let mut twice = once.clone();
        twice.extend(to_rows(&raw, &twins));
        let a = adjusted_effects(&once, 3);
        let b = adjusted_effects(&twice, 3);
        assert_finite(&b);
        prop_assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            prop_assert_eq!((&x.level, x.region), (&y.level, y.region));
            prop_assert_eq!((2 * x.rows, 2 * x.clients, 2 * x.reference_rows), (y.rows, y.clients, y.reference_rows));
            prop_assert!(close(x.raw_difference, y.raw_difference, 1e-9));
            if let Some(c) = x.adjusted_difference {
                let d = y.adjusted_difference;
                prop_assert!(d.is_some_and(|d| close(c, d, 1e-9)), "{:?} vs {:?}", x, y);
            }
        }
    }

    #[test]
    fn course_of_care_ignores_row_order_and_client_names(
        (raw, shuffled, names) in prop::collection::vec((0..3usize, 0..6u32, 0..40u8, 0..=20u8), 1..60)
            .prop_flat_map(|raw| {
                let names: Vec<u32> = (50..56).collect();
                (Just(raw.clone()), Just(raw).prop_shuffle(), Just(names).prop_shuffle())
            })
    ) {
        let start = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
        let period = Period::Range { from: start + chrono::Days::new(20), to: start + chrono::Days::new(30) };
        // Visit numbers from the day, as the caller would number them.
        let rows = |raw: &[(usize, u32, u8, u8)], names: &[u32]| -> Vec<CourseRow> {
            raw.iter().map(|&(region, client, day, before)| CourseRow {
                client: names[client as usize],
                region: [Region::Head, Region::Arms, Region::Legs][region],
                date: start + chrono::Days::new(u64::from(day)),
                visit: u32::from(day) + 1,
                before: f64::from(before) / 2.0,
            }).collect()
        };
        let identity: Vec<u32> = (0..6).collect();
        let config = AnalysisConfig { min_group_size: 2, ..AnalysisConfig::default() };
        let a = course_of_care(rows(&raw, &identity), &period, &config);
        let b = course_of_care(rows(&shuffled, &names), &period, &config);
        prop_assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            prop_assert_eq!((x.region, x.clients, x.small_sample, x.median_sessions), (y.region, y.clients, y.small_sample, y.median_sessions));
            prop_assert!(close(x.mean_fall, y.mean_fall, 1e-12) && close(x.mean_first, y.mean_first, 1e-12));
            prop_assert!(same_option(x.sd_fall, y.sd_fall) && same_option(x.mcid_rate, y.mcid_rate));
            prop_assert!(same_option(x.fall_30_rate, y.fall_30_rate));
            prop_assert!(x.mean_fall.is_finite() && x.sd_fall.is_none_or(f64::is_finite));
        }
    }
}

#[test]
fn generated_data_has_every_kind_of_level_the_checks_rely_on() {
    // Guards the generator: the comparisons above are only as good as the spread of the data.
    let data = clinic(3, 40);
    let by_level: BTreeMap<usize, usize> = data.iter().fold(BTreeMap::new(), |mut m, v| {
        *m.entry(v.pressure).or_default() += 1;
        m
    });
    assert_eq!(by_level.len(), 4);
    assert!(data.iter().filter(|v| v.focus).count() > 50);
    assert!(data.iter().filter(|v| !v.focus).count() > 50);
    let clients: BTreeSet<u32> = data.iter().map(|v| v.client).collect();
    assert!(clients.len() >= 35);
}
