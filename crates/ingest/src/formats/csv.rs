//! CSV and TSV: the separator (`,` `;` or tab) is the one whose first rows hold the best header;
//! UTF-8 with or without a byte-order mark, UTF-16 with one (Excel's "Unicode Text"), else
//! Windows-1252.
//!
//! Read in bounded memory: records are parsed one at a time with `csv_core`, straight from the
//! file's bytes, and a cell borrows its text from them unless it was quoted (or the file is
//! Windows-1252). The header is looked for in the first rows before anything else is kept, so a
//! file with no header — a 100 MB line of text, a log named `.csv` — costs its first rows, not
//! a grid of everything. No record may have more columns than a spreadsheet
//! ([`MAX_COLUMNS`]); a line with millions of separators is refused at its 16,385th cell.

use crate::IngestError;
use crate::file::FileContext;
use crate::grid::{Grid, Value};
use crate::header::{self, HEADER_SEARCH_ROWS};
use csv_core::ReadFieldResult;
use std::borrow::Cow;

/// Most cells a CSV record may have: the columns of a spreadsheet.
pub(crate) const MAX_COLUMNS: usize = 16_384;
/// How much of the file the separator is judged on.
const SAMPLE_BYTES: usize = 1 << 20;
/// Longest cell compared with column names while looking for the header; no name is longer,
/// and comparing a 100 MB cell would copy it twice.
const MAX_NAME_BYTES: usize = 1_000;

/// CSV or TSV (`tsv` breaks a tie between separators in favour of tab).
pub(crate) fn read_csv(
    bytes: &[u8],
    name: &str,
    tsv: bool,
    ctx: &mut FileContext<'_, '_>,
) -> Result<(), IngestError> {
    if let Some(utf8) = from_utf16(bytes) {
        return read_csv(utf8.as_bytes(), name, tsv, ctx);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = Text {
        bytes,
        utf8: std::str::from_utf8(bytes).is_ok(),
        lone_cr: has_lone_cr(bytes),
    };
    let vocabulary = ctx.opts.vocabulary;
    // The separator is judged on the first megabyte, where the header is.
    let sample = Text {
        bytes: &bytes[..bytes.len().min(SAMPLE_BYTES)],
        ..text
    };
    let score = |delimiter: u8| -> usize {
        let mut records = Records::new(sample, delimiter);
        let mut best = 0;
        for _ in 0..HEADER_SEARCH_ROWS {
            let Ok(Some((_, cells))) = records.next_record() else {
                break;
            };
            let known = cells
                .iter()
                .filter(|c| c.len() <= MAX_NAME_BYTES)
                .filter(|c| vocabulary.field(c).is_some() || vocabulary.wide_column(c).is_some())
                .count();
            best = best.max(known);
        }
        best
    };
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| (score(*d), std::cmp::Reverse((*d == b'\t') != tsv)))
        .unwrap_or(b',');

    // The header first, from the rows it can be in: a file without one stops here.
    let forced = ctx.plan.header_row;
    let head = head_grid(text, delimiter, forced, name, ctx)?;
    if header::find_header(&head, vocabulary, forced).is_err() {
        // Reading the head says why, exactly as reading the whole file would.
        ctx.sheet(name, &head, &[]);
        return Ok(());
    }
    drop(head);

    let max_rows = ctx.opts.config.input.max_rows;
    let mut builder = ctx.builder(name);
    let mut records = Records::new(text, delimiter);
    let mut count: u64 = 0;
    let mut swallowed = Vec::new();
    while let Some((line, cells)) = records.next_record()? {
        if count >= max_rows {
            return Err(IngestError::TooManyRows {
                sheet: name.to_string(),
                limit: max_rows,
            });
        }
        count += 1;
        if records.line > line + 1 && cells.iter().any(|c| holds_a_row(c, delimiter)) {
            swallowed.push((line, records.line - 1));
        }
        push_row(&mut builder, line, cells, usize::MAX)?;
    }
    let grid = builder.finish(false);
    ctx.sheet(name, &grid, &swallowed);
    Ok(())
}

/// Separators on one line of a cell that make the line look like a row of its own rather than
/// a note typed over several lines: a session row has at least the date, client, region and
/// two scores.
const ROW_SEPARATORS: usize = 4;

/// Whether a cell that runs over several lines holds, after its first line break, a line that
/// looks like a row of its own (a quote left open swallows the rows after it).
fn holds_a_row(cell: &str, delimiter: u8) -> bool {
    cell.lines()
        .skip(1)
        .any(|l| l.bytes().filter(|&b| b == delimiter).count() >= ROW_SEPARATORS)
}

