//! A small writer of real `.xlsb` workbooks (Excel's binary format, MS-XLSB), for the tests.
//!
//! Nothing in the Rust stack writes xlsb and LibreOffice only reads it, so the tests build the
//! package themselves: a zip of BIFF12 record streams (type, length, payload), with the parts
//! Excel writes for a plain workbook — workbook, one stream per sheet, shared strings and
//! styles (one date style, number format 14). The tests check what relief reads against what
//! LibreOffice reads from the same file.

use super::C;
use std::io::Write;
use std::path::Path;

/// One BIFF12 record: its type and length as variable-length integers, then its payload.
fn record(out: &mut Vec<u8>, typ: u16, payload: &[u8]) {
    if typ < 0x80 {
        out.push(typ as u8);
    } else {
        out.push((typ & 0x7F) as u8 | 0x80);
        out.push((typ >> 7) as u8);
    }
    let mut len = payload.len();
    loop {
        let b = (len & 0x7F) as u8;
        len >>= 7;
        if len == 0 {
            out.push(b);
            break;
        }
        out.push(b | 0x80);
    }
    out.extend_from_slice(payload);
}

/// An `XLWideString`: a character count, then UTF-16LE.
fn wide(s: &str) -> Vec<u8> {
    let units: Vec<u16> = s.encode_utf16().collect();
    let mut v = (units.len() as u32).to_le_bytes().to_vec();
    for u in units {
        v.extend_from_slice(&u.to_le_bytes());
    }
    v
}

/// A `Cell` header: column, then the style index in 24 bits and a flags byte.
fn cell(col: u32, style: u32) -> Vec<u8> {
    let mut v = col.to_le_bytes().to_vec();
    v.extend_from_slice(&style.to_le_bytes()[..3]);
    v.push(0);
    v
}

/// Serial day number of a date in the 1900 system (after February 1900).
fn serial(y: u16, m: u8, d: u8) -> f64 {
    let days_from_civil = |y: i64, m: i64, d: i64| {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    };
    (days_from_civil(i64::from(y), i64::from(m), i64::from(d)) - days_from_civil(1899, 12, 30))
        as f64
}

fn sheet_part(rows: &[Vec<C>], strings: &mut Vec<String>) -> Vec<u8> {
    let mut out = Vec::new();
    record(&mut out, 0x0081, &[]); // BrtBeginSheet
    let width = rows.iter().map(Vec::len).max().unwrap_or(1).max(1) as u32;
    let mut dim = Vec::new();
    for v in [0, rows.len().max(1) as u32 - 1, 0, width - 1] {
        dim.extend_from_slice(&v.to_le_bytes());
    }
    record(&mut out, 0x0094, &dim); // BrtWsDim
    record(&mut out, 0x0091, &[]); // BrtBeginSheetData
    for (r, row) in rows.iter().enumerate() {
        let mut hdr = (r as u32).to_le_bytes().to_vec();
        hdr.extend_from_slice(&[0, 0, 0, 0, 0x2C, 0x01, 0, 0, 0]);
        hdr.extend_from_slice(&0u32.to_le_bytes());
        record(&mut out, 0x0000, &hdr); // BrtRowHdr
        for (c, value) in row.iter().enumerate() {
            let c = c as u32;
            match value {
                C::E | C::F(..) => {}
                C::S(t) if c.is_multiple_of(2) => {
                    // Even columns through the shared strings, odd ones inline, as Excel mixes.
                    let i = strings.iter().position(|s| s == t).unwrap_or_else(|| {
                        strings.push(t.clone());
                        strings.len() - 1
                    });
                    let mut p = cell(c, 0);
                    p.extend_from_slice(&(i as u32).to_le_bytes());
                    record(&mut out, 0x0007, &p); // BrtCellIsst
                }
                C::S(t) => {
                    let mut p = cell(c, 0);
                    p.extend_from_slice(&wide(t));
                    record(&mut out, 0x0006, &p); // BrtCellSt
                }
                C::N(n) => {
                    let mut p = cell(c, 0);
                    p.extend_from_slice(&n.to_le_bytes());
                    record(&mut out, 0x0005, &p); // BrtCellReal
                }
                C::D(y, m, d) => {
                    let mut p = cell(c, 1);
                    p.extend_from_slice(&serial(*y, *m, *d).to_le_bytes());
                    record(&mut out, 0x0005, &p); // BrtCellReal, date style
                }
            }
        }
    }
    record(&mut out, 0x0092, &[]); // BrtEndSheetData
    record(&mut out, 0x0082, &[]); // BrtEndSheet
    out
}

