//! Helpers every end-to-end test shares: a temporary work folder and running the binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary folder that is removed when the test ends.
pub struct Workdir {
    pub dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    /// Runs `relief` with `args` in this folder, with a pseudonym key kept inside it.
    pub fn relief(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_relief"))
            .args(args)
            .current_dir(self.path())
            .env("RELIEF_KEY_FILE", self.join(".relief-key"))
            .env("NO_COLOR", "1")
            .output()
            .expect("relief runs")
    }
}

/// Shows a run's output, for assertion messages.
pub fn show(out: &Output) -> String {
    format!(
        "status: {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
