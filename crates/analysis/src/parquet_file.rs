//! The clean table as Parquet (SPEC §4.3), for DuckDB, DataFusion and Spark: typed, compressed,
//! and the same bytes for the same table.
//!
//! Written with the arrow-rs `parquet` crate's column writers, without its arrow layer: that
//! adds seven small crates to the build where polars' own Parquet support adds 94
//! (the README's "For developers" gives the measurement). Every column has a fixed Parquet type,
//! whatever the rows hold, so the monthly files of the `clean/` dataset always share one
//! schema: text is UTF-8 `STRING` (dictionary-encoded, so a therapist's name or a region is
//! stored once per page), scores and minutes are `DOUBLE`, `date` is a `DATE`, `focus` is a
//! `BOOLEAN`, `visit` and `row` are 32-bit integers. Columns that may be blank are `optional`;
//! the rest are `required`. Pages are Snappy-compressed, which every engine reads.
//!
//! The table is streamed column by column straight from the prepared columns: a row group
//! (about a million rows) is written one column at a time, each in blocks of 65,536 rows whose
//! values are gathered as Parquet wants them (text as shared byte strings made once per
//! distinct text, not per cell), so memory holds one block of one column whatever the table's
//! length, and nothing is built twice for the period file and the month's file.

use crate::export::BLOCK;
use crate::frame::col_names as c;
use crate::{AnalysisError, CleanTable};
use bytes::Bytes;
use parquet::basic::Compression;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DataType, DoubleType, Int32Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::{SerializedColumnWriter, SerializedFileWriter};
use polars::prelude::*;
use relief_core::records::{date_of, pressure_of, side_of};
use relief_core::{MinutesBand, Region};
use std::io::Write;
use std::ops::Range;
use std::sync::Arc;

/// Rows per row group: a clinic's month is one group; a franchise-sized table is split so no
/// engine (and not relief) has to hold more than this many rows of one column at once.
const ROW_GROUP: usize = 1 << 20;

/// The Parquet type of each clean-table column: (name, type in Parquet's schema syntax,
/// whether it may be blank).
const COLUMNS: [(&str, &str, bool); 20] = [
    ("month", "binary month (STRING)", false),
    ("date", "int32 date (DATE)", false),
    ("client", "binary client (STRING)", false),
    ("session", "binary session (STRING)", false),
    ("therapist", "binary therapist (STRING)", true),
    ("region", "binary region (STRING)", false),
    ("side", "binary side (STRING)", true),
    ("before", "double before", false),
    ("after", "double after", false),
    ("change", "double change", false),
    ("relative", "double relative", true),
    ("pressure", "binary pressure (STRING)", true),
    ("focus", "boolean focus", true),
    ("minutes", "double minutes", true),
    ("minutes_band", "binary minutes_band (STRING)", true),
    ("technique", "binary technique (STRING)", true),
    ("visit", "int32 visit", false),
    ("file", "binary file (STRING)", false),
    ("sheet", "binary sheet (STRING)", false),
    ("row", "int32 row", false),
];

impl CleanTable<'_> {
    /// Writes the table as Parquet (`sessions.parquet` of a period folder).
    ///
    /// # Errors
    /// [`AnalysisError::Parquet`] when the writer or `out` fails; [`AnalysisError::Engine`] for
    /// a bug (a column of an unexpected type).
    pub fn write_parquet(&self, out: impl Write + Send) -> Result<(), AnalysisError> {
        write(self, &self.columns(), ROW_GROUP, out)
    }

    /// Writes the table as one month's file of the Hive-partitioned dataset
    /// (`clean/month=YYYY-MM/sessions.parquet`): every column but `month`, which the folder
    /// name carries.
    ///
    /// # Errors
    /// As [`CleanTable::write_parquet`].
    pub fn write_partition_parquet(&self, out: impl Write + Send) -> Result<(), AnalysisError> {
        let columns: Vec<&str> = self
            .columns()
            .into_iter()
            .filter(|c| *c != "month")
            .collect();
        write(self, &columns, ROW_GROUP, out)
    }
}

