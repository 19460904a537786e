//! What an upload may hold, and the words for every refusal.
//!
//! The page asks before it sends (`POST /api/check` with names and sizes) and the upload is
//! checked again as it arrives, with the same rules and the same sentences, so a therapist sees
//! one clear message whether her browser or a script hit the limit. Names from the browser are
//! only ever shown, never used as paths: an upload is stored as `0001.xlsx`, with the extension
//! taken from a fixed list.

use crate::common::count;
use std::fmt;

/// File endings the page accepts, lower-case; the same as the command line reads in a folder.
pub const SPREADSHEET_EXTENSIONS: [&str; relief_ingest::EXTENSIONS.len()] =
    relief_ingest::EXTENSIONS;

/// How much one upload may hold.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Limits {
    pub max_files: usize,
    /// All files together, in bytes.
    pub max_total: u64,
    /// One file, in bytes (the config's `input.max_file_mb`, or the total if smaller).
    pub max_file: u64,
}

/// Why an upload was not taken, in words a therapist can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Another upload is being received or analysed.
    Busy,
    /// `sent` is unknown while files are still arriving.
    TooManyFiles {
        sent: Option<usize>,
        max: usize,
    },
    /// `sent` is unknown while files are still arriving.
    TooLarge {
        sent: Option<u64>,
        max: u64,
    },
    FileTooLarge {
        name: String,
        max: u64,
    },
    /// Named files whose ending is not a spreadsheet's.
    NotSpreadsheet {
        names: Vec<String>,
    },
    NoFiles,
    /// The request was not a file upload the page sends.
    Malformed(String),
    /// Nothing of the upload arrived for this many seconds: the sender stopped, and the one
    /// place for a report is freed for others.
    Stalled(u64),
    /// The files could not be stored on this computer.
    Storage(String),
}

impl Refusal {
    /// The HTTP status that goes with the refusal.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::Busy => 409,
            Refusal::TooManyFiles { .. } | Refusal::TooLarge { .. } => 413,
            Refusal::FileTooLarge { .. } => 413,
            Refusal::NotSpreadsheet { .. } => 415,
            Refusal::NoFiles | Refusal::Malformed(_) => 400,
            Refusal::Stalled(_) => 408,
            Refusal::Storage(_) => 500,
        }
    }
}

/// Megabytes for people: `200 MB`, `0.5 MB`.
fn mb(bytes: u64) -> String {
    let mb = bytes as f64 / (1u64 << 20) as f64;
    if mb >= 10.0 || mb.fract() == 0.0 {
        format!("{} MB", mb.round())
    } else {
        format!("{mb:.1} MB")
    }
}

fn extension_list() -> String {
    let dotted: Vec<String> = SPREADSHEET_EXTENSIONS
        .iter()
        .map(|e| format!(".{e}"))
        .collect();
    let (last, rest) = dotted.split_last().expect("a fixed list");
    format!("{} and {last}", rest.join(", "))
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Busy => write!(
                f,
                "relief is busy with another upload (from this or another window). Wait until \
                 its report is ready, then send your files again."
            ),
            Refusal::TooManyFiles { sent, max } => write!(
                f,
                "That is {} files; relief takes at most {max} at a time. Send fewer files \
                 (a few months at once), or use `relief report` on the command line for more.",
                match sent {
                    Some(n) => n.to_string(),
                    None => format!("more than {max}"),
                }
            ),
            Refusal::TooLarge { sent, max } => write!(
                f,
                "These files are {} together; relief takes at most {} at a time. Send fewer \
                 files at once, or use `relief report` on the command line for more.",
                match sent {
                    Some(n) => mb(*n),
                    None => format!("more than {}", mb(*max)),
                },
                mb(*max)
            ),
            Refusal::FileTooLarge { name, max } => write!(
                f,
                "{name} is larger than {}, the most relief reads in one file. Export a shorter \
                 period from your software and try again.",
                mb(*max)
            ),
            Refusal::NotSpreadsheet { names } => write!(
                f,
                "{}: relief reads {} files. Leave {} out and try again.",
                match names.as_slice() {
                    [one] => format!("{one} is not a spreadsheet export"),
                    many => format!("{} are not spreadsheet exports", many.join(", ")),
                },
                extension_list(),
                if names.len() == 1 { "it" } else { "them" }
            ),
            Refusal::NoFiles => write!(
                f,
                "No files arrived. Drop your exports on the page, or choose them with the button."
            ),
            Refusal::Malformed(why) => write!(
                f,
                "The upload could not be read ({why}). Reload the page and try again."
            ),
            Refusal::Stalled(seconds) => write!(
                f,
                "The upload stopped arriving: nothing came for {seconds} seconds. Check the \
                 connection and send the files again."
            ),
            Refusal::Storage(why) => write!(
                f,
                "relief could not store the files on this computer ({why}). Free some disk \
                 space and try again."
            ),
        }
    }
}

