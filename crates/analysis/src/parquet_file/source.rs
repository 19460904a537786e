//! The values of one column block, gathered for the Parquet column writer: scores and dates
//! from the prepared columns, texts as byte strings made once per distinct text (cloning one
//! shares its bytes), blanks where a value was not recorded. The file's layout — row groups,
//! column chunks, months — is the parent module's.

use super::bug;
use crate::AnalysisError;
use crate::CleanTable;
use crate::frame::col_names as c;
use bytes::Bytes;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DataType, DoubleType, Int32Type};
use parquet::file::writer::SerializedColumnWriter;
use polars::prelude::*;
use relief_core::records::{date_of, pressure_of, side_of};
use relief_core::{MinutesBand, Region};
use std::ops::Range;

/// What the writer reads the table's values from: the prepared columns, and every text the
/// table can show as a Parquet byte string, made once (cloning one shares its bytes).
pub(super) struct Source<'t, 'p> {
    pub(super) table: &'t CleanTable<'p>,
    /// By text number.
    texts: Vec<ByteArray>,
    /// By month index.
    months: Vec<ByteArray>,
}

/// A `&'static str` (relief's own words) as a byte string, without copying it.
fn word(text: &'static str) -> ByteArray {
    ByteArray::from(Bytes::from_static(text.as_bytes()))
}

fn bytes_of(text: &str) -> ByteArray {
    ByteArray::from(Bytes::copy_from_slice(text.as_bytes()))
}

impl<'t, 'p> Source<'t, 'p> {
    pub(super) fn new(table: &'t CleanTable<'p>) -> Source<'t, 'p> {
        let p = table.prepared;
        Source {
            table,
            texts: (0..p.texts.len() as u32)
                .map(|id| bytes_of(p.texts.get(id)))
                .collect(),
            months: p.months.iter().map(|m| bytes_of(&m.name())).collect(),
        }
    }

    /// Writes rows `block` (relative to the table) of the column `name`.
    pub(super) fn write_block(
        &self,
        w: &mut SerializedColumnWriter<'_>,
        name: &str,
        block: Range<usize>,
        blank: bool,
    ) -> Result<(), AnalysisError> {
        if let Some(cells) = self.text_cells(name, block.clone())? {
            return put::<ByteArrayType>(w, name, cells.into_iter(), blank);
        }
        let t = self.table;
        let p = t.prepared;
        let int = |v: u32| i32::try_from(v).map_err(|_| bug(format!("{v} does not fit in {name}")));
        match name {
            "date" => {
                let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
                let days = self
                    .positions(&block)
                    .map(|r| Some((date_of(p.rows.day[r]) - epoch).num_days() as i32));
                put::<Int32Type>(w, name, days, blank)
            }
            "before" | "after" => {
                let values = self.f64s(name, &block)?;
                let cells = values.iter().map(|v| Some(v.unwrap_or(0.0)));
                put::<DoubleType>(w, name, cells, blank)
            }
            "change" => {
                let cells = self.changes(&block)?.into_iter().map(|(_, ch)| Some(ch));
                put::<DoubleType>(w, name, cells, blank)
            }
            "relative" => {
                let cells = self
                    .changes(&block)?
                    .into_iter()
                    .map(|(b, ch)| (b > 0.0).then(|| ch / b));
                put::<DoubleType>(w, name, cells, blank)
            }
            "focus" => {
                let (start, len) = self.span(&block);
                let focus = p.frame.column(c::FOCUS)?.bool()?.slice(start, len);
                put::<BoolType>(w, name, focus.iter(), blank)
            }
            "minutes" => {
                let cells = self
                    .positions(&block)
                    .map(|r| Some(p.rows.minutes[r]).filter(|m| !m.is_nan()));
                put::<DoubleType>(w, name, cells, blank)
            }
            "visit" => {
                let cells = block.map(|i| int(t.visit[i]).map(Some));
                put_fallible::<Int32Type>(w, name, cells, blank)
            }
            "row" => {
                let cells = self.positions(&block).map(|r| int(p.rows.row[r]).map(Some));
                put_fallible::<Int32Type>(w, name, cells, blank)
            }
            other => Err(bug(format!("no Parquet writer for {other}"))),
        }
    }

