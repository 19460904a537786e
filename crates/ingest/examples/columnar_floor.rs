//! A second floor for relief's reader: the bare calamine pass plus the least any reader must do
//! to hand rows on as compact columns, and nothing of relief's own rules.
//!
//! `bare_calamine` only visits the cells. This pass also keeps them, the way the data-path issue
//! describes a lean reader: each xlsx sheet is streamed with calamine's cell reader (as relief
//! and `bare_calamine` do), every text cell becomes a small integer id through one hash map per
//! column and file (keyed by the borrowed text, so nothing is copied for a text seen before),
//! every number goes into an `f64` column, and each finished row gets a 64-bit hash of its ids
//! and numbers. After the files, the per-file dictionaries are merged into one and the ids
//! renumbered, and duplicate rows are found by sorting the (hash, row) pairs.
//!
//! What it leaves out is what relief adds beside that: the header search, values checked
//! against the vocabulary (regions, pressure words, dates, score ranges), ditto rows, merged
//! cells, the keyed pseudonyms of clients and sessions, and a reason for every row set aside.
//! So `relief validate` over the same files can cost less than `bare_calamine` never, and less
//! than this pass only by leaving one of those out. `bench/README.md` gives the three side by side.
//!
//! Usage: `cargo run --release -p relief-ingest --example columnar_floor -- DIR_OR_FILE...`
//! (xlsx and xlsm files only).

use calamine::{DataRef, Reader, Xlsx};
use foldhash::HashMap;
use rayon::prelude::*;
use std::hash::{BuildHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

/// Columns a sheet may have; cells further right are counted but not kept.
const MAX_COLUMNS: usize = 64;

/// One column, 8 bytes a row: a number's bits, or a text id tagged in a NaN's payload (no
/// spreadsheet number is NaN), or [`BLANK`].
#[derive(Default)]
struct Column {
    cells: Vec<u64>,
}

/// A blank cell.
const BLANK: u64 = u64::MAX;
/// The bits above a text id.
const TEXT: u64 = 0xFFF8_0000_0000_0000;

impl Column {
    /// Blank slots up to `rows`, for rows that had no cell in this column.
    fn pad(&mut self, rows: usize) {
        self.cells.resize(rows, BLANK);
    }
}

/// The rows of one file: its columns, its dictionaries (one per column) and its row hashes.
struct FileColumns {
    columns: Vec<Column>,
    dictionaries: Vec<Vec<String>>,
    hashes: Vec<u64>,
    cells: u64,
}

/// One sheet's cells turned into columns as they stream by.
struct Builder<'s> {
    columns: Vec<Column>,
    lookups: Vec<HashMap<&'s str, u32>>,
    dictionaries: Vec<Vec<String>>,
    hashes: Vec<u64>,
    hasher: foldhash::fast::FixedState,
    rows: usize,
}

impl<'s> Builder<'s> {
    fn new() -> Self {
        Builder {
            columns: Vec::new(),
            lookups: Vec::new(),
            dictionaries: Vec::new(),
            hashes: Vec::new(),
            hasher: foldhash::fast::FixedState::default(),
            rows: 0,
        }
    }

    /// Starts a row: every column gets a blank slot that the row's cells fill in.
    fn start_row(&mut self) {
        for c in &mut self.columns {
            c.cells.push(BLANK);
        }
        self.rows += 1;
    }

    /// Ends the row: its hash, over every column's id and number bits.
    fn end_row(&mut self) {
        if self.rows == 0 {
            return;
        }
        let r = self.rows - 1;
        let mut h = self.hasher.build_hasher();
        for c in &self.columns {
            c.cells[r].hash(&mut h);
        }
        self.hashes.push(h.finish());
    }

    fn put(&mut self, col: usize, value: &DataRef<'s>) {
        let r = self.rows - 1;
        // A column first seen now is blank in the rows before.
        while self.columns.len() <= col {
            self.columns.push(Column {
                cells: vec![BLANK; self.rows],
            });
            self.lookups.push(HashMap::default());
            self.dictionaries.push(Vec::new());
        }
        let number = |b: &mut Self, n: f64| b.columns[col].cells[r] = n.to_bits();
        match value {
            DataRef::Int(i) => number(self, *i as f64),
            DataRef::Float(f) => number(self, *f),
            DataRef::DateTime(d) => number(self, d.as_f64()),
            DataRef::SharedString(s) => {
                let id = self.id(col, s);
                self.columns[col].cells[r] = TEXT | u64::from(id);
            }
            DataRef::String(s) => {
                let id = self.owned_id(col, s);
                self.columns[col].cells[r] = TEXT | u64::from(id);
            }
            _ => {}
        }
    }

    /// The id of a shared string: hashed as borrowed text, copied only the first time.
    fn id(&mut self, col: usize, text: &'s str) -> u32 {
        let dictionary = &mut self.dictionaries[col];
        *self.lookups[col].entry(text).or_insert_with(|| {
            dictionary.push(text.to_string());
            (dictionary.len() - 1) as u32
        })
    }

    /// The id of an inline string (no borrow outlives the cell, so it is looked up by value).
    fn owned_id(&mut self, col: usize, text: &str) -> u32 {
        let dictionary = &mut self.dictionaries[col];
        match dictionary.iter().position(|t| t == text) {
            Some(i) => i as u32,
            None => {
                dictionary.push(text.to_string());
                (dictionary.len() - 1) as u32
            }
        }
    }
}

