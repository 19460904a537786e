//! The messy sample: three clinic export styles with the usual mess and a short, exact list of
//! planted problems.
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
//!
//! Planted problems (each recorded in the [`Manifest`] and the README): an out-of-range score
//! (north), a missing after-score (harbour), an unreadable date and an unknown region
//! (riverside), one north session exported again identically in the riverside file, and one
//! north session × region repeated there with a different after-score. With more than three
//! files the styles repeat; the problems stay in the first three files.

use crate::model::{Client, Session, THERAPISTS, World, has_sides};
use crate::{Feature, FeatureKind, Manifest, SampleError, SampleOptions, write_atomic};
use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relief_core::{Pressure, Region, Side};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};
use std::path::Path;

/// Sheet names of the workbooks.
pub(crate) const NORTH_SHEET: &str = "Sessions";
pub(crate) const HARBOUR_SHEET: &str = "Treatment log";
pub(crate) const PRICE_SHEET: &str = "Price list";

/// What a session carries into its file besides its data: the problems planted in it.
#[derive(Debug, Default, Clone)]
struct Mark {
    /// The first row's before-score is written as 11.
    out_of_range: bool,
    /// This region's after-score is left blank (wide layout).
    missing_after: Option<Region>,
    /// The first row's date is written as `32/13/2026`.
    bad_date: bool,
    /// An extra row with the region `elbow pit` follows the session's rows.
    unknown_region: bool,
    dup: Option<DupRole>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum DupRole {
    IdenticalOriginal,
    IdenticalCopy,
    /// The original of a conflict; the region whose copy disagrees.
    ConflictOriginal(Region),
    ConflictCopy,
}

#[derive(Debug, Clone)]
struct Entry {
    session: Session,
    mark: Mark,
}

/// File name of export file `index`: the styles repeat, later copies get a number.
pub(crate) fn file_name(index: usize) -> String {
    let (stem, ext) = match index % 3 {
        0 => ("north-clinic", "xlsx"),
        1 => ("harbour-spa", "xlsx"),
        _ => ("riverside-studio", "csv"),
    };
    match index / 3 {
        0 => format!("{stem}.{ext}"),
        n => format!("{stem}-{}.{ext}", n + 1),
    }
}

/// A client's identifier as the clinic writes it.
#[derive(Debug, Clone, PartialEq)]
enum ClientId {
    Number(u32),
    Text(String),
}

fn client_id(clients: &[Client], i: usize) -> ClientId {
    let c = &clients[i];
    let n = i as u32;
    match c.style {
        0 if c.numeric_id => ClientId::Number(40001 + n),
        0 => ClientId::Text(format!("C-{}", 40001 + n)),
        1 => ClientId::Text(format!("HS-{}", 1001 + n)),
        _ => ClientId::Text(format!("{}", 50001 + n)),
    }
}

impl ClientId {
    fn text(&self) -> String {
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
    plant(&mut per_file, &numeric);

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
        let bytes = match index % 3 {
            0 => north(entries, &clients, &name, &mut rng, &mut manifest.features)
                .map_err(workbook_error)?,
            1 => harbour(entries, &clients, &name, &mut rng, &mut manifest.features)
                .map_err(workbook_error)?,
            _ => riverside(entries, &clients, &name, &mut rng, &mut manifest.features).map_err(
                |source| SampleError::Csv {
                    path: out_dir.join(&name),
                    source,
                },
            )?,
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

/// Chooses the sessions that carry the planted problems, and copies the duplicated ones into the
/// riverside file. Preferences make the README tell a plausible story (Anna Berg covers at
/// riverside and her sessions get entered twice); any session does when none fits.
fn plant(per_file: &mut [Vec<Entry>], numeric_id: &[bool]) {
    /// The first free session meeting the first preference any free session meets; else the
    /// first free session.
    fn choose(
        entries: &[Entry],
        taken: &[usize],
        wants: &[&dyn Fn(&Session) -> bool],
    ) -> Option<usize> {
        let free = |i: &usize| !taken.contains(i);
        wants
            .iter()
            .find_map(|want| {
                (0..entries.len())
                    .filter(free)
                    .find(|&i| want(&entries[i].session))
            })
            .or_else(|| (0..entries.len()).find(free))
    }
    let in_month = |s: &Session, m: u32| s.date.month() == m;
    let mut copies = Vec::new();
    {
        let north = &mut per_file[0];
        let mut taken = Vec::new();
        let anna_numeric = |s: &Session| s.therapist == 0 && numeric_id[s.client];
        if let Some(i) = choose(
            north,
            &taken,
            &[
                &|s| in_month(s, 9) && anna_numeric(s) && s.rows.len() == 3,
                &|s| anna_numeric(s) && (2..=4).contains(&s.rows.len()),
                &|s| numeric_id[s.client],
            ],
        ) {
            taken.push(i);
            north[i].mark.dup = Some(DupRole::IdenticalOriginal);
            copies.push(Entry {
                session: north[i].session.clone(),
                mark: Mark {
                    dup: Some(DupRole::IdenticalCopy),
                    ..Mark::default()
                },
            });
        }
        let has_lower_back = |s: &Session| s.rows.iter().any(|r| r.region == Region::LowerBack);
        if let Some(i) = choose(
            north,
            &taken,
            &[
                &|s| in_month(s, 10) && s.therapist == 0 && has_lower_back(s),
                &|s| s.therapist == 0 && has_lower_back(s),
            ],
        ) {
            taken.push(i);
            let mut session = north[i].session.clone();
            let k = session
                .rows
                .iter()
                .position(|r| r.region == Region::LowerBack)
                .unwrap_or(0);
            let mut row = session.rows[k].clone();
            row.after = if row.after <= 8.0 {
                row.after + 1.0
            } else {
                row.after - 1.0
            };
            north[i].mark.dup = Some(DupRole::ConflictOriginal(row.region));
            session.rows = vec![row];
            copies.push(Entry {
                session,
                mark: Mark {
                    dup: Some(DupRole::ConflictCopy),
                    ..Mark::default()
                },
            });
        }
        if let Some(i) = choose(north, &taken, &[&|s| in_month(s, 7)]) {
            north[i].mark.out_of_range = true;
        }
    }
    {
        let harbour = &mut per_file[1];
        let has_neck = |s: &Session| s.rows.iter().any(|r| r.region == Region::Neck);
        if let Some(i) = choose(
            harbour,
            &[],
            &[&|s| in_month(s, 6) && has_neck(s), &has_neck],
        ) {
            let s = &harbour[i].session;
            let region = s
                .rows
                .iter()
                .find(|r| r.region == Region::Neck)
                .or(s.rows.first())
                .map(|r| r.region);
            harbour[i].mark.missing_after = region;
        }
    }
    {
        let river = &mut per_file[2];
        let mut taken = Vec::new();
        if let Some(i) = choose(river, &taken, &[&|s| in_month(s, 8)]) {
            taken.push(i);
            river[i].mark.bad_date = true;
        }
        if let Some(i) = choose(river, &taken, &[&|s| in_month(s, 6)]) {
            river[i].mark.unknown_region = true;
        }
        river.extend(copies);
        // Stable: a copy follows the riverside sessions of its day.
        river.sort_by_key(|e| e.session.date);
    }
}

/// Records a planted feature at `(file, sheet)`.
fn feature(
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

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

/// A score as a plain number, or as `7/10` text.
fn score_text(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Region names as the north clinic writes them: the label, sometimes a synonym.
fn north_region(rng: &mut ChaCha8Rng, region: Region) -> &'static str {
    let synonym = match region {
        Region::LowerBack => "Lumbar",
        Region::Shoulders => "Traps",
        Region::UpperBack => "Mid back",
        Region::Hips => "Glutes",
        Region::Legs => "Calves",
        Region::Head => "Scalp",
        Region::Feet => "Feet",
        Region::Neck => "Neck",
        Region::Arms => "Forearms",
    };
    if rng.random_bool(0.15) {
        synonym
    } else {
        region.label()
    }
}

/// The north clinic: long layout with a title block, date cells and a footer.
fn north(
    entries: &[Entry],
    clients: &[Client],
    file: &str,
    rng: &mut ChaCha8Rng,
    features: &mut Vec<Feature>,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(&crate::workbook_properties());
    let title = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let bold = Format::new().set_bold();
    let date_fmt = Format::new().set_num_format("dd/mm/yyyy");
    let sheet = NORTH_SHEET;
    let ws = wb.add_worksheet();
    ws.set_name(sheet)?;
    ws.merge_range(0, 0, 0, 10, "North Clinic — treatment records", &title)?;
    ws.write_string(
        1,
        0,
        "Exported from ClinicDesk on 02/11/2026 · all therapists · 01/05/2026 to 31/10/2026",
    )?;
    feature(
        features,
        (file, sheet),
        FeatureKind::TitleRow,
        1,
        None,
        "North Clinic — treatment records",
        "merged title cell A1:K1",
    );
    feature(
        features,
        (file, sheet),
        FeatureKind::TitleRow,
        2,
        None,
        "Exported from ClinicDesk …",
        "export note",
    );
    feature(
        features,
        (file, sheet),
        FeatureKind::BlankRow,
        3,
        None,
        "",
        "blank row under the title",
    );
    let headers = [
        "Session Date",
        "Client ID",
        "Therapist",
        "Body Area",
        "Side",
        "Pain Before (0-10)",
        "Pain After (0-10)",
        "Pressure",
        "Minutes",
        "Focus",
        "Technique",
    ];
    ws.write_row_with_format(3, 0, headers, &bold)?;
    feature(
        features,
        (file, sheet),
        FeatureKind::HeaderRow,
        4,
        None,
        "Session Date",
        "header on row 4",
    );
    for (col, width) in [12, 10, 12, 12, 6, 18, 18, 10, 9, 7, 18]
        .into_iter()
        .enumerate()
    {
        ws.set_column_width(col as u16, width)?;
    }
    let mut row: u32 = 4;
    let mut minutes_total = 0u64;
    let mut month = None;
    for entry in entries {
        let s = &entry.session;
        if month.is_some_and(|m| m != s.date.month()) {
            feature(
                features,
                (file, sheet),
                FeatureKind::BlankRow,
                row + 1,
                None,
                "",
                "blank row between months",
            );
            row += 1;
        }
        month = Some(s.date.month());
        let id = client_id(clients, s.client);
        for (k, r) in s.rows.iter().enumerate() {
            let excel_row = row + 1;
            ws.write_datetime_with_format(row, 0, excel_date(s.date)?, &date_fmt)?;
            match &id {
                ClientId::Number(n) => ws.write_number(row, 1, f64::from(*n))?,
                ClientId::Text(t) => ws.write_string(row, 1, t)?,
            };
            ws.write_string(row, 2, THERAPISTS[s.therapist].0)?;
            ws.write_string(row, 3, north_region(rng, r.region))?;
            if let Some(side) = r.side {
                ws.write_string(row, 4, side_letter(side))?;
            }
            let before = if entry.mark.out_of_range && k == 0 {
                feature(
                    features,
                    (file, sheet),
                    FeatureKind::OutOfRangeScore,
                    excel_row,
                    Some("before"),
                    "11",
                    "before-score 11 on a 0–10 scale",
                );
                11.0
            } else {
                r.before
            };
            ws.write_number(row, 5, before)?;
            ws.write_number(row, 6, r.after)?;
            ws.write_string(row, 7, s.pressure.label())?;
            ws.write_number(row, 8, f64::from(r.minutes))?;
            minutes_total += u64::from(r.minutes);
            ws.write_string(row, 9, if r.focus { "Yes" } else { "No" })?;
            ws.write_string(row, 10, s.technique)?;
            match entry.mark.dup {
                Some(DupRole::IdenticalOriginal) => feature(
                    features,
                    (file, sheet),
                    FeatureKind::DuplicateOriginal,
                    excel_row,
                    None,
                    r.region.key(),
                    format!(
                        "{} {} — exported again in riverside-studio.csv",
                        s.date,
                        r.region.label()
                    ),
                ),
                Some(DupRole::ConflictOriginal(region)) if region == r.region => feature(
                    features,
                    (file, sheet),
                    FeatureKind::ConflictOriginal,
                    excel_row,
                    Some("after"),
                    score_text(r.after),
                    format!(
                        "{} {} — riverside-studio.csv repeats it with another after-score",
                        s.date,
                        r.region.label()
                    ),
                ),
                _ => {}
            }
            row += 1;
        }
    }
    feature(
        features,
        (file, sheet),
        FeatureKind::BlankRow,
        row + 1,
        None,
        "",
        "blank row above the footer",
    );
    row += 1;
    ws.write_string_with_format(row, 0, "Total", &bold)?;
    ws.write_number_with_format(row, 8, minutes_total as f64, &bold)?;
    feature(
        features,
        (file, sheet),
        FeatureKind::FooterRow,
        row + 1,
        None,
        "Total",
        "footer with the minutes total",
    );

    let prices = wb.add_worksheet();
    prices.set_name(PRICE_SHEET)?;
    prices.write_row_with_format(0, 0, ["Treatment", "Duration", "Price (EUR)"], &bold)?;
    for (i, (name, mins, price)) in [
        ("Back and neck", 30, 42),
        ("Full body", 60, 75),
        ("Full body", 90, 105),
        ("Sports massage", 45, 60),
    ]
    .into_iter()
    .enumerate()
    {
        let r = i as u32 + 1;
        prices.write_string(r, 0, name)?;
        prices.write_string(r, 1, format!("{mins} min"))?;
        prices.write_number(r, 2, price)?;
    }
    feature(
        features,
        (file, PRICE_SHEET),
        FeatureKind::ExtraSheet,
        1,
        None,
        "Treatment",
        "price list, no session data (one known header name only)",
    );
    wb.save_to_buffer()
}

fn side_letter(side: Side) -> &'static str {
    match side {
        Side::Left => "L",
        Side::Right => "R",
        Side::Both => "B",
    }
}

/// The harbour spa's region columns: region, before header, after header, minutes header.
const HARBOUR_REGIONS: [(Region, &str, &str, &str); 8] = [
    (
        Region::LowerBack,
        "Lower back before",
        "Lower back after",
        "Lower back minutes",
    ),
    (Region::Neck, "Neck pre", "Neck post", "Neck mins"),
    (
        Region::Shoulders,
        "Shoulders before (0-10)",
        "Shoulders after (0-10)",
        "Shoulders minutes",
    ),
    (
        Region::UpperBack,
        "Upper back pre",
        "Upper back post",
        "Upper back mins",
    ),
    (Region::Hips, "Hips before", "Hips after", "Hips minutes"),
    (Region::Legs, "Legs before", "Legs after", "Legs minutes"),
    (Region::Feet, "Pre feet", "Post feet", "Feet minutes"),
    (Region::Head, "Head before", "Head after", "Head minutes"),
];

/// The harbour spa: wide layout, one row per visit.
fn harbour(
    entries: &[Entry],
    clients: &[Client],
    file: &str,
    rng: &mut ChaCha8Rng,
    features: &mut Vec<Feature>,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(&crate::workbook_properties());
    let bold = Format::new().set_bold();
    let sheet = HARBOUR_SHEET;
    let ws = wb.add_worksheet();
    ws.set_name(sheet)?;
    let mut headers = vec![
        "Visit ID",
        "Date",
        "Client",
        "Practitioner",
        "Pressure",
        "Technique",
        "Focus areas",
    ];
    for (_, b, a, m) in HARBOUR_REGIONS {
        headers.extend([b, a, m]);
    }
    ws.write_row_with_format(0, 0, headers, &bold)?;
    ws.set_freeze_panes(1, 0)?;
    feature(
        features,
        (file, sheet),
        FeatureKind::HeaderRow,
        1,
        None,
        "Visit ID",
        "wide layout header on row 1",
    );
    for (i, entry) in entries.iter().enumerate() {
        let s = &entry.session;
        let row = i as u32 + 1;
        ws.write_string(row, 0, format!("HS-{:05}", i + 1))?;
        ws.write_string(row, 1, s.date.format("%Y-%m-%d").to_string())?;
        ws.write_string(row, 2, client_id(clients, s.client).text())?;
        ws.write_string(row, 3, THERAPISTS[s.therapist].0)?;
        ws.write_number(row, 4, pressure_number(s.pressure))?;
        ws.write_string(row, 5, s.technique)?;
        let focus: Vec<String> = s
            .rows
            .iter()
            .filter(|r| r.focus)
            .map(|r| r.region.label().to_lowercase())
            .collect();
        let list = match (focus.len(), rng.random_range(0..10)) {
            (2, 0) => focus.join(" and "),
            (_, 1 | 2) => focus.join(", "),
            _ => focus.join("; "),
        };
        if !list.is_empty() {
            ws.write_string(row, 6, list)?;
        }
        for (k, (region, ..)) in HARBOUR_REGIONS.into_iter().enumerate() {
            let Some(r) = s.rows.iter().find(|r| r.region == region) else {
                continue;
            };
            let col = 7 + 3 * k as u16;
            write_harbour_score(ws, rng, row, col, r.before)?;
            if entry.mark.missing_after == Some(region) {
                feature(
                    features,
                    (file, sheet),
                    FeatureKind::MissingAfter,
                    row + 1,
                    Some("after"),
                    "",
                    format!("{} before-score without an after-score", region.label()),
                );
            } else {
                write_harbour_score(ws, rng, row, col + 1, r.after)?;
            }
            ws.write_number(row, col + 2, f64::from(r.minutes))?;
        }
    }
    ws.set_column_width(6, 24)?;
    wb.save_to_buffer()
}

fn write_harbour_score(
    ws: &mut Worksheet,
    rng: &mut ChaCha8Rng,
    row: u32,
    col: u16,
    v: f64,
) -> Result<(), XlsxError> {
    if rng.random_bool(0.3) {
        ws.write_number(row, col, v)?;
    } else {
        ws.write_string(row, col, format!("{}/10", score_text(v)))?;
    }
    Ok(())
}

fn pressure_number(p: Pressure) -> f64 {
    match p {
        Pressure::Light => 1.0,
        Pressure::Medium => 2.0,
        Pressure::Firm => 3.0,
        Pressure::Deep => 4.0,
    }
}

/// Region words of the riverside studio (all §2.5 synonyms).
fn riverside_region_word(rng: &mut ChaCha8Rng, region: Region) -> &'static str {
    let choices: &[&str] = match region {
        Region::Head => &["head", "scalp"],
        Region::Neck => &["neck"],
        Region::Shoulders => &["shoulder", "shoulders"],
        Region::UpperBack => &["upper back", "mid back"],
        Region::LowerBack => &["lower back", "low back", "lumbar"],
        Region::Arms => &["forearm", "arm"],
        Region::Hips => &["hip", "glutes"],
        Region::Legs => &["calves", "thigh", "hamstrings"],
        Region::Feet => &["foot", "ankle"],
    };
    choices[rng.random_range(0..choices.len())]
}

/// A region with its side the way the riverside studio writes it: `left shoulder`, `R hip`,
/// `calves (L)`, `bilateral calves`.
fn riverside_region(rng: &mut ChaCha8Rng, region: Region, side: Option<Side>) -> String {
    let word = riverside_region_word(rng, region);
    let form = rng.random_bool(0.5);
    match (side, form) {
        (None, _) => word.to_string(),
        (Some(Side::Left), true) => format!("left {word}"),
        (Some(Side::Left), false) => format!("{word} (L)"),
        (Some(Side::Right), true) => format!("R {word}"),
        (Some(Side::Right), false) => format!("right {word}"),
        (Some(Side::Both), true) => format!("bilateral {word}"),
        (Some(Side::Both), false) => format!("{word} (B)"),
    }
}

fn riverside_pressure(p: Pressure) -> &'static str {
    match p {
        Pressure::Light => "gentle",
        Pressure::Medium => "moderate",
        Pressure::Firm => "firm",
        Pressure::Deep => "deep tissue",
    }
}

/// A score with a decimal comma: `7`, `6,5`.
fn comma_score(v: f64) -> String {
    score_text(v).replace('.', ",")
}

/// The riverside studio: a `;` separated CSV with a byte-order mark.
fn riverside(
    entries: &[Entry],
    clients: &[Client],
    file: &str,
    rng: &mut ChaCha8Rng,
    features: &mut Vec<Feature>,
) -> Result<Vec<u8>, csv::Error> {
    let sheet = file;
    let header = [
        "Appt Date",
        "Member",
        "Staff",
        "Area Treated",
        "Pre",
        "Post",
        "Intensity",
        "Mins",
        "Requested",
        "Modality",
    ];
    let mut lines: Vec<[String; 10]> = Vec::new();
    feature(
        features,
        (file, sheet),
        FeatureKind::HeaderRow,
        1,
        None,
        "Appt Date",
        "header on line 1, after a byte-order mark",
    );
    let blank_after = entries.iter().position(|e| e.session.date.month() >= 7);
    for (i, entry) in entries.iter().enumerate() {
        let s = &entry.session;
        if Some(i) == blank_after && i > 0 {
            lines.push(Default::default());
            feature(
                features,
                (file, sheet),
                FeatureKind::BlankRow,
                lines.len() as u32 + 1,
                None,
                "",
                "a line of empty cells (;;;;)",
            );
        }
        let date = s.date.format("%d/%m/%Y").to_string();
        let id = client_id(clients, s.client).text();
        let therapist = THERAPISTS[s.therapist].0;
        for (k, r) in s.rows.iter().enumerate() {
            let line_no = lines.len() as u32 + 2;
            let mut d = date.clone();
            if entry.mark.bad_date && k == 0 {
                d = "32/13/2026".to_string();
                feature(
                    features,
                    (file, sheet),
                    FeatureKind::UnreadableDate,
                    line_no,
                    Some("date"),
                    d.clone(),
                    "no 32nd day, no 13th month",
                );
            }
            let region = riverside_region(
                rng,
                r.region,
                if has_sides(r.region) { r.side } else { None },
            );
            match entry.mark.dup {
                Some(DupRole::IdenticalCopy) => feature(
                    features,
                    (file, sheet),
                    FeatureKind::DuplicateCopy,
                    line_no,
                    None,
                    r.region.key(),
                    format!(
                        "{} {} — identical to north-clinic.xlsx",
                        s.date,
                        r.region.label()
                    ),
                ),
                Some(DupRole::ConflictCopy) => feature(
                    features,
                    (file, sheet),
                    FeatureKind::ConflictCopy,
                    line_no,
                    Some("after"),
                    comma_score(r.after),
                    format!(
                        "{} {} — after-score differs from north-clinic.xlsx; this later copy is kept",
                        s.date,
                        r.region.label()
                    ),
                ),
                _ => {}
            }
            lines.push([
                d,
                id.clone(),
                therapist.to_string(),
                region,
                comma_score(r.before),
                comma_score(r.after),
                riverside_pressure(s.pressure).to_string(),
                r.minutes.to_string(),
                if r.focus { "x" } else { "" }.to_string(),
                s.technique.to_string(),
            ]);
        }
        if entry.mark.unknown_region {
            let line_no = lines.len() as u32 + 2;
            feature(
                features,
                (file, sheet),
                FeatureKind::UnknownRegion,
                line_no,
                Some("region"),
                "elbow pit",
                "not a region in the built-in list",
            );
            lines.push([
                date.clone(),
                id.clone(),
                therapist.to_string(),
                "elbow pit".to_string(),
                "4".to_string(),
                "2".to_string(),
                riverside_pressure(s.pressure).to_string(),
                "5".to_string(),
                String::new(),
                s.technique.to_string(),
            ]);
        }
    }
    let mut out = "\u{feff}".as_bytes().to_vec();
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(&mut out);
    w.write_record(header)?;
    for line in &lines {
        w.write_record(line)?;
    }
    w.flush()?;
    drop(w);
    Ok(out)
}
