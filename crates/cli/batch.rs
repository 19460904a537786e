//! `relief batch`: the scheduled run over a drop folder (SPEC §4.5, §5).
//!
//! Each run takes the lock, compares the inbox with the ledger, reads the new and changed files
//! (caching each reading in `<out>/.relief/cache/`), and when some month must be rebuilt, loads
//! every other file's cached reading, merges them all as `relief report` does, and rebuilds
//! every month the new, changed or removed files touch from that whole inbox; the ledger is
//! saved only after those reports are written. The bookkeeping lives in the `relief-batch`
//! crate; reading and writing reuse `pipeline`, exactly as `relief report` does, so a rebuilt
//! month is byte for byte what `relief report <every inbox file> --month <month>` writes when
//! run inside the inbox. A run with nothing new, changed or removed loads nothing at all.
//!
//! The run works with the inbox as its current folder, so reports and the ledger name files
//! by their path inside the inbox (`north/2026-10.xlsx`), whatever the inbox is called or
//! where it is mounted: moving the inbox changes no report.

use crate::common::{EXIT_CANNOT_RUN, Globals, exit_status};
use crate::pipeline::{self, Setup};
use anyhow::Context;
use relief_analysis::{Period, Prepared};
use relief_batch::{
    Cache, FailedFile, FileResult, Holder, Layout, Ledger, Outcome, RunLock, RunLog, RunReport,
    RunRows, Status, failpoint,
};
use relief_core::summary::FileReport;
use relief_ingest::{FileRead, Ingested, ReadOptions};
use std::collections::{BTreeMap, BTreeSet};
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
    /// Also write the clean session table as Parquet (needs a build with the `parquet` feature).
    #[arg(long)]
    parquet: bool,
}

