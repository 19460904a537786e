//! A pre-scan of old-style `.xls` workbooks, made before calamine is allowed to open them.
//!
//! An `.xls` is a BIFF8 record stream (the `Workbook` stream) inside an OLE compound file
//! (CFB). calamine parses the whole workbook the moment it opens one, and it trusts the file:
//! it reserves memory for the rows × columns a sheet's DIMENSIONS record claims, expands every
//! sheet into a dense grid spanning its first to its last cell, and follows sector chains for as
//! long as they go. A crafted file of a few kilobytes can so ask for hundreds of gigabytes, and
//! a failed allocation aborts the process, which no `catch_unwind` can stop.
//!
//! This module reads the few CFB structures needed to find the `Workbook` stream (every chain
//! checked for loops and for sectors past the end of the file, no stream larger than the file),
//! then walks the BIFF records of every sheet the way calamine will, and refuses the file when
//! what calamine would build breaks the configured limits (`input.max_rows`, `input.max_cells`)
//! or is absurd for the file's size. Its own memory is the stream and the file allocation table,
//! both at most the file's size, and its time is linear in the stream.

use crate::IngestError;

/// End of a sector chain.
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
/// Sector numbers from here up are markers, not sectors.
const MAX_REGULAR_SECTOR: u32 = 0xFFFF_FFFA;
/// Streams shorter than this live in the mini stream (calamine uses the same cut-off).
const MINI_CUTOFF: u64 = 4096;
const MINI_SECTOR: usize = 64;

/// A dense grid larger than this many cells (about 130 MB in calamine, twice that while a
/// sheet is handed over) is suspicious when it is mostly empty; so are sheets that add up to it.
pub(crate) const SPARSE_FLOOR: u64 = 4_000_000;
/// How many times more grid cells than filled cells makes such a grid "mostly empty".
pub(crate) const SPARSE_RATIO: u64 = 64;

fn damaged(why: &str) -> IngestError {
    IngestError::Corrupt(why.to_string())
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from(u32_at(b, at)?) | u64::from(u32_at(b, at + 4)?) << 32)
}

/// Checks an `.xls` file before calamine opens it.
///
/// # Errors
/// [`IngestError::Corrupt`] for a container or record stream calamine could not read safely,
/// [`IngestError::TooManyRows`] / [`IngestError::TooManyCells`] for sheets past the limits, and
/// [`IngestError::SparseXls`] for a sheet whose few cells span a huge grid.
pub(crate) fn check_xls(bytes: &[u8], max_rows: u64, max_cells: u64) -> Result<(), IngestError> {
    let stream = workbook_stream(bytes)?;
    check_records(&stream, max_rows, max_cells)
}

/// The compound file's sectors and allocation table.
struct Container<'a> {
    bytes: &'a [u8],
    sector: usize,
    /// How many sectors the file holds (a last, partial one included).
    sectors: usize,
    fat: Vec<u32>,
}

