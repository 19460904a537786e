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
//! (a month, or about a million rows of one) is encoded one column per core, each column in
//! blocks of 65,536 rows whose values are gathered as Parquet wants them (text as shared byte
//! strings made once per distinct text, not per cell), so memory holds a few compressed column
//! chunks whatever the table's length. A row group never spans two months, so a month the
//! period holds whole is encoded once and its chunks written into both the period's file and
//! the month's partition (see [`ParquetEncoder::write_group`]).
//!
//! This module lays out the files (schema, row groups, column chunks, months); [`source`]
//! gathers each block's values.

use crate::export::BLOCK;
use crate::{AnalysisError, CleanTable, Period};
use bytes::Bytes;
use parquet::basic::Compression;
use parquet::column::writer::{ColumnCloseResult, get_column_writer};
use parquet::file::properties::{WriterProperties, WriterPropertiesPtr};
use parquet::file::writer::{
    SerializedColumnWriter, SerializedFileWriter, SerializedPageWriter, SerializedRowGroupWriter,
    TrackedWrite,
};
use parquet::schema::types::{ColumnDescPtr, SchemaDescriptor};
use polars::prelude::*;
use rayon::prelude::*;
use std::io::Write;
use std::ops::Range;
use std::sync::Arc;

mod source;
use source::Source;

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
        self.parquet_encoder()?.write_file(out, WithMonth(true))
    }

    /// Writes the table as one month's file of the Hive-partitioned dataset
    /// (`clean/month=YYYY-MM/sessions.parquet`): every column but `month`, which the folder
    /// name carries.
    ///
    /// # Errors
    /// As [`CleanTable::write_parquet`].
    pub fn write_partition_parquet(&self, out: impl Write + Send) -> Result<(), AnalysisError> {
        self.parquet_encoder()?.write_file(out, WithMonth(false))
    }

    /// What writes this table's Parquet files: each row group is encoded once and can go into
    /// the period's file and its month's partition alike, which hold the same bytes for it.
    ///
    /// # Errors
    /// [`AnalysisError::Engine`] for a bug (a column without a Parquet type).
    pub fn parquet_encoder(&self) -> Result<ParquetEncoder<'_, '_>, AnalysisError> {
        let specs: Vec<(&str, &str, bool)> = self
            .columns()
            .iter()
            .map(|name| {
                COLUMNS
                    .iter()
                    .find(|c| c.0 == *name)
                    .copied()
                    .ok_or_else(|| bug(format!("no Parquet type for the column {name}")))
            })
            .collect::<Result<_, _>>()?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_dictionary_enabled(true)
            .build();
        Ok(ParquetEncoder {
            source: Source::new(self),
            encoded: schema(&specs, WithMonth(false))?,
            specs,
            props: Arc::new(props),
            group: ROW_GROUP,
        })
    }
}

/// Whether a Parquet file has the `month` column: the period's file has it, a partition of the
/// dataset leaves it to its folder's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WithMonth(pub bool);

/// Encodes a clean table's row groups for its Parquet files (see
/// [`CleanTable::parquet_encoder`]).
pub struct ParquetEncoder<'t, 'p> {
    source: Source<'t, 'p>,
    /// Every column of the table, `month` first.
    specs: Vec<(&'static str, &'static str, bool)>,
    props: WriterPropertiesPtr,
    /// Rows per row group at most.
    group: usize,
    /// The schema of the columns [`ParquetEncoder::write_group`] encodes (all but `month`),
    /// made once with the encoder.
    encoded: SchemaDescriptor,
}

/// The table's rows of one month, as the row groups of its Parquet files.
pub struct MonthGroups<'p> {
    /// The month (the whole calendar month, whatever the period).
    pub month: &'p Period,
    /// Whether the table holds every row the month has, so that these groups are the month's
    /// partition too; `false` when the period leaves out some of the month's rows.
    pub whole: bool,
    /// Row ranges of the table, one per row group.
    pub groups: Vec<Range<usize>>,
}

