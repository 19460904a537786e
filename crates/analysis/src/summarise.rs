//! One report period's [`Summary`]: every group of SPEC §3, sorted by its keys, plus the counts,
//! files, rejects and conflicts that belong to the period.

use crate::figures::{MCID_POINTS, Thresholds, with_flags};
use crate::frame::col_names as c;
use crate::groups::{spillover, table};
use crate::{AnalysisError, Period, Prepared};
use polars::prelude::*;
use relief_core::config::AnalysisConfig;
use relief_core::summary::*;
use relief_core::{Config, Duplicate, Reject};

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
    /// The thresholds the figures are computed with, as the config's `[analysis]` gives them.
    pub analysis: AnalysisConfig,
    pub score_scale: u32,
    pub relief_version: String,
}

impl AnalysisSettings {
    /// The settings of a config, stamped with the running program's version.
    pub fn from_config(config: &Config, relief_version: &str) -> AnalysisSettings {
        AnalysisSettings {
            analysis: config.analysis.clone(),
            score_scale: config.scores.scale.into(),
            relief_version: relief_version.to_string(),
        }
    }

    fn thresholds(&self) -> Thresholds<'_> {
        let a = &self.analysis;
        Thresholds {
            responder: a.responder_threshold,
            strong: a.strong_responder_threshold,
            min_group: a.min_group_size,
            mcid_edges: &a.mcid_band_edges,
            mcid_points: &a.mcid_band_points,
        }
    }
}

impl Prepared {
    /// The figures of the whole input by month and region: the trend every period's charts and
    /// workbook show, across the whole range the input covers.
    ///
    /// # Errors
    /// [`AnalysisError::Engine`] if polars fails (a bug).
    pub fn trend(&self, settings: &AnalysisSettings) -> Result<Vec<MonthFigures>, AnalysisError> {
        let t = settings.thresholds();
        Ok(table(&with_flags(self.frame.clone(), t)?, self, t)?)
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
        // Rows are in date order: a period is a slice of the frame, taken without copying.
        let rows = self.rows_of(period);
        let t = settings.thresholds();
        let frame = with_flags(self.frame.slice(rows.start as i64, rows.len()), t)?;
        let used = rows.len() as u64;
        let unknown = unknown_counts(frame.clone().lazy())?;

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

        // The personalisation statistics run beside the group tables (polars has its own threads).
        let (personalisation, summary) = rayon::join(
            || self.personalisation(period, settings),
            || -> Result<Summary, AnalysisError> {
                Ok(Summary {
                    period: period.clone(),
                    rows,
                    files: input.files.to_vec(),
                    regions: table(&frame, self, t)?,
                    by_month: table(&frame, self, t)?,
                    by_therapist: table(&frame, self, t)?,
                    by_pressure: table(&frame, self, t)?,
                    by_focus: table(&frame, self, t)?,
                    rejects,
                    by_minutes: table(&frame, self, t)?,
                    by_technique: table(&frame, self, t)?,
                    spillover: spillover(&frame, t)?,
                    by_visit: table(&frame, self, t)?,
                    conflicts,
                    unknown,
                    settings: Settings {
                        responder_threshold: settings.analysis.responder_threshold,
                        strong_responder_threshold: settings.analysis.strong_responder_threshold,
                        min_group_size: settings.analysis.min_group_size,
                        mcid_points: MCID_POINTS,
                        score_scale: settings.score_scale,
                        relief_version: settings.relief_version.clone(),
                        mcid_band_edges: settings.analysis.mcid_band_edges.clone(),
                        mcid_band_points: settings.analysis.mcid_band_points.clone(),
                    },
                    adjusted: Vec::new(),
                    course: Vec::new(),
                })
            },
        );
        let mut summary = summary?;
        (summary.adjusted, summary.course) = personalisation?;
        Ok(summary)
    }
}

fn unknown_counts(lf: LazyFrame) -> PolarsResult<UnknownCounts> {
    let df = lf
        .select([
            col(c::PRESSURE)
                .null_count()
                .cast(DataType::UInt64)
                .alias("p"),
            col(c::FOCUS).null_count().cast(DataType::UInt64).alias("f"),
            col(c::MINUTES_BAND)
                .null_count()
                .cast(DataType::UInt64)
                .alias("m"),
            col(c::TECHNIQUE)
                .null_count()
                .cast(DataType::UInt64)
                .alias("t"),
            col(c::THERAPIST)
                .null_count()
                .cast(DataType::UInt64)
                .alias("th"),
        ])
        .collect()?;
    let get = |n: &str| -> PolarsResult<u64> { Ok(df.column(n)?.u64()?.get(0).unwrap_or(0)) };
    Ok(UnknownCounts {
        pressure: get("p")?,
        focus: get("f")?,
        minutes: get("m")?,
        technique: get("t")?,
        therapist: get("th")?,
    })
}
