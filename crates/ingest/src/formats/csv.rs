//! CSV and other delimited text: the separator (`,` `;` or tab) is the one whose first rows hold
//! the best header; UTF-8 with or without a byte-order mark, else Windows-1252.

use crate::IngestError;
use crate::file::FileContext;
use crate::grid::Value;
use crate::header;
use std::borrow::Cow;
use std::path::Path;

/// Decodes CSV bytes: UTF-8 with or without a byte-order mark, else Windows-1252 (what Excel on
/// Windows writes for "CSV" without "UTF-8").
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| cp1252(b)).collect()),
    }
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

/// CSV: the separator (`,` `;` or tab) is the one whose first rows hold the best header.
pub(crate) fn read_csv(
    bytes: &[u8],
    path: &Path,
    ctx: &mut FileContext<'_, '_>,
) -> Result<(), IngestError> {
    let text = decode(bytes);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let vocabulary = ctx.opts.vocabulary;
    let score = |delimiter: u8| -> usize {
        csv_reader(&text, delimiter)
            .records()
            .take(header::HEADER_SEARCH_ROWS)
            .filter_map(Result::ok)
            .map(|r| {
                r.iter()
                    .filter(|c| {
                        vocabulary.field(c).is_some() || vocabulary.wide_column(c).is_some()
                    })
                    .count()
            })
            .max()
            .unwrap_or(0)
    };
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| (score(*d), std::cmp::Reverse(*d == b'\t')))
        .unwrap_or(b',');
    let max_rows = ctx.opts.config.input.max_rows;
    let mut records = Vec::new();
    for r in csv_reader(&text, delimiter).records() {
        let r = r.map_err(|e| IngestError::Corrupt(format!("not readable as CSV: {e}")))?;
        if records.len() as u64 >= max_rows {
            return Err(IngestError::TooManyRows {
                sheet: name.clone(),
                limit: max_rows,
            });
        }
        records.push(r);
    }
    let mut builder = ctx.builder(&name);
    for r in &records {
        let line = record_line(&text, r.position()) as u32;
        for (col, cell) in r.iter().enumerate() {
            if !cell.trim().is_empty() {
                builder.push(line - 1, col as u32, Value::Text(Cow::Borrowed(cell)))?;
            }
        }
    }
    let grid = builder.finish(false);
    ctx.sheet(&name, &grid);
    Ok(())
}

/// The line a record starts on. The csv crate reports the position where it began looking,
/// which is before any blank lines it skipped; count those.
fn record_line(text: &str, position: Option<&csv::Position>) -> u64 {
    let Some(p) = position else { return 1 };
    let mut line = p.line();
    for b in text.as_bytes().iter().skip(p.byte() as usize) {
        match b {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
    }
    line
}

fn csv_reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}
