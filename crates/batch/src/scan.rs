//! Which inbox files are new, changed, unchanged or gone, compared with the ledger.
//!
//! The content hash is the truth; size and modification time are the fast path. A file whose
//! size and time match its ledger entry is unchanged without being opened, so a run with nothing
//! new costs one `stat` per file. A file whose size or time moved is hashed: the same hash means
//! it was only touched (copied again, synced by a file-sharing tool), which is noted in the ledger
//! and rebuilds nothing; a different hash means it changed.

use crate::{Ledger, Outcome};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// What a `stat` says about a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub size: u64,
    /// Nanoseconds since 1970 (UTC), when the file system says.
    pub modified_ns: Option<i64>,
}

impl Stat {
    /// Reads a file's size and modification time.
    ///
    /// # Errors
    /// The file cannot be looked at (gone, no permission).
    pub fn of(path: &Path) -> std::io::Result<Stat> {
        let meta = std::fs::metadata(path)?;
        let modified_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .and_then(|d| i64::try_from(d.as_nanos()).ok());
        Ok(Stat {
            size: meta.len(),
            modified_ns,
        })
    }
}

/// How a file compares with the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Not in the ledger, or it was recorded as removed and is back.
    New,
    /// Its content differs from what the ledger recorded.
    Changed,
    /// Same size and time as recorded: not opened.
    Unchanged,
    /// Size or time moved but the content hash is the same.
    Touched,
}

/// One file found in the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedFile {
    /// Its path inside the inbox, as the ledger and the reports name it.
    pub key: String,
    /// Where to open it.
    pub path: PathBuf,
    /// As the ledger should record it: `None` when the file could not be looked at (it is then
    /// read, and reading says why it fails); `modified_ns` is `None` when too recent to trust.
    pub stat: Option<Stat>,
    pub status: Status,
}

/// How recent a modification time must be for the scan not to trust it later: two seconds,
/// the coarsest timestamp step of common file systems (FAT, some network shares).
pub const RACY_NS: i64 = 2_000_000_000;

/// Compares the inbox's files (`(key, path)` pairs, in sorted order) with the ledger.
/// Returns the files with their status, and the keys of ledger entries no longer in the inbox.
///
/// `now_ns` is the run's start (nanoseconds since 1970). A file modified less than [`RACY_NS`]
/// before it (or after it) could still change within the same timestamp step without its time
/// moving, so its time is not kept ([`ScannedFile::stat`] has `modified_ns: None`): the next
/// run hashes it once more instead of trusting the time.
pub fn scan(
    ledger: &Ledger,
    files: Vec<(String, PathBuf)>,
    now_ns: Option<i64>,
) -> (Vec<ScannedFile>, Vec<String>) {
    let mut scanned = Vec::with_capacity(files.len());
    for (key, path) in files {
        let stat = Stat::of(&path).ok();
        let status = match ledger.files.get(&key) {
            None => Status::New,
            Some(e) if e.outcome == Outcome::Removed => Status::New,
            Some(e) => match stat {
                Some(s)
                    if s.size == e.size
                        && s.modified_ns == e.modified_ns
                        && s.modified_ns.is_some() =>
                {
                    Status::Unchanged
                }
                Some(_) => match sha256_file(&path) {
                    Ok(sha) if sha == e.sha256 => Status::Touched,
                    _ => Status::Changed,
                },
                None => Status::Changed,
            },
        };
        let racy = |t: i64| now_ns.is_none_or(|now| t > now.saturating_sub(RACY_NS));
        let stat = stat.map(|s| Stat {
            modified_ns: s.modified_ns.filter(|t| !racy(*t)),
            ..s
        });
        scanned.push(ScannedFile {
            key,
            path,
            stat,
            status,
        });
    }
    let present: std::collections::HashSet<&str> = scanned.iter().map(|f| f.key.as_str()).collect();
    let removed = ledger
        .present()
        .filter(|(k, _)| !present.contains(k.as_str()))
        .map(|(k, _)| k.clone())
        .collect();
    (scanned, removed)
}