/// Writes `columns` of `table` as Parquet, `group` rows per row group.
fn write(
    table: &CleanTable<'_>,
    columns: &[&str],
    group: usize,
    out: impl Write + Send,
) -> Result<(), AnalysisError> {
    let specs: Vec<(&str, &str, bool)> = columns
        .iter()
        .map(|name| {
            COLUMNS
                .iter()
                .find(|c| c.0 == *name)
                .copied()
                .ok_or_else(|| bug(format!("no Parquet type for the column {name}")))
        })
        .collect::<Result<_, _>>()?;
    let fields: String = specs
        .iter()
        .map(|(_, ty, blank)| {
            let rule = if *blank { "optional" } else { "required" };
            format!("  {rule} {ty};\n")
        })
        .collect();
    let schema = parquet::schema::parser::parse_message_type(&format!(
        "message relief_sessions {{\n{fields}}}"
    ))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_dictionary_enabled(true)
        .build();
    let mut writer = SerializedFileWriter::new(out, Arc::new(schema), Arc::new(props))?;
    let source = Source::new(table);
    let height = table.height();
    let mut start = 0;
    // An empty table still gets one (empty) row group, so readers see its schema.
    while start < height || start == 0 {
        let rows = start..(start + group).min(height);
        let mut row_group = writer.next_row_group()?;
        for (name, _, blank) in &specs {
            let Some(mut w) = row_group.next_column()? else {
                return Err(bug("the Parquet schema has fewer columns than the table"));
            };
            // Blocks start at multiples of BLOCK within the group: the batches the writer sees
            // (and so its page boundaries and bytes) do not depend on how values are gathered.
            let mut at = rows.start;
            while at < rows.end {
                let block = at..(at + BLOCK).min(rows.end);
                source.write_block(&mut w, name, block.clone(), *blank)?;
                at = block.end;
            }
            w.close()?;
        }
        row_group.close()?;
        start += group.max(1);
    }
    writer.close()?;
    Ok(())
}

/// What the writer reads the table's values from: the prepared columns, and every text the
/// table can show as a Parquet byte string, made once (cloning one shares its bytes).
struct Source<'t, 'p> {
    table: &'t CleanTable<'p>,
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
    fn new(table: &'t CleanTable<'p>) -> Source<'t, 'p> {
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
    fn write_block(
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
            "before" | "after" | "change" => {
                let values = self.f64s(name, &block)?;
                let cells = values.iter().map(|v| Some(v.unwrap_or(0.0)));
                put::<DoubleType>(w, name, cells, blank)
            }
            "relative" => {
                let (before, change) =
                    (self.f64s(c::BEFORE, &block)?, self.f64s(c::CHANGE, &block)?);
                let cells = before.iter().zip(change.iter()).map(|(b, ch)| {
                    let (b, ch) = (b.unwrap_or(0.0), ch.unwrap_or(0.0));
                    (b > 0.0).then(|| ch / b)
                });
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

/// A polars error for a mistake in relief, not in the input.
fn bug(message: impl Into<String>) -> AnalysisError {
    AnalysisError::Engine(PolarsError::ComputeError(message.into().into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CleanTableOptions, Period, Prepared};
    use relief_core::{Origin, Record, Region};

    fn prepared(n: u32) -> Prepared {
        let records: relief_core::Records = (0..n)
            .map(|i| Record {
                date: chrono::NaiveDate::from_ymd_opt(2026, 10, 1 + i % 28).unwrap(),
                client: Arc::from(format!("c{}", i % 7)),
                therapist: (!i.is_multiple_of(5)).then(|| Arc::from(format!("T{}", i % 3))),
                session_id: None,
                region: Region::ALL[(i % 9) as usize],
                side: None,
                before: f64::from(i % 11),
                after: f64::from(i % 4),
                pressure: None,
                minutes: i.is_multiple_of(2).then_some(f64::from(i % 40)),
                focus: Some(i.is_multiple_of(3)),
                technique: None,
                origin: Origin {
                    file: Arc::from("a.csv"),
                    sheet: Arc::from("S"),
                    row: i + 2,
                },
            })
            .collect();
        Prepared::new(records).unwrap()
    }

    /// Row groups split the table without changing a value: the same table written in groups
    /// of 7 rows and in one group holds the same rows, and each group is as long as asked.
    #[test]
    fn row_groups_split_the_table_without_changing_it() {
        let p = prepared(40);
        let period = Period::parse_month("2026-10").unwrap();
        let table = p
            .clean_table(&period, CleanTableOptions { exact_dates: true }, &|k| {
                k.to_string()
            })
            .unwrap();
        let columns = table.columns();
        let (mut small, mut whole) = (Vec::new(), Vec::new());
        write(&table, &columns, 7, &mut small).unwrap();
        write(&table, &columns, ROW_GROUP, &mut whole).unwrap();
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let read = |bytes: Vec<u8>| SerializedFileReader::new(bytes::Bytes::from(bytes)).unwrap();
        let (small, whole) = (read(small), read(whole));
        let sizes: Vec<i64> = small
            .metadata()
            .row_groups()
            .iter()
            .map(|g| g.num_rows())
            .collect();
        assert_eq!(table.height(), 40);
        assert_eq!(sizes, [7, 7, 7, 7, 7, 5]);
        assert_eq!(whole.metadata().num_row_groups(), 1);
        let rows = |r: &SerializedFileReader<bytes::Bytes>| -> Vec<String> {
            r.get_row_iter(None)
                .unwrap()
                .map(|row| row.unwrap().to_string())
                .collect()
        };
        assert_eq!(rows(&small), rows(&whole));
        assert_eq!(rows(&whole).len(), 40);
    }
}
