//! The session × region record the reader produces and the analysis consumes, and the reject
//! that stands for every row that was not used.

use crate::{Field, Pressure, Region, Side};
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
    pub therapist: Arc<str>,
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
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Reject {
    pub file: String,
    pub sheet: String,
    /// Row number as Excel shows it, counting from 1; in a CSV, the line number.
    pub row: u32,
    /// The canonical field name (`after`), or empty when the whole row is at fault.
    pub column: String,
    /// The cell's value as written (never a client identifier).
    pub value: String,
    pub reason: String,
}

impl Reject {
    /// Builds a reject for a value of `field` at `origin`.
    pub fn new(
        origin: &Origin,
        field: Option<Field>,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) -> Reject {
        Reject {
            file: origin.file.to_string(),
            sheet: origin.sheet.to_string(),
            row: origin.row,
            column: field.map(|f| f.key().to_string()).unwrap_or_default(),
            value: value.into(),
            reason: reason.into(),
        }
    }
}
