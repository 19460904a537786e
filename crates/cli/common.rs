//! What every command shares: global flags, loading the config, the exit statuses, and
//! terminal-only progress bars.

use anyhow::Context;
use relief_core::Config;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Everything went well.
pub const EXIT_OK: u8 = 0;
/// The work was done, but some rows or files were rejected.
pub const EXIT_REJECTED: u8 = 1;
/// relief could not run: usage, config, lock held, output not writable.
pub const EXIT_CANNOT_RUN: u8 = 2;

/// Flags every command takes.
#[derive(Debug, clap::Args)]
pub struct Globals {
    /// Settings file; without it, relief.toml in the current folder is used if there is one.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print less: only problems.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more: every file and sheet as it is read.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

impl Globals {
    /// Loads the config named by `--config`, or `relief.toml` if present, or the defaults.
    ///
    /// # Errors
    /// A named file that is missing, or any config that does not parse, with the file's path.
    pub fn load_config(&self) -> anyhow::Result<Config> {
        let (path, required) = match &self.config {
            Some(p) => (p.clone(), true),
            None => (PathBuf::from("relief.toml"), false),
        };
        if !required && !path.exists() {
            return Ok(Config::default());
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading the config {}", path.display()))?;
        Config::from_toml(&text).with_context(|| format!("in the config {}", path.display()))
    }

    /// Whether progress bars may be drawn: only on a terminal, and not with `--quiet`.
    pub fn progress_allowed(&self) -> bool {
        !self.quiet && std::io::stderr().is_terminal()
    }
}

/// The exit code for a finished run.
pub fn exit_status(anything_rejected: bool) -> ExitCode {
    ExitCode::from(if anything_rejected {
        EXIT_REJECTED
    } else {
        EXIT_OK
    })
}

/// Shows a path relative to the current folder when it is below it, for shorter messages.
pub fn display_path(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

pub use relief_core::words::count;

/// The one-line account of what was read, in plain words.
pub fn rows_line(rows: &relief_core::summary::RowCounts, files: usize) -> String {
    let mut line = format!(
        "Read {} from {}: {} used, {} rejected, {}",
        count(rows.read, "row", "rows"),
        count(files as u64, "file", "files"),
        rows.used,
        rows.rejected,
        count(rows.duplicates, "duplicate", "duplicates"),
    );
    if rows.conflicts > 0 {
        line += &format!(" ({} conflicting)", rows.conflicts);
    }
    if rows.footer_skipped > 0 {
        line += &format!(
            ", {} skipped",
            count(rows.footer_skipped, "footer row", "footer rows")
        );
    }
    line.push('.');
    line
}

/// An error and its causes in one line, `outer: cause: cause`, as `{:#}` prints them, but
/// without a cause the line already ends with: an error whose message spells its own source
/// and also exposes it (the atomic writer's errors do, wrapped in an `io::Error`) would
/// otherwise print the operating system's words twice.
pub fn error_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if line.is_empty() {
            line = text;
        } else if !line.ends_with(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::error_line;

    /// A cause already spelled by the message before it is said once; different causes all
    /// appear, in order.
    #[test]
    fn a_cause_the_message_already_spells_is_not_repeated() {
        let os = std::io::Error::from_raw_os_error(21);
        let atomic = relief_atomic::AtomicError::Rename {
            path: "out/sessions.csv".into(),
            source: std::io::Error::from_raw_os_error(21),
        };
        let wrapped = std::io::Error::new(os.kind(), atomic);
        let e = anyhow::Error::new(wrapped).context("writing out/sessions.csv");
        let line = error_line(&e);
        assert_eq!(line.matches(&os.to_string()).count(), 1, "{line}");
        assert!(line.starts_with("writing out/sessions.csv: could not save out/sessions.csv"));

        let e = anyhow::anyhow!("disk full")
            .context("writing b")
            .context("writing a");
        assert_eq!(error_line(&e), "writing a: writing b: disk full");
    }
}
