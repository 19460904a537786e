//! Body regions and sides.
//!
//! The nine canonical regions follow the Nordic Musculoskeletal Questionnaire's sites, coarsened
//! to what massage notes use (SPEC §2.5). Their declaration order is the order every report lists
//! them in, so `Ord` on [`Region`] is the report order.

use serde::{Deserialize, Serialize};

/// A canonical body region. The order of the variants is the order of every report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    Head,
    Neck,
    Shoulders,
    UpperBack,
    LowerBack,
    Arms,
    Hips,
    Legs,
    Feet,
}

impl Region {
    /// Every region, in report order.
    pub const ALL: [Region; 9] = [
        Region::Head,
        Region::Neck,
        Region::Shoulders,
        Region::UpperBack,
        Region::LowerBack,
        Region::Arms,
        Region::Hips,
        Region::Legs,
        Region::Feet,
    ];

    /// The machine name used in JSON, CSV and the config: `lower_back`.
    pub fn key(self) -> &'static str {
        match self {
            Region::Head => "head",
            Region::Neck => "neck",
            Region::Shoulders => "shoulders",
            Region::UpperBack => "upper_back",
            Region::LowerBack => "lower_back",
            Region::Arms => "arms",
            Region::Hips => "hips",
            Region::Legs => "legs",
            Region::Feet => "feet",
        }
    }

    /// The name a therapist reads in a workbook or chart: `Lower back`.
    pub fn label(self) -> &'static str {
        match self {
            Region::Head => "Head",
            Region::Neck => "Neck",
            Region::Shoulders => "Shoulders",
            Region::UpperBack => "Upper back",
            Region::LowerBack => "Lower back",
            Region::Arms => "Arms",
            Region::Hips => "Hips",
            Region::Legs => "Legs",
            Region::Feet => "Feet",
        }
    }

    /// Looks a region up by its machine name (`lower_back`), as used in the config.
    pub fn from_key(key: &str) -> Option<Region> {
        Region::ALL.into_iter().find(|r| r.key() == key)
    }

    /// Built-in synonyms (SPEC §2.5), lower case, singular and plural both listed where they differ.
    pub fn builtin_synonyms(self) -> &'static [&'static str] {
        match self {
            Region::Head => &["head", "scalp", "face", "jaw"],
            Region::Neck => &["neck", "cervical"],
            Region::Shoulders => &["shoulder", "shoulders", "traps", "trapezius"],
            Region::UpperBack => &[
                "upper back",
                "thoracic",
                "mid back",
                "between shoulder blades",
            ],
            Region::LowerBack => &["lower back", "low back", "lumbar", "lumbosacral"],
            Region::Arms => &[
                "arm",
                "arms",
                "forearm",
                "upper arm",
                "hand",
                "hands",
                "wrist",
            ],
            Region::Hips => &["hip", "hips", "glutes", "gluteal", "pelvis"],
            Region::Legs => &[
                "leg",
                "legs",
                "thigh",
                "hamstrings",
                "quads",
                "calf",
                "calves",
                "knee",
            ],
            Region::Feet => &["foot", "feet", "ankle"],
        }
    }
}

/// Which side of the body a row was recorded for. Figures pool sides unless asked otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Left,
    Right,
    Both,
}

impl Side {
    /// The machine name used in JSON and CSV: `left`, `right`, `both`.
    pub fn key(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
            Side::Both => "both",
        }
    }
}
