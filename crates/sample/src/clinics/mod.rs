//! The messy sample: four clinic export styles, one module each, with the usual mess and a
//! short, exact list of planted problems.
//!
//! * **north-clinic.xlsx** — long layout, a title block (merged title cell, export note, blank
//!   row) above the header on row 4, Excel date cells, numeric scores, a `Side` column, pressure
//!   words, `Yes`/`No` focus flags, a blank row between months, a `Total` footer and an unrelated
//!   `Price list` sheet. Some clients have plain numeric ids written as number cells.
//! * **harbour-spa.xlsx** — wide layout, one row per visit with a visit id, ISO text dates,
//!   pressure 1–4, a focus list (`lower back; neck`), and per region `before`/`after` (or
//!   `pre`/`post`, either word order, some with `(0-10)`) and minutes; scores as `7/10` text or
//!   numbers.
//! * **riverside-studio.csv** — `;` separated with a byte-order mark and CRLF line ends, long
//!   layout with other header spellings, `d/m/y` text dates, `7,5` decimal commas, sides in the
//!   region name (`left shoulder`, `R hip`, `calves (L)`), pressure words such as `deep tissue`,
//!   `x` focus flags and one line of empty cells.
//! * **willow-practice.xlsx** — a workbook kept by hand: merged cells, ditto rows, a two-row
//!   header, typed dates and minutes, hidden sheets, a solo book without a therapist column and
//!   two sheets that are not session sheets (see `willow`).
//!
//! Planted problems (each recorded in the [`Manifest`] and the README): an out-of-range score
//! (north), a missing after-score (harbour), an unreadable date and an unknown region
//! (riverside), a region row with nothing to continue and a `15:00` time as minutes (willow),
//! one north session exported again identically in the riverside file, and one north session
//! × region repeated there with a different after-score. With more than four files the styles
//! repeat; the problems stay in the first four files (three files leave the willow style out).
//!
//! This module holds what the styles share: which sessions go to which file, the planting
//! (`plant`), the record of planted features, and small cell helpers. Each style's writer is its
//! own module: `north`, `harbour`, `riverside`.

mod harbour;
mod north;
mod plant;
mod riverside;
mod willow;

use crate::model::{Client, STYLES, Session, World};
use crate::{Feature, FeatureKind, Manifest, SampleError, SampleOptions, write_atomic};
use chrono::{Datelike, NaiveDate};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use relief_core::Region;
use rust_xlsxwriter::{ExcelDateTime, XlsxError};
use std::path::Path;
/// Sheet names of the workbooks.
pub(crate) const NORTH_SHEET: &str = "Sessions";
pub(crate) const HARBOUR_SHEET: &str = "Treatment log";
pub(crate) const PRICE_SHEET: &str = "Price list";

/// What a session carries into its file besides its data: the problems planted in it.
#[derive(Debug, Default, Clone)]
pub(super) struct Mark {
    /// The first row's before-score is written as 11.
    pub(super) out_of_range: bool,
    /// This region's after-score is left blank (wide layout).
    pub(super) missing_after: Option<Region>,
    /// The first row's date is written as `32/13/2026`.
    pub(super) bad_date: bool,
    /// An extra row with the region `elbow pit` follows the session's rows.
    pub(super) unknown_region: bool,
    pub(super) dup: Option<DupRole>,
    /// This region row's minutes are written as a time of that many hours (`15:00`).
    pub(super) implausible_minutes: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum DupRole {
    IdenticalOriginal,
    IdenticalCopy,
    /// The original of a conflict; the region whose copy disagrees.
    ConflictOriginal(Region),
    ConflictCopy,
}

#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) session: Session,
    pub(super) mark: Mark,
}

/// What a clinic's writer works from: the file's sessions, every client, the file's name, the
/// stream its spellings and cell forms draw from, and the list its planted features go to.
pub(super) struct Job<'a> {
    pub(super) entries: &'a [Entry],
    pub(super) clients: &'a [Client],
    pub(super) file: &'a str,
    pub(super) rng: &'a mut ChaCha8Rng,
    pub(super) features: &'a mut Vec<Feature>,
}

/// File name of export file `index`: the styles repeat, later copies get a number.
pub(crate) fn file_name(index: usize) -> String {
    let (stem, ext) = match index % STYLES {
        0 => ("north-clinic", "xlsx"),
        1 => ("harbour-spa", "xlsx"),
        2 => ("riverside-studio", "csv"),
        _ => ("willow-practice", "xlsx"),
    };
    match index / STYLES {
        0 => format!("{stem}.{ext}"),
        n => format!("{stem}-{}.{ext}", n + 1),
    }
}

