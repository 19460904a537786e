//! Which months to rebuild, and the ledger to save once they are written.
//!
//! A month is rebuilt when a file that holds (or held) data for it is new, changed, failed,
//! or removed. It is rebuilt from everything the inbox holds — the files just read and every
//! other file's cached reading (see [`crate::Cache`]) — because visit numbers and the trend
//! span the whole input: so its report is the same bytes whichever run writes it, and equal to
//! `relief report` over the inbox's files with `--month <month>`. Months no new, changed or
//! removed file touches are left as they were.

use crate::{Entry, Ledger, Outcome, ScannedFile, Status};
use relief_core::{Duplicate, Records, Reject};
use std::collections::{BTreeMap, BTreeSet};

/// What reading one file found, as far as the ledger cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileResult {
    /// SHA-256 of the content that was read.
    pub sha256: String,
    /// Months it holds rows for (used, rejected or duplicate, with a readable date).
    pub months: BTreeSet<String>,
    /// Why the file, or one of its sheets, could not be read.
    pub error: Option<String>,
    /// Whether any sheet was read. A file with an error and nothing read has failed; with some
    /// sheets read it is used, and the error is kept as the reason.
    pub read_any: bool,
}

impl FileResult {
    fn outcome(&self) -> Outcome {
        if self.error.is_some() && !self.read_any {
            Outcome::Failed
        } else {
            Outcome::Done
        }
    }
}

/// What a run will do.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Months with data to rebuild (`YYYY-MM`), in order.
    pub rebuild: Vec<String>,
    /// Months whose every source was removed or now fails: they have no data left. Their old
    /// reports are left in place (relief never deletes reports) and the run says so.
    pub emptied: Vec<String>,
    /// The ledger to save once every month's reports are written.
    pub ledger: Ledger,
}

impl Plan {
    /// Every month rebuilt, sorted.
    pub fn months(&self) -> Vec<String> {
        self.rebuild.clone()
    }
}

/// The months each file holds rows for, by the file's name as the reader gave it: used
/// records, rejects with a readable date, and both sides of every duplicate.
pub fn months_by_file(
    records: &Records,
    rejects: &[Reject],
    duplicates: &[Duplicate],
) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // Runs of one file and one day are common: look each up once.
    let mut last = None;
    for (file, day) in records.file.iter().zip(&records.day) {
        if last == Some((*file, *day)) {
            continue;
        }
        last = Some((*file, *day));
        let month = relief_core::records::date_of(*day)
            .format("%Y-%m")
            .to_string();
        out.entry(records.texts().get(*file).to_string())
            .or_default()
            .insert(month);
    }
    for r in rejects {
        if let Some(m) = &r.month {
            out.entry(r.file.clone()).or_default().insert(m.clone());
        }
    }
    for d in duplicates {
        for file in [&d.file, &d.kept_file] {
            out.entry(file.clone()).or_default().insert(d.month.clone());
        }
    }
    out
}

/// Plans a run: `old` is the saved ledger, `scanned` and `removed` what [`crate::scan()`]
/// found, and `results` what reading each file of the run found (every new and changed file;
/// every file when the settings changed). `settings` is the fingerprint to save and `now` the
/// time to record.
pub fn plan(
    old: &Ledger,
    scanned: &[ScannedFile],
    removed: &[String],
    results: &BTreeMap<String, FileResult>,
    settings: &str,
    now: &str,
) -> Plan {
    let mut ledger = old.clone();
    ledger.settings = settings.to_string();
    let mut rebuild: BTreeSet<String> = BTreeSet::new();
    let old_months = |key: &str| -> Vec<String> {
        old.files
            .get(key)
            .filter(|e| e.outcome == Outcome::Done)
            .map(|e| e.months.clone())
            .unwrap_or_default()
    };

    for f in scanned {
        if let Some(result) = results.get(&f.key) {
            rebuild.extend(old_months(&f.key));
            let outcome = result.outcome();
            let months: Vec<String> = match outcome {
                Outcome::Done => result.months.iter().cloned().collect(),
                _ => Vec::new(),
            };
            rebuild.extend(months.iter().cloned());
            let stat = f.stat.unwrap_or(crate::Stat {
                size: 0,
                modified_ns: None,
            });
            ledger.files.insert(
                f.key.clone(),
                Entry {
                    sha256: result.sha256.clone(),
                    size: stat.size,
                    modified_ns: stat.modified_ns,
                    months,
                    outcome,
                    reason: result.error.clone(),
                    recorded: now.to_string(),
                },
            );
        } else if f.status == Status::Touched
            && let (Some(stat), Some(entry)) = (f.stat, ledger.files.get_mut(&f.key))
        {
            entry.size = stat.size;
            entry.modified_ns = stat.modified_ns;
        }
    }
    for key in removed {
        rebuild.extend(old_months(key));
        if let Some(entry) = ledger.files.get_mut(key) {
            entry.outcome = Outcome::Removed;
            entry.months.clear();
            entry.reason = Some("no longer in the inbox".to_string());
            entry.recorded = now.to_string();
        }
    }

    // The months that still have data, from the ledger as it will stand.
    let held: BTreeSet<&str> = ledger
        .files
        .values()
        .filter(|e| e.outcome == Outcome::Done)
        .flat_map(|e| e.months.iter().map(String::as_str))
        .collect();
    // Visit numbers count every earlier session of a client (SPEC §3 group 8), so a change in
    // one month renumbers the visits of every later month: those are rebuilt too. A new export
    // for the latest month, the usual case, rebuilds just that month.
    if let Some(first) = rebuild.first().cloned() {
        rebuild.extend(
            held.iter()
                .filter(|m| **m > first.as_str())
                .map(|m| m.to_string()),
        );
    }
    let (rebuild, emptied): (Vec<String>, Vec<String>) =
        rebuild.into_iter().partition(|m| held.contains(m.as_str()));
    Plan {
        rebuild,
        emptied,
        ledger,
    }
}

