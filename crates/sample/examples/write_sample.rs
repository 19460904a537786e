//! Writes the committed sample (`sample-data/`) without building the whole `relief` tool, which
//! pulls in polars. With no options it is `relief sample --out DIR` with the default options;
//! the options mirror the command's, for benchmarks.
//!
//! ```sh
//! cargo run -p relief-sample --example write_sample -- sample-data
//! cargo run --release -p relief-sample --example write_sample -- /tmp/big --clean --sessions 1000000 --files 10
//! ```

use relief_sample::{SampleOptions, generate};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut out = PathBuf::from("sample-data");
    let mut opts = SampleOptions::default();
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Option<u64> {
            let v = args.next().and_then(|v| v.parse().ok());
            if v.is_none() {
                eprintln!("write_sample: {name} needs a whole number");
            }
            v
        };
        match arg.as_str() {
            "--clean" => opts.clean = true,
            "--seed" => match number("--seed") {
                Some(v) => opts.seed = v,
                None => return ExitCode::from(2),
            },
            "--sessions" => match number("--sessions") {
                Some(v) => opts.sessions = v as usize,
                None => return ExitCode::from(2),
            },
            "--files" => match number("--files") {
                Some(v) => opts.files = v as usize,
                None => return ExitCode::from(2),
            },
            _ => out = PathBuf::from(arg),
        }
    }
    match generate(&out, &opts) {
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
