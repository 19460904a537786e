//! The report model: every figure of one report period, in the exact shape of `summary.json`
//! (SPEC §4.3.1).
//!
//! The analysis fills it, and the workbook and chart writers draw it, so neither writer ever
//! sees polars or calamine types. Field order here is the JSON's field order; new fields may be
//! added, none renamed or removed. Figures that cannot be computed are `None` (JSON `null`).
//! Each group's key and description is in `groups`.

use crate::personalisation::{AdjustedEntry, CourseEntry};
use crate::{Duplicate, Period, Reject};
use serde::{Deserialize, Serialize};

/// Everything one report period says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The report period; written as `2026-10` for a month, `2026-01_2026-12` for a range.
    pub period: Period,
    pub rows: RowCounts,
    pub files: Vec<FileReport>,
    /// Overall figures per region, in region order.
    pub regions: Vec<RegionFigures>,
    pub by_month: Vec<MonthFigures>,
    pub by_therapist: Vec<TherapistFigures>,
    pub by_pressure: Vec<PressureFigures>,
    pub by_focus: Vec<FocusFigures>,
    pub rejects: Vec<Reject>,
    pub by_minutes: Vec<MinutesFigures>,
    pub by_technique: Vec<TechniqueFigures>,
    pub spillover: Vec<SpilloverFigures>,
    pub by_visit: Vec<VisitFigures>,
    /// Conflicting copies of the same session × region: both places, and what differs.
    pub conflicts: Vec<Duplicate>,
    /// Rows left out of one group's table because the export did not record that value.
    pub unknown: UnknownCounts,
    /// The settings the figures were computed with.
    pub settings: Settings,
    /// Each personalisation factor's difference at equal arrival soreness (SPEC §3.2), ordered
    /// by factor, level, then region with `all` first. Absent in summaries written before it
    /// existed, hence the default.
    #[serde(default)]
    pub adjusted: Vec<AdjustedEntry>,
    /// How far regular clients' arrival soreness fell over their course of care, per region
    /// (SPEC §3.3), in region order.
    #[serde(default)]
    pub course: Vec<CourseEntry>,
}

impl Summary {
    /// Mean arrival (before) soreness of the focus rows (`true`) or the other rows over every
    /// region, weighted by rows; `None` without such rows. It says whether focus regions arrive
    /// sorer, which is why their adjusted difference shrinks.
    pub fn focus_arrival(&self, focus: bool) -> Option<f64> {
        let (sum, n) = self.by_focus.iter().filter(|f| f.key.focus == focus).fold(
            (0.0, 0u64),
            |(sum, n), f| {
                (
                    sum + f.figures.mean_before * f.figures.rows as f64,
                    n + f.figures.rows,
                )
            },
        );
        (n > 0).then(|| sum / n as f64)
    }

    /// The mean of `value` over the course-of-care regions, each weighted by its clients: the
    /// figure over every counted client. `None` when no client is counted.
    pub fn course_mean(&self, value: impl Fn(&CourseEntry) -> f64) -> Option<f64> {
        let clients: u64 = self.course.iter().map(|e| e.clients).sum();
        (clients > 0).then(|| {
            self.course
                .iter()
                .map(|e| value(e) * e.clients as f64)
                .sum::<f64>()
                / clients as f64
        })
    }
}

/// The counting identity: `read = used + rejected + duplicates`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowCounts {
    pub read: u64,
    pub used: u64,
    pub rejected: u64,
    pub duplicates: u64,
    /// Copies that lost a conflict (also counted in `duplicates`).
    pub conflicts: u64,
    pub footer_skipped: u64,
}

/// One input file and what was found in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileReport {
    pub path: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// Why the file could not be read at all, in plain words; `None` when it was read.
    pub error: Option<String>,
    pub sheets: Vec<SheetReport>,
}

/// One sheet of an input file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetReport {
    pub name: String,
    /// `long` or `wide`.
    pub layout: String,
    /// As Excel shows it, counting from 1.
    pub header_row: u32,
    pub rows_read: u64,
    pub rows_used: u64,
    pub rows_rejected: u64,
    pub rows_duplicate: u64,
    pub footer_skipped: u64,
    /// Whether the sheet is hidden in the workbook (hidden sheets are read like the others).
    #[serde(default)]
    pub hidden: bool,
}

