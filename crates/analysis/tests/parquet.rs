//! The Parquet copy of the clean table holds exactly what the CSV holds (built only with the
//! `parquet` feature: `cargo test -p relief-analysis --features parquet`).

#![cfg(feature = "parquet")]

use chrono::NaiveDate;
use polars::prelude::*;
use relief_analysis::{CleanTableOptions, Period, Prepared};
use relief_core::{Origin, Pressure, Record, Region};
use std::sync::Arc;

fn rec(day: u32, region: Region, before: f64, after: f64) -> Record {
    Record {
        date: NaiveDate::from_ymd_opt(2026, 10, day).unwrap(),
        client: Arc::from("a1b2c3d4e5f60718"),
        therapist: Some(Arc::from("Ana")),
        session_id: None,
        region,
        side: None,
        before,
        after,
        pressure: (day % 2 == 0).then_some(Pressure::Firm),
        minutes: Some(12.0),
        focus: Some(day % 3 == 0),
        technique: None,
        origin: Origin {
            file: Arc::from("a.xlsx"),
            sheet: Arc::from("S"),
            row: day + 1,
        },
    }
}

#[test]
fn parquet_round_trips_the_clean_table() {
    let records: Vec<Record> = (1..=20)
        .map(|d| rec(d, Region::ALL[(d % 9) as usize], 6.0, (d % 7) as f64))
        .collect();
    let prepared = Prepared::new(records.iter().cloned().collect()).unwrap();
    let period = Period::parse_month("2026-10").unwrap();
    let table = prepared
        .clean_table(&period, CleanTableOptions::default(), &|k| k.to_string())
        .unwrap();
    let mut bytes = Vec::new();
    table.write_parquet(&mut bytes).unwrap();
    assert!(bytes.starts_with(b"PAR1"));
    let back = ParquetReader::new(std::io::Cursor::new(bytes))
        .finish()
        .unwrap();
    assert_eq!(back.shape(), table.0.shape());
    assert!(back.equals_missing(&table.0), "{back}\n{}", table.0);
    // The CSV of the same table has the same header and row count.
    let mut csv = Vec::new();
    table.write_csv(&mut csv).unwrap();
    let text = String::from_utf8(csv).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let names: Vec<&str> = back.get_column_names().iter().map(|s| s.as_str()).collect();
    assert_eq!(header, names);
    assert_eq!(text.lines().count(), 21);
}
