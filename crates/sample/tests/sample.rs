//! End-to-end checks of the sample: the same seed gives the same bytes, and reading the files
//! back with calamine (and a small independent reader built on relief-core's parsers) finds every
//! planted feature, exactly the planted problems, the duplicate and the conflict, and the story
//! the soreness figures are meant to tell.
//!
//! The hand-kept willow workbook (merged cells, ditto rows, a two-row header) is read with
//! relief-ingest itself: its own tests check those rules against hand-written files, and here
//! the point is that the sample plants what its manifest says, where it says.

use calamine::{Data, DataType as _, Reader, Xlsx, open_workbook};
use chrono::NaiveDate;
use relief_core::date::{TextDate, parse_text};
use relief_core::focus::focus_flag;
use relief_core::vocabulary::{WideKind, minutes_from_text};
use relief_core::{DateOrder, Field, Pressure, Region, Side, Vocabulary};
use relief_sample::{FeatureKind, Manifest, SampleOptions, generate, generate_with_manifest};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One session × region as the small test reader sees it.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    file: String,
    row: u32,
    client: String,
    /// The client id was a number cell (not text).
    client_number: bool,
    date: NaiveDate,
    therapist: String,
    region: Region,
    side: Option<Side>,
    before: f64,
    after: f64,
    pressure: Pressure,
    minutes: f64,
    focus: bool,
    technique: String,
}