impl<'a> Container<'a> {
    fn open(bytes: &'a [u8]) -> Result<Self, IngestError> {
        if bytes.len() < 512 {
            return Err(damaged("it is too short to be an Excel workbook"));
        }
        let sector = match u16_at(bytes, 30) {
            Some(9) => 512,
            Some(12) => 4096,
            _ => return Err(damaged("its container has an impossible sector size")),
        };
        if u16_at(bytes, 32) != Some(6) {
            return Err(damaged("its container has an impossible mini-sector size"));
        }
        let sectors = bytes.len().div_ceil(sector).saturating_sub(1);
        let mut c = Container {
            bytes,
            sector,
            sectors,
            fat: Vec::new(),
        };
        // The allocation table's own sectors: 109 in the header, more in the DIFAT chain.
        let mut fat_sectors: Vec<u32> = bytes[76..512]
            .chunks_exact(4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
            .filter(|&id| id < MAX_REGULAR_SECTOR)
            .collect();
        let mut next = u32_at(bytes, 68).unwrap_or(END_OF_CHAIN);
        let mut steps = 0;
        while next < MAX_REGULAR_SECTOR {
            steps += 1;
            if steps > c.sectors {
                return Err(damaged("its container's sector list loops"));
            }
            let s = c.sector_bytes(next)?;
            let entries = s.len() / 4;
            for i in 0..entries.saturating_sub(1) {
                let id = u32_at(s, i * 4).unwrap_or(END_OF_CHAIN);
                if id < MAX_REGULAR_SECTOR {
                    fat_sectors.push(id);
                }
            }
            next = u32_at(s, entries.saturating_sub(1) * 4).unwrap_or(END_OF_CHAIN);
            if fat_sectors.len() > c.sectors {
                break;
            }
        }
        // More table sectors than the file has sectors: calamine would build a table many
        // times the file's size.
        if fat_sectors.len() > c.sectors {
            return Err(damaged(
                "its container lists more table sectors than the file holds",
            ));
        }
        let mut fat = Vec::with_capacity(fat_sectors.len() * sector / 4);
        for id in fat_sectors {
            let s = c.sector_bytes(id)?;
            fat.extend(
                s.chunks_exact(4)
                    .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]])),
            );
        }
        c.fat = fat;
        Ok(c)
    }

    fn sector_bytes(&self, id: u32) -> Result<&'a [u8], IngestError> {
        let start = (id as usize)
            .checked_add(1)
            .and_then(|n| n.checked_mul(self.sector))
            .filter(|&s| s < self.bytes.len())
            .ok_or_else(|| damaged("the file is cut short: a part of it points past its end"))?;
        let end = (start + self.sector).min(self.bytes.len());
        Ok(&self.bytes[start..end])
    }
}

/// Follows a chain of sectors, each `size` bytes, through `table`; stops after `len` bytes
/// (or at the chain's end when `len` is `None`). A chain longer than `max_steps` loops.
fn chain<'a>(
    start: u32,
    table: &[u32],
    len: Option<u64>,
    max_steps: usize,
    sector: impl Fn(u32) -> Result<&'a [u8], IngestError>,
) -> Result<Vec<u8>, IngestError> {
    let want = len.map(|l| l as usize);
    let mut out = Vec::with_capacity(want.unwrap_or(0));
    let mut id = start;
    let mut steps = 0;
    while id != END_OF_CHAIN {
        if want.is_some_and(|w| out.len() >= w) {
            break;
        }
        steps += 1;
        if steps > max_steps || id >= MAX_REGULAR_SECTOR {
            return Err(damaged("its container's sector chain loops or breaks off"));
        }
        let s = sector(id)?;
        let take = want.map_or(s.len(), |w| s.len().min(w - out.len()));
        out.extend_from_slice(&s[..take]);
        id = *table
            .get(id as usize)
            .ok_or_else(|| damaged("its container's sector chain points nowhere"))?;
    }
    if want.is_some_and(|w| out.len() < w) {
        return Err(damaged(
            "the file is cut short: the workbook stream ends early",
        ));
    }
    Ok(out)
}

/// One directory entry: its name, first sector and size.
struct Entry {
    name: String,
    start: u32,
    size: u64,
}

fn entries(dir: &[u8], sector: usize) -> Vec<Entry> {
    dir.chunks_exact(128)
        .map(|e| {
            let units: Vec<u16> = e[..64]
                .chunks_exact(2)
                .map(|u| u16::from_le_bytes([u[0], u[1]]))
                .take_while(|&u| u != 0)
                .collect();
            let size = if sector == 512 {
                u64::from(u32_at(e, 120).unwrap_or(0))
            } else {
                u64_at(e, 120).unwrap_or(0)
            };
            Entry {
                name: String::from_utf16_lossy(&units),
                start: u32_at(e, 116).unwrap_or(END_OF_CHAIN),
                size,
            }
        })
        .collect()
}

