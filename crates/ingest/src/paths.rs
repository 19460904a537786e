//! Turning the paths a user typed into the list of files to read, and saying why an entry of
//! that list is not a file relief can read.
//!
//! Folders are walked recursively in sorted order, skipping hidden files and folders and Office
//! lock files. Nothing a clinic dropped into a folder is ignored without a word: besides the
//! files relief reads, the list holds every entry it will not read but a user could expect it
//! to — spreadsheet files of other kinds (`.numbers`, `.xltx`, `.fods` …), named pipes, sockets
//! and devices, links that lead nowhere or round in a circle, folders that cannot be opened,
//! and links back into a folder that holds them — and reading such an entry gives its reason
//! ([`refusal`]), so it is reported with the files like any unreadable file.
//!
//! Symbolic links are followed, each real folder at most once: the real folders are walked
//! first, then links to folders not walked yet, so every file is found under its own path
//! where it has one. A link to a folder read already by another path is not followed again; a
//! link to a folder that holds it (`ln -s . self`) is a loop and is listed as one.

use crate::IngestError;
use std::collections::HashSet;
use std::fs::FileType;
use std::path::{Path, PathBuf};

/// File name endings relief reads when it walks a folder (compared without case).
pub const EXTENSIONS: [&str; 7] = ["xlsx", "xlsm", "xlsb", "xls", "ods", "csv", "tsv"];

/// Spreadsheet-like files relief does not read, with what to call them. Found in a folder,
/// they are listed as not read, with the reason.
const NOT_READ: [(&str, &str); 17] = [
    ("numbers", "Apple Numbers (.numbers)"),
    ("xltx", "Excel template (.xltx)"),
    ("xltm", "Excel template (.xltm)"),
    ("xlt", "Excel template (.xlt)"),
    ("xlam", "Excel add-in (.xlam)"),
    ("xla", "Excel add-in (.xla)"),
    ("xlw", "Excel 4 workbook (.xlw)"),
    ("fods", "Flat OpenDocument spreadsheet (.fods)"),
    ("ots", "OpenDocument template (.ots)"),
    ("sxc", "OpenOffice 1 spreadsheet (.sxc)"),
    ("et", "WPS spreadsheet (.et)"),
    ("gsheet", "Google Sheets shortcut (.gsheet)"),
    ("wk1", "Lotus 1-2-3 (.wk1)"),
    ("wks", "Lotus or Works spreadsheet (.wks)"),
    ("123", "Lotus 1-2-3 (.123)"),
    ("dif", "Data Interchange Format (.dif)"),
    ("slk", "Symbolic Link spreadsheet (.slk)"),
];

/// What to call a spreadsheet-like file relief does not read, by its name's ending.
pub(crate) fn not_read_kind(ext: &str) -> Option<&'static str> {
    NOT_READ
        .iter()
        .find(|(e, _)| e.eq_ignore_ascii_case(ext))
        .map(|(_, kind)| *kind)
}

/// Expands files and folders into the sorted list of files to read.
///
/// A file named directly is kept whatever its name (reading it says what is wrong with it);
/// a folder contributes every file below it whose name ends in one of [`EXTENSIONS`], and every
/// entry it cannot read but should mention (see the module docs), except hidden ones (names
/// starting with `.`, also hidden folders) and Office lock files (`~$…`). The result is sorted
/// and free of repeats, so the same input always reads in the same order.
///
/// # Errors
/// [`IngestError::MissingPath`] naming the first path that does not exist;
/// [`IngestError::Io`] when a folder named on the command line cannot be listed.
pub fn expand_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, IngestError> {
    let mut walk = Walk::default();
    for p in paths {
        let meta = match std::fs::metadata(p) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // A link to nowhere named directly is a missing path too, but say what it is.
                return Err(match std::fs::symlink_metadata(p) {
                    Ok(_) => IngestError::Io {
                        path: p.clone(),
                        source: std::io::Error::new(e.kind(), dangling(p)),
                    },
                    Err(_) => IngestError::MissingPath(p.clone()),
                });
            }
            // A link in a circle, named directly: reading it says so.
            Err(_) => {
                walk.out.push(p.clone());
                continue;
            }
        };
        if meta.is_dir() {
            let listed = std::fs::read_dir(p).map_err(|e| IngestError::Io {
                path: p.clone(),
                source: e,
            })?;
            drop(listed);
            walk.root(p);
        } else {
            walk.out.push(p.clone());
        }
    }
    // `relief report .` and `relief report oct.csv` name the same file the same way in reports.
    let mut out: Vec<PathBuf> = walk.out.into_iter().map(without_dot).collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// One expansion: the real folders walked so far and what was found.