/// The files a run must read: new and changed ones, or every file when `everything` (the
/// settings changed since the reports were built).
pub fn to_read(scanned: &[ScannedFile], everything: bool) -> Vec<&ScannedFile> {
    scanned
        .iter()
        .filter(|f| everything || matches!(f.status, Status::New | Status::Changed))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Stat;
    use std::path::PathBuf;

    fn done(months: &[&str]) -> Entry {
        Entry {
            sha256: "old".into(),
            size: 1,
            modified_ns: Some(1),
            months: months.iter().map(|m| m.to_string()).collect(),
            outcome: Outcome::Done,
            reason: None,
            recorded: "then".into(),
        }
    }

    fn file(key: &str, status: Status) -> ScannedFile {
        ScannedFile {
            key: key.into(),
            path: PathBuf::from(key),
            stat: Some(Stat {
                size: 2,
                modified_ns: Some(2),
            }),
            status,
        }
    }

    fn result(months: &[&str], error: Option<&str>, read_any: bool) -> FileResult {
        FileResult {
            sha256: "new".into(),
            months: months.iter().map(|m| m.to_string()).collect(),
            error: error.map(str::to_string),
            read_any,
        }
    }

    fn ledger(entries: &[(&str, Entry)]) -> Ledger {
        Ledger {
            settings: "s".into(),
            files: entries
                .iter()
                .map(|(k, e)| (k.to_string(), e.clone()))
                .collect(),
            ..Ledger::default()
        }
    }

    fn months(p: &Plan) -> Vec<&str> {
        p.rebuild.iter().map(String::as_str).collect()
    }

    #[test]
    fn a_new_file_for_a_new_month_rebuilds_only_that_month() {
        let old = ledger(&[("oct.csv", done(&["2026-10"]))]);
        let scanned = [
            file("nov.csv", Status::New),
            file("oct.csv", Status::Unchanged),
        ];
        let results = BTreeMap::from([("nov.csv".to_string(), result(&["2026-11"], None, true))]);
        let p = plan(&old, &scanned, &[], &results, "s", "now");
        assert_eq!(months(&p), ["2026-11"]);
        assert_eq!(p.ledger.files["nov.csv"].outcome, Outcome::Done);
        assert_eq!(p.ledger.files["oct.csv"], old.files["oct.csv"]);
    }

    #[test]
    fn the_months_a_new_or_changed_file_holds_or_held_and_every_later_month_are_rebuilt() {
        // a: Sep+Oct, b: Oct (new), c: Nov, d: Oct+Nov (unchanged), e: Dec (untouched).
        // Later months are rebuilt too: their visit numbers count the changed month's sessions.
        let old = ledger(&[
            ("a.csv", done(&["2026-09", "2026-10"])),
            ("c.csv", done(&["2026-11"])),
            ("d.csv", done(&["2026-10", "2026-11"])),
            ("e.csv", done(&["2026-12"])),
        ]);
        // The five files, all unchanged but `one`.
        let scan = |one: &str, status: Status| {
            ["a.csv", "b.csv", "c.csv", "d.csv", "e.csv"]
                .map(|k| file(k, if k == one { status } else { Status::Unchanged }))
        };
        let scanned = scan("b.csv", Status::New);
        let b_new = BTreeMap::from([("b.csv".to_string(), result(&["2026-10"], None, true))]);
        let p = plan(&old, &scanned, &[], &b_new, "s", "now");
        assert_eq!(months(&p), ["2026-10", "2026-11", "2026-12"]);
        assert_eq!(p.months(), ["2026-10", "2026-11", "2026-12"]);

        // The same files, now d changes: Oct onwards is rebuilt, Sep is not.
        let old = plan(&old, &scanned, &[], &b_new, "s", "now").ledger;
        let d_changed = BTreeMap::from([(
            "d.csv".to_string(),
            result(&["2026-10", "2026-11"], None, true),
        )]);
        let scanned = scan("d.csv", Status::Changed);
        let p = plan(&old, &scanned, &[], &d_changed, "s", "now");
        assert_eq!(months(&p), ["2026-10", "2026-11", "2026-12"]);
    }

    #[test]
    fn a_changed_file_rebuilds_the_months_it_left_and_the_months_it_joined() {
        let old = ledger(&[("a.csv", done(&["2026-09"])), ("b.csv", done(&["2026-09"]))]);
        let scanned = [
            file("a.csv", Status::Changed),
            file("b.csv", Status::Unchanged),
        ];
        let results = BTreeMap::from([("a.csv".to_string(), result(&["2026-10"], None, true))]);
        let p = plan(&old, &scanned, &[], &results, "s", "now");
        assert_eq!(months(&p), ["2026-09", "2026-10"]);
        assert!(p.emptied.is_empty());
    }

    #[test]
    fn removed_and_failing_files_leave_their_months_to_the_others_or_empty() {
        let old = ledger(&[
            ("a.csv", done(&["2026-09", "2026-10"])),
            ("b.csv", done(&["2026-10"])),
            ("c.csv", done(&["2026-11"])),
        ]);
        // a is gone; c changed into something unreadable; x is new and broken.
        let scanned = [
            file("b.csv", Status::Unchanged),
            file("c.csv", Status::Changed),
            file("x.xlsx", Status::New),
        ];
        let results = BTreeMap::from([
            (
                "c.csv".to_string(),
                result(&[], Some("not a spreadsheet"), false),
            ),
            (
                "x.xlsx".to_string(),
                result(&[], Some("corrupt zip"), false),
            ),
        ]);
        let p = plan(&old, &scanned, &["a.csv".to_string()], &results, "s", "now");
        assert_eq!(months(&p), ["2026-10"]);
        assert_eq!(p.emptied, ["2026-09", "2026-11"]);
        let a = &p.ledger.files["a.csv"];
        assert_eq!((a.outcome, a.months.len()), (Outcome::Removed, 0));
        let x = &p.ledger.files["x.xlsx"];
        assert_eq!(x.outcome, Outcome::Failed);
        assert_eq!(x.reason.as_deref(), Some("corrupt zip"));
        assert_eq!(x.recorded, "now");
    }

    #[test]
    fn a_file_read_in_part_is_used_and_keeps_its_reason() {
        let old = Ledger::default();
        let scanned = [file("a.xlsx", Status::New)];
        let results = BTreeMap::from([(
            "a.xlsx".to_string(),
            result(&["2026-10"], Some("sheet Notes: no header"), true),
        )]);
        let p = plan(&old, &scanned, &[], &results, "s", "now");
        assert_eq!(p.ledger.files["a.xlsx"].outcome, Outcome::Done);
        assert_eq!(months(&p), ["2026-10"]);
    }

    #[test]
    fn nothing_new_plans_nothing_and_leaves_the_ledger_as_it_was() {
        let old = ledger(&[("a.csv", done(&["2026-10"]))]);
        let scanned = [file("a.csv", Status::Unchanged)];
        let p = plan(&old, &scanned, &[], &BTreeMap::new(), "s", "now");
        assert!(p.rebuild.is_empty() && p.emptied.is_empty());
        assert_eq!(p.ledger, old);

        // Touched: the new size and time are noted, nothing is rebuilt.
        let scanned = [file("a.csv", Status::Touched)];
        let p = plan(&old, &scanned, &[], &BTreeMap::new(), "s", "now");
        assert!(p.rebuild.is_empty());
        assert_eq!(p.ledger.files["a.csv"].modified_ns, Some(2));
        assert_eq!(p.ledger.files["a.csv"].sha256, "old");
    }

    #[test]
    fn months_come_from_records_rejects_and_both_sides_of_duplicates() {
        use relief_core::{Origin, Record, Region};
        let record = Record {
            date: chrono::NaiveDate::from_ymd_opt(2026, 10, 3).unwrap(),
            client: "c".into(),
            therapist: Some("t".into()),
            session_id: None,
            region: Region::Neck,
            side: None,
            before: 5.0,
            after: 3.0,
            pressure: None,
            minutes: None,
            focus: None,
            technique: None,
            origin: Origin {
                file: "a.csv".into(),
                sheet: "a.csv".into(),
                row: 2,
            },
        };
        let reject = |file: &str, month: Option<&str>| Reject {
            file: file.into(),
            sheet: "s".into(),
            row: 3,
            column: "after".into(),
            value: "11".into(),
            reason: relief_core::RejectReason::Recorded("too high".into()),
            month: month.map(str::to_string),
        };
        let duplicate = Duplicate {
            file: "c.csv".into(),
            sheet: "s".into(),
            row: 2,
            kept_file: "a.csv".into(),
            kept_sheet: "s".into(),
            kept_row: 2,
            month: "2026-12".into(),
            conflict: None,
        };
        let months = months_by_file(
            &[record].into_iter().collect(),
            &[reject("b.csv", Some("2026-11")), reject("b.csv", None)],
            &[duplicate],
        );
        let m = |k: &str| months[k].iter().cloned().collect::<Vec<_>>();
        assert_eq!(m("a.csv"), ["2026-10", "2026-12"]);
        assert_eq!(m("b.csv"), ["2026-11"]);
        assert_eq!(m("c.csv"), ["2026-12"]);
    }
}
