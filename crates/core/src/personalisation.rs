//! The report model of "does personalisation help?": adjusted personalisation effects (SPEC
//! §3.2) and the course of care (SPEC §3.3), in the exact shape of the `adjusted` and `course`
//! lists of `summary.json` (SPEC §4.3.1).
//!
//! The analysis fills these, and the workbook and chart writers draw them. Field order here is
//! the JSON's field order; figures that cannot be computed are `None` (JSON `null`), never NaN.

use crate::{MinutesBand, Pressure, Region};
use serde::{Deserialize, Deserializer, Serialize};

/// A personalisation factor whose effect is estimated. `Ord` is the report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    /// The client asked to focus on the region (`true` against `false`).
    Focus,
    /// Pressure level, each against the lightest level present.
    Pressure,
    /// Minutes band on the region, each against the lowest band present.
    Minutes,
    /// Technique, each against the technique with the most rows.
    Technique,
}

impl Factor {
    /// Every factor, in report order.
    pub const ALL: [Factor; 4] = [
        Factor::Focus,
        Factor::Pressure,
        Factor::Minutes,
        Factor::Technique,
    ];

    /// The machine name used in JSON: `focus`, `pressure`, `minutes`, `technique`.
    pub fn key(self) -> &'static str {
        match self {
            Factor::Focus => "focus",
            Factor::Pressure => "pressure",
            Factor::Minutes => "minutes",
            Factor::Technique => "technique",
        }
    }

    /// The name a therapist reads: `Minutes on the region`.
    pub fn label(self) -> &'static str {
        match self {
            Factor::Focus => "Focus",
            Factor::Pressure => "Pressure",
            Factor::Minutes => "Minutes on the region",
            Factor::Technique => "Technique",
        }
    }
}

/// One region, or all regions pooled in one model. Written as the region's key or `"all"`;
/// `Ord` puts `all` first, then regions in report order, as the `adjusted` list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RegionOrAll {
    /// Every region in one model (region indicators, a common arrival-soreness slope).
    All,
    Region(Region),
}

impl RegionOrAll {
    /// `all` or the region's key (`lower_back`).
    pub fn key(self) -> &'static str {
        match self {
            RegionOrAll::All => "all",
            RegionOrAll::Region(r) => r.key(),
        }
    }

    /// `All regions` or the region's label (`Lower back`).
    pub fn label(self) -> &'static str {
        match self {
            RegionOrAll::All => "All regions",
            RegionOrAll::Region(r) => r.label(),
        }
    }
}

impl<'de> Deserialize<'de> for RegionOrAll {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text == "all" {
            return Ok(RegionOrAll::All);
        }
        Region::from_key(&text)
            .map(RegionOrAll::Region)
            .ok_or_else(|| serde::de::Error::custom(format!("'{text}' is not a region or 'all'")))
    }
}

/// One level of a factor against its reference level, in one region or pooled (SPEC §3.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdjustedEntry {
    pub factor: Factor,
    /// The level as text: `"true"`, `"firm"`, `"16-30"`, a technique's name.
    pub level: String,
    /// The reference level, as text.
    pub reference: String,
    pub region: RegionOrAll,
    /// The level's rows in the model.
    pub rows: u64,
    /// The level's distinct clients in the model.
    pub clients: u64,
    /// The reference level's rows in the model.
    pub reference_rows: u64,
    /// The level's mean change minus the reference level's mean change, over the model's rows.
    pub raw_difference: f64,
    /// The level's coefficient at equal arrival soreness; `None` when the model cannot be
    /// fitted (the same arrival soreness in every row, too few rows, or over 64 columns).
    pub adjusted_difference: Option<f64>,
    /// 95 % CI of the adjusted difference (client-clustered CR1, t with G − 1 degrees of
    /// freedom); `None` for a small sample or when the model cannot be fitted.
    pub ci95: Option<[f64; 2]>,
    /// The level or the reference has fewer rows than the minimum group size or fewer than 2
    /// clients, or the model has fewer than 10 clients.
    pub small_sample: bool,
}

impl AdjustedEntry {
    /// The level in the words a therapist reads (see [`level_words`]).
    pub fn level_words(&self) -> String {
        level_words(self.factor, &self.level)
    }

    /// The reference level in words.
    pub fn reference_words(&self) -> String {
        level_words(self.factor, &self.reference)
    }
}

/// A factor's level as the workbook and the charts write it: focus `true` is `Focus region` and
/// `false` `Not a focus`; pressure `firm` is `Firm`; a minutes band `16-30` is `16-30 min`
/// (`0 min` for none); a technique keeps the export's name. Text that is not a level of the
/// factor is returned as given.
pub fn level_words(factor: Factor, level: &str) -> String {
    match factor {
        Factor::Focus => match level {
            "true" => "Focus region".to_string(),
            "false" => "Not a focus".to_string(),
            other => other.to_string(),
        },
        Factor::Pressure => Pressure::from_key(level)
            .map(|p| p.label().to_string())
            .unwrap_or_else(|| level.to_string()),
        Factor::Minutes => match MinutesBand::from_key(level) {
            Some(_) => format!("{level} min"),
            None => level.to_string(),
        },
        Factor::Technique => level.to_string(),
    }
}

