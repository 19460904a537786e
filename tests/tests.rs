//! End-to-end tests: each module writes real input files into a temporary folder, runs the
//! built `relief` binary on them, and checks what it printed and wrote.

mod batch;
mod charts;
mod common;
mod completions;
mod excel;
mod report;
mod sample;
mod serve;
mod validate;