impl<'t, 'p> ParquetEncoder<'t, 'p> {
    /// The table's row groups, month by month: a group never spans two months (so a month's
    /// groups in the period's file are the groups of its partition) and holds about a million
    /// rows at most. An empty table has none (its files get one empty group, see
    /// [`ParquetFile::finish`]).
    pub fn months(&self) -> Vec<MonthGroups<'p>> {
        let table = self.source.table;
        let p = table.prepared;
        let mut months = Vec::new();
        for month in &p.months {
            let all = p.rows_of(month);
            let start = all.start.max(table.rows.start);
            let end = all.end.min(table.rows.end);
            if start >= end {
                continue;
            }
            let whole = start == all.start && end == all.end;
            let (start, end) = (start - table.rows.start, end - table.rows.start);
            let groups = (start..end)
                .step_by(self.group.max(1))
                .map(|at| at..(at + self.group).min(end))
                .collect();
            months.push(MonthGroups {
                month,
                whole,
                groups,
            });
        }
        months
    }

    /// A Parquet file of the table, written group by group with [`ParquetFile::append`] or
    /// [`ParquetEncoder::write_group`].
    ///
    /// # Errors
    /// As [`CleanTable::write_parquet`].
    pub fn file<W: Write + Send>(
        &self,
        out: W,
        month: WithMonth,
    ) -> Result<ParquetFile<'_, 't, 'p, W>, AnalysisError> {
        let schema = schema(&self.specs, month)?;
        let writer = SerializedFileWriter::new(out, schema.root_schema_ptr(), self.props.clone())?;
        Ok(ParquetFile {
            encoder: self,
            writer,
            month,
            groups: 0,
        })
    }

    /// Writes rows `rows` as the next row group of `file` and, if given, of `also`: every
    /// column but `month` is encoded once and its bytes go into both files.
    ///
    /// Columns are encoded a few at a time, one per core, and each is written to the files as
    /// soon as it is ready, so memory holds a few compressed column chunks, never a whole
    /// group.
    ///
    /// # Errors
    /// As [`CleanTable::write_parquet`].
    pub fn write_group<A: Write + Send, B: Write + Send>(
        &self,
        rows: Range<usize>,
        file: &mut ParquetFile<'_, '_, '_, A>,
        also: Option<&mut ParquetFile<'_, '_, '_, B>>,
    ) -> Result<(), AnalysisError> {
        if rows.start > rows.end || rows.end > self.source.table.height() {
            return Err(bug(format!(
                "rows {rows:?} are not rows of a table of {} rows",
                self.source.table.height()
            )));
        }
        let mut first = file.start_group(&rows)?;
        let mut second = also.map(|f| f.start_group(&rows)).transpose()?;
        let schema = &self.encoded;
        let columns: Vec<(usize, &(&str, &str, bool))> = self
            .specs
            .iter()
            .filter(|s| s.0 != "month")
            .enumerate()
            .collect();
        for window in columns.chunks(rayon::current_num_threads().max(1)) {
            let chunks = window
                .par_iter()
                .map(|(i, (name, _, blank))| {
                    self.encode_column(schema.column(*i), name, rows.clone(), *blank)
                })
                .collect::<Result<Vec<_>, AnalysisError>>()?;
            for (bytes, closed) in chunks {
                if let Some(second) = second.as_mut() {
                    second.append_column(&bytes, closed.clone())?;
                }
                first.append_column(&bytes, closed)?;
            }
        }
        first.close()?;
        if let Some(second) = second {
            second.close()?;
        }
        Ok(())
    }

    /// Rows `rows` of one column as a compressed column chunk, with the metadata its writer
    /// closed with.
    fn encode_column(
        &self,
        descr: ColumnDescPtr,
        name: &str,
        rows: Range<usize>,
        blank: bool,
    ) -> Result<(Bytes, ColumnCloseResult), AnalysisError> {
        let mut buffer = TrackedWrite::new(Vec::new());
        let mut closed = None;
        {
            let pages = Box::new(SerializedPageWriter::new(&mut buffer));
            let writer = get_column_writer(descr, self.props.clone(), pages);
            let mut w = SerializedColumnWriter::new(
                writer,
                Some(Box::new(|result| {
                    closed = Some(result);
                    Ok(())
                })),
            );
            self.write_column(&mut w, name, rows, blank)?;
            w.close()?;
        }
        let closed = closed.ok_or_else(|| bug("a column writer closed without a result"))?;
        Ok((Bytes::from(buffer.into_inner()?), closed))
    }

    /// Writes the whole table as one file.
    fn write_file(&self, out: impl Write + Send, month: WithMonth) -> Result<(), AnalysisError> {
        let mut file = self.file(out, month)?;
        for part in self.months() {
            for rows in &part.groups {
                file.append(rows.clone())?;
            }
        }
        file.finish()
    }

    /// Writes rows `rows` of the column `name` into one column chunk.
    fn write_column(
        &self,
        w: &mut SerializedColumnWriter<'_>,
        name: &str,
        rows: Range<usize>,
        blank: bool,
    ) -> Result<(), AnalysisError> {
        // Blocks start at multiples of BLOCK within the group: the batches the writer sees
        // (and so its page boundaries and bytes) do not depend on how values are gathered.
        let mut at = rows.start;
        while at < rows.end {
            let block = at..(at + BLOCK).min(rows.end);
            self.source.write_block(w, name, block.clone(), blank)?;
            at = block.end;
        }
        Ok(())
    }
}

