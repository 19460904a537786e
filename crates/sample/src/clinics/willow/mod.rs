//! The willow practice: a workbook kept by hand (SPEC §2.9), the way two therapists keep one
//! when no practice software writes it for them.
//!
//! * `Sessions` — Jo Marsh's sessions from August: a merged title, the header on row 2, the date,
//!   client and therapist merged down over a session's rows (every other session) or typed on its
//!   first row only (ditto rows), dates as date cells or typed text (`3 Oct 2026`, `Oct 3, 2026`,
//!   `03-Oct-2026`, `3.10.2026`, `14 Sept 2026`), minutes as numbers, time cells (`0:15`) or
//!   typed (`15 min`, `20 mins`, `0:25`, `12m`), a blank row between months, a `Total` footer.
//! * `Ruth` — Ruth Ade's sessions in the wide layout under a two-row header: region names merged
//!   across `Before | After | Minutes`, date, client and therapist merged down both header rows;
//!   minutes as numbers or duration cells.
//! * `Home visits` — Jo's home visits, a solo book without a therapist column, ditto rows.
//! * `Old months` (hidden) — Jo's sessions before August, kept like `Sessions`.
//! * `Lists` (hidden) — the drop-down lists (Region, Therapist, Technique); `Prices` — a price
//!   list. Neither is a session sheet.
//!
//! Plants two problems: a region row left without date and client after a blank row (nothing to
//! continue), and a time cell `15:00` in the minutes column (fifteen hours, not minutes).

mod long;
mod wide;

use super::{Entry, Job, feature};
use crate::model::{Client, Session};
use crate::{Feature, FeatureKind};
use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use relief_core::Region;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatBorder, XlsxError};

pub(crate) const SESSIONS_SHEET: &str = "Sessions";
pub(crate) const WIDE_SHEET: &str = "Ruth";
pub(crate) const HOME_SHEET: &str = "Home visits";
pub(crate) const OLD_SHEET: &str = "Old months";
pub(crate) const LISTS_SHEET: &str = "Lists";
pub(crate) const PRICES_SHEET: &str = "Prices";

/// Ruth Ade, in [`THERAPISTS`]: her sessions go to the wide sheet.
const RUTH: usize = 6;

/// The first day of the `Sessions` sheet; earlier sessions are on the hidden `Old months`.
fn sessions_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 8, 1).unwrap_or_default()
}

/// The sheet a willow session is written on.
pub(super) fn sheet_of(s: &Session) -> &'static str {
    if s.therapist == RUTH {
        WIDE_SHEET
    } else if s.client.is_multiple_of(5) {
        HOME_SHEET
    } else if s.date < sessions_start() {
        OLD_SHEET
    } else {
        SESSIONS_SHEET
    }
}

/// A client's name as the therapists write it: a first name and an initial.
pub(super) fn client_name(i: usize) -> String {
    const FIRST: [&str; 20] = [
        "Ada", "Ben", "Cleo", "Dan", "Eva", "Finn", "Gina", "Hugo", "Iris", "Jon", "Kira", "Leo",
        "Maya", "Nils", "Olga", "Paul", "Rosa", "Sven", "Tara", "Umar",
    ];
    let initial = (b'A' + (i / FIRST.len() % 26) as u8) as char;
    match i / (FIRST.len() * 26) {
        0 => format!("{} {initial}.", FIRST[i % FIRST.len()]),
        n => format!("{} {initial}. {}", FIRST[i % FIRST.len()], n + 1),
    }
}

/// The formats a hand-kept book uses.
struct Formats {
    date: Format,
    time: Format,
    duration: Format,
    bold: Format,
    merged: Format,
    merged_date: Format,
}

impl Formats {
    fn new() -> Formats {
        let merged = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(rust_xlsxwriter::FormatAlign::VerticalCenter);
        Formats {
            date: Format::new().set_num_format("d mmm yyyy"),
            time: Format::new().set_num_format("h:mm"),
            duration: Format::new().set_num_format("[h]:mm"),
            bold: Format::new().set_bold(),
            merged_date: merged.clone().set_num_format("d mmm yyyy"),
            merged,
        }
    }
}

/// Where planted features are recorded: the file and the feature list.
struct Log<'a> {
    file: &'a str,
    features: &'a mut Vec<Feature>,
    /// Cell forms already recorded, so each form is listed once (where it first appears).
    seen: Vec<(&'static str, String)>,
}

