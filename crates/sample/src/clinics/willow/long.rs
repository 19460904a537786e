//! The willow practice's long sheets kept by hand: `Sessions`, `Home visits` (no therapist
//! column) and the hidden `Old months` — merged or ditto sessions, typed dates and minutes, a
//! blank row between months, the planted row without a session and the `15:00` minutes.

use super::{
    Book, HOME_SHEET, Log, OLD_SHEET, SESSIONS_SHEET, date_form, date_text, excel_date, region_name,
};
use crate::FeatureKind;
use crate::clinics::{Entry, client_id};
use crate::model::{THERAPISTS, has_sides};
use chrono::Datelike;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

/// Columns of the long sheets (`Home visits` leaves out the therapist).
const LONG: [&str; 10] = [
    "Date",
    "Client",
    "Therapist",
    "Area",
    "Before",
    "After",
    "Minutes",
    "Pressure",
    "Focus",
    "Technique",
];

impl Book<'_> {
    /// A long sheet kept by hand: `Sessions`, `Old months` or `Home visits`.
    pub(super) fn long(
        &self,
        wb: &mut Workbook,
        sheet: &'static str,
        entries: &[&Entry],
        rng: &mut ChaCha8Rng,
        log: &mut Log<'_>,
    ) -> Result<(), XlsxError> {
        let solo = sheet == HOME_SHEET;
        let headers: Vec<&str> = LONG
            .iter()
            .copied()
            .filter(|h| !solo || *h != "Therapist")
            .collect();
        let ws = wb.add_worksheet().set_name(sheet)?;
        let mut row = self.top(ws, sheet, &headers, log)?;
        row += 1;
        let mut month = None;
        for (i, e) in entries.iter().enumerate() {
            if month.is_some_and(|m| m != e.session.date.month()) {
                log.blank_row(sheet, row + 1, "blank row between months");
                row += 1;
                if sheet == SESSIONS_SHEET && !log.seen.iter().any(|s| s.1 == "orphan") {
                    row = self.orphan(ws, row, solo, log)?;
                }
            }
            month = Some(e.session.date.month());
            // Every other session has its date, client and therapist merged; the rest are
            // typed on the first row only (ditto rows below).
            let merge = i % 2 == 0 && e.session.rows.len() > 1 && !solo;
            row = self.session(ws, sheet, row, e, merge, rng, log)?;
        }
        if sheet == SESSIONS_SHEET {
            self.footer(ws, row, entries, log)?;
        }
        ws.set_column_width(0, 14)?;
        ws.set_column_width(if solo { 2 } else { 3 }, 14)?;
        Ok(())
    }

    /// The title (merged), the header and what the sheet plants as a whole; returns the header's
    /// 0-based row.
    fn top(
        &self,
        ws: &mut Worksheet,
        sheet: &'static str,
        headers: &[&str],
        log: &mut Log<'_>,
    ) -> Result<u32, XlsxError> {
        let mut row = 0;
        if sheet != HOME_SHEET {
            let title = match sheet {
                OLD_SHEET => "Willow Practice — May to July",
                _ => "Willow Practice — session book",
            };
            ws.merge_range(0, 0, 0, headers.len() as u16 - 1, title, &self.f.bold)?;
            log.add(
                sheet,
                FeatureKind::TitleRow,
                1,
                None,
                title,
                "merged title row",
            );
            row = 1;
        }
        ws.write_row_with_format(row, 0, headers.iter().copied(), &self.f.bold)?;
        let note = format!("header on row {}", row + 1);
        log.add(sheet, FeatureKind::HeaderRow, row + 1, None, "Date", &note);
        if sheet == OLD_SHEET {
            ws.set_hidden(true);
            let note = "hidden sheet of the old months, read like the others";
            log.add(sheet, FeatureKind::HiddenSheet, 1, None, "", note);
        }
        if sheet == HOME_SHEET {
            let note = "no therapist column: a solo book of home visits";
            log.add(sheet, FeatureKind::SoloSheet, 1, None, "Date", note);
        }
        Ok(row)
    }

    /// The blank row and the `Total` footer after the last row (`row`, 0-based, is free).
    fn footer(
        &self,
        ws: &mut Worksheet,
        row: u32,
        entries: &[&Entry],
        log: &mut Log<'_>,
    ) -> Result<(), XlsxError> {
        let sheet = SESSIONS_SHEET;
        ws.write_string_with_format(row + 1, 0, "Total", &self.f.bold)?;
        let total: u32 = entries
            .iter()
            .flat_map(|e| &e.session.rows)
            .map(|r| r.minutes)
            .sum();
        ws.write_number_with_format(row + 1, 6, f64::from(total), &self.f.bold)?;
        log.blank_row(sheet, row + 1, "blank row above the footer");
        log.add(
            sheet,
            FeatureKind::FooterRow,
            row + 2,
            None,
            "Total",
            "footer with the minutes total",
        );
        Ok(())
    }

    /// The planted region row without date and client after a blank row. Returns the next row.
    fn orphan(
        &self,
        ws: &mut Worksheet,
        row: u32,
        solo: bool,
        log: &mut Log<'_>,
    ) -> Result<u32, XlsxError> {
        let c = if solo { 2 } else { 3 };
        ws.write_string(row, c, "Neck")?;
        ws.write_number(row, c + 1, 4.0)?;
        ws.write_number(row, c + 2, 2.0)?;
        ws.write_number(row, c + 3, 10.0)?;
        log.seen.push((SESSIONS_SHEET, "orphan".into()));
        log.add(
            SESSIONS_SHEET,
            FeatureKind::DittoWithoutSession,
            row + 1,
            Some("date"),
            "",
            "a region row without date and client right after a blank row: no session to continue",
        );
        Ok(row + 1)
    }

    /// Writes one session from `row`; returns the row after it.
    #[allow(clippy::too_many_arguments)]
    fn session(
        &self,
        ws: &mut Worksheet,
        sheet: &'static str,
        row: u32,
        e: &Entry,
        merge: bool,
        rng: &mut ChaCha8Rng,
        log: &mut Log<'_>,
    ) -> Result<u32, XlsxError> {
        let s = &e.session;
        let solo = sheet == HOME_SHEET;
        let last = row + s.rows.len() as u32 - 1;
        let client = client_id(self.clients, s.client).text();
        let therapist = THERAPISTS[s.therapist].0;
        let date_text = date_text(rng, s.date);
        if merge {
            for c in 0..if solo { 2 } else { 3 } {
                ws.merge_range(row, c, last, c, "", &self.f.merged)?;
            }
            log.first(
                sheet,
                FeatureKind::MergedCells,
                row + 1,
                None,
                &client,
                "date, client and therapist merged down over the session's rows",
            );
        } else if s.rows.len() > 1 {
            log.first(
                sheet,
                FeatureKind::DittoRows,
                row + 2,
                None,
                "",
                "region rows with date, client and therapist left blank (ditto rows)",
            );
        }
        match &date_text {
            Some(t) => {
                ws.write_string(row, 0, t)?;
                log.first(
                    sheet,
                    FeatureKind::TextDate,
                    row + 1,
                    Some("date"),
                    t,
                    &format!("date typed as text: {}", date_form(t)),
                );
            }
            None => {
                let fmt = if merge {
                    &self.f.merged_date
                } else {
                    &self.f.date
                };
                ws.write_datetime_with_format(row, 0, excel_date(s.date)?, fmt)?;
            }
        }
        ws.write_string(row, 1, &client)?;
        let c0 = if solo {
            2
        } else {
            ws.write_string(row, 2, therapist)?;
            3
        };
        for (k, r) in s.rows.iter().enumerate() {
            let at = row + k as u32;
            ws.write_string(
                at,
                c0,
                region_name(r.region, if has_sides(r.region) { r.side } else { None }),
            )?;
            ws.write_number(at, c0 + 1, r.before)?;
            ws.write_number(at, c0 + 2, r.after)?;
            if e.mark.implausible_minutes == Some(k) {
                self.implausible(ws, at, c0 + 3, r.minutes, log)?;
            } else {
                self.minutes(ws, sheet, at, c0 + 3, r.minutes, rng, log)?;
            }
            ws.write_string(at, c0 + 4, s.pressure.label().to_lowercase())?;
            if r.focus {
                ws.write_string(at, c0 + 5, "✓")?;
            }
            ws.write_string(at, c0 + 6, s.technique)?;
        }
        Ok(last + 1)
    }

    /// The planted minutes: a time cell of `m` hours (`20:00`) where `m` minutes were meant.
    fn implausible(
        &self,
        ws: &mut Worksheet,
        row: u32,
        col: u16,
        m: u32,
        log: &mut Log<'_>,
    ) -> Result<(), XlsxError> {
        let hours = f64::from(m) * 60.0;
        ws.write_number_with_format(row, col, hours / 1440.0, &self.f.time)?;
        let shown = format!("{m}:00");
        let note = format!("a time cell {shown} in the minutes column: {m} hours, not minutes");
        let kind = FeatureKind::ImplausibleMinutes;
        log.add(
            SESSIONS_SHEET,
            kind,
            row + 1,
            Some("minutes"),
            &shown,
            &note,
        );
        Ok(())
    }

    /// Minutes in one of the forms a hand-kept book mixes.
    #[allow(clippy::too_many_arguments)]
    fn minutes(
        &self,
        ws: &mut Worksheet,
        sheet: &'static str,
        row: u32,
        col: u16,
        m: u32,
        rng: &mut ChaCha8Rng,
        log: &mut Log<'_>,
    ) -> Result<(), XlsxError> {
        let typed = match rng.random_range(0..8) {
            0 | 1 => None,
            2 => {
                ws.write_number_with_format(row, col, f64::from(m) / 1440.0, &self.f.time)?;
                log.first(
                    sheet,
                    FeatureKind::TypedMinutes,
                    row + 1,
                    Some("minutes"),
                    &format!("0:{m:02}"),
                    "a time cell (h:mm)",
                );
                return Ok(());
            }
            3 => Some(format!("{m} min")),
            4 => Some(format!("{m} mins")),
            5 => Some(format!("{}:{:02}", m / 60, m % 60)),
            6 => Some(format!("{m}m")),
            _ => Some(format!("{m} minutes")),
        };
        match typed {
            Some(t) => {
                ws.write_string(row, col, &t)?;
                let form = t
                    .trim_start_matches(|c: char| c.is_ascii_digit())
                    .to_string();
                log.first(
                    sheet,
                    FeatureKind::TypedMinutes,
                    row + 1,
                    Some("minutes"),
                    &t,
                    &format!(
                        "minutes typed as `{}`",
                        if form.starts_with(':') {
                            "h:mm".to_string()
                        } else {
                            format!("N{form}")
                        }
                    ),
                );
            }
            None => {
                ws.write_number(row, col, f64::from(m))?;
            }
        }
        Ok(())
    }
}
