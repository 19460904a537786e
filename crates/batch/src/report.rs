//! What a run did, for the scheduler: one line on standard error, or JSON on standard output
//! with `--json`. Schedulers mail or log whatever a job prints, so the line is short and says
//! what a person needs to know: what arrived, which months were rebuilt, what was rejected.

use crate::Holder;
use serde::Serialize;

/// A file that could not be read (or was read only in part), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedFile {
    pub path: String,
    pub reason: String,
}

/// Rows of the files read as new or changed in this run (`read = used + rejected + duplicates`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RunRows {
    pub read: u64,
    pub used: u64,
    pub rejected: u64,
    pub duplicates: u64,
}

impl RunRows {
    /// Adds one file's row counts, summed over its sheets.
    pub fn add_file(&mut self, file: &relief_core::summary::FileReport) {
        for s in &file.sheets {
            self.read += s.rows_read;
            self.used += s.rows_used;
            self.rejected += s.rows_rejected;
            self.duplicates += s.rows_duplicate;
        }
    }
}

/// The machine summary of one run (`relief batch --json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunReport {
    pub inbox: String,
    pub out: String,
    /// Files seen for the first time (or back after being removed), by path inside the inbox.
    pub new: Vec<String>,
    /// Files whose content changed since they were recorded.
    pub changed: Vec<String>,
    /// How many files were unchanged (not re-read unless a month they hold was rebuilt).
    pub unchanged: usize,
    /// Files recorded before and no longer in the inbox.
    pub removed: Vec<String>,
    /// New or changed files that could not be read, or were read only in part.
    pub failed: Vec<FailedFile>,
    /// Recorded failures from earlier runs whose files have not changed since.
    pub still_failing: usize,
    /// Every file was read again because the settings changed since the reports were built.
    pub settings_changed: bool,
    /// Months whose reports were rebuilt, in order.
    pub months_rebuilt: Vec<String>,
    /// Months that lost all their data (files removed or now unreadable); their old reports
    /// were left in place.
    pub months_without_data: Vec<String>,
    pub rows: RunRows,
    /// The crashed run whose lock this run took over.
    pub stale_lock: Option<Holder>,
    /// This run's log file.
    pub log: String,
    /// The exit status: 0 all good, 1 something was rejected, 2 could not run.
    pub exit_status: u8,
}

impl RunReport {
    /// Whether anything this run read was rejected: a failed file or a rejected row.
    pub fn anything_rejected(&self) -> bool {
        !self.failed.is_empty() || self.rows.rejected > 0
    }

    /// The one-line summary, e.g.
    /// `relief batch: 2 new files, 1 changed; rebuilt 2026-10, 2026-11; 3 rows rejected`.
    pub fn one_line(&self) -> String {
        let mut parts = Vec::new();
        let mut files = Vec::new();
        if !self.new.is_empty() {
            files.push(plural(self.new.len(), "new file", "new files"));
        }
        if !self.changed.is_empty() {
            files.push(format!("{} changed", self.changed.len()));
        }
        if !self.removed.is_empty() {
            files.push(format!("{} removed", self.removed.len()));
        }
        if files.is_empty() {
            parts.push(format!(
                "nothing new ({} unchanged)",
                plural(self.unchanged, "file", "files")
            ));
        } else {
            parts.push(files.join(", "));
        }
        if self.settings_changed {
            parts.push("settings changed, every file read again".to_string());
        }
        if !self.months_rebuilt.is_empty() {
            parts.push(format!("rebuilt {}", self.months_rebuilt.join(", ")));
        }
        if !self.months_without_data.is_empty() {
            parts.push(format!(
                "no data left for {} (old reports kept)",
                self.months_without_data.join(", ")
            ));
        }
        if self.rows.rejected > 0 {
            parts.push(plural(
                self.rows.rejected as usize,
                "row rejected",
                "rows rejected",
            ));
        }
        if !self.failed.is_empty() {
            parts.push(format!(
                "{} could not be read",
                plural(self.failed.len(), "file", "files")
            ));
        }
        if self.still_failing > 0 {
            parts.push(format!(
                "{} still failing",
                plural(self.still_failing, "earlier file", "earlier files")
            ));
        }
        if let Some(h) = &self.stale_lock {
            parts.push(format!(
                "took over the lock of a run that stopped (pid {})",
                h.pid
            ));
        }
        format!("relief batch: {}", parts.join("; "))
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    relief_core::words::count(n as u64, one, many)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> RunReport {
        RunReport {
            inbox: "/srv/inbox".into(),
            out: "/srv/reports".into(),
            new: vec!["a.csv".into(), "b.xlsx".into()],
            changed: vec!["c.csv".into()],
            unchanged: 10,
            removed: vec![],
            failed: vec![],
            still_failing: 0,
            settings_changed: false,
            months_rebuilt: vec!["2026-10".into(), "2026-11".into()],
            months_without_data: vec![],
            rows: RunRows {
                read: 20,
                used: 17,
                rejected: 3,
                duplicates: 0,
            },
            stale_lock: None,
            log: "x.log".into(),
            exit_status: 1,
        }
    }

    #[test]
    fn says_what_arrived_what_was_rebuilt_and_what_was_rejected() {
        assert_eq!(
            report().one_line(),
            "relief batch: 2 new files, 1 changed; rebuilt 2026-10, 2026-11; 3 rows rejected"
        );
        assert!(report().anything_rejected());
    }

    #[test]
    fn a_quiet_night_says_so() {
        let quiet = RunReport {
            new: vec![],
            changed: vec![],
            months_rebuilt: vec![],
            rows: RunRows::default(),
            unchanged: 1,
            exit_status: 0,
            ..report()
        };
        assert_eq!(
            quiet.one_line(),
            "relief batch: nothing new (1 file unchanged)"
        );
        assert!(!quiet.anything_rejected());
    }

    #[test]
    fn the_json_names_every_field_schedulers_read() {
        let v = serde_json::to_value(report()).unwrap();
        for key in [
            "new",
            "changed",
            "unchanged",
            "removed",
            "failed",
            "months_rebuilt",
            "rows",
            "log",
            "exit_status",
        ] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        assert_eq!(v["rows"]["rejected"], 3);
    }
}
