//! `.xlsb`: the binary parts (record streams), joined by `--part--` in the order of `PARTS`,
//! zipped here; through relief's record-length pre-check and then calamine's cell reader.
#![no_main]

const PARTS: [&str; 7] = [
    "xl/worksheets/sheet1.bin",
    "xl/sharedStrings.bin",
    "xl/styles.bin",
    "xl/workbook.bin",
    "xl/_rels/workbook.bin.rels",
    "[Content_Types].xml",
    "_rels/.rels",
];

const RELS: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/></Relationships>"#;
const ROOT: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>"#;
const TYPES: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>"#;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let parts = relief_fuzz::parts(
        data,
        b"--part--",
        &PARTS,
        &[b"", b"", b"", b"", RELS, TYPES, ROOT],
    );
    relief_fuzz::read("fuzz.xlsb", &relief_fuzz::zip(&parts));
});
