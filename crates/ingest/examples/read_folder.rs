//! The reader alone, without the rest of relief: reads files or folders with the default
//! config and prints what came out. For profiling the reader (`valgrind --tool=callgrind`) and
//! for measuring its memory on hostile files, without building the whole pipeline.
//!
//! Usage: `cargo run --release -p relief-ingest --example read_folder -- DIR_OR_FILE...`

use relief_core::{Config, Vocabulary};
use relief_ingest::{Pseudonymizer, ReadOptions, expand_paths, read_inputs};
use std::path::PathBuf;

fn main() {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let files = match expand_paths(&paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let config = Config::default();
    let vocabulary = Vocabulary::new(&config);
    let pseudonymizer = Pseudonymizer::new(b"read_folder example key");
    let opts = ReadOptions::new(&config, &vocabulary, &pseudonymizer);
    let got = read_inputs(&files, &opts, &|_| {});
    for f in got.failed_files() {
        println!("{}: {}", f.path, f.error.as_deref().unwrap_or_default());
    }
    let r = &got.rows;
    println!(
        "{} files: {} rows read, {} used, {} rejected, {} duplicates, {} records",
        got.files.len(),
        r.read,
        r.used,
        r.rejected,
        r.duplicates,
        got.records.len()
    );
}
