//! `relief.toml`: what a clinic can tell relief about its exports and its reports.
//!
//! Every table and key is optional; unknown keys are an error that names the key, because a
//! misspelt option silently ignored is worse than no option. [`Config::template`] is the commented
//! file `relief init` writes, and a test keeps it in step with the defaults here.

use crate::{Field, Pressure, Region};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The whole configuration. `Config::default()` is what relief uses without a file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Extra header names per field, e.g. `date = ["Termin"]`.
    pub headers: BTreeMap<Field, Vec<String>>,
    /// Extra region names per canonical region, e.g. `lower_back = ["sacrum"]`.
    pub regions: BTreeMap<Region, Vec<String>>,
    /// Extra pressure words per level, e.g. `firm = ["kräftig"]`.
    pub pressure: BTreeMap<Pressure, Vec<String>>,
    pub dates: DatesConfig,
    pub scores: ScoresConfig,
    pub analysis: AnalysisConfig,
    pub input: InputConfig,
    pub privacy: PrivacyConfig,
    pub charts: ChartsConfig,
    pub dataset: DatasetConfig,
}

/// How slash dates are read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatesConfig {
    /// `day-first` (03/10/2026 is 3 October) or `month-first`; unset lets each column decide.
    pub order: Option<DateOrder>,
}

/// The order of day and month in slash dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateOrder {
    DayFirst,
    MonthFirst,
}

/// The scale soreness is recorded on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoresConfig {
    pub scale: ScoreScale,
}

/// 0–10 (the Numeric Pain Rating Scale) or 0–100 (divided by 10 on reading).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub enum ScoreScale {
    #[default]
    Ten,
    Hundred,
}

impl ScoreScale {
    /// The top of the scale: 10 or 100.
    pub fn max(self) -> f64 {
        match self {
            ScoreScale::Ten => 10.0,
            ScoreScale::Hundred => 100.0,
        }
    }
}

impl TryFrom<u32> for ScoreScale {
    type Error = String;
    fn try_from(v: u32) -> Result<Self, String> {
        match v {
            10 => Ok(ScoreScale::Ten),
            100 => Ok(ScoreScale::Hundred),
            other => Err(format!("scale must be 10 or 100, not {other}")),
        }
    }
}

impl From<ScoreScale> for u32 {
    fn from(s: ScoreScale) -> u32 {
        match s {
            ScoreScale::Ten => 10,
            ScoreScale::Hundred => 100,
        }
    }
}

/// Thresholds of the analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnalysisConfig {
    /// Relative relief (change / before) that makes a responder: 0.30 is 30 %.
    pub responder_threshold: f64,
    /// Relative relief that makes a strong responder.
    pub strong_responder_threshold: f64,
    /// Groups with fewer rows are flagged `small_sample` and get no confidence interval.
    pub min_group_size: u64,
    /// Arrival-soreness band edges of the clinically important change (SPEC §3.1), increasing:
    /// `[5, 8]` makes the bands before < 5, 5 ≤ before < 8 and before ≥ 8.
    pub mcid_band_edges: Vec<f64>,
    /// Points of change that are clinically important in each band, one more than the edges.
    pub mcid_band_points: Vec<f64>,
}

impl AnalysisConfig {
    /// The points of change that are clinically important for a row that arrived at `before`
    /// (SPEC §3.1): with the default bands, 1 below 5, 2 from 5 to below 8, 3 from 8.
    ///
    /// A band includes its lower edge. A config that was not checked (built in code with too
    /// few points) falls back to the last points value, or to 2 points, rather than panic.
    pub fn mcid_points_for(&self, before: f64) -> f64 {
        let band = self
            .mcid_band_edges
            .iter()
            .take_while(|edge| before >= **edge)
            .count();
        let points = &self.mcid_band_points;
        points.get(band).or(points.last()).copied().unwrap_or(2.0)
    }

    fn check_mcid_bands(&self) -> Result<(), ConfigError> {
        let (edges, points) = (&self.mcid_band_edges, &self.mcid_band_points);
        let bad = |key, problem: String| Err(ConfigError::OutOfRange { key, problem });
        if edges.iter().any(|e| !(0.0..=10.0).contains(e)) {
            return bad(
                "analysis.mcid_band_edges",
                format!("{edges:?}: every edge must be a score from 0 to 10"),
            );
        }
        if edges.windows(2).any(|w| w[0] >= w[1]) {
            return bad(
                "analysis.mcid_band_edges",
                format!("{edges:?}: edges must increase, e.g. [5, 8]"),
            );
        }
        if points.len() != edges.len() + 1 {
            return bad(
                "analysis.mcid_band_points",
                format!(
                    "{} edges make {} bands, so give {} points values, not {}",
                    edges.len(),
                    edges.len() + 1,
                    edges.len() + 1,
                    points.len()
                ),
            );
        }
        if points.iter().any(|p| !(*p > 0.0 && *p <= 10.0)) {
            return bad(
                "analysis.mcid_band_points",
                format!("{points:?}: every value must be above 0 and at most 10 points"),
            );
        }
        Ok(())
    }
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        AnalysisConfig {
            responder_threshold: 0.30,
            strong_responder_threshold: 0.50,
            min_group_size: 5,
            mcid_band_edges: vec![5.0, 8.0],
            mcid_band_points: vec![1.0, 2.0, 3.0],
        }
    }
}

