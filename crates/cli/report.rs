//! `relief report`: read exports, compute every figure, and write each period's reports.

use crate::common::{Globals, display_path, exit_status};
use crate::pipeline::{self, Setup};
use anyhow::{Context, bail};
use relief_analysis::{Period, Prepared};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Read session exports and write the reports of each period.
///
/// For every period relief writes, into <out>/<period>/: an Excel workbook, PNG charts,
/// summary.json and the clean session table (sessions.csv and sessions.parquet). Each month
/// also goes into the Parquet dataset <out>/clean/month=YYYY-MM/sessions.parquet, which
/// DuckDB, DataFusion or Spark read as one table.
///
/// Without a period option, one report covers everything read (its folder is named after the
/// first and last month, e.g. 2026-05_2026-10).
///
/// Examples:
///   relief report exports/ --by-month              # one report per month found
///   relief report october.xlsx --month 2026-10     # just October
///   relief report exports/ --from 2026-01 --to 2026-06 --out /srv/reports
///   relief report exports/ --month 2026-10 --json  # the summary on standard output too
///
/// Exit status: 0 all good; 1 reports written, but some rows or files were rejected
/// (run `relief validate` on the same paths to see them), or there was nothing to report;
/// 2 could not run.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Export files (.xlsx, .xlsm, .xlsb, .xls, .ods, .csv, .tsv) or folders to read; folders are read
    /// recursively.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Report one month only, written as YYYY-MM.
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["from", "by_month"])]
    month: Option<String>,
    /// Start of a date range (YYYY-MM-DD, or YYYY-MM for the month's first day).
    #[arg(
        long,
        value_name = "DATE",
        requires = "to",
        conflicts_with = "by_month"
    )]
    from: Option<String>,
    /// End of a date range, included (YYYY-MM-DD, or YYYY-MM for the month's last day).
    #[arg(long, value_name = "DATE", requires = "from")]
    to: Option<String>,
    /// One report per month found in the data.
    #[arg(long)]
    by_month: bool,
    /// Folder the reports go into.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    out: PathBuf,
    /// Print the summary as JSON on standard output (an array with --by-month).
    #[arg(long)]
    json: bool,
    /// The header's row number (as Excel shows it) for every sheet, when detection gets it wrong.
    #[arg(long, value_name = "N")]
    header_row: Option<u32>,
    /// Accepted and ignored: sessions.parquet is always written now. Kept so scripts written
    /// for relief builds with the old `parquet` feature keep running.
    #[arg(long, hide = true)]
    parquet: bool,
}

pub fn run(args: Args, globals: &Globals) -> anyhow::Result<ExitCode> {
    let explicit = match (&args.month, &args.from, &args.to) {
        (Some(m), _, _) => Some(Period::parse_month(m)?),
        (None, Some(f), Some(t)) => Some(Period::parse_range(f, t)?),
        _ => None,
    };
    // `--parquet` is the old opt-in; Parquet is always written now.
    let _always_written = args.parquet;
    let setup = Setup::load(globals, Some(&args.out))?;
    check_out_outside_inputs(&args.paths, &args.out)?;
    let files = relief_ingest::expand_paths(&args.paths)?;
    let mut ingested =
        crate::timings::stage("read", || setup.read(&files, args.header_row, globals));
    if globals.verbose {
        print_sources(&ingested.files);
    }
    let records = std::mem::take(&mut ingested.records);
    let prepared = crate::timings::stage("prepare", || Prepared::new(records))
        .context("preparing the analysis")?;
    let trend = crate::timings::stage("trend", || prepared.trend(&setup.settings))?;

    let explicit_none = explicit.is_none();
    let periods = periods_to_write(explicit, args.by_month, prepared.months(), globals);

    let bar = pipeline::progress_bar(globals, periods.len() as u64, "writing");
    let mut summaries = Vec::new();
    for period in &periods {
        let written =
            pipeline::write_period(&setup, &prepared, &ingested, &trend, period, &args.out)?;
        bar.inc(1);
        if !globals.quiet && !args.json {
            bar.suspend(|| {
                println!(
                    "{}: {} rows → {} (workbook, {} charts, summary.json, {}, {})",
                    written.summary.period,
                    written.summary.rows.used,
                    display_path(&written.dir),
                    written.charts,
                    pipeline::SESSIONS_CSV,
                    pipeline::SESSIONS_PARQUET,
                )
            });
        }
        summaries.push(written.summary);
    }
    bar.finish_and_clear();

    if args.json {
        let text = if args.by_month {
            serde_json::to_string_pretty(&summaries)?
        } else {
            match summaries.first() {
                Some(s) => serde_json::to_string_pretty(s)?,
                None => "null".to_string(),
            }
        };
        println!("{text}");
    }
    let failed_files = ingested.files.iter().filter(|f| f.error.is_some()).count();
    let problems = ingested.rows.rejected > 0 || failed_files > 0 || periods.is_empty();
    // `--quiet` keeps a good run silent, not a run with problems.
    if !globals.quiet || problems {
        print_closing(&ingested, files.len(), &periods, explicit_none);
    }
    Ok(exit_status(problems))
}

