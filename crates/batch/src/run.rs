//! One scheduled run under the lock: scan the inbox, read what is new or changed (caching each
//! reading), decide which months to rebuild, have them rebuilt from the whole inbox, and only
//! then record the files as done.
//!
//! The run names files by their path inside the inbox (`north/2026-10.xlsx`), whatever the
//! inbox is called or where it is mounted, so moving the inbox changes no report: each file is
//! opened at its real path and read under that name ([`relief_ingest::read_file_as`]); the
//! current folder is never changed.
//!
//! Writing a month's reports is the program's job, not this crate's: the caller provides it
//! through [`Reports`], so a rebuilt month is byte for byte what `relief report <every inbox
//! file> --month <month>` writes when run inside the inbox.

use crate::{
    Cache, FailedFile, FileResult, Layout, Ledger, Outcome, Plan, RunLock, RunLog, RunReport,
    RunRows, ScannedFile, Status, failpoint,
};
use relief_ingest::{FileRead, Ingested, ReadOptions};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What a run needs from the program that reads files and writes reports.
pub trait Reports {
    /// The program's error; batch errors (ledger, cache folder) convert into it.
    type Error: From<crate::BatchError>;

    /// How every inbox file is read (config, vocabulary, pseudonym key).
    fn read_options(&self) -> ReadOptions<'_>;

    /// A progress indicator for reading `len` files, advanced from any thread as each file is
    /// read and ended when dropped (a bar on a terminal; nothing elsewhere).
    fn progress(&self, len: usize) -> Box<dyn Progress + '_>;

    /// Folders besides `<out>/<month>/` (and its `charts/`) that a month's rebuild writes
    /// into, where a killed run may have left temporary files.
    fn other_folders(&self, month: &str) -> Vec<PathBuf>;

    /// Writes the reports of every month in `months` (in order) from the whole inbox
    /// `ingested` (taken, so its records can move into the analysis without a copy), calling
    /// `written` after each month is complete.
    ///
    /// # Errors
    /// The analysis failing or an output that cannot be written; the run stops there and the
    /// files stay unrecorded, so the next run redoes the work.
    fn rebuild(
        &self,
        ingested: Ingested,
        months: &[String],
        written: &mut dyn FnMut(&MonthWritten),
    ) -> Result<(), Self::Error>;
}

/// A progress indicator; see [`Reports::progress`].
pub trait Progress: Sync {
    /// One more file done.
    fn inc(&self);
}

/// One month whose reports were written, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthWritten {
    pub month: String,
    /// The month's report folder.
    pub dir: PathBuf,
    pub used: u64,
    pub rejected: u64,
    pub duplicates: u64,
}