/// What to read, and the limits that protect relief from broken or hostile files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InputConfig {
    /// Read only these sheets (by name); empty reads every sheet with a recognisable header.
    pub sheets: Vec<String>,
    /// Per-file overrides for the rare sheet whose header detection goes wrong.
    pub files: Vec<FileOverride>,
    /// Largest file read, in megabytes.
    pub max_file_mb: u64,
    /// Most rows read from one sheet.
    pub max_rows: u64,
    /// Most cells read from one sheet.
    pub max_cells: u64,
    /// Largest total uncompressed size of an xlsx/ods package, in megabytes (zip-bomb guard).
    pub max_unzipped_mb: u64,
}

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            sheets: Vec::new(),
            files: Vec::new(),
            max_file_mb: 200,
            max_rows: 2_000_000,
            max_cells: 50_000_000,
            max_unzipped_mb: 2_000,
        }
    }
}

/// Settings for one file, matched by the end of its path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileOverride {
    /// A file name or the end of a path, e.g. `north/october.xlsx`.
    pub path: String,
    /// Only this sheet of the file; unset means every sheet.
    #[serde(default)]
    pub sheet: Option<String>,
    /// The header's row number as Excel shows it (counting from 1).
    #[serde(default)]
    pub header_row: Option<u32>,
}

/// Privacy settings (SPEC §4.4).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrivacyConfig {
    /// Where the pseudonym key lives; unset uses the user's config folder
    /// (`~/.config/relief/pseudonym.key`, or `%APPDATA%\relief\pseudonym.key` on Windows).
    pub key_file: Option<PathBuf>,
    /// Put exact session dates (not only the month) into the exported session table.
    pub exact_dates: bool,
    /// Replace therapist names with pseudonyms too.
    pub pseudonymise_therapists: bool,
}

/// Size of the PNG charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChartsConfig {
    pub width: u32,
    pub height: u32,
}

impl Default for ChartsConfig {
    fn default() -> Self {
        ChartsConfig {
            width: 1600,
            height: 1000,
        }
    }
}

/// The shared, month-partitioned copy of the clean data (SPEC §4.3).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatasetConfig {
    /// This installation's name in a store shared by many clinics: it adds a `clinic=NAME/`
    /// folder above the months. Letters, digits, `-`, `_` and `.` only (checked on load), so it
    /// can never become a path of its own.
    pub clinic: Option<String>,
}

impl DatasetConfig {
    /// The folder of one month's file in the dataset, relative to the reports folder:
    /// `clean/month=2026-10`, or `clean/clinic=north/month=2026-10`.
    pub fn partition_dir(&self, month: &str) -> PathBuf {
        let mut dir = PathBuf::from("clean");
        if let Some(clinic) = &self.clinic {
            dir.push(format!("clinic={clinic}"));
        }
        dir.push(format!("month={month}"));
        dir
    }

    /// Why `name` cannot be a clinic's folder name, if it cannot. Allowed: 1–64 ASCII letters,
    /// digits, `-`, `_` and `.`, starting with a letter or digit, not ending with `.`, without
    /// `..`, and not a name Windows reserves for a device (`CON`, `NUL`, `COM1` …).
    pub fn clinic_problem(name: &str) -> Option<String> {
        const HOW: &str = "use 1 to 64 letters, digits, '-', '_' or '.', starting with a letter \
                           or digit (for example \"north-branch\")";
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        let stem = name
            .split('.')
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
            || (stem.len() == 4
                && (stem.starts_with("COM") || stem.starts_with("LPT"))
                && stem.ends_with(|c: char| c.is_ascii_digit()));
        let why = if name.is_empty() || name.len() > 64 {
            "it must be 1 to 64 characters long"
        } else if let Some(c) = name.chars().find(|c| !allowed(*c)) {
            return Some(format!(
                "{name:?} cannot be a folder name: {c:?} is not allowed; {HOW}"
            ));
        } else if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            "it must start with a letter or digit"
        } else if name.contains("..") || name.ends_with('.') {
            "it must not contain \"..\" or end with \".\""
        } else if device {
            "Windows reserves that name for a device"
        } else {
            return None;
        };
        Some(format!("{name:?} cannot be a folder name: {why}; {HOW}"))
    }
}