fn workbook_part(names: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    record(&mut out, 0x0083, &[]); // BrtBeginBook
    record(&mut out, 0x0099, &[0; 12]); // BrtWbProp: 1900 dates
    record(&mut out, 0x008F, &[]); // BrtBeginBundleShs
    for (i, name) in names.iter().enumerate() {
        let mut p = 0u32.to_le_bytes().to_vec(); // visible
        p.extend_from_slice(&(i as u32 + 1).to_le_bytes());
        p.extend_from_slice(&wide(&format!("rId{}", i + 1)));
        p.extend_from_slice(&wide(name));
        record(&mut out, 0x009C, &p); // BrtBundleSh
    }
    record(&mut out, 0x0090, &[]); // BrtEndBundleShs
    record(&mut out, 0x009D, &[0; 26]); // BrtCalcProp
    record(&mut out, 0x0084, &[]); // BrtEndBook
    out
}

fn strings_part(strings: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut begin = (strings.len() as u32).to_le_bytes().to_vec();
    begin.extend_from_slice(&(strings.len() as u32).to_le_bytes());
    record(&mut out, 0x009F, &begin); // BrtBeginSst
    for s in strings {
        let mut p = vec![0u8]; // plain RichStr
        p.extend_from_slice(&wide(s));
        record(&mut out, 0x0013, &p); // BrtSSTItem
    }
    record(&mut out, 0x00A0, &[]); // BrtEndSst
    out
}

fn styles_part() -> Vec<u8> {
    let mut out = Vec::new();
    record(&mut out, 0x0116, &[]); // BrtBeginStyleSheet
    record(&mut out, 0x0267, &0u32.to_le_bytes()); // BrtBeginFmts: built-in formats only
    record(&mut out, 0x0268, &[]); // BrtEndFmts
    record(&mut out, 0x0272, &1u32.to_le_bytes()); // BrtBeginCellStyleXFs
    let mut style_xf = 0xFFFFu16.to_le_bytes().to_vec();
    style_xf.extend_from_slice(&[0; 14]);
    record(&mut out, 0x002F, &style_xf);
    record(&mut out, 0x0273, &[]); // BrtEndCellStyleXFs
    record(&mut out, 0x0269, &2u32.to_le_bytes()); // BrtBeginCellXFs
    for fmt in [0u16, 14] {
        let mut xf = 0u16.to_le_bytes().to_vec();
        xf.extend_from_slice(&fmt.to_le_bytes());
        xf.extend_from_slice(&[0; 12]);
        record(&mut out, 0x002F, &xf); // BrtXF: general, then yyyy-mm-dd style 14
    }
    record(&mut out, 0x026A, &[]); // BrtEndCellXFs
    record(&mut out, 0x0117, &[]); // BrtEndStyleSheet
    out
}

/// The parts of an xlsb with these sheets, as (name, bytes), in package order.
pub fn xlsb_parts(sheets: &[(&str, Vec<Vec<C>>)]) -> Vec<(String, Vec<u8>)> {
    let mut strings = Vec::new();
    let sheet_parts: Vec<Vec<u8>> = sheets
        .iter()
        .map(|(_, rows)| sheet_part(rows, &mut strings))
        .collect();
    let names: Vec<&str> = sheets.iter().map(|(n, _)| *n).collect();
    let mut types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>"#,
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for i in 1..=sheets.len() {
        types.push_str(&format!(r#"<Override PartName="/xl/worksheets/sheet{i}.bin" ContentType="application/vnd.ms-excel.worksheet"/>"#));
        rels.push_str(&format!(r#"<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.bin"/>"#));
    }
    let n = sheets.len();
    types.push_str(r#"<Override PartName="/xl/styles.bin" ContentType="application/vnd.ms-excel.styles"/><Override PartName="/xl/sharedStrings.bin" ContentType="application/vnd.ms-excel.sharedStrings"/></Types>"#);
    rels.push_str(&format!(r#"<Relationship Id="rId{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.bin"/><Relationship Id="rId{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.bin"/></Relationships>"#, n + 1, n + 2));
    let root = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>"#;
    let mut parts = vec![
        ("[Content_Types].xml".to_string(), types.into_bytes()),
        ("_rels/.rels".to_string(), root.as_bytes().to_vec()),
        ("xl/workbook.bin".to_string(), workbook_part(&names)),
        ("xl/_rels/workbook.bin.rels".to_string(), rels.into_bytes()),
        ("xl/styles.bin".to_string(), styles_part()),
        ("xl/sharedStrings.bin".to_string(), strings_part(&strings)),
    ];
    for (i, part) in sheet_parts.into_iter().enumerate() {
        parts.push((format!("xl/worksheets/sheet{}.bin", i + 1), part));
    }
    parts
}

/// Zips parts into a package (deflated, as Excel writes them).
pub fn zip_parts(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in parts {
        zip.start_file(name.clone(), opts).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Writes an xlsb with the given sheets; rows start at Excel row 1.
pub fn write_xlsb(path: &Path, sheets: &[(&str, Vec<Vec<C>>)]) {
    std::fs::write(path, zip_parts(&xlsb_parts(sheets))).unwrap();
}
