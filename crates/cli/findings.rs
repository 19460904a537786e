//! What a read found, in plain words: one line per sheet read (hidden sheets marked), the sheets
//! that are not session sheets, what was resolved in hand-kept sheets (merged cells, a two-row
//! header, ditto rows), the problems grouped by file and reason with their row numbers, and the
//! copies counted once.
//!
//! `relief validate` prints these lines and `relief serve` shows them on its page, so a therapist
//! reads the same sentence about the same row wherever she looks. File names are shown through a
//! function the caller passes: the command line shortens paths below the current folder, the
//! page shows the names the files were uploaded with.

use crate::common::count;
use relief_core::summary::{FileReport, SheetReport};
use relief_ingest::{Ingested, NotSession, SheetNote};
use std::collections::{BTreeMap, HashMap};

/// The problems of one file: why it could not be read (if so), then one line per reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileProblems {
    /// The file as shown to the reader.
    pub file: String,
    pub lines: Vec<String>,
}

/// "row" in a workbook, "line" in a CSV file.
pub fn row_word(file: &str, n: usize) -> &'static str {
    match (is_csv(file), n == 1) {
        (true, true) => "line",
        (true, false) => "lines",
        (false, true) => "row",
        (false, false) => "rows",
    }
}

/// CSV and TSV files have lines, not rows, and no sheets.
fn is_csv(file: &str) -> bool {
    let file = file.to_ascii_lowercase();
    file.ends_with(".csv") || file.ends_with(".tsv")
}

/// `3, 7–9, 12`: row numbers, consecutive ones as ranges.
pub fn ranges(rows: &[u32]) -> String {
    let mut rows = rows.to_vec();
    rows.sort_unstable();
    rows.dedup();
    let mut out = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let mut j = i;
        while j + 1 < rows.len() && rows[j + 1] == rows[j] + 1 {
            j += 1;
        }
        out.push(if j > i {
            format!("{}–{}", rows[i], rows[j])
        } else {
            rows[i].to_string()
        });
        i = j + 1;
    }
    out.join(", ")
}

/// What was found in one sheet: `sheet 'Sessions': long layout, header on row 4 — 531 rows read:
/// 525 used, 1 rejected, 5 duplicates; 1 footer row skipped (row 542)`.
pub fn sheet_line(ing: &Ingested, file: &FileReport, sheet: &SheetReport) -> String {
    let mut s = format!(
        "{}: {} layout, header on {} {} — {} read: {} used, {} rejected, {}",
        sheet_name(&file.path, &sheet.name, sheet.hidden),
        sheet.layout,
        row_word(&file.path, 1),
        sheet.header_row,
        count(sheet.rows_read, "row", "rows"),
        sheet.rows_used,
        sheet.rows_rejected,
        count(sheet.rows_duplicate, "duplicate", "duplicates"),
    );
    let footers: Vec<u32> = ing
        .footers
        .iter()
        .filter(|x| x.file == file.path && x.sheet == sheet.name)
        .map(|x| x.row)
        .collect();
    if !footers.is_empty() {
        s += &format!(
            "; {} skipped ({} {})",
            count(footers.len() as u64, "footer row", "footer rows"),
            row_word(&file.path, footers.len()),
            ranges(&footers)
        );
    }
    s
}

/// `sheet 'Lists' (hidden)`, or `data` for a CSV file.
fn sheet_name(file: &str, sheet: &str, hidden: bool) -> String {
    if is_csv(file) {
        "data".to_string()
    } else if hidden {
        format!("sheet '{sheet}' (hidden)")
    } else {
        format!("sheet '{sheet}'")
    }
}

/// The sheets of one file that are not session sheets, one line each, with the reason (empty
/// sheets only when `all`): `sheet 'Lists' (hidden) is not a session sheet: …`.
pub fn other_sheet_lines(ing: &Ingested, file: &FileReport, all: bool) -> Vec<String> {
    ing.notes
        .iter()
        .filter(|n| n.file == file.path)
        .filter_map(|n| match n.not_session()? {
            NotSession::Empty if !all => None,
            why => Some(format!(
                "{} is not a session sheet: {why}",
                sheet_name(&file.path, &n.sheet, n.hidden)
            )),
        })
        .collect()
}