/// The `Workbook` (or, in older files, `Book`) stream, read as calamine will read it.
fn workbook_stream(bytes: &[u8]) -> Result<Vec<u8>, IngestError> {
    let c = Container::open(bytes)?;
    let file_len = bytes.len() as u64;
    let max = c.sectors;
    let regular = |id| c.sector_bytes(id);
    let dir_start = u32_at(bytes, 48).unwrap_or(END_OF_CHAIN);
    let dir = chain(dir_start, &c.fat, None, max, regular)?;
    let dirs = entries(&dir, c.sector);
    let root = dirs
        .first()
        .ok_or_else(|| damaged("its container has no directory"))?;
    let find = |name: &str| dirs.iter().find(|d| d.name.eq_ignore_ascii_case(name));
    let entry = find("Workbook")
        .or_else(|| find("Book"))
        .ok_or_else(|| damaged("it holds no workbook stream (is it really an Excel file?)"))?;
    if entry.size > file_len || root.size > file_len {
        return Err(damaged("it claims a part larger than the whole file"));
    }
    let mini_fat_sectors = u64::from(u32_at(bytes, 64).unwrap_or(0));
    if mini_fat_sectors > max as u64 {
        return Err(damaged(
            "its container lists more sectors than the file holds",
        ));
    }
    // calamine reads the mini stream and its table whenever there is one; check them too.
    let (mini_stream, mini_fat) = if mini_fat_sectors > 0 {
        let stream = chain(root.start, &c.fat, Some(root.size), max, regular)?;
        let start = u32_at(bytes, 60).unwrap_or(END_OF_CHAIN);
        let table = chain(
            start,
            &c.fat,
            Some(mini_fat_sectors * c.sector as u64),
            max,
            regular,
        )?;
        let table: Vec<u32> = table
            .chunks_exact(4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
            .collect();
        (stream, table)
    } else {
        (Vec::new(), Vec::new())
    };
    if entry.size >= MINI_CUTOFF {
        return chain(entry.start, &c.fat, Some(entry.size), max, regular);
    }
    let mini_sector = |id: u32| -> Result<&[u8], IngestError> {
        let start = id as usize * MINI_SECTOR;
        mini_stream
            .get(start..(start + MINI_SECTOR).min(mini_stream.len()))
            .filter(|s| !s.is_empty())
            .ok_or_else(|| damaged("the file is cut short: a part of it points past its end"))
    };
    let steps = mini_stream.len() / MINI_SECTOR + 1;
    chain(entry.start, &mini_fat, Some(entry.size), steps, mini_sector)
}

/// One BIFF record: its type and data.
struct Record<'a> {
    typ: u16,
    data: &'a [u8],
}

/// The records from `at` on; a record cut short by the stream's end is an error.
fn records(stream: &[u8], at: usize) -> impl Iterator<Item = Result<Record<'_>, IngestError>> {
    let mut rest = stream.get(at..).unwrap_or_default();
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (Some(typ), Some(len)) = (u16_at(rest, 0), u16_at(rest, 2)) else {
            rest = &[];
            return Some(Err(damaged(
                "the workbook stream ends in the middle of a record",
            )));
        };
        let end = 4 + len as usize;
        let Some(data) = rest.get(4..end) else {
            rest = &[];
            return Some(Err(damaged(
                "the workbook stream ends in the middle of a record",
            )));
        };
        rest = &rest[end..];
        Some(Ok(Record { typ, data }))
    })
}

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const BOUNDSHEET: u16 = 0x0085;
const SST: u16 = 0x00FC;
const DIMENSIONS: u16 = 0x0200;
const ROW: u16 = 0x0208;
const BLANK: u16 = 0x0201;
const MULBLANK: u16 = 0x00BE;
const MULRK: u16 = 0x00BD;
/// Records that each give calamine one cell at (row, column) in their first four bytes.
const VALUE_CELLS: [u16; 7] = [
    0x00FD, // LABELSST
    0x0203, // NUMBER
    0x027E, // RK
    0x0006, // FORMULA
    0x0205, // BOOLERR
    0x0204, // LABEL
    0x00D6, // RSTRING
];

