//! The xlsb pre-check: every binary part calamine reads is a run of records, each with its
//! length in front. calamine reserves that length before it reads the record, so a record that
//! claims 256 MB in a part of a few bytes would cost 256 MB; and a row header past row
//! 1,048,576 makes calamine end the sheet there without a word. One streaming pass over the
//! record headers refuses both before calamine opens the file. The styles part is walked a
//! second time the way calamine reads it (not record by record; found by fuzzing).

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
        let problem = |p: String| IngestError::Corrupt(format!("the part {name} {p}"));
        check_part(&mut part, size, is_sheet).map_err(problem)?;
        drop(part);
        if lower == "xl/styles.bin" {
            // Again, the way calamine reads it.
            let mut again = zip.by_index(i).map_err(super::zip_error)?;
            check_styles(&mut again, size).map_err(problem)?;
        }
    }
    Ok(())
}

/// Walks one part's records; `Err` says what is wrong with it.
fn check_part(part: &mut impl Read, size: u64, is_sheet: bool) -> Result<(), String> {
    let mut records = Records::new(part, size);
    loop {
        let Some(typ) = records.typ() else {
            return Ok(());
        };
        let Some(head) = records.body()? else {
            return Ok(());
        };
        if is_sheet && typ == ROW_HEADER && head.len >= 4 {
            let row = u32::from_le_bytes(head.first);
            if row > LAST_ROW {
                return Err(format!(
                    "starts row {} of a sheet, past the last row a sheet can have",
                    u64::from(row) + 1
                ));
            }
        }
    }
}

/// `BrtBeginFmts` and `BrtBeginCellXFs`, the records calamine looks for in the styles part,
/// and the records each of them counts.
const BEGIN_FORMATS: u16 = 0x0267;
const FORMAT: u16 = 0x002C;
const BEGIN_CELL_FORMATS: u16 = 0x0269;
const CELL_FORMAT: u16 = 0x002F;

/// Walks the styles part the way calamine reads it, which is not record by record: until it
/// meets one of the two records it wants it reads one type after another *without skipping
/// their bodies*, so any two bytes of a body can pass for a wanted record, and whatever follows
/// them for its length. Every length calamine would read this way must fit in the part.
fn check_styles(part: &mut impl Read, size: u64) -> Result<(), String> {
    let mut records = Records::new(part, size);
    loop {
        let Some(typ) = records.typ() else {
            return Ok(());
        };
        let wanted = match typ {
            BEGIN_FORMATS => FORMAT,
            BEGIN_CELL_FORMATS => CELL_FORMAT,
            _ => continue,
        };
        let Some(head) = records.body()? else {
            return Ok(());
        };
        // calamine then reads the counted records properly, skipping any others between.
        for _ in 0..u32::from_le_bytes(head.first) {
            loop {
                let Some(t) = records.typ() else {
                    return Ok(());
                };
                if records.body()?.is_none() {
                    return Ok(());
                }
                if t == wanted {
                    break;
                }
            }
        }
        if typ == BEGIN_CELL_FORMATS {
            return Ok(());
        }
    }
}

/// The start of a record's body, and its length.
struct Head {
    len: u64,
    first: [u8; 4],
}

/// A part read as BIFF12 records, counting what was read.
struct Records<'r, R: Read> {
    inner: &'r mut R,
    read: u64,
    size: u64,
}

impl<'r, R: Read> Records<'r, R> {
    fn new(inner: &'r mut R, size: u64) -> Self {
        Records {
            inner,
            read: 0,
            size,
        }
    }

    fn byte(&mut self) -> Option<u8> {
        let mut b = [0u8; 1];
        self.inner.read_exact(&mut b).ok()?;
        self.read += 1;
        Some(b[0])
    }

    /// A record type: one byte, or two when the first has its high bit set.
    fn typ(&mut self) -> Option<u16> {
        let first = self.byte()?;
        if first & 0x80 == 0 {
            return Some(u16::from(first));
        }
        let second = self.byte()?;
        Some(u16::from(first & 0x7F) + (u16::from(second & 0x7F) << 7))
    }

    /// A record's length (up to four bytes of seven bits) and body, skipped after its first
    /// four bytes; `None` at the end of the part, `Err` for a length past it.
    fn body(&mut self) -> Result<Option<Head>, String> {
        let mut len: u64 = 0;
        for i in 0..4 {
            let Some(b) = self.byte() else {
                return Ok(None);
            };
            len += u64::from(b & 0x7F) << (7 * i);
            if b & 0x80 == 0 {
                break;
            }
        }
        if len > self.size.saturating_sub(self.read) {
            return Err(format!(
                "has a record of {len} bytes, longer than the part itself ({} bytes)",
                self.size
            ));
        }
        let mut first = [0u8; 4];
        let head = len.min(4) as usize;
        if self.inner.read_exact(&mut first[..head]).is_err() {
            return Ok(None);
        }
        let rest = len - head as u64;
        let skipped = std::io::copy(&mut (&mut self.inner).take(rest), &mut std::io::sink())
            .map_err(|e| format!("cannot be unpacked ({e})"))?;
        self.read += head as u64 + skipped;
        Ok((skipped == rest).then_some(Head { len, first }))
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
    fn a_styles_part_calamine_would_misread_into_a_huge_record_is_refused() {
        // Found by fuzzing: a 761-byte workbook made calamine reserve 136 MB. As records the
        // part is sound — a record of type 0x0016 whose 8-byte body holds E7 04 (the type of
        // BrtBeginFmts) and then FF FF FF 40 — but calamine reads types without skipping
        // bodies, so it meets "BrtBeginFmts" inside the body and takes FF FF FF 40 for a length.
        let part = [0x16, 0x08, 0x00, 0xE7, 0x04, 0xFF, 0xFF, 0xFF, 0x40, 0x00];
        check_part(&mut &part[..], part.len() as u64, false).unwrap();
        let err = check_styles(&mut &part[..], part.len() as u64).unwrap_err();
        assert_eq!(
            err,
            "has a record of 136314879 bytes, longer than the part itself (10 bytes)"
        );
        // A styles part as Excel writes it passes both ways.
        let mut good = vec![0x96, 0x02, 0x00]; // BrtBeginStyleSheet
        good.extend([0xE7, 0x04, 0x04, 0x00, 0x00, 0x00, 0x00]); // BrtBeginFmts, 0 formats
        good.extend([0xE9, 0x04, 0x04, 0x01, 0x00, 0x00, 0x00]); // BrtBeginCellXFs, 1
        good.extend([0x2F, 0x10]);
        good.extend([0; 16]); // BrtXF
        check_part(&mut &good[..], good.len() as u64, false).unwrap();
        check_styles(&mut &good[..], good.len() as u64).unwrap();
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
