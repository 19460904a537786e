//! Why a row (one session × region) was not used: one enum for every reason the reader gives,
//! whose `Display` is the sentence a therapist reads in `relief validate`, the workbook's
//! Rejects sheet and `summary.json`.
//!
//! Reasons about a single cell's value are [`ValueError`]s; the others here are about how cells
//! relate (a side that contradicts the region, a wide-layout pair with one score missing, a
//! slash date the column cannot settle). Adding a reason is adding a variant: the text lives in
//! one place, and callers that group or count problems work on the typed value.

use crate::{Field, Region, Side, ValueError};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a row was rejected. The JSON form is the `Display` sentence, and two reasons are equal
/// when they read the same: a reason loaded back from a cache as [`RejectReason::Recorded`]
/// equals the typed reason it was written from.
#[derive(Debug, Clone)]
pub enum RejectReason {
    /// A cell's value could not be read (blank, out of range, unknown word …).
    Value(ValueError),
    /// A slash date that reads as two different days, and neither the config nor the rest of
    /// the column says which order the sheet uses.
    AmbiguousDate {
        text: String,
        /// The date read day-first, in words (`3 October 2026`).
        day_first: String,
        /// The date read month-first, in words (`10 March 2026`).
        month_first: String,
    },
    /// The region name carries one side and the side column another.
    SideConflict { named: Side, column: Side },
    /// A wide-layout session row with no score for any region.
    NoScores,
    /// A wide-layout region with a before (or after) column but no column for the other score.
    NoPairColumn { region: Region, field: Field },
    /// One score of a wide-layout pair is blank while the other is filled in.
    PairCellBlank { column: String, region: Region },
    /// A long-layout row with a region and scores but a blank date, client and therapist (a
    /// ditto row, SPEC §2.9) that has no session above it to continue.
    DittoWithoutSession { above: DittoBreak },
    /// A reason read back from a saved report or cache, kept as the text it was written with.
    Recorded(String),
}

/// What stands above a ditto row instead of a session it could continue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DittoBreak {
    /// The row right under the header.
    Header,
    /// A blank row above it.
    BlankRow,
    /// A footer (`Total` …) above it.
    Footer,
    /// The row above is a session row whose date, client or therapist was rejected.
    RejectedSession,
}

impl From<ValueError> for RejectReason {
    fn from(e: ValueError) -> Self {
        RejectReason::Value(e)
    }
}

impl PartialEq for RejectReason {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (RejectReason::Value(a), RejectReason::Value(b)) => a == b,
            _ => self.to_string() == other.to_string(),
        }
    }
}

impl Eq for RejectReason {}

impl std::hash::Hash for RejectReason {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.to_string().hash(state);
    }
}

impl std::fmt::Display for RejectReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RejectReason::Value(e) => write!(f, "{e}"),
            RejectReason::AmbiguousDate {
                text,
                day_first,
                month_first,
            } => write!(
                f,
                "'{text}' could be {day_first} or {month_first}, and the column does not settle which: set order = \"day-first\" or \"month-first\" under [dates] in relief.toml"
            ),
            RejectReason::SideConflict { named, column } => write!(
                f,
                "the region says {named} but the side column says {column}; correct one of them"
            ),
            RejectReason::NoScores => {
                f.write_str("the session has no before or after score for any region")
            }
            RejectReason::NoPairColumn { region, field } => write!(
                f,
                "there is no '{} {field}' column for the other score of this region",
                region.label().to_lowercase()
            ),
            RejectReason::PairCellBlank { column, region } => write!(
                f,
                "'{column}' is blank while the other score of {} is filled in",
                region.label().to_lowercase()
            ),
            RejectReason::DittoWithoutSession { above } => write!(
                f,
                "the date and client are blank and there is no session above to continue ({}); type the date and client, or merge them down from the session's first row",
                match above {
                    DittoBreak::Header => "the row is right under the header",
                    DittoBreak::BlankRow => "a blank row stands above it",
                    DittoBreak::Footer => "a footer row stands above it",
                    DittoBreak::RejectedSession =>
                        "the row above it was rejected for its date, client or therapist",
                }
            ),
            RejectReason::Recorded(text) => f.write_str(text),
        }
    }
}

impl Serialize for RejectReason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RejectReason {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(RejectReason::Recorded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_sentences_and_round_trip_as_text() {
        let r = RejectReason::PairCellBlank {
            column: "Neck after".into(),
            region: Region::Neck,
        };
        assert_eq!(
            r.to_string(),
            "'Neck after' is blank while the other score of neck is filled in"
        );
        let json = serde_json::to_string(&r).unwrap();
        let back: RejectReason = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r, "a reason read back equals the one written");
        let v: RejectReason = ValueError::Blank(Field::After).into();
        assert_eq!(v.to_string(), "after is blank");
    }
}