/// The extension a file is stored under, when its name ends like a spreadsheet; `None` else.
pub fn spreadsheet_extension(name: &str) -> Option<&'static str> {
    let (_, ext) = name.rsplit_once('.')?;
    SPREADSHEET_EXTENSIONS
        .iter()
        .copied()
        .find(|e| e.eq_ignore_ascii_case(ext))
}

/// Longest name shown, in characters.
const NAME_CHARS: usize = 200;

/// A name from the browser made fit to show: separators unified, control characters and
/// leading `/` and `./` removed, at most [`NAME_CHARS`] characters. A longer name (a deep
/// folder dropped on the page) loses the start of its path, never its file name's ending, so
/// the file is judged by the same ending here as when the page asked. Never used as a path.
pub fn display_name(raw: &str, index: usize) -> String {
    let chars: Vec<char> = raw
        .replace('\\', "/")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    let cleaned: String = if chars.len() > NAME_CHARS {
        std::iter::once('…')
            .chain(chars[chars.len() - (NAME_CHARS - 1)..].iter().copied())
            .collect()
    } else {
        chars.into_iter().collect()
    };
    let mut s = cleaned.trim();
    while let Some(rest) = s.strip_prefix("./").or_else(|| s.strip_prefix('/')) {
        s = rest;
    }
    if s.is_empty() {
        format!("file {index}")
    } else {
        s.to_string()
    }
}

/// One file the page means to send.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Planned {
    pub name: String,
    pub size: u64,
}

/// The answer to the page's question "may I send these?".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verdict {
    /// Why nothing should be sent; `None` when the spreadsheets among the files may go.
    pub refusal: Option<String>,
    /// Files the page should leave out (not spreadsheets), and the sentence that says so.
    pub left_out: Vec<String>,
    pub left_out_note: Option<String>,
}

impl Limits {
    /// Checks a planned upload: non-spreadsheets are left out (and named), the rest must fit.
    pub fn check(&self, files: &[Planned]) -> Verdict {
        let (sheets, others): (Vec<&Planned>, Vec<&Planned>) = files
            .iter()
            .partition(|p| spreadsheet_extension(&p.name).is_some());
        let left_out: Vec<String> = others.iter().map(|p| p.name.clone()).collect();
        let refusal = if files.is_empty() {
            Some(Refusal::NoFiles)
        } else if sheets.is_empty() {
            Some(Refusal::NotSpreadsheet {
                names: left_out.clone(),
            })
        } else {
            self.fits(&sheets).err()
        };
        let left_out_note = (!left_out.is_empty() && refusal.is_none()).then(|| {
            format!(
                "Left out {} not a spreadsheet: {}.",
                if left_out.len() == 1 {
                    "1 file that is".to_string()
                } else {
                    format!("{} files that are", left_out.len())
                },
                left_out.join(", ")
            )
        });
        Verdict {
            refusal: refusal.map(|r| r.to_string()),
            left_out,
            left_out_note,
        }
    }

    fn fits(&self, files: &[&Planned]) -> Result<(), Refusal> {
        if files.len() > self.max_files {
            return Err(Refusal::TooManyFiles {
                sent: Some(files.len()),
                max: self.max_files,
            });
        }
        // Sizes come from the page and may be anything: they are added without overflow.
        let total = files.iter().fold(0u64, |sum, p| sum.saturating_add(p.size));
        if total > self.max_total {
            return Err(Refusal::TooLarge {
                sent: Some(total),
                max: self.max_total,
            });
        }
        if let Some(big) = files.iter().find(|p| p.size > self.max_file) {
            return Err(Refusal::FileTooLarge {
                name: big.name.clone(),
                max: self.max_file,
            });
        }
        Ok(())
    }