/// A refused cell: (file, sheet, row, column, value).
type Problem = (String, String, u32, &'static str, String);

/// What the test reader found beyond the rows, to check the planted features.
#[derive(Debug, Default)]
struct Seen {
    rows: Vec<Row>,
    problems: Vec<Problem>,
    date_cells: usize,
    iso_text_dates: usize,
    slash_dates_day_above_12: usize,
    slash_text_scores: usize,
    half_slash_scores: usize,
    comma_scores: usize,
    number_scores: usize,
    side_column: usize,
    side_in_name: usize,
    pressure_words: usize,
    pressure_numbers: usize,
    focus_flags: usize,
    focus_lists: usize,
    numeric_clients: usize,
    blank_rows: Vec<(String, u32)>,
    footers: Vec<(String, u32)>,
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn cell(range: &calamine::Range<Data>, row: u32, col: u32) -> Data {
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

fn row_is_blank(range: &calamine::Range<Data>, row: u32) -> bool {
    let width = range.end().map_or(0, |e| e.1 + 1);
    (0..width).all(|c| matches!(cell(range, row, c), Data::Empty))
}

fn score_cell(vocab: &Vocabulary, c: &Data, field: Field, seen: &mut Seen) -> Result<f64, String> {
    match c {
        Data::Float(v) => {
            seen.number_scores += 1;
            vocab.score_number(*v).map_err(|_| text(c))
        }
        Data::String(s) => {
            if s.ends_with("/10") {
                seen.slash_text_scores += 1;
                if s.contains(".5") {
                    seen.half_slash_scores += 1;
                }
            }
            if s.contains(',') {
                seen.comma_scores += 1;
            }
            vocab.score_text(s, field).map_err(|_| s.clone())
        }
        _ => Err(text(c)),
    }
}

fn read_north(path: &Path, seen: &mut Seen) {
    let vocab = Vocabulary::default();
    let file = path.file_name().unwrap().to_string_lossy().to_string();
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    assert_eq!(wb.sheet_names(), vec!["Sessions", "Price list"]);
    let merged = wb.merge_cells_by_sheet_name("Sessions").unwrap();
    assert_eq!(merged.len(), 1, "one merged title cell");
    assert_eq!((merged[0].start, merged[0].end), ((0, 0), (0, 10)));
    let range = wb.worksheet_range("Sessions").unwrap();
    assert!(text(&cell(&range, 0, 0)).starts_with("North Clinic"));
    for title_row in 0..3 {
        let known = (0..11)
            .filter(|&c| vocab.field(&text(&cell(&range, title_row, c))).is_some())
            .count();
        assert!(
            known < 3,
            "title row {} must not look like a header",
            title_row + 1
        );
    }
    let header: Vec<Option<Field>> = (0..11)
        .map(|c| vocab.field(&text(&cell(&range, 3, c))))
        .collect();
    assert!(
        header.iter().all(Option::is_some),
        "every north header is a known name: {header:?}"
    );
    let end = range.end().unwrap().0;
    let sheet = "Sessions".to_string();
    for r in 4..=end {
        let excel_row = r + 1;
        if row_is_blank(&range, r) {
            seen.blank_rows.push((file.clone(), excel_row));
            continue;
        }
        if text(&cell(&range, r, 0)) == "Total" {
            assert!(
                matches!(cell(&range, r, 1), Data::Empty),
                "a footer has no client"
            );
            seen.footers.push((file.clone(), excel_row));
            continue;
        }
        let problem = |seen: &mut Seen, column: &'static str, value: String| {
            seen.problems
                .push((file.clone(), sheet.clone(), excel_row, column, value));
        };
        let date_cell = cell(&range, r, 0);
        assert!(
            matches!(date_cell, Data::DateTime(_)),
            "row {excel_row}: a date cell"
        );
        seen.date_cells += 1;
        let date = date_cell.as_date().unwrap();
        let client_cell = cell(&range, r, 1);
        let client_number = matches!(client_cell, Data::Float(_));
        if client_number {
            seen.numeric_clients += 1;
        }
        let client = text(&client_cell);
        let region_text = text(&cell(&range, r, 3));
        let Ok((region, name_side)) = vocab.region(&region_text) else {
            problem(seen, "region", region_text);
            continue;
        };
        let side = vocab.side(&text(&cell(&range, r, 4))).unwrap();
        if side.is_some() {
            seen.side_column += 1;
        }
        let before = score_cell(&vocab, &cell(&range, r, 5), Field::Before, seen);
        let after = score_cell(&vocab, &cell(&range, r, 6), Field::After, seen);
        let (before, after) = match (before, after) {
            (Ok(b), Ok(a)) => (b, a),
            (Err(v), _) => {
                problem(seen, "before", v);
                continue;
            }
            (_, Err(v)) => {
                problem(seen, "after", v);
                continue;
            }
        };
        let pressure = vocab.pressure(&text(&cell(&range, r, 7))).unwrap();
        seen.pressure_words += 1;
        let Data::Float(minutes) = cell(&range, r, 8) else {
            panic!("row {excel_row}: minutes are numbers")
        };
        let focus = focus_flag(&text(&cell(&range, r, 9))).unwrap();
        seen.focus_flags += 1;
        seen.rows.push(Row {
            file: file.clone(),
            row: excel_row,
            client,
            client_number,
            date,
            therapist: text(&cell(&range, r, 2)),
            region,
            side: side.or(name_side),
            before,
            after,
            pressure,
            minutes,
            focus,
            technique: text(&cell(&range, r, 10)),
        });
    }
    let prices = wb.worksheet_range("Price list").unwrap();
    let known = (0..3)
        .filter(|&c| vocab.field(&text(&cell(&prices, 0, c))).is_some())
        .count();
    assert!(known < 3, "the price list has no recognisable header");
}

fn read_harbour(path: &Path, seen: &mut Seen) {
    let vocab = Vocabulary::default();
    let file = path.file_name().unwrap().to_string_lossy().to_string();
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    assert_eq!(wb.sheet_names(), vec!["Treatment log"]);
    let range = wb.worksheet_range("Treatment log").unwrap();
    let width = range.end().unwrap().1 + 1;
    let mut fields = BTreeMap::new();
    let mut wide: BTreeMap<Region, [Option<u32>; 3]> = BTreeMap::new();
    for c in 0..width {
        let h = text(&cell(&range, 0, c));
        if let Some(f) = vocab.field(&h) {
            fields.insert(f, c);
        } else if let Some(w) = vocab.wide_column(&h) {
            let k = match w.kind {
                WideKind::Before => 0,
                WideKind::After => 1,
                WideKind::Minutes => 2,
            };
            wide.entry(w.region).or_insert([None; 3])[k] = Some(c);
        } else {
            panic!("harbour header '{h}' is not a known column");
        }
    }
    assert_eq!(wide.len(), 8, "eight regions in the wide layout");
    assert!(wide.values().all(|cols| cols.iter().all(Option::is_some)));
    let sheet = "Treatment log".to_string();
    let end = range.end().unwrap().0;
    for r in 1..=end {
        let excel_row = r + 1;
        assert!(!row_is_blank(&range, r));
        let get = |f: Field| cell(&range, r, fields[&f]);
        let date_text = text(&get(Field::Date));
        let Ok(TextDate::Exact(date)) = parse_text(&date_text) else {
            panic!("row {excel_row}: ISO date expected, got {date_text}")
        };
        seen.iso_text_dates += 1;
        let Data::Float(p) = get(Field::Pressure) else {
            panic!("row {excel_row}: pressure is a number")
        };
        let pressure = vocab.pressure_from_number(p).unwrap();
        seen.pressure_numbers += 1;
        let focus_list = vocab.focus_list(&text(&get(Field::Focus))).unwrap();
        if !focus_list.is_empty() {
            seen.focus_lists += 1;
        }
        for (&region, cols) in &wide {
            let [b, a, m] = cols.map(|c| cell(&range, r, c.unwrap()));
            if matches!(b, Data::Empty) && matches!(a, Data::Empty) {
                assert!(
                    matches!(m, Data::Empty),
                    "row {excel_row}: minutes without scores"
                );
                continue;
            }
            let before = score_cell(&vocab, &b, Field::Before, seen);
            let after = if matches!(a, Data::Empty) {
                Err(String::new())
            } else {
                score_cell(&vocab, &a, Field::After, seen)
            };
            let (before, after) = match (before, after) {
                (Ok(b), Ok(a)) => (b, a),
                (Err(v), _) => {
                    seen.problems
                        .push((file.clone(), sheet.clone(), excel_row, "before", v));
                    continue;
                }
                (_, Err(v)) => {
                    seen.problems
                        .push((file.clone(), sheet.clone(), excel_row, "after", v));
                    continue;
                }
            };
            let Data::Float(minutes) = m else {
                panic!("row {excel_row}: minutes")
            };
            seen.rows.push(Row {
                file: file.clone(),
                row: excel_row,
                client: text(&get(Field::Client)),
                client_number: false,
                date,
                therapist: text(&get(Field::Therapist)),
                region,
                side: None,
                before,
                after,
                pressure,
                minutes,
                focus: focus_list.contains(&region),
                technique: text(&get(Field::Technique)),
            });
        }
    }
}

fn read_riverside(path: &Path, seen: &mut Seen) {
    let vocab = Vocabulary::default();
    let file = path.file_name().unwrap().to_string_lossy().to_string();
    let bytes = std::fs::read(path).unwrap();
    let body = std::str::from_utf8(&bytes).unwrap();
    let body = body.strip_prefix('\u{feff}').expect("a byte-order mark");
    let lines: Vec<&str> = body.split("\r\n").filter(|l| !l.is_empty()).collect();
    let header: Vec<Field> = lines[0]
        .split(';')
        .map(|h| vocab.field(h).unwrap())
        .collect();
    assert_eq!(header.len(), 10);
    let col = |f: Field| header.iter().position(|&h| h == f).unwrap();
    for (i, line) in lines.iter().enumerate().skip(1) {
        let line_no = i as u32 + 1;
        let cells: Vec<&str> = line.split(';').collect();
        assert_eq!(cells.len(), 10, "line {line_no}");
        if cells.iter().all(|c| c.is_empty()) {
            seen.blank_rows.push((file.clone(), line_no));
            continue;
        }
        let mut problem = |column: &'static str, value: &str| {
            seen.problems.push((
                file.clone(),
                file.clone(),
                line_no,
                column,
                value.to_string(),
            ));
        };
        let date_text = cells[col(Field::Date)];
        let date = match parse_text(date_text) {
            Ok(t @ TextDate::Slash { a, .. }) => match t.resolve(DateOrder::DayFirst, date_text) {
                Ok(d) => {
                    if a > 12 {
                        seen.slash_dates_day_above_12 += 1;
                    }
                    d
                }
                Err(_) => {
                    problem("date", date_text);
                    continue;
                }
            },
            Ok(TextDate::Exact(_)) => panic!("line {line_no}: the riverside studio writes d/m/y"),
            Err(_) => {
                problem("date", date_text);
                continue;
            }
        };
        let region_text = cells[col(Field::Region)];
        let Ok((region, side)) = vocab.region(region_text) else {
            problem("region", region_text);
            continue;
        };
        if side.is_some() {
            seen.side_in_name += 1;
        }
        let mut score = |f: Field| {
            let s = cells[col(f)];
            if s.contains(',') {
                seen.comma_scores += 1;
            }
            vocab.score_text(s, f).map_err(|_| s.to_string())
        };
        let (before, after) = (score(Field::Before), score(Field::After));
        let (Ok(before), Ok(after)) = (before, after) else {
            panic!("line {line_no}: scores");
        };
        let pressure = vocab.pressure(cells[col(Field::Pressure)]).unwrap();
        seen.pressure_words += 1;
        let minutes = minutes_from_text(cells[col(Field::Minutes)])
            .unwrap()
            .unwrap();
        let focus = focus_flag(cells[col(Field::Focus)]).unwrap();
        seen.focus_flags += 1;
        seen.rows.push(Row {
            file: file.clone(),
            row: line_no,
            client: cells[col(Field::Client)].to_string(),
            client_number: false,
            date,
            therapist: cells[col(Field::Therapist)].to_string(),
            region,
            side,
            before,
            after,
            pressure,
            minutes,
            focus,
            technique: cells[col(Field::Technique)].to_string(),
        });
    }
}

/// Reads the hand-kept willow workbook with relief-ingest (clients as pseudonyms, which is all
/// the checks need: one client, one name). Blank rows are found in the sheets themselves.
fn read_willow(path: &Path, seen: &mut Seen) {
    let config = relief_core::Config::default();
    let vocabulary = Vocabulary::new(&config);
    let pseudonymizer = relief_ingest::Pseudonymizer::new(b"sample test key");
    let opts = relief_ingest::ReadOptions::new(&config, &vocabulary, &pseudonymizer);
    let read = relief_ingest::read_file(path, &opts);
    assert_eq!(read.report.error, None);
    let file = path.file_name().unwrap().to_string_lossy().to_string();
    for r in &read.records {
        seen.rows.push(Row {
            file: file.clone(),
            row: r.origin.row,
            client: r.client.to_string(),
            client_number: false,
            date: r.date,
            therapist: r.therapist.as_deref().unwrap_or_default().to_string(),
            region: r.region,
            side: r.side,
            before: r.before,
            after: r.after,
            pressure: r.pressure.expect("every willow row has a pressure"),
            minutes: r.minutes.expect("every willow row has minutes"),
            focus: r.focus.unwrap_or(false),
            technique: r.technique.as_deref().unwrap_or_default().to_string(),
        });
    }
    for j in &read.rejects {
        let column = Field::from_key(&j.column).unwrap().key();
        seen.problems.push((
            file.clone(),
            j.sheet.clone(),
            j.row,
            column,
            j.value.clone(),
        ));
    }
    for f in &read.footers {
        seen.footers.push((file.clone(), f.row));
    }
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    for sheet in ["Sessions", "Home visits", "Old months"] {
        let range = wb.worksheet_range(sheet).unwrap();
        let last = range.end().map_or(0, |e| e.0);
        for row in 1..last {
            if row_is_blank(&range, row) {
                seen.blank_rows.push((file.clone(), row + 1));
            }
        }
    }
}

/// Reads every file of a messy sample with the test reader.
fn read_messy(manifest: &Manifest) -> Seen {
    let mut seen = Seen::default();
    for path in &manifest.files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("north-clinic") {
            read_north(path, &mut seen);
        } else if name.starts_with("harbour-spa") {
            read_harbour(path, &mut seen);
        } else if name.starts_with("riverside-studio") {
            read_riverside(path, &mut seen);
        } else if name.starts_with("willow-practice") {
            read_willow(path, &mut seen);
        } else {
            assert_eq!(name, "README.md");
        }
    }
    seen
}