/// The figures of one group (SPEC §3). Rates are fractions 0–1; nothing is rounded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub rows: u64,
    pub sessions: u64,
    pub clients: u64,
    pub mean_before: f64,
    pub mean_after: f64,
    /// `mean_before − mean_after`; positive means relief.
    pub mean_change: f64,
    /// Median of the changes; with an even count, the midpoint of the two middle values.
    pub median_change: f64,
    /// Sample standard deviation (n − 1); `None` with a single row.
    pub sd_change: Option<f64>,
    /// 95 % confidence interval of the mean change (Student t); `None` for a small sample.
    pub ci95: Option<[f64; 2]>,
    pub improved_rate: f64,
    pub worse_rate: f64,
    /// Share of rows (with before > 0) whose relative relief is at least the responder threshold.
    pub responder_rate: Option<f64>,
    /// Share of rows (with before > 0) whose relative relief is at least the strong threshold.
    pub strong_responder_rate: Option<f64>,
    /// Standardised response mean: mean change / SD of change; `None` when SD is 0 or unknown.
    pub srm: Option<f64>,
    /// Fewer rows than the configured minimum: shown, but flagged and without a CI.
    pub small_sample: bool,
    pub unchanged_rate: f64,
    /// Rows with before = 0, left out of the relative rates.
    pub zero_before_rows: u64,
    /// Whether the mean change reaches the 2-point minimal clinically important difference.
    pub meets_mcid: bool,
    /// Share of rows (with before ≥ 1) whose change reaches the clinically important change for
    /// their arrival soreness (SPEC §3.1: by default 1 point below 5, 2 from 5, 3 from 8);
    /// `None` when no row arrived at 1 or more.
    #[serde(default)]
    pub mcid_rate: Option<f64>,
}

mod groups;

pub use groups::{
    FocusKey, GroupKey, GroupSpec, GroupTable, KeyCell, Keyed, MinutesKey, MonthKey, PressureKey,
    RegionKey, SpilloverKey, TechniqueKey, TherapistKey, Unknown, VisitKey, alphabetical,
    sort_rows,
};

/// Overall figures of one region.
pub type RegionFigures = Keyed<RegionKey>;
/// Figures of one region in one month (`YYYY-MM`).
pub type MonthFigures = Keyed<MonthKey>;
/// Figures of one region for one therapist.
pub type TherapistFigures = Keyed<TherapistKey>;
/// Figures of one region at one pressure level.
pub type PressureFigures = Keyed<PressureKey>;
/// Figures of one region, focus regions (`true`) against the rest.
pub type FocusFigures = Keyed<FocusKey>;
/// Figures of one region by minutes spent on it.
pub type MinutesFigures = Keyed<MinutesKey>;
/// Figures of one region by technique, as the export names it.
pub type TechniqueFigures = Keyed<TechniqueKey>;
/// Figures of one region (the target) when another region was also worked in the same
/// session (`other_worked`) or not.
pub type SpilloverFigures = Keyed<SpilloverKey>;
/// Figures of one region by the client's visit number (1 for the first visit seen in the
/// whole input); `mean_before` answers "do clients arrive less sore over a course?".
pub type VisitFigures = Keyed<VisitKey>;

/// Rows left out of one group's table because the value was not recorded (never guessed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownCounts {
    pub pressure: u64,
    pub focus: u64,
    pub minutes: u64,
    pub technique: u64,
    /// Rows of sheets without a therapist column (a solo practice), left out of the therapist
    /// table.
    #[serde(default)]
    pub therapist: u64,
}

/// The thresholds in force when the figures were computed, for the workbook's About sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub responder_threshold: f64,
    pub strong_responder_threshold: f64,
    pub min_group_size: u64,
    pub mcid_points: f64,
    pub score_scale: u32,
    pub relief_version: String,
    /// Arrival-soreness band edges of `mcid_rate` (SPEC §3.1), increasing.
    #[serde(default)]
    pub mcid_band_edges: Vec<f64>,
    /// Points of change that are clinically important in each band, one more than the edges.
    #[serde(default)]
    pub mcid_band_points: Vec<f64>,
}