#[derive(Default)]
struct Walk {
    out: Vec<PathBuf>,
    /// Real folders (canonical paths) walked or being walked.
    visited: HashSet<PathBuf>,
    /// Links to folders, followed once the real folders are done.
    links: Vec<PathBuf>,
}

impl Walk {
    fn root(&mut self, dir: &Path) {
        if let Ok(real) = std::fs::canonicalize(dir)
            && !self.visited.insert(real)
        {
            return;
        }
        self.dir(dir);
        // Following a link may find more links; each real folder is still walked once.
        while !self.links.is_empty() {
            let mut links = std::mem::take(&mut self.links);
            links.sort();
            for link in links {
                match std::fs::canonicalize(&link) {
                    Ok(real) if self.visited.insert(real.clone()) => self.dir(&link),
                    Ok(real) if is_ancestor_of_link(&real, &link) => self.out.push(link),
                    // Read already by another path: its files are listed once, there.
                    Ok(_) => {}
                    Err(_) => self.out.push(link),
                }
            }
        }
    }

    /// Lists one folder: files and real sub-folders now, links to folders later.
    fn dir(&mut self, dir: &Path) {
        let mut entries: Vec<(PathBuf, FileType)> = match std::fs::read_dir(dir) {
            Ok(list) => {
                let listed: Result<Vec<_>, _> = list
                    .map(|e| e.and_then(|e| Ok((e.path(), e.file_type()?))))
                    .collect();
                match listed {
                    Ok(v) => v,
                    Err(_) => {
                        // Reading it says why it cannot be listed.
                        self.out.push(dir.to_path_buf());
                        return;
                    }
                }
            }
            Err(_) => {
                self.out.push(dir.to_path_buf());
                return;
            }
        };
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, kind) in entries {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if is_skipped(&name) {
                continue;
            }
            if kind.is_dir() {
                match std::fs::canonicalize(&path) {
                    Ok(real) if self.visited.insert(real.clone()) => self.dir(&path),
                    Ok(_) => {}
                    Err(_) => self.out.push(path),
                }
            } else if kind.is_symlink() {
                match std::fs::metadata(&path) {
                    Ok(m) if m.is_dir() => self.links.push(path),
                    Ok(m) if m.is_file() => {
                        if is_listed(&path) {
                            self.out.push(path);
                        }
                    }
                    // Links to pipes, sockets and devices, to nowhere, or round in a circle.
                    _ => self.out.push(path),
                }
            } else if !kind.is_file() || is_listed(&path) {
                // Pipes, sockets and devices are listed whatever their name.
                self.out.push(path);
            }
        }
    }
}

/// Whether a link's target folder holds the link (the link leads back into itself).
fn is_ancestor_of_link(real: &Path, link: &Path) -> bool {
    link.parent()
        .and_then(|p| {
            std::fs::canonicalize(if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            })
            .ok()
        })
        .is_some_and(|parent| parent.starts_with(real))
}

/// `./oct.csv` → `oct.csv`; other paths as they are.
fn without_dot(p: PathBuf) -> PathBuf {
    let plain: PathBuf = p
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    if plain.as_os_str().is_empty() {
        p
    } else {
        plain
    }
}

fn is_skipped(name: &str) -> bool {
    name.starts_with('.') || name.starts_with("~$")
}

