//! What the fuzz targets share: reading bytes the way `relief` reads a file (the default
//! config, a fixed pseudonym key), and turning a fuzz input into a zip package.
//!
//! xlsx, xlsb and ods are zip packages. Fuzzing the package bytes themselves would spend
//! nearly every run failing the zip's CRC checks, so those targets fuzz the parts inside —
//! the sheet XML, the shared strings, the workbook — and zip them here, uncompressed. An
//! input is its parts joined by a separator, in a fixed order per format; parts the input does
//! not reach take a small valid default, and an empty part is left out of the package.

use relief_core::{Config, Vocabulary};
use relief_ingest::{FileRead, Pseudonymizer, ReadOptions};
use std::io::Write;
use std::sync::{Once, OnceLock};

/// The default config and its vocabulary, built once.
fn setup() -> &'static (Config, Vocabulary, Pseudonymizer) {
    static SETUP: OnceLock<(Config, Vocabulary, Pseudonymizer)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let config = Config::default();
        let vocabulary = Vocabulary::new(&config);
        (config, vocabulary, Pseudonymizer::new(b"fuzz"))
    })
}

/// Reads `bytes` as a file named `name`, as `relief` would.
///
/// The reader catches the panics of a malformed file and reports them as that file's error;
/// libFuzzer's own panic hook would abort on them first, so relief's hook (which stays quiet
/// for caught panics and passes every other panic on to libFuzzer's) is installed once.
pub fn read(name: &str, bytes: &[u8]) -> FileRead {
    static HOOK: Once = Once::new();
    HOOK.call_once(relief_ingest::install_quiet_panic_hook);
    let (config, vocabulary, pseudonymizer) = setup();
    let opts = ReadOptions {
        config,
        vocabulary,
        pseudonymizer,
        header_row: None,
    };
    let read = relief_ingest::read_bytes(name, bytes, &opts);
    check(&read);
    read
}

/// What must hold for every file read, whatever its bytes.
fn check(read: &FileRead) {
    let counted: u64 = read.report.sheets.iter().map(|s| s.rows_used).sum();
    assert_eq!(
        counted,
        read.records.len() as u64,
        "rows used match the records"
    );
    let rejected: u64 = read.report.sheets.iter().map(|s| s.rows_rejected).sum();
    assert_eq!(
        rejected,
        read.rejects.len() as u64,
        "rows rejected match the rejects"
    );
    if read.report.sheets.is_empty() {
        assert!(
            read.report.error.is_some(),
            "a file with no sheet read says why"
        );
    }
}

/// Splits `data` at `separator` into at most `names.len()` parts and pairs them with the
/// package paths; missing parts take `defaults`, empty ones are left out.
pub fn parts<'a>(
    data: &'a [u8],
    separator: &[u8],
    names: &[&'a str],
    defaults: &[&'a [u8]],
) -> Vec<(&'a str, &'a [u8])> {
    let mut pieces: Vec<&[u8]> = Vec::new();
    let mut rest = data;
    while pieces.len() + 1 < names.len() {
        match rest.windows(separator.len()).position(|w| w == separator) {
            Some(at) => {
                pieces.push(&rest[..at]);
                rest = &rest[at + separator.len()..];
            }
            None => break,
        }
    }
    pieces.push(rest);
    names
        .iter()
        .enumerate()
        .filter_map(|(i, name)| {
            let part = pieces
                .get(i)
                .copied()
                .or_else(|| defaults.get(i).copied())?;
            (!part.is_empty()).then_some((*name, part))
        })
        .collect()
}

/// A zip package of `parts`, stored without compression (the CRCs are right by construction).
pub fn zip(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in parts {
        // A name the zip writer refuses (a repeat) only loses that part.
        if zip.start_file(*name, stored).is_ok() {
            let _ = zip.write_all(data);
        }
    }
    zip.finish().map(|c| c.into_inner()).unwrap_or_default()
}
