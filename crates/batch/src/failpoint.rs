//! Test-only crash points. Crash safety is a promise about what happens when a run dies at any
//! moment; the end-to-end tests keep it by making the real binary die at chosen moments.
//!
//! With `RELIEF_FAILPOINT=<name>` the process ends abruptly (exit status 101, no clean-up, no
//! destructors: temporary files stay, the lock info stays) when it reaches the point `<name>`.
//! With `RELIEF_FAILPOINT=<name>:pause` it stops there instead, holding the lock, until the file
//! named by `RELIEF_FAILPOINT_RELEASE` exists (at most two minutes), so a test can start an
//! overlapping run or kill the process there. Unset — as it always is outside the tests — a
//! failpoint costs one environment lookup. Not for users.

use std::time::{Duration, Instant};

/// The variable naming the failpoint.
pub const FAILPOINT_ENV: &str = "RELIEF_FAILPOINT";
/// The variable naming the file whose appearance ends a pause.
pub const RELEASE_ENV: &str = "RELIEF_FAILPOINT_RELEASE";

/// Exit status of a run stopped at a failpoint.
const FAILPOINT_EXIT: i32 = 101;

/// Dies or pauses here if `RELIEF_FAILPOINT` names `point`.
pub fn failpoint(point: &str) {
    let Ok(wanted) = std::env::var(FAILPOINT_ENV) else {
        return;
    };
    if wanted == point {
        eprintln!("relief: stopped at failpoint {point} (test only)");
        std::process::exit(FAILPOINT_EXIT);
    }
    if wanted.strip_suffix(":pause") == Some(point) {
        let release = std::env::var_os(RELEASE_ENV);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(120) {
            if release
                .as_ref()
                .is_some_and(|r| std::path::Path::new(r).exists())
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