/// The rows the header search looks at: the first [`HEADER_SEARCH_ROWS`] used ones, and down to
/// the header row the user named. Cells too long to be a column name are cut short.
fn head_grid<'a>(
    text: Text<'a>,
    delimiter: u8,
    forced: Option<u32>,
    name: &str,
    ctx: &FileContext<'_, '_>,
) -> Result<Grid<'a>, IngestError> {
    let mut builder = ctx.builder(name);
    let mut records = Records::new(text, delimiter);
    let mut used = 0;
    while let Some((line, cells)) = records.next_record()? {
        let row = u32::try_from(line - 1).unwrap_or(u32::MAX);
        if used >= HEADER_SEARCH_ROWS && forced.is_none_or(|f| row > f) {
            break;
        }
        if cells.iter().any(|c| !c.trim().is_empty()) {
            used += 1;
        }
        push_row(&mut builder, line, cells, MAX_NAME_BYTES)?;
    }
    Ok(builder.finish(false))
}

/// Adds a record's non-blank cells on its line, each cut to `longest` bytes.
fn push_row<'a>(
    builder: &mut crate::grid::GridBuilder<'a>,
    line: u64,
    cells: Vec<Cow<'a, str>>,
    longest: usize,
) -> Result<(), IngestError> {
    let row = u32::try_from(line - 1).unwrap_or(u32::MAX);
    for (col, mut cell) in cells.into_iter().enumerate() {
        if cell.trim().is_empty() {
            continue;
        }
        if cell.len() > longest {
            let mut end = longest;
            while !cell.is_char_boundary(end) {
                end -= 1;
            }
            cell = Cow::Owned(cell[..end].to_string());
        }
        builder.push(row, col as u32, Value::Text(cell))?;
    }
    Ok(())
}

/// A CSV file's bytes, whether they are UTF-8 (else each cell is read as Windows-1252, what
/// Excel on Windows writes for "CSV" without "UTF-8"), and whether a line ever ends in a lone
/// `\r` (old Mac exports), which `csv_core`'s line count does not see.
#[derive(Clone, Copy)]
struct Text<'a> {
    bytes: &'a [u8],
    utf8: bool,
    lone_cr: bool,
}

impl<'a> Text<'a> {
    fn cell(&self, raw: &'a [u8]) -> Cow<'a, str> {
        if self.utf8 {
            String::from_utf8_lossy(raw)
        } else {
            Cow::Owned(raw.iter().map(|&b| cp1252(b)).collect())
        }
    }

    fn owned_cell(&self, raw: Vec<u8>) -> Cow<'a, str> {
        if self.utf8 {
            Cow::Owned(
                String::from_utf8(raw)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            )
        } else {
            Cow::Owned(raw.iter().map(|&b| cp1252(b)).collect())
        }
    }
}

/// A file that starts with a UTF-16 byte-order mark, as UTF-8 text: one copy, at most one and a
/// half times the file (which the file-size limit already bounds). A broken pair of surrogates
/// becomes `�`, which the cell's reason then shows.
fn from_utf16(bytes: &[u8]) -> Option<String> {
    let little = match bytes.get(..2)? {
        [0xFF, 0xFE] => true,
        [0xFE, 0xFF] => false,
        _ => return None,
    };
    let units = bytes[2..].chunks_exact(2).map(|p| {
        let pair = [p[0], p[1]];
        if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    Some(
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    )
}

fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

/// A record: the line it starts on, and its cells.
type Record<'a> = (u64, Vec<Cow<'a, str>>);

/// Records one at a time, each with the line it starts on (counting from 1; a line ends at
/// `\n`, `\r\n` or a lone `\r`, as old Mac exports write). Blank lines are skipped.
struct Records<'a> {
    text: Text<'a>,
    reader: csv_core::Reader,
    pos: usize,
    /// The line `pos` is on.
    line: u64,
    scratch: Box<[u8]>,
}

impl<'a> Records<'a> {
    fn new(text: Text<'a>, delimiter: u8) -> Records<'a> {
        Records {
            text,
            reader: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            pos: 0,
            line: 1,
            scratch: vec![0; 64 << 10].into_boxed_slice(),
        }
    }

    /// The next record: its line and its cells.
    ///
    /// # Errors
    /// [`IngestError::TooManyColumns`] for a record wider than a spreadsheet.
    fn next_record(&mut self) -> Result<Option<Record<'a>>, IngestError> {
        let bytes = self.text.bytes;
        let start = self.pos;
        while self.pos < bytes.len() && matches!(bytes[self.pos], b'\r' | b'\n') {
            self.pos += 1;
        }
        self.line += breaks(bytes, start, self.pos);
        if self.pos >= bytes.len() {
            return Ok(None);
        }
        let (line, record_start, counted) = (self.line, self.pos, self.reader.line());
        let mut cells = Vec::new();
        while let Some((cell, record_end)) = self.next_field() {
            if cells.len() == MAX_COLUMNS {
                return Err(IngestError::TooManyColumns {
                    line,
                    limit: MAX_COLUMNS as u64,
                });
            }
            cells.push(cell);
            if record_end {
                break;
            }
        }
        self.line += if self.text.lone_cr {
            breaks(bytes, record_start, self.pos)
        } else {
            self.reader.line() - counted
        };
        Ok(Some((line, cells)))
    }