    /// One line for the page: `Up to 100 files, 200 MB together.`
    pub fn summary(&self) -> String {
        format!(
            "Up to {}, {} together.",
            count(self.max_files as u64, "file", "files"),
            mb(self.max_total)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            max_files: 3,
            max_total: 10 << 20,
            max_file: 4 << 20,
        }
    }

    fn planned(name: &str, size: u64) -> Planned {
        Planned {
            name: name.into(),
            size,
        }
    }

    #[test]
    fn extensions_come_from_the_fixed_list() {
        assert_eq!(spreadsheet_extension("Oct.XLSX"), Some("xlsx"));
        assert_eq!(spreadsheet_extension("a/b/c.csv"), Some("csv"));
        assert_eq!(spreadsheet_extension("notes.txt"), None);
        assert_eq!(spreadsheet_extension("xlsx"), None);
        assert_eq!(spreadsheet_extension("../../etc/passwd"), None);
    }

    #[test]
    fn names_are_cleaned_for_showing_only() {
        assert_eq!(display_name("./exports\\oct.xlsx", 1), "exports/oct.xlsx");
        assert_eq!(display_name("/abs/x.csv", 1), "abs/x.csv");
        assert_eq!(display_name("a\u{0}b\n.csv", 1), "ab.csv");
        assert_eq!(display_name("  ", 7), "file 7");
        // A deep folder: the start of the path goes, the file name and its ending stay, so the
        // upload judges the file as the page's check did.
        let deep = format!(
            "{}/october.csv",
            "Practice software backups 2026/".repeat(7)
        );
        let shown = display_name(&deep, 1);
        assert_eq!(shown.chars().count(), 200);
        assert!(
            shown.starts_with('…') && shown.ends_with("/october.csv"),
            "{shown}"
        );
        assert_eq!(spreadsheet_extension(&shown), spreadsheet_extension(&deep));
    }

    #[test]
    fn sizes_that_add_past_the_largest_number_are_refused_not_wrapped() {
        let v = limits().check(&[planned("a.csv", u64::MAX), planned("b.csv", 1)]);
        assert!(v.refusal.is_some_and(|r| r.contains("MB")));
    }

    #[test]
    fn a_fitting_upload_passes_and_strays_are_named() {
        let v = limits().check(&[planned("a.xlsx", 1 << 20), planned("notes.txt", 10)]);
        assert_eq!(v.refusal, None);
        assert_eq!(v.left_out, vec!["notes.txt".to_string()]);
        assert_eq!(
            v.left_out_note.as_deref(),
            Some("Left out 1 file that is not a spreadsheet: notes.txt.")
        );
    }

    #[test]
    fn every_limit_is_refused_with_its_numbers() {
        let l = limits();
        let many: Vec<Planned> = (0..4).map(|i| planned(&format!("{i}.csv"), 1)).collect();
        let v = l.check(&many);
        assert!(
            v.refusal
                .unwrap()
                .starts_with("That is 4 files; relief takes at most 3")
        );
        let v = l.check(&[planned("big.xlsx", 5 << 20)]);
        assert!(
            v.refusal
                .unwrap()
                .starts_with("big.xlsx is larger than 4 MB")
        );
        let v = l.check(&[
            planned("a.xlsx", 4 << 20),
            planned("b.xlsx", 4 << 20),
            planned("c.xlsx", 3 << 20),
        ]);
        assert!(
            v.refusal
                .unwrap()
                .starts_with("These files are 11 MB together; relief takes at most 10 MB")
        );
        let v = l.check(&[planned("a.pdf", 1), planned("b.txt", 1)]);
        assert_eq!(
            v.refusal.unwrap(),
            "a.pdf, b.txt are not spreadsheet exports: relief reads .xlsx, .xlsm, .xlsb, .xls, \
             .ods, .csv and .tsv files. Leave them out and try again."
        );
        assert_eq!(v.left_out_note, None);
        assert!(
            l.check(&[])
                .refusal
                .unwrap()
                .starts_with("No files arrived")
        );
    }

    #[test]
    fn megabytes_read_naturally() {
        assert_eq!(mb(200 << 20), "200 MB");
        assert_eq!(mb(1 << 19), "0.5 MB");
        assert_eq!(mb(15 * (1 << 20) + 1), "15 MB");
    }
}
