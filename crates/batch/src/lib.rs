//! Scheduled runs over a drop folder (`relief batch`, SPEC §4.5 and §5): what a nightly run
//! needs beyond reading files and writing reports.
//!
//! Clinics drop exports into a shared inbox during the month and let cron, a systemd timer or the
//! Windows Task Scheduler run relief. Each run must do only the new work, never run twice at
//! once, and survive being killed at any moment. This crate holds the run itself and its
//! bookkeeping; reading a spreadsheet is `relief-ingest`'s job (called from here), and writing
//! a month's reports is the program's, handed in through [`Reports`], so this crate needs no
//! workbook or chart writer:
//!
//! - [`run_locked`]: one run under the lock — scan, read and cache, plan, rebuild, record.
//! - [`Layout`]: where the batch keeps its state, `<out>/.relief/` (ledger, cache, lock, logs).
//! - [`Ledger`]: the record of every inbox file seen — content hash, size and modification
//!   time, months it holds, outcome — saved atomically as sorted, versioned JSON.
//! - [`scan()`]: which inbox files are new, changed, unchanged or removed. Size and
//!   modification time are the fast path; a file whose size or time moved is hashed, and the
//!   hash decides.
//! - [`plan()`]: from what the new and changed files hold, which months to rebuild, and the
//!   ledger to save once those reports are written.
//! - [`Cache`]: each file's reading (pseudonymised records, rejects, footers, its report) in
//!   `<out>/.relief/cache/`, so a month is rebuilt from the whole inbox without opening every
//!   spreadsheet again. Deleting it is safe: the next run that needs a reading re-reads the file.
//! - [`RunLock`]: one run at a time, with an OS file lock that dies with its process, so a
//!   crashed run never blocks the next one; its owner's pid, host and start time are kept
//!   beside it for the message an overlapping run prints.
//! - [`RunLog`]: one log file per run; [`RunReport`]: the run's summary line and `--json`.
//! - [`failpoint`]: test-only crash points, driven by the `RELIEF_FAILPOINT` variable.
//!
//! The one rule everything here serves: a month the batch rebuilds is, byte for byte, what
//! `relief report` writes for that month over the inbox as it stands — visit numbers counted
//! and the trend drawn over every file — whichever run noticed the change. So a run killed at
//! any point and started again writes the same bytes an uninterrupted run would. Only the
//! months a new, changed or removed file holds (or held) are rebuilt: a new file for November
//! never touches October's report, and October's report keeps the trend as it stood when it
//! was built.

mod cache;
mod error;
mod failpoint;
mod layout;
mod ledger;
mod lock;
mod log;
mod plan;
mod report;
mod run;
mod scan;

pub use cache::{CACHE_VERSION, Cache, CacheMiss, read_files};
pub use error::BatchError;
pub use failpoint::{FAILPOINT_ENV, RELEASE_ENV, failpoint};
pub use layout::Layout;
pub use ledger::{Entry, LEDGER_VERSION, Ledger, Outcome};
pub use lock::{Holder, RunLock};
pub use log::{KEEP_LOGS, RunLog, prune_logs};
pub use plan::{FileResult, Plan, months_by_file, plan, to_read};
pub use report::{FailedFile, RunReport, RunRows};
pub use run::{MonthWritten, Progress, Reports, run_locked};
pub use scan::{RACY_NS, ScannedFile, Stat, Status, scan, sha256_file};

/// The current time as the ledger and logs write it: RFC 3339, UTC, whole seconds.
pub fn now_utc() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A fingerprint of everything besides the inbox that shapes the reports (the config, the
/// relief version, the pseudonym key as seen through a probe pseudonym, output options): the
/// ledger keeps it, and when it changes every month is rebuilt.
pub fn settings_fingerprint(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hex::encode(hasher.finalize())
}

/// Now, in nanoseconds since 1970 (UTC), for [`scan()`].
pub fn now_ns() -> Option<i64> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_nanos()).ok())
}
