//! The floor for relief's reader: a bare calamine pass over the same files, nothing else.
//!
//! `bench/reader.sh` times this against `relief validate` and `relief report` on the same
//! folder, so the reader's own cost (header search, value parsing, pseudonyms, records,
//! deduplication) shows as the difference. Each workbook is opened and every sheet read — xlsx
//! with calamine's streaming cell reader, as relief does, the other formats with
//! `worksheet_range` — and the numeric cells are summed so nothing can be optimised away. Files
//! are read in parallel with rayon, as relief reads them.
//!
//! Usage: `cargo run --release -p relief-ingest --example bare_calamine -- DIR_OR_FILE...`
//! (add `--serial` to read one file at a time).

use calamine::{Data, DataRef, Reader, open_workbook_auto};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

mod bench_files;

/// Cells seen and the sum of their numbers.
#[derive(Default, Clone, Copy)]
struct Tally {
    cells: u64,
    sum: f64,
}

impl Tally {
    fn add(self, o: Tally) -> Tally {
        Tally {
            cells: self.cells + o.cells,
            sum: self.sum + o.sum,
        }
    }
}

fn number_ref(d: &DataRef<'_>) -> f64 {
    match d {
        DataRef::Int(i) => *i as f64,
        DataRef::Float(f) => *f,
        DataRef::DateTime(dt) => dt.as_f64(),
        _ => 0.0,
    }
}

fn number(d: &Data) -> f64 {
    match d {
        Data::Int(i) => *i as f64,
        Data::Float(f) => *f,
        Data::DateTime(dt) => dt.as_f64(),
        _ => 0.0,
    }
}

fn read(path: &Path) -> Result<Tally, String> {
    let mut t = Tally::default();
    let is_xlsx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"));
    if is_xlsx {
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook(path).map_err(|e: calamine::XlsxError| e.to_string())?;
        for name in wb.sheet_names() {
            let mut cells = wb
                .worksheet_cells_reader(&name)
                .map_err(|e| e.to_string())?;
            while let Some(c) = cells.next_cell().map_err(|e| e.to_string())? {
                t.cells += 1;
                t.sum += number_ref(c.get_value());
            }
        }
    } else {
        let mut wb = open_workbook_auto(path).map_err(|e| e.to_string())?;
        for name in wb.sheet_names() {
            let range = wb.worksheet_range(&name).map_err(|e| e.to_string())?;
            for (_, _, d) in range.used_cells() {
                t.cells += 1;
                t.sum += number(d);
            }
        }
    }
    Ok(t)
}

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let serial = args.iter().any(|a| a == "--serial");
    let files = bench_files::files_in(
        args.into_iter().filter(|a| a != "--serial"),
        &["xlsx", "xlsm", "xls", "ods"],
    );
    let one = |f: &PathBuf| match read(f) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}: {e}", f.display());
            Tally::default()
        }
    };
    let total = if serial {
        files.iter().map(one).fold(Tally::default(), Tally::add)
    } else {
        files.par_iter().map(one).reduce(Tally::default, Tally::add)
    };
    println!(
        "{} files, {} cells, numbers sum to {}",
        files.len(),
        total.cells,
        total.sum
    );
}