/// Everything done under the lock: returns what the run did. `fingerprint` is the settings
/// fingerprint ([`crate::settings_fingerprint`]) the ledger and cache are kept for.
///
/// # Errors
/// A ledger that cannot be read or saved, or whatever [`Reports::rebuild`] fails with.
pub fn run_locked<R: Reports>(
    layout: &Layout,
    lock: &RunLock,
    fingerprint: &str,
    reports: &R,
    log: &mut RunLog,
) -> Result<RunReport, R::Error> {
    let started = crate::now_ns();
    let old = Ledger::load(&layout.ledger())?;
    let settings_changed = !old.files.is_empty() && old.settings != fingerprint;
    if settings_changed {
        log.line("the settings changed since the reports were built: every file is read again");
    }
    let (scanned, removed) = crate::scan(&old, inbox_files(layout)?, started);
    failpoint("after-scan");

    // New and changed files (every file when the settings changed) are read from their
    // spreadsheets, and what each one holds is cached for later runs.
    let cache = Cache::new(layout, fingerprint);
    let reading: Vec<String> = crate::to_read(&scanned, settings_changed)
        .iter()
        .map(|f| f.key.clone())
        .collect();
    let fresh = read_and_cache(layout, reports, &cache, &reading, log);
    failpoint("after-read");
    let results = file_results(&fresh);
    let now = crate::now_utc();
    let plan = crate::plan(&old, &scanned, &removed, &results, fingerprint, &now);
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
    let rows = rebuild_months(layout, reports, &cache, &scanned, &old, &plan, fresh, log)?;

    let report = RunReport {
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
    finish(
        layout,
        &cache,
        &old,
        &plan,
        !fresh_keys.is_empty() || !removed.is_empty(),
        log,
    )?;
    let exit_status = u8::from(report.anything_rejected());
    Ok(RunReport {
        exit_status,
        ..report
    })
}

/// Every file of the inbox as `(path inside the inbox, real path)`, in the order
/// `relief report` reads them.
fn inbox_files(layout: &Layout) -> Result<Vec<(String, PathBuf)>, crate::BatchError> {
    let found = relief_ingest::expand_paths(std::slice::from_ref(&layout.inbox))
        .map_err(crate::BatchError::Inbox)?;
    Ok(found
        .into_iter()
        .filter_map(|p| {
            let key = p.strip_prefix(&layout.inbox).ok()?.display().to_string();
            Some((key, p))
        })
        .collect())
}

/// What reading each fresh file found, as far as the ledger cares.
fn file_results(fresh: &BTreeMap<String, FileRead>) -> BTreeMap<String, FileResult> {
    fresh
        .iter()
        .map(|(key, read)| {
            let months = crate::months_by_file(&read.records, &read.rejects, &[]);
            let result = FileResult {
                sha256: read.report.sha256.clone(),
                months: months.get(key).cloned().unwrap_or_default(),
                error: read.report.error.clone(),
                read_any: !read.report.sheets.is_empty(),
            };
            (key.clone(), result)
        })
        .collect()
}

/// Rebuilds the plan's months from the whole inbox — the files just read and every other
/// file's cached reading, merged in the order `relief report` reads them — and returns the
/// rows of the files read in this run.
#[allow(clippy::too_many_arguments)]
fn rebuild_months<R: Reports>(
    layout: &Layout,
    reports: &R,
    cache: &Cache,
    scanned: &[ScannedFile],
    old: &Ledger,
    plan: &Plan,
    fresh: BTreeMap<String, FileRead>,
    log: &mut RunLog,
) -> Result<RunRows, R::Error> {
    let mut rows = RunRows::default();
    if plan.rebuild.is_empty() {
        for read in fresh.values() {
            rows.add_file(&read.report);
        }
        return Ok(rows);
    }
    let fresh_keys: BTreeSet<String> = fresh.keys().cloned().collect();
    let ingested = whole_inbox(layout, reports, cache, scanned, old, fresh, log);
    failpoint("after-merge");
    for file in ingested
        .files
        .iter()
        .filter(|f| fresh_keys.contains(&f.path))
    {
        rows.add_file(file);
    }
    log.line(format_args!(
        "rebuilding {} from {} files ({} rows used in all)",
        plan.rebuild.join(", "),
        ingested.files.len(),
        ingested.rows.used
    ));
    // No writer is alive under the lock, so temporary files in the folders about to be
    // rebuilt are a killed run's leftovers.
    for month in &plan.rebuild {
        let leftovers = layout.remove_leftovers(month)
            + reports
                .other_folders(month)
                .iter()
                .map(|d| crate::layout::remove_temporary_files(d))
                .sum::<usize>();
        if leftovers > 0 {
            log.line(format_args!(
                "{month}: removed {leftovers} temporary files left by an interrupted run"
            ));
        }
    }
    let mut count = 0;
    reports.rebuild(ingested, &plan.rebuild, &mut |m| {
        count += 1;
        log.line(format_args!(
            "{}: {} rows used, {} rejected, {} {} → {}",
            m.month,
            m.used,
            m.rejected,
            m.duplicates,
            if m.duplicates == 1 {
                "duplicate"
            } else {
                "duplicates"
            },
            m.dir.display()
        ));
        failpoint(&format!("after-period-{count}"));
    })?;
    Ok(rows)
}

/// Records the files as done — only now, with every report written — and drops cached
/// readings no longer needed (only runs that changed something look; a quiet night never
/// lists the cache).
fn finish(
    layout: &Layout,
    cache: &Cache,
    old: &Ledger,
    plan: &Plan,
    changed: bool,
    log: &mut RunLog,
) -> Result<(), crate::BatchError> {
    failpoint("before-ledger");
    if plan.ledger != *old {
        plan.ledger.save(&layout.ledger())?;
        log.line(format_args!("ledger saved: {}", layout.ledger().display()));
    }
    failpoint("after-ledger");
    if changed {
        let dropped = cache.sweep(&plan.ledger);
        if dropped > 0 {
            log.line(format_args!(
                "cache: dropped {dropped} readings no longer needed"
            ));
        }
    }
    Ok(())
}

/// Reads `keys` from their spreadsheets (in parallel, with the program's progress indicator)
/// and caches each reading. A reading that cannot be cached is still used; the log says so,
/// and a later run that needs it reads the spreadsheet again.
fn read_and_cache<R: Reports>(
    layout: &Layout,
    reports: &R,
    cache: &Cache,
    keys: &[String],
    log: &mut RunLog,
) -> BTreeMap<String, FileRead> {
    if keys.is_empty() {
        return BTreeMap::new();
    }
    let reads = {
        let progress = reports.progress(keys.len());
        crate::read_files(&layout.inbox, keys, &reports.read_options(), &|| {
            progress.inc()
        })
    };
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
fn whole_inbox<R: Reports>(
    layout: &Layout,
    reports: &R,
    cache: &Cache,
    scanned: &[ScannedFile],
    old: &Ledger,
    mut fresh: BTreeMap<String, FileRead>,
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
    fresh.extend(read_and_cache(layout, reports, cache, &missed, log));
    // `relief report` sorts paths as paths (component by component), not as text.
    let mut reads: Vec<FileRead> = fresh.into_values().collect();
    reads.sort_by(|a, b| Path::new(&a.report.path).cmp(Path::new(&b.report.path)));
    relief_ingest::merge(reads)
}

/// Keys of the scanned files with `status`.
fn keys_with(scanned: &[ScannedFile], status: Status) -> Vec<String> {
    scanned
        .iter()
        .filter(|f| f.status == status)
        .map(|f| f.key.clone())
        .collect()
}

/// One log line per file that needed attention; unchanged files are only counted.
fn log_scan(
    log: &mut RunLog,
    scanned: &[ScannedFile],
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
            // Read after all when the settings changed: then its outcome follows.
            Status::Touched if results.contains_key(&f.key) => "touched (same content, new time)",
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

#[cfg(test)]
mod tests {
    use super::*;
    use relief_core::{Config, Vocabulary};
    use relief_ingest::Pseudonymizer;
    use std::sync::Mutex;

    /// Reads with the default settings and records what it was asked to rebuild, instead of
    /// writing workbooks and charts (the program's part, tested end to end in `tests/`).
    struct Recorder {
        config: Config,
        vocabulary: Vocabulary,
        pseudonymizer: Pseudonymizer,
        rebuilt: Mutex<Vec<(Vec<String>, Vec<String>)>>,
        fail: bool,
    }

    impl Recorder {
        fn new(fail: bool) -> Recorder {
            let config = Config::default();
            Recorder {
                vocabulary: Vocabulary::new(&config),
                config,
                pseudonymizer: Pseudonymizer::new(b"test key"),
                rebuilt: Mutex::new(Vec::new()),
                fail,
            }
        }
    }

    struct Silent;
    impl Progress for Silent {
        fn inc(&self) {}
    }

    impl Reports for Recorder {
        type Error = crate::BatchError;
        fn read_options(&self) -> ReadOptions<'_> {
            ReadOptions::new(&self.config, &self.vocabulary, &self.pseudonymizer)
        }
        fn progress(&self, _len: usize) -> Box<dyn Progress + '_> {
            Box::new(Silent)
        }
        fn other_folders(&self, _month: &str) -> Vec<PathBuf> {
            Vec::new()
        }
        fn rebuild(
            &self,
            ingested: Ingested,
            months: &[String],
            written: &mut dyn FnMut(&MonthWritten),
        ) -> Result<(), crate::BatchError> {
            if self.fail {
                return Err(crate::BatchError::Inbox(
                    relief_ingest::IngestError::NoHeader,
                ));
            }
            let files = ingested.files.iter().map(|f| f.path.clone()).collect();
            self.rebuilt.lock().unwrap().push((months.to_vec(), files));
            for m in months {
                written(&MonthWritten {
                    month: m.clone(),
                    dir: PathBuf::from(m),
                    used: 0,
                    rejected: 0,
                    duplicates: 0,
                });
            }
            Ok(())
        }
    }

    fn setup() -> (tempfile::TempDir, Layout) {
        let tmp = tempfile::tempdir().unwrap();
        let inbox = tmp.path().join("inbox");
        for (dir, name, date) in [
            ("north", "oct.csv", "2026-10-02"),
            ("south", "nov.csv", "2026-11-05"),
        ] {
            std::fs::create_dir_all(inbox.join(dir)).unwrap();
            let text =
                format!("Date,Client,Therapist,Region,Before,After\n{date},A,Ana,neck,6,3\n");
            std::fs::write(inbox.join(dir).join(name), text).unwrap();
        }
        let layout = Layout::prepare(&inbox, &tmp.path().join("out")).unwrap();
        (tmp, layout)
    }

    fn run(layout: &Layout, reports: &Recorder) -> Result<RunReport, crate::BatchError> {
        let lock = RunLock::acquire(&layout.lock(), &crate::Holder::me()).unwrap();
        let mut log = RunLog::create(&layout.logs()).unwrap();
        let report = run_locked(layout, &lock, "settings", reports, &mut log);
        lock.release();
        report
    }

    #[test]
    fn files_are_named_by_their_path_in_the_inbox_without_changing_folder() {
        let (_tmp, layout) = setup();
        let here = std::env::current_dir().unwrap();
        let reports = Recorder::new(false);
        let report = run(&layout, &reports).unwrap();
        assert_eq!(std::env::current_dir().unwrap(), here);
        let sep = std::path::MAIN_SEPARATOR;
        let (north, south) = (format!("north{sep}oct.csv"), format!("south{sep}nov.csv"));
        assert_eq!(report.new, [north.clone(), south.clone()]);
        assert_eq!(report.months_rebuilt, ["2026-10", "2026-11"]);
        assert_eq!(report.rows.used, 2);
        assert_eq!(
            *reports.rebuilt.lock().unwrap(),
            [(
                vec!["2026-10".to_string(), "2026-11".to_string()],
                vec![north, south]
            )]
        );
        // A second run finds nothing new and rebuilds nothing.
        let report = run(&layout, &reports).unwrap();
        assert_eq!(report.unchanged, 2);
        assert!(report.months_rebuilt.is_empty());
        assert_eq!(reports.rebuilt.lock().unwrap().len(), 1);
    }

    #[test]
    fn a_failed_rebuild_records_nothing_so_the_next_run_redoes_it() {
        let (_tmp, layout) = setup();
        let err = run(&layout, &Recorder::new(true)).unwrap_err();
        assert!(matches!(err, crate::BatchError::Inbox(_)), "{err}");
        assert!(!layout.ledger().exists());
        let reports = Recorder::new(false);
        let report = run(&layout, &reports).unwrap();
        assert_eq!(report.months_rebuilt, ["2026-10", "2026-11"]);
    }
}
