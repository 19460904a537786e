//! The analysis groups of SPEC §3, each described once.
//!
//! A group is a key (a month, a therapist, a pressure level …) crossed with the body region,
//! and the same [`Figures`] for every cell of that cross. Everything that differs between
//! groups — the key's JSON field names, its workbook columns, the sheet's name, title and
//! one-line description, the About sheet's definition of the key, which "not recorded" count
//! applies, and the report order — lives in one [`GroupKey`] implementation here. The analysis
//! computes every group with one generic function, the JSON writes every list through
//! [`Keyed`], and the workbook plans every group sheet from [`GroupTable`]s, so adding a group is
//! one key type and its entry in [`Summary::group_tables`].

use super::{Figures, MonthFigures, Summary, UnknownCounts};
use crate::{MinutesBand, Pressure, Region};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// What the workbook and the About sheet need to know about one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupSpec {
    /// The list's name in `summary.json` (`by_pressure`).
    pub list: &'static str,
    /// The workbook sheet's name.
    pub sheet: &'static str,
    /// The Excel table's name (letters only, unique in the workbook).
    pub table: &'static str,
    /// The sheet's title.
    pub title: &'static str,
    /// One sentence on what the table answers (also the Overview's contents line).
    pub about: &'static str,
    /// Headers of the key columns, region included, in column order.
    pub headers: &'static [&'static str],
    /// The About sheet's definition of the key, where it needs one.
    pub term: Option<(&'static str, &'static str)>,
    /// The value whose "not recorded" rows this table leaves out.
    pub unknown: Option<Unknown>,
}

/// A value an export may not record; rows without it are left out of that one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unknown {
    Pressure,
    Focus,
    Minutes,
    Technique,
    /// Rows of a sheet without a therapist column (a solo practice, SPEC §2.9).
    Therapist,
}

impl Unknown {
    /// The value's name in sentences and in `summary.json`'s `unknown`.
    pub fn word(self) -> &'static str {
        match self {
            Unknown::Pressure => "pressure",
            Unknown::Focus => "focus",
            Unknown::Minutes => "minutes",
            Unknown::Technique => "technique",
            Unknown::Therapist => "therapist",
        }
    }
}

impl UnknownCounts {
    /// The rows without that value.
    pub fn of(&self, value: Unknown) -> u64 {
        match value {
            Unknown::Pressure => self.pressure,
            Unknown::Focus => self.focus,
            Unknown::Minutes => self.minutes,
            Unknown::Technique => self.technique,
            Unknown::Therapist => self.therapist,
        }
    }
}

/// A key cell of a group table.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyCell {
    Text(String),
    Number(f64),
}

/// The key of one group: its JSON fields (through serde), its workbook cells and its order.
pub trait GroupKey: Sized {
    /// The group's description.
    const SPEC: GroupSpec;
    /// The workbook cells of a row, in [`GroupSpec::headers`] order.
    fn cells(&self, region: Region) -> Vec<KeyCell>;
    /// Report order of two keys (the region decides between equal keys).
    fn order(&self, other: &Self) -> Ordering;
    /// Report order of two rows: by key, then region. Overridden where the region leads.
    fn row_order(a: &Keyed<Self>, b: &Keyed<Self>) -> Ordering {
        a.key.order(&b.key).then(a.region.cmp(&b.region))
    }
}

/// One row of a group: the key, the region and the figures, flattened into one JSON object
/// (`{"pressure": "firm", "region": "neck", "rows": …}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Keyed<K> {
    #[serde(flatten)]
    pub key: K,
    pub region: Region,
    #[serde(flatten)]
    pub figures: Figures,
}

/// Sorts a group's rows into report order.
pub fn sort_rows<K: GroupKey>(rows: &mut [Keyed<K>]) {
    rows.sort_by(K::row_order);
}

/// Alphabetical order as a reader expects it: case does not matter (`anna` before `Bob`); names
/// equal but for case keep a fixed order so output stays deterministic.
pub fn alphabetical(a: &str, b: &str) -> Ordering {
    a.to_lowercase()
        .cmp(&b.to_lowercase())
        .then_with(|| a.cmp(b))
}

fn region_cell(r: Region) -> KeyCell {
    KeyCell::Text(r.label().to_string())
}

fn text(t: &str) -> KeyCell {
    KeyCell::Text(t.to_string())
}

/// Overall figures per region: no key beyond the region.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionKey {}