    /// One field, borrowed from the bytes unless it was quoted; `None` at the end of the input.
    fn next_field(&mut self) -> Option<(Cow<'a, str>, bool)> {
        let bytes = self.text.bytes;
        let start = self.pos;
        let quoted = bytes.get(start) == Some(&b'"');
        let mut owned = Vec::new();
        let mut written = 0;
        loop {
            let (result, read, wrote) = self
                .reader
                .read_field(&bytes[self.pos..], &mut self.scratch);
            self.pos += read;
            written += wrote;
            if quoted {
                owned.extend_from_slice(&self.scratch[..wrote]);
            }
            match result {
                ReadFieldResult::InputEmpty | ReadFieldResult::OutputFull => {}
                ReadFieldResult::Field { record_end } => {
                    let cell = if quoted {
                        self.text.owned_cell(owned)
                    } else {
                        // Unquoted, the field is its bytes as they stand.
                        self.text.cell(&bytes[start..start + written])
                    };
                    return Some((cell, record_end));
                }
                ReadFieldResult::End => return None,
            }
        }
    }
}

fn has_lone_cr(bytes: &[u8]) -> bool {
    bytes.contains(&b'\r')
        && bytes
            .iter()
            .enumerate()
            .any(|(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
}

/// Line breaks in `bytes[from..to]`: `\n`, and `\r` not followed by `\n`.
fn breaks(bytes: &[u8], from: usize, to: usize) -> u64 {
    (from..to)
        .filter(|&i| bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The records of UTF-8 `text`.
    fn utf8(text: &str, delimiter: u8) -> Records<'_> {
        Records::new(
            Text {
                bytes: text.as_bytes(),
                utf8: true,
                lone_cr: has_lone_cr(text.as_bytes()),
            },
            delimiter,
        )
    }

    fn all(text: &str, delimiter: u8) -> Vec<(u64, Vec<String>)> {
        let mut r = utf8(text, delimiter);
        let mut out = Vec::new();
        while let Some((line, cells)) = r.next_record().unwrap() {
            out.push((line, cells.into_iter().map(Cow::into_owned).collect()));
        }
        out
    }

    fn row(line: u64, cells: &[&str]) -> (u64, Vec<String>) {
        (line, cells.iter().map(|c| c.to_string()).collect())
    }

    #[test]
    fn records_carry_the_line_they_start_on() {
        let text = "a,b\n\n\"x\ny\",\"say \"\"hi\"\"\"\r\nlast,;\r\r\nend";
        assert_eq!(
            all(text, b','),
            [
                row(1, &["a", "b"]),
                row(3, &["x\ny", "say \"hi\""]),
                row(5, &["last", ";"]),
                row(7, &["end"]),
            ]
        );
        let text = "a,b\n\n\"x\ny\",z\r\n\r\nlast\n";
        assert_eq!(
            all(text, b','),
            [
                row(1, &["a", "b"]),
                row(3, &["x\ny", "z"]),
                row(6, &["last"])
            ]
        );
        // Old Mac line ends: a lone carriage return.
        assert_eq!(
            all("a;b\rc;d\r", b';'),
            [row(1, &["a", "b"]), row(2, &["c", "d"])]
        );
    }

    #[test]
    fn a_record_wider_than_a_spreadsheet_is_refused() {
        let text = "x,".repeat(MAX_COLUMNS) + "x\n";
        let mut r = utf8(&text, b',');
        let err = r.next_record().unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1 has more than 16384 columns, more than a spreadsheet can have; it is not a table relief can read"
        );
        let fits = "x,".repeat(MAX_COLUMNS - 1) + "x\n";
        assert_eq!(all(&fits, b',')[0].1.len(), MAX_COLUMNS);
    }

    #[test]
    fn unquoted_cells_borrow_and_windows_1252_is_decoded() {
        let bytes = b"caf\xe9,\x80 5\n";
        let mut r = Records::new(
            Text {
                bytes,
                utf8: false,
                lone_cr: false,
            },
            b',',
        );
        let (_, cells) = r.next_record().unwrap().unwrap();
        assert_eq!(cells, ["café", "€ 5"]);
        let text = "plain,\"quoted\"\n";
        let mut r = utf8(text, b',');
        let (_, cells) = r.next_record().unwrap().unwrap();
        assert!(matches!(cells[0], Cow::Borrowed("plain")));
        assert_eq!(cells[1], "quoted");
    }
}
