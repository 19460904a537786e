//! The files a benchmark example reads: each argument that is a folder gives its files with one
//! of `extensions` (case-insensitive), in sorted order; any other argument is taken as a file.

use std::ffi::OsString;
use std::path::PathBuf;

pub fn files_in(args: impl IntoIterator<Item = OsString>, extensions: &[&str]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for arg in args {
        let p = PathBuf::from(arg);
        if p.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(&p)
                .expect("readable folder")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
                })
                .collect();
            inside.sort();
            files.extend(inside);
        } else {
            files.push(p);
        }
    }
    files
}
