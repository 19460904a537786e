//! What relief understood about a sheet it read, in words, so a therapist can see that a
//! hand-kept workbook was read as they meant it (`relief validate -v`): merged cells filled, a
//! two-row header, ditto rows continuing a session, a sheet without a therapist column, and
//! sheets that are not session sheets at all (SPEC §2.2, §2.9).
//!
//! Notes are facts about the reading, not problems: a row that could not be used is a reject,
//! never a note.

use std::fmt;

/// The notes of one sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetNotes {
    /// The file's path as shown elsewhere (`FileReport::path`).
    pub file: String,
    pub sheet: String,
    /// Whether the sheet is hidden in the workbook.
    pub hidden: bool,
    /// In the order a reader scans the sheet: header notes first, then by row.
    pub notes: Vec<SheetNote>,
}

impl SheetNotes {
    /// Why the sheet was not read as a session sheet, if it was not.
    pub fn not_session(&self) -> Option<&NotSession> {
        self.notes.iter().find_map(|n| match n {
            SheetNote::NotSessionSheet(why) => Some(why),
            _ => None,
        })
    }
}

/// One thing relief resolved or decided about a sheet. Row numbers are as Excel shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetNote {
    /// Merged cells over rows `first..=last` were filled with their value; `columns` names
    /// the columns (`date`, `client`, or the header's own text for other columns).
    Merged {
        first: u32,
        last: u32,
        columns: Vec<String>,
    },
    /// The header spans two rows: region names on `upper`, before/after/minutes on `lower`.
    TwoRowHeader { upper: u32, lower: u32 },
    /// Rows `first..=last` have no date, client or therapist of their own and continue the
    /// session that starts on row `of` (ditto rows).
    Ditto { first: u32, last: u32, of: u32 },
    /// The sheet has no therapist column: its rows have no therapist (a solo practice).
    NoTherapistColumn,
    /// Header names relief does not know, with their column letters (`Time`, `G`): their
    /// cells are not read.
    ColumnsNotRead(Vec<(String, String)>),
    /// Columns whose header names a field another column already gave (two `After` columns):
    /// each with its name, its letter and the letter of the column read instead.
    RepeatedColumns(Vec<(String, String, String)>),
    /// A CSV record ran from line `first` to line `last`, and a line inside one of its cells
    /// looks like a row of its own: most likely a quote left open swallowed those rows.
    QuoteLeftOpen { first: u64, last: u64 },
    /// The sheet is not a session sheet and its rows were not read.
    NotSessionSheet(NotSession),
}

/// Why a sheet is not a session sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotSession {
    /// The sheet has no cells at all.
    Empty,
    /// No row among the first 30 names three known columns.
    NoHeader,
    /// The best header row names columns, but no date, client or score column (a price list,
    /// a sheet of drop-down lists).
    NoSessionColumns { row: u32, names: Vec<String> },
}

/// `5–8` or `5`.
fn rows(first: u32, last: u32) -> String {
    if first == last {
        format!("row {first}")
    } else {
        format!("rows {first}–{last}")
    }
}

impl fmt::Display for SheetNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SheetNote::Merged {
                first,
                last,
                columns,
            } => write!(f, "{}: {} merged", rows(*first, *last), columns.join(", ")),
            SheetNote::TwoRowHeader { upper, lower } => write!(
                f,
                "two-row header on rows {upper}–{lower}: region names above before/after/minutes"
            ),
            SheetNote::Ditto { first, last, of } => {
                let verb = if first == last { "continues" } else { "continue" };
                write!(f, "{} {verb} the session of row {of}", rows(*first, *last))
            }
            SheetNote::NoTherapistColumn => f.write_str(
                "no therapist column: its rows have no therapist (a solo practice) and are left out of the therapist table",
            ),
            SheetNote::ColumnsNotRead(columns) => {
                let names: Vec<String> = columns
                    .iter()
                    .map(|(name, letter)| format!("'{name}' ({letter})"))
                    .collect();
                write!(
                    f,
                    "not read: {} — names relief does not know; if one holds minutes, pressure, focus or another field, add its name under [headers] in relief.toml",
                    names.join(", ")
                )
            }
            SheetNote::RepeatedColumns(columns) => {
                let names: Vec<String> = columns
                    .iter()
                    .map(|(name, letter, read)| format!("'{name}' ({letter}) repeats column {read}"))
                    .collect();
                write!(
                    f,
                    "not read: {} — the first column of a name is the one read; rename or remove the other if it holds something else",
                    names.join(", ")
                )
            }
            SheetNote::QuoteLeftOpen { first, last } => write!(
                f,
                "lines {first}–{last} were read as one row: the quote (\") opened on line {first} is not closed before line {last}, and the lines between look like rows of their own; check the quotes on line {first}"
            ),
            SheetNote::NotSessionSheet(why) => write!(f, "not a session sheet: {why}"),
        }
    }
}

impl fmt::Display for NotSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotSession::Empty => f.write_str("it is empty"),
            NotSession::NoHeader => f.write_str(
                "no row within the first 30 names three known columns (such as date, client, region, before, after); its rows are not read",
            ),
            NotSession::NoSessionColumns { row, names } => write!(
                f,
                "its header on row {row} ({}) names no date, client or score column; its rows are not read",
                names.join(", ")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_read_as_sentences() {
        let merged = SheetNote::Merged {
            first: 5,
            last: 8,
            columns: vec!["date".into(), "client".into()],
        };
        assert_eq!(merged.to_string(), "rows 5–8: date, client merged");
        let ditto = SheetNote::Ditto {
            first: 9,
            last: 12,
            of: 8,
        };
        assert_eq!(ditto.to_string(), "rows 9–12 continue the session of row 8");
        let one = SheetNote::Ditto {
            first: 9,
            last: 9,
            of: 8,
        };
        assert_eq!(one.to_string(), "row 9 continues the session of row 8");
        let lists = SheetNote::NotSessionSheet(NotSession::NoSessionColumns {
            row: 1,
            names: vec!["Region".into(), "Therapist".into(), "Technique".into()],
        });
        assert_eq!(
            lists.to_string(),
            "not a session sheet: its header on row 1 (Region, Therapist, Technique) names no date, client or score column; its rows are not read"
        );
    }
}
