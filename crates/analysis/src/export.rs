//! The clean, pseudonymised session × region table (SPEC §4.3), for other tools to take over.
//!
//! Columns: `month`, `date` (only when the config asks for exact dates), `client` (keyed
//! pseudonym), `session` (a keyed pseudonym of the session key, given by the caller: the key
//! holds the session's day, which an unkeyed hash would let anyone recover by trying the days
//! of the month), `therapist`, `region`, `side`, `before`, `after`, `change`, `relative`,
//! `pressure`, `focus`, `minutes`, `minutes_band`, `technique`, `visit`, `file`, `sheet`, `row`.
//! Blank means not recorded.
//!
//! A [`CleanTable`] is a view of the prepared rows of one period: nothing is copied until a
//! writer asks. The CSV is formatted in blocks of rows on every core and written in order, so
//! memory stays flat however long the table; [`CleanTable::frame`] gives a block as a typed
//! polars frame for the columnar writers.
//!
//! The CSV is opened by people, often in Excel, so a text cell that a spreadsheet would take
//! for a formula is neutralised there (see [`neutralise_formula`]); the Parquet copy and the
//! JSON summary are data for programs and keep every value exactly.

use crate::csv_cells::{Cells, push_cell, push_number};
use crate::frame::{col_names as c, dense};
use crate::session_names::SessionNames;
use crate::{AnalysisError, Period, Prepared};
use polars::prelude::*;
use rayon::prelude::*;
use relief_core::records::{date_of, pressure_of, side_of};
use relief_core::{MinutesBand, Region};
use std::borrow::Cow;
use std::io::Write;
use std::ops::Range;

/// What goes into the clean table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CleanTableOptions {
    /// Include the exact session date, not only the month (SPEC §4.4: off unless asked).
    pub exact_dates: bool,
}

/// The clean table of one period, ready to be written.
pub struct CleanTable<'a> {
    pub(crate) prepared: &'a Prepared,
    /// The period's rows of the prepared frame.
    pub(crate) rows: Range<usize>,
    pub(crate) options: CleanTableOptions,
    /// The `session` text of every session of the period, by session number.
    pub(crate) sessions: SessionNames,
    /// The frame's columns the table reads, for the period's rows.
    pub(crate) session: Cow<'a, [u32]>,
    pub(crate) visit: Cow<'a, [u32]>,
}

/// Rows per block of the Parquet writer: the batches it sees (its pages depend on them, so
/// changing this changes the bytes of the Parquet files).
pub(crate) const BLOCK: usize = 65_536;

/// Rows per block of CSV text: formatted together on one core, written together. Small enough
/// that the few blocks in flight hold ~1 MB of text each, large enough that handing blocks to
/// the cores costs nothing measurable.
const CSV_BLOCK: usize = 8_192;

impl Prepared {
    /// The clean table of one period, in canonical order.
    ///
    /// `session_name` turns a session's key (client pseudonym, day, therapist, or the export's
    /// session id) into the text of the `session` column, appending it to the string it is
    /// given; pass a keyed pseudonym. It is called once per session of the period.
    ///
    /// # Errors
    /// [`AnalysisError::Engine`] if polars fails (a bug).
    pub fn clean_table(
        &self,
        period: &Period,
        options: CleanTableOptions,
        session_name: &(dyn Fn(&str, &mut String) + Sync),
    ) -> Result<CleanTable<'_>, AnalysisError> {
        let rows = self.rows_of(period);
        let column = |name: &str| -> PolarsResult<Cow<'_, [u32]>> {
            Ok(match dense(self.frame.column(name)?.u32()?) {
                Cow::Borrowed(all) => Cow::Borrowed(&all[rows.clone()]),
                Cow::Owned(all) => Cow::Owned(all[rows.clone()].to_vec()),
            })
        };
        let session = column(c::SESSION)?;
        let visit = column(c::VISIT)?;
        let sessions = SessionNames::new(&session, self.sessions.len(), &|s, out| {
            session_name(&self.sessions[s as usize].text(&self.texts), out)
        });
        Ok(CleanTable {
            prepared: self,
            rows,
            options,
            sessions,
            session,
            visit,
        })
    }
}