/// Notes of one kind and wording repeat once per session (merged ranges, ditto runs): a few
/// are shown, then how many more.
const NOTES_SHOWN: usize = 3;

/// What was resolved in one sheet (all of it with `validate -v`): `rows 5–8: date, client merged`, `two-row
/// header on rows 3–4 …`, `rows 9–12 continue the session of row 8`; long runs of alike notes
/// folded.
/// With `all` false, only the notes that may hide a mistake in the data, shown even without
/// `-v`: a repeated column name (which of the two was meant?) and a quote left open (rows
/// swallowed into one cell).
pub fn note_lines(
    ing: &Ingested,
    file: &FileReport,
    sheet: &SheetReport,
    all: bool,
) -> Vec<String> {
    let notes = ing
        .notes
        .iter()
        .filter(|n| n.file == file.path && n.sheet == sheet.name)
        .flat_map(|n| &n.notes)
        .filter(|n| {
            all || matches!(
                n,
                SheetNote::RepeatedColumns(_) | SheetNote::QuoteLeftOpen { .. }
            )
        })
        .collect::<Vec<_>>();
    fold(&notes)
}

fn fold(notes: &[&SheetNote]) -> Vec<String> {
    // Merged notes are alike when they name the same columns; ditto notes are all alike.
    fn kind(n: &SheetNote) -> Option<String> {
        match n {
            SheetNote::Merged { columns, .. } => Some(columns.join(", ")),
            SheetNote::Ditto { .. } => Some(String::new()),
            _ => None,
        }
    }
    let mut lines = Vec::new();
    let mut i = 0;
    while i < notes.len() {
        let k = kind(notes[i]);
        let mut j = i + 1;
        while k.is_some() && j < notes.len() && kind(notes[j]) == k {
            j += 1;
        }
        let run = &notes[i..j];
        let shown = if run.len() > NOTES_SHOWN + 1 {
            NOTES_SHOWN
        } else {
            run.len()
        };
        lines.extend(run[..shown].iter().map(|n| n.to_string()));
        if shown < run.len() {
            let last = match run[run.len() - 1] {
                SheetNote::Merged { last, .. } | SheetNote::Ditto { last, .. } => *last,
                _ => 0,
            };
            lines.push(format!(
                "… and {} more like these, down to row {last}",
                run.len() - shown
            ));
        }
        i = j;
    }
    lines
}

/// For a file with an error, where to look: it could not be read at all, or only in part.
pub fn file_error_line(file: &FileReport) -> Option<&'static str> {
    file.error.as_ref().map(|_| {
        if file.sheets.is_empty() {
            "cannot be read"
        } else {
            "not every sheet could be read"
        }
    })
}

/// A group of rejects: sheet, column, reason.
type Reason<'a> = (&'a str, &'a str, &'a relief_core::RejectReason);
/// A group of identical copies: file and sheet of the copies, then of the kept ones.
type Pair<'a> = (&'a str, &'a str, &'a str, &'a str);

