//! `relief batch`: the scheduled run over a drop folder (SPEC §4.5, §5).
//!
//! Each run takes the lock, compares the inbox with the ledger, reads the new and changed files
//! (caching each reading in `<out>/.relief/cache/`), and when some month must be rebuilt, loads
//! every other file's cached reading, merges them all as `relief report` does, and rebuilds
//! every month the new, changed or removed files touch from that whole inbox; the ledger is
//! saved only after those reports are written. That run lives in the `relief-batch` crate
//! ([`relief_batch::run_locked`]); this module takes the lock, loads the settings, prints, and
//! writes a month's reports through `pipeline` exactly as `relief report` does, so a rebuilt
//! month is byte for byte what `relief report <every inbox file> --month <month>` writes when
//! run inside the inbox. A run with nothing new, changed or removed loads nothing at all.
//!
//! Reports and the ledger name files by their path inside the inbox (`north/2026-10.xlsx`),
//! whatever the inbox is called or where it is mounted: moving the inbox changes no report.

use crate::common::{EXIT_CANNOT_RUN, Globals, exit_status};
use crate::pipeline::{self, Setup};
use anyhow::Context;
use indicatif::ProgressBar;
use relief_analysis::{Period, Prepared};
use relief_batch::{
    Holder, Layout, MonthWritten, Progress, Reports, RunLock, RunLog, RunReport, failpoint,
};
use relief_ingest::{Ingested, ReadOptions};
use std::path::PathBuf;
use std::process::ExitCode;

/// For schedulers: rebuild the monthly reports of a shared inbox folder, doing only new work.
///
/// Each run finds the files that are new or changed since the last run (by content hash),
/// reads them, and rebuilds the reports of every month they touch — from all the data known
/// for that month, so visit numbers and the trend span the whole inbox. Files already seen and
/// unchanged are not re-read: what reading them found is kept, pseudonymised, in
/// <out>/.relief/cache/ (safe to delete; it is rebuilt from the files). What was done is kept
/// in <out>/.relief/ledger.json, a log of every run in <out>/.relief/logs/, and a lock makes
/// sure two runs never overlap. Killing a run at any moment is safe: the next run
/// redoes the unfinished work and writes the same reports.
///
/// Examples:
///   relief batch --inbox /srv/clinic/inbox --out /srv/clinic/reports
///   relief batch --inbox "D:\Clinic\Inbox" --out "D:\Clinic\Reports" --json
///
/// Exit status: 0 all good; 1 done, but a file or some rows were rejected (see the log);
/// 2 could not run (another run holds the lock, the output folder is not writable, bad config).
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The folder clinics drop their exports into (read recursively; hidden files skipped).
    #[arg(long, value_name = "DIR")]
    inbox: PathBuf,
    /// The folder the monthly reports go into (<out>/<YYYY-MM>/); must not be inside the inbox.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Print a machine-readable summary of the run as JSON on standard output.
    #[arg(long)]
    json: bool,
    /// Accepted and ignored: sessions.parquet is always written now. Kept so scripts written
    /// for relief builds with the old `parquet` feature keep running.
    #[arg(long, hide = true)]
    parquet: bool,
}

pub fn run(args: Args, globals: &Globals) -> anyhow::Result<ExitCode> {
    // `--parquet` is the old opt-in; Parquet is always written now.
    let _always_written = args.parquet;
    let out = std::path::absolute(&args.out)
        .with_context(|| format!("the output folder {}", args.out.display()))?;
    let layout = Layout::prepare(&args.inbox, &out)?;
    let lock = RunLock::acquire(&layout.lock(), &Holder::me())?;
    let mut log = RunLog::create(&layout.logs())
        .with_context(|| format!("creating a log in {}", layout.logs().display()))?;
    log.line(format_args!(
        "relief {} batch started (pid {}): inbox {}, out {}",
        env!("CARGO_PKG_VERSION"),
        std::process::id(),
        layout.inbox.display(),
        layout.out.display()
    ));
    if let Some(h) = lock.stale() {
        log.line(format_args!(
            "took over a stale lock: the run of pid {} on {} started {} ended without finishing; \
             its unfinished work is redone now",
            h.pid,
            h.host,
            h.started_display()
        ));
    }
    failpoint("after-lock");

    let result = run_locked(globals, &layout, &lock, &mut log);
    let code = match &result {
        Ok(report) => {
            log.line(report.one_line());
            log.line(format_args!(
                "finished with exit status {}",
                report.exit_status
            ));
            report.exit_status
        }
        Err(e) => {
            log.line(format_args!(
                "could not finish: {}",
                crate::common::error_line(e)
            ));
            log.line(format_args!("finished with exit status {EXIT_CANNOT_RUN}"));
            EXIT_CANNOT_RUN
        }
    };
    relief_batch::prune_logs(&layout.logs(), relief_batch::KEEP_LOGS);
    lock.release();
    let report = result?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if !globals.quiet || code != 0 {
        eprintln!("{}", report.one_line());
        // What needs a look, even with -q: a scheduler mails this to whoever reads it.
        for f in &report.failed {
            eprintln!("  could not read {}: {}", f.path, f.reason);
        }
        if report.rows.rejected > 0 {
            eprintln!(
                "  rejected rows are listed, with the reason for each, in the Rejects sheet of each rebuilt month's workbook"
            );
        }
        if code != 0 {
            eprintln!("  log: {}", report.log);
        }
    }
    Ok(exit_status(code != 0))
}

