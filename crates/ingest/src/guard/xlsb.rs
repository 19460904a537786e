//! The xlsb pre-check: every binary part calamine reads is a run of records, each with its
//! length in front. calamine reserves that length before it reads the record, so a record that
//! claims 256 MB in a part of a few bytes would cost 256 MB; and a row header past row
//! 1,048,576 makes calamine end the sheet there without a word. One streaming pass over the
//! record headers refuses both before calamine opens the file.

use crate::IngestError;
use std::io::{Cursor, Read};
use zip::ZipArchive;

/// The last row a sheet can have, 0-based (calamine stops a sheet at a row header past it).
const LAST_ROW: u32 = 0x0010_0000;
/// `BrtRowHdr`: the record that starts a row in a sheet part.
const ROW_HEADER: u16 = 0x0000;

/// Checks the record lengths of the parts calamine reads (workbook, shared strings, styles and
/// worksheets), and the row numbers of the worksheets.
///
/// # Errors
/// [`IngestError::Corrupt`] naming the part.
pub(crate) fn check_records(zip: &mut ZipArchive<Cursor<&[u8]>>) -> Result<(), IngestError> {
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(super::zip_error)?;
        let name = part.name().map(|n| n.to_string()).unwrap_or_default();
        let lower = name.to_ascii_lowercase();
        let is_sheet = lower.starts_with("xl/worksheets/") && lower.ends_with(".bin");
        let read = is_sheet
            || matches!(
                lower.as_str(),
                "xl/workbook.bin" | "xl/sharedstrings.bin" | "xl/styles.bin"
            );
        if !read {
            continue;
        }
        let size = part.size();
        check_part(&mut part, size, is_sheet)
            .map_err(|problem| IngestError::Corrupt(format!("the part {name} {problem}")))?;
    }
    Ok(())
}

/// Walks one part's records; `Err` says what is wrong with it.
fn check_part(part: &mut impl Read, size: u64, is_sheet: bool) -> Result<(), String> {
    let mut reader = Counting {
        inner: part,
        read: 0,
    };
    loop {
        let Some(first) = reader.byte() else {
            return Ok(());
        };
        let mut typ = u16::from(first);
        if first & 0x80 != 0 {
            let Some(second) = reader.byte() else {
                return Ok(());
            };
            typ = u16::from(first & 0x7F) + (u16::from(second & 0x7F) << 7);
        }
        let mut len: u64 = 0;
        for i in 0..4 {
            let Some(b) = reader.byte() else {
                return Ok(());
            };
            len += u64::from(b & 0x7F) << (7 * i);
            if b & 0x80 == 0 {
                break;
            }
        }
        if len > size.saturating_sub(reader.read) {
            return Err(format!(
                "has a record of {len} bytes, longer than the part itself ({size} bytes)"
            ));
        }
        let mut skip = len;
        if is_sheet && typ == ROW_HEADER && len >= 4 {
            let mut row = [0u8; 4];
            if reader.inner.read_exact(&mut row).is_err() {
                return Ok(());
            }
            reader.read += 4;
            skip -= 4;
            let row = u32::from_le_bytes(row);
            if row > LAST_ROW {
                return Err(format!(
                    "starts row {} of a sheet, past the last row a sheet can have",
                    u64::from(row) + 1
                ));
            }
        }
        let skipped = std::io::copy(&mut (&mut reader.inner).take(skip), &mut std::io::sink())
            .map_err(|e| format!("cannot be unpacked ({e})"))?;
        reader.read += skipped;
        if skipped < skip {
            return Ok(());
        }
    }
}

/// A reader that counts what it read, byte by byte for the record headers.
struct Counting<'r, R: Read> {
    inner: &'r mut R,
    read: u64,
}

impl<R: Read> Counting<'_, R> {
    fn byte(&mut self) -> Option<u8> {
        let mut b = [0u8; 1];
        self.inner.read_exact(&mut b).ok()?;
        self.read += 1;
        Some(b[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_longer_than_its_part_is_refused() {
        // A record of type 0x0013 claiming 0x0FFFFFFF bytes.
        let part = [0x13, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3];
        let err = check_part(&mut &part[..], part.len() as u64, false).unwrap_err();
        assert_eq!(
            err,
            "has a record of 268435455 bytes, longer than the part itself (8 bytes)"
        );
        // Two honest records.
        let part = [0x13, 0x02, 1, 2, 0x81, 0x01, 0x01, 9];
        check_part(&mut &part[..], part.len() as u64, false).unwrap();
    }

    #[test]
    fn a_row_past_the_last_row_is_refused_in_sheets_only() {
        let mut part = vec![0x00, 0x04];
        part.extend_from_slice(&(LAST_ROW + 1).to_le_bytes());
        let err = check_part(&mut &part[..], part.len() as u64, true).unwrap_err();
        assert!(err.contains("row 1048578"), "{err}");
        check_part(&mut &part[..], part.len() as u64, false).unwrap();
    }
}
