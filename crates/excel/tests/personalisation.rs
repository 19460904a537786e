//! The "Personalisation, adjusted" and "Course of care" sheets, the Overview's sentences on
//! them, the new group column and the About sheet's definitions, read back with calamine and
//! compared with the report model; notes that explain missing figures are read from the file's
//! XML.

mod fixture;
mod read;

use calamine::{Data, Range};
use fixture::*;
use read::*;
use relief_core::summary::Summary;
use std::io::Read;
use std::path::{Path, PathBuf};

fn text(range: &Range<Data>, row: u32, col: u32) -> String {
    match cell(range, row, col) {
        Data::String(s) => s,
        other => panic!("row {}, col {}: not text: {other:?}", row + 1, col + 1),
    }
}

fn number(range: &Range<Data>, row: u32, col: u32) -> Option<f64> {
    match cell(range, row, col) {
        Data::Float(v) => Some(v),
        Data::Int(v) => Some(v as f64),
        Data::Empty => None,
        other => panic!("row {}, col {}: not a number: {other:?}", row + 1, col + 1),
    }
}

/// Fails, naming the missing part, unless the workbook's cell notes (the `xl/comments*.xml`
/// parts, concatenated) say every one of `wants`.
fn assert_notes_say(path: &Path, wants: &[&str]) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        if file.name().unwrap().starts_with("xl/comments") {
            file.read_to_string(&mut all).unwrap();
        }
    }
    assert_says(&all.replace("&apos;", "'"), wants);
}

fn write(name: &str, summary: &Summary) -> PathBuf {
    let path = out_dir(name).join("book.xlsx");
    relief_excel::write_workbook(summary, &trend(), &path).unwrap();
    path
}

/// The full fixture written as workbook `name`, and the workbook opened to be read back.
fn written(name: &str) -> (Summary, PathBuf, Book) {
    let summary = full_summary();
    let path = write(name, &summary);
    let book = open(&path);
    (summary, path, book)
}

#[test]
fn adjusted_sheet_shows_raw_beside_adjusted_as_the_model_says() {
    let (summary, path, mut book) = written("adjusted");
    let range = sheet(&mut book, "Personalisation, adjusted");
    assert_eq!(
        headers(&range),
        [
            "Factor",
            "Level",
            "Reference level",
            "Region",
            "Rows",
            "Clients",
            "Reference rows",
            "Raw difference (points)",
            "Adjusted difference (points)",
            "95 % CI low",
            "95 % CI high",
            "Small sample",
        ]
    );
    // The words each level is shown with, written out independently of the crate.
    let words = [
        ("Focus", "Focus region", "Not a focus", "All regions"),
        ("Focus", "Focus region", "Not a focus", "Lower back"),
        ("Focus", "Focus region", "Not a focus", "Neck"),
        ("Pressure", "Firm", "Light", "All regions"),
        ("Pressure", "Deep", "Light", "Neck"),
        (
            "Minutes on the region",
            "16-30 min",
            "1-5 min",
            "Lower back",
        ),
        ("Technique", FORMULA_TECHNIQUE, "Swedish", "All regions"),
    ];
    assert_eq!(summary.adjusted.len(), words.len());
    for (i, (e, w)) in summary.adjusted.iter().zip(words).enumerate() {
        let row = HEADER + 1 + i as u32;
        let got = (
            text(&range, row, 0),
            text(&range, row, 1),
            text(&range, row, 2),
            text(&range, row, 3),
        );
        assert_eq!(
            got,
            (w.0.into(), w.1.into(), w.2.into(), w.3.into()),
            "row {}",
            row + 1
        );
        assert_eq!(number(&range, row, 4), Some(e.rows as f64));
        assert_eq!(number(&range, row, 5), Some(e.clients as f64));
        assert_eq!(number(&range, row, 6), Some(e.reference_rows as f64));
        assert_eq!(number(&range, row, 7), Some(e.raw_difference));
        assert_eq!(number(&range, row, 8), e.adjusted_difference);
        assert_eq!(number(&range, row, 9), e.ci95.map(|c| c[0]));
        assert_eq!(number(&range, row, 10), e.ci95.map(|c| c[1]));
        let flag = cell(&range, row, 11);
        assert_eq!(
            e.small_sample,
            matches!(&flag, Data::String(s) if s.starts_with("yes: ")),
            "row {}: {flag:?}",
            row + 1
        );
    }
    assert_eq!(
        cell(&range, HEADER + 1 + words.len() as u32, 0),
        Data::Empty
    );
    // The caveat sits above the table.
    assert!(text(&range, 2, 0).contains("not proof that the factor caused the relief"));
    // Small samples say which rule made them small.
    assert_eq!(
        text(&range, HEADER + 3, 11),
        "yes: only 3 rows at this level (fewer than 5)"
    );
    assert_eq!(
        text(&range, HEADER + 5, 11),
        "yes: every row at this level is from one client"
    );
    // Missing figures are explained in their notes.
    assert_notes_say(
        &path,
        &[
            "arrival soreness was the same in every row, there are too few rows for what has to be estimated, or there are more techniques than one comparison can hold",
            "No confidence interval: small sample, every row at this level is from one client",
            "No confidence interval: there is no adjusted difference",
        ],
    );
}

