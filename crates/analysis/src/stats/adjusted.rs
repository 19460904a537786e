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

use super::ols::{self, Fit, NoFit};
use super::{mean, t975};
use relief_core::personalisation::{AdjustedEntry, Factor, RegionOrAll};
use relief_core::summary::{MINUTES_BANDS, minutes_band};
use relief_core::{Pressure, Region};
use std::collections::BTreeMap;
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
pub trait FactorLevel: Ord + Clone {
    /// The factor these levels belong to.
    const FACTOR: Factor;
    /// How the reference level is chosen.
    const REFERENCE: ReferenceRule;
    /// The level as written in JSON and the workbook: `"true"`, `"firm"`, `"16-30"`, a
    /// technique's name.
    fn text(&self) -> String;
}

/// Focus: `true` against `false`.
impl FactorLevel for bool {
    const FACTOR: Factor = Factor::Focus;
    const REFERENCE: ReferenceRule = ReferenceRule::Lowest;
    fn text(&self) -> String {
        self.to_string()
    }
}

/// Pressure: each level against the lightest present.
impl FactorLevel for Pressure {
    const FACTOR: Factor = Factor::Pressure;
    const REFERENCE: ReferenceRule = ReferenceRule::Lowest;
    fn text(&self) -> String {
        self.key().to_string()
    }
}

/// A minutes band (SPEC §3 group 5), ordered `0 < 1-5 < 6-15 < 16-30 < over 30`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MinutesBand(u8);

impl MinutesBand {
    /// The band `minutes` falls in (5.5 minutes is `6-15`).
    pub fn of(minutes: f64) -> MinutesBand {
        let key = minutes_band(minutes);
        let index = MINUTES_BANDS.iter().position(|b| *b == key).unwrap_or(0);
        MinutesBand(index as u8)
    }

    /// The band's name: `16-30`.
    pub fn key(self) -> &'static str {
        MINUTES_BANDS
            .get(self.0 as usize)
            .copied()
            .unwrap_or(MINUTES_BANDS[0])
    }
}

/// Minutes band: each band against the lowest present.
impl FactorLevel for MinutesBand {
    const FACTOR: Factor = Factor::Minutes;
    const REFERENCE: ReferenceRule = ReferenceRule::Lowest;
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
/// only exist with both). The reference level is chosen once over all of them
/// ([`FactorLevel::REFERENCE`]) and used for every region. An entry exists for every level with
/// rows in a model whose reference level also has rows there: a region with focus rows only has
/// no focus entry. `small_sample` (and no CI) when the level or the reference has fewer than
/// `min_group_size` rows or fewer than 2 clients, or the model has fewer than
/// [`MIN_CLIENTS_FOR_CI`] clients. `adjusted_difference` and `ci95` are `None` for every level of
/// a model that cannot be fitted ([`NoFit`]: N ≤ K, or X rank-deficient).
///
/// The rows are put in a canonical order before anything is summed, so the input's row order
/// does not change a bit of the result.
pub fn adjusted_effects<L: FactorLevel>(
    rows: &[LevelRow<L>],
    min_group_size: u64,
) -> Vec<AdjustedEntry> {
    let Some(reference) = reference_level(rows) else {
        return Vec::new();
    };
    let mut sorted: Vec<&LevelRow<L>> = rows.iter().collect();
    sorted.sort_by(|a, b| {
        a.region
            .cmp(&b.region)
            .then_with(|| a.level.cmp(&b.level))
            .then_with(|| a.before.total_cmp(&b.before))
            .then_with(|| a.change.total_cmp(&b.change))
            .then_with(|| a.client.cmp(&b.client))
    });
    let mut entries = model_entries(&sorted, RegionOrAll::All, &reference, min_group_size);
    for region_rows in sorted.chunk_by(|a, b| a.region == b.region) {
        let scope = RegionOrAll::Region(region_rows[0].region);
        entries.extend(model_entries(
            region_rows,
            scope,
            &reference,
            min_group_size,
        ));
    }
    entries.sort_by(|(la, a), (lb, b)| la.cmp(lb).then_with(|| a.region.cmp(&b.region)));
    entries.into_iter().map(|(_, e)| e).collect()
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

/// Rows, clients and mean change of one level in one model.
struct LevelStats {
    rows: u64,
    clients: u64,
    mean_change: f64,
}

impl LevelStats {
    fn of<L>(rows: &[&LevelRow<L>]) -> LevelStats {
        let changes: Vec<f64> = rows.iter().map(|r| r.change).collect();
        LevelStats {
            rows: rows.len() as u64,
            clients: distinct(rows.iter().map(|r| r.client)) as u64,
            mean_change: mean(&changes).unwrap_or(0.0),
        }
    }
}

fn distinct(ids: impl Iterator<Item = u32>) -> usize {
    let mut v: Vec<u32> = ids.collect();
    v.sort_unstable();
    v.dedup();
    v.len()
}

/// Fits one model (one region, or pooled) and writes an entry per non-reference level.
/// `rows` are sorted by region, then level.
fn model_entries<L: FactorLevel>(
    rows: &[&LevelRow<L>],
    scope: RegionOrAll,
    reference: &L,
    min_group_size: u64,
) -> Vec<(L, AdjustedEntry)> {
    let mut by_level: BTreeMap<&L, Vec<&LevelRow<L>>> = BTreeMap::new();
    for r in rows {
        by_level.entry(&r.level).or_default().push(r);
    }
    let Some(reference_rows) = by_level.get(reference) else {
        return Vec::new();
    };
    let reference_stats = LevelStats::of(reference_rows);
    let others: Vec<&L> = by_level
        .keys()
        .copied()
        .filter(|l| *l != reference)
        .collect();
    if others.is_empty() {
        return Vec::new();
    }
    let (fitted, first_level_column) = fit_model(rows, scope, &others);
    let clients = distinct(rows.iter().map(|r| r.client));
    let t = t975(clients.saturating_sub(1) as u64);
    others
        .iter()
        .enumerate()
        .map(|(i, level)| {
            let stats = LevelStats::of(&by_level[level]);
            let small_sample = stats.rows < min_group_size
                || reference_stats.rows < min_group_size
                || stats.clients < 2
                || reference_stats.clients < 2
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
                level: level.text(),
                reference: reference.text(),
                region: scope,
                rows: stats.rows,
                clients: stats.clients as u64,
                reference_rows: reference_stats.rows,
                raw_difference: stats.mean_change - reference_stats.mean_change,
                adjusted_difference: coefficient.filter(|c| c.is_finite()),
                ci95,
                small_sample,
            };
            ((*level).clone(), entry)
        })
        .collect()
}

/// Builds X and fits it. Columns: an intercept (one region) or one indicator per region with
/// rows (pooled), then `before`, then one indicator per level of `others`, in that order.
/// Returns the fit and the column of the first level indicator.
fn fit_model<L: FactorLevel>(
    rows: &[&LevelRow<L>],
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
    let k = head + 1 + others.len();
    let mut x = Vec::with_capacity(rows.len() * k);
    for r in rows {
        if regions.is_empty() {
            x.push(1.0);
        } else {
            x.extend(regions.iter().map(|g| f64::from(u8::from(*g == r.region))));
        }
        x.push(r.before);
        x.extend(others.iter().map(|l| f64::from(u8::from(**l == r.level))));
    }
    let y: Vec<f64> = rows.iter().map(|r| r.change).collect();
    let clusters: Vec<u32> = rows.iter().map(|r| r.client).collect();
    (ols::fit(&x, k, &y, &clusters), head + 1)
}
