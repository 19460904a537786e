//! Stage timings for benchmarks: with `RELIEF_TIMINGS=1` in the environment, each stage of a
//! run (reading, preparing, figures, each writer) prints `timing <stage> <seconds>` on standard
//! error, so `bench/run.sh` can show where the time goes. Silent otherwise.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("RELIEF_TIMINGS").is_some_and(|v| v != "0"))
}

/// Runs `work`, and prints how long it took under `stage` when timings are on.
pub fn stage<T>(stage: &str, work: impl FnOnce() -> T) -> T {
    if !enabled() {
        return work();
    }
    let start = Instant::now();
    let out = work();
    eprintln!(
        "timing {stage:<12} {:>8.3} s",
        start.elapsed().as_secs_f64()
    );
    out
}
