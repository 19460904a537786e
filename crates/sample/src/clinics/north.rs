//! The north clinic: a long-layout workbook as practice software exports it — a title block
//! (merged title cell, export note, blank row) above the header on row 4, Excel date cells,
//! numeric scores, a `Side` column, pressure words, `Yes`/`No` focus, a blank row between
//! months, a `Total` footer and an unrelated `Price list` sheet. Plants an out-of-range score
//! and the originals of the duplicated and conflicting sessions.

use super::{
    ClientId, DupRole, Entry, Job, NORTH_SHEET, PRICE_SHEET, blank_row, client_id, excel_date,
    feature, score_text,
};
use crate::model::THERAPISTS;
use crate::{Feature, FeatureKind};
use chrono::Datelike;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use relief_core::{Region, Side};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

/// The header of the `Sessions` sheet, on row 4.
const HEADERS: [&str; 11] = [
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
pub(super) fn write(job: Job) -> Result<Vec<u8>, XlsxError> {
    let mut wb = crate::new_workbook();
    let bold = Format::new().set_bold();
    let sheet = NORTH_SHEET;
    let ws = wb.add_worksheet().set_name(sheet)?;
    title_block(ws, job.file, job.features)?;
    ws.write_row_with_format(3, 0, HEADERS, &bold)?;
    feature(
        job.features,
        (job.file, sheet),
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
    let date_fmt = Format::new().set_num_format("dd/mm/yyyy");
    let mut row: u32 = 4;
    let mut minutes_total = 0u64;
    let mut month = None;
    for entry in job.entries {
        let s = &entry.session;
        if month.is_some_and(|m| m != s.date.month()) {
            blank_row(
                job.features,
                (job.file, sheet),
                row + 1,
                "blank row between months",
            );
            row += 1;
        }
        month = Some(s.date.month());
        let id = client_id(job.clients, s.client);
        for k in 0..s.rows.len() {
            minutes_total += u64::from(s.rows[k].minutes);
            let cells = RowCells {
                entry,
                k,
                id: &id,
                date_fmt: &date_fmt,
            };
            write_row(ws, row, &cells, (job.file, sheet), job.rng, job.features)?;
            row += 1;
        }
    }
    footer(
        ws,
        row,
        minutes_total,
        &bold,
        (job.file, sheet),
        job.features,
    )?;
    price_list(&mut wb, &bold, job.file, job.features)?;
    wb.save_to_buffer()
}

/// The merged title, the export note and the blank row above the header.
fn title_block(
    ws: &mut Worksheet,
    file: &str,
    features: &mut Vec<Feature>,
) -> Result<(), XlsxError> {
    let sheet = NORTH_SHEET;
    let title = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
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
    blank_row(features, (file, sheet), 3, "blank row under the title");
    Ok(())
}

/// One region row of one session: what [`write_row`] needs besides the sheet.
struct RowCells<'a> {
    entry: &'a Entry,
    /// The region row's index in the session.
    k: usize,
    id: &'a ClientId,
    date_fmt: &'a Format,
}

/// Writes one session × region row (0-based `row`) and records what is planted in it.
fn write_row(
    ws: &mut Worksheet,
    row: u32,
    cells: &RowCells<'_>,
    place: (&str, &str),
    rng: &mut ChaCha8Rng,
    features: &mut Vec<Feature>,
) -> Result<(), XlsxError> {
    let RowCells { entry, k, id, .. } = *cells;
    let s = &entry.session;
    let r = &s.rows[k];
    let excel_row = row + 1;
    ws.write_datetime_with_format(row, 0, excel_date(s.date)?, cells.date_fmt)?;
    match id {
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
            place,
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
    ws.write_string(row, 9, if r.focus { "Yes" } else { "No" })?;
    ws.write_string(row, 10, s.technique)?;
    match entry.mark.dup {
        Some(DupRole::IdenticalOriginal) => feature(
            features,
            place,
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
            place,
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
    Ok(())
}

/// The blank row and the `Total` footer below the data; `row` is the first row after it.
fn footer(
    ws: &mut Worksheet,
    row: u32,
    minutes_total: u64,
    bold: &Format,
    place: (&str, &str),
    features: &mut Vec<Feature>,
) -> Result<(), XlsxError> {
    blank_row(features, place, row + 1, "blank row above the footer");
    let row = row + 1;
    ws.write_string_with_format(row, 0, "Total", bold)?;
    ws.write_number_with_format(row, 8, minutes_total as f64, bold)?;
    feature(
        features,
        place,
        FeatureKind::FooterRow,
        row + 1,
        None,
        "Total",
        "footer with the minutes total",
    );
    Ok(())
}

/// The unrelated `Price list` sheet.
fn price_list(
    wb: &mut Workbook,
    bold: &Format,
    file: &str,
    features: &mut Vec<Feature>,
) -> Result<(), XlsxError> {
    let prices = wb.add_worksheet().set_name(PRICE_SHEET)?;
    prices.write_row_with_format(0, 0, ["Treatment", "Duration", "Price (EUR)"], bold)?;
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
    Ok(())
}

fn side_letter(side: Side) -> &'static str {
    match side {
        Side::Left => "L",
        Side::Right => "R",
        Side::Both => "B",
    }
}
