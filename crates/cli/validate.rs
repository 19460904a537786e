//! `relief validate`: reads the inputs exactly as `relief report` would, writes nothing, and says
//! what it found — per file and sheet the layout, header row and row counts, and the sheets that
//! are not session sheets — then every problem, grouped by file and reason with its row numbers,
//! in plain words. With `-v` it also says what it resolved in hand-kept sheets (merged cells, a
//! two-row header, ditto rows), so a therapist sees the sheet was understood. `--json` gives the
//! same as data. The exit status says whether anything was rejected (SPEC §5).

use crate::common::{Globals, count, display_path, exit_status, rows_line};
use crate::findings;
use relief_core::Vocabulary;
use relief_ingest::{Ingested, Pseudonymizer, ReadOptions};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Check exports without writing anything: what is read, what is rejected and why.
///
/// Examples:
///   relief validate exports/               # every spreadsheet and CSV file below the folder
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
            "no .xlsx, .xlsm, .xlsb, .xls, .ods, .csv or .tsv files found in {}",
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
        print!("{}", human(&ingested, globals.quiet, globals.verbose));
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
        "notes": ing.notes.iter().map(|n| serde_json::json!({
            "file": n.file, "sheet": n.sheet, "hidden": n.hidden,
            "session_sheet": n.not_session().is_none(),
            "notes": n.notes.iter().map(ToString::to_string).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn human(ing: &Ingested, quiet: bool, verbose: bool) -> String {
    let mut s = String::new();
    let shown = |p: &str| display_path(std::path::Path::new(p));
    if !quiet {
        for f in &ing.files {
            let _ = writeln!(s, "{}", shown(&f.path));
            for sh in &f.sheets {
                let _ = writeln!(s, "  {}", findings::sheet_line(ing, f, sh));
                for line in findings::note_lines(ing, f, sh, verbose) {
                    let _ = writeln!(s, "    {line}");
                }
            }
            for line in findings::other_sheet_lines(ing, f, verbose) {
                let _ = writeln!(s, "  {line}");
            }
            if let Some(line) = findings::file_error_line(f) {
                let _ = writeln!(s, "  {line}: see Problems below");
            }
        }
    }

    let problems = findings::problems(ing, &shown);
    if !problems.is_empty() {
        s.push_str("\nProblems\n");
        for p in &problems {
            let _ = writeln!(s, "{}", p.file);
            for line in &p.lines {
                let _ = writeln!(s, "  {line}");
            }
        }
    }

    let once = findings::counted_once(ing, &shown);
    if !once.is_empty() {
        s.push_str("\nCounted once\n");
        for line in &once {
            let _ = writeln!(s, "  {line}");
        }
    }

    let failed = ing.failed_files().count();
    let _ = writeln!(s, "\n{}", rows_line(&ing.rows, ing.files.len()));
    if failed > 0 {
        let _ = writeln!(
            s,
            "{} could not be read in full; see above.",
            count(failed as u64, "file", "files")
        );
    }
    s
}