impl GroupKey for RegionKey {
    const SPEC: GroupSpec = GroupSpec {
        list: "regions",
        sheet: "Regions",
        table: "Regions",
        title: "Relief by body region",
        about: "All sessions of the period, per body region: how sore before, how sore after, and how much relief.",
        headers: &["Region"],
        term: None,
        unknown: None,
    };
    fn cells(&self, region: Region) -> Vec<KeyCell> {
        vec![region_cell(region)]
    }
    fn order(&self, _: &Self) -> Ordering {
        Ordering::Equal
    }
}

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthKey {
    pub month: String,
}

impl GroupKey for MonthKey {
    const SPEC: GroupSpec = GroupSpec {
        list: "by_month",
        sheet: "Months",
        table: "Months",
        title: "Relief by month",
        about: "Each month of the range this report covers, per body region: is relief steady over time?",
        headers: &["Month", "Region"],
        term: Some((
            "Month",
            "Calendar month of the session date (YYYY-MM). Reports show months, never single days.",
        )),
        unknown: None,
    };
    fn cells(&self, region: Region) -> Vec<KeyCell> {
        vec![text(&self.month), region_cell(region)]
    }
    fn order(&self, other: &Self) -> Ordering {
        self.month.cmp(&other.month)
    }
}

/// A therapist, as the export names them (or their pseudonym, when the config asks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TherapistKey {
    pub therapist: String,
}

impl GroupKey for TherapistKey {
    const SPEC: GroupSpec = GroupSpec {
        list: "by_therapist",
        sheet: "Therapists",
        table: "Therapists",
        title: "Relief by therapist",
        about: "Each therapist's sessions, per body region.",
        headers: &["Therapist", "Region"],
        term: None,
        unknown: Some(Unknown::Therapist),
    };
    fn cells(&self, region: Region) -> Vec<KeyCell> {
        vec![text(&self.therapist), region_cell(region)]
    }
    fn order(&self, other: &Self) -> Ordering {
        alphabetical(&self.therapist, &other.therapist)
    }
}

/// A pressure level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PressureKey {
    pub pressure: Pressure,
}

impl GroupKey for PressureKey {
    const SPEC: GroupSpec = GroupSpec {
        list: "by_pressure",
        sheet: "Pressure",
        table: "Pressure",
        title: "Relief by pressure",
        about: "Sessions grouped by the pressure used on the region, lightest first: does firmer work bring more relief?",
        headers: &["Pressure", "Region"],
        term: None,
        unknown: Some(Unknown::Pressure),
    };
    fn cells(&self, region: Region) -> Vec<KeyCell> {
        vec![text(self.pressure.label()), region_cell(region)]
    }
    fn order(&self, other: &Self) -> Ordering {
        self.pressure.cmp(&other.pressure)
    }
}

/// Whether the client asked to focus on the region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FocusKey {
    pub focus: bool,
}

impl GroupKey for FocusKey {
    const SPEC: GroupSpec = GroupSpec {
        list: "by_focus",
        sheet: "Focus",
        table: "Focus",
        title: "Focus regions against the rest",
        about: "The personalisation effect: regions the client asked to focus on, against the same regions when they were not a focus.",
        headers: &["Focus", "Region"],
        term: None,
        unknown: Some(Unknown::Focus),
    };
    fn cells(&self, region: Region) -> Vec<KeyCell> {
        let word = if self.focus {
            "Focus region"
        } else {
            "Not a focus"
        };
        vec![text(word), region_cell(region)]
    }
    fn order(&self, other: &Self) -> Ordering {
        self.focus.cmp(&other.focus)
    }
}

/// The minutes spent on the region, in bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinutesKey {
    pub minutes_band: MinutesBand,
}

impl GroupKey for MinutesKey {
    const SPEC: GroupSpec = GroupSpec {
        list: "by_minutes",
        sheet: "Minutes",
        table: "Minutes",
        title: "Relief by minutes on the region",
        about: "Dose and response: sessions grouped by the minutes spent on the region.",
        headers: &["Minutes on region", "Region"],
        term: Some((
            "Minutes on region",
            "Minutes spent on the region in the session, in bands: 0, 1-5, 6-15, 16-30, over 30.",
        )),
        unknown: Some(Unknown::Minutes),
    };
    fn cells(&self, region: Region) -> Vec<KeyCell> {
        vec![text(self.minutes_band.key()), region_cell(region)]
    }
    fn order(&self, other: &Self) -> Ordering {
        self.minutes_band.cmp(&other.minutes_band)
    }
}

/// A technique, as the export names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechniqueKey {
    pub technique: String,
}

