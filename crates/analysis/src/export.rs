//! The clean, pseudonymised session × region table (SPEC §4.3), for other tools to take over.
//!
//! Columns: `month`, `date` (only when the config asks for exact dates), `client` (keyed
//! pseudonym), `session` (a keyed pseudonym of the session key, given by the caller: the key
//! holds the session's day, which an unkeyed hash would let anyone recover by trying the days
//! of the month), `therapist`, `region`, `side`, `before`,
//! `after`, `change`, `relative`, `pressure`, `focus`, `minutes`, `minutes_band`, `technique`,
//! `visit`, `file`, `sheet`, `row`. Blank means not recorded.

use crate::frame::col_names as c;
use crate::{AnalysisError, Period, Prepared};
use chrono::NaiveDate;
use polars::prelude::*;
use relief_core::{MinutesBand, Pressure, Region};
use std::io::Write;

/// The clean table of one period, ready to be written.
#[derive(Debug, Clone)]
pub struct CleanTable(pub DataFrame);

impl CleanTable {
    /// Number of rows.
    pub fn height(&self) -> usize {
        self.0.height()
    }

    /// Writes the table as CSV; see [`write_clean_csv`].
    ///
    /// # Errors
    /// As [`write_clean_csv`].
    pub fn write_csv(&self, out: impl Write) -> Result<(), AnalysisError> {
        write_clean_csv(&self.0, out)
    }

    /// Writes the table as Parquet; see [`write_clean_parquet`].
    ///
    /// # Errors
    /// As [`write_clean_parquet`].
    #[cfg(feature = "parquet")]
    pub fn write_parquet(&self, out: impl Write) -> Result<(), AnalysisError> {
        write_clean_parquet(&self.0, out)
    }
}

/// What goes into the clean table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CleanTableOptions {
    /// Include the exact session date, not only the month (SPEC §4.4: off unless asked).
    pub exact_dates: bool,
}

impl Prepared {
    /// The clean table of one period as a polars frame, in canonical order.
    ///
    /// # Errors
    /// [`AnalysisError::Engine`] if polars fails (a bug).
    ///
    /// `session_name` turns a session's key (client pseudonym, day, therapist, or the export's
    /// session id) into the text of the `session` column; pass a keyed pseudonym.
    pub fn clean_table(
        &self,
        period: &Period,
        options: CleanTableOptions,
        session_name: &(dyn Fn(&str) -> String + Sync),
    ) -> Result<CleanTable, AnalysisError> {
        let (from, to) = period.bounds();
        let df = self
            .frame
            .clone()
            .lazy()
            .filter(
                col(c::DAY)
                    .gt_eq(lit(crate::frame::day_number(from)))
                    .and(col(c::DAY).lt_eq(lit(crate::frame::day_number(to)))),
            )
            .collect()?;
        let n = df.height();
        let region: Vec<&str> = df
            .column(c::REGION)?
            .u32()?
            .iter()
            .map(|i| Region::ALL[i.unwrap_or(0) as usize].key())
            .collect();
        let pressure: Vec<Option<&str>> = df
            .column(c::PRESSURE)?
            .u32()?
            .iter()
            .map(|i| i.map(|i| Pressure::ALL[i as usize].key()))
            .collect();
        let band: Vec<Option<&str>> = df
            .column(c::MINUTES_BAND)?
            .u32()?
            .iter()
            .map(|i| i.map(|i| MinutesBand::ALL[i as usize].key()))
            .collect();
        // One name per session of the period, not per row and not for other periods' sessions.
        let ids: Vec<usize> = df
            .column(c::SESSION)?
            .u32()?
            .iter()
            .map(|s| s.unwrap_or(0) as usize)
            .collect();
        let mut names: Vec<Option<String>> = vec![None; self.session_keys.len()];
        for &id in &ids {
            if names[id].is_none() {
                names[id] = Some(session_name(&self.session_keys[id]));
            }
        }
        let session: Vec<&str> = ids
            .iter()
            .map(|&id| names[id].as_deref().unwrap_or_default())
            .collect();
        let client: Vec<&str> = df
            .column(c::CLIENT)?
            .u32()?
            .iter()
            .map(|i| &*self.clients[i.unwrap_or(0) as usize])
            .collect();
        let before = df.column(c::BEFORE)?.f64()?;
        let change = df.column(c::CHANGE)?.f64()?;
        let relative: Vec<Option<f64>> = before
            .iter()
            .zip(change.iter())
            .map(|(b, ch)| match (b, ch) {
                (Some(b), Some(ch)) if b > 0.0 => Some(ch / b),
                _ => None,
            })
            .collect();
        let mut columns = vec![df.column(c::MONTH)?.clone()];
        if options.exact_dates {
            let dates: Vec<String> = df
                .column(c::DAY)?
                .i32()?
                .iter()
                .map(|d| {
                    d.and_then(NaiveDate::from_num_days_from_ce_opt)
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                })
                .collect();
            columns.push(Column::new("date".into(), dates));
        }
        columns.extend([
            Column::new("client".into(), client),
            Column::new("session".into(), session),
            df.column(c::THERAPIST)?.clone(),
            Column::new("region".into(), region),
            df.column(c::SIDE)?.clone(),
            df.column(c::BEFORE)?.clone(),
            df.column(c::AFTER)?.clone(),
            df.column(c::CHANGE)?.clone(),
            Column::new("relative".into(), relative),
            Column::new("pressure".into(), pressure),
            df.column(c::FOCUS)?.clone(),
            df.column(c::MINUTES)?.clone(),
            Column::new("minutes_band".into(), band),
            df.column(c::TECHNIQUE)?.clone(),
            df.column(c::VISIT)?.clone(),
            df.column(c::FILE)?.clone(),
            df.column(c::SHEET)?.clone(),
            df.column(c::ROW)?.clone(),
        ]);
        Ok(CleanTable(DataFrame::new(n, columns)?))
    }
}

