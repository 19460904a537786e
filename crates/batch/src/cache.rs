//! The parsed-file cache, `<out>/.relief/cache/`: what reading each inbox file found, kept so
//! a later run can rebuild a month from the whole inbox without opening every spreadsheet again.
//!
//! Visit numbers count every session of a client in the whole input, and the trend spans the
//! whole range the input covers (SPEC §3), so a month's report needs every file's records, not
//! only the files that hold that month. Reading a year of exports every night to rebuild one
//! month would make the batch as slow as reading everything; instead each file's [`FileRead`]
//! (records, rejects, footers and the file's report — everything [`relief_ingest::merge`]
//! needs) is saved when the file is read, and loaded back when a later run needs it.
//!
//! One cache file per inbox file and content: `<content sha256>-<path tag>.json`, where the
//! path tag is a short hash of the file's path inside the inbox. The path is part of the name
//! because what a file reads as depends on where it stands (per-file settings in the config,
//! a CSV's sheet named after its file), and two copies of one export in different folders must
//! not overwrite each other's cache. Inside, the cache records its format version, the
//! settings fingerprint, the path and the content hash; a cache that disagrees with any of
//! them is not used, so a new config, key or relief version never mixes old readings into new
//! reports.
//!
//! The cache holds what the reports hold: clients and (when configured) therapists as keyed
//! pseudonyms, never the identifiers in the spreadsheets. Deleting the folder is always safe:
//! the next run that needs a file's reading opens its spreadsheet again and saves it anew.
//!
//! `Record` keeps its text in shared `Arc<str>` and has no serde derive, and the shared crates'
//! serde features are not to be changed (that would rebuild polars), so records go through
//! private mirror structs here. Scores are written as text in Rust's shortest round-trip form,
//! so every figure read back is the same `f64`, bit for bit, and the reports built from a cache
//! are the same bytes as those built from the spreadsheet.

use crate::layout::write_atomic;
use crate::{BatchError, Layout, Ledger, Outcome};
use chrono::NaiveDate;
use relief_core::summary::FileReport;
use relief_core::{Origin, Pressure, Record, Records, Region, Reject, Side};
use relief_ingest::{FileRead, Footer};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// The cache format this relief writes and reads. A cache of any other version is not used
/// (the file is read again and its cache rewritten).
pub const CACHE_VERSION: u32 = 2;

/// Why a file's cache could not be used; the file is then read from its spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CacheMiss {
    /// There is no cache for this content at this path (deleted, or never written).
    #[error("no cached reading")]
    Missing,
    /// The cache exists but is not a cache this relief can read, or does not describe this
    /// file (another format version, other settings, another path or content).
    #[error("cached reading not usable ({0})")]
    Unusable(String),
}

/// The cache folder of one batch setup, for one settings fingerprint.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    settings: String,
}

impl Cache {
    /// The cache in `layout`'s state folder, for readings made with `settings` (the ledger's
    /// fingerprint).
    pub fn new(layout: &Layout, settings: &str) -> Cache {
        Cache {
            dir: layout.cache(),
            settings: settings.to_string(),
        }
    }

    /// Where the reading of the content `sha256` at inbox path `key` is kept.
    pub fn path(&self, sha256: &str, key: &str) -> PathBuf {
        self.dir.join(file_name(sha256, key))
    }

    /// Saves what reading the file at inbox path `key` found, atomically. `read` must have
    /// been read under that path (its records name it). A reading without a content hash (the
    /// file could not even be opened) is not kept: there is nothing to key it by.
    ///
    /// # Errors
    /// [`BatchError::Io`] when the cache folder or file cannot be written.
    pub fn save(&self, key: &str, read: &FileRead) -> Result<(), BatchError> {
        let sha256 = &read.report.sha256;
        if sha256.is_empty() {
            return Ok(());
        }
        std::fs::create_dir_all(&self.dir).map_err(BatchError::io(&self.dir, "created"))?;
        let stored = Stored::from_read(&self.settings, key, read);
        let bytes = serde_json::to_vec(&stored).expect("a cached reading always serialises");
        write_atomic(&self.path(sha256, key), &bytes)
    }