type Key = (String, NaiveDate, String, Region, Option<Side>);

fn key(r: &Row) -> Key {
    (
        r.client.clone(),
        r.date,
        r.therapist.clone(),
        r.region,
        r.side,
    )
}

fn same_values(a: &Row, b: &Row) -> bool {
    (
        a.before,
        a.after,
        a.pressure,
        a.minutes,
        a.focus,
        &a.technique,
    ) == (
        b.before,
        b.after,
        b.pressure,
        b.minutes,
        b.focus,
        &b.technique,
    )
}

fn mean(xs: impl Iterator<Item = f64>) -> (f64, usize) {
    let (sum, n) = xs.fold((0.0, 0), |(s, n), x| (s + x, n + 1));
    (sum / n as f64, n)
}

fn default_sample() -> (tempfile::TempDir, Manifest, Seen) {
    let dir = tempfile::tempdir().unwrap();
    let manifest = generate_with_manifest(dir.path(), &SampleOptions::default()).unwrap();
    let seen = read_messy(&manifest);
    (dir, manifest, seen)
}

fn names(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
        .collect()
}

#[test]
fn same_seed_gives_byte_identical_files() {
    for opts in [
        SampleOptions::default(),
        SampleOptions {
            clean: true,
            sessions: 200,
            files: 2,
            ..SampleOptions::default()
        },
    ] {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let fa = generate(a.path(), &opts).unwrap();
        let fb = generate(b.path(), &opts).unwrap();
        assert_eq!(names(&fa), names(&fb));
        for (x, y) in fa.iter().zip(&fb) {
            assert!(
                std::fs::read(x).unwrap() == std::fs::read(y).unwrap(),
                "{} differs between runs",
                x.display()
            );
        }
        // No temporary files are left behind.
        let listed = std::fs::read_dir(a.path()).unwrap().count();
        assert_eq!(listed, fa.len());
    }
}

