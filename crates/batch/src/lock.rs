//! One run at a time: an exclusive OS lock on `<out>/.relief/lock`.
//!
//! The lock is the operating system's (`File::try_lock`: `flock` on Unix, `LockFileEx` on
//! Windows), so it is released the moment its process ends, however it ends: a crashed or
//! killed run never leaves a lock that blocks the next one. The lock file itself is never
//! deleted (deleting it would let two runs lock two different files). Who holds the lock is
//! written to `lock.info` beside it — pid, host, start time — rather than into the locked file,
//! because on Windows a locked file cannot be read by anyone else. A clean run removes
//! `lock.info` when it finishes, so finding one while taking a free lock means the run that
//! wrote it died: the lock is stale, and the new run takes over and says so.

use crate::BatchError;
use crate::layout::write_atomic;
use serde::{Deserialize, Serialize};
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

/// Who holds (or held) the lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub pid: u32,
    pub host: String,
    /// When the run started (RFC 3339, UTC).
    pub started: String,
}

impl Holder {
    /// This process, started now.
    pub fn me() -> Holder {
        Holder {
            pid: std::process::id(),
            host: host_name(),
            started: crate::now_utc(),
        }
    }

    /// The start time for messages: `2026-10-03 02:00:03 UTC`.
    pub fn started_display(&self) -> String {
        self.started
            .replacen('T', " ", 1)
            .trim_end_matches('Z')
            .to_string()
            + " UTC"
    }
}

/// The lock, held until [`RunLock::release`] or until this process ends.
#[derive(Debug)]
pub struct RunLock {
    /// Kept open: closing it releases the lock.
    _file: File,
    info: PathBuf,
    stale: Option<Holder>,
}

impl RunLock {
    /// Takes the lock on `path` for `me`, without waiting.
    ///
    /// # Errors
    /// [`BatchError::LockHeld`] with the holder's details when another run holds it (another
    /// process, or another open handle in this one); [`BatchError::Io`] when the lock file or
    /// its info file cannot be created (the output folder is not writable).
    pub fn acquire(path: &Path, me: &Holder) -> Result<RunLock, BatchError> {
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(BatchError::io(path, "created"))?;
        let info = info_path(path);
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(BatchError::LockHeld {
                    holder: read_holder(&info),
                });
            }
            Err(TryLockError::Error(e)) => return Err(BatchError::io(path, "locked")(e)),
        }
        let stale = read_holder(&info);
        let text = serde_json::to_string(me).expect("a holder always serialises");
        write_atomic(&info, text.as_bytes())?;
        Ok(RunLock {
            _file: file,
            info,
            stale,
        })
    }

    /// The run whose lock this one took over: it wrote `lock.info` and never removed it, so it
    /// ended without finishing (crashed, killed, or the machine went down).
    pub fn stale(&self) -> Option<&Holder> {
        self.stale.as_ref()
    }

    /// Removes `lock.info` and releases the lock: the run finished.
    pub fn release(self) {
        let _ = std::fs::remove_file(&self.info);
        // Dropping the file closes it, which releases the OS lock.
    }
}

/// `lock` → `lock.info`.
fn info_path(lock: &Path) -> PathBuf {
    let mut name = lock.file_name().unwrap_or_default().to_os_string();
    name.push(".info");
    lock.with_file_name(name)
}

fn read_holder(info: &Path) -> Option<Holder> {
    let text = std::fs::read_to_string(info).ok()?;
    serde_json::from_str(&text).ok()
}

/// This machine's name, for "which run holds the lock"; `unknown host` when it cannot be told.
fn host_name() -> String {
    let from_env = ["COMPUTERNAME", "HOSTNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok());
    let from_file = || {
        ["/proc/sys/kernel/hostname", "/etc/hostname"]
            .iter()
            .find_map(|p| std::fs::read_to_string(p).ok())
    };
    from_env
        .or_else(from_file)
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown host".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(pid: u32) -> Holder {
        Holder {
            pid,
            host: "clinic-pc".into(),
            started: "2026-10-03T02:00:03Z".into(),
        }
    }

    #[test]
    fn a_second_attempt_is_refused_and_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        let first = RunLock::acquire(&path, &holder(1234)).unwrap();
        assert!(first.stale().is_none());
        // A second open file description conflicts even inside one process.
        let err = RunLock::acquire(&path, &holder(99)).unwrap_err();
        match &err {
            BatchError::LockHeld { holder: Some(h) } => assert_eq!(h.pid, 1234),
            other => panic!("expected LockHeld, got {other:?}"),
        }
        let message = err.to_string();
        assert!(
            message.contains("pid 1234, started 2026-10-03 02:00:03 UTC on host clinic-pc"),
            "{message}"
        );
        first.release();
        let again = RunLock::acquire(&path, &holder(99)).unwrap();
        assert!(
            again.stale().is_none(),
            "a clean release leaves no stale lock"
        );
        again.release();
        assert!(path.exists(), "the lock file itself is never deleted");
        assert!(!info_path(&path).exists());
    }

    #[test]
    fn a_lock_left_by_a_crashed_run_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        // A run that crashed: its OS lock died with it, its info file stayed.
        std::fs::write(&path, "").unwrap();
        std::fs::write(
            info_path(&path),
            serde_json::to_string(&holder(4321)).unwrap(),
        )
        .unwrap();
        let lock = RunLock::acquire(&path, &holder(5)).unwrap();
        assert_eq!(lock.stale().map(|h| h.pid), Some(4321));
        let now: Holder =
            serde_json::from_str(&std::fs::read_to_string(info_path(&path)).unwrap()).unwrap();
        assert_eq!(now.pid, 5, "the new run writes itself in");
    }

    #[test]
    fn a_dropped_lock_is_free_again_but_looks_stale() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        {
            let _lock = RunLock::acquire(&path, &holder(7)).unwrap();
            // Dropped without release: like a panic unwinding.
        }
        let lock = RunLock::acquire(&path, &holder(8)).unwrap();
        assert_eq!(lock.stale().map(|h| h.pid), Some(7));
    }

    #[test]
    fn an_unwritable_folder_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = RunLock::acquire(&dir.path().join("no/such/dir/lock"), &holder(1)).unwrap_err();
        assert!(matches!(err, BatchError::Io { .. }), "{err}");
    }

    #[test]
    fn knows_this_machine() {
        let me = Holder::me();
        assert_eq!(me.pid, std::process::id());
        assert!(!me.host.is_empty());
        assert!(me.started.ends_with('Z'));
    }
}
