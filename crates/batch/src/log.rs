//! One log file per run, `<out>/.relief/logs/<UTC start time>.log`, for the clinic's IT person
//! to read when a scheduled run said something went wrong.
//!
//! Unlike reports, logs are appended line by line as the run goes (each line flushed), so a
//! run that is killed still leaves a log saying how far it got. Logs carry times; reports never
//! do. Old logs are pruned to the newest [`KEEP_LOGS`].

use std::fmt::Display;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// How many run logs are kept: a year of nightly runs, with room to spare.
pub const KEEP_LOGS: usize = 400;

/// The log of this run.
#[derive(Debug)]
pub struct RunLog {
    file: File,
    path: PathBuf,
}

impl RunLog {
    /// Creates a new log in `dir`, named after the current UTC time
    /// (`2026-10-03T02-00-03.123Z.log`: no colons, so Windows accepts it). Never overwrites a
    /// log: a second run within the same millisecond gets a `-2` suffix.
    ///
    /// # Errors
    /// The log file cannot be created.
    pub fn create(dir: &Path) -> std::io::Result<RunLog> {
        let stamp = chrono::Utc::now()
            .format("%Y-%m-%dT%H-%M-%S%.3fZ")
            .to_string();
        let mut n = 1;
        loop {
            let name = if n == 1 {
                format!("{stamp}.log")
            } else {
                format!("{stamp}-{n}.log")
            };
            let path = dir.join(name);
            match File::options().append(true).create_new(true).open(&path) {
                Ok(file) => return Ok(RunLog { file, path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
                Err(e) => return Err(e),
            }
        }
    }

    /// Where the log is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line with the time. A log that cannot be written does not stop the run: the
    /// reports matter more than the log.
    pub fn line(&mut self, message: impl Display) {
        let time = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ");
        let _ = writeln!(self.file, "{time} {message}");
        let _ = self.file.flush();
    }
}

/// Deletes all but the newest `keep` logs in `dir` (by name, which sorts by time) and returns
/// how many it deleted.
pub fn prune_logs(dir: &Path, keep: usize) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut logs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    logs.sort();
    let excess = logs.len().saturating_sub(keep);
    logs[..excess]
        .iter()
        .filter(|p| std::fs::remove_file(p).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_run_gets_its_own_log_with_timed_lines() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = RunLog::create(dir.path()).unwrap();
        let b = RunLog::create(dir.path()).unwrap();
        assert_ne!(a.path(), b.path());
        a.line("started");
        a.line(format_args!("{} new files", 2));
        let text = std::fs::read_to_string(a.path()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with("Z 2 new files"), "{text}");
        let name = a.path().file_name().unwrap().to_string_lossy().into_owned();
        assert!(!name.contains(':') && name.ends_with(".log"), "{name}");
    }

    #[test]
    fn pruning_keeps_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "2026-01-01.log",
            "2026-03-01.log",
            "2026-02-01.log",
            "notes.txt",
        ] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        assert_eq!(prune_logs(dir.path(), 2), 1);
        assert!(!dir.path().join("2026-01-01.log").exists());
        assert!(dir.path().join("2026-02-01.log").exists());
        assert!(dir.path().join("notes.txt").exists());
    }
}