#[test]
fn another_seed_gives_other_files() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let fa = generate(a.path(), &SampleOptions::default()).unwrap();
    let fb = generate(
        b.path(),
        &SampleOptions {
            seed: 7,
            ..SampleOptions::default()
        },
    )
    .unwrap();
    assert_eq!(names(&fa), names(&fb));
    for (x, y) in fa.iter().zip(&fb) {
        assert!(
            std::fs::read(x).unwrap() != std::fs::read(y).unwrap(),
            "{} is the same for two seeds",
            x.display()
        );
    }
}

#[test]
fn default_options_reproduce_the_committed_sample_data() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data");
    let dir = tempfile::tempdir().unwrap();
    let files = generate(dir.path(), &SampleOptions::default()).unwrap();
    let mut committed_names: Vec<String> = std::fs::read_dir(&committed)
        .expect("sample-data/ is committed")
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    committed_names.sort();
    assert_eq!(
        committed_names,
        names(&files),
        "regenerate with: relief sample --out sample-data"
    );
    let mut total = 0;
    for f in &files {
        let name = f.file_name().unwrap();
        let ours = std::fs::read(f).unwrap();
        total += ours.len();
        assert!(
            ours == std::fs::read(committed.join(name)).unwrap(),
            "sample-data/{} is stale: regenerate with `relief sample --out sample-data`",
            name.to_string_lossy()
        );
    }
    assert!(
        total < 1_000_000,
        "sample-data is {total} bytes; keep it under 1 MB"
    );
}

