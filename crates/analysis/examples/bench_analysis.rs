//! Times the analysis alone on generated records: `cargo run --release -p relief-analysis
//! --example bench_analysis -- 1000000`. Prints the time of each step; run it under
//! `/usr/bin/time -v` for the peak memory.
//!
//! The records are made in memory with a small deterministic generator (no file reading), so
//! the numbers are the cost of the analysis, not of the reader.

use chrono::{Duration, NaiveDate};
use relief_analysis::{AnalysisSettings, CleanTableOptions, InputFacts, Period, Prepared};
use relief_core::{Config, Origin, Pressure, Record, Region};
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let start = Instant::now();
    let records = generate(rows);
    println!(
        "generated {} records in {:.2?}",
        records.len(),
        start.elapsed()
    );

    let settings = AnalysisSettings::from_config(&Config::default(), "bench");
    let facts = InputFacts {
        files: &[],
        rejects: &[],
        duplicates: &[],
        footer_skipped: 0,
    };

    let t = Instant::now();
    let prepared = Prepared::new(records.iter().cloned().collect()).expect("prepared");
    println!("prepare (order, visits, frame): {:.2?}", t.elapsed());

    let t = Instant::now();
    let trend = prepared.trend(&settings).expect("trend");
    println!("trend by month: {:.2?} ({} rows)", t.elapsed(), trend.len());

    let (first, last) = (
        prepared.months()[0].clone(),
        prepared.months().last().unwrap().clone(),
    );
    let whole = Period::months_between(&first, &last);
    let t = Instant::now();
    let summary = prepared
        .summarise(&whole, &facts, &settings)
        .expect("summary");
    println!(
        "summary of the whole range ({}): {:.2?}, {} spill-over rows",
        summary.period,
        t.elapsed(),
        summary.spillover.len()
    );

    let t = Instant::now();
    for p in prepared.months() {
        prepared.summarise(p, &facts, &settings).expect("month");
    }
    println!(
        "all {} monthly summaries: {:.2?}",
        prepared.months().len(),
        t.elapsed()
    );

    let t = Instant::now();
    let table = prepared
        .clean_table(&whole, CleanTableOptions::default(), &|k, out| {
            out.push_str(&format!("s{}", k.len()))
        })
        .unwrap();
    let mut sink = std::io::sink();
    table.write_csv(&mut sink).unwrap();
    println!(
        "clean table to CSV ({} rows): {:.2?}",
        table.height(),
        t.elapsed()
    );
    println!("total: {:.2?}", start.elapsed());
}

/// About 3.5 regions a session, 5,000 clients, 12 therapists, 12 months.
fn generate(rows: usize) -> Vec<Record> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let start = NaiveDate::from_ymd_opt(2025, 11, 1).unwrap();
    let file: Arc<str> = Arc::from("bench.xlsx");
    let sheet: Arc<str> = Arc::from("Sessions");
    let therapists: Vec<Arc<str>> = (0..12)
        .map(|i| Arc::from(format!("Therapist {i}")))
        .collect();
    let clients: Vec<Arc<str>> = (0..5000)
        .map(|i| Arc::from(format!("{:016x}", i * 7919)))
        .collect();
    let mut out = Vec::with_capacity(rows);
    while out.len() < rows {
        let date = start + Duration::days((next() % 365) as i64);
        let client = clients[(next() % 5000) as usize].clone();
        let therapist = therapists[(next() % 12) as usize].clone();
        let regions = 2 + next() % 4;
        for k in 0..regions {
            if out.len() == rows {
                break;
            }
            let region = Region::ALL[((next() + k) % 9) as usize];
            let before = (next() % 21) as f64 / 2.0;
            let after = (before - (next() % 9) as f64 / 2.0).max(0.0);
            out.push(Record {
                date,
                client: client.clone(),
                therapist: Some(therapist.clone()),
                session_id: None,
                region,
                side: None,
                before,
                after,
                pressure: Some(Pressure::ALL[(next() % 4) as usize]),
                minutes: Some((next() % 40) as f64),
                focus: Some(next() % 3 == 0),
                technique: None,
                origin: Origin {
                    file: file.clone(),
                    sheet: sheet.clone(),
                    row: out.len() as u32 + 2,
                },
            });
        }
    }
    out
}