impl GroupKey for TechniqueKey {
    const SPEC: GroupSpec = GroupSpec {
        list: "by_technique",
        sheet: "Technique",
        table: "Technique",
        title: "Relief by technique",
        about: "Sessions grouped by the technique the export names.",
        headers: &["Technique", "Region"],
        term: None,
        unknown: Some(Unknown::Technique),
    };
    fn cells(&self, region: Region) -> Vec<KeyCell> {
        vec![text(&self.technique), region_cell(region)]
    }
    fn order(&self, other: &Self) -> Ordering {
        alphabetical(&self.technique, &other.technique)
    }
}

/// Another region, and whether it was also worked in the same session as the target (the
/// row's region).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpilloverKey {
    pub other_region: Region,
    pub other_worked: bool,
}

impl GroupKey for SpilloverKey {
    const SPEC: GroupSpec = GroupSpec {
        list: "spillover",
        sheet: "Spill-over",
        table: "SpillOver",
        title: "Spill-over between regions",
        about: "Relief of a target region when another region was also worked in the same session, against when it was not.",
        headers: &["Target region", "Other region", "Other region worked"],
        term: Some((
            "Spill-over",
            "For a target region, the relief when another region was also worked in the same session (minutes above 0, or any row when minutes are not recorded) against when it was not.",
        )),
        unknown: None,
    };
    fn cells(&self, region: Region) -> Vec<KeyCell> {
        let worked = if self.other_worked {
            "worked too"
        } else {
            "not worked"
        };
        vec![
            region_cell(region),
            region_cell(self.other_region),
            text(worked),
        ]
    }
    fn order(&self, other: &Self) -> Ordering {
        (self.other_region, self.other_worked).cmp(&(other.other_region, other.other_worked))
    }
    /// The target region leads, lower back first: the region clinics ask about most
    /// (SPEC §3 group 7).
    fn row_order(a: &Keyed<Self>, b: &Keyed<Self>) -> Ordering {
        let target = |r: Region| (r != Region::LowerBack, r);
        target(a.region)
            .cmp(&target(b.region))
            .then(a.key.order(&b.key))
    }
}

/// The client's visit number, 1 for the first session in the whole input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitKey {
    pub visit: u32,
}

impl GroupKey for VisitKey {
    const SPEC: GroupSpec = GroupSpec {
        list: "by_visit",
        sheet: "Visits",
        table: "Visits",
        title: "Soreness by visit number",
        about: "Do clients arrive less sore over a course of sessions? Visit 1 is the client's first session in all the data read; watch \"Before (mean)\".",
        headers: &["Visit", "Region"],
        term: Some((
            "Visit",
            "The client's visit number, counting every session of the client in all the data read (1 = first). Falling Before (mean) over visits means clients arrive less sore as a course goes on.",
        )),
        unknown: None,
    };
    fn cells(&self, region: Region) -> Vec<KeyCell> {
        vec![KeyCell::Number(f64::from(self.visit)), region_cell(region)]
    }
    fn order(&self, other: &Self) -> Ordering {
        self.visit.cmp(&other.visit)
    }
}

/// One group as a table to show: its description and its rows' key cells and figures.
#[derive(Debug, Clone)]
pub struct GroupTable<'a> {
    pub spec: GroupSpec,
    pub rows: Vec<(Vec<KeyCell>, &'a Figures)>,
}

impl<'a> GroupTable<'a> {
    /// The table of one group's rows.
    pub fn of<K: GroupKey>(rows: &'a [Keyed<K>]) -> GroupTable<'a> {
        GroupTable {
            spec: K::SPEC,
            rows: rows
                .iter()
                .map(|r| (r.key.cells(r.region), &r.figures))
                .collect(),
        }
    }
}

impl Summary {
    /// Every group as a table, in workbook order. The months table shows `trend` (the whole
    /// input's months) rather than the period's own, so a one-month report still shows where
    /// the month stands.
    pub fn group_tables<'a>(&'a self, trend: &'a [MonthFigures]) -> Vec<GroupTable<'a>> {
        vec![
            GroupTable::of(&self.regions),
            GroupTable::of(trend),
            GroupTable::of(&self.by_therapist),
            GroupTable::of(&self.by_pressure),
            GroupTable::of(&self.by_focus),
            GroupTable::of(&self.by_minutes),
            GroupTable::of(&self.by_technique),
            GroupTable::of(&self.spillover),
            GroupTable::of(&self.by_visit),
        ]
    }
}
