//! Putting the files of a run together: duplicates and conflicts removed across and within
//! files (SPEC §2.7), and every sheet's counts completed so the counting identity holds.

use crate::{FileRead, Ingested, dedup};
use relief_core::Records;
use std::collections::HashMap;

/// Merges files read one by one (in sorted path order): removes duplicates and conflicts across
/// and within them (SPEC §2.7), and completes each sheet's counts so that
/// `rows_read = rows_used + rows_rejected + rows_duplicate` holds for every sheet.
pub fn merge(reads: Vec<FileRead>) -> Ingested {
    let mut merger = Merger::default();
    for r in reads {
        merger.push(r);
    }
    merger.finish()
}

/// [`merge`] a file at a time, so a caller reading many files can hand each one over as soon
/// as it (and every file before it) is read, and its records are not held twice.
#[derive(Default)]
pub struct Merger {
    out: Ingested,
    all: Records,
}

impl Merger {
    /// Adds the next file, in sorted path order.
    pub fn push(&mut self, r: FileRead) {
        let out = &mut self.out;
        self.all.append(r.records);
        out.rejects.extend(r.rejects);
        out.footers.extend(r.footers);
        out.notes.extend(r.notes);
        out.files.push(r.report);
    }

    /// Removes duplicates and completes the counts of every file pushed.
    pub fn finish(self) -> Ingested {
        let Merger { mut out, mut all } = self;
        let duplicates = dedup::dedup(&mut all);
        let mut per_sheet: HashMap<(&str, &str), u64> = HashMap::new();
        for d in &duplicates {
            *per_sheet.entry((&d.file, &d.sheet)).or_default() += 1;
        }
        for f in &mut out.files {
            for s in &mut f.sheets {
                if let Some(n) = per_sheet.get(&(f.path.as_str(), s.name.as_str())) {
                    s.rows_duplicate = *n;
                    s.rows_used -= n;
                }
                out.rows.read += s.rows_read;
                out.rows.used += s.rows_used;
                out.rows.rejected += s.rows_rejected;
                out.rows.duplicates += s.rows_duplicate;
                out.rows.footer_skipped += s.footer_skipped;
            }
        }
        out.rows.conflicts = duplicates.iter().filter(|d| d.conflict.is_some()).count() as u64;
        out.records = all;
        out.duplicates = duplicates;
        out
    }
}