/// A sheet listed in the workbook: where its records start and its name (for messages).
struct SheetEntry {
    at: usize,
    name: String,
}

/// Reads a BOUNDSHEET8 record: stream position, then a short (possibly compressed) string.
fn sheet_entry(data: &[u8], index: usize) -> Option<SheetEntry> {
    let at = u32_at(data, 0)? as usize;
    let fallback = format!("sheet {}", index + 1);
    let name = (|| {
        let len = *data.get(6)? as usize;
        let wide = data.get(7)? & 1 == 1;
        if wide {
            let units: Vec<u16> = data
                .get(8..8 + 2 * len)?
                .chunks_exact(2)
                .map(|u| u16::from_le_bytes([u[0], u[1]]))
                .collect();
            Some(String::from_utf16_lossy(&units))
        } else {
            Some(data.get(8..8 + len)?.iter().map(|&b| b as char).collect())
        }
    })()
    .unwrap_or(fallback);
    Some(SheetEntry { at, name })
}

/// Walks the workbook's records: the globals, then each sheet as calamine reads it.
fn check_records(stream: &[u8], max_rows: u64, max_cells: u64) -> Result<(), IngestError> {
    let mut sheets = Vec::new();
    for r in records(stream, 0) {
        let r = r?;
        match r.typ {
            BOUNDSHEET => {
                let index = sheets.len();
                sheets.push(
                    sheet_entry(r.data, index)
                        .ok_or_else(|| damaged("a sheet entry of the workbook is too short"))?,
                );
            }
            SST => check_sst(r.data, stream.len() as u64, max_cells)?,
            EOF => break,
            _ => {}
        }
    }
    // Real sheets are disjoint runs of records; crafted entries pointing at the same records
    // again would multiply calamine's (and this scan's) work.
    let mut budget = stream.len().saturating_mul(2);
    let (mut file_cells, mut file_filled): (u64, u64) = (0, 0);
    for (i, s) in sheets.iter().enumerate() {
        if s.at >= stream.len() {
            return Err(damaged(
                "a sheet of the workbook points past the end of its data",
            ));
        }
        let (grid, filled) = check_sheet(stream, s, max_rows, max_cells, &mut budget)?;
        file_cells = file_cells.saturating_add(grid);
        file_filled = file_filled.saturating_add(filled);
        if file_cells > max_cells {
            return Err(IngestError::TooManyCells {
                where_: "the file".into(),
                limit: max_cells,
            });
        }
        // calamine holds every sheet's grid at once: sparse sheets add up (found by fuzzing).
        if file_cells > SPARSE_FLOOR && file_cells > file_filled.saturating_mul(SPARSE_RATIO) {
            return Err(IngestError::SparseXlsWorkbook {
                sheets: i + 1,
                filled: file_filled,
                cells: file_cells,
            });
        }
    }
    Ok(())
}

/// The shared-string table claims its number of distinct strings up front; each takes at least
/// 3 bytes, so a count the stream cannot hold is a lie.
fn check_sst(data: &[u8], stream_len: u64, max_cells: u64) -> Result<(), IngestError> {
    let Some(unique) = u32_at(data, 4).map(u64::from) else {
        return Ok(()); // calamine says "too short" in its own words
    };
    let possible = stream_len / 3 + 1;
    if unique > possible {
        return Err(IngestError::Corrupt(format!(
            "it claims {unique} distinct texts, more than its {stream_len} bytes of data can hold"
        )));
    }
    if unique > max_cells {
        return Err(IngestError::TooManyCells {
            where_: "the file".into(),
            limit: max_cells,
        });
    }
    Ok(())
}

/// The span of the cells calamine will place in one sheet's grid.
#[derive(Default)]
struct Span {
    filled: u64,
    rows: Option<(u32, u32)>,
    cols: Option<(u32, u32)>,
}