#[test]
fn reading_back_finds_exactly_the_planted_problems() {
    let (_dir, manifest, seen) = default_sample();
    let mut planted: Vec<Problem> = manifest
        .features
        .iter()
        .filter(|f| f.kind.is_reject())
        .map(|f| {
            (
                f.file.clone(),
                f.sheet.clone(),
                f.row,
                f.column.unwrap(),
                f.value.clone(),
            )
        })
        .collect();
    let mut found = seen.problems.clone();
    planted.sort();
    found.sort();
    assert_eq!(found, planted);
    let kinds: Vec<FeatureKind> = manifest
        .features
        .iter()
        .filter(|f| f.kind.is_reject())
        .map(|f| f.kind)
        .collect();
    for kind in [
        FeatureKind::OutOfRangeScore,
        FeatureKind::UnknownRegion,
        FeatureKind::MissingAfter,
        FeatureKind::UnreadableDate,
        FeatureKind::DittoWithoutSession,
        FeatureKind::ImplausibleMinutes,
    ] {
        assert_eq!(kinds.iter().filter(|&&k| k == kind).count(), 1, "{kind:?}");
    }
    assert!(found.iter().any(|p| p.3 == "before" && p.4 == "11"));
    assert!(found.iter().any(|p| p.3 == "region" && p.4 == "elbow pit"));
    assert!(found.iter().any(|p| p.3 == "after" && p.4.is_empty()));
    assert!(found.iter().any(|p| p.3 == "date" && p.4 == "32/13/2026"));
}

#[test]
fn reading_back_finds_the_identical_copy_and_the_conflict() {
    let (_dir, manifest, seen) = default_sample();
    let mut groups: BTreeMap<Key, Vec<&Row>> = BTreeMap::new();
    for r in &seen.rows {
        groups.entry(key(r)).or_default().push(r);
    }
    let repeated: Vec<&Vec<&Row>> = groups.values().filter(|g| g.len() > 1).collect();
    assert!(
        repeated
            .iter()
            .filter(|g| same_values(g[0], g[1]))
            .all(|g| g[0].client_number && !g[1].client_number),
        "the duplicated session's client is a number cell in north and text in the CSV"
    );
    let identical: Vec<(String, u32, String, u32)> = repeated
        .iter()
        .filter(|g| g.len() == 2 && same_values(g[0], g[1]))
        .map(|g| (g[0].file.clone(), g[0].row, g[1].file.clone(), g[1].row))
        .collect();
    let conflicts: Vec<(&Row, &Row)> = repeated
        .iter()
        .filter(|g| g.len() == 2 && !same_values(g[0], g[1]))
        .map(|g| (g[0], g[1]))
        .collect();
    assert_eq!(
        repeated.len(),
        identical.len() + conflicts.len(),
        "only pairs"
    );
    let rows = |kind| {
        manifest
            .of_kind(kind)
            .map(|f| (f.file.clone(), f.row))
            .collect::<Vec<_>>()
    };
    let originals = rows(FeatureKind::DuplicateOriginal);
    let copies = rows(FeatureKind::DuplicateCopy);
    assert!(originals.len() >= 2, "a whole session is exported twice");
    let expected: Vec<(String, u32, String, u32)> = originals
        .iter()
        .zip(&copies)
        .map(|(o, c)| (o.0.clone(), o.1, c.0.clone(), c.1))
        .collect();
    assert_eq!(identical, expected);
    assert!(
        identical
            .iter()
            .all(|(f, _, g, _)| f == "north-clinic.xlsx" && g == "riverside-studio.csv")
    );
    assert_eq!(conflicts.len(), 1);
    let (first, later) = conflicts[0];
    assert_eq!(
        rows(FeatureKind::ConflictOriginal),
        vec![(first.file.clone(), first.row)]
    );
    assert_eq!(
        rows(FeatureKind::ConflictCopy),
        vec![(later.file.clone(), later.row)]
    );
    assert_ne!(first.after, later.after);
    assert_eq!(
        (first.before, first.minutes, first.focus),
        (later.before, later.minutes, later.focus)
    );
    assert!(
        first.file < later.file,
        "the conflicting copy is in a later file"
    );
}

