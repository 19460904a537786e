//! The ledger: what the batch has processed, kept at `<out>/.relief/ledger.json`.
//!
//! One entry per inbox file ever seen, keyed by its path inside the inbox: its content hash (the
//! truth about whether it changed), its size and modification time (the fast path that spares
//! hashing unchanged files), the months it holds data for, and its outcome. The file is
//! versioned JSON with entries sorted by path, so two runs that did the same work write the same
//! ledger apart from the times, and it is replaced atomically, so a run killed while saving it
//! leaves the previous ledger whole.

use crate::BatchError;
use crate::layout::write_atomic;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The ledger format this relief writes and the newest it reads.
pub const LEDGER_VERSION: u32 = 1;

/// What became of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Read, and the reports of every month it holds were written with it.
    Done,
    /// Could not be read at all (`reason` says why); tried again when its content changes.
    Failed,
    /// No longer in the inbox; the months it held were rebuilt without it.
    Removed,
}

/// What the ledger knows about one inbox file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// SHA-256 of the content that was read, lower-case hex.
    pub sha256: String,
    /// Size in bytes when it was last looked at.
    pub size: u64,
    /// Modification time when it was last looked at, in nanoseconds since 1970 (UTC); `None`
    /// where the file system does not say.
    pub modified_ns: Option<i64>,
    /// The months (`YYYY-MM`) it holds rows for: used, rejected or duplicate rows with a
    /// readable date. Empty for failed and removed files.
    pub months: Vec<String>,
    pub outcome: Outcome,
    /// Why it failed; for a file read in part, which sheet could not be read; for a removed
    /// file, that it left the inbox.
    pub reason: Option<String>,
    /// When this outcome was recorded (RFC 3339, UTC).
    pub recorded: String,
}

/// Every file the batch has seen, by path inside the inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    /// The format version, [`LEDGER_VERSION`] when written by this relief.
    pub version: u32,
    /// A fingerprint of the settings the reports were built with (config, relief version,
    /// pseudonym key); when it changes, every month is rebuilt.
    pub settings: String,
    /// Sorted by path, so the file is deterministic.
    pub files: BTreeMap<String, Entry>,
}

impl Default for Ledger {
    fn default() -> Ledger {
        Ledger {
            version: LEDGER_VERSION,
            settings: String::new(),
            files: BTreeMap::new(),
        }
    }
}

impl Ledger {
    /// Loads the ledger at `path`; a missing file is an empty ledger (the first run).
    ///
    /// # Errors
    /// [`BatchError::Io`] when it cannot be read, [`BatchError::LedgerDamaged`] when it is not
    /// a ledger, [`BatchError::LedgerTooNew`] when a newer relief wrote it.
    pub fn load(path: &Path) -> Result<Ledger, BatchError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ledger::default()),
            Err(e) => return Err(BatchError::io(path, "read")(e)),
        };
        let damaged = |reason: String| BatchError::LedgerDamaged {
            path: path.to_path_buf(),
            reason,
        };
        #[derive(Deserialize)]
        struct VersionOnly {
            version: u32,
        }
        let version = serde_json::from_str::<VersionOnly>(&text)
            .map_err(|e| damaged(e.to_string()))?
            .version;
        if version > LEDGER_VERSION {
            return Err(BatchError::LedgerTooNew {
                path: path.to_path_buf(),
                found: version,
                known: LEDGER_VERSION,
            });
        }
        serde_json::from_str(&text).map_err(|e| damaged(e.to_string()))
    }

    /// Saves the ledger atomically: a temporary file beside it, renamed over it.
    ///
    /// # Errors
    /// [`BatchError::Io`] when it cannot be written.
    pub fn save(&self, path: &Path) -> Result<(), BatchError> {
        let mut text = serde_json::to_string_pretty(self).expect("a ledger always serialises");
        text.push('\n');
        write_atomic(path, text.as_bytes())
    }

    /// Entries that still stand for a file in the inbox (done or failed).
    pub fn present(&self) -> impl Iterator<Item = (&String, &Entry)> {
        self.files
            .iter()
            .filter(|(_, e)| e.outcome != Outcome::Removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(sha: &str, months: &[&str], outcome: Outcome) -> Entry {
        Entry {
            sha256: sha.into(),
            size: 10,
            modified_ns: Some(1_790_000_000_123_456_789),
            months: months.iter().map(|m| m.to_string()).collect(),
            outcome,
            reason: None,
            recorded: "2026-10-03T02:00:03Z".into(),
        }
    }

    #[test]
    fn round_trips_and_is_sorted_by_path_whatever_the_insertion_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.json");
        let mut a = Ledger {
            settings: "s1".into(),
            ..Ledger::default()
        };
        a.files
            .insert("z.csv".into(), entry("aa", &["2026-10"], Outcome::Done));
        a.files
            .insert("b/a.xlsx".into(), entry("bb", &[], Outcome::Failed));
        a.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.find("b/a.xlsx").unwrap() < text.find("z.csv").unwrap());
        assert!(text.contains("\"outcome\": \"failed\""), "{text}");
        assert_eq!(Ledger::load(&path).unwrap(), a);

        let mut b = Ledger {
            settings: "s1".into(),
            ..Ledger::default()
        };
        b.files
            .insert("b/a.xlsx".into(), entry("bb", &[], Outcome::Failed));
        b.files
            .insert("z.csv".into(), entry("aa", &["2026-10"], Outcome::Done));
        let other = dir.path().join("other.json");
        b.save(&other).unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            std::fs::read(&other).unwrap()
        );
        // No temporary file is left beside the ledger.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_missing_ledger_is_an_empty_one() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::load(&dir.path().join("ledger.json")).unwrap();
        assert!(ledger.files.is_empty());
        assert_eq!(ledger.version, LEDGER_VERSION);
    }

    #[test]
    fn a_damaged_or_newer_ledger_is_refused_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.json");
        std::fs::write(&path, "{\"version\": 1, \"files\": [").unwrap();
        let err = Ledger::load(&path).unwrap_err();
        assert!(matches!(err, BatchError::LedgerDamaged { .. }));
        assert!(err.to_string().contains("move it away"), "{err}");

        std::fs::write(&path, "{\"version\": 7, \"whatever\": true}").unwrap();
        let err = Ledger::load(&path).unwrap_err();
        assert!(
            matches!(err, BatchError::LedgerTooNew { found: 7, .. }),
            "{err}"
        );
    }
}
