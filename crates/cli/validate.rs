//! `relief validate`: reads the inputs exactly as `relief report` would, writes nothing, and says
//! what it found — per file and sheet the layout, header row and row counts — then every problem,
//! grouped by file and reason with its row numbers, in plain words. `--json` gives the same as
//! data. The exit status says whether anything was rejected (SPEC §5).

use crate::common::{Globals, count, display_path, exit_status, rows_line};
use relief_core::Vocabulary;
use relief_ingest::{Ingested, Pseudonymizer, ReadOptions};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Check exports without writing anything: what is read, what is rejected and why.
///
/// Examples:
///   relief validate exports/               # every .xlsx/.xls/.ods/.csv below the folder
///   relief validate october.xlsx --json    # the same, as data for another program
///   relief validate odd.xlsx --header-row 5
///
/// Exit status: 0 nothing rejected; 1 some rows or files rejected; 2 could not run.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Files or folders to check (folders are read recursively).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Print the findings as JSON on standard output.
    #[arg(long)]
    pub json: bool,
    /// The header's row number as Excel shows it, for every sheet, when detection gets it wrong.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub header_row: Option<u32>,
}

pub fn run(args: Args, globals: &Globals) -> anyhow::Result<ExitCode> {
    let config = globals.load_config()?;
    let files = relief_ingest::expand_paths(&args.paths)?;
    if files.is_empty() {
        anyhow::bail!(
            "no .xlsx, .xlsm, .xls, .ods or .csv files found in {}",
            args.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let vocabulary = Vocabulary::new(&config);
    // Nothing is written and no pseudonym is shown, so a key that lives only for this run does.
    let pseudonymizer = Pseudonymizer::new(&run_key());
    let options = ReadOptions {
        config: &config,
        vocabulary: &vocabulary,
        pseudonymizer: &pseudonymizer,
        header_row: args.header_row,
    };
    let bar = crate::pipeline::progress_bar(globals, files.len() as u64, "reading");
    let ingested = relief_ingest::read_inputs(&files, &options, &|_| bar.inc(1));
    bar.finish_and_clear();

    let rejected = !ingested.rejects.is_empty() || ingested.failed_files().next().is_some();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&as_json(&ingested))?);
    } else {
        print!("{}", human(&ingested, globals.quiet));
    }
    Ok(exit_status(rejected))
}

fn run_key() -> [u8; 8] {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish().to_le_bytes()
}

fn as_json(ing: &Ingested) -> serde_json::Value {
    serde_json::json!({
        "rows": ing.rows,
        "files": ing.files,
        "rejects": ing.rejects,
        "duplicates": ing.duplicates,
        "footers": ing.footers.iter().map(|f| serde_json::json!({
            "file": f.file, "sheet": f.sheet, "row": f.row,
        })).collect::<Vec<_>>(),
    })
}

/// "row" in a workbook, "line" in a CSV file.
fn row_word(file: &str, n: usize) -> &'static str {
    match (file.to_ascii_lowercase().ends_with(".csv"), n == 1) {
        (true, true) => "line",
        (true, false) => "lines",
        (false, true) => "row",
        (false, false) => "rows",
    }
}

/// `3, 7–9, 12`: row numbers, consecutive ones as ranges.
fn ranges(rows: &[u32]) -> String {
    let mut rows = rows.to_vec();
    rows.sort_unstable();
    rows.dedup();
    let mut out = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let mut j = i;
        while j + 1 < rows.len() && rows[j + 1] == rows[j] + 1 {
            j += 1;
        }
        out.push(if j > i {
            format!("{}–{}", rows[i], rows[j])
        } else {
            rows[i].to_string()
        });
        i = j + 1;
    }
    out.join(", ")
}

/// A group of rejects: sheet, column, reason.
type Reason<'a> = (&'a str, &'a str, &'a relief_core::RejectReason);
/// A group of identical copies: file and sheet of the copies, then of the kept ones.
type Pair<'a> = (&'a str, &'a str, &'a str, &'a str);

