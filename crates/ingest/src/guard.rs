//! Checks made before a file is handed to the spreadsheet library (SPEC §2.8).
//!
//! calamine trusts what a file says about itself: a sheet's claimed dimension, the shared-string
//! count, the sizes of zip parts. A crafted file can turn that trust into an allocation of
//! hundreds of gigabytes, which aborts the process (no `catch_unwind` can stop an abort). So
//! each file is first recognised by its bytes (not its name), and a zip package is checked from
//! its central directory: the number of parts, the total unpacked size and the packing ratio of
//! each part. The zip reader refuses to unpack a part past its declared size, so these declared
//! sizes bound what can be unpacked later. The shared-string count of an xlsx is checked against
//! the cell limit the same way, and an ods's content is checked in one streaming pass
//! (`guard/ods.rs`) for what calamine would expand it into.

mod ods;
mod xlsb;

use crate::IngestError;
use relief_core::config::InputConfig;
use std::io::Cursor;
use zip::ZipArchive;

/// What a file is, by its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Xlsx,
    /// Excel's binary workbook: a zip package like xlsx, with binary parts.
    Xlsb,
    Xls,
    Ods,
    Csv,
}

/// Most parts a spreadsheet package may have; real ones have tens.
pub(crate) const MAX_ZIP_PARTS: usize = 10_000;
/// Largest packing ratio of a part above [`RATIO_FLOOR`] bytes. Real sheet XML packs 5–50 times;
/// deflate cannot exceed about 1032.
pub(crate) const MAX_RATIO: u64 = 500;
/// Parts smaller than this unpacked are never suspicious, whatever their ratio.
pub(crate) const RATIO_FLOOR: u64 = 8 << 20;

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const EMPTY_ZIP_MAGIC: &[u8] = b"PK\x05\x06";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Recognises a file from its first bytes and its name's ending.
///
/// # Errors
/// Empty, password-protected, unsupported or not-a-spreadsheet files, each with a reason.
pub(crate) fn sniff(ext: &str, bytes: &[u8]) -> Result<Kind, IngestError> {
    let ext = ext.to_ascii_lowercase();
    if bytes.is_empty() {
        return Err(IngestError::Empty);
    }
    let unsupported = || {
        IngestError::Unsupported(
            crate::paths::not_read_kind(&ext).map_or_else(|| format!("'.{ext}'"), str::to_string),
        )
    };
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(EMPTY_ZIP_MAGIC) {
        return match ext.as_str() {
            "ods" => Ok(Kind::Ods),
            // An xlsx saved under another name still reads as one; the parts say which it is.
            "xlsx" | "xlsm" | "xlsb" | "xls" if has_part(bytes, "xl/workbook.bin") => {
                Ok(Kind::Xlsb)
            }
            "xlsx" | "xlsm" | "xlsb" | "xls" => Ok(Kind::Xlsx),
            "csv" | "tsv" => Err(IngestError::NotASpreadsheet(format!(
                "the file is named .{ext} but is a zip package (perhaps an .xlsx renamed)"
            ))),
            _ => Err(unsupported()),
        };
    }
    if bytes.starts_with(CFB_MAGIC) {
        if is_encrypted_package(bytes) {
            return Err(IngestError::PasswordProtected);
        }
        return match ext.as_str() {
            "xls" | "xlsx" | "xlsm" | "xlsb" => Ok(Kind::Xls),
            _ if crate::paths::not_read_kind(&ext).is_some() => Err(unsupported()),
            _ => Err(IngestError::NotASpreadsheet(
                "it is an old-style Office file but not an Excel workbook".into(),
            )),
        };
    }
    match ext.as_str() {
        "csv" | "tsv" => Ok(Kind::Csv),
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => Err(IngestError::NotASpreadsheet(format!(
            "the name ends in .{ext} but the content is {}; if it is a CSV export, name it .csv",
            if looks_like_text(bytes) {
                "plain text"
            } else {
                "not a spreadsheet"
            }
        ))),
        _ => Err(unsupported()),
    }
}

