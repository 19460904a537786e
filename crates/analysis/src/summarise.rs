//! One report period's [`Summary`]: every group of SPEC §3, sorted by its keys, plus the counts,
//! files, rejects and conflicts that belong to the period.

use crate::figures::{MCID_POINTS, Thresholds, aggregations, read_figures};
use crate::frame::{col_names as c, day_number};
use crate::{AnalysisError, Period, Prepared};
use polars::prelude::*;
use relief_core::summary::*;
use relief_core::{Config, Duplicate, Pressure, Region, Reject};

/// What the reader found, beyond the records: it goes into every period's summary.
#[derive(Debug, Clone, Copy)]
pub struct InputFacts<'a> {
    pub files: &'a [FileReport],
    pub rejects: &'a [Reject],
    pub duplicates: &'a [Duplicate],
    /// Footer rows carry no date, so they are counted for the whole input.
    pub footer_skipped: u64,
}

/// The thresholds and settings of the analysis, from the config.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisSettings {
    pub responder_threshold: f64,
    pub strong_responder_threshold: f64,
    pub min_group_size: u64,
    pub score_scale: u32,
    pub relief_version: String,
}

impl AnalysisSettings {
    /// The settings of a config, stamped with the running program's version.
    pub fn from_config(config: &Config, relief_version: &str) -> AnalysisSettings {
        AnalysisSettings {
            responder_threshold: config.analysis.responder_threshold,
            strong_responder_threshold: config.analysis.strong_responder_threshold,
            min_group_size: config.analysis.min_group_size,
            score_scale: config.scores.scale.into(),
            relief_version: relief_version.to_string(),
        }
    }

    fn thresholds(&self) -> Thresholds {
        Thresholds {
            responder: self.responder_threshold,
            strong: self.strong_responder_threshold,
            min_group: self.min_group_size,
        }
    }
}

/// One group's figures with its key columns still in polars form.
struct Grouped {
    df: DataFrame,
    figures: Vec<Figures>,
}

impl Grouped {
    fn u32s(&self, name: &str) -> PolarsResult<Vec<Option<u32>>> {
        Ok(self
            .df
            .column(name)?
            .cast(&DataType::UInt32)?
            .u32()?
            .iter()
            .collect())
    }
    fn strs(&self, name: &str) -> PolarsResult<Vec<Option<String>>> {
        Ok(self
            .df
            .column(name)?
            .str()?
            .iter()
            .map(|s| s.map(str::to_string))
            .collect())
    }
    fn bools(&self, name: &str) -> PolarsResult<Vec<Option<bool>>> {
        Ok(self.df.column(name)?.bool()?.iter().collect())
    }
    fn regions(&self) -> PolarsResult<Vec<Region>> {
        Ok(self
            .u32s(c::REGION)?
            .into_iter()
            .map(|i| Region::ALL[i.expect("region is never null") as usize])
            .collect())
    }
}

impl Prepared {
    /// The figures of the whole input by month and region: the trend every period's charts and
    /// workbook show, across the whole range the input covers.
    ///
    /// # Errors
    /// [`AnalysisError::Engine`] if polars fails (a bug).
    pub fn trend(&self, settings: &AnalysisSettings) -> Result<Vec<MonthFigures>, AnalysisError> {
        let lf = self.frame.clone().lazy();
        Ok(by_month(lf, settings.thresholds())?)
    }

    /// Every figure of one period.
    ///
    /// # Errors
    /// [`AnalysisError::Engine`] if polars fails (a bug).
    pub fn summarise(
        &self,
        period: &Period,
        input: &InputFacts<'_>,
        settings: &AnalysisSettings,
    ) -> Result<Summary, AnalysisError> {
        let (from, to) = period.bounds();
        // Filter once; every group below then scans only the period's rows.
        let lf = self
            .frame
            .clone()
            .lazy()
            .filter(
                col(c::DAY)
                    .gt_eq(lit(day_number(from)))
                    .and(col(c::DAY).lt_eq(lit(day_number(to)))),
            )
            .collect()?
            .lazy();
        let t = settings.thresholds();
        let used = lf
            .clone()
            .select([len().cast(DataType::UInt64)])
            .collect()?;
        let used = used.columns()[0].u64()?.get(0).unwrap_or(0);
        let unknown = unknown_counts(lf.clone())?;

        let in_period = |m: &Option<String>| m.as_deref().is_none_or(|m| period.touches_month(m));
        let rejects: Vec<Reject> = input
            .rejects
            .iter()
            .filter(|r| in_period(&r.month))
            .cloned()
            .collect();
        let duplicates: Vec<&Duplicate> = input
            .duplicates
            .iter()
            .filter(|d| period.touches_month(&d.month))
            .collect();
        let conflicts: Vec<Duplicate> = duplicates
            .iter()
            .filter(|d| d.conflict.is_some())
            .map(|d| (*d).clone())
            .collect();
        let rows = RowCounts {
            read: used + rejects.len() as u64 + duplicates.len() as u64,
            used,
            rejected: rejects.len() as u64,
            duplicates: duplicates.len() as u64,
            conflicts: conflicts.len() as u64,
            footer_skipped: input.footer_skipped,
        };

        Ok(Summary {
            period: period.name(),
            rows,
            files: input.files.to_vec(),
            regions: regions(lf.clone(), t)?,
            by_month: by_month(lf.clone(), t)?,
            by_therapist: by_therapist(lf.clone(), t)?,
            by_pressure: by_pressure(lf.clone(), t)?,
            by_focus: by_focus(lf.clone(), t)?,
            rejects,
            by_minutes: by_minutes(lf.clone(), t)?,
            by_technique: by_technique(lf.clone(), t)?,
            spillover: spillover(lf.clone(), t)?,
            by_visit: by_visit(lf, t)?,
            conflicts,
            unknown,
            settings: Settings {
                responder_threshold: settings.responder_threshold,
                strong_responder_threshold: settings.strong_responder_threshold,
                min_group_size: settings.min_group_size,
                mcid_points: MCID_POINTS,
                score_scale: settings.score_scale,
                relief_version: settings.relief_version.clone(),
            },
        })
    }
}

