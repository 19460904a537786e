//! `.ods`: `content.xml` (then, after NUL bytes, the manifest and `meta.xml`), zipped here with
//! the right `mimetype`; through relief's streaming pre-check of the content and then calamine.
#![no_main]

const PARTS: [&str; 4] = [
    "mimetype",
    "content.xml",
    "META-INF/manifest.xml",
    "meta.xml",
];

const MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";
const MANIFEST: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // The mimetype comes first and is always right: calamine refuses anything else at once.
    let mut parts = vec![(PARTS[0], MIMETYPE)];
    parts.extend(relief_fuzz::parts(
        data,
        b"\0",
        &PARTS[1..],
        &[b"", MANIFEST, b""],
    ));
    relief_fuzz::read("fuzz.ods", &relief_fuzz::zip(&parts));
});