/// Writes a clean table as CSV (comma separated, UTF-8, header row, blank for not recorded).
///
/// # Errors
/// [`AnalysisError::Csv`] or [`AnalysisError::Write`] when the writer fails.
pub fn write_clean_csv(table: &DataFrame, out: impl Write) -> Result<(), AnalysisError> {
    let mut w = csv::Writer::from_writer(out);
    let names: Vec<&str> = table
        .get_column_names()
        .iter()
        .map(|s| s.as_str())
        .collect();
    w.write_record(&names)?;
    // A block of rows at a time, so memory stays flat however long the table is; each cell is
    // formatted into one reused buffer.
    const BLOCK: usize = 65_536;
    let mut buf = String::new();
    let mut offset = 0;
    while offset < table.height() {
        let block = table.slice(offset as i64, BLOCK);
        let cols: Vec<Cells> = block
            .columns()
            .iter()
            .map(Cells::of)
            .collect::<Result<_, _>>()?;
        for i in 0..block.height() {
            for col in &cols {
                buf.clear();
                col.format(i, &mut buf);
                w.write_field(&buf)?;
            }
            w.write_record(None::<&[u8]>)?;
        }
        offset += BLOCK;
    }
    w.flush()?;
    Ok(())
}

/// One column of a block, typed, for formatting cell by cell.
enum Cells<'a> {
    Text(Vec<Option<&'a str>>),
    Float(Vec<Option<f64>>),
    Flag(Vec<Option<bool>>),
    Whole(Vec<Option<i64>>),
}

impl<'a> Cells<'a> {
    fn of(column: &'a Column) -> PolarsResult<Cells<'a>> {
        let s = column.as_materialized_series();
        Ok(match s.dtype() {
            DataType::String => Cells::Text(s.str()?.iter().collect()),
            DataType::Float64 => Cells::Float(s.f64()?.iter().collect()),
            DataType::Boolean => Cells::Flag(s.bool()?.iter().collect()),
            _ => Cells::Whole(s.cast(&DataType::Int64)?.i64()?.iter().collect()),
        })
    }

    /// Row `i` as CSV text: numbers in their shortest exact form, blank for null.
    fn format(&self, i: usize, out: &mut String) {
        use std::fmt::Write as _;
        let _ = match self {
            Cells::Text(v) => {
                out.push_str(v[i].unwrap_or(""));
                Ok(())
            }
            Cells::Float(v) => v[i].map_or(Ok(()), |x| write!(out, "{x}")),
            Cells::Flag(v) => v[i].map_or(Ok(()), |x| write!(out, "{x}")),
            Cells::Whole(v) => v[i].map_or(Ok(()), |x| write!(out, "{x}")),
        };
    }
}

/// Writes a clean table as Parquet (zstd-compressed), for DuckDB, DataFusion or Spark.
///
/// # Errors
/// [`AnalysisError::Engine`] when the writer fails.
#[cfg(feature = "parquet")]
pub fn write_clean_parquet(table: &DataFrame, out: impl Write) -> Result<(), AnalysisError> {
    let mut table = table.clone();
    ParquetWriter::new(out).finish(&mut table)?;
    Ok(())
}