fn read(path: &Path) -> Result<FileColumns, String> {
    let mut wb: Xlsx<_> =
        calamine::open_workbook(path).map_err(|e: calamine::XlsxError| e.to_string())?;
    let mut out = FileColumns {
        columns: Vec::new(),
        dictionaries: Vec::new(),
        hashes: Vec::new(),
        cells: 0,
    };
    for name in wb.sheet_names() {
        let mut cells = wb
            .worksheet_cells_reader(&name)
            .map_err(|e| e.to_string())?;
        let mut b = Builder::new();
        let mut row = u32::MAX;
        while let Some(c) = cells.next_cell().map_err(|e| e.to_string())? {
            out.cells += 1;
            let (r, col) = c.get_position();
            if r != row {
                b.end_row();
                b.start_row();
                row = r;
            }
            if (col as usize) < MAX_COLUMNS {
                b.put(col as usize, c.get_value());
            }
        }
        b.end_row();
        // A sheet's ids are renumbered into the file's dictionaries (one sheet per file in the
        // benchmark's exports, so this is a copy of small tables).
        let before = out.hashes.len();
        for (col, column) in b.columns.iter().enumerate() {
            if out.columns.len() <= col {
                out.columns.push(Column::default());
                out.dictionaries.push(Vec::new());
            }
            let map = renumber(&mut out.dictionaries[col], &b.dictionaries[col]);
            let target = &mut out.columns[col];
            target.pad(before);
            target
                .cells
                .extend(column.cells.iter().map(|&c| remap(&map, c)));
        }
        out.hashes.extend_from_slice(&b.hashes);
    }
    for column in &mut out.columns {
        column.pad(out.hashes.len());
    }
    Ok(out)
}

/// Adds `words` to `dictionary` where missing; the new id of each word.
fn renumber(dictionary: &mut Vec<String>, words: &[String]) -> Vec<u32> {
    let mut index: HashMap<&str, u32> = HashMap::default();
    for (i, w) in dictionary.iter().enumerate() {
        index.insert(w, i as u32);
    }
    let mut added = Vec::new();
    let map = words
        .iter()
        .map(|w| match index.get(w.as_str()) {
            Some(&i) => i,
            None => {
                added.push(w.clone());
                (dictionary.len() + added.len() - 1) as u32
            }
        })
        .collect();
    dictionary.extend(added);
    map
}

/// A cell with its text id renumbered through `map`; numbers and blanks as they are.
fn remap(map: &[u32], cell: u64) -> u64 {
    if cell != BLANK && cell & TEXT == TEXT {
        TEXT | u64::from(map[(cell & !TEXT) as usize])
    } else {
        cell
    }
}

fn files_in(args: impl Iterator<Item = std::ffi::OsString>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for arg in args {
        let p = PathBuf::from(arg);
        if p.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(&p)
                .expect("readable folder")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| e == "xlsx" || e == "xlsm")
                })
                .collect();
            inside.sort();
            files.extend(inside);
        } else {
            files.push(p);
        }
    }
    files
}

fn main() {
    let files = files_in(std::env::args_os().skip(1));
    let read_files: Vec<FileColumns> = files
        .par_iter()
        .filter_map(|f| read(f).map_err(|e| eprintln!("{}: {e}", f.display())).ok())
        .collect();
    // One dictionary per column over every file, and the files' ids renumbered into it.
    let width = read_files
        .iter()
        .map(|f| f.columns.len())
        .max()
        .unwrap_or(0);
    let mut dictionaries: Vec<Vec<String>> = vec![Vec::new(); width];
    let mut columns: Vec<Column> = (0..width).map(|_| Column::default()).collect();
    let mut keys: Vec<(u64, u32)> = Vec::new();
    let mut cells = 0;
    for file in &read_files {
        cells += file.cells;
        for col in 0..file.columns.len() {
            let map = renumber(&mut dictionaries[col], &file.dictionaries[col]);
            let target = &mut columns[col];
            target.pad(keys.len());
            target
                .cells
                .extend(file.columns[col].cells.iter().map(|&c| remap(&map, c)));
        }
        let first = keys.len() as u32;
        keys.extend(
            file.hashes
                .iter()
                .enumerate()
                .map(|(i, &h)| (h, first + i as u32)),
        );
    }
    drop(read_files);
    for column in &mut columns {
        column.pad(keys.len());
    }
    // Read the columns back, so the work of filling them cannot be optimised away.
    let sum: f64 = columns
        .iter()
        .flat_map(|c| c.cells.iter().map(|&b| f64::from_bits(b)))
        .filter(|n| !n.is_nan())
        .sum();
    // Duplicates by sorting fixed-width keys: equal hashes side by side, first row kept.
    keys.par_sort_unstable();
    let rows = keys.len();
    keys.dedup_by_key(|k| k.0);
    let words: usize = dictionaries.iter().map(Vec::len).sum();
    println!(
        "{} files, {cells} cells, {rows} rows ({} after dropping equal ones), {words} distinct texts, numbers sum to {sum}",
        files.len(),
        keys.len(),
    );
}
