//! The canonical columns an export may have (SPEC §2.4).

use serde::{Deserialize, Serialize};

/// A canonical column. Rejects name the column by [`Field::key`], e.g. `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Date,
    Client,
    Therapist,
    Region,
    Before,
    After,
    Pressure,
    Minutes,
    Focus,
    Technique,
    SessionId,
    Side,
}

impl Field {
    /// Every field, in the order of SPEC §2.4.
    pub const ALL: [Field; 12] = [
        Field::Date,
        Field::Client,
        Field::Therapist,
        Field::Region,
        Field::Before,
        Field::After,
        Field::Pressure,
        Field::Minutes,
        Field::Focus,
        Field::Technique,
        Field::SessionId,
        Field::Side,
    ];

    /// The machine name used in rejects, JSON and the config: `session_id`.
    pub fn key(self) -> &'static str {
        match self {
            Field::Date => "date",
            Field::Client => "client",
            Field::Therapist => "therapist",
            Field::Region => "region",
            Field::Before => "before",
            Field::After => "after",
            Field::Pressure => "pressure",
            Field::Minutes => "minutes",
            Field::Focus => "focus",
            Field::Technique => "technique",
            Field::SessionId => "session_id",
            Field::Side => "side",
        }
    }

    /// Looks a field up by its machine name.
    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key)
    }

    /// Built-in header names (SPEC §2.4), as a therapist would write them; matching normalises both
    /// sides with [`crate::vocabulary::normalize_header`].
    pub fn builtin_headers(self) -> &'static [&'static str] {
        match self {
            Field::Date => &[
                "date",
                "session date",
                "visit date",
                "appointment date",
                "appt date",
            ],
            Field::Client => &[
                "client",
                "client id",
                "client name",
                "patient",
                "patient id",
                "customer",
                "member",
            ],
            Field::Therapist => &[
                "therapist",
                "practitioner",
                "provider",
                "staff",
                "therapist name",
            ],
            Field::Region => &[
                "region",
                "body region",
                "area",
                "body area",
                "body part",
                "area treated",
            ],
            Field::Before => &[
                "before",
                "pre",
                "soreness before",
                "pain before",
                "pre session",
                "before score",
            ],
            Field::After => &[
                "after",
                "post",
                "soreness after",
                "pain after",
                "post session",
                "after score",
            ],
            Field::Pressure => &["pressure", "pressure level", "intensity"],
            Field::Minutes => &["minutes", "mins", "time on area", "duration"],
            Field::Focus => &[
                "focus",
                "focus area",
                "focus areas",
                "requested",
                "client request",
            ],
            Field::Technique => &["technique", "modality", "style"],
            Field::SessionId => &["session", "session id", "visit id", "appointment id"],
            Field::Side => &["side", "laterality"],
        }
    }
}