pub fn run(args: Args, globals: &Globals) -> anyhow::Result<ExitCode> {
    if args.parquet && !cfg!(feature = "parquet") {
        anyhow::bail!(
            "--parquet needs a relief built with the `parquet` feature \
             (cargo install --path . --features parquet)"
        );
    }
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

    let result = run_locked(&args, globals, &layout, &lock, &mut log);
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
            log.line(format_args!("could not finish: {e:#}"));
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

/// Everything done under the lock; returns what the run did.
fn run_locked(
    args: &Args,
    globals: &Globals,
    layout: &Layout,
    lock: &RunLock,
    log: &mut RunLog,
) -> anyhow::Result<RunReport> {
    let setup = Setup::load(globals, Some(&layout.out))?;
    let started = relief_batch::now_ns();
    let old = Ledger::load(&layout.ledger())?;
    let fingerprint = settings_fingerprint(&setup, args.parquet)?;
    let settings_changed = !old.files.is_empty() && old.settings != fingerprint;
    if settings_changed {
        log.line("the settings changed since the reports were built: every file is read again");
    }

    // From here on files are named by their path inside the inbox (see the module docs).
    std::env::set_current_dir(&layout.inbox)
        .with_context(|| format!("entering the inbox {}", layout.inbox.display()))?;
    let found = relief_ingest::expand_paths(std::slice::from_ref(&layout.inbox))?;
    let files: Vec<(String, PathBuf)> = found
        .into_iter()
        .filter_map(|p| {
            let key = p.strip_prefix(&layout.inbox).ok()?.display().to_string();
            Some((key, p))
        })
        .collect();
    let (scanned, removed) = relief_batch::scan(&old, files, started);
    failpoint("after-scan");

    // New and changed files (every file when the settings changed) are read from their
    // spreadsheets, and what each one holds is cached for later runs.
    let cache = Cache::new(layout, &fingerprint);
    let reading: Vec<String> = relief_batch::to_read(&scanned, settings_changed)
        .iter()
        .map(|f| f.key.clone())
        .collect();
    let fresh = read_and_cache(&setup, &cache, &reading, globals, log);
    failpoint("after-read");
    let results: BTreeMap<String, FileResult> = fresh
        .iter()
        .map(|(key, read)| {
            let months = relief_batch::months_by_file(&read.records, &read.rejects, &[]);
            let result = FileResult {
                sha256: read.report.sha256.clone(),
                months: months.get(key).cloned().unwrap_or_default(),
                error: read.report.error.clone(),
                read_any: !read.report.sheets.is_empty(),
            };
            (key.clone(), result)
        })
        .collect();
    let now = relief_batch::now_utc();
    let plan = relief_batch::plan(&old, &scanned, &removed, &results, &fingerprint, &now);
    log_scan(log, &scanned, &removed, &results);
    for month in &plan.emptied {
        log.line(format_args!(
            "{month}: no file holds data for it any more; its old report in {} is left as it was",
            layout.month_dir(month).display()
        ));
    }

    let failed: Vec<FailedFile> = fresh
        .iter()
        .filter_map(|(key, read)| {
            Some(FailedFile {
                path: key.clone(),
                reason: read.report.error.clone()?,
            })
        })
        .collect();
    let fresh_keys: BTreeSet<String> = fresh.keys().cloned().collect();

    // Months to rebuild are rebuilt from the whole inbox: the files just read and every other
    // file's cached reading, merged in the order `relief report` reads them.
    let mut rows = RunRows::default();
    let mut written = 0;
    if plan.rebuild.is_empty() {
        for read in fresh.values() {
            add_rows(&mut rows, &read.report);
        }
    } else {
        let mut ingested = whole_inbox(&setup, &cache, &scanned, &old, fresh, globals, log);
        failpoint("after-merge");
        for file in ingested
            .files
            .iter()
            .filter(|f| fresh_keys.contains(&f.path))
        {
            add_rows(&mut rows, file);
        }
        log.line(format_args!(
            "rebuilding {} from {} files ({} rows used in all)",
            plan.rebuild.join(", "),
            ingested.files.len(),
            ingested.rows.used
        ));
        let records = std::mem::take(&mut ingested.records);
        let prepared = Prepared::new(records).context("preparing the analysis")?;
        let trend = prepared.trend(&setup.settings)?;
        for month in &plan.rebuild {
            let leftovers = layout.remove_leftovers(month);
            if leftovers > 0 {
                log.line(format_args!(
                    "{month}: removed {leftovers} temporary files left by an interrupted run"
                ));
            }
            let period = Period::parse_month(month)?;
            let out = pipeline::write_period(
                &setup,
                &prepared,
                &ingested,
                &trend,
                &period,
                &layout.out,
                args.parquet,
            )?;
            written += 1;
            log.line(format_args!(
                "{month}: {} rows used, {} rejected, {} duplicates → {}",
                out.summary.rows.used,
                out.summary.rows.rejected,
                out.summary.rows.duplicates,
                out.dir.display()
            ));
            if globals.verbose {
                eprintln!("{month}: rebuilt in {}", out.dir.display());
            }
            failpoint(&format!("after-period-{written}"));
        }
    }

    let mut report = RunReport {
        inbox: layout.inbox.display().to_string(),
        out: layout.out.display().to_string(),
        new: keys_with(&scanned, Status::New),
        changed: keys_with(&scanned, Status::Changed),
        unchanged: scanned
            .iter()
            .filter(|f| matches!(f.status, Status::Unchanged | Status::Touched))
            .count(),
        removed: removed.clone(),
        failed,
        still_failing: scanned
            .iter()
            .filter(|f| !results.contains_key(&f.key))
            .filter(|f| {
                old.files
                    .get(&f.key)
                    .is_some_and(|e| e.outcome == Outcome::Failed)
            })
            .count(),
        settings_changed,
        months_rebuilt: plan.months(),
        months_without_data: plan.emptied.clone(),
        rows,
        stale_lock: lock.stale().cloned(),
        log: log.path().display().to_string(),
        exit_status: 0,
    };

    // Only now, with every report written, are the files recorded as done.
    failpoint("before-ledger");
    if plan.ledger != old {
        plan.ledger.save(&layout.ledger())?;
        log.line(format_args!("ledger saved: {}", layout.ledger().display()));
    }
    failpoint("after-ledger");
    // Readings of removed files and of replaced contents are no longer needed. Only runs that
    // changed something look; a quiet night never lists the cache.
    if !fresh_keys.is_empty() || !removed.is_empty() {
        let dropped = cache.sweep(&plan.ledger);
        if dropped > 0 {
            log.line(format_args!(
                "cache: dropped {dropped} readings no longer needed"
            ));
        }
    }
    report.exit_status = if report.anything_rejected() { 1 } else { 0 };
    Ok(report)
}

/// Reads `keys` from their spreadsheets (in parallel, with a progress bar on a terminal) and
/// caches each reading. A reading that cannot be cached is still used; the log says so, and
/// a later run that needs it reads the spreadsheet again.
fn read_and_cache(
    setup: &Setup,
    cache: &Cache,
    keys: &[String],
    globals: &Globals,
    log: &mut RunLog,
) -> BTreeMap<String, FileRead> {
    if keys.is_empty() {
        return BTreeMap::new();
    }
    let options = ReadOptions {
        config: &setup.config,
        vocabulary: &setup.vocabulary,
        pseudonymizer: &setup.pseudonymizer,
        header_row: None,
    };
    let bar = pipeline::progress_bar(globals, keys.len() as u64, "reading");
    let reads = relief_batch::read_files(keys, &options, &|| bar.inc(1));
    bar.finish_and_clear();
    let mut out = BTreeMap::new();
    for (key, read) in keys.iter().zip(reads) {
        if let Err(e) = cache.save(key, &read) {
            log.line(format_args!(
                "{key}: its reading could not be cached ({e}); a later run reads it again"
            ));
        }
        out.insert(key.clone(), read);
    }
    out
}

/// Every file of the inbox, merged as `relief report` merges them: the files just read
/// (`fresh`) and every other file's cached reading. A file whose cache is missing or unusable
/// is read from its spreadsheet (and cached again), and the log says so.
fn whole_inbox(
    setup: &Setup,
    cache: &Cache,
    scanned: &[relief_batch::ScannedFile],
    old: &Ledger,
    mut fresh: BTreeMap<String, FileRead>,
    globals: &Globals,
    log: &mut RunLog,
) -> Ingested {
    let wanted: Vec<(String, String)> = scanned
        .iter()
        .filter(|f| !fresh.contains_key(&f.key))
        .filter_map(|f| Some((f.key.clone(), old.files.get(&f.key)?.sha256.clone())))
        .collect();
    let mut missed = Vec::new();
    for (key, loaded) in cache.load_all(&wanted) {
        match loaded {
            Ok(read) => {
                fresh.insert(key, read);
            }
            Err(miss) => {
                log.line(format_args!("{key}: {miss}; reading the file again"));
                missed.push(key);
            }
        }
    }
    fresh.extend(read_and_cache(setup, cache, &missed, globals, log));
    // `relief report` sorts paths as paths (component by component), not as text.
    let mut reads: Vec<FileRead> = fresh.into_values().collect();
    reads.sort_by(|a, b| a.path.cmp(&b.path));
    relief_ingest::merge(reads)
}

/// Adds one file's row counts to the run's.
fn add_rows(rows: &mut RunRows, file: &FileReport) {
    for s in &file.sheets {
        rows.read += s.rows_read;
        rows.used += s.rows_used;
        rows.rejected += s.rows_rejected;
        rows.duplicates += s.rows_duplicate;
    }
}

/// Keys of the scanned files with `status`.
fn keys_with(scanned: &[relief_batch::ScannedFile], status: Status) -> Vec<String> {
    scanned
        .iter()
        .filter(|f| f.status == status)
        .map(|f| f.key.clone())
        .collect()
}

/// One log line per file that needed attention; unchanged files are only counted.
fn log_scan(
    log: &mut RunLog,
    scanned: &[relief_batch::ScannedFile],
    removed: &[String],
    results: &BTreeMap<String, FileResult>,
) {
    let unchanged = scanned
        .iter()
        .filter(|f| f.status == Status::Unchanged)
        .count();
    log.line(format_args!(
        "inbox: {} files, {unchanged} unchanged",
        scanned.len()
    ));
    for f in scanned {
        let what = match f.status {
            Status::New => "new",
            Status::Changed => "changed",
            Status::Touched => "touched (same content, new time): not read",
            Status::Unchanged => continue,
        };
        let outcome = match results.get(&f.key) {
            Some(r) => match (&r.error, r.read_any) {
                (Some(e), false) => format!("; could not be read: {e}"),
                (Some(e), true) => format!("; read in part: {e}; months {}", months(r)),
                (None, _) => format!("; months {}", months(r)),
            },
            None => String::new(),
        };
        log.line(format_args!("{}: {what}{outcome}", f.key));
    }
    for key in removed {
        log.line(format_args!("{key}: removed from the inbox"));
    }
}

fn months(r: &FileResult) -> String {
    if r.months.is_empty() {
        "none (no row with a readable date)".to_string()
    } else {
        r.months.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

/// The settings fingerprint the ledger keeps: config, version, key (through probe pseudonyms,
/// never the key itself) and output options.
fn settings_fingerprint(setup: &Setup, parquet: bool) -> anyhow::Result<String> {
    const PROBE: &str = "relief batch settings probe";
    let config = serde_json::to_string(&setup.config)?;
    Ok(relief_batch::settings_fingerprint(&[
        &config,
        env!("CARGO_PKG_VERSION"),
        &setup.pseudonymizer.client(PROBE),
        &setup.pseudonymizer.therapist(PROBE),
        if parquet { "parquet" } else { "" },
    ]))
}