fn human(ing: &Ingested, quiet: bool) -> String {
    let mut s = String::new();
    let shown = |p: &str| display_path(std::path::Path::new(p));
    if !quiet {
        for f in &ing.files {
            let _ = writeln!(s, "{}", shown(&f.path));
            for sh in &f.sheets {
                let _ = write!(
                    s,
                    "  {}: {} layout, header on {} {} — {} read: {} used, {} rejected, {}",
                    if f.path.to_ascii_lowercase().ends_with(".csv") {
                        "data".to_string()
                    } else {
                        format!("sheet '{}'", sh.name)
                    },
                    sh.layout,
                    row_word(&f.path, 1),
                    sh.header_row,
                    count(sh.rows_read, "row", "rows"),
                    sh.rows_used,
                    sh.rows_rejected,
                    count(sh.rows_duplicate, "duplicate", "duplicates"),
                );
                let footers: Vec<u32> = ing
                    .footers
                    .iter()
                    .filter(|x| x.file == f.path && x.sheet == sh.name)
                    .map(|x| x.row)
                    .collect();
                if !footers.is_empty() {
                    let _ = write!(
                        s,
                        "; {} skipped ({} {})",
                        count(footers.len() as u64, "footer row", "footer rows"),
                        row_word(&f.path, footers.len()),
                        ranges(&footers)
                    );
                }
                s.push('\n');
            }
            if f.error.is_some() {
                let _ = writeln!(
                    s,
                    "  {}: see Problems below",
                    if f.sheets.is_empty() {
                        "cannot be read"
                    } else {
                        "not every sheet could be read"
                    }
                );
            }
        }
    }

    let failed: Vec<_> = ing.failed_files().collect();
    if !ing.rejects.is_empty() || !failed.is_empty() {
        s.push_str("\nProblems\n");
        // By file (in reading order), then by sheet and reason, with every row number.
        let mut by_file: BTreeMap<usize, HashMap<Reason<'_>, Vec<u32>>> = BTreeMap::new();
        let index = |file: &str| ing.files.iter().position(|f| f.path == file).unwrap_or(0);
        for r in &ing.rejects {
            by_file
                .entry(index(&r.file))
                .or_default()
                .entry((&r.sheet, &r.column, &r.reason))
                .or_default()
                .push(r.row);
        }
        for (i, f) in ing.files.iter().enumerate() {
            let groups = by_file.get(&i);
            if groups.is_none() && f.error.is_none() {
                continue;
            }
            let _ = writeln!(s, "{}", shown(&f.path));
            if let Some(e) = &f.error {
                let _ = writeln!(s, "  {e}");
            }
            // Sheets, columns and reasons in the order a reader scans them: alphabetical.
            let mut groups: Vec<(&str, &str, String, &Vec<u32>)> = groups
                .into_iter()
                .flatten()
                .map(|((sheet, column, reason), rows)| (*sheet, *column, reason.to_string(), rows))
                .collect();
            groups.sort();
            for (sheet, column, reason, rows) in groups {
                let place = if f.path.to_ascii_lowercase().ends_with(".csv") {
                    String::new()
                } else {
                    format!("sheet '{sheet}', ")
                };
                let column = if column.is_empty() {
                    String::new()
                } else {
                    format!(" (column {column})")
                };
                let _ = writeln!(
                    s,
                    "  {reason}{column}: {place}{} {}",
                    row_word(&f.path, rows.len()),
                    ranges(rows)
                );
            }
        }
    }

    if !ing.duplicates.is_empty() {
        s.push_str("\nCounted once\n");
        let mut groups: BTreeMap<Pair<'_>, (Vec<u32>, Vec<u32>)> = BTreeMap::new();
        for d in ing.duplicates.iter().filter(|d| d.conflict.is_none()) {
            let g = groups
                .entry((&d.file, &d.sheet, &d.kept_file, &d.kept_sheet))
                .or_default();
            g.0.push(d.row);
            g.1.push(d.kept_row);
        }
        for ((file, _, kept_file, _), (rows, kept)) in &groups {
            let _ = writeln!(
                s,
                "  {} {} {}: the same session × region as {} {} {}; counted once",
                shown(file),
                row_word(file, rows.len()),
                ranges(rows),
                shown(kept_file),
                row_word(kept_file, kept.len()),
                ranges(kept)
            );
        }
        for d in ing.duplicates.iter().filter(|d| d.conflict.is_some()) {
            let _ = writeln!(
                s,
                "  conflict: {} {} {} and {} {} {} disagree ({}); the copy in {} is used",
                shown(&d.file),
                row_word(&d.file, 1),
                d.row,
                shown(&d.kept_file),
                row_word(&d.kept_file, 1),
                d.kept_row,
                d.conflict.as_deref().unwrap_or_default(),
                shown(&d.kept_file),
            );
        }
    }

    let _ = writeln!(s, "\n{}", rows_line(&ing.rows, ing.files.len()));
    if !failed.is_empty() {
        let _ = writeln!(
            s,
            "{} could not be read in full; see above.",
            count(failed.len() as u64, "file", "files")
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_numbers_are_shown_as_ranges() {
        assert_eq!(ranges(&[9, 3, 7, 8, 12, 3]), "3, 7–9, 12");
        assert_eq!(ranges(&[5]), "5");
    }
}
