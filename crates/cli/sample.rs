//! `relief sample`: realistic synthetic exports to try relief on, and to benchmark it.

use crate::common::Globals;
use anyhow::Context;
use relief_sample::{DEFAULT_SEED, SampleOptions};
use std::path::PathBuf;
use std::process::ExitCode;

/// Write realistic example exports: four clinic styles, with the usual mess.
///
/// The four styles cover both layouts, a CSV export and a workbook kept by hand. The files
/// behave like real clinic data — focus regions and firmer pressure on the back relieve more,
/// regular clients arrive less sore — and carry a few planted problems (an out-of-range score,
/// an unknown region, a missing score, an unreadable date, a row with no session to continue,
/// minutes typed as 20:00, a duplicate and a conflicting copy) so you can see how relief
/// reports them. The same seed always gives the same files.
///
/// The folder must be new or empty, so example files never end up among real exports;
/// --force writes into a folder that already holds files (same names are replaced).
///
/// Examples:
///   relief sample --out try-me
///   relief sample --out bench --clean --sessions 1000000 --files 20
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Folder to write the files into: new or empty (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Write even if the folder already holds files; files of the same name are replaced.
    #[arg(long)]
    force: bool,
    /// Seed for the random generator; the same seed gives byte-identical files.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// How many sessions to generate (each has several body regions).
    #[arg(long)]
    sessions: Option<usize>,
    /// How many files to spread the sessions over.
    #[arg(long)]
    files: Option<usize>,
    /// Plain long-layout files without planted problems, for benchmarks.
    #[arg(long)]
    clean: bool,
}

pub fn run(args: Args, globals: &Globals) -> anyhow::Result<ExitCode> {
    let defaults = SampleOptions::default();
    let options = SampleOptions {
        seed: args.seed,
        sessions: args.sessions.unwrap_or(defaults.sessions),
        files: args.files.unwrap_or(defaults.files),
        clean: args.clean,
    };
    if !args.force && holds_files(&args.out) {
        eprintln!(
            "relief: {} already holds files, and example exports must not mix with real ones; \
             choose a new or empty folder, or add --force to write beside them",
            crate::common::display_path(&args.out)
        );
        return Ok(ExitCode::from(crate::common::EXIT_CANNOT_RUN));
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let written = relief_sample::generate(&args.out, &options)
        .with_context(|| format!("writing sample exports into {}", args.out.display()))?;
    if !globals.quiet {
        for path in &written {
            println!("wrote {}", crate::common::display_path(path));
        }
        println!(
            "Try: relief validate {0}   then   relief report {0} --by-month",
            crate::common::display_path(&args.out)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether `dir` is a folder with anything in it (or something that is not a folder at all,
/// which writing into would fail on anyway; the refusal words it better).
fn holds_files(dir: &std::path::Path) -> bool {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_some(),
        Err(_) => dir.exists(),
    }
}
