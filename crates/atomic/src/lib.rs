//! relief's one way of writing a file, so a crash, a kill or a full disk never leaves a
//! half-written report, cache or ledger under its final name (SPEC §4.5).
//!
//! Every output of relief — workbooks, charts, summary.json, the clean CSV and Parquet, the
//! batch ledger and cache, sample exports, the pseudonym key — goes through [`write_with`]:
//!
//! 1. the bytes go to a hidden temporary file in the target's own folder (so the rename below
//!    never crosses a file system), named `.<name>.<pid>-<n>.tmp`: unique per process and per
//!    call, and created exclusively, so two processes or threads writing the same file never
//!    share a temporary file;
//! 2. the temporary file is flushed and `fsync`ed, so its bytes are on disk before its name is;
//! 3. it is renamed over the target, which readers see as the old file or the whole new one;
//! 4. the folder is `fsync`ed (on Unix), so the new name survives a power cut too.
//!
//! If anything fails, the temporary file is removed and the target is left as it was. A process
//! killed between steps leaves a `.…tmp` file behind; `relief batch` removes those from a report
//! folder before it rebuilds it.
//!
//! A report period is several files that belong together, so its folder is built whole under a
//! hidden name and swapped in at the end ([`StagedFolder`], in `folder.rs`): a kill part-way
//! leaves the old report or the new one, never a mix.
//!
//! This is its own crate, with no dependency beyond `thiserror`, because every writer crate
//! (excel, charts, sample, batch, the CLI) needs it and none of them should depend on another
//! for it; `relief-core` stays free of I/O.

mod folder;

pub use folder::StagedFolder;

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Who may read the written file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Access {
    /// An ordinary document: the permissions a new file gets (0666 less the umask on Unix).
    #[default]
    Shared,
    /// Only the owner (0600 on Unix), from the moment the file exists: keys and batch state.
    Private,
}

/// Why a file could not be written. The target is unchanged in every case.
#[derive(Debug, thiserror::Error)]
pub enum AtomicError {
    /// The temporary file could not be created, written or synced (no permission, disk full),
    /// or the content could not be produced.
    #[error("could not write into the folder {}: {source}", dir.display())]
    Write {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The finished file could not take its final name (on Windows: the old file is open in
    /// another program).
    #[error("could not save {} (is it open in another program?): {source}", path.display())]
    Rename {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is in place, but the folder could not be synced, so a power cut could still
    /// lose the new name.
    #[error("could not sync the folder {}: {source}", dir.display())]
    SyncFolder {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl AtomicError {
    /// The underlying I/O error.
    pub fn io(&self) -> &std::io::Error {
        match self {
            AtomicError::Write { source, .. }
            | AtomicError::Rename { source, .. }
            | AtomicError::SyncFolder { source, .. } => source,
        }
    }
}

impl From<AtomicError> for std::io::Error {
    fn from(e: AtomicError) -> std::io::Error {
        std::io::Error::new(e.io().kind(), e)
    }
}

/// Writes `bytes` to `path` atomically, as an ordinary document; see [`write_with`].
///
/// # Errors
/// As [`write_with`].
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), AtomicError> {
    write_with(path, Access::Shared, |w| w.write_all(bytes))
}

/// Writes `path` atomically through `fill`, which writes the content into a buffered writer:
/// readers (and a rerun after a crash) see the old file or the whole new one, never a part.
///
/// # Errors
/// [`AtomicError::Write`] when the temporary file cannot be created, written or synced, or
/// `fill` fails; [`AtomicError::Rename`] when it cannot take its final name;
/// [`AtomicError::SyncFolder`] when the folder cannot be synced after the rename.
pub fn write_with(
    path: &Path,
    access: Access,
    fill: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
) -> Result<(), AtomicError> {
    let dir = folder_of(path);
    let write_error = |source| AtomicError::Write {
        dir: dir.to_path_buf(),
        source,
    };
    let (file, tmp) = create_temporary(path, dir, access).map_err(write_error)?;
    let tmp = Leftover(Some(tmp));
    let mut w = BufWriter::new(file);
    fill(&mut w).map_err(write_error)?;
    let file = w.into_inner().map_err(|e| write_error(e.into_error()))?;
    file.sync_all().map_err(write_error)?;
    drop(file);
    std::fs::rename(tmp.path(), path).map_err(|source| AtomicError::Rename {
        path: path.to_path_buf(),
        source,
    })?;
    tmp.forget();
    sync_folder(dir).map_err(|source| AtomicError::SyncFolder {
        dir: dir.to_path_buf(),
        source,
    })
}

/// The folder a path is in; `.` for a bare file name.
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Calls of [`temporary_name`] so far in this process, so threads never pick the same name.
static CALLS: AtomicU64 = AtomicU64::new(0);

/// `.<name>.<pid>-<n>.tmp`: hidden, unique per process and call, and recognisable as a
/// leftover (a hidden name ending in `.tmp`).
fn temporary_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = CALLS.fetch_add(1, Ordering::Relaxed);
    format!(".{name}.{}-{n}.tmp", std::process::id())
}

/// Whether `name` is one of [`temporary_name`]'s: what a process killed mid-write leaves.
pub fn is_temporary_name(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp")
}

/// Creates a new temporary file beside `path`. A name already taken (a leftover of a killed
/// process that had the same pid) is skipped, never opened.
fn create_temporary(path: &Path, dir: &Path, access: Access) -> std::io::Result<(File, PathBuf)> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(match access {
            Access::Shared => 0o666,
            Access::Private => 0o600,
        });
    }
    #[cfg(not(unix))]
    let _ = access;
    let mut attempts = 0;
    loop {
        let tmp = dir.join(temporary_name(path));
        match options.open(&tmp) {
            Ok(file) => return Ok((file, tmp)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempts < 100 => {
                attempts += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Syncs a folder, so a rename in it is durable. File systems that cannot sync a folder (some
/// network shares say "invalid argument" or "not supported") are taken as they are: the rename
/// has happened, and there is nothing more relief could do.
#[cfg(unix)]
fn sync_folder(dir: &Path) -> std::io::Result<()> {
    match File::open(dir).and_then(|d| d.sync_all()) {
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::InvalidInput | std::io::ErrorKind::Unsupported
            ) =>
        {
            Ok(())
        }
        other => other,
    }
}

/// Windows makes a rename durable with the file's own flush; a folder cannot be opened to
/// sync it without special flags.
#[cfg(not(unix))]
fn sync_folder(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// A temporary file that is removed when dropped, unless it took its final name.
struct Leftover(Option<PathBuf>);

impl Leftover {
    fn path(&self) -> &Path {
        self.0.as_deref().unwrap_or(Path::new(""))
    }

    fn forget(mut self) {
        self.0 = None;
    }
}

impl Drop for Leftover {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

#[cfg(test)]
mod tests;

/// For tests of crates that write through this one (feature `test-support`).
#[cfg(any(test, feature = "test-support"))]
pub mod test_support {
    use std::path::Path;

    /// The names in `dir`, sorted: what a test looks at to see that no temporary file was
    /// left behind.
    pub fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}
