//! The Parquet copy of the clean table: typed columns (dates as `DATE`, scores as doubles, ids
//! as strings), compressed, dictionary-encoded text, every value equal to the frame's, and the
//! same bytes every time. Read back with the `parquet` crate's record reader; the end-to-end
//! tests read the files relief writes with DuckDB as well.

use bytes::Bytes;
use chrono::NaiveDate;
use parquet::basic::{Compression, ConvertedType, Encoding, Repetition, Type as Physical};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use relief_analysis::{CleanTable, CleanTableOptions, Period, Prepared};
use relief_core::{Origin, Pressure, Record, Records, Region};
use std::sync::Arc;

fn rec(day: u32, region: Region, before: f64, after: f64) -> Record {
    Record {
        date: NaiveDate::from_ymd_opt(2026, 10, day).unwrap(),
        client: Arc::from(format!("client-{}", day % 4)),
        // A solo practice's row (no therapist) among the others.
        therapist: (day != 9).then(|| Arc::from(["Ana", "Ben"][day as usize % 2])),
        session_id: None,
        region,
        side: None,
        before,
        after,
        pressure: day.is_multiple_of(2).then_some(Pressure::Firm),
        minutes: (!day.is_multiple_of(5)).then_some(12.0),
        focus: (!day.is_multiple_of(7)).then_some(day.is_multiple_of(3)),
        technique: None,
        origin: Origin {
            file: Arc::from("a.xlsx"),
            sheet: Arc::from("S"),
            row: day + 1,
        },
    }
}

fn prepared() -> Prepared {
    let records: Records = (1..=28)
        .map(|d| rec(d, Region::ALL[(d % 9) as usize], 6.0, (d % 7) as f64))
        .collect();
    Prepared::new(records).unwrap()
}

fn table(prepared: &Prepared, exact_dates: bool) -> CleanTable<'_> {
    let period = Period::parse_month("2026-10").unwrap();
    prepared
        .clean_table(&period, CleanTableOptions { exact_dates }, &|k, out| {
            out.push_str(&format!("s-{}", k.len()))
        })
        .unwrap()
}

fn parquet_bytes(table: &CleanTable) -> Vec<u8> {
    let mut bytes = Vec::new();
    table.write_parquet(&mut bytes).unwrap();
    bytes
}

fn reader(bytes: &[u8]) -> SerializedFileReader<Bytes> {
    SerializedFileReader::new(Bytes::copy_from_slice(bytes)).unwrap()
}

#[test]
fn columns_have_fixed_parquet_types() {
    let bytes = parquet_bytes(&table(&prepared(), true));
    assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"));
    let file = reader(&bytes);
    let schema = file.metadata().file_metadata().schema_descr();
    let mut seen = Vec::new();
    for c in schema.columns() {
        let kind = match (c.physical_type(), c.converted_type()) {
            (Physical::BYTE_ARRAY, ConvertedType::UTF8) => "text",
            (Physical::INT32, ConvertedType::DATE) => "date",
            (Physical::DOUBLE, ConvertedType::NONE) => "double",
            (Physical::BOOLEAN, ConvertedType::NONE) => "bool",
            (Physical::INT32, ConvertedType::NONE) => "int",
            other => panic!("{}: unexpected {other:?}", c.name()),
        };
        let blank = c.self_type().get_basic_info().repetition() == Repetition::OPTIONAL;
        seen.push(format!(
            "{}:{kind}{}",
            c.name(),
            if blank { "?" } else { "" }
        ));
    }
    assert_eq!(
        seen,
        [
            "month:text",
            "date:date",
            "client:text",
            "session:text",
            "therapist:text?",
            "region:text",
            "side:text?",
            "before:double",
            "after:double",
            "change:double",
            "relative:double?",
            "pressure:text?",
            "focus:bool?",
            "minutes:double?",
            "minutes_band:text?",
            "technique:text?",
            "visit:int",
            "file:text",
            "sheet:text",
            "row:int",
        ]
    );
    for group in file.metadata().row_groups() {
        for column in group.columns() {
            assert_eq!(column.compression(), Compression::SNAPPY);
            if column.column_descr().name() == "therapist" {
                let encodings: Vec<Encoding> = column.encodings().collect();
                assert!(
                    encodings.contains(&Encoding::RLE_DICTIONARY),
                    "{encodings:?}"
                );
            }
        }
    }
}

#[test]
fn every_value_reads_back_as_the_frame_holds_it() {
    let prepared = prepared();
    let table = table(&prepared, true);
    let bytes = parquet_bytes(&table);
    let file = reader(&bytes);
    assert_eq!(
        file.metadata().file_metadata().num_rows() as usize,
        table.height()
    );
    let df = &table.frame(0..table.height()).unwrap();
    let mut blank_therapists = 0;
    for (i, row) in file.get_row_iter(None).unwrap().enumerate() {
        let row = row.unwrap();
        for (name, field) in row.get_column_iter() {
            let cell = df.column(name).unwrap().get(i).unwrap();
            let expected = cell.to_string().trim_matches('"').to_string();
            let got = match field {
                Field::Null => {
                    blank_therapists += usize::from(name == "therapist");
                    "null".to_string()
                }
                Field::Str(s) => s.clone(),
                Field::Double(x) => format!("{x:?}"),
                Field::Bool(b) => b.to_string(),
                Field::Int(v) => v.to_string(),
                Field::Date(d) => NaiveDate::from_ymd_opt(1970, 1, 1)
                    .unwrap()
                    .checked_add_signed(chrono::TimeDelta::days((*d).into()))
                    .unwrap()
                    .to_string(),
                other => panic!("{name}: unexpected {other:?}"),
            };
            if let Field::Double(x) = field {
                // polars prints floats rounded; compare the numbers themselves, bit for bit.
                let want = df.column(name).unwrap().f64().unwrap().get(i).unwrap();
                assert_eq!(x.to_bits(), want.to_bits(), "row {i} {name}");
                continue;
            }
            assert_eq!(got, expected, "row {i} {name}");
        }
    }
    assert_eq!(blank_therapists, 1);
}

#[test]
fn the_same_table_gives_the_same_bytes_and_the_partition_leaves_out_the_month() {
    let (p, q) = (prepared(), prepared());
    let a = parquet_bytes(&table(&p, false));
    let b = parquet_bytes(&table(&q, false));
    assert_eq!(a, b);
    let mut partition = Vec::new();
    table(&p, false)
        .write_partition_parquet(&mut partition)
        .unwrap();
    let names: Vec<String> = reader(&partition)
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    assert!(!names.contains(&"month".to_string()) && !names.contains(&"date".to_string()));
    assert_eq!(names.len(), 18);
}

#[test]
fn an_empty_table_is_a_readable_file_with_the_schema() {
    let prepared =
        Prepared::new(std::iter::once(rec(3, Region::Neck, 5.0, 2.0)).collect()).unwrap();
    let empty = prepared
        .clean_table(
            &Period::parse_month("2026-11").unwrap(),
            CleanTableOptions::default(),
            &|k, out| out.push_str(k),
        )
        .unwrap();
    assert_eq!(empty.height(), 0);
    let file = reader(&parquet_bytes(&empty));
    assert_eq!(file.metadata().file_metadata().num_rows(), 0);
    assert_eq!(
        file.metadata().file_metadata().schema_descr().num_columns(),
        19
    );
}