    /// Loads the reading of the content `sha256` at inbox path `key`, as [`FileRead`] with its
    /// path set to `key`, otherwise exactly as [`relief_ingest::read_file_as`] returned it.
    ///
    /// # Errors
    /// [`CacheMiss::Missing`] when there is none; [`CacheMiss::Unusable`] when it cannot be
    /// read or was made for other settings, another format, path or content.
    pub fn load(&self, key: &str, sha256: &str) -> Result<FileRead, CacheMiss> {
        let path = self.path(sha256, key);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(CacheMiss::Missing),
            Err(e) => return Err(CacheMiss::Unusable(e.to_string())),
        };
        let stored: Stored =
            serde_json::from_slice(&bytes).map_err(|e| CacheMiss::Unusable(e.to_string()))?;
        let unusable = |what: &str| Err(CacheMiss::Unusable(what.to_string()));
        if stored.version != CACHE_VERSION {
            return unusable("made by another relief version");
        }
        if stored.settings != self.settings {
            return unusable("made with other settings");
        }
        if stored.path != key || stored.report.path != key {
            return unusable("made for another path");
        }
        if stored.report.sha256 != sha256 {
            return unusable("made for other content");
        }
        stored.into_read().map_err(CacheMiss::Unusable)
    }

    /// Removes every cache file that no file standing in `ledger` (done or failed) points to —
    /// the readings of removed files and of contents since replaced — and any temporary file a
    /// killed run left. Returns how many files it removed. Called under the lock, after the
    /// ledger is saved.
    pub fn sweep(&self, ledger: &Ledger) -> usize {
        let keep: BTreeSet<String> = ledger
            .files
            .iter()
            .filter(|(_, e)| e.outcome != Outcome::Removed)
            .map(|(key, e)| file_name(&e.sha256, key))
            .collect();
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !keep.contains(&name)
                && entry.file_type().is_ok_and(|t| t.is_file())
                && std::fs::remove_file(entry.path()).is_ok()
            {
                removed += 1;
            }
        }
        removed
    }
}

/// `<sha256>-<first 16 hex digits of the path's sha256>.json`.
fn file_name(sha256: &str, key: &str) -> String {
    let tag = hex::encode(Sha256::digest(key.as_bytes()));
    format!("{sha256}-{}.json", &tag[..16])
}

/// The cache file.
#[derive(Serialize, Deserialize)]
struct Stored {
    version: u32,
    settings: String,
    /// The inbox path the file was read under; every record, reject and footer names it.
    path: String,
    report: FileReport,
    /// Sheet names the records and footers point into, so each name is written once.
    sheets: Vec<String>,
    records: Vec<StoredRecord>,
    rejects: Vec<Reject>,
    footers: Vec<StoredFooter>,
}

/// A [`Record`] without its file (the cache's `path`), its sheet as an index into `sheets`.
#[derive(Serialize, Deserialize)]
struct StoredRecord {
    /// `YYYY-MM-DD`.
    date: String,
    client: String,
    /// `None` for a sheet without a therapist column (a solo practice).
    therapist: Option<String>,
    session_id: Option<String>,
    region: Region,
    side: Option<Side>,
    before: Exact,
    after: Exact,
    pressure: Option<Pressure>,
    minutes: Option<Exact>,
    focus: Option<bool>,
    technique: Option<String>,
    sheet: u32,
    row: u32,
}

#[derive(Serialize, Deserialize)]
struct StoredFooter {
    sheet: u32,
    row: u32,
}

/// An `f64` written as text in its shortest round-trip form, so it reads back bit for bit
/// whatever the JSON parser's float settings.
#[derive(Clone, Copy)]
struct Exact(f64);

impl Serialize for Exact {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl<'de> Deserialize<'de> for Exact {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Exact, D::Error> {
        let text = String::deserialize(d)?;
        text.parse()
            .map(Exact)
            .map_err(|_| serde::de::Error::custom(format!("not a number: {text}")))
    }
}

const DATE: &str = "%Y-%m-%d";

impl Stored {
    fn from_read(settings: &str, key: &str, read: &FileRead) -> Stored {
        let mut sheets: Vec<String> = Vec::new();
        let mut index: HashMap<String, u32> = HashMap::new();
        let mut intern = |name: &str| -> u32 {
            if let Some(i) = index.get(name) {
                return *i;
            }
            let i = sheets.len() as u32;
            sheets.push(name.to_string());
            index.insert(name.to_string(), i);
            i
        };
        let ids: Vec<u32> = read
            .records
            .iter()
            .map(|r| intern(&r.origin.sheet))
            .collect();
        let footer_ids: Vec<u32> = read.footers.iter().map(|f| intern(&f.sheet)).collect();
        let records = read
            .records
            .iter()
            .zip(ids)
            .map(|(r, sheet)| StoredRecord {
                date: r.date.format(DATE).to_string(),
                client: r.client.to_string(),
                therapist: r.therapist.as_deref().map(str::to_string),
                session_id: r.session_id.as_deref().map(str::to_string),
                region: r.region,
                side: r.side,
                before: Exact(r.before),
                after: Exact(r.after),
                pressure: r.pressure,
                minutes: r.minutes.map(Exact),
                focus: r.focus,
                technique: r.technique.as_deref().map(str::to_string),
                sheet,
                row: r.origin.row,
            })
            .collect();
        let footers = read
            .footers
            .iter()
            .zip(footer_ids)
            .map(|(f, sheet)| StoredFooter { sheet, row: f.row })
            .collect();
        Stored {
            version: CACHE_VERSION,
            settings: settings.to_string(),
            path: key.to_string(),
            report: read.report.clone(),
            sheets,
            records,
            rejects: read.rejects.clone(),
            footers,
        }
    }