impl CleanTable<'_> {
    /// Number of rows.
    pub fn height(&self) -> usize {
        self.rows.len()
    }

    /// The column names, in order.
    pub fn columns(&self) -> Vec<&'static str> {
        let mut names = vec!["month"];
        if self.options.exact_dates {
            names.push("date");
        }
        names.extend([
            "client",
            "session",
            "therapist",
            "region",
            "side",
            "before",
            "after",
            "change",
            "relative",
            "pressure",
            "focus",
            "minutes",
            "minutes_band",
            "technique",
            "visit",
            "file",
            "sheet",
            "row",
        ]);
        names
    }

    /// Writes the table as CSV (comma separated, UTF-8, header row, blank for not recorded;
    /// numbers in their shortest exact form).
    ///
    /// # Errors
    /// [`AnalysisError::Csv`] or [`AnalysisError::Write`] when the writer fails.
    pub fn write_csv(&self, mut out: impl Write) -> Result<(), AnalysisError> {
        let mut header = csv::Writer::from_writer(Vec::new());
        header.write_record(self.columns())?;
        out.write_all(&header.into_inner().map_err(|e| e.into_error())?)?;
        let blocks: Vec<Range<usize>> = (0..self.height())
            .step_by(CSV_BLOCK)
            .map(|s| s..(s + CSV_BLOCK).min(self.height()))
            .collect();
        // A few blocks at a time on every core, then written in order: memory stays at a few
        // blocks' text whatever the table's length.
        let batch = rayon::current_num_threads().max(1) * 2;
        let months = Cells::new(self.prepared.months.iter().map(Period::name), false)?;
        // Made here, before the blocks run side by side, so no two of them make it at once.
        let texts = self.csv_texts()?;
        for chunk in blocks.chunks(batch) {
            let texts: Vec<Result<Vec<u8>, AnalysisError>> = chunk
                .par_iter()
                .map(|b| self.csv_block(b.clone(), &months, texts))
                .collect();
            for text in texts {
                out.write_all(&text?)?;
            }
        }
        out.flush()?;
        Ok(())
    }

    /// Rows `block` (relative to the table) as CSV lines; `months` and `texts` are the prepared
    /// months' and texts' cells.
    fn csv_block(
        &self,
        block: Range<usize>,
        months: &Cells,
        texts: &Cells,
    ) -> Result<Vec<u8>, AnalysisError> {
        let p = self.prepared;
        let frame = &p.frame;
        // The block's values of each frame column, read once in bulk: a lookup per cell walks
        // the column's chunks every time.
        let (start, len) = ((self.rows.start + block.start) as i64, block.len());
        let f64s = |name: &str| -> PolarsResult<Vec<Option<f64>>> {
            Ok(frame
                .column(name)?
                .f64()?
                .slice(start, len)
                .iter()
                .collect())
        };
        let (before, after) = (f64s(c::BEFORE)?, f64s(c::AFTER)?);
        let change: Vec<Option<f64>> = before
            .iter()
            .zip(&after)
            .map(|(b, a)| Some(b.unwrap_or(0.0) - a.unwrap_or(0.0)))
            .collect();
        let u32s = |name: &str| -> PolarsResult<Vec<Option<u32>>> {
            Ok(frame
                .column(name)?
                .u32()?
                .slice(start, len)
                .iter()
                .collect())
        };
        let (month, client, therapist) = (u32s(c::MONTH)?, u32s(c::CLIENT)?, u32s(c::THERAPIST)?);
        let (region, pressure, band) =
            (u32s(c::REGION)?, u32s(c::PRESSURE)?, u32s(c::MINUTES_BAND)?);
        let technique = u32s(c::TECHNIQUE)?;
        let focus: Vec<Option<bool>> = frame
            .column(c::FOCUS)?
            .bool()?
            .slice(start, len)
            .iter()
            .collect();
        // Text from the exports (and the pseudonyms) is neutralised; region, side, pressure,
        // band and flag are relief's own words, which hold no comma, quote or line break, and
        // numbers are numbers, so they never need it.
        let mut out = Vec::with_capacity(block.len() * 160);
        let text = |out: &mut Vec<u8>, id: Option<u32>| {
            out.push(b',');
            if let Some(id) = id {
                out.extend_from_slice(texts.get(id as usize));
            }
        };
        let word = |out: &mut Vec<u8>, word: Option<&str>| {
            out.push(b',');
            out.extend_from_slice(word.unwrap_or("").as_bytes());
        };
        let number = |out: &mut Vec<u8>, v: Option<f64>| {
            out.push(b',');
            if let Some(v) = v {
                push_number(out, v);
            }
        };
        let mut digits = itoa::Buffer::new();
        for (k, i) in block.enumerate() {
            let at = self.rows.start + i;
            out.extend_from_slice(months.get(month[k].unwrap_or(0) as usize));
            if self.options.exact_dates {
                word(&mut out, Some(&date_of(p.rows.day[at]).to_string()));
            }
            text(&mut out, client[k]);
            out.push(b',');
            push_cell(&mut out, self.sessions.get(self.session[i]))?;
            text(&mut out, therapist[k]);
            word(
                &mut out,
                Some(Region::ALL[region[k].unwrap_or(0) as usize].key()),
            );
            word(&mut out, side_of(p.rows.side[at]).map(|s| s.key()));
            let (b, ch) = (before[k].unwrap_or(0.0), change[k].unwrap_or(0.0));
            number(&mut out, Some(b));
            number(&mut out, after[k]);
            number(&mut out, Some(ch));
            number(&mut out, (b > 0.0).then(|| ch / b));
            let level = pressure[k].and_then(|l| pressure_of(l as u8 + 1));
            word(&mut out, level.map(|l| l.key()));
            word(&mut out, focus[k].map(|f| if f { "true" } else { "false" }));
            let minutes = p.rows.minutes[at];
            number(&mut out, (!minutes.is_nan()).then_some(minutes));
            word(
                &mut out,
                band[k].map(|b| MinutesBand::ALL[b as usize].key()),
            );
            text(&mut out, technique[k]);
            word(&mut out, Some(digits.format(self.visit[i])));
            text(&mut out, Some(p.rows.file[at]));
            text(&mut out, Some(p.rows.sheet[at]));
            word(&mut out, Some(digits.format(p.rows.row[at])));
            out.push(b'\n');
        }
        Ok(out)
    }

    /// The prepared texts as CSV cells, made by the first CSV written and kept for the rest.
    fn csv_texts(&self) -> Result<&Cells, AnalysisError> {
        let p = self.prepared;
        if let Some(cells) = p.csv_texts.get() {
            return Ok(cells);
        }
        let cells = Cells::new(p.texts.all(), true)?;
        // Another period's CSV may have made them meanwhile: the same cells either way.
        Ok(p.csv_texts.get_or_init(|| cells))
    }

    /// The table (or rows `block` of it) as a typed polars frame: texts as strings, scores and
    /// minutes as doubles, the flag as a boolean, counts as integers; the date as a date.
    ///
    /// # Errors
    /// [`AnalysisError::Engine`] if polars fails (a bug).
    pub fn frame(&self, block: Range<usize>) -> Result<DataFrame, AnalysisError> {
        let p = self.prepared;
        let at = |i: usize| self.rows.start + i;
        let rows: Vec<usize> = block.clone().map(at).collect();
        let text = |id: u32| &**p.texts.get(id);
        let frame = &p.frame;
        let u32s = |name: &str| -> PolarsResult<Vec<Option<u32>>> {
            let col = frame.column(name)?.u32()?.clone();
            Ok(rows.iter().map(|&r| col.get(r)).collect())
        };
        let f64s = |name: &str| -> PolarsResult<Vec<f64>> {
            let col = frame.column(name)?.f64()?.clone();
            Ok(rows.iter().map(|&r| col.get(r).unwrap_or(0.0)).collect())
        };
        let month: Vec<String> = u32s(c::MONTH)?
            .into_iter()
            .map(|m| p.months[m.unwrap_or(0) as usize].name())
            .collect();
        let (before, after) = (f64s(c::BEFORE)?, f64s(c::AFTER)?);
        let change: Vec<f64> = before.iter().zip(&after).map(|(b, a)| b - a).collect();
        let relative: Vec<Option<f64>> = before
            .iter()
            .zip(&change)
            .map(|(b, ch)| (*b > 0.0).then(|| ch / b))
            .collect();
        let mut columns = vec![Column::new("month".into(), month)];
        if self.options.exact_dates {
            let dates: Vec<i32> = rows
                .iter()
                .map(|&r| date_of(p.rows.day[r]))
                .map(|d| {
                    (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(d)).num_days() as i32
                })
                .collect();
            columns.push(Column::new("date".into(), dates).cast(&DataType::Date)?);
        }
        let texts = |ids: Vec<Option<u32>>| -> Vec<Option<&str>> {
            ids.into_iter().map(|i| i.map(text)).collect()
        };
        let focus = frame.column(c::FOCUS)?.bool()?.clone();
        columns.extend([
            Column::new("client".into(), texts(u32s(c::CLIENT)?)),
            Column::new(
                "session".into(),
                block
                    .clone()
                    .map(|i| Some(self.sessions.get(self.session[i])).filter(|s| !s.is_empty()))
                    .collect::<Vec<Option<&str>>>(),
            ),
            Column::new("therapist".into(), texts(u32s(c::THERAPIST)?)),
            Column::new(
                "region".into(),
                u32s(c::REGION)?
                    .into_iter()
                    .map(|r| Region::ALL[r.unwrap_or(0) as usize].key())
                    .collect::<Vec<&str>>(),
            ),
            Column::new("before".into(), before),
            Column::new("after".into(), after),
            Column::new("change".into(), change),
            Column::new("relative".into(), relative),
            Column::new(
                "pressure".into(),
                u32s(c::PRESSURE)?
                    .into_iter()
                    .map(|l| l.and_then(|l| pressure_of(l as u8 + 1)).map(|l| l.key()))
                    .collect::<Vec<Option<&str>>>(),
            ),
            Column::new(
                "focus".into(),
                rows.iter()
                    .map(|&r| focus.get(r))
                    .collect::<Vec<Option<bool>>>(),
            ),
            Column::new(
                "minutes_band".into(),
                u32s(c::MINUTES_BAND)?
                    .into_iter()
                    .map(|b| b.map(|b| MinutesBand::ALL[b as usize].key()))
                    .collect::<Vec<Option<&str>>>(),
            ),
            Column::new("technique".into(), texts(u32s(c::TECHNIQUE)?)),
            Column::new(
                "visit".into(),
                block.clone().map(|i| self.visit[i]).collect::<Vec<u32>>(),
            ),
        ]);
        columns.extend(self.beside_frame(&rows));
        // In the table's column order.
        Ok(DataFrame::new(rows.len(), columns)?.select(self.columns())?)
    }

    /// The oracle frame's columns that come from the prepared rows beside the frame (side,
    /// minutes, file, sheet, row), for the prepared rows `rows`.
    fn beside_frame(&self, rows: &[usize]) -> [Column; 5] {
        let p = self.prepared;
        let text = |id: u32| &**p.texts.get(id);
        [
            Column::new(
                "side".into(),
                rows.iter()
                    .map(|&r| side_of(p.rows.side[r]).map(|s| s.key()))
                    .collect::<Vec<Option<&str>>>(),
            ),
            Column::new(
                "minutes".into(),
                rows.iter()
                    .map(|&r| Some(p.rows.minutes[r]).filter(|m| !m.is_nan()))
                    .collect::<Vec<Option<f64>>>(),
            ),
            Column::new(
                "file".into(),
                rows.iter()
                    .map(|&r| text(p.rows.file[r]))
                    .collect::<Vec<&str>>(),
            ),
            Column::new(
                "sheet".into(),
                rows.iter()
                    .map(|&r| text(p.rows.sheet[r]))
                    .collect::<Vec<&str>>(),
            ),
            Column::new(
                "row".into(),
                rows.iter().map(|&r| p.rows.row[r]).collect::<Vec<u32>>(),
            ),
        ]
    }
}