/// Alphabetical order as a reader expects it: case does not matter (`anna` before `Bob`); names
/// equal but for case keep a fixed order so output stays deterministic.
fn alphabetical(a: &str, b: &str) -> std::cmp::Ordering {
    a.to_lowercase()
        .cmp(&b.to_lowercase())
        .then_with(|| a.cmp(b))
}

/// Aggregates `lf` by `keys` (region always last), rows with a null key left out.
fn group(lf: LazyFrame, keys: &[&str], t: Thresholds) -> PolarsResult<Grouped> {
    let mut lf = lf;
    for k in keys {
        lf = lf.filter(col(*k).is_not_null());
    }
    let by: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
    let df = lf
        .group_by(by.clone())
        .agg(aggregations(t))
        .sort(
            keys.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
            SortMultipleOptions::default(),
        )
        .collect()?;
    let figures = read_figures(&df, t)?;
    Ok(Grouped { df, figures })
}

fn regions(lf: LazyFrame, t: Thresholds) -> PolarsResult<Vec<RegionFigures>> {
    let g = group(lf, &[c::REGION], t)?;
    let regions = g.regions()?;
    let mut out: Vec<RegionFigures> = regions
        .into_iter()
        .zip(g.figures)
        .map(|(region, figures)| RegionFigures { region, figures })
        .collect();
    out.sort_by_key(|r| r.region);
    Ok(out)
}

fn by_month(lf: LazyFrame, t: Thresholds) -> PolarsResult<Vec<MonthFigures>> {
    let g = group(lf, &[c::MONTH, c::REGION], t)?;
    let (months, regions) = (g.strs(c::MONTH)?, g.regions()?);
    let mut out: Vec<MonthFigures> = months
        .into_iter()
        .zip(regions)
        .zip(g.figures)
        .map(|((month, region), figures)| MonthFigures {
            month: month.unwrap_or_default(),
            region,
            figures,
        })
        .collect();
    out.sort_by(|a, b| (&a.month, a.region).cmp(&(&b.month, b.region)));
    Ok(out)
}

fn by_therapist(lf: LazyFrame, t: Thresholds) -> PolarsResult<Vec<TherapistFigures>> {
    let g = group(lf, &[c::THERAPIST, c::REGION], t)?;
    let (names, regions) = (g.strs(c::THERAPIST)?, g.regions()?);
    let mut out: Vec<TherapistFigures> = names
        .into_iter()
        .zip(regions)
        .zip(g.figures)
        .map(|((therapist, region), figures)| TherapistFigures {
            therapist: therapist.unwrap_or_default(),
            region,
            figures,
        })
        .collect();
    out.sort_by(|a, b| alphabetical(&a.therapist, &b.therapist).then(a.region.cmp(&b.region)));
    Ok(out)
}

fn by_pressure(lf: LazyFrame, t: Thresholds) -> PolarsResult<Vec<PressureFigures>> {
    let g = group(lf, &[c::PRESSURE, c::REGION], t)?;
    let (levels, regions) = (g.u32s(c::PRESSURE)?, g.regions()?);
    let mut out: Vec<PressureFigures> = levels
        .into_iter()
        .zip(regions)
        .zip(g.figures)
        .map(|((level, region), figures)| PressureFigures {
            pressure: Pressure::ALL[level.expect("nulls filtered") as usize],
            region,
            figures,
        })
        .collect();
    out.sort_by_key(|r| (r.pressure, r.region));
    Ok(out)
}