/// The schema of a file of the columns `specs`, with or without the `month` column.
fn schema(
    specs: &[(&'static str, &'static str, bool)],
    month: WithMonth,
) -> Result<SchemaDescriptor, AnalysisError> {
    let fields: String = specs
        .iter()
        .filter(|s| month.0 || s.0 != "month")
        .map(|(_, ty, blank)| {
            let rule = if *blank { "optional" } else { "required" };
            format!("  {rule} {ty};\n")
        })
        .collect();
    let root = parquet::schema::parser::parse_message_type(&format!(
        "message relief_sessions {{\n{fields}}}"
    ))?;
    Ok(SchemaDescriptor::new(Arc::new(root)))
}

/// A Parquet file of a clean table being written row group by row group.
pub struct ParquetFile<'e, 't, 'p, W: Write + Send> {
    encoder: &'e ParquetEncoder<'t, 'p>,
    writer: SerializedFileWriter<W>,
    month: WithMonth,
    /// Row groups written so far.
    groups: usize,
}

impl<W: Write + Send> ParquetFile<'_, '_, '_, W> {
    /// Writes rows `rows` of the table as the file's next row group.
    ///
    /// # Errors
    /// As [`CleanTable::write_parquet`].
    pub fn append(&mut self, rows: Range<usize>) -> Result<(), AnalysisError> {
        let encoder = self.encoder;
        encoder.write_group(rows, self, None::<&mut Self>)
    }

    /// Opens the next row group and writes its `month` column if the file has one (one value
    /// repeated, so it costs next to nothing); the other columns are appended encoded.
    fn start_group(
        &mut self,
        rows: &Range<usize>,
    ) -> Result<SerializedRowGroupWriter<'_, W>, AnalysisError> {
        self.groups += 1;
        let mut group = self.writer.next_row_group()?;
        if self.month.0 {
            let Some(mut w) = group.next_column()? else {
                return Err(bug("the Parquet schema has no columns"));
            };
            self.encoder
                .write_column(&mut w, "month", rows.clone(), false)?;
            w.close()?;
        }
        Ok(group)
    }

    /// Writes the file's footer. A file given no group gets one empty group, so readers see
    /// its schema.
    ///
    /// # Errors
    /// As [`CleanTable::write_parquet`].
    pub fn finish(mut self) -> Result<(), AnalysisError> {
        if self.groups == 0 {
            self.append(0..0)?;
        }
        self.writer.close()?;
        Ok(())
    }
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
        prepared_over(n, &[10])
    }

    /// `n` records spread over the days of `months` of 2026, one month after another.
    fn prepared_over(n: u32, months: &[u32]) -> Prepared {
        let records: relief_core::Records = (0..n)
            .map(|i| Record {
                date: chrono::NaiveDate::from_ymd_opt(
                    2026,
                    months[(i as usize) % months.len()],
                    1 + i % 28,
                )
                .unwrap(),
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
            .clean_table(
                &period,
                CleanTableOptions { exact_dates: true },
                &|k, out| out.push_str(k),
            )
            .unwrap();
        let (mut small, mut whole) = (Vec::new(), Vec::new());
        let mut encoder = table.parquet_encoder().unwrap();
        encoder.write_file(&mut whole, WithMonth(true)).unwrap();
        encoder.group = 7;
        encoder.write_file(&mut small, WithMonth(true)).unwrap();
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let (small, whole) = (bytes_reader(small), bytes_reader(whole));
        assert_eq!(table.height(), 40);
        assert_eq!(group_sizes(&small), [7, 7, 7, 7, 7, 5]);
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

    fn bytes_reader(
        bytes: Vec<u8>,
    ) -> parquet::file::serialized_reader::SerializedFileReader<Bytes> {
        parquet::file::serialized_reader::SerializedFileReader::new(Bytes::from(bytes)).unwrap()
    }

    /// The rows of each row group of a written file.
    fn group_sizes(
        file: &parquet::file::serialized_reader::SerializedFileReader<Bytes>,
    ) -> Vec<i64> {
        use parquet::file::reader::FileReader;
        let groups = file.metadata().row_groups();
        groups.iter().map(|g| g.num_rows()).collect()
    }

    /// The period's file splits its rows where each month begins, and a month the period holds
    /// whole is encoded once: the partition made from the period's groups is, byte for byte,
    /// the file the month's own table writes.
    #[test]
    fn months_are_encoded_once_for_the_period_file_and_their_partitions() {
        let p = prepared_over(90, &[9, 10, 11]);
        let options = CleanTableOptions { exact_dates: true };
        let name = |k: &str, out: &mut String| out.push_str(k);
        let period = Period::parse_range("2026-09-01", "2026-11-30").unwrap();
        let table = p.clean_table(&period, options, &name).unwrap();
        let encoder = table.parquet_encoder().unwrap();
        let months = encoder.months();
        assert_eq!(months.len(), 3);
        assert!(months.iter().all(|m| m.whole && m.groups.len() == 1));

        let mut file = Vec::new();
        table.write_parquet(&mut file).unwrap();
        let file = bytes_reader(file);
        assert_eq!(group_sizes(&file), [30, 30, 30]);

        // The period's file and each month's partition written together, as `report` does.
        let mut together = Vec::new();
        let mut partitions = Vec::new();
        let mut period_file = encoder.file(&mut together, WithMonth(true)).unwrap();
        for part in &months {
            let mut shared = Vec::new();
            let mut partition = encoder.file(&mut shared, WithMonth(false)).unwrap();
            for rows in &part.groups {
                encoder
                    .write_group(rows.clone(), &mut period_file, Some(&mut partition))
                    .unwrap();
            }
            partition.finish().unwrap();
            partitions.push(shared);
        }
        period_file.finish().unwrap();
        let mut alone = Vec::new();
        table.write_parquet(&mut alone).unwrap();
        assert_eq!(together, alone);

        for (part, shared) in months.iter().zip(partitions) {
            let mut alone = Vec::new();
            let own = p.clean_table(part.month, options, &name).unwrap();
            own.write_partition_parquet(&mut alone).unwrap();
            assert_eq!(shared, alone, "{}", part.month.name());
        }
    }

    /// A period that starts inside a month holds only part of it: that month is not the
    /// partition's, and an empty table still writes a file with its schema.
    #[test]
    fn a_cut_month_is_not_whole_and_an_empty_table_still_has_a_schema() {
        use parquet::file::reader::FileReader;
        let p = prepared_over(60, &[9, 10]);
        let options = CleanTableOptions::default();
        let name = |k: &str, out: &mut String| out.push_str(k);
        let cut = Period::parse_range("2026-09-15", "2026-10-31").unwrap();
        let table = p.clean_table(&cut, options, &name).unwrap();
        let wholes: Vec<bool> = table
            .parquet_encoder()
            .unwrap()
            .months()
            .iter()
            .map(|m| m.whole)
            .collect();
        assert_eq!(wholes, [false, true]);

        let none = Period::parse_month("2026-12").unwrap();
        let empty = p.clean_table(&none, options, &name).unwrap();
        assert!(empty.parquet_encoder().unwrap().months().is_empty());
        let mut bytes = Vec::new();
        empty.write_parquet(&mut bytes).unwrap();
        let file = bytes_reader(bytes);
        assert_eq!(file.metadata().num_row_groups(), 1);
        assert_eq!(file.metadata().file_metadata().num_rows(), 0);
        assert_eq!(
            file.metadata().file_metadata().schema_descr().num_columns(),
            table.columns().len()
        );
    }
}
