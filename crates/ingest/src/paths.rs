//! Turning the paths a user typed into the list of files to read: folders are walked
//! recursively, in sorted order, skipping hidden files and folders and Office lock files.

use crate::IngestError;
use std::path::{Path, PathBuf};

/// File name endings relief reads when it walks a folder (compared without case).
pub const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xls", "ods", "csv"];

/// Expands files and folders into the sorted list of files to read.
///
/// A file named directly is kept whatever its name (reading it says what is wrong with it);
/// a folder contributes every file below it whose name ends in one of [`EXTENSIONS`], except
/// hidden ones (names starting with `.`, also hidden folders) and Office lock files (`~$…`).
/// The result is sorted and free of repeats, so the same input always reads in the same order.
///
/// # Errors
/// [`IngestError::MissingPath`] naming the first path that does not exist;
/// [`IngestError::Io`] when a folder cannot be listed.
pub fn expand_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, IngestError> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => IngestError::MissingPath(p.clone()),
            _ => IngestError::Io {
                path: p.clone(),
                source: e,
            },
        })?;
        if meta.is_dir() {
            walk(p, &mut out, 0)?;
        } else {
            out.push(p.clone());
        }
    }
    // `relief report .` and `relief report oct.csv` name the same file the same way in reports.
    let mut out: Vec<PathBuf> = out.into_iter().map(without_dot).collect();
    out.sort();
    out.dedup();
    Ok(out)
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

fn has_known_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|k| e.eq_ignore_ascii_case(k)))
}

/// Depth guard against symlink loops.
const MAX_DEPTH: usize = 64;

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> Result<(), IngestError> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let io = |e| IngestError::Io {
        path: dir.to_path_buf(),
        source: e,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name();
        if is_skipped(&name.to_string_lossy()) {
            continue;
        }
        let path = entry.path();
        // Follows symlinks; a dangling link is skipped rather than failing the run.
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk(&path, out, depth + 1)?;
        } else if meta.is_file() && has_known_extension(&path) {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leading_dot_folder_is_dropped_from_names() {
        assert_eq!(
            without_dot(PathBuf::from("./oct.csv")),
            PathBuf::from("oct.csv")
        );
        assert_eq!(
            without_dot(PathBuf::from("./in/oct.csv")),
            PathBuf::from("in/oct.csv")
        );
        assert_eq!(
            without_dot(PathBuf::from("/srv/in/oct.csv")),
            PathBuf::from("/srv/in/oct.csv")
        );
        assert_eq!(without_dot(PathBuf::from(".")), PathBuf::from("."));
    }

    #[test]
    fn folders_are_walked_sorted_skipping_hidden_and_lock_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in [
            "b.xlsx",
            "a.csv",
            "sub/c.ODS",
            "sub/~$b.xlsx",
            ".hidden.xlsx",
            ".git/x.xlsx",
            "notes.txt",
            "sub/deeper/d.xls",
        ] {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, b"x").unwrap();
        }
        let got = expand_paths(&[d.to_path_buf(), d.join("b.xlsx")]).unwrap();
        let rel: Vec<String> = got
            .iter()
            .map(|p| p.strip_prefix(d).unwrap().display().to_string())
            .collect();
        assert_eq!(rel, ["a.csv", "b.xlsx", "sub/c.ODS", "sub/deeper/d.xls"]);
    }

    #[test]
    fn a_file_named_directly_is_kept_and_a_missing_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let txt = dir.path().join("notes.txt");
        std::fs::write(&txt, b"x").unwrap();
        assert_eq!(expand_paths(std::slice::from_ref(&txt)).unwrap(), vec![txt]);
        let missing = dir.path().join("nope.xlsx");
        let err = expand_paths(&[missing]).unwrap_err();
        assert!(err.to_string().contains("nope.xlsx: no such file"), "{err}");
    }
}
