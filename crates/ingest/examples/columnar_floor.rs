//! A second floor for relief's reader: the bare calamine pass plus the least any reader must do
//! to hand rows on as compact columns, and nothing of relief's own rules.
//!
//! `bare_calamine` only visits the cells. This pass also keeps them, the way the data-path issue
//! describes a lean reader: each xlsx sheet is streamed with calamine's cell reader (as relief
//! and `bare_calamine` do); every text cell becomes a small integer id through one hash map per
//! column and sheet, keyed by the borrowed text, so a text seen before is not copied; and every
//! cell takes 8 bytes in its column (a number's bits, or a tagged text id). After the files,
//! the dictionaries are merged into one per column and the ids renumbered; then each row gets a
//! 128-bit key (two seeded hashes of its cells, on every core) and equal rows are found by
//! sorting the (key, row) pairs.
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
use std::path::Path;

mod bench_files;

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

/// One column's texts, in id order, with an index to find them.
#[derive(Default)]
struct Dictionary {
    words: Vec<String>,
    index: HashMap<String, u32>,
}

impl Dictionary {
    /// Adds `words` where missing; the id of each word in this dictionary.
    fn renumber(&mut self, words: &[String]) -> Vec<u32> {
        words
            .iter()
            .map(|w| match self.index.get(w.as_str()) {
                Some(&i) => i,
                None => {
                    let id = self.words.len() as u32;
                    self.index.insert(w.clone(), id);
                    self.words.push(w.clone());
                    id
                }
            })
            .collect()
    }
}

/// A cell with its text id renumbered through `map`; numbers and blanks as they are.
fn remap(map: &[u32], cell: u64) -> u64 {
    if cell != BLANK && cell & TEXT == TEXT {
        TEXT | u64::from(map[(cell & !TEXT) as usize])
    } else {
        cell
    }
}

/// Rows as columns, with one dictionary per column.
#[derive(Default)]
struct Table {
    columns: Vec<Column>,
    dictionaries: Vec<Dictionary>,
    rows: usize,
}

impl Table {
    /// Appends `other`'s rows, its text ids renumbered into this table's dictionaries.
    fn append(&mut self, other: &Table) {
        for (col, column) in other.columns.iter().enumerate() {
            if self.columns.len() <= col {
                self.columns.push(Column::default());
                self.dictionaries.push(Dictionary::default());
            }
            let map = self.dictionaries[col].renumber(&other.dictionaries[col].words);
            let target = &mut self.columns[col];
            target.pad(self.rows);
            target
                .cells
                .extend(column.cells.iter().map(|&c| remap(&map, c)));
        }
        self.rows += other.rows;
        for column in &mut self.columns {
            column.pad(self.rows);
        }
    }
}

/// One sheet's cells turned into columns as they stream by.
struct Sheet<'s> {
    table: Table,
    /// Per column: a text's id, found by the borrowed text.
    lookups: Vec<HashMap<&'s str, u32>>,
}

impl<'s> Sheet<'s> {
    /// Starts a row: every column gets a blank slot that the row's cells fill in.
    fn start_row(&mut self) {
        for c in &mut self.table.columns {
            c.cells.push(BLANK);
        }
        self.table.rows += 1;
    }

    fn put(&mut self, col: usize, value: &DataRef<'s>) {
        let t = &mut self.table;
        // A column first seen now is blank in the rows before.
        while t.columns.len() <= col {
            t.columns.push(Column {
                cells: vec![BLANK; t.rows],
            });
            t.dictionaries.push(Dictionary::default());
            self.lookups.push(HashMap::default());
        }
        let cell = match value {
            DataRef::Int(i) => (*i as f64).to_bits(),
            DataRef::Float(f) => f.to_bits(),
            DataRef::DateTime(d) => d.as_f64().to_bits(),
            DataRef::SharedString(s) => TEXT | u64::from(self.id(col, s)),
            // An inline string: no borrow outlives the cell, so it is looked up by value.
            DataRef::String(s) => {
                TEXT | u64::from(t.dictionaries[col].renumber(std::slice::from_ref(s))[0])
            }
            _ => BLANK,
        };
        let t = &mut self.table;
        t.columns[col].cells[t.rows - 1] = cell;
    }