#[test]
fn reading_back_finds_every_kind_of_mess() {
    let (_dir, manifest, seen) = default_sample();
    assert!(seen.rows.len() > 1500, "{} rows", seen.rows.len());
    assert!(seen.date_cells > 400, "Excel date cells");
    assert!(seen.iso_text_dates > 100, "ISO text dates");
    assert!(
        seen.slash_dates_day_above_12 > 100,
        "d/m/y text with a day above 12"
    );
    assert!(
        seen.slash_text_scores > 300 && seen.half_slash_scores > 10,
        "7/10 and 7.5/10 scores"
    );
    assert!(seen.comma_scores > 50, "7,5 scores");
    assert!(seen.number_scores > 1000, "number scores");
    assert!(
        seen.side_column > 20 && seen.side_in_name > 20,
        "sides in a column and in names"
    );
    assert!(seen.pressure_words > 500 && seen.pressure_numbers > 100);
    assert!(seen.focus_flags > 500 && seen.focus_lists > 50);
    assert!(seen.numeric_clients > 20, "plain numeric client ids");
    assert!(
        seen.rows.iter().any(|r| r.minutes == 0.0),
        "a region looked at but not worked"
    );
    let techniques: std::collections::BTreeSet<&str> =
        seen.rows.iter().map(|r| r.technique.as_str()).collect();
    assert_eq!(techniques.len(), 5);
    let therapists: std::collections::BTreeSet<&str> =
        seen.rows.iter().map(|r| r.therapist.as_str()).collect();
    // Seven therapists, and the willow practice's home visits without a therapist column.
    assert_eq!(therapists.len(), 8);
    assert!(therapists.contains(""));
    // Blank rows and the footer are where the manifest says, and nowhere else.
    let mut blank: Vec<(String, u32)> = manifest
        .of_kind(FeatureKind::BlankRow)
        .filter(|f| f.row > 4 || !f.file.starts_with("north"))
        .map(|f| (f.file.clone(), f.row))
        .collect();
    blank.sort();
    let mut seen_blank = seen.blank_rows.clone();
    seen_blank.sort();
    assert_eq!(seen_blank, blank);
    assert!(blank.len() >= 5);
    let footers: Vec<(String, u32)> = manifest
        .of_kind(FeatureKind::FooterRow)
        .map(|f| (f.file.clone(), f.row))
        .collect();
    assert_eq!(seen.footers, footers);
    assert_eq!(footers.len(), 2);
    assert_eq!(manifest.of_kind(FeatureKind::TitleRow).count(), 4);
    assert_eq!(manifest.of_kind(FeatureKind::ExtraSheet).count(), 3);
    // The README names every planted problem's row.
    let readme = std::fs::read_to_string(
        manifest
            .files
            .iter()
            .find(|p| p.ends_with("README.md"))
            .unwrap(),
    )
    .unwrap();
    for f in manifest.features.iter().filter(|f| f.kind.is_reject()) {
        assert!(
            readme.contains(&format!("| {} | {} | {} |", f.file, f.sheet, f.row)),
            "README lists {f:?}"
        );
    }
}

/// Mean change of rows that pass `keep`.
fn mean_change<'a>(
    rows: impl Iterator<Item = &'a Row>,
    keep: impl Fn(&Row) -> bool,
) -> (f64, usize) {
    mean(rows.filter(|r| keep(r)).map(|r| r.before - r.after))
}

/// Visit number of every (client, date), counting from 1.
fn visit_numbers(rows: &[Row]) -> BTreeMap<(String, NaiveDate), usize> {
    let mut dates: BTreeMap<String, Vec<NaiveDate>> = BTreeMap::new();
    for r in rows {
        dates.entry(r.client.clone()).or_default().push(r.date);
    }
    let mut out = BTreeMap::new();
    for (client, mut ds) in dates {
        ds.sort();
        ds.dedup();
        for (i, d) in ds.into_iter().enumerate() {
            out.insert((client.clone(), d), i + 1);
        }
    }
    out
}