    /// The cells of rows `block` of a text column, as byte strings; `None` for a column that is
    /// not text.
    fn text_cells(
        &self,
        name: &str,
        block: Range<usize>,
    ) -> Result<Option<Vec<Option<ByteArray>>>, AnalysisError> {
        let t = self.table;
        let p = t.prepared;
        let text = |id: u32| self.texts[id as usize].clone();
        let cells: Vec<Option<ByteArray>> = match name {
            "month" => {
                let months = self.u32s(c::MONTH, &block)?;
                months
                    .iter()
                    .map(|m| m.map(|m| self.months[m as usize].clone()))
                    .collect()
            }
            "client" | "therapist" | "technique" => {
                let column = match name {
                    "client" => c::CLIENT,
                    "therapist" => c::THERAPIST,
                    _ => c::TECHNIQUE,
                };
                let ids = self.u32s(column, &block)?;
                ids.iter().map(|i| i.map(text)).collect()
            }
            "session" => block
                .map(|i| t.sessions.bytes(t.session[i]).map(ByteArray::from))
                .collect(),
            "region" => {
                let regions = self.u32s(c::REGION, &block)?;
                regions
                    .iter()
                    .map(|r| Some(word(Region::ALL[r.unwrap_or(0) as usize].key())))
                    .collect()
            }
            "side" => self
                .positions(&block)
                .map(|r| side_of(p.rows.side[r]).map(|s| word(s.key())))
                .collect(),
            "pressure" => {
                let levels = self.u32s(c::PRESSURE, &block)?;
                levels
                    .iter()
                    .map(|l| {
                        l.and_then(|l| pressure_of(l as u8 + 1))
                            .map(|l| word(l.key()))
                    })
                    .collect()
            }
            "minutes_band" => {
                let bands = self.u32s(c::MINUTES_BAND, &block)?;
                bands
                    .iter()
                    .map(|b| b.map(|b| word(MinutesBand::ALL[b as usize].key())))
                    .collect()
            }
            "file" => self
                .positions(&block)
                .map(|r| Some(text(p.rows.file[r])))
                .collect(),
            "sheet" => self
                .positions(&block)
                .map(|r| Some(text(p.rows.sheet[r])))
                .collect(),
            _ => return Ok(None),
        };
        Ok(Some(cells))
    }

    /// Where rows `block` of the table start in the prepared frame, and how many they are.
    fn span(&self, block: &Range<usize>) -> (i64, usize) {
        ((self.table.rows.start + block.start) as i64, block.len())
    }

    /// The positions of rows `block` of the table in the prepared rows.
    fn positions(&self, block: &Range<usize>) -> impl Iterator<Item = usize> + use<> {
        let start = self.table.rows.start;
        block.clone().map(move |i| start + i)
    }

    /// The values of a `u32` frame column for rows `block`.
    fn u32s(&self, column: &str, block: &Range<usize>) -> PolarsResult<UInt32Chunked> {
        let (start, len) = self.span(block);
        Ok(self.frame_column(column)?.u32()?.slice(start, len))
    }

    /// The values of an `f64` frame column for rows `block`.
    fn f64s(&self, column: &str, block: &Range<usize>) -> PolarsResult<Float64Chunked> {
        let (start, len) = self.span(block);
        Ok(self.frame_column(column)?.f64()?.slice(start, len))
    }

    /// Each row's score before and change (before − after), as the frame's readers work it out.
    fn changes(&self, block: &Range<usize>) -> PolarsResult<Vec<(f64, f64)>> {
        let (before, after) = (self.f64s(c::BEFORE, block)?, self.f64s(c::AFTER, block)?);
        Ok(before
            .iter()
            .zip(after.iter())
            .map(|(b, a)| {
                let (b, a) = (b.unwrap_or(0.0), a.unwrap_or(0.0));
                (b, b - a)
            })
            .collect())
    }

    fn frame_column(&self, name: &str) -> PolarsResult<&Column> {
        self.table.prepared.frame.column(name)
    }
}

/// Writes one block of a column chunk: the present values, and definition levels (1 present,
/// 0 blank) for a column that may be blank.
fn put<T: DataType>(
    w: &mut SerializedColumnWriter<'_>,
    name: &str,
    cells: impl Iterator<Item = Option<T::T>>,
    blank: bool,
) -> Result<(), AnalysisError> {
    put_fallible::<T>(w, name, cells.map(Ok), blank)
}

/// As [`put`], for cells whose conversion can fail.
fn put_fallible<T: DataType>(
    w: &mut SerializedColumnWriter<'_>,
    name: &str,
    cells: impl Iterator<Item = Result<Option<T::T>, AnalysisError>>,
    blank: bool,
) -> Result<(), AnalysisError> {
    let (lower, _) = cells.size_hint();
    let mut values = Vec::with_capacity(lower);
    let mut levels: Vec<i16> = Vec::with_capacity(if blank { lower } else { 0 });
    for cell in cells {
        match cell? {
            Some(v) => {
                values.push(v);
                if blank {
                    levels.push(1);
                }
            }
            None if blank => levels.push(0),
            None => return Err(bug(format!("the column {name} has blank values"))),
        }
    }
    let def = blank.then_some(levels.as_slice());
    w.typed::<T>().write_batch(&values, def, None)?;
    Ok(())
}