#[test]
fn course_sheet_matches_the_model() {
    let (summary, path, mut book) = written("course");
    let range = sheet(&mut book, "Course of care");
    let heads = headers(&range);
    assert_eq!(heads.len(), 12, "{heads:?}");
    assert_eq!(heads[9], "Fell by ≥ 30 %");
    for (i, e) in summary.course.iter().enumerate() {
        let row = HEADER + 1 + i as u32;
        assert_eq!(text(&range, row, 0), e.region.label());
        let want = [
            Some(e.clients as f64),
            Some(e.mean_first),
            Some(e.mean_latest),
            Some(e.mean_fall),
            e.sd_fall,
            e.ci95.map(|c| c[0]),
            e.ci95.map(|c| c[1]),
            e.mcid_rate,
            e.fall_30_rate,
            Some(e.median_sessions),
        ];
        for (c, w) in want.iter().enumerate() {
            assert_eq!(
                number(&range, row, c as u32 + 1),
                *w,
                "row {}, col {}",
                row + 1,
                c + 2
            );
        }
    }
    assert_notes_say(
        &path,
        &[
            "No SD: a single client.",
            "No confidence interval: fewer than 5 clients (small sample).",
            "No rate: no client arrived at 1 or more at their first session.",
        ],
    );
}

/// The Overview's one cell in column A that contains `needle`; fails unless exactly one does.
fn overview_line(path: &Path, needle: &str) -> String {
    let mut book = open(path);
    let range = sheet(&mut book, "Overview");
    let lines: Vec<String> = (0..200)
        .filter_map(|r| match cell(&range, r, 0) {
            Data::String(s) if s.contains(needle) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(lines.len(), 1, "{needle:?} in {lines:?}");
    lines.into_iter().next().unwrap_or_default()
}

#[test]
fn overview_says_raw_against_adjusted_and_the_course_in_words() {
    let path = write("overview", &full_summary());
    assert_says(
        &overview_line(&path, "at equal arrival soreness"),
        &[
            "Focus regions had 1.8 points more relief than the rest as recorded",
            "and 1.1 points more relief at equal arrival soreness (95 % CI 0.8 to 1.4; all regions, 240 focus rows)",
            "less than the raw gap",
            "not proof that the factor caused the relief",
        ],
    );
    // Focus regions arrived sorer in the fixture's by_focus figures, so the sentence says why.
    assert_says(
        &overview_line(&path, "Regular clients"),
        &[
            "in the lower back, 58 clients with two or more sessions",
            "arrived at 6.9 on average at their first session and 5.1 at their latest, a fall of 1.8 points (95 % CI 1.4 to 2.2)",
            "clinically important fall for 45 % of them",
            "fell in 2 of 4 regions",
        ],
    );
}

#[test]
fn an_empty_report_says_why_there_is_nothing_to_compare() {
    let path = write("empty-personalisation", &empty_summary());
    overview_line(&path, "no comparison at equal arrival soreness");
    overview_line(&path, "nothing to compare yet");
    let mut book = open(&path);
    let range = sheet(&mut book, "Personalisation, adjusted");
    assert!(text(&range, 1, 0).contains("No comparison in this period"));
    let range = sheet(&mut book, "Course of care");
    assert!(text(&range, 1, 0).contains("No such client in this period"));
}

#[test]
fn group_sheets_carry_the_mcid_rate_and_about_defines_every_new_figure() {
    let (summary, _, mut book) = written("about");
    let range = sheet(&mut book, "Regions");
    let heads = headers(&range);
    let col = heads
        .iter()
        .position(|h| h == "Clinically important relief (for arrival soreness)")
        .expect("the MCID-rate column") as u32;
    for (i, r) in summary.regions.iter().enumerate() {
        assert_eq!(
            number(&range, HEADER + 1 + i as u32, col),
            r.figures.mcid_rate
        );
    }
    let about = sheet(&mut book, "About");
    let terms: Vec<(String, String)> = (0..200)
        .filter_map(|r| match (cell(&about, r, 0), cell(&about, r, 1)) {
            (Data::String(t), Data::String(m)) => Some((t, m)),
            _ => None,
        })
        .collect();
    let defined = |term: &str| {
        terms
            .iter()
            .find(|(t, _)| t == term)
            .map(|(_, m)| m.clone())
            .unwrap_or_else(|| panic!("About does not define {term:?}"))
    };
    assert!(
        defined("Clinically important relief (for arrival soreness)").contains(
            "1 point when it arrived below 5, 2 points from 5 to below 8, 3 points from 8"
        )
    );
    assert!(defined("Adjusted difference (points)").contains("not proof that the factor caused"));
    for term in [
        "Raw difference (points)",
        "95 % CI (adjusted difference)",
        "Reference level",
        "Reference rows",
        "Small sample (adjusted)",
        "Before at first / latest session",
        "Fall (mean, points)",
        "Clinically important fall",
        "Fell by ≥ 30 %",
        "Sessions per client (median)",
        "Clinically important change by arrival soreness",
    ] {
        defined(term);
    }
}
