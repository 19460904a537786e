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
//! The table is streamed: each row group (about a million rows) is built from the table's
//! typed blocks ([`CleanTable::frame`], 65,536 rows each, on every core) and written before the
//! next is built, so memory holds one row group whatever the table's length.

use crate::{AnalysisError, CleanTable};
use parquet::basic::Compression;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::{SerializedColumnWriter, SerializedFileWriter};
use polars::prelude::*;
use rayon::prelude::*;
use std::io::Write;
use std::ops::Range;
use std::sync::Arc;

/// Rows per row group: a clinic's month is one group; a franchise-sized table is split so no
/// engine (and not relief) has to hold more than this many rows of one column at once.
const ROW_GROUP: usize = 1 << 20;

/// Rows per block taken from the table: sixteen blocks make a row group.
const BLOCK: usize = 1 << 16;

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
    let height = table.height();
    let mut start = 0;
    // An empty table still gets one (empty) row group, so readers see its schema.
    while start < height || start == 0 {
        let rows = start..(start + group).min(height);
        let blocks: Vec<Range<usize>> = rows
            .clone()
            .step_by(BLOCK)
            .map(|s| s..(s + BLOCK).min(rows.end))
            .collect();
        let frames: Vec<DataFrame> = blocks
            .into_par_iter()
            .map(|b| table.frame(b))
            .collect::<Result<_, _>>()?;
        let mut row_group = writer.next_row_group()?;
        for (name, _, blank) in &specs {
            let Some(mut w) = row_group.next_column()? else {
                return Err(bug("the Parquet schema has fewer columns than the table"));
            };
            for frame in &frames {
                write_column(&mut w, frame.column(name)?.as_materialized_series(), *blank)?;
            }
            w.close()?;
        }
        row_group.close()?;
        start += group.max(1);
    }
    writer.close()?;
    Ok(())
}

/// Writes one block of a column chunk: the present values, and definition levels (1 present,
/// 0 blank) for a column that may be blank.
fn write_column(
    w: &mut SerializedColumnWriter<'_>,
    s: &Series,
    blank: bool,
) -> Result<(), AnalysisError> {
    if !blank && s.null_count() > 0 {
        return Err(bug(format!("the column {} has blank values", s.name())));
    }
    let levels: Option<Vec<i16>> = blank.then(|| {
        s.is_not_null()
            .iter()
            .map(|v| i16::from(v == Some(true)))
            .collect()
    });
    let def = levels.as_deref();
    match s.dtype() {
        DataType::String => {
            let values: Vec<ByteArray> = s.str()?.iter().flatten().map(ByteArray::from).collect();
            w.typed::<ByteArrayType>().write_batch(&values, def, None)?;
        }
        DataType::Float64 => {
            let values: Vec<f64> = s.f64()?.iter().flatten().collect();
            w.typed::<DoubleType>().write_batch(&values, def, None)?;
        }
        DataType::Boolean => {
            let values: Vec<bool> = s.bool()?.iter().flatten().collect();
            w.typed::<BoolType>().write_batch(&values, def, None)?;
        }
        // A date is stored as days since 1970-01-01, as polars holds it.
        DataType::Date => {
            let days = s.cast(&DataType::Int32)?;
            let values: Vec<i32> = days.i32()?.iter().flatten().collect();
            w.typed::<Int32Type>().write_batch(&values, def, None)?;
        }
        DataType::UInt32 | DataType::Int32 | DataType::Int64 | DataType::UInt64 => {
            let wide = s.cast(&DataType::Int64)?;
            let values: Vec<i32> = wide
                .i64()?
                .iter()
                .flatten()
                .map(|v| {
                    i32::try_from(v).map_err(|_| bug(format!("{v} does not fit in {}", s.name())))
                })
                .collect::<Result<_, _>>()?;
            w.typed::<Int32Type>().write_batch(&values, def, None)?;
        }
        other => return Err(bug(format!("no Parquet writer for {} ({other})", s.name()))),
    }
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