    fn into_read(self) -> Result<FileRead, String> {
        let file: Arc<str> = Arc::from(self.path.as_str());
        let sheets: Vec<Arc<str>> = self.sheets.iter().map(|s| Arc::from(s.as_str())).collect();
        let sheet = |i: u32| -> Result<&Arc<str>, String> {
            sheets
                .get(i as usize)
                .ok_or_else(|| format!("sheet {i} is not listed"))
        };
        let mut records = Records::with_capacity(self.records.len());
        for r in self.records {
            let date = NaiveDate::parse_from_str(&r.date, DATE)
                .map_err(|_| format!("not a date: {}", r.date))?;
            records.push(Record {
                date,
                client: Arc::from(r.client),
                therapist: r.therapist.map(Arc::from),
                session_id: r.session_id.map(Arc::from),
                region: r.region,
                side: r.side,
                before: r.before.0,
                after: r.after.0,
                pressure: r.pressure,
                minutes: r.minutes.map(|m| m.0),
                focus: r.focus,
                technique: r.technique.map(Arc::from),
                origin: Origin {
                    file: file.clone(),
                    sheet: sheet(r.sheet)?.clone(),
                    row: r.row,
                },
            });
        }
        let mut footers = Vec::with_capacity(self.footers.len());
        for f in self.footers {
            footers.push(Footer {
                file: self.path.clone(),
                sheet: sheet(f.sheet)?.to_string(),
                row: f.row,
            });
        }
        Ok(FileRead {
            path: PathBuf::from(&self.path),
            report: self.report,
            records,
            rejects: self.rejects,
            footers,
            // Notes say what `validate -v` resolved; no report shows them, so none are kept.
            notes: Vec::new(),
        })
    }
}

impl Cache {
    /// Loads many readings at once, in parallel: `(key, sha256)` pairs in, each key with its
    /// reading or why there is none out, in the order given.
    pub fn load_all(
        &self,
        wanted: &[(String, String)],
    ) -> Vec<(String, Result<FileRead, CacheMiss>)> {
        use rayon::prelude::*;
        wanted
            .par_iter()
            .map(|(key, sha256)| (key.clone(), self.load(key, sha256)))
            .collect()
    }
}

/// Reads files from their spreadsheets, in parallel: each is opened at `inbox/<key>` and read
/// under its inbox path `key`, which its records, rejects and report carry. `on_file_done` is
/// called as each file finishes, from any thread.
pub fn read_files(
    inbox: &std::path::Path,
    keys: &[String],
    opts: &relief_ingest::ReadOptions<'_>,
    on_file_done: &(dyn Fn() + Sync),
) -> Vec<FileRead> {
    use rayon::prelude::*;
    keys.par_iter()
        .map(|key| {
            let read = relief_ingest::read_file_as(&inbox.join(key), key, opts);
            on_file_done();
            read
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use relief_core::{Config, Vocabulary};
    use relief_ingest::{Pseudonymizer, ReadOptions};
    use std::path::Path;

    /// Reads `path` as the batch would, with a fixed key.
    fn read(path: &Path) -> FileRead {
        let config = Config::default();
        let vocabulary = Vocabulary::new(&config);
        let pseudonymizer = Pseudonymizer::new(b"a test key of thirty-two bytes!!");
        let opts = ReadOptions::new(&config, &vocabulary, &pseudonymizer);
        relief_ingest::read_file(path, &opts)
    }

    fn assert_same(a: &FileRead, b: &FileRead) {
        assert_eq!(a.path, b.path);
        assert_eq!(a.report, b.report);
        assert_eq!(a.records, b.records);
        assert_eq!(a.rejects, b.rejects);
        assert_eq!(a.footers, b.footers);
        // Bit for bit, not only equal: -0.0 == 0.0 would hide a sign lost on the way.
        for (x, y) in a.records.iter().zip(&b.records) {
            assert_eq!(x.before.to_bits(), y.before.to_bits());
            assert_eq!(x.after.to_bits(), y.after.to_bits());
            assert_eq!(x.minutes.map(f64::to_bits), y.minutes.map(f64::to_bits));
        }
    }

    fn setup() -> (tempfile::TempDir, Layout, String) {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("inbox")).unwrap();
        let layout = Layout::prepare(&tmp.path().join("inbox"), &tmp.path().join("out")).unwrap();
        let csv = "Date,Client,Therapist,Region,Before,After,Minutes,Session\n\
                   2026-10-03,Mia Ross,Ana,neck,7.3,2.1,12.5,s1\n\
                   2026-10-03,Mia Ross,Ana,lower back,0.1,0.3,,s1\n\
                   2026-10-04,Ola Berg,Ben,hips,6,11,20,s2\n\
                   2026-11-02,Ola Berg,Ben,shoulders,5.55,1.05,7.25,s3\n\
                   ,Total,,,,,,\n";
        let path = layout.inbox.join("oct.csv");
        std::fs::write(&path, csv).unwrap();
        let key = path.display().to_string();
        (tmp, layout, key)
    }

    #[test]
    fn a_reading_comes_back_exactly_as_it_was_read() {
        let (_tmp, layout, key) = setup();
        let original = read(Path::new(&key));
        // The file has records in two months, a reject (after 11) and a footer.
        assert_eq!(original.records.len(), 3, "{:?}", original.report);
        assert_eq!(original.rejects.len(), 1);
        assert_eq!(original.footers.len(), 1);
        assert!(
            !original.records.get(0).client.contains("Mia"),
            "clients are pseudonymised"
        );

        let cache = Cache::new(&layout, "settings-1");
        cache.save(&key, &original).unwrap();
        let back = cache.load(&key, &original.report.sha256).unwrap();
        assert_same(&original, &back);
        // The records share one file name and one sheet name, as read_file's do.
        assert!(Arc::ptr_eq(
            &back.records.get(0).origin.file,
            &back.records.get(2).origin.file
        ));

        // No raw client name is kept.
        let text = std::fs::read_to_string(cache.path(&original.report.sha256, &key)).unwrap();
        assert!(!text.contains("Mia") && !text.contains("Ola"), "{text}");
    }

    #[test]
    fn a_cache_for_other_settings_content_or_path_is_not_used() {
        let (_tmp, layout, key) = setup();
        let original = read(Path::new(&key));
        let sha = original.report.sha256.clone();
        Cache::new(&layout, "settings-1")
            .save(&key, &original)
            .unwrap();

        let other = Cache::new(&layout, "settings-2");
        assert!(matches!(
            other.load(&key, &sha),
            Err(CacheMiss::Unusable(_))
        ));
        let cache = Cache::new(&layout, "settings-1");
        assert_eq!(cache.load(&key, "0123").err(), Some(CacheMiss::Missing));
        assert_eq!(
            cache.load("elsewhere.csv", &sha).err(),
            Some(CacheMiss::Missing)
        );

        // A cache copied under another name (content or path) says it is not for this file.
        std::fs::copy(cache.path(&sha, &key), cache.path("0123", &key)).unwrap();
        assert!(matches!(
            cache.load(&key, "0123"),
            Err(CacheMiss::Unusable(_))
        ));
        std::fs::copy(cache.path(&sha, &key), cache.path(&sha, "b.csv")).unwrap();
        assert!(matches!(
            cache.load("b.csv", &sha),
            Err(CacheMiss::Unusable(_))
        ));
        std::fs::write(cache.path(&sha, &key), "{").unwrap();
        assert!(matches!(
            cache.load(&key, &sha),
            Err(CacheMiss::Unusable(_))
        ));
    }

    #[test]
    fn sweeping_keeps_only_the_readings_the_ledger_points_to() {
        let (_tmp, layout, key) = setup();
        let original = read(Path::new(&key));
        let sha = original.report.sha256.clone();
        let cache = Cache::new(&layout, "s");
        cache.save(&key, &original).unwrap();
        std::fs::write(cache.path("old", &key), "x").unwrap();
        std::fs::write(cache.path(&sha, "gone.csv"), "x").unwrap();
        std::fs::write(layout.cache().join(".relief-x.tmp"), "x").unwrap();

        let mut ledger = Ledger::default();
        let entry = |sha: &str, outcome| crate::Entry {
            sha256: sha.into(),
            size: 1,
            modified_ns: None,
            months: vec![],
            outcome,
            reason: None,
            recorded: "now".into(),
        };
        ledger.files.insert(key.clone(), entry(&sha, Outcome::Done));
        ledger
            .files
            .insert("gone.csv".into(), entry(&sha, Outcome::Removed));
        assert_eq!(cache.sweep(&ledger), 3);
        assert!(cache.load(&key, &sha).is_ok());
        assert_eq!(std::fs::read_dir(layout.cache()).unwrap().count(), 1);
    }
}