/// Whether a zip package's central directory lists `name` (nothing is unpacked).
fn has_part(bytes: &[u8], name: &str) -> bool {
    ZipArchive::new(Cursor::new(bytes)).is_ok_and(|z| z.index_for_name(name).is_some())
}

/// An encrypted OOXML workbook is a CFB container with an `EncryptedPackage` stream; its name
/// sits in the directory, stored as UTF-16.
fn is_encrypted_package(bytes: &[u8]) -> bool {
    let needle: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    bytes.windows(needle.len()).any(|w| w == needle)
}

/// Text has no NUL bytes; binary formats are full of them.
fn looks_like_text(bytes: &[u8]) -> bool {
    !bytes[..bytes.len().min(4096)].contains(&0)
}

/// Checks a zip package from its central directory (no part is unpacked here, except the
/// shared strings up to their first tag and a counting pass over an ods's content).
///
/// # Errors
/// Too many parts, too large unpacked, a suspicious ratio, a shared-string count or repeated
/// cells beyond the cell limit, or a damaged zip.
pub(crate) fn check_zip(bytes: &[u8], kind: Kind, input: &InputConfig) -> Result<(), IngestError> {
    let (max_unzipped_mb, max_cells) = (input.max_unzipped_mb, input.max_cells);
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
    if zip.len() > MAX_ZIP_PARTS {
        return Err(IngestError::TooManyParts {
            count: zip.len(),
            limit: MAX_ZIP_PARTS,
        });
    }
    let limit = max_unzipped_mb.saturating_mul(1 << 20);
    let mut total: u64 = 0;
    let mut shared_strings = Vec::new();
    for i in 0..zip.len() {
        let entry = zip.by_index_data(i).map_err(zip_error)?;
        let size = entry.size();
        total = total.saturating_add(size);
        if total > limit {
            return Err(IngestError::UnzippedTooLarge {
                size_mb: total >> 20,
                limit_mb: max_unzipped_mb,
            });
        }
        let packed = entry.compressed_size().max(1);
        if size > RATIO_FLOOR && size / packed > MAX_RATIO {
            return Err(IngestError::SuspiciousRatio {
                part: entry.name().map(|n| n.to_string()).unwrap_or_default(),
                ratio: size / packed,
            });
        }
        if let Ok(name) = entry.name()
            && name.to_ascii_lowercase().ends_with("sharedstrings.xml")
        {
            shared_strings.push((i, size));
        }
    }
    for (i, size) in shared_strings {
        check_shared_strings(&mut zip, i, size, max_cells)?;
    }
    if kind == Kind::Ods {
        check_ods(&mut zip, input)?;
    }
    if kind == Kind::Xlsb {
        xlsb::check_records(&mut zip)?;
    }
    Ok(())
}

pub(crate) fn zip_error(e: zip::result::ZipError) -> IngestError {
    IngestError::Corrupt(format!("not a valid zip package: {e}"))
}

/// calamine reserves memory for the declared number of shared strings; a count no honest part
/// of this size could hold (each string takes at least `<si/>`, 5 bytes) is refused.
fn check_shared_strings(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    index: usize,
    size: u64,
    max_cells: u64,
) -> Result<(), IngestError> {
    let part = zip.by_index(index).map_err(zip_error)?;
    let Some(count) = declared_unique_count(std::io::BufReader::new(part)) else {
        return Ok(());
    };
    if count > max_cells && count <= size / 5 + 1 {
        return Err(IngestError::TooManyCells {
            where_: "the file".into(),
            limit: max_cells,
        });
    }
    if count > size / 5 + 1 {
        return Err(IngestError::Corrupt(format!(
            "it claims {count} distinct texts, more than its {size} bytes can hold"
        )));
    }
    Ok(())
}