/// Why a config file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file is not valid TOML, has an unknown key, or a value of the wrong kind.
    #[error("{0}")]
    Invalid(String),
    /// A value is of the right kind but makes no sense.
    #[error("{key}: {problem}")]
    OutOfRange { key: &'static str, problem: String },
    /// A region synonym, pressure word or column name that would name two things.
    #[error("{0}")]
    Conflict(String),
}

impl Config {
    /// Parses and checks a config file's text.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] names the unknown key or the bad value with its line;
    /// [`ConfigError::OutOfRange`] names a threshold or limit that makes no sense;
    /// [`ConfigError::Conflict`] names a word given to two regions, levels or fields.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let config: Config =
            toml::from_str(text).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        config.check()?;
        crate::vocabulary::conflicts::check(&config)?;
        Ok(config)
    }

    fn check(&self) -> Result<(), ConfigError> {
        let a = &self.analysis;
        for (key, v) in [
            ("analysis.responder_threshold", a.responder_threshold),
            (
                "analysis.strong_responder_threshold",
                a.strong_responder_threshold,
            ),
        ] {
            if !(v > 0.0 && v <= 1.0) {
                return Err(ConfigError::OutOfRange {
                    key,
                    problem: format!("{v} is not a fraction between 0 and 1 (30 % is 0.30)"),
                });
            }
        }
        if a.min_group_size < 2 {
            return Err(ConfigError::OutOfRange {
                key: "analysis.min_group_size",
                problem: "must be at least 2 (a confidence interval needs two rows)".into(),
            });
        }
        a.check_mcid_bands()?;
        let i = &self.input;
        for (key, v) in [
            ("input.max_file_mb", i.max_file_mb),
            ("input.max_rows", i.max_rows),
            ("input.max_cells", i.max_cells),
            ("input.max_unzipped_mb", i.max_unzipped_mb),
        ] {
            if v == 0 {
                return Err(ConfigError::OutOfRange {
                    key,
                    problem: "must be above 0".into(),
                });
            }
        }
        if let Some(problem) = self
            .dataset
            .clinic
            .as_deref()
            .and_then(DatasetConfig::clinic_problem)
        {
            return Err(ConfigError::OutOfRange {
                key: "dataset.clinic",
                problem,
            });
        }
        let c = &self.charts;
        if !(400..=8000).contains(&c.width) || !(300..=8000).contains(&c.height) {
            return Err(ConfigError::OutOfRange {
                key: "charts",
                problem: format!(
                    "{} × {} px is outside 400–8000 × 300–8000",
                    c.width, c.height
                ),
            });
        }
        Ok(())
    }

    /// The commented config `relief init` writes: every option, set to its default.
    pub fn template() -> &'static str {
        include_str!("relief.example.toml")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_parses_to_the_defaults() {
        assert_eq!(
            Config::from_toml(Config::template()).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn empty_file_is_the_default() {
        assert_eq!(Config::from_toml("").unwrap(), Config::default());
    }

    /// `text` is refused with an error that names `what`.
    fn refused_naming(text: &str, what: &str) {
        let err = Config::from_toml(text).unwrap_err();
        assert!(err.to_string().contains(what), "{err}");
    }

    #[test]
    fn unknown_key_is_named() {
        refused_naming("[analysis]\nresponder = 0.3\n", "responder");
        refused_naming("colour = 'red'\n", "colour");
    }

    #[test]
    fn unknown_region_or_field_is_named() {
        refused_naming("[regions]\nelbow = ['elbow pit']\n", "elbow");
        refused_naming("[headers]\nmood = ['Mood']\n", "mood");
    }

    #[test]
    fn every_option_reads() {
        let text = r#"
            [headers]
            date = ["Termin"]
            session_id = ["Buchung"]
            [regions]
            lower_back = ["sacrum"]
            [pressure]
            firm = ["kräftig"]
            [dates]
            order = "day-first"
            [scores]
            scale = 100
            [analysis]
            responder_threshold = 0.25
            strong_responder_threshold = 0.6
            min_group_size = 8
            mcid_band_edges = [4, 7]
            mcid_band_points = [1, 2, 2.5]
            [input]
            sheets = ["Sessions"]
            max_rows = 1000
            [[input.files]]
            path = "north/october.xlsx"
            header_row = 4
            [privacy]
            key_file = "/srv/relief/key"
            exact_dates = true
            pseudonymise_therapists = true
            [charts]
            width = 1200
            height = 800
            [dataset]
            clinic = "north-branch"
        "#;
        let c = Config::from_toml(text).unwrap();
        assert_eq!(c.headers[&Field::Date], vec!["Termin"]);
        assert_eq!(c.headers[&Field::SessionId], vec!["Buchung"]);
        assert_eq!(c.regions[&Region::LowerBack], vec!["sacrum"]);
        assert_eq!(c.pressure[&Pressure::Firm], vec!["kräftig"]);
        assert_eq!(c.dates.order, Some(DateOrder::DayFirst));
        assert_eq!(c.scores.scale, ScoreScale::Hundred);
        assert_eq!(c.analysis.min_group_size, 8);
        assert_eq!(c.analysis.mcid_points_for(9.0), 2.5);
        assert_eq!(c.input.files[0].header_row, Some(4));
        assert_eq!(c.input.max_rows, 1000);
        assert!(c.privacy.exact_dates && c.privacy.pseudonymise_therapists);
        assert_eq!(c.charts.width, 1200);
        assert_eq!(c.dataset.clinic.as_deref(), Some("north-branch"));
        assert_eq!(
            c.dataset.partition_dir("2026-10"),
            PathBuf::from("clean/clinic=north-branch/month=2026-10")
        );
        assert_eq!(
            DatasetConfig::default().partition_dir("2026-10"),
            PathBuf::from("clean/month=2026-10")
        );
    }

    #[test]
    fn a_clinic_name_that_could_become_a_path_is_refused() {
        for bad in [
            "../other",
            "..",
            "a/b",
            "a\\b",
            "C:",
            ".hidden",
            "-x",
            "x.",
            "a..b",
            "",
            "north branch",
            "clinic=north",
            "nul",
            "COM1.data",
            "Zürich",
            &"x".repeat(65),
        ] {
            let text = format!("[dataset]\nclinic = {bad:?}\n");
            let err = Config::from_toml(&text).expect_err(bad);
            let msg = err.to_string();
            assert!(msg.starts_with("dataset.clinic: "), "{msg}");
            assert!(msg.contains("cannot be a folder name"), "{msg}");
        }
        for good in [
            "north",
            "north-branch_2",
            "clinic.42",
            "7",
            "COM10",
            "console",
        ] {
            let text = format!("[dataset]\nclinic = {good:?}\n");
            let c = Config::from_toml(&text).unwrap_or_else(|e| panic!("{good}: {e}"));
            assert_eq!(c.dataset.clinic.as_deref(), Some(good));
        }
    }

    #[test]
    fn mcid_points_follow_the_arrival_bands() {
        let a = AnalysisConfig::default();
        for (before, points) in [
            (0.0, 1.0),
            (4.5, 1.0),
            (5.0, 2.0),
            (7.5, 2.0),
            (8.0, 3.0),
            (10.0, 3.0),
        ] {
            assert_eq!(a.mcid_points_for(before), points, "before {before}");
        }
        let c =
            Config::from_toml("[analysis]\nmcid_band_edges = [4]\nmcid_band_points = [1, 2.5]\n")
                .unwrap();
        assert_eq!(c.analysis.mcid_points_for(3.5), 1.0);
        assert_eq!(c.analysis.mcid_points_for(4.0), 2.5);
        let one = Config::from_toml("[analysis]\nmcid_band_edges = []\nmcid_band_points = [2]\n")
            .unwrap();
        assert_eq!(one.analysis.mcid_points_for(9.0), 2.0);
    }

    #[test]
    fn mcid_bands_that_make_no_sense_are_refused() {
        for (text, names) in [
            ("mcid_band_edges = [8, 5]", "increase"),
            (
                "mcid_band_edges = [5, 5]\nmcid_band_points = [1, 2, 3]",
                "increase",
            ),
            ("mcid_band_edges = [5, 12]", "0 to 10"),
            ("mcid_band_points = [1, 2]", "give 3 points values, not 2"),
            ("mcid_band_points = [1, 0, 3]", "above 0"),
        ] {
            let err = Config::from_toml(&format!("[analysis]\n{text}\n")).unwrap_err();
            let msg = err.to_string();
            assert!(
                msg.contains("analysis.mcid_band_") && msg.contains(names),
                "{text}: {msg}"
            );
        }
    }

    #[test]
    fn scale_other_than_10_or_100_is_refused() {
        let err = Config::from_toml("[scores]\nscale = 5\n").unwrap_err();
        assert!(err.to_string().contains("10 or 100"), "{err}");
    }

    #[test]
    fn thresholds_must_be_fractions() {
        let err = Config::from_toml("[analysis]\nresponder_threshold = 30\n").unwrap_err();
        assert!(
            err.to_string().contains("analysis.responder_threshold"),
            "{err}"
        );
        let err = Config::from_toml("[analysis]\nmin_group_size = 1\n").unwrap_err();
        assert!(err.to_string().contains("min_group_size"), "{err}");
    }
}