/// Refuses an output folder inside a folder being read: the next run would read the reports
/// (workbooks, `sessions.csv`) as exports, and reject their rows. `relief batch` refuses the
/// same for its inbox.
fn check_out_outside_inputs(paths: &[PathBuf], out: &Path) -> anyhow::Result<()> {
    let out_real = relief_ingest::real_path(out);
    for input in paths.iter().filter(|p| p.is_dir()) {
        let Ok(input_real) = input.canonicalize() else {
            continue;
        };
        if out_real.starts_with(&input_real) {
            bail!(
                "the output folder {} is inside {}, which is being read: the next run would \
                 read its own reports as exports. Choose an output folder outside it, \
                 e.g. --out {}",
                out.display(),
                input.display(),
                suggested_out(&input_real).display()
            );
        }
    }
    Ok(())
}

/// `reports` beside the folder being read (or in it, for the file system's root).
fn suggested_out(input: &Path) -> PathBuf {
    input
        .parent()
        .map_or_else(|| PathBuf::from("reports"), |p| p.join("reports"))
}

/// The periods to report: the one asked for, every month with `--by-month`, else the whole
/// range the data covers. A period without a single session gets no report (an empty
/// workbook and six empty charts would only confuse), and says what the data does cover.
fn periods_to_write(
    explicit: Option<Period>,
    by_month: bool,
    months: &[Period],
    globals: &Globals,
) -> Vec<Period> {
    match explicit {
        Some(p) if !months.iter().any(|m| p.overlaps(m)) => {
            if !globals.quiet {
                let covers = match (months.first(), months.last()) {
                    (Some(a), Some(b)) if a == b => format!("the data covers {a} only"),
                    (Some(a), Some(b)) => format!("the data covers {a} to {b}"),
                    _ => "no usable rows were found at all".to_string(),
                };
                eprintln!(
                    "No sessions in {} ({covers}); no report was written.",
                    p.name()
                );
            }
            Vec::new()
        }
        Some(p) => vec![p],
        None if by_month => months.to_vec(),
        None => match (months.first(), months.last()) {
            (Some(first), Some(last)) => vec![Period::months_between(first, last)],
            _ => Vec::new(),
        },
    }
}

/// The closing lines on standard error: rows read, files that could not be read, where the
/// rejected rows are listed.
fn print_closing(
    ingested: &relief_ingest::Ingested,
    file_count: usize,
    periods: &[Period],
    explicit_none: bool,
) {
    let rows = &ingested.rows;
    eprintln!("{}", crate::common::rows_line(rows, file_count));
    for f in ingested.files.iter().filter(|f| f.error.is_some()) {
        eprintln!(
            "Could not read {}: {}",
            f.path,
            f.error.as_deref().unwrap_or_default()
        );
    }
    if rows.rejected > 0 && !periods.is_empty() {
        eprintln!(
            "Rejected rows are listed in each workbook's Rejects sheet; `relief validate` shows them too."
        );
    }
    if periods.is_empty() && explicit_none {
        eprintln!("No usable rows were found, so no report was written.");
    }
}

/// With `--verbose`: what was found in every file and sheet.
fn print_sources(files: &[relief_core::summary::FileReport]) {
    for f in files {
        eprintln!("{}", f.path);
        if let Some(e) = &f.error {
            eprintln!("    could not be read: {e}");
        }
        for s in &f.sheets {
            eprintln!(
                "    sheet {:?}: {} layout, header on row {}; {} rows read, {} used, {} rejected, {} duplicates",
                s.name,
                s.layout,
                s.header_row,
                s.rows_read,
                s.rows_used,
                s.rows_rejected,
                s.rows_duplicate
            );
        }
    }
}
