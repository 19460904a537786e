//! Writes the committed sample (`sample-data/`) without building the whole `relief` tool, which
//! pulls in polars. Same output as `relief sample --out DIR` with the default options.
//!
//! ```sh
//! cargo run -p relief-sample --example write_sample -- sample-data
//! ```

use relief_sample::{SampleOptions, generate};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let out = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("sample-data"), PathBuf::from);
    match generate(&out, &SampleOptions::default()) {
        Ok(files) => {
            for f in files {
                println!("{}", f.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("relief sample: {e}");
            ExitCode::FAILURE
        }
    }
}