fn by_focus(lf: LazyFrame, t: Thresholds) -> PolarsResult<Vec<FocusFigures>> {
    let g = group(lf, &[c::FOCUS, c::REGION], t)?;
    let (flags, regions) = (g.bools(c::FOCUS)?, g.regions()?);
    let mut out: Vec<FocusFigures> = flags
        .into_iter()
        .zip(regions)
        .zip(g.figures)
        .map(|((focus, region), figures)| FocusFigures {
            focus: focus.expect("nulls filtered"),
            region,
            figures,
        })
        .collect();
    out.sort_by_key(|r| (r.focus, r.region));
    Ok(out)
}

fn by_minutes(lf: LazyFrame, t: Thresholds) -> PolarsResult<Vec<MinutesFigures>> {
    let g = group(lf, &[c::MINUTES_BAND, c::REGION], t)?;
    let (bands, regions) = (g.u32s(c::MINUTES_BAND)?, g.regions()?);
    let mut rows: Vec<(u32, MinutesFigures)> = bands
        .into_iter()
        .zip(regions)
        .zip(g.figures)
        .map(|((band, region), figures)| {
            let band = band.expect("nulls filtered");
            let row = MinutesFigures {
                minutes_band: MINUTES_BANDS[band as usize].to_string(),
                region,
                figures,
            };
            (band, row)
        })
        .collect();
    rows.sort_by_key(|(band, r)| (*band, r.region));
    Ok(rows.into_iter().map(|(_, r)| r).collect())
}

fn by_technique(lf: LazyFrame, t: Thresholds) -> PolarsResult<Vec<TechniqueFigures>> {
    let g = group(lf, &[c::TECHNIQUE, c::REGION], t)?;
    let (names, regions) = (g.strs(c::TECHNIQUE)?, g.regions()?);
    let mut out: Vec<TechniqueFigures> = names
        .into_iter()
        .zip(regions)
        .zip(g.figures)
        .map(|((technique, region), figures)| TechniqueFigures {
            technique: technique.unwrap_or_default(),
            region,
            figures,
        })
        .collect();
    out.sort_by(|a, b| alphabetical(&a.technique, &b.technique).then(a.region.cmp(&b.region)));
    Ok(out)
}

/// For every target region, its figures when each other region was or was not also worked in
/// the same session.
fn spillover(lf: LazyFrame, t: Thresholds) -> PolarsResult<Vec<SpilloverFigures>> {
    let mut out = Vec::new();
    for (i, other) in Region::ALL.into_iter().enumerate() {
        let worked = c::worked(other);
        let g = group(
            lf.clone().filter(col(c::REGION).neq(lit(i as u32))),
            &[worked.as_str(), c::REGION],
            t,
        )?;
        let (flags, regions) = (g.bools(&worked)?, g.regions()?);
        out.extend(flags.into_iter().zip(regions).zip(g.figures).map(
            |((flag, region), figures)| SpilloverFigures {
                other_region: other,
                other_worked: flag.expect("never null"),
                region,
                figures,
            },
        ));
    }
    // Lower back, the region clinics ask about most, comes first as a target (SPEC §3 group 7).
    let target_rank = |r: Region| (r != Region::LowerBack, r);
    out.sort_by_key(|r| (target_rank(r.region), r.other_region, r.other_worked));
    Ok(out)
}

fn by_visit(lf: LazyFrame, t: Thresholds) -> PolarsResult<Vec<VisitFigures>> {
    let g = group(lf, &[c::VISIT, c::REGION], t)?;
    let (visits, regions) = (g.u32s(c::VISIT)?, g.regions()?);
    let mut out: Vec<VisitFigures> = visits
        .into_iter()
        .zip(regions)
        .zip(g.figures)
        .map(|((visit, region), figures)| VisitFigures {
            visit: visit.expect("never null"),
            region,
            figures,
        })
        .collect();
    out.sort_by_key(|r| (r.visit, r.region));
    Ok(out)
}

fn unknown_counts(lf: LazyFrame) -> PolarsResult<UnknownCounts> {
    let df = lf
        .select([
            col(c::PRESSURE)
                .null_count()
                .cast(DataType::UInt64)
                .alias("p"),
            col(c::FOCUS).null_count().cast(DataType::UInt64).alias("f"),
            col(c::MINUTES)
                .null_count()
                .cast(DataType::UInt64)
                .alias("m"),
            col(c::TECHNIQUE)
                .null_count()
                .cast(DataType::UInt64)
                .alias("t"),
        ])
        .collect()?;
    let get = |n: &str| -> PolarsResult<u64> { Ok(df.column(n)?.u64()?.get(0).unwrap_or(0)) };
    Ok(UnknownCounts {
        pressure: get("p")?,
        focus: get("f")?,
        minutes: get("m")?,
        technique: get("t")?,
    })
}
