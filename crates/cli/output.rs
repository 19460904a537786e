//! Writing outputs safely: every file goes to a temporary name in its folder and is renamed
//! into place, so a crash never leaves a half-written report (SPEC §4.5).

use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes `path` through `fill`, atomically: readers see the old file or the whole new one.
///
/// # Errors
/// Any I/O error creating, writing, syncing or renaming the file.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".relief-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        let mut w = BufWriter::new(tmp.as_file());
        fill(&mut w)?;
        w.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