    /// The id of a shared string: hashed as borrowed text, copied only the first time.
    fn id(&mut self, col: usize, text: &'s str) -> u32 {
        let dictionary = &mut self.table.dictionaries[col];
        // A miss asks the dictionary, which also holds the sheet's inline strings.
        *self.lookups[col]
            .entry(text)
            .or_insert_with(|| dictionary.renumber(&[text.to_string()])[0])
    }
}

/// One file's sheets as one table, and its cell count.
fn read(path: &Path) -> Result<(Table, u64), String> {
    let mut wb: Xlsx<_> =
        calamine::open_workbook(path).map_err(|e: calamine::XlsxError| e.to_string())?;
    let mut file = Table::default();
    let mut cells = 0;
    for name in wb.sheet_names() {
        let mut reader = wb
            .worksheet_cells_reader(&name)
            .map_err(|e| e.to_string())?;
        let mut sheet = Sheet {
            table: Table::default(),
            lookups: Vec::new(),
        };
        let mut row = None;
        while let Some(c) = reader.next_cell().map_err(|e| e.to_string())? {
            cells += 1;
            let (r, col) = c.get_position();
            if row != Some(r) {
                sheet.start_row();
                row = Some(r);
            }
            if (col as usize) < MAX_COLUMNS {
                sheet.put(col as usize, c.get_value());
            }
        }
        file.append(&sheet.table);
    }
    Ok((file, cells))
}

/// A row's key: two independently seeded hashes of its cells, so 20 million rows do not
/// collide.
fn key(columns: &[Column], row: usize, seeds: &[foldhash::quality::FixedState; 2]) -> u128 {
    let [a, b] = seeds.each_ref().map(|seed| {
        let mut h = seed.build_hasher();
        for c in columns {
            c.cells[row].hash(&mut h);
        }
        h.finish()
    });
    (u128::from(a) << 64) | u128::from(b)
}

fn main() {
    let files = bench_files::files_in(std::env::args_os().skip(1), &["xlsx", "xlsm"]);
    let read_files: Vec<(Table, u64)> = files
        .par_iter()
        .filter_map(|f| read(f).map_err(|e| eprintln!("{}: {e}", f.display())).ok())
        .collect();
    // One table over every file; each file is let go once it is copied.
    let rows: usize = read_files.iter().map(|(t, _)| t.rows).sum();
    let width = read_files
        .iter()
        .map(|(t, _)| t.columns.len())
        .max()
        .unwrap_or(0);
    let mut all = Table {
        columns: (0..width)
            .map(|_| Column {
                cells: Vec::with_capacity(rows),
            })
            .collect(),
        dictionaries: (0..width).map(|_| Dictionary::default()).collect(),
        rows: 0,
    };
    let mut cells = 0;
    for (file, n) in read_files {
        all.append(&file);
        cells += n;
    }
    // Equal rows by sorting fixed-width keys: equal keys side by side, the first row kept.
    let seeds = [1, 2].map(foldhash::quality::FixedState::with_seed);
    let mut keys: Vec<(u128, u32)> = (0..all.rows)
        .into_par_iter()
        .map(|r| (key(&all.columns, r, &seeds), r as u32))
        .collect();
    keys.par_sort_unstable();
    keys.dedup_by_key(|k| k.0);
    // Read the columns back, so the work of filling them cannot be optimised away.
    let sum: f64 = all
        .columns
        .iter()
        .flat_map(|c| c.cells.iter().map(|&b| f64::from_bits(b)))
        .filter(|n| !n.is_nan())
        .sum();
    let words: usize = all.dictionaries.iter().map(|d| d.words.len()).sum();
    println!(
        "{} files, {cells} cells, {} rows ({} after dropping equal ones), {words} distinct texts, \
         numbers sum to {sum}",
        files.len(),
        all.rows,
        keys.len(),
    );
}
