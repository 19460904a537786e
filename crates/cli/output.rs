//! Writing the command's outputs: every file goes through relief's one atomic writer
//! (`relief-atomic`: a temporary name in its folder, fsync, rename, fsync of the folder), so a
//! crash never leaves a half-written report (SPEC §4.5). This module only adapts it to the
//! `std::io` errors the commands wrap with context.

use relief_atomic::Access;
use std::io::Write;
use std::path::Path;

/// Writes `path` through `fill`, atomically, as an ordinary document: readers see the old file
/// or the whole new one.
///
/// # Errors
/// Any I/O error creating, writing, syncing or renaming the file.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
) -> std::io::Result<()> {
    Ok(relief_atomic::write_with(path, Access::Shared, fill)?)
}

/// As [`write_atomic`], readable by the owner only from the moment the file exists (the
/// pseudonym key).
///
/// # Errors
/// As [`write_atomic`].
pub fn write_private(
    path: &Path,
    fill: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
) -> std::io::Result<()> {
    Ok(relief_atomic::write_with(path, Access::Private, fill)?)
}