/// How far regular clients' arrival soreness in one region fell from their first session to
/// their latest (SPEC §3.3). Counts and shares are over clients, not rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseEntry {
    pub region: Region,
    /// Clients with at least two sessions scoring the region, the latest in the period.
    pub clients: u64,
    /// Mean before-score at the clients' first session scoring the region.
    pub mean_first: f64,
    /// Mean before-score at their latest session scoring the region.
    pub mean_latest: f64,
    /// Mean of first − latest; positive means clients arrive less sore.
    pub mean_fall: f64,
    /// Sample SD (n − 1) of the falls; `None` under 2 clients.
    pub sd_fall: Option<f64>,
    /// 95 % CI of the mean fall (Student t over clients); `None` under the minimum group size.
    pub ci95: Option<[f64; 2]>,
    /// Share of clients (with a first score ≥ 1) whose fall reaches the MCID for their first
    /// score (SPEC §3.1); `None` when no client has a first score ≥ 1.
    pub mcid_rate: Option<f64>,
    /// Share of clients (with a first score above 0) whose fall is at least the responder
    /// threshold (30 %) of their first score; `None` when every first score is 0.
    pub fall_30_rate: Option<f64>,
    /// Median number of sessions scoring the region per client, up to the period's end.
    pub median_sessions: f64,
    /// Fewer clients than the minimum group size: shown, flagged, without a CI.
    pub small_sample: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjusted_entry_has_the_json_shape_of_spec() {
        let e = AdjustedEntry {
            factor: Factor::Minutes,
            level: "16-30".into(),
            reference: "1-5".into(),
            region: RegionOrAll::All,
            rows: 3,
            clients: 2,
            reference_rows: 4,
            raw_difference: 1.5,
            adjusted_difference: None,
            ci95: None,
            small_sample: true,
        };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"factor":"minutes","level":"16-30","reference":"1-5","region":"all","rows":3,"clients":2,"reference_rows":4,"raw_difference":1.5,"adjusted_difference":null,"ci95":null,"small_sample":true}"#
        );
        let back: AdjustedEntry = serde_json::from_str(&json).unwrap();
        assert_eq!(back, e);
        let lower: RegionOrAll = serde_json::from_str(r#""lower_back""#).unwrap();
        assert_eq!(lower, RegionOrAll::Region(Region::LowerBack));
        assert!(serde_json::from_str::<RegionOrAll>(r#""elbow""#).is_err());
    }

    #[test]
    fn course_entry_has_the_json_shape_of_spec() {
        let e = CourseEntry {
            region: Region::LowerBack,
            clients: 1,
            mean_first: 7.0,
            mean_latest: 4.5,
            mean_fall: 2.5,
            sd_fall: None,
            ci95: None,
            mcid_rate: Some(1.0),
            fall_30_rate: Some(1.0),
            median_sessions: 3.0,
            small_sample: true,
        };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"region":"lower_back","clients":1,"mean_first":7.0,"mean_latest":4.5,"mean_fall":2.5,"sd_fall":null,"ci95":null,"mcid_rate":1.0,"fall_30_rate":1.0,"median_sessions":3.0,"small_sample":true}"#
        );
    }

    #[test]
    fn levels_read_as_words() {
        assert_eq!(level_words(Factor::Focus, "true"), "Focus region");
        assert_eq!(level_words(Factor::Focus, "false"), "Not a focus");
        assert_eq!(level_words(Factor::Pressure, "firm"), "Firm");
        assert_eq!(level_words(Factor::Minutes, "16-30"), "16-30 min");
        assert_eq!(level_words(Factor::Minutes, "over 30"), "over 30 min");
        assert_eq!(level_words(Factor::Technique, "+trigger"), "+trigger");
        assert_eq!(level_words(Factor::Pressure, "odd"), "odd");
    }

    #[test]
    fn all_sorts_before_every_region_and_factors_in_report_order() {
        let mut v = [
            RegionOrAll::Region(Region::Feet),
            RegionOrAll::All,
            RegionOrAll::Region(Region::Head),
        ];
        v.sort();
        assert_eq!(
            v.iter().map(|r| r.key()).collect::<Vec<_>>(),
            ["all", "head", "feet"]
        );
        let keys: Vec<String> = Factor::ALL
            .iter()
            .map(|f| serde_json::to_string(f).unwrap())
            .collect();
        assert_eq!(
            keys,
            [
                r#""focus""#,
                r#""pressure""#,
                r#""minutes""#,
                r#""technique""#
            ]
        );
    }
}