fn assert_story(rows: &[Row]) {
    let lb = |r: &Row| r.region == Region::LowerBack;
    let (focus, nf) = mean_change(rows.iter(), |r| lb(r) && r.focus);
    let (plain, np) = mean_change(rows.iter(), |r| lb(r) && !r.focus);
    assert!(
        nf > 50 && np > 50,
        "{nf} focus and {np} other lower-back rows"
    );
    assert!(
        focus > plain + 0.5,
        "focus lower back relieves {focus:.2} vs {plain:.2}"
    );

    let visits = visit_numbers(rows);
    let visit = |r: &Row| visits[&(r.client.clone(), r.date)];
    let (first, n1) = mean(
        rows.iter()
            .filter(|r| lb(r) && visit(r) == 1)
            .map(|r| r.before),
    );
    let (later, n5) = mean(
        rows.iter()
            .filter(|r| lb(r) && visit(r) >= 5)
            .map(|r| r.before),
    );
    assert!(n1 > 20 && n5 > 50);
    assert!(
        first > later + 0.5,
        "arrival soreness visit 1 {first:.2} vs 5+ {later:.2}"
    );

    let back = |r: &Row| matches!(r.region, Region::LowerBack | Region::UpperBack);
    let (light, _) = mean_change(rows.iter(), |r| back(r) && r.pressure == Pressure::Light);
    let (deep, _) = mean_change(rows.iter(), |r| back(r) && r.pressure >= Pressure::Firm);
    assert!(
        deep > light + 0.3,
        "firm/deep back {deep:.2} vs light {light:.2}"
    );

    let (short, _) = mean_change(rows.iter(), |r| r.minutes > 0.0 && r.minutes <= 5.0);
    let (mid, _) = mean_change(rows.iter(), |r| (16.0..=30.0).contains(&r.minutes));
    assert!(
        mid > short + 0.5,
        "16–30 minutes {mid:.2} vs 1–5 {short:.2}"
    );
    eprintln!(
        "STORY focus {focus:.2}/{plain:.2} ({nf}/{np}) visit1 {first:.2} 5+ {later:.2} ({n1}/{n5}) back deep {deep:.2} light {light:.2} min {short:.2} {mid:.2}"
    );

    // Lower back: most common and sorest.
    let count = |reg: Region| rows.iter().filter(|r| r.region == reg).count();
    let sore = |reg: Region| mean(rows.iter().filter(|r| r.region == reg).map(|r| r.before)).0;
    for reg in Region::ALL.into_iter().filter(|&r| r != Region::LowerBack) {
        assert!(
            count(Region::LowerBack) > count(reg) && sore(Region::LowerBack) > sore(reg),
            "{reg}"
        );
    }
}

#[test]
fn the_default_sample_tells_the_story() {
    let (_dir, _manifest, seen) = default_sample();
    assert_story(&seen.rows);
    // Dozens of lower-back rows in every month, for the monthly charts.
    for month in 5..=10 {
        let n = seen
            .rows
            .iter()
            .filter(|r| r.region == Region::LowerBack && chrono::Datelike::month(&r.date) == month)
            .count();
        assert!(n >= 24, "month {month}: {n} lower-back rows");
    }
}

/// The fields of a clean workbook's columns, in order: what the cells are read as below.
fn clean_fields() -> [Option<Field>; 10] {
    use Field::*;
    [
        Date, Client, Therapist, Region, Before, After, Pressure, Minutes, Focus, Technique,
    ]
    .map(Some)
}

/// Reads a clean workbook: one header row, then typed cells only.
fn read_clean(path: &Path) -> Vec<Row> {
    let vocab = Vocabulary::default();
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let mut rows = Vec::new();
    for sheet in wb.sheet_names() {
        let range = wb.worksheet_range(&sheet).unwrap();
        // The headers are checked by what relief reads them as, so a renamed header that the
        // vocabulary no longer knows fails here.
        let header: Vec<Option<Field>> = (0..10)
            .map(|c| vocab.field(&text(&cell(&range, 0, c))))
            .collect();
        assert_eq!(header, clean_fields(), "sheet {sheet}");
        for r in 1..=range.end().unwrap().0 {
            let num = |c| match cell(&range, r, c) {
                Data::Float(v) => v,
                other => panic!("row {}: a number, got {other:?}", r + 1),
            };
            let date_cell = cell(&range, r, 0);
            assert!(matches!(date_cell, Data::DateTime(_)));
            let (region, side) = vocab.region(&text(&cell(&range, r, 3))).unwrap();
            assert_eq!(side, None);
            let (before, after) = (num(4), num(5));
            assert!((0.0..=10.0).contains(&before) && (0.0..=10.0).contains(&after));
            rows.push(Row {
                file: path.display().to_string(),
                row: r + 1,
                client: text(&cell(&range, r, 1)),
                client_number: false,
                date: date_cell.as_date().unwrap(),
                therapist: text(&cell(&range, r, 2)),
                region,
                side,
                before,
                after,
                pressure: vocab.pressure(&text(&cell(&range, r, 6))).unwrap(),
                minutes: num(7),
                focus: focus_flag(&text(&cell(&range, r, 8))).unwrap(),
                technique: text(&cell(&range, r, 9)),
            });
        }
    }
    rows
}

