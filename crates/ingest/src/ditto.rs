//! Ditto rows (SPEC §2.9): in a hand-kept long-layout sheet, the date, client and therapist are
//! often written once, on a session's first row, and left blank on the rows of its other
//! regions. Such a row continues the session of the data row right above it, as if those cells
//! were merged; it takes that row's date, client, therapist and session id, nothing else.
//!
//! A blank row, a footer or a row whose session could not be read ends the session: a ditto row
//! after one of them has nothing to continue and is rejected, saying so. Ditto rows apply to
//! spreadsheets, not CSV (a CSV has no merged cells to imitate, and a blank there is a blank).

use crate::grid::{RowView, Value};
use crate::header::{Columns, LongColumns};
use chrono::NaiveDate;
use relief_core::DittoBreak;
use std::sync::Arc;

/// Words that mark a summary row written under the data.
pub(crate) const FOOTER_WORDS: [&str; 8] = [
    "total", "totals", "sum", "average", "mean", "avg", "count", "summary",
];

/// Whether a cell reads as a footer word (`Total`, `Average:` …).
pub(crate) fn is_footer_word(v: &Value<'_>) -> bool {
    match v {
        Value::Text(t) => {
            // Compared without lowercasing into a new string (this runs on every row's region):
            // the words are ASCII without a `k`, so no other character lowercases into one of
            // them (the Kelvin sign is the only non-ASCII letter that lowercases to ASCII).
            let w = t.trim().trim_end_matches(':');
            FOOTER_WORDS.iter().any(|f| f.eq_ignore_ascii_case(w))
        }
        _ => false,
    }
}

/// What a ditto row takes from the session it continues.
#[derive(Debug, Clone)]
pub(crate) struct Carried {
    pub date: NaiveDate,
    pub client: Arc<str>,
    pub therapist: Option<Arc<str>>,
    pub session_id: Option<Arc<str>>,
    /// The session's first row, as Excel shows it.
    pub row: u32,
}

/// What the row right above the current one leaves for a ditto row to continue.
#[derive(Debug, Clone)]
pub(crate) enum Above {
    Session(Carried),
    /// Nothing to continue, and why.
    Broken(DittoBreak),
}

/// A row with a region (not a footer word) and at least one score: data, never a footer
/// (SPEC §2.2).
pub(crate) fn has_region_and_score(row: &RowView<'_, '_>, long: &LongColumns) -> bool {
    row.get(long.region).is_some_and(|v| !is_footer_word(v))
        && (row.get(long.before).is_some() || row.get(long.after).is_some())
}

/// A ditto row: a region and scores, and a blank date, client, therapist (where the sheet has
/// that column) and session id.
pub(crate) fn is_ditto_row(row: &RowView<'_, '_>, cols: &Columns, long: &LongColumns) -> bool {
    let blank = |c: Option<u32>| c.is_none_or(|c| row.get(c).is_none());
    blank(Some(cols.date))
        && blank(Some(cols.client))
        && blank(cols.therapist)
        && blank(cols.session_id)
        && has_region_and_score(row, long)
}

/// Runs of ditto rows, for the sheet's notes: first and last Excel row, and the session's row.
#[derive(Debug, Default)]
pub(crate) struct DittoRuns(pub Vec<(u32, u32, u32)>);

impl DittoRuns {
    /// Adds Excel row `row`, which continues the session of row `of`.
    pub(crate) fn push(&mut self, row: u32, of: u32) {
        match self.0.last_mut() {
            Some(last) if last.1 + 1 == row && last.2 == of => last.1 = row,
            _ => self.0.push((row, row, of)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same answer as lowercasing the trimmed text and looking it up, over words that are,
    /// nearly are, or only look like footer words.
    #[test]
    fn footer_words_are_found_as_lowercasing_would_find_them() {
        let lowercased = |t: &str| {
            let w = t.trim().trim_end_matches(':').to_lowercase();
            FOOTER_WORDS.contains(&w.as_str())
        };
        for t in [
            "Total",
            "TOTALS",
            " total: ",
            "Average:",
            "avg",
            "Count::",
            "SUMMARY",
            "mean",
            "Sum",
            "neck",
            "totally",
            "tot",
            "",
            ":",
            "Totał",
            "ＴＯＴＡＬ",
            "İtem",
            "\u{212A}ount",
            "count\u{0301}",
            "Ｓum",
            "lower back",
            "Total row",
        ] {
            let cell = Value::Text(t.into());
            assert_eq!(is_footer_word(&cell), lowercased(t), "{t:?}");
        }
        assert!(is_footer_word(&Value::Text(" AVERAGE: ".into())));
        assert!(!is_footer_word(&Value::Number(1.0)));
    }

    #[test]
    fn consecutive_rows_of_one_session_form_one_run() {
        let mut runs = DittoRuns::default();
        for r in [9, 10, 11, 12] {
            runs.push(r, 8);
        }
        runs.push(15, 14);
        runs.push(17, 14);
        assert_eq!(runs.0, [(9, 12, 8), (15, 15, 14), (17, 17, 14)]);
    }
}
