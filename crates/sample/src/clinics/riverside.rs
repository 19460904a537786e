//! The riverside studio: a `;` separated CSV with a byte-order mark and CRLF line ends, long
//! layout with other header spellings, `d/m/y` text dates, decimal commas, sides in the region
//! name and pressure words such as `deep tissue`. Plants an unreadable date, an unknown region,
//! and the copies of two north-clinic sessions (one identical, one conflicting).

use super::{DupRole, Entry, Job, blank_row, client_id, feature, score_text};
use crate::model::{Client, THERAPISTS, has_sides};
use crate::{Feature, FeatureKind};
use chrono::Datelike;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use relief_core::{Pressure, Region, Side};

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

/// The header line of the riverside CSV.
const HEADER: [&str; 10] = [
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

/// One CSV line's cells.
type Line = [String; 10];

/// The riverside studio: a `;` separated CSV with a byte-order mark.
pub(super) fn write(job: Job) -> Result<Vec<u8>, csv::Error> {
    let sheet = job.file;
    let mut lines: Vec<Line> = Vec::new();
    feature(
        job.features,
        (job.file, sheet),
        FeatureKind::HeaderRow,
        1,
        None,
        "Appt Date",
        "header on line 1, after a byte-order mark",
    );
    let blank_after = job.entries.iter().position(|e| e.session.date.month() >= 7);
    for (i, entry) in job.entries.iter().enumerate() {
        if Some(i) == blank_after && i > 0 {
            lines.push(Default::default());
            blank_row(
                job.features,
                (job.file, sheet),
                lines.len() as u32 + 1,
                "a line of empty cells (;;;;)",
            );
        }
        session_lines(
            entry,
            job.clients,
            job.file,
            job.rng,
            job.features,
            &mut lines,
        );
    }
    let mut out = "\u{feff}".as_bytes().to_vec();
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(&mut out);
    w.write_record(HEADER)?;
    for line in &lines {
        w.write_record(line)?;
    }
    w.flush()?;
    drop(w);
    Ok(out)
}

/// The lines of one session, with what is planted in them; line numbers follow `lines`.
fn session_lines(
    entry: &Entry,
    clients: &[Client],
    file: &str,
    rng: &mut ChaCha8Rng,
    features: &mut Vec<Feature>,
    lines: &mut Vec<Line>,
) {
    let sheet = file;
    let s = &entry.session;
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