impl Span {
    fn add(&mut self, row: u32, first_col: u32, last_col: u32, cells: u64) {
        self.filled = self.filled.saturating_add(cells);
        let grow = |s: Option<(u32, u32)>, lo: u32, hi: u32| {
            Some(s.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))))
        };
        self.rows = grow(self.rows, row, row);
        self.cols = grow(self.cols, first_col, last_col);
    }

    fn extent(&self) -> (u64, u64) {
        let len = |s: Option<(u32, u32)>| s.map_or(0, |(a, b)| u64::from(b - a) + 1);
        (len(self.rows), len(self.cols))
    }
}

fn too_many_rows(sheet: &str, limit: u64) -> IngestError {
    IngestError::TooManyRows {
        sheet: sheet.to_string(),
        limit,
    }
}

fn too_many_cells(sheet: &str, limit: u64) -> IngestError {
    IngestError::TooManyCells {
        where_: format!("sheet '{sheet}'"),
        limit,
    }
}

/// Walks one sheet's records (skipping embedded charts, as calamine does) and returns the
/// number of cells of the grid calamine will build for it, and how many of them are filled.
fn check_sheet(
    stream: &[u8],
    sheet: &SheetEntry,
    max_rows: u64,
    max_cells: u64,
    budget: &mut usize,
) -> Result<(u64, u64), IngestError> {
    let name = sheet.name.as_str();
    let mut span = Span::default();
    let mut seen_bof = false;
    let mut depth = 0usize;
    for r in records(stream, sheet.at) {
        let r = r?;
        let cost = 4 + r.data.len();
        *budget = budget
            .checked_sub(cost)
            .ok_or_else(|| damaged("its sheets point at the same data more than once"))?;
        if depth > 0 {
            match r.typ {
                BOF => depth += 1,
                EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        let d = r.data;
        let row = u16_at(d, 0).map(u32::from);
        let col = u16_at(d, 2).map(u32::from);
        match r.typ {
            BOF if seen_bof => depth += 1,
            BOF => seen_bof = true,
            EOF => break,
            DIMENSIONS => check_dimensions(d, name, max_rows, max_cells)?,
            t if VALUE_CELLS.contains(&t) => {
                if let (Some(row), Some(col)) = (row, col) {
                    span.add(row, col, col, 1);
                }
            }
            MULRK => {
                if let (Some(row), Some(col)) = (row, col) {
                    let n = d.len().saturating_sub(6) / 6;
                    if n > 0 {
                        span.add(row, col, col + n as u32 - 1, n as u64);
                    }
                }
            }
            // calamine keeps no cell for these, but they still say how far the sheet goes.
            ROW | BLANK | MULBLANK if row.is_some_and(|r| u64::from(r) >= max_rows) => {
                return Err(too_many_rows(name, max_rows));
            }
            _ => {}
        }
    }
    let (rows, cols) = span.extent();
    let grid = rows.saturating_mul(cols);
    if rows > max_rows {
        return Err(too_many_rows(name, max_rows));
    }
    if grid > max_cells {
        return Err(too_many_cells(name, max_cells));
    }
    if grid > SPARSE_FLOOR && grid > span.filled.saturating_mul(SPARSE_RATIO) {
        return Err(IngestError::SparseXls {
            sheet: name.to_string(),
            filled: span.filled,
            rows,
            columns: cols,
        });
    }
    Ok((grid, span.filled))
}

/// DIMENSIONS (0x0200), read as calamine reads it: BIFF8 has 32-bit rows, BIFF5 16-bit ones.
/// calamine reserves room for the claimed rows × columns at once.
fn check_dimensions(
    d: &[u8],
    sheet: &str,
    max_rows: u64,
    max_cells: u64,
) -> Result<(), IngestError> {
    let (first_row, end_row, first_col, end_col) = match d.len() {
        10 => (
            u64::from(u16_at(d, 0).unwrap_or(0)),
            u64::from(u16_at(d, 2).unwrap_or(0)),
            u64::from(u16_at(d, 4).unwrap_or(0)),
            u64::from(u16_at(d, 6).unwrap_or(0)),
        ),
        14 | 16 => (
            u64::from(u32_at(d, 0).unwrap_or(0)),
            u64::from(u32_at(d, 4).unwrap_or(0)),
            u64::from(u16_at(d, 8).unwrap_or(0)),
            u64::from(u16_at(d, 10).unwrap_or(0)),
        ),
        // calamine refuses other lengths in its own words.
        _ => return Ok(()),
    };
    if end_row == 0 || end_col == 0 {
        return Ok(());
    }
    let first_col = if first_col > 0xFF || end_col < first_col {
        0
    } else {
        first_col
    };
    if first_row > end_row {
        return Err(damaged(&format!(
            "sheet '{sheet}' says its rows end before they begin"
        )));
    }
    let rows = end_row - first_row;
    let cols = end_col - first_col;
    if rows > max_rows {
        return Err(too_many_rows(sheet, max_rows));
    }
    if rows.saturating_mul(cols) > max_cells {
        return Err(too_many_cells(sheet, max_cells));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend_from_slice(&(data.len() as u16).to_le_bytes());
        v.extend_from_slice(data);
        v
    }

    fn cell(typ: u16, row: u16, col: u16) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend_from_slice(&col.to_le_bytes());
        d.extend_from_slice(&[0; 10]);
        rec(typ, &d)
    }

    /// A globals substream with one sheet, then the sheet's records.
    fn stream(sheet: &[Vec<u8>]) -> Vec<u8> {
        let sheet_rec = |at: u32| {
            let mut d = at.to_le_bytes().to_vec();
            d.extend_from_slice(&[0, 0, 1, 0, b'S']);
            rec(BOUNDSHEET, &d)
        };
        let globals_len = rec(BOF, &[0; 16]).len() + sheet_rec(0).len() + rec(EOF, &[]).len();
        let mut s = rec(BOF, &[0; 16]);
        s.extend(sheet_rec(globals_len as u32));
        s.extend(rec(EOF, &[]));
        s.extend(rec(BOF, &[0; 16]));
        for r in sheet {
            s.extend_from_slice(r);
        }
        s.extend(rec(EOF, &[]));
        s
    }

    #[test]
    fn a_far_cell_among_few_is_refused_as_sparse() {
        let near: Vec<Vec<u8>> = (0..10).map(|r| cell(0x0203, r, 0)).collect();
        assert!(check_records(&stream(&near), 2_000_000, 50_000_000).is_ok());
        let mut far = near.clone();
        far.push(cell(0x00FD, 65_535, 255));
        let err = check_records(&stream(&far), 2_000_000, 50_000_000).unwrap_err();
        assert!(
            matches!(
                err,
                IngestError::SparseXls {
                    filled: 11,
                    rows: 65_536,
                    columns: 256,
                    ..
                }
            ),
            "{err}"
        );
        // The same span under a lower cell limit is simply too many cells.
        let err = check_records(&stream(&far), 2_000_000, 1_000_000).unwrap_err();
        assert_eq!(
            err.to_string(),
            "sheet 'S' holds more than 1000000 cells, the limit (input.max_cells in relief.toml)"
        );
    }

    #[test]
    fn dimensions_are_checked_against_the_limits() {
        let dims = |rf: u32, rl: u32, cf: u16, cl: u16| {
            let mut d = rf.to_le_bytes().to_vec();
            d.extend_from_slice(&rl.to_le_bytes());
            d.extend_from_slice(&cf.to_le_bytes());
            d.extend_from_slice(&cl.to_le_bytes());
            d.extend_from_slice(&[0, 0]);
            rec(DIMENSIONS, &d)
        };
        let ok = stream(&[dims(0, 65_536, 0, 256)]);
        assert!(check_records(&ok, 2_000_000, 50_000_000).is_ok());
        let err = check_records(&ok, 2_000_000, 1_000_000).unwrap_err();
        assert!(err.to_string().contains("more than 1000000 cells"), "{err}");
        let err =
            check_records(&stream(&[dims(0, u32::MAX, 0, 1)]), 2_000_000, u64::MAX).unwrap_err();
        assert!(err.to_string().contains("more than 2000000 rows"), "{err}");
        let err = check_records(&stream(&[dims(9, 3, 0, 1)]), 2_000_000, 50_000_000).unwrap_err();
        assert!(err.to_string().contains("rows end before"), "{err}");
    }

    #[test]
    fn an_absurd_string_count_and_overlapping_sheets_are_refused() {
        let mut s = rec(BOF, &[0; 16]);
        let mut sst = 10u32.to_le_bytes().to_vec();
        sst.extend_from_slice(&4_000_000_000u32.to_le_bytes());
        s.extend(rec(SST, &sst));
        let err = check_records(&s, 100, 100).unwrap_err();
        assert!(
            err.to_string().contains("claims 4000000000 distinct texts"),
            "{err}"
        );

        // Fifty entries for the same sheet: globals are BOF (20 bytes), entries (13 each), EOF.
        let one = stream(&[cell(0x0203, 0, 0)]);
        let sheet_part = &one[20 + 13 + 4..];
        let at = (20 + 50 * 13 + 4) as u32;
        let mut many = rec(BOF, &[0; 16]);
        for _ in 0..50 {
            let mut d = at.to_le_bytes().to_vec();
            d.extend_from_slice(&[0, 0, 1, 0, b'S']);
            many.extend(rec(BOUNDSHEET, &d));
        }
        many.extend(rec(EOF, &[]));
        assert_eq!(many.len(), at as usize);
        many.extend_from_slice(sheet_part);
        let err = check_records(&many, 100, 100).unwrap_err();
        assert!(err.to_string().contains("more than once"), "{err}");
    }

    /// A globals substream listing every sheet, then each sheet's records.
    fn workbook(sheets: &[Vec<Vec<u8>>]) -> Vec<u8> {
        let entry = |at: u32| {
            let mut d = at.to_le_bytes().to_vec();
            d.extend_from_slice(&[0, 0, 1, 0, b'S']);
            rec(BOUNDSHEET, &d)
        };
        let mut bodies = Vec::new();
        for sheet in sheets {
            let mut b = rec(BOF, &[0; 16]);
            for r in sheet {
                b.extend_from_slice(r);
            }
            b.extend(rec(EOF, &[]));
            bodies.push(b);
        }
        let mut at =
            (rec(BOF, &[0; 16]).len() + sheets.len() * entry(0).len() + rec(EOF, &[]).len()) as u32;
        let mut s = rec(BOF, &[0; 16]);
        for b in &bodies {
            s.extend(entry(at));
            at += b.len() as u32;
        }
        s.extend(rec(EOF, &[]));
        for b in bodies {
            s.extend(b);
        }
        s
    }

    #[test]
    fn sparse_sheets_that_add_up_past_the_floor_are_refused_together() {
        // Fuzzing found a 10 KB .xls that one sparse sheet took to 250 MB, inside the one-sheet
        // floor; calamine holds every sheet's grid at once, so three such sheets took 750 MB.
        let sparse = vec![
            cell(0x0203, 0, 0),
            cell(0x0203, 7_999, 0),
            cell(0x0203, 0, 199),
        ];
        let one = workbook(std::slice::from_ref(&sparse));
        assert!(check_records(&one, 2_000_000, 50_000_000).is_ok());
        let three = workbook(&[sparse.clone(), sparse.clone(), sparse]);
        let err = check_records(&three, 2_000_000, 50_000_000).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the first 3 sheets spread 9 filled cells over grids of 4800000 cells; an .xls this sparse would take gigabytes to read: open it and save it as .xlsx"
        );
    }

    #[test]
    fn a_record_cut_short_is_damage() {
        let mut s = stream(&[cell(0x0203, 0, 0)]);
        s.truncate(s.len() - 3);
        let err = check_records(&s, 100, 100).unwrap_err();
        assert!(err.to_string().contains("middle of a record"), "{err}");
    }
}