/// `text` as a CSV cell a spreadsheet shows as text: a cell that starts with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading `'`, as OWASP advises against CSV (formula)
/// injection, so `=HYPERLINK(…)` typed as a therapist's name is never run when a clinic opens
/// `sessions.csv`. Spreadsheets hide the `'`; programs that read the CSV see it.
///
/// Only text goes through here: scores, minutes and other numbers are written as numbers, so
/// a change of `-2` stays `-2`.
pub fn neutralise_formula(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use relief_core::{Origin, Record};

    #[test]
    fn text_a_spreadsheet_would_run_gets_a_leading_quote() {
        for hostile in [
            "=HYPERLINK(\"http://evil\",\"x\")",
            "+cmd|' /C calc'!A0",
            "@SUM(1)",
            "-2+3",
            "\tx",
            "\r=1",
        ] {
            assert_eq!(neutralise_formula(hostile), format!("'{hostile}"));
        }
        for plain in [
            "Ana Costa",
            "lower_back",
            "16-30",
            "over 30",
            "",
            "a=b",
            " =1",
            "'x",
        ] {
            assert_eq!(neutralise_formula(plain), plain);
        }
    }

    /// Hostile text in every text column an export fills is neutralised; numbers, including a
    /// negative change, are written as numbers in their shortest form.
    #[test]
    fn numbers_stay_numbers_and_text_is_neutralised_in_the_csv() {
        let record = Record {
            date: chrono::NaiveDate::from_ymd_opt(2026, 10, 5).unwrap(),
            client: Arc::from("+client"),
            therapist: Some(Arc::from("=1+1")),
            session_id: None,
            region: Region::Neck,
            side: None,
            before: 2.0,
            after: 4.0,
            pressure: None,
            minutes: Some(10.0),
            focus: None,
            technique: Some(Arc::from("@SUM(A1)")),
            origin: Origin {
                file: Arc::from("-a.csv"),
                sheet: Arc::from("\tS"),
                row: 3,
            },
        };
        let prepared = Prepared::new(std::iter::once(record).collect()).unwrap();
        let period = Period::parse_month("2026-10").unwrap();
        let table = prepared
            .clean_table(&period, CleanTableOptions::default(), &|_, out| {
                out.push_str("=s")
            })
            .unwrap();
        let mut out = Vec::new();
        table.write_csv(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text.lines().nth(1).unwrap(),
            "2026-10,'+client,'=s,'=1+1,neck,,2,4,-2,-1,,,10,6-15,'@SUM(A1),1,'-a.csv,'\tS,3"
        );
        // The typed frame keeps the exact values.
        let frame = table.frame(0..1).unwrap();
        let therapist = frame.column("therapist").unwrap().str().unwrap().get(0);
        assert_eq!(therapist, Some("=1+1"));
    }
}