/// Every problem, by file (in reading order), then by sheet and reason, with every row number.
/// A file's own error comes first. Files without problems are left out.
pub fn problems(ing: &Ingested, shown: &dyn Fn(&str) -> String) -> Vec<FileProblems> {
    let mut by_file: BTreeMap<usize, HashMap<Reason<'_>, Vec<u32>>> = BTreeMap::new();
    let index = |file: &str| ing.files.iter().position(|f| f.path == file).unwrap_or(0);
    for r in &ing.rejects {
        by_file
            .entry(index(&r.file))
            .or_default()
            .entry((&r.sheet, &r.column, &r.reason))
            .or_default()
            .push(r.row);
    }
    let mut out = Vec::new();
    for (i, f) in ing.files.iter().enumerate() {
        let groups = by_file.get(&i);
        if groups.is_none() && f.error.is_none() {
            continue;
        }
        let mut lines = Vec::new();
        if let Some(e) = &f.error {
            lines.push(e.clone());
        }
        // Sheets, columns and reasons in the order a reader scans them: alphabetical.
        let mut groups: Vec<(&str, &str, String, &Vec<u32>)> = groups
            .into_iter()
            .flatten()
            .map(|((sheet, column, reason), rows)| (*sheet, *column, reason.to_string(), rows))
            .collect();
        groups.sort();
        for (sheet, column, reason, rows) in groups {
            let place = if is_csv(&f.path) {
                String::new()
            } else {
                format!("sheet '{sheet}', ")
            };
            let column = if column.is_empty() {
                String::new()
            } else {
                format!(" (column {column})")
            };
            // A wide-layout row rejects once per region: count rows, not rejects.
            let distinct = rows.iter().collect::<std::collections::BTreeSet<_>>().len();
            lines.push(format!(
                "{reason}{column}: {place}{} {}",
                row_word(&f.path, distinct),
                ranges(rows)
            ));
        }
        out.push(FileProblems {
            file: shown(&f.path),
            lines,
        });
    }
    out
}

/// The copies counted once: identical copies grouped by the files they stand in, then every
/// conflict on its own line.
pub fn counted_once(ing: &Ingested, shown: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut out = Vec::new();
    let mut groups: BTreeMap<Pair<'_>, (Vec<u32>, Vec<u32>)> = BTreeMap::new();
    for d in ing.duplicates.iter().filter(|d| d.conflict.is_none()) {
        let g = groups
            .entry((&d.file, &d.sheet, &d.kept_file, &d.kept_sheet))
            .or_default();
        g.0.push(d.row);
        g.1.push(d.kept_row);
    }
    for ((file, _, kept_file, _), (rows, kept)) in &groups {
        out.push(format!(
            "{} {} {}: the same session × region as {} {} {}; counted once",
            shown(file),
            row_word(file, rows.len()),
            ranges(rows),
            shown(kept_file),
            row_word(kept_file, kept.len()),
            ranges(kept)
        ));
    }
    for d in ing.duplicates.iter().filter(|d| d.conflict.is_some()) {
        out.push(format!(
            "conflict: {} {} {} and {} {} {} disagree ({}); the copy in {} is used",
            shown(&d.file),
            row_word(&d.file, 1),
            d.row,
            shown(&d.kept_file),
            row_word(&d.kept_file, 1),
            d.kept_row,
            d.conflict.as_deref().unwrap_or_default(),
            shown(&d.kept_file),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_numbers_are_shown_as_ranges() {
        assert_eq!(ranges(&[9, 3, 7, 8, 12, 3]), "3, 7–9, 12");
        assert_eq!(ranges(&[5]), "5");
    }

    #[test]
    fn long_runs_of_alike_notes_are_folded() {
        let merged = |first: u32| SheetNote::Merged {
            first,
            last: first + 3,
            columns: vec!["date".into(), "client".into()],
        };
        let mut notes = vec![SheetNote::TwoRowHeader { upper: 3, lower: 4 }];
        notes.extend((0..6).map(|i| merged(5 + 4 * i)));
        notes.push(SheetNote::Ditto {
            first: 40,
            last: 42,
            of: 39,
        });
        let refs: Vec<&SheetNote> = notes.iter().collect();
        assert_eq!(
            fold(&refs),
            [
                "two-row header on rows 3–4: region names above before/after/minutes",
                "rows 5–8: date, client merged",
                "rows 9–12: date, client merged",
                "rows 13–16: date, client merged",
                "… and 3 more like these, down to row 28",
                "rows 40–42 continue the session of row 39",
            ]
        );
    }

    #[test]
    fn csv_files_count_lines() {
        assert_eq!(row_word("a.CSV", 2), "lines");
        assert_eq!(row_word("a.xlsx", 1), "row");
    }
}
