//! Where a batch keeps its state: `<out>/.relief/` beside the reports it describes, so moving
//! or backing up the output folder keeps the ledger with the reports it vouches for.

use crate::BatchError;
use std::path::{Path, PathBuf};

/// The folders and files of one batch setup. Paths are absolute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The drop folder exports arrive in.
    pub inbox: PathBuf,
    /// The reports' folder: `<out>/<YYYY-MM>/…`.
    pub out: PathBuf,
    /// `<out>/.relief`: hidden, so the reports folder looks like reports.
    pub state: PathBuf,
}

impl Layout {
    /// Checks the two folders and creates the output folder and its state folder.
    ///
    /// # Errors
    /// [`BatchError::InboxMissing`]; [`BatchError::OutInsideInbox`] when `out` is `inbox` or
    /// below it; [`BatchError::Io`] when the output folder cannot be created (not writable).
    pub fn prepare(inbox: &Path, out: &Path) -> Result<Layout, BatchError> {
        let missing = || BatchError::InboxMissing {
            path: inbox.to_path_buf(),
        };
        let inbox = inbox.canonicalize().map_err(|_| missing())?;
        if !inbox.is_dir() {
            return Err(missing());
        }
        // Checked before the folder is made, so a refused run leaves nothing behind.
        let planned = relief_ingest::real_path(out);
        if planned.starts_with(&inbox) {
            return Err(BatchError::OutInsideInbox {
                out: planned,
                inbox,
            });
        }
        std::fs::create_dir_all(out).map_err(BatchError::io(out, "created"))?;
        let out = out.canonicalize().map_err(BatchError::io(out, "read"))?;
        let state = out.join(".relief");
        std::fs::create_dir_all(state.join("logs"))
            .map_err(BatchError::io(state.join("logs"), "created"))?;
        Ok(Layout { inbox, out, state })
    }

    /// `<out>/.relief/ledger.json`.
    pub fn ledger(&self) -> PathBuf {
        self.state.join("ledger.json")
    }

    /// `<out>/.relief/lock`: the file the OS lock is taken on. It is never deleted.
    pub fn lock(&self) -> PathBuf {
        self.state.join("lock")
    }

    /// `<out>/.relief/logs`.
    pub fn logs(&self) -> PathBuf {
        self.state.join("logs")
    }

    /// `<out>/.relief/cache`: each inbox file's reading, see [`crate::Cache`].
    pub fn cache(&self) -> PathBuf {
        self.state.join("cache")
    }

    /// A month's report folder, `<out>/<YYYY-MM>`.
    pub fn month_dir(&self, month: &str) -> PathBuf {
        self.out.join(month)
    }

    /// Removes temporary files a killed run left in a report folder (hidden names ending in
    /// `.tmp`, in the folder and its `charts` subfolder) and returns how many it removed.
    /// Called under the lock, just before the folder is rebuilt, so no live writer owns them.
    /// Reports are now built in a hidden folder swapped in whole, so only folders written by
    /// older builds can still hold such files.
    pub fn remove_leftovers(&self, month: &str) -> usize {
        let dir = self.month_dir(month);
        remove_temporary_files(&dir.join("charts")) + remove_temporary_files(&dir)
    }
}

/// Removes the temporary files (hidden names ending in `.tmp`) directly in `dir`; returns how
/// many. A folder that does not exist has none.
pub(crate) fn remove_temporary_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if relief_atomic::is_temporary_name(&name)
            && entry.file_type().is_ok_and(|t| t.is_file())
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// Writes `bytes` to `path` atomically with relief's one writer (a temporary file in the same
/// folder, synced, renamed over `path`, the folder synced), readable by the owner only: readers
/// (and the next run) see the old file or the whole new one.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), BatchError> {
    relief_atomic::write_with(path, relief_atomic::Access::Private, |w| w.write_all(bytes))
        .map_err(|e| BatchError::io(path, "written")(e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_an_output_folder_inside_the_inbox() {
        let tmp = tempfile::tempdir().unwrap();
        let inbox = tmp.path().join("inbox");
        std::fs::create_dir(&inbox).unwrap();
        let err = Layout::prepare(&inbox, &inbox.join("reports")).unwrap_err();
        assert!(matches!(err, BatchError::OutInsideInbox { .. }), "{err}");
        assert!(
            !inbox.join("reports").exists(),
            "a refused run leaves no folder behind"
        );
        let err = Layout::prepare(&inbox, &inbox).unwrap_err();
        assert!(matches!(err, BatchError::OutInsideInbox { .. }), "{err}");
        // Reached through a link beside the inbox: still inside it.
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&inbox, tmp.path().join("link")).unwrap();
            let err = Layout::prepare(&inbox, &tmp.path().join("link/new/reports")).unwrap_err();
            assert!(matches!(err, BatchError::OutInsideInbox { .. }), "{err}");
            assert!(!inbox.join("new").exists());
        }
        Layout::prepare(&inbox, &tmp.path().join("reports")).unwrap();
    }

    #[test]
    fn refuses_a_missing_inbox_and_creates_the_state_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let err = Layout::prepare(&tmp.path().join("nope"), &tmp.path().join("out")).unwrap_err();
        assert!(matches!(err, BatchError::InboxMissing { .. }), "{err}");

        std::fs::create_dir(tmp.path().join("inbox")).unwrap();
        let layout = Layout::prepare(&tmp.path().join("inbox"), &tmp.path().join("out")).unwrap();
        assert!(layout.logs().is_dir());
        assert_eq!(
            layout.ledger(),
            layout.out.join(".relief").join("ledger.json")
        );
    }

    #[test]
    fn removes_only_hidden_temporary_files() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("inbox")).unwrap();
        let layout = Layout::prepare(&tmp.path().join("inbox"), &tmp.path().join("out")).unwrap();
        let month = layout.month_dir("2026-10");
        std::fs::create_dir_all(month.join("charts")).unwrap();
        for name in [".relief-x1.tmp", "summary.json", "keep.tmp"] {
            std::fs::write(month.join(name), "x").unwrap();
        }
        std::fs::write(month.join("charts").join(".trend.png.tmp"), "x").unwrap();
        assert_eq!(layout.remove_leftovers("2026-10"), 2);
        assert!(month.join("summary.json").exists());
        assert!(month.join("keep.tmp").exists());
        assert!(!month.join(".relief-x1.tmp").exists());
    }
}
