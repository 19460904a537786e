//! Why a value was refused, in words a therapist can act on.

use crate::Field;

/// A refused cell value. The `Display` text is the reason shown in the rejects list, so it names
/// the value and, where there is one, the fix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
pub enum ValueError {
    /// A required cell is empty.
    #[error("{} is blank", .0.key())]
    Blank(Field),
    /// A score outside the scale (SPEC §2.6).
    #[error("score {value} is outside 0–{max}")]
    ScoreOutOfRange { value: String, max: u32 },
    /// A score that is not a number at all.
    #[error("'{0}' is not a score: write a number from 0 to 10, such as 7, 7.5 or 7/10")]
    ScoreNotANumber(String),
    /// A date cell where a score goes: spreadsheets turn a typed `7/10` into a date. `guess`
    /// is the score it probably was (`7`), when the date reads as one.
    #[error("{}", score_is_date(.shown, .guess.as_deref()))]
    ScoreIsDate {
        shown: String,
        guess: Option<String>,
    },
    /// A region name no synonym matches.
    #[error("unknown region '{0}' — add it under [regions] in relief.toml")]
    UnknownRegion(String),
    /// A side other than left, right or both.
    #[error("unknown side '{0}' — use left, right or both (L, R, B)")]
    UnknownSide(String),
    /// A pressure word no level matches.
    #[error(
        "unknown pressure '{0}' — use light, medium, firm or deep (or 1–4), or add it under [pressure] in relief.toml"
    )]
    UnknownPressure(String),
    /// A focus cell that is neither yes nor no.
    #[error("focus '{0}' is not yes or no (yes/no, y/n, true/false, 1/0, x or ✓)")]
    UnknownFocus(String),
    /// Minutes that are not a number of minutes from 0 up.
    #[error("minutes '{0}' is not a number of minutes from 0 up")]
    BadMinutes(String),
    /// Minutes that read as more than eight hours on one region (SPEC §2.9): `15:00` is fifteen
    /// hours. `reading` says how the value was read: `15 hours (900 minutes)`.
    #[error(
        "minutes '{value}' reads as {reading}: more than 480 minutes on one region is implausible (for a quarter of an hour write 15, 0:15 or 15 min)"
    )]
    ImplausibleMinutes { value: String, reading: String },
    /// A date that cannot be read in any accepted form.
    #[error("'{0}' is not a date: use a date cell, 2026-10-03, or 03/10/2026")]
    UnreadableDate(String),
    /// A date cell whose serial number is not a plausible date.
    #[error("date cell {0} is not a plausible date (before 1900 or after 9999)")]
    DateOutOfRange(String),
    /// A spreadsheet error cell such as `#DIV/0!`.
    #[error("the cell shows the spreadsheet error {0}; fix the formula or type the value")]
    ErrorCell(String),
}

fn score_is_date(shown: &str, guess: Option<&str>) -> String {
    match guess {
        Some(g) => format!(
            "the cell holds the date {shown}, not a score: the spreadsheet turned {g}/10 into a date; type {g} (or format the column as text)"
        ),
        None => format!(
            "the cell holds the date {shown}, not a score: type the score as a number from 0 to 10"
        ),
    }
}