/// Everything done under the lock: loads the settings, then runs (see the module docs).
fn run_locked(
    globals: &Globals,
    layout: &Layout,
    lock: &RunLock,
    log: &mut RunLog,
) -> anyhow::Result<RunReport> {
    let setup = Setup::load(globals, Some(&layout.out))?;
    let fingerprint = settings_fingerprint(&setup)?;
    let reports = MonthReports {
        setup: &setup,
        globals,
        out: &layout.out,
    };
    relief_batch::run_locked(layout, lock, &fingerprint, &reports, log)
}

/// How a batch reads files and writes a month's reports: as `relief report` does.
struct MonthReports<'a> {
    setup: &'a Setup,
    globals: &'a Globals,
    out: &'a std::path::Path,
}

impl Reports for MonthReports<'_> {
    type Error = anyhow::Error;

    fn read_options(&self) -> ReadOptions<'_> {
        ReadOptions {
            config: &self.setup.config,
            vocabulary: &self.setup.vocabulary,
            pseudonymizer: &self.setup.pseudonymizer,
            header_row: None,
        }
    }

    fn progress(&self, len: usize) -> Box<dyn Progress + '_> {
        Box::new(Bar(pipeline::progress_bar(
            self.globals,
            len as u64,
            "reading",
        )))
    }

    fn other_folders(&self, month: &str) -> Vec<PathBuf> {
        vec![
            self.out
                .join(self.setup.config.dataset.partition_dir(month)),
        ]
    }

    fn rebuild(
        &self,
        mut ingested: Ingested,
        months: &[String],
        written: &mut dyn FnMut(&MonthWritten),
    ) -> anyhow::Result<()> {
        let records = std::mem::take(&mut ingested.records);
        let prepared = Prepared::new(records).context("preparing the analysis")?;
        let trend = prepared.trend(&self.setup.settings)?;
        for month in months {
            let period = Period::parse_month(month)?;
            let out = pipeline::write_period(
                self.setup, &prepared, &ingested, &trend, &period, self.out,
            )?;
            if self.globals.verbose {
                eprintln!("{month}: rebuilt in {}", out.dir.display());
            }
            written(&MonthWritten {
                month: month.clone(),
                dir: out.dir,
                used: out.summary.rows.used,
                rejected: out.summary.rows.rejected,
                duplicates: out.summary.rows.duplicates,
            });
        }
        Ok(())
    }
}

/// The reading progress bar, cleared when reading ends.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn inc(&self) {
        self.0.inc(1);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// The settings fingerprint the ledger keeps: config, version, key (through probe pseudonyms,
/// never the key itself) and output options.
fn settings_fingerprint(setup: &Setup) -> anyhow::Result<String> {
    const PROBE: &str = "relief batch settings probe";
    let config = serde_json::to_string(&setup.config)?;
    Ok(relief_batch::settings_fingerprint(&[
        &config,
        env!("CARGO_PKG_VERSION"),
        &setup.pseudonymizer.client(PROBE),
        &setup.pseudonymizer.therapist(PROBE),
        // The outputs a month gets: the Parquet copy and the clean/ dataset joined the reports
        // (once `--parquet`), so ledgers made before rebuild every month once.
        OUTPUTS,
    ]))
}

/// What a rebuilt month writes, as the fingerprint records it.
const OUTPUTS: &str = "csv+parquet+dataset";
