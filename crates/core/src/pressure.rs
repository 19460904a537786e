//! Pressure levels, ordered `light < medium < firm < deep` (SPEC §2.6).

use serde::{Deserialize, Serialize};

/// How firmly a region was worked. `Ord` is the report order, light first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pressure {
    Light,
    Medium,
    Firm,
    Deep,
}

impl Pressure {
    /// Every level, lightest first.
    pub const ALL: [Pressure; 4] = [
        Pressure::Light,
        Pressure::Medium,
        Pressure::Firm,
        Pressure::Deep,
    ];

    /// The machine name used in JSON, CSV and the config.
    pub fn key(self) -> &'static str {
        match self {
            Pressure::Light => "light",
            Pressure::Medium => "medium",
            Pressure::Firm => "firm",
            Pressure::Deep => "deep",
        }
    }

    /// The name a therapist reads: `Firm`.
    pub fn label(self) -> &'static str {
        match self {
            Pressure::Light => "Light",
            Pressure::Medium => "Medium",
            Pressure::Firm => "Firm",
            Pressure::Deep => "Deep",
        }
    }

    /// Looks a level up by its machine name, as used in the config.
    pub fn from_key(key: &str) -> Option<Pressure> {
        Pressure::ALL.into_iter().find(|p| p.key() == key)
    }

    /// Built-in words for the level, lower case (SPEC §2.6); the scale number 1–4 is handled apart.
    pub fn builtin_synonyms(self) -> &'static [&'static str] {
        match self {
            Pressure::Light => &["light", "gentle", "soft"],
            Pressure::Medium => &["medium", "moderate"],
            Pressure::Firm => &["firm", "strong", "hard"],
            Pressure::Deep => &["deep", "deep tissue"],
        }
    }
}
