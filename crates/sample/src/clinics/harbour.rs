//! The harbour spa: a wide-layout workbook, one row per visit with a visit id, ISO text dates,
//! pressure 1–4, a focus list, and per region a before/after pair (in several spellings) and
//! minutes; scores as numbers or `7/10` text. Plants a missing after-score.

use super::{HARBOUR_SHEET, Job, client_id, feature, score_text};
use crate::FeatureKind;
use crate::model::THERAPISTS;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use relief_core::{Pressure, Region};
use rust_xlsxwriter::{Format, Worksheet, XlsxError};

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
pub(super) fn write(job: Job) -> Result<Vec<u8>, XlsxError> {
    let mut wb = crate::new_workbook();
    let bold = Format::new().set_bold();
    let sheet = HARBOUR_SHEET;
    let ws = wb.add_worksheet().set_name(sheet)?;
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
        job.features,
        (job.file, sheet),
        FeatureKind::HeaderRow,
        1,
        None,
        "Visit ID",
        "wide layout header on row 1",
    );
    for (i, entry) in job.entries.iter().enumerate() {
        let s = &entry.session;
        let row = i as u32 + 1;
        ws.write_string(row, 0, format!("HS-{:05}", i + 1))?;
        ws.write_string(row, 1, s.date.format("%Y-%m-%d").to_string())?;
        ws.write_string(row, 2, client_id(job.clients, s.client).text())?;
        ws.write_string(row, 3, THERAPISTS[s.therapist].0)?;
        ws.write_number(row, 4, pressure_number(s.pressure))?;
        ws.write_string(row, 5, s.technique)?;
        let focus = s.focus_words();
        let list = match (focus.len(), job.rng.random_range(0..10)) {
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
            write_harbour_score(ws, job.rng, row, col, r.before)?;
            if entry.mark.missing_after == Some(region) {
                feature(
                    job.features,
                    (job.file, sheet),
                    FeatureKind::MissingAfter,
                    row + 1,
                    Some("after"),
                    "",
                    format!("{} before-score without an after-score", region.label()),
                );
            } else {
                write_harbour_score(ws, job.rng, row, col + 1, r.after)?;
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
