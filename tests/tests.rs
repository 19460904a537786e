//! End-to-end tests: each module writes real input files into a temporary folder, runs the
//! built `relief` binary on them, and checks what it printed and wrote.

mod batch;
#[cfg(unix)]
mod bounded;
mod charts;
mod common;
mod completions;
mod dataset;
mod duckdb;
mod excel;
#[cfg(unix)]
mod hostile;
mod report;
mod sample;
mod serve;
mod validate;