impl Log<'_> {
    fn add(
        &mut self,
        sheet: &str,
        kind: FeatureKind,
        row: u32,
        column: Option<&'static str>,
        value: &str,
        note: &str,
    ) {
        feature(
            self.features,
            (self.file, sheet),
            kind,
            row,
            column,
            value,
            note,
        );
    }

    fn blank_row(&mut self, sheet: &str, row: u32, note: &str) {
        super::blank_row(self.features, (self.file, sheet), row, note);
    }

    /// Records a feature the first time its `form` appears on `sheet`.
    fn first(
        &mut self,
        sheet: &'static str,
        kind: FeatureKind,
        row: u32,
        column: Option<&'static str>,
        value: &str,
        form: &str,
    ) {
        if !self.seen.contains(&(sheet, form.to_string())) {
            self.seen.push((sheet, form.to_string()));
            self.add(
                sheet,
                kind,
                row,
                column,
                value,
                &format!("{form} (the first of its kind here)"),
            );
        }
    }
}

/// The willow practice's workbook.
pub(super) fn write(job: Job) -> Result<Vec<u8>, XlsxError> {
    let mut wb = crate::new_workbook();
    let f = Formats::new();
    let mut log = Log {
        file: job.file,
        features: job.features,
        seen: Vec::new(),
    };
    let on = |sheet: &str| -> Vec<&Entry> {
        job.entries
            .iter()
            .filter(|e| sheet_of(&e.session) == sheet)
            .collect()
    };
    let book = Book {
        clients: job.clients,
        f: &f,
    };
    book.long(
        &mut wb,
        SESSIONS_SHEET,
        &on(SESSIONS_SHEET),
        job.rng,
        &mut log,
    )?;
    book.wide(&mut wb, &on(WIDE_SHEET), job.rng, &mut log)?;
    book.long(&mut wb, HOME_SHEET, &on(HOME_SHEET), job.rng, &mut log)?;
    book.long(&mut wb, OLD_SHEET, &on(OLD_SHEET), job.rng, &mut log)?;
    wide::lists(&mut wb, &f, &mut log)?;
    wide::prices(&mut wb, &f, &mut log)?;
    // Features in sheet order, then row order, as the README lists them.
    let order = [
        SESSIONS_SHEET,
        WIDE_SHEET,
        HOME_SHEET,
        OLD_SHEET,
        LISTS_SHEET,
        PRICES_SHEET,
    ];
    let mine = log
        .features
        .iter()
        .position(|f| f.file == job.file)
        .unwrap_or(0);
    log.features[mine..].sort_by_key(|f| (order.iter().position(|s| *s == f.sheet), f.row));
    wb.save_to_buffer()
}

/// What every sheet writer needs.
struct Book<'a> {
    clients: &'a [Client],
    f: &'a Formats,
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    super::excel_date(d)
}

/// A region as typed in the book, with its side in words: `left shoulders`.
fn region_name(region: Region, side: Option<relief_core::Side>) -> String {
    use relief_core::Side;
    let name = region.label().to_lowercase();
    match side {
        None => region.label().to_string(),
        Some(Side::Left) => format!("left {name}"),
        Some(Side::Right) => format!("right {name}"),
        Some(Side::Both) => format!("both {name}"),
    }
}

/// The date as text in one of the forms therapists type, or `None` for a date cell.
fn date_text(rng: &mut ChaCha8Rng, d: NaiveDate) -> Option<String> {
    let month = d.format("%b").to_string();
    let month = if d.month() == 9 && rng.random_bool(0.5) {
        "Sept".to_string()
    } else {
        month
    };
    Some(match rng.random_range(0..10) {
        0..=4 => return None,
        5 => format!("{} {month} {}", d.day(), d.year()),
        6 => format!("{month} {}, {}", d.day(), d.year()),
        7 => format!("{:02}-{month}-{}", d.day(), d.year()),
        8 => format!("{}.{}.{}", d.day(), d.month(), d.year()),
        _ => d.format("%-d %B %Y").to_string(),
    })
}

/// The form of a typed date, for the README: `3 Oct 2026`, `Oct 3, 2026` …
fn date_form(t: &str) -> &'static str {
    if t.contains('.') {
        "day.month.year (dots are day-first)"
    } else if t.contains(',') {
        "month name first (Oct 3, 2026)"
    } else if t.contains('-') {
        "03-Oct-2026"
    } else if t.contains("Sept") {
        "Sept for September"
    } else if t.split(' ').nth(1).is_some_and(|m| m.len() > 4) {
        "full month name (3 October 2026)"
    } else {
        "day and month name (3 Oct 2026)"
    }
}
