//! The session × region record the reader produces and the analysis consumes, and the reject
//! that stands for every row that was not used.

use crate::{Field, Pressure, Region, RejectReason, Side};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Where a value came from, so every figure can be traced back to a cell a therapist can find.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    /// The file's path as given on the command line (or found under a folder given there).
    pub file: Arc<str>,
    /// The sheet name; for a CSV file, the file name.
    pub sheet: Arc<str>,
    /// The row number as Excel shows it, counting from 1; in a CSV, the line number.
    pub row: u32,
}

/// One session × region with both scores: the unit every figure counts.
///
/// `client` is already a keyed pseudonym when a record leaves the reader: the raw identifier
/// never travels further than the cell it was read from (SPEC §4.4).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub date: NaiveDate,
    /// Keyed pseudonym of the client (hex), stable for one installation's key.
    pub client: Arc<str>,
    /// `None` for a sheet without a therapist column (a solo practice, SPEC §2.9).
    pub therapist: Option<Arc<str>>,
    /// The export's own session id, where it has one.
    pub session_id: Option<Arc<str>>,
    pub region: Region,
    pub side: Option<Side>,
    /// Soreness before the session, 0–10.
    pub before: f64,
    /// Soreness after the session, 0–10.
    pub after: f64,
    /// Unknown when the export has no pressure column or the cell is blank.
    pub pressure: Option<Pressure>,
    /// Minutes spent on this region; unknown when the export does not record it.
    pub minutes: Option<f64>,
    /// Whether the client asked to focus on this region; unknown when the export has no focus column.
    pub focus: Option<bool>,
    pub technique: Option<Arc<str>>,
    pub origin: Origin,
}

impl Record {
    /// Points of relief: `before − after`; positive means the region got better.
    pub fn change(&self) -> f64 {
        self.before - self.after
    }

    /// `YYYY-MM` of the session date.
    pub fn month(&self) -> String {
        self.date.format("%Y-%m").to_string()
    }
}

/// A row (one session × region) that was not used, with a reason a therapist understands.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reject {
    pub file: String,
    pub sheet: String,
    /// Row number as Excel shows it, counting from 1; in a CSV, the line number.
    pub row: u32,
    /// The canonical field name (`after`), or empty when the whole row is at fault.
    pub column: String,
    /// The cell's value as written (never a client identifier).
    pub value: String,
    /// Why, in words a therapist can act on (serialised as that sentence).
    pub reason: RejectReason,
    /// `YYYY-MM` of the row's session date when it could be read, so a month's report lists
    /// its own rejects; `None` when the date itself is unreadable (listed in every period).
    pub month: Option<String>,
}

impl Reject {
    /// Builds a reject for a value of `field` at `origin`.
    /// The month is unknown until [`Reject::in_month`] sets it.
    pub fn new(
        origin: &Origin,
        field: Option<Field>,
        value: impl Into<String>,
        reason: impl Into<RejectReason>,
    ) -> Reject {
        Reject {
            file: origin.file.to_string(),
            sheet: origin.sheet.to_string(),
            row: origin.row,
            column: field.map(|f| f.key().to_string()).unwrap_or_default(),
            value: value.into(),
            reason: reason.into(),
            month: None,
        }
    }

    /// The same reject, placed in the month of the row's session date.
    pub fn in_month(mut self, date: Option<NaiveDate>) -> Reject {
        self.month = date.map(|d| d.format("%Y-%m").to_string());
        self
    }
}

/// A session × region that was read again (in another file or further down the same file) and
/// counted once (SPEC §2.7). A conflict is a copy whose scores or details disagree with the
/// copy that was kept; the later copy wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    /// Where the copy that was not used stands.
    pub file: String,
    pub sheet: String,
    pub row: u32,
    /// Where the copy that was used stands.
    pub kept_file: String,
    pub kept_sheet: String,
    pub kept_row: u32,
    /// `YYYY-MM` of the session.
    pub month: String,
    /// `None` for an identical copy; for a conflict, what differs, in plain words
    /// (`after: 3 here, 4 in the kept copy`).
    pub conflict: Option<String>,
}