/// A client's identifier as the clinic writes it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum ClientId {
    Number(u32),
    Text(String),
}

pub(super) fn client_id(clients: &[Client], i: usize) -> ClientId {
    let c = &clients[i];
    let n = i as u32;
    match c.style {
        0 if c.numeric_id => ClientId::Number(40001 + n),
        0 => ClientId::Text(format!("C-{}", 40001 + n)),
        1 => ClientId::Text(format!("HS-{}", 1001 + n)),
        2 => ClientId::Text(format!("{}", 50001 + n)),
        // A hand-kept book names its clients.
        _ => ClientId::Text(willow::client_name(i)),
    }
}

impl ClientId {
    pub(super) fn text(&self) -> String {
        match self {
            ClientId::Number(n) => n.to_string(),
            ClientId::Text(t) => t.clone(),
        }
    }
}

/// Writes the messy sample and its README.
pub(crate) fn write(out_dir: &Path, opts: &SampleOptions) -> Result<Manifest, SampleError> {
    if opts.files < 3 {
        return Err(SampleError::TooFewFiles {
            what: "the messy sample (one file per clinic style)",
            needed: 3,
            got: opts.files,
        });
    }
    if opts.sessions < crate::MIN_MESSY_SESSIONS {
        return Err(SampleError::TooFewSessions {
            needed: crate::MIN_MESSY_SESSIONS,
            got: opts.sessions,
        });
    }
    let mut world = World::new(opts.seed, opts.sessions, opts.files);
    let mut per_file: Vec<Vec<Entry>> = vec![Vec::new(); opts.files];
    let clinic_of: Vec<usize> = world.clients.iter().map(|c| c.clinic).collect();
    for session in world.by_ref() {
        let file = clinic_of[session.client];
        per_file[file].push(Entry {
            session,
            mark: Mark::default(),
        });
    }
    let clients = world.clients;
    let numeric: Vec<bool> = clients.iter().map(|c| c.numeric_id).collect();
    plant::plant(&mut per_file, &numeric);

    // Spellings and cell forms draw from their own stream, so the data itself does not depend
    // on how it is written.
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0x5EED_CAFE_F00D_0001);
    let mut manifest = Manifest::default();
    let mut summaries = Vec::new();
    for (index, entries) in per_file.iter().enumerate() {
        let name = file_name(index);
        let rows: usize = entries.iter().map(|e| e.session.rows.len()).sum();
        let workbook_error = |source| SampleError::Workbook {
            path: out_dir.join(&name),
            source,
        };
        let job = Job {
            entries,
            clients: &clients,
            file: &name,
            rng: &mut rng,
            features: &mut manifest.features,
        };
        let bytes = match index % STYLES {
            0 => north::write(job).map_err(workbook_error)?,
            1 => harbour::write(job).map_err(workbook_error)?,
            2 => riverside::write(job).map_err(|source| SampleError::Csv {
                path: out_dir.join(&name),
                source,
            })?,
            _ => willow::write(job).map_err(workbook_error)?,
        };
        manifest.files.push(write_atomic(out_dir, &name, &bytes)?);
        summaries.push(crate::readme::FileSummary {
            name,
            sessions: entries.len(),
            rows,
        });
    }
    let readme = crate::readme::render(opts, &summaries, &manifest.features);
    manifest
        .files
        .push(write_atomic(out_dir, "README.md", readme.as_bytes())?);
    Ok(manifest)
}

/// Records a planted feature at `(file, sheet)`.
pub(super) fn feature(
    features: &mut Vec<Feature>,
    (file, sheet): (&str, &str),
    kind: FeatureKind,
    row: u32,
    column: Option<&'static str>,
    value: impl Into<String>,
    note: impl Into<String>,
) {
    features.push(Feature {
        kind,
        file: file.to_string(),
        sheet: sheet.to_string(),
        row,
        column,
        value: value.into(),
        note: note.into(),
    });
}

/// Records a planted blank row (with nothing in it to name) at `row` of `(file, sheet)`.
pub(super) fn blank_row(features: &mut Vec<Feature>, place: (&str, &str), row: u32, note: &str) {
    feature(features, place, FeatureKind::BlankRow, row, None, "", note);
}

pub(super) fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

/// A score as a plain number, or as `7/10` text.
pub(super) fn score_text(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}
