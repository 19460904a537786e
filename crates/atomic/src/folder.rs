//! A whole folder replaced at once: a report period's workbook, charts, clean data and summary
//! are built in a hidden folder beside the real one and swapped in when every file is written,
//! so a kill part-way never leaves a report folder that mixes new files with old or misses some
//! (SPEC §4.5). Each file inside is still written with [`crate::write_with`].
//!
//! The swap is two renames in the parent folder: the old folder to a hidden `.old` name, the new
//! one into place; then the old one is removed. Between the two renames no folder has the real
//! name; a process killed there leaves the whole old report under the `.old` name, and the next
//! [`StagedFolder::create`] for that folder puts it back before it starts. (Linux could swap
//! both names in one call, but not every system can, and this crate stays free of `libc`.)
//!
//! Files a person put into a report folder are not relief's to delete: before the swap, every
//! entry of the old folder that the new one lacks and that `is_ours` does not claim is linked
//! (or copied) into the new folder, so it survives the swap.

use crate::{AtomicError, sync_folder};
use std::path::{Path, PathBuf};

/// A folder being filled under a hidden name beside its final place. Dropped without
/// [`StagedFolder::commit`], it is removed and the final place is untouched.
#[derive(Debug)]
pub struct StagedFolder {
    staging: PathBuf,
    target: PathBuf,
    committed: bool,
}

/// Ends of the hidden names: a folder being built, and an old folder between the two renames.
const PARTIAL: &str = "partial";
const OLD: &str = "old";

impl StagedFolder {
    /// Creates the hidden folder `.<name>.<pid>-<n>.partial` beside `target` (and `target`'s
    /// parent if missing). Before that, leftovers of killed processes for the same folder are
    /// tidied: a whole old report left between the two renames is put back under its name, and
    /// half-built folders are removed.
    ///
    /// # Errors
    /// [`AtomicError::Write`] when the parent or the hidden folder cannot be created.
    pub fn create(target: &Path) -> Result<StagedFolder, AtomicError> {
        let parent = crate::folder_of(target);
        let write_error = |source| AtomicError::Write {
            dir: parent.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(parent).map_err(write_error)?;
        tidy_leftovers(target);
        let mut attempts = 0;
        loop {
            let staging = parent.join(hidden_name(target, PARTIAL));
            match std::fs::create_dir(&staging) {
                Ok(()) => {
                    return Ok(StagedFolder {
                        staging,
                        target: target.to_path_buf(),
                        committed: false,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempts < 100 => {
                    attempts += 1;
                }
                Err(e) => return Err(write_error(e)),
            }
        }
    }

    /// Where to write the folder's files until the swap.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Puts the new folder in place of the old one (see the module docs). Entries of the old
    /// folder the new one lacks are carried over unless `is_ours(name)` says relief wrote them
    /// (a chart an earlier run drew and this one does not is then gone, as it should be).
    ///
    /// # Errors
    /// [`AtomicError::Write`] when a carried entry cannot be linked or copied (the old folder
    /// is then untouched); [`AtomicError::Rename`] when a rename fails (on Windows: a file of
    /// the old folder is open in another program), the old folder left in place or put back;
    /// [`AtomicError::SyncFolder`] after the swap, as for a file.
    pub fn commit(mut self, is_ours: impl Fn(&str) -> bool) -> Result<(), AtomicError> {
        let parent = crate::folder_of(&self.target).to_path_buf();
        let rename_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| AtomicError::Rename { path, source }
        };
        if self.target.is_dir() {
            carry_over(&self.target, &self.staging, &is_ours).map_err(|source| {
                AtomicError::Write {
                    dir: self.target.clone(),
                    source,
                }
            })?;
            let old = parent.join(hidden_name(&self.target, OLD));
            std::fs::rename(&self.target, &old).map_err(rename_error(&self.target))?;
            if let Err(source) = std::fs::rename(&self.staging, &self.target) {
                let _ = std::fs::rename(&old, &self.target);
                return Err(rename_error(&self.target)(source));
            }
            self.committed = true;
            // The new folder is in place; an old one that cannot be removed now is tidied by
            // the next `create` for this folder.
            let _ = std::fs::remove_dir_all(&old);
        } else {
            std::fs::rename(&self.staging, &self.target).map_err(rename_error(&self.target))?;
            self.committed = true;
        }
        sync_folder(&parent).map_err(|source| AtomicError::SyncFolder {
            dir: parent,
            source,
        })
    }
}

impl Drop for StagedFolder {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// `.<name>.<pid>-<n>.<end>`, unique per process and call, like the temporary files.
fn hidden_name(target: &Path, end: &str) -> String {
    let tmp = crate::temporary_name(target);
    let stem = tmp.strip_suffix(".tmp").unwrap_or(&tmp);
    format!("{stem}.{end}")
}

/// The pid in a hidden name of `target`'s ending in `.<end>`, if `name` is one.
fn leftover_pid(name: &str, target: &str, end: &str) -> Option<u32> {
    let rest = name
        .strip_prefix('.')?
        .strip_prefix(target)?
        .strip_prefix('.')?;
    let rest = rest.strip_suffix(end)?.strip_suffix('.')?;
    let (pid, n) = rest.split_once('-')?;
    n.parse::<u64>().ok()?;
    pid.parse().ok()
}

/// Puts back a whole old folder a killed swap left under its `.old` name, and removes
/// half-built folders of processes that are gone.
fn tidy_leftovers(target: &Path) {
    let parent = crate::folder_of(target);
    let Some(name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let entry_name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if let Some(pid) = leftover_pid(&entry_name, &name, OLD) {
            if !target.exists() {
                let _ = std::fs::rename(&path, target);
            } else if !process_alive(pid, &path) {
                let _ = std::fs::remove_dir_all(&path);
            }
        } else if let Some(pid) = leftover_pid(&entry_name, &name, PARTIAL)
            && !process_alive(pid, &path)
        {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// Whether the process that made a leftover may still be using it. Linux shows live processes
/// in `/proc`; elsewhere a leftover younger than a day is taken as possibly in use.
fn process_alive(pid: u32, leftover: &Path) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        return Path::new("/proc").join(pid.to_string()).exists();
    }
    let day = std::time::Duration::from_secs(24 * 3600);
    std::fs::metadata(leftover)
        .and_then(|m| m.modified())
        .map(|t| t.elapsed().map_or(true, |age| age < day))
        .unwrap_or(true)
}

/// Links (or, across file systems, copies) into `new` every entry of `old` that `new` lacks
/// and `is_ours` does not claim; hidden temporary leftovers are never carried.
fn carry_over(old: &Path, new: &Path, is_ours: &dyn Fn(&str) -> bool) -> std::io::Result<()> {
    for entry in std::fs::read_dir(old)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let leftover = crate::is_temporary_name(&name);
        let to = new.join(entry.file_name());
        if leftover || is_ours(&name) || to.exists() {
            continue;
        }
        copy_entry(&entry.path(), &to)?;
    }
    Ok(())
}

/// A hard link of a file (its bytes stay where they are), a copy where linking fails, and
/// folders entry by entry.
fn copy_entry(from: &Path, to: &Path) -> std::io::Result<()> {
    if std::fs::symlink_metadata(from)?.is_dir() {
        std::fs::create_dir(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy_entry(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        std::fs::hard_link(from, to).or_else(|_| std::fs::copy(from, to).map(|_| ()))
    }
}
