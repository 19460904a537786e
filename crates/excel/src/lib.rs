//! Writes one report period's figures into an Excel workbook a therapist can open and understand
//! without any other document.
//!
//! The input is the report model ([`relief_core::summary::Summary`], the content of
//! `summary.json`) and the by-month figures over the whole range the report covers; the output
//! is one `.xlsx` file with, in this order:
//!
//! - **Overview**: the period, what was read, a headline per region in words and numbers, and
//!   one sentence each on personalisation at equal arrival soreness and the course of care;
//! - **Charts**: native Excel charts (before vs after with the 95 % CI, relief by month,
//!   responder rate, focus vs not) with the figures they are drawn from beside them;
//! - one sheet per group of the analysis (regions, months, therapists, pressure, focus,
//!   minutes, technique, spill-over, visits), each a real Excel table with filters, a frozen
//!   header, number formats, a colour scale on the relief columns and small samples flagged;
//! - **Personalisation, adjusted**: each factor's raw difference beside the one at equal
//!   arrival soreness, with its CI and reference level, small samples flagged;
//! - **Course of care**: regular clients' arrival soreness at their first session and their
//!   latest, per region;
//! - **Rejects** and **Conflicts**: every row that was not used, and where to find it;
//! - **Sources**: every sheet of every input file, with its content hash;
//! - **About**: what every figure means and the thresholds in force.
//!
//! Two runs on the same figures give the same bytes: the document's creation date is derived
//! from the period, never the clock. The file is written to a temporary name in the target
//! folder and renamed into place, so a crash never leaves half a workbook behind.

mod charts;
mod sheets;
mod style;
pub mod text;

use relief_core::Period;
use relief_core::summary::{MonthFigures, Summary};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};
use std::path::{Path, PathBuf};

/// The Overview's sentence for one region, also shown by `relief serve`'s page.
pub use sheets::headline;

/// Why a workbook could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExcelError {
    /// The workbook could not be assembled; the message names the Excel limit or rule involved.
    #[error("could not build the workbook {path}: {source}")]
    Build {
        path: PathBuf,
        #[source]
        source: XlsxError,
    },
    /// The temporary file next to the target could not be created or written (folder missing,
    /// no permission, disk full).
    #[error("could not write a workbook into the folder {dir}: {source}")]
    Write {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The finished workbook could not be moved to its final name (for example, the old file
    /// is open in Excel on Windows).
    #[error("could not save the workbook as {path} (is it open in another program?): {source}")]
    Rename {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Writes the workbook of one report period to `path`.
///
/// `trend` holds the by-month figures over the whole range the report covers, for the Months
/// sheet and the month-line chart; when it is empty, `summary.by_month` is used instead. The
/// file is written to a temporary name in the same folder and renamed into place; an existing
/// file at `path` is replaced. The same `summary` and `trend` always give the same bytes.
///
/// # Errors
///
/// [`ExcelError::Build`] if the content breaks a rule of the xlsx format that this crate does
/// not repair itself; [`ExcelError::Write`] if the folder cannot be written;
/// [`ExcelError::Rename`] if the finished file cannot take its final name.
pub fn write_workbook(
    summary: &Summary,
    trend: &[MonthFigures],
    path: &Path,
) -> Result<(), ExcelError> {
    let build_error = |source| ExcelError::Build {
        path: path.to_path_buf(),
        source,
    };
    let bytes = workbook_bytes(summary, trend).map_err(build_error)?;

    relief_atomic::write(path, &bytes).map_err(|e| match e {
        relief_atomic::AtomicError::Rename { path, source } => ExcelError::Rename { path, source },
        relief_atomic::AtomicError::Write { dir, source }
        | relief_atomic::AtomicError::SyncFolder { dir, source } => {
            ExcelError::Write { dir, source }
        }
    })
}

/// Builds the whole workbook in memory.
fn workbook_bytes(summary: &Summary, trend: &[MonthFigures]) -> Result<Vec<u8>, XlsxError> {
    let trend = if trend.is_empty() {
        &summary.by_month[..]
    } else {
        trend
    };
    let mut workbook = Workbook::new();
    let properties = DocProperties::new()
        .set_title(format!("Soreness relief report {}", summary.period))
        .set_subject("Soreness before and after massage sessions, by body region")
        .set_author("relief")
        .set_comment(format!(
            "Made by relief {} from {} file(s).",
            summary.settings.relief_version,
            summary.files.len()
        ))
        .set_creation_datetime(&creation_date(&summary.period)?);
    workbook.set_properties(&properties);

    let styles = style::Styles::new(summary.settings.mcid_points);
    let plan = sheets::Plan::new(summary, trend);
    let mut out = sheets::Out {
        workbook: &mut workbook,
        styles: &styles,
        summary,
        plan: &plan,
    };
    sheets::write_overview(&mut out)?;
    charts::write_charts(&mut out, trend)?;
    for group in &plan.groups {
        sheets::write_group(&mut out, group)?;
    }
    // The sheets after the groups, in workbook order.
    let rest: [sheets::Writer; 6] = [
        sheets::write_adjusted,
        sheets::write_course,
        sheets::write_rejects,
        sheets::write_conflicts,
        sheets::write_sources,
        sheets::write_about,
    ];
    for write in rest {
        write(&mut out)?;
    }
    workbook.save_to_buffer()
}

/// The document's creation date: the last day of the period's last month, at noon UTC.
///
/// It comes from the data, so reruns give identical bytes, and it is a date a person reading
/// the file's properties finds sensible ("the report as of the end of October"). A period Excel
/// cannot date (before 1900) falls back to 2000-01-01.
fn creation_date(period: &Period) -> Result<ExcelDateTime, XlsxError> {
    let (year, month, day) = period_end(period).unwrap_or((2000, 1, 1));
    ExcelDateTime::from_ymd(year, month, day)?.and_hms(12, 0, 0)
}

/// Year, month and last day of the month that ends `period`.
fn period_end(period: &Period) -> Option<(u16, u8, u8)> {
    use chrono::Datelike;
    let end = period.end_of_last_month();
    Some((
        u16::try_from(end.year()).ok().filter(|y| *y >= 1900)?,
        u8::try_from(end.month()).ok()?,
        u8::try_from(end.day()).ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_end_is_the_last_day_of_the_last_month() {
        let end = |name: &str| period_end(&Period::parse_name(name).unwrap());
        assert_eq!(end("2026-10"), Some((2026, 10, 31)));
        assert_eq!(end("2026-01_2028-02"), Some((2028, 2, 29)));
        assert_eq!(end("2026-12"), Some((2026, 12, 31)));
        assert_eq!(end("2026-10-05_2026-10-20"), Some((2026, 10, 31)));
        assert_eq!(end("1899-12"), None);
    }
}