/// Writes a clean sample of `sessions` sessions in `files` files (default seed) into `dir`.
fn clean_sample(dir: &Path, sessions: usize, files: usize) -> Vec<PathBuf> {
    let opts = SampleOptions {
        clean: true,
        sessions,
        files,
        ..SampleOptions::default()
    };
    generate(dir, &opts).unwrap()
}

#[test]
fn the_clean_sample_is_plain_split_by_date_and_tells_the_same_story() {
    let dir = tempfile::tempdir().unwrap();
    let files = clean_sample(dir.path(), 1500, 3);
    assert_eq!(
        names(&files),
        [
            "sessions-001.xlsx",
            "sessions-002.xlsx",
            "sessions-003.xlsx"
        ]
    );
    let per_file: Vec<Vec<Row>> = files.iter().map(|f| read_clean(f)).collect();
    for w in per_file.windows(2) {
        let last = w[0].iter().map(|r| r.date).max().unwrap();
        let first = w[1].iter().map(|r| r.date).min().unwrap();
        assert!(last <= first, "files split by date");
    }
    let rows: Vec<Row> = per_file.into_iter().flatten().collect();
    let sessions: std::collections::BTreeSet<(String, NaiveDate)> =
        rows.iter().map(|r| (r.client.clone(), r.date)).collect();
    assert_eq!(sessions.len(), 1500);
    let mut keys: Vec<Key> = rows.iter().map(key).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), rows.len(), "no duplicates in the clean sample");
    assert_story(&rows);

    // Spill-over: the lower back gets a little more relief when the legs were worked too.
    let mut legs_worked = std::collections::BTreeSet::new();
    for r in rows
        .iter()
        .filter(|r| r.region == Region::Legs && r.minutes > 0.0)
    {
        legs_worked.insert((r.client.clone(), r.date));
    }
    let (with, _) = mean_change(rows.iter(), |r| {
        r.region == Region::LowerBack && legs_worked.contains(&(r.client.clone(), r.date))
    });
    let (without, _) = mean_change(rows.iter(), |r| {
        r.region == Region::LowerBack && !legs_worked.contains(&(r.client.clone(), r.date))
    });
    eprintln!("SPILL {with:.2} {without:.2}");
    assert!(
        with > without + 0.15,
        "lower back with legs {with:.2} vs without {without:.2}"
    );
}

#[test]
fn the_clean_sample_writes_every_file_even_with_more_files_than_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let files = clean_sample(dir.path(), 2, 4);
    assert_eq!(files.len(), 4);
    let rows: usize = files.iter().map(|f| read_clean(f).len()).sum();
    assert!(rows >= 4, "two sessions of at least two regions");
}

#[test]
fn options_the_messy_sample_cannot_honour_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    // Each case changes the default options and names what the refusal must say.
    type Change = fn(&mut SampleOptions);
    let refused: [(Change, &str); 3] = [
        (|o| o.files = 2, "needs 3 or more files"),
        (|o| o.sessions = 10, "at least 100 sessions"),
        (|o| (o.clean, o.files) = (true, 0), "needs 1 or more files"),
    ];
    for (change, reason) in refused {
        let mut opts = SampleOptions::default();
        change(&mut opts);
        let err = generate(dir.path(), &opts).unwrap_err();
        assert!(err.to_string().contains(reason), "{err}");
    }
}

#[test]
fn more_files_repeat_the_styles_and_keep_the_problems_in_the_first_four() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SampleOptions {
        files: 6,
        sessions: 300,
        seed: 9,
        ..SampleOptions::default()
    };
    let manifest = generate_with_manifest(dir.path(), &opts).unwrap();
    assert_eq!(
        names(&manifest.files),
        [
            "README.md",
            "harbour-spa-2.xlsx",
            "harbour-spa.xlsx",
            "north-clinic-2.xlsx",
            "north-clinic.xlsx",
            "riverside-studio.csv",
            "willow-practice.xlsx"
        ]
    );
    let seen = read_messy(&manifest);
    assert_eq!(seen.problems.len(), 6);
    assert_eq!(
        manifest
            .features
            .iter()
            .filter(|f| f.kind.is_reject())
            .count(),
        6
    );
}
