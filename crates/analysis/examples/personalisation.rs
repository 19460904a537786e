//! Prints the adjusted personalisation effects (SPEC §3.2) and the course of care (SPEC §3.3)
//! of a folder of exports, straight from the statistics functions: a check that the story
//! holds on realistic data before the figures reach the workbook.
//!
//! Usage: `relief sample --out /tmp/s && cargo run -p relief-analysis --example personalisation
//! -- /tmp/s [YYYY-MM]`. Without a month, the period is the whole input.

use relief_analysis::Period;
use relief_analysis::stats::{
    CourseRow, LevelRow, SpelledLevel, Technique, adjusted_effects, course_of_care, mcid_rate,
};
use relief_core::{Config, MinutesBand, Record, Vocabulary};
use relief_ingest::{Pseudonymizer, ReadOptions, expand_paths, read_inputs};
use std::collections::HashMap;
use std::path::PathBuf;

fn main() {
    let mut args = std::env::args().skip(1);
    let folder = PathBuf::from(args.next().unwrap_or_else(|| "sample-data".into()));
    let month = args.next();
    let files = expand_paths(&[folder]).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2);
    });
    let config = Config::default();
    let vocabulary = Vocabulary::new(&config);
    let pseudonymizer = Pseudonymizer::new(b"personalisation example key");
    let opts = ReadOptions {
        config: &config,
        vocabulary: &vocabulary,
        pseudonymizer: &pseudonymizer,
        header_row: None,
    };
    let records: Vec<Record> = read_inputs(&files, &opts, &|_| {})
        .records
        .into_iter()
        .collect();
    let period = match &month {
        Some(m) => Period::parse_month(m).expect("a month as YYYY-MM"),
        None => {
            let first = records.iter().map(|r| r.date).min().expect("records");
            let last = records.iter().map(|r| r.date).max().expect("records");
            Period::months_between(&Period::month_of(first), &Period::month_of(last))
        }
    };
    let (start, end) = period.bounds();
    let (clients, visits) = clients_and_visits(&records);
    let in_period: Vec<usize> = (0..records.len())
        .filter(|&i| (start..=end).contains(&records[i].date))
        .collect();
    println!(
        "{} records, {} in {}",
        records.len(),
        in_period.len(),
        period.name()
    );
    let rate = mcid_rate(
        in_period
            .iter()
            .map(|&i| (records[i].before, records[i].change())),
        &config.analysis,
    );
    println!("MCID rate (by arrival soreness) over the period: {rate:?}\n");

    let min = config.analysis.min_group_size;
    print_factor(level_rows(&records, &in_period, &clients, |r| r.focus), min);
    print_factor(
        level_rows(&records, &in_period, &clients, |r| r.pressure),
        min,
    );
    print_factor(
        level_rows(&records, &in_period, &clients, |r| {
            r.minutes.map(MinutesBand::of)
        }),
        min,
    );
    print_factor(
        level_rows(&records, &in_period, &clients, |r| {
            r.technique.clone().map(Technique::new)
        }),
        min,
    );

    let course: Vec<CourseRow> = records
        .iter()
        .enumerate()
        .map(|(i, r)| CourseRow {
            client: clients[i],
            region: r.region,
            date: r.date,
            visit: visits[i],
            before: r.before,
        })
        .collect();
    println!("\ncourse of care");
    for e in course_of_care(&course, &period, &config.analysis) {
        println!("{}", serde_json::to_string(&e).expect("json"));
    }
}

/// The factor's rows in the period, where it is known.
fn level_rows<L>(
    records: &[Record],
    in_period: &[usize],
    clients: &[u32],
    level: impl Fn(&Record) -> Option<L>,
) -> Vec<LevelRow<L>> {
    in_period
        .iter()
        .filter_map(|&i| {
            let r = &records[i];
            level(r).map(|level| LevelRow {
                region: r.region,
                before: r.before,
                change: r.change(),
                client: clients[i],
                level,
            })
        })
        .collect()
}

fn print_factor<L: SpelledLevel>(rows: Vec<LevelRow<L>>, min: u64) {
    println!("{} ({} rows)", L::FACTOR, rows.len());
    for e in adjusted_effects(&rows, min) {
        let ci = e
            .ci95
            .map(|[a, b]| format!("{a:.2} to {b:.2}"))
            .unwrap_or_else(|| "-".into());
        println!(
            "  {:>12} vs {:<8} {:<10} rows {:>4} clients {:>3} ref {:>4}  raw {:>6.2}  adjusted {:>6}  CI {}{}",
            e.level,
            e.reference,
            e.region.key(),
            e.rows,
            e.clients,
            e.reference_rows,
            e.raw_difference,
            e.adjusted_difference
                .map(|a| format!("{a:.2}"))
                .unwrap_or_else(|| "-".into()),
            ci,
            if e.small_sample {
                "  (small sample)"
            } else {
                ""
            }
        );
    }
}

/// A compact client id per record, and its session's visit number over the whole input
/// (sessions by date, then therapist and session id, as the analysis numbers them).
fn clients_and_visits(records: &[Record]) -> (Vec<u32>, Vec<u32>) {
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let clients: Vec<u32> = records
        .iter()
        .map(|r| {
            let n = ids.len() as u32;
            *ids.entry(&r.client).or_insert(n)
        })
        .collect();
    type Session<'a> = (u32, chrono::NaiveDate, &'a str, Option<&'a str>);
    let session = |i: usize| -> Session<'_> {
        let r = &records[i];
        match r.session_id.as_deref() {
            Some(id) => (clients[i], r.date, "", Some(id)),
            None => (
                clients[i],
                r.date,
                r.therapist.as_deref().unwrap_or(""),
                None,
            ),
        }
    };
    let mut sessions: Vec<Session<'_>> = (0..records.len()).map(session).collect();
    sessions.sort();
    sessions.dedup();
    let mut visit: HashMap<Session<'_>, u32> = HashMap::new();
    let mut last_client = None;
    let mut n = 0;
    for s in sessions {
        if last_client != Some(s.0) {
            n = 0;
            last_client = Some(s.0);
        }
        n += 1;
        visit.insert(s, n);
    }
    let visits = (0..records.len()).map(|i| visit[&session(i)]).collect();
    (clients, visits)
}