/// A file relief reads, or a spreadsheet-like one it lists as not read.
fn is_listed(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        EXTENSIONS.iter().any(|k| e.eq_ignore_ascii_case(k)) || not_read_kind(e).is_some()
    })
}

/// Why `path` is not a file relief can read, when it is not one: a pipe, socket or device, a
/// folder (a link back into itself, or one that cannot be opened), or a link that leads
/// nowhere or round in a circle. `None` for an ordinary file.
pub(crate) fn refusal(path: &Path) -> Option<IngestError> {
    let not_a_file = |what: &str| {
        Some(IngestError::NotAFile(format!(
            "this is {what}, not a file: relief reads only ordinary files"
        )))
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink());
            return Some(match (is_link, e.kind()) {
                (true, std::io::ErrorKind::NotFound) => IngestError::NotAFile(dangling(path)),
                (true, _) => IngestError::NotAFile(match circle(path) {
                    Some(chain) => format!(
                        "this link leads round in a circle of links ({chain}) and never reaches a file or folder, so it is not read"
                    ),
                    None => format!("this link cannot be followed ({e}), so it is not read"),
                }),
                _ => IngestError::Io {
                    path: path.to_path_buf(),
                    source: e,
                },
            });
        }
    };
    let kind = meta.file_type();
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some(IngestError::NotAFile(folder_refusal(path)));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return not_a_file("a named pipe (FIFO)");
        }
        if kind.is_socket() {
            return not_a_file("a socket");
        }
        if kind.is_char_device() || kind.is_block_device() {
            return not_a_file("a device");
        }
    }
    not_a_file("something other than a file")
}

fn folder_refusal(path: &Path) -> String {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink());
    if let Err(e) = std::fs::read_dir(path) {
        return format!("this folder cannot be opened ({e}), so the files in it are not read");
    }
    let Ok(real) = std::fs::canonicalize(path) else {
        return "this is a folder, not a file".into();
    };
    if is_link && is_ancestor_of_link(&real, path) {
        // Name the folder as the user wrote it, where the path shows it.
        let shown = path
            .ancestors()
            .skip(1)
            .find(|a| {
                let a = if a.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    a
                };
                std::fs::canonicalize(a).is_ok_and(|c| c == real)
            })
            .filter(|a| !a.as_os_str().is_empty())
            .map_or_else(|| real.display().to_string(), |a| a.display().to_string());
        return format!(
            "this is a link back to the folder '{shown}' that holds it: a loop, so it is not followed (each folder is read once)"
        );
    }
    format!(
        "this is a folder read already by another path ('{}'), so it is not read again",
        real.display()
    )
}

fn dangling(path: &Path) -> String {
    match std::fs::read_link(path) {
        Ok(target) => format!(
            "this is a link to '{}', which does not exist",
            target.display()
        ),
        Err(_) => "this is a link to something that does not exist".into(),
    }
}

/// The names of a circle of links starting at `path` (`a → b → a`), following at most 40.
fn circle(path: &Path) -> Option<String> {
    let name = |p: &Path| {
        p.file_name().map_or_else(
            || p.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    };
    let mut seen: Vec<PathBuf> = vec![path.to_path_buf()];
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        let target = std::fs::read_link(&current).ok()?;
        let next = match current.parent() {
            Some(dir) if target.is_relative() => dir.join(&target),
            _ => target,
        };
        if let Some(at) = seen.iter().position(|p| *p == next) {
            let mut names: Vec<String> = seen[at..].iter().map(|p| name(p)).collect();
            names.push(name(&next));
            return Some(names.join(" → "));
        }
        seen.push(next.clone());
        current = next;
    }
    None
}

/// `path` with symbolic links and `..` resolved as far as it exists, the rest appended as
/// written: where a folder that may not exist yet (an output folder) would be, to compare it
/// with folders that do (the inputs).
pub fn real_path(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |p, name| p.join(name));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

#[cfg(test)]
mod tests;