/// SHA-256 of a file's bytes, lower-case hex: the reader's digest, so the ledger and the
/// reports' Sources sheet always agree.
pub use relief_ingest::sha256_file;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Entry;

    fn record(ledger: &mut Ledger, key: &str, path: &Path, outcome: Outcome) {
        let stat = Stat::of(path).unwrap();
        ledger.files.insert(
            key.into(),
            Entry {
                sha256: sha256_file(path).unwrap(),
                size: stat.size,
                modified_ns: stat.modified_ns,
                months: vec!["2026-10".into()],
                outcome,
                reason: None,
                recorded: "2026-10-03T02:00:03Z".into(),
            },
        );
    }

    fn set_mtime(path: &Path, secs: u64) {
        let f = std::fs::File::options().write(true).open(path).unwrap();
        f.set_modified(UNIX_EPOCH + std::time::Duration::from_secs(secs))
            .unwrap();
    }

    #[test]
    fn tells_new_changed_touched_unchanged_and_removed_apart() {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        for n in [
            "same.csv",
            "touched.csv",
            "changed.csv",
            "back.csv",
            "gone.csv",
        ] {
            std::fs::write(p(n), format!("content of {n}")).unwrap();
        }
        let mut ledger = Ledger::default();
        for n in ["same.csv", "touched.csv", "changed.csv", "gone.csv"] {
            record(&mut ledger, n, &p(n), Outcome::Done);
        }
        record(&mut ledger, "back.csv", &p("back.csv"), Outcome::Removed);
        std::fs::remove_file(p("gone.csv")).unwrap();
        set_mtime(&p("touched.csv"), 1_000_000);
        // Same size, new content: only the hash can tell.
        std::fs::write(p("changed.csv"), "CONTENT OF changed.csv").unwrap();
        set_mtime(&p("changed.csv"), 2_000_000);
        std::fs::write(p("new.csv"), "fresh").unwrap();

        let files = [
            "back.csv",
            "changed.csv",
            "new.csv",
            "same.csv",
            "touched.csv",
        ]
        .iter()
        .map(|n| (n.to_string(), p(n)))
        .collect();
        let (scanned, removed) = scan(&ledger, files, Some(0));
        let status: Vec<(&str, Status)> =
            scanned.iter().map(|f| (f.key.as_str(), f.status)).collect();
        assert_eq!(
            status,
            [
                ("back.csv", Status::New),
                ("changed.csv", Status::Changed),
                ("new.csv", Status::New),
                ("same.csv", Status::Unchanged),
                ("touched.csv", Status::Touched),
            ]
        );
        assert_eq!(removed, ["gone.csv"]);
        // Seen from 1970, every time is in the future, so none is trusted or kept.
        assert!(
            scanned
                .iter()
                .all(|f| f.stat.unwrap().modified_ns.is_none())
        );
    }

    #[test]
    fn a_time_too_recent_to_trust_is_not_kept_and_the_next_run_hashes_instead() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(&path, "abc").unwrap();
        set_mtime(&path, 1_000);
        let files = || vec![("a.csv".to_string(), path.clone())];
        let just_after = Some(1_000 * 1_000_000_000 + RACY_NS / 2);
        let (scanned, _) = scan(&Ledger::default(), files(), just_after);
        assert_eq!(scanned[0].stat.unwrap().modified_ns, None);
        let (scanned, _) = scan(&Ledger::default(), files(), Some(2_000 * 1_000_000_000));
        assert_eq!(
            scanned[0].stat.unwrap().modified_ns,
            Some(1_000 * 1_000_000_000)
        );

        // Recorded without a time: the next scan hashes, finds the same content, and says so.
        let mut ledger = Ledger::default();
        record(&mut ledger, "a.csv", &path, Outcome::Done);
        ledger.files.get_mut("a.csv").unwrap().modified_ns = None;
        let (scanned, _) = scan(&ledger, files(), Some(2_000 * 1_000_000_000));
        assert_eq!(scanned[0].status, Status::Touched);
    }

    #[test]
    fn hashes_like_a_reference_digest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("abc.csv");
        std::fs::write(&path, "abc").unwrap();
        // SHA-256("abc") from FIPS 180-2, appendix B.1.
        assert_eq!(
            sha256_file(&path).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
