//! Running `relief` on hostile input with a watch on it: the child's peak memory (from the
//! kernel's own accounting), a time limit, and a memory ceiling past which it is stopped.
//!
//! Why not `getrusage(RUSAGE_CHILDREN)` in the test process: the test harness runs tests in
//! parallel threads of one process, and that call reports the largest of *all* its finished
//! children, so one test would see another's peak. `wait4` returns the same `rusage` for
//! exactly the one child waited for. An address-space limit (`ulimit -v`) is not used either:
//! glibc reserves 64 MB of address space per thread arena, so a limit low enough to matter
//! stops a healthy multi-threaded run. While the child runs, its peak RSS (`VmHWM` in
//! `/proc/PID/status`) is polled and the child is killed past the ceiling, so a regression
//! fails the test quickly instead of filling the shared machine's memory.

#![cfg(unix)]
#![allow(dead_code)]

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The memory every hostile input must stay under (issue 16).
pub const CEILING_MIB: u64 = 512;

/// How a watched run ended.
#[derive(Debug)]
pub struct Watched {
    /// The exit status; `None` when killed (by the watch or a signal).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// The child's peak resident memory, in MiB.
    pub peak_mib: f64,
    /// Stopped because it ran past the time limit.
    pub timed_out: bool,
    /// Stopped because its memory passed the ceiling.
    pub over_memory: bool,
    pub elapsed: Duration,
}

impl Watched {
    /// Everything about the run, for assertion messages.
    pub fn show(&self) -> String {
        format!(
            "status {:?}, peak {:.0} MiB, {:.1} s{}{}\n--- stdout\n{}\n--- stderr\n{}",
            self.code,
            self.peak_mib,
            self.elapsed.as_secs_f64(),
            if self.timed_out { ", TIMED OUT" } else { "" },
            if self.over_memory {
                ", KILLED OVER THE MEMORY CEILING"
            } else {
                ""
            },
            tail(&self.stdout),
            tail(&self.stderr)
        )
    }

    /// Asserts the run finished on its own, in time, under [`CEILING_MIB`], with `code`.
    pub fn assert_bounded(&self, code: i32) {
        eprintln!(
            "peak {:.0} MiB, {:.1} s, status {:?}",
            self.peak_mib,
            self.elapsed.as_secs_f64(),
            self.code
        );
        assert!(!self.timed_out, "relief did not finish: {}", self.show());
        assert!(
            !self.over_memory && self.peak_mib < CEILING_MIB as f64,
            "relief used more than {CEILING_MIB} MiB: {}",
            self.show()
        );
        assert_eq!(self.code, Some(code), "{}", self.show());
    }
}

fn tail(s: &str) -> &str {
    let start = s.len().saturating_sub(4000);
    let start = (start..=s.len())
        .find(|i| s.is_char_boundary(*i))
        .unwrap_or(0);
    &s[start..]
}

/// Runs `relief` with `args` in `dir`, watched: killed after `limit` or past [`CEILING_MIB`] of
/// resident memory. The binary is the one cargo built, or `RELIEF_HOSTILE_BIN` when set (to
/// show that a test fails on an older build).
pub fn relief(dir: &Path, args: &[&str], limit: Duration) -> Watched {
    let bin = std::env::var_os("RELIEF_HOSTILE_BIN")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_relief").into());
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .current_dir(dir)
        .env("RELIEF_KEY_FILE", dir.join(".relief-key"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    watch(cmd, limit)
}

/// Runs `cmd` under the watch described in the module docs.
// The child is reaped with `wait4` (for its `rusage`), which clippy cannot see.
#[allow(clippy::zombie_processes)]
pub fn watch(mut cmd: Command, limit: Duration) -> Watched {
    let started = Instant::now();
    let mut child = cmd.spawn().expect("the command starts");
    let pid = child.id() as libc::pid_t;
    let reader = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            String::from_utf8_lossy(&v).into_owned()
        })
    };
    let out = reader(Box::new(child.stdout.take().expect("piped stdout")));
    let err = reader(Box::new(child.stderr.take().expect("piped stderr")));
    let (mut timed_out, mut over_memory) = (false, false);
    let mut status: libc::c_int = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own child, not yet reaped; the pointers are valid.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        assert!(r == 0, "wait4 failed: {}", std::io::Error::last_os_error());
        let stop = if started.elapsed() > limit {
            timed_out = true;
            true
        } else if peak_now_kib(pid).is_some_and(|k| k > CEILING_MIB * 1024) {
            over_memory = true;
            true
        } else {
            false
        };
        if stop {
            // SAFETY: signalling our own unreaped child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            // SAFETY: as above; this wait blocks until the killed child is reaped.
            unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    Watched {
        code,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
        peak_mib: maxrss_mib(&usage),
        timed_out,
        over_memory,
        elapsed: started.elapsed(),
    }
}

/// `ru_maxrss` is in kilobytes on Linux and in bytes on macOS.
fn maxrss_mib(usage: &libc::rusage) -> f64 {
    let v = usage.ru_maxrss as f64;
    if cfg!(target_os = "macos") {
        v / (1024.0 * 1024.0)
    } else {
        v / 1024.0
    }
}

/// The child's peak resident memory so far, where `/proc` says (Linux).
fn peak_now_kib(pid: libc::pid_t) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