/// The `uniqueCount` of the first `<sst>` tag, found as calamine finds it: by an XML reader,
/// so spaces around `=`, a namespace prefix or a long comment before the tag cannot hide it.
/// The part's size is already bounded, so reading up to the tag is too. An empty value says
/// nothing; a value with anything but digits (after surrounding spaces) counts as huge, so it
/// is refused rather than trusted.
fn declared_unique_count(part: impl std::io::BufRead) -> Option<u64> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(part);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(tag) | Event::Empty(tag) if tag.local_name().as_ref() == "sst" => {
                let attr = tag
                    .attributes()
                    .with_checks(false)
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == "uniqueCount")?;
                let digits = attr.value.trim();
                if digits.is_empty() {
                    return None;
                }
                return Some(if digits.bytes().all(|b| b.is_ascii_digit()) {
                    digits.parse().unwrap_or(u64::MAX)
                } else {
                    u64::MAX
                });
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// Hands an ods's `content.xml` to the streaming pre-check in [`ods`].
fn check_ods(zip: &mut ZipArchive<Cursor<&[u8]>>, input: &InputConfig) -> Result<(), IngestError> {
    let Ok(content) = zip.by_name("content.xml") else {
        // calamine says the file is damaged in its own words.
        return Ok(());
    };
    let limits = ods::OdsLimits {
        max_rows: input.max_rows,
        max_cells: input.max_cells,
    };
    ods::check_content(
        std::io::BufReader::with_capacity(64 << 10, content),
        &limits,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_recognised_by_their_bytes() {
        assert_eq!(sniff("xlsx", b"PK\x03\x04rest").unwrap(), Kind::Xlsx);
        assert_eq!(sniff("XLS", b"PK\x03\x04rest").unwrap(), Kind::Xlsx);
        assert_eq!(sniff("ods", b"PK\x03\x04rest").unwrap(), Kind::Ods);
        assert_eq!(sniff("csv", b"date;client").unwrap(), Kind::Csv);
        assert_eq!(sniff("TSV", b"date\tclient").unwrap(), Kind::Csv);
        let numbers = sniff("numbers", b"PK\x03\x04rest").unwrap_err().to_string();
        assert_eq!(
            numbers,
            "Apple Numbers (.numbers) files are not read; save the file as .xlsx or .csv"
        );
        let mut cfb = CFB_MAGIC.to_vec();
        cfb.extend_from_slice(&[0; 600]);
        assert_eq!(sniff("xls", &cfb).unwrap(), Kind::Xls);
        assert!(matches!(sniff("xlsx", b""), Err(IngestError::Empty)));
        let text = sniff("xlsx", b"date,client,before\n")
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("plain text") && text.contains(".csv"),
            "{text}"
        );
    }

    #[test]
    fn an_encrypted_package_is_password_protected() {
        let mut cfb = CFB_MAGIC.to_vec();
        cfb.extend_from_slice(&[0; 1000]);
        for u in "EncryptedPackage".encode_utf16() {
            cfb.extend_from_slice(&u.to_le_bytes());
        }
        let err = sniff("xlsx", &cfb).unwrap_err();
        assert!(matches!(err, IngestError::PasswordProtected));
        assert!(err.to_string().contains("without one"));
    }

    #[test]
    fn the_unique_count_is_found_however_the_tag_is_written() {
        let count = |xml: &str| declared_unique_count(xml.as_bytes());
        assert_eq!(count(r#"<sst count="5" uniqueCount="3">"#), Some(3));
        // Spaces or a tab around '=', a prefix, a long comment first: XML allows them all.
        assert_eq!(
            count(r#"<sst uniqueCount = "1099511627776">"#),
            Some(1 << 40)
        );
        assert_eq!(count("<sst uniqueCount\t=\t'12'>"), Some(12));
        assert_eq!(count(r#"<x:sst xmlns:x="u" x:uniqueCount="7"/>"#), Some(7));
        let padded = format!("<!--{}--><sst uniqueCount=\"9\">", " ".repeat(10_000));
        assert_eq!(count(&padded), Some(9));
        assert_eq!(
            count("<sst uniqueCount='99999999999999999999999'>"),
            Some(u64::MAX)
        );
        assert_eq!(count("<sst uniqueCount='+5'>"), Some(u64::MAX));
        assert_eq!(count(r#"<sst count="x">"#), None);
        assert_eq!(count(r#"<sst uniqueCount="">"#), None);
        assert_eq!(count("<notsst/>"), None);
    }
}
