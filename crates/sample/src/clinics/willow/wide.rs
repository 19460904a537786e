//! The willow practice's wide sheet `Ruth` under a two-row header, and the two sheets that are
//! not session sheets: the hidden drop-down `Lists` and the `Prices`.

use super::{Book, Formats, LISTS_SHEET, Log, PRICES_SHEET, WIDE_SHEET, excel_date};
use crate::FeatureKind;
use crate::clinics::{Entry, client_id};
use crate::model::THERAPISTS;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use relief_core::Region;
use rust_xlsxwriter::{Workbook, XlsxError};

/// Ruth's wide sheet: which regions, and the score words under each (a few spellings).
const WIDE_REGIONS: [(Region, [&str; 3]); 9] = [
    (Region::Head, ["Before", "After", "Minutes"]),
    (Region::Neck, ["Pre", "Post", "Mins"]),
    (Region::Shoulders, ["Before", "After", "Minutes"]),
    (Region::UpperBack, ["Before", "After", "Minutes"]),
    (Region::LowerBack, ["Before", "After", "Minutes"]),
    (Region::Arms, ["Before", "After", "Mins"]),
    (Region::Hips, ["Before", "After", "Minutes"]),
    (Region::Legs, ["Pre", "Post", "Minutes"]),
    (Region::Feet, ["Before", "After", "Minutes"]),
];

/// Session-level columns of Ruth's sheet, each merged down both header rows.
const WIDE_SESSION: [&str; 6] = [
    "Date",
    "Client",
    "Therapist",
    "Pressure",
    "Technique",
    "Focus",
];

impl Book<'_> {
    /// Ruth's sessions, one row each, under a two-row header.
    pub(super) fn wide(
        &self,
        wb: &mut Workbook,
        entries: &[&Entry],
        rng: &mut ChaCha8Rng,
        log: &mut Log<'_>,
    ) -> Result<(), XlsxError> {
        let sheet = WIDE_SHEET;
        let ws = wb.add_worksheet().set_name(sheet)?;
        for (c, name) in WIDE_SESSION.iter().enumerate() {
            ws.merge_range(0, c as u16, 1, c as u16, name, &self.f.bold)?;
        }
        let first = WIDE_SESSION.len() as u16;
        for (k, (region, words)) in WIDE_REGIONS.iter().enumerate() {
            let c = first + 3 * k as u16;
            ws.merge_range(0, c, 0, c + 2, region.label(), &self.f.bold)?;
            ws.write_row_with_format(1, c, words.iter().copied(), &self.f.bold)?;
        }
        log.add(
            sheet,
            FeatureKind::TwoRowHeader,
            1,
            None,
            "Date",
            "two-row header: region names merged across Before | After | Minutes on row 2",
        );
        log.add(
            sheet,
            FeatureKind::HeaderRow,
            2,
            None,
            "Before",
            "the lower header row, where the header is counted",
        );
        for (i, e) in entries.iter().enumerate() {
            let s = &e.session;
            let row = 2 + i as u32;
            ws.write_datetime_with_format(row, 0, excel_date(s.date)?, &self.f.date)?;
            ws.write_string(row, 1, client_id(self.clients, s.client).text())?;
            ws.write_string(row, 2, THERAPISTS[s.therapist].0)?;
            ws.write_string(row, 3, s.pressure.label())?;
            ws.write_string(row, 4, s.technique)?;
            let focus = s.focus_words();
            if !focus.is_empty() {
                ws.write_string(row, 5, focus.join("; "))?;
            }
            for (k, (region, _)) in WIDE_REGIONS.iter().enumerate() {
                // One column pair per region: a sided region row is written without its side.
                let Some(r) = s.rows.iter().find(|r| r.region == *region) else {
                    continue;
                };
                let c = first + 3 * k as u16;
                ws.write_number(row, c, r.before)?;
                ws.write_number(row, c + 1, r.after)?;
                if rng.random_bool(0.3) {
                    ws.write_number_with_format(
                        row,
                        c + 2,
                        f64::from(r.minutes) / 1440.0,
                        &self.f.duration,
                    )?;
                    log.first(
                        sheet,
                        FeatureKind::TypedMinutes,
                        row + 1,
                        Some("minutes"),
                        &format!("0:{:02}", r.minutes),
                        "a duration cell ([h]:mm)",
                    );
                } else {
                    ws.write_number(row, c + 2, f64::from(r.minutes))?;
                }
            }
        }
        ws.set_column_width(0, 12)?;
        Ok(())
    }
}

/// The hidden sheet of drop-down lists: not a session sheet.
pub(super) fn lists(wb: &mut Workbook, f: &Formats, log: &mut Log<'_>) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name(LISTS_SHEET)?;
    ws.set_hidden(true);
    ws.write_row_with_format(0, 0, ["Region", "Therapist", "Technique"], &f.bold)?;
    for (i, region) in Region::ALL.iter().enumerate() {
        ws.write_string(i as u32 + 1, 0, region.label())?;
    }
    for (i, t) in [THERAPISTS[5].0, THERAPISTS[6].0].iter().enumerate() {
        ws.write_string(i as u32 + 1, 1, *t)?;
    }
    for (i, t) in crate::model::TECHNIQUES.iter().enumerate() {
        ws.write_string(i as u32 + 1, 2, *t)?;
    }
    log.add(
        LISTS_SHEET,
        FeatureKind::ExtraSheet,
        1,
        None,
        "Region",
        "hidden drop-down lists (Region, Therapist, Technique): not a session sheet",
    );
    Ok(())
}

/// The price list: not a session sheet.
pub(super) fn prices(wb: &mut Workbook, f: &Formats, log: &mut Log<'_>) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name(PRICES_SHEET)?;
    ws.write_row_with_format(0, 0, ["Treatment", "Duration", "Price"], &f.bold)?;
    for (i, (name, time, price)) in [
        ("Back and neck", "30 min", 40.0),
        ("Full body", "1 h", 70.0),
        ("Home visit", "1 hr", 85.0),
    ]
    .into_iter()
    .enumerate()
    {
        let r = i as u32 + 1;
        ws.write_string(r, 0, name)?;
        ws.write_string(r, 1, time)?;
        ws.write_number(r, 2, price)?;
    }
    log.add(
        PRICES_SHEET,
        FeatureKind::ExtraSheet,
        1,
        None,
        "Treatment",
        "price list: not a session sheet",
    );
    Ok(())
}
