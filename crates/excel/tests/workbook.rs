//! Reads generated workbooks back with calamine and compares every figure cell with the report
//! model it was written from; checks the safety rules for user text, byte-identical reruns and
//! the write-then-rename behaviour.

mod fixture;
mod read;

use calamine::{Data, Range, Reader};
use fixture::*;
use read::*;
use relief_core::summary::MonthFigures;
use relief_core::summary::{Figures, FocusKey, Keyed, Settings, Summary};
use std::path::{Path, PathBuf};

/// Writes the full summary with `trend` as `full.xlsx` in the fresh folder `name`, and opens it.
fn full_book(name: &str, trend: &[MonthFigures]) -> (Summary, PathBuf, Book) {
    let summary = full_summary();
    let path = out_dir(name).join("full.xlsx");
    relief_excel::write_workbook(&summary, trend, &path).unwrap();
    let book = open(&path);
    (summary, path, book)
}

fn col(headers: &[String], name: &str, sheet: &str) -> u32 {
    headers
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("sheet {sheet}: no column {name:?} in {headers:?}")) as u32
}

/// What a figure cell must hold.
#[derive(Debug, PartialEq)]
enum Want {
    Num(f64),
    Text(String),
    Blank,
}

fn check(range: &Range<Data>, sheet: &str, row: u32, c: u32, want: &Want) {
    let got = cell(range, row, c);
    let ok = match (want, &got) {
        (Want::Num(w), Data::Float(g)) => (w - g).abs() <= 1e-12 * w.abs().max(1.0),
        (Want::Num(w), Data::Int(g)) => (*w - *g as f64).abs() < 1e-12,
        (Want::Text(w), Data::String(g)) => w == g,
        (Want::Text(w), Data::Empty) => w.is_empty(),
        (Want::Blank, Data::Empty) => true,
        _ => false,
    };
    assert!(
        ok,
        "sheet {sheet}, row {}, col {}: expected {want:?}, found {got:?}",
        row + 1,
        c + 1
    );
}

/// The figure columns and the values each must show, computed straight from the model.
fn expected_figures(f: &Figures, s: &Settings) -> Vec<(String, Want)> {
    let opt = |v: Option<f64>| v.map_or(Want::Blank, Want::Num);
    let n = |v: u64| Want::Num(v as f64);
    vec![
        ("Rows".into(), n(f.rows)),
        ("Sessions".into(), n(f.sessions)),
        ("Clients".into(), n(f.clients)),
        ("Before (mean)".into(), Want::Num(f.mean_before)),
        ("After (mean)".into(), Want::Num(f.mean_after)),
        ("Relief (mean change)".into(), Want::Num(f.mean_change)),
        ("Relief (median change)".into(), Want::Num(f.median_change)),
        ("SD of change".into(), opt(f.sd_change)),
        ("95 % CI low".into(), opt(f.ci95.map(|c| c[0]))),
        ("95 % CI high".into(), opt(f.ci95.map(|c| c[1]))),
        ("Improved".into(), Want::Num(f.improved_rate)),
        ("Unchanged".into(), Want::Num(f.unchanged_rate)),
        ("Worse".into(), Want::Num(f.worse_rate)),
        (
            format!(
                "Responders (≥ {:.0} % relief)",
                s.responder_threshold * 100.0
            ),
            opt(f.responder_rate),
        ),
        (
            format!(
                "Strong responders (≥ {:.0} % relief)",
                s.strong_responder_threshold * 100.0
            ),
            opt(f.strong_responder_rate),
        ),
        ("SRM".into(), opt(f.srm)),
        (
            format!("Reaches {:.0}-point MCID", s.mcid_points),
            Want::Text(if f.meets_mcid { "yes" } else { "no" }.into()),
        ),
        (
            "Clinically important relief (for arrival soreness)".into(),
            opt(f.mcid_rate),
        ),
        ("Rows with before = 0".into(), n(f.zero_before_rows)),
        (
            "Small sample".into(),
            Want::Text(if f.small_sample {
                format!("yes: under {} rows", s.min_group_size)
            } else {
                String::new()
            }),
        ),
    ]
}

/// One table row: its key columns (header, value) and its figures.
type ExpectedRow = (Vec<(&'static str, Want)>, Figures);

/// The rows of a group keyed by one column and the region, as most group sheets are: `key`
/// gives the key column's value.
fn keyed<K>(list: &[Keyed<K>], column: &'static str, key: impl Fn(&K) -> Want) -> Vec<ExpectedRow> {
    list.iter()
        .map(|f| {
            let region = Want::Text(f.region.label().to_string());
            (
                vec![(column, key(&f.key)), ("Region", region)],
                f.figures.clone(),
            )
        })
        .collect()
}

/// Each group sheet's expected key columns and figures, from the model.
fn expected_groups(
    s: &Summary,
    trend: &[relief_core::summary::MonthFigures],
) -> Vec<(&'static str, Vec<ExpectedRow>)> {
    let t = |v: &str| Want::Text(v.to_string());
    let months = if trend.is_empty() {
        &s.by_month[..]
    } else {
        trend
    };
    let focus = |k: &FocusKey| {
        t(if k.focus {
            "Focus region"
        } else {
            "Not a focus"
        })
    };
    vec![
        (
            "Regions",
            s.regions
                .iter()
                .map(|f| (vec![("Region", t(f.region.label()))], f.figures.clone()))
                .collect(),
        ),
        ("Months", keyed(months, "Month", |k| t(&k.month))),
        (
            "Therapists",
            keyed(&s.by_therapist, "Therapist", |k| t(&k.therapist)),
        ),
        (
            "Pressure",
            keyed(&s.by_pressure, "Pressure", |k| t(k.pressure.label())),
        ),
        ("Focus", keyed(&s.by_focus, "Focus", focus)),
        (
            "Minutes",
            keyed(&s.by_minutes, "Minutes on region", |k| {
                t(k.minutes_band.key())
            }),
        ),
        (
            "Technique",
            keyed(&s.by_technique, "Technique", |k| t(&k.technique)),
        ),
        (
            "Spill-over",
            s.spillover
                .iter()
                .map(|f| {
                    let worked = if f.key.other_worked {
                        "worked too"
                    } else {
                        "not worked"
                    };
                    (
                        vec![
                            ("Target region", t(f.region.label())),
                            ("Other region", t(f.key.other_region.label())),
                            ("Other region worked", t(worked)),
                        ],
                        f.figures.clone(),
                    )
                })
                .collect(),
        ),
        (
            "Visits",
            keyed(&s.by_visit, "Visit", |k| Want::Num(f64::from(k.visit))),
        ),
    ]
}

fn check_groups(path: &Path, summary: &Summary, trend: &[relief_core::summary::MonthFigures]) {
    let mut book = open(path);
    for (name, rows) in expected_groups(summary, trend) {
        let range = sheet(&mut book, name);
        let heads = headers(&range);
        for (i, (keys, figures)) in rows.iter().enumerate() {
            let row = HEADER + 1 + i as u32;
            for (k, want) in keys {
                check(&range, name, row, col(&heads, k, name), want);
            }
            for (h, want) in expected_figures(figures, &summary.settings) {
                check(&range, name, row, col(&heads, &h, name), &want);
            }
        }
        // Nothing below the last expected row (an empty table keeps one blank row).
        let after = HEADER + 1 + rows.len().max(1) as u32;
        for c in 0..heads.len() as u32 {
            check(&range, name, after, c, &Want::Blank);
        }
    }
}

#[test]
fn every_group_sheet_matches_the_model() {
    let dir = out_dir("groups");
    let summary = full_summary();
    let trend = trend();
    let path = dir.join("full.xlsx");
    relief_excel::write_workbook(&summary, &trend, &path).unwrap();
    check_groups(&path, &summary, &trend);

    // Without a trend, the Months sheet falls back to the period's own months.
    let path = dir.join("no-trend.xlsx");
    relief_excel::write_workbook(&summary, &[], &path).unwrap();
    check_groups(&path, &summary, &[]);
}

#[test]
fn an_empty_report_still_makes_every_sheet() {
    let dir = out_dir("empty");
    let summary = empty_summary();
    let path = dir.join("empty.xlsx");
    relief_excel::write_workbook(&summary, &[], &path).unwrap();
    check_groups(&path, &summary, &[]);
    let book = open(&path);
    assert_eq!(
        book.sheet_names(),
        [
            "Overview",
            "Charts",
            "Regions",
            "Months",
            "Therapists",
            "Pressure",
            "Focus",
            "Minutes",
            "Technique",
            "Spill-over",
            "Visits",
            "Personalisation, adjusted",
            "Course of care",
            "Rejects",
            "Conflicts",
            "Sources",
            "About"
        ]
    );
}

#[test]
fn rejects_conflicts_and_sources_list_every_row() {
    let (summary, _, mut book) = full_book("lists", &trend());

    let range = sheet(&mut book, "Rejects");
    let heads = headers(&range);
    assert_eq!(
        heads,
        ["File", "Sheet", "Row", "Column", "Value", "Reason", "Month"]
    );
    for (i, r) in summary.rejects.iter().enumerate() {
        let row = HEADER + 1 + i as u32;
        check(&range, "Rejects", row, 0, &Want::Text(r.file.clone()));
        check(&range, "Rejects", row, 1, &Want::Text(r.sheet.clone()));
        check(&range, "Rejects", row, 2, &Want::Num(f64::from(r.row)));
        let column = if r.column.is_empty() {
            "(whole row)".to_string()
        } else {
            r.column.clone()
        };
        check(&range, "Rejects", row, 3, &Want::Text(column));
        check(&range, "Rejects", row, 5, &Want::Text(r.reason.to_string()));
        let Data::String(value) = cell(&range, row, 4) else {
            panic!("Rejects row {}: value is not text", row + 1)
        };
        if r.value.len() > 32_767 {
            // Cut to Excel's limit, with a mark that says how much is missing.
            assert!(
                value.encode_utf16().count() <= 32_767,
                "value over Excel's limit"
            );
            let kept = value.find('…').expect("a cut mark");
            assert!(r.value.starts_with(&value[..kept]));
            let dropped = r.value.chars().count() - value[..kept].chars().count();
            assert_eq!(
                &value[kept..],
                format!("… [cut: {dropped} more characters]")
            );
        } else {
            // A value that looks like a formula comes back as the same text, not a result.
            assert_eq!(value, r.value, "Rejects row {}", row + 1);
        }
    }

    let range = sheet(&mut book, "Conflicts");
    let d = &summary.conflicts[0];
    check(
        &range,
        "Conflicts",
        HEADER + 1,
        0,
        &Want::Text(d.file.clone()),
    );
    check(
        &range,
        "Conflicts",
        HEADER + 1,
        2,
        &Want::Num(f64::from(d.row)),
    );
    check(
        &range,
        "Conflicts",
        HEADER + 1,
        5,
        &Want::Num(f64::from(d.kept_row)),
    );
    check(
        &range,
        "Conflicts",
        HEADER + 1,
        7,
        &Want::Text(d.conflict.clone().unwrap()),
    );

    let range = sheet(&mut book, "Sources");
    let heads = headers(&range);
    let mut row = HEADER + 1;
    for file in &summary.files {
        if let Some(e) = &file.error {
            check(&range, "Sources", row, 0, &Want::Text(file.path.clone()));
            check(
                &range,
                "Sources",
                row,
                col(&heads, "Problem", "Sources"),
                &Want::Text(format!("Could not be read: {e}")),
            );
            row += 1;
        } else if file.sheets.is_empty() {
            let problem = "No sheet with a recognisable header row.".to_string();
            check(
                &range,
                "Sources",
                row,
                col(&heads, "Problem", "Sources"),
                &Want::Text(problem),
            );
            row += 1;
        }
        for s in &file.sheets {
            let w = [
                ("File", Want::Text(file.path.clone())),
                ("Sheet", Want::Text(s.name.clone())),
                ("Layout", Want::Text(s.layout.clone())),
                ("Header row", Want::Num(f64::from(s.header_row))),
                ("Rows read", Want::Num(s.rows_read as f64)),
                ("Rows used", Want::Num(s.rows_used as f64)),
                ("Rows rejected", Want::Num(s.rows_rejected as f64)),
                ("Duplicate rows", Want::Num(s.rows_duplicate as f64)),
                ("SHA-256", Want::Text(file.sha256.clone())),
                ("Problem", Want::Blank),
                (
                    "Hidden",
                    Want::Text(if s.hidden { "yes" } else { "no" }.into()),
                ),
            ];
            for (h, want) in &w {
                check(&range, "Sources", row, col(&heads, h, "Sources"), want);
            }
            row += 1;
        }
    }
    check(&range, "Sources", row, 0, &Want::Blank);
}

/// Finds the value to the right of a label in column A of the overview.
fn labelled(range: &Range<Data>, label: &str) -> Data {
    for row in 0..200 {
        if cell(range, row, 0) == Data::String(label.into()) {
            return cell(range, row, 1);
        }
    }
    panic!("Overview: no label {label:?}");
}

#[test]
fn overview_states_counts_and_headlines() {
    let (summary, _, mut book) = full_book("overview", &trend());
    let range = sheet(&mut book, "Overview");
    assert_eq!(
        cell(&range, 0, 0),
        Data::String("Soreness relief report, October 2026".into())
    );
    assert_eq!(labelled(&range, "Period"), Data::String("2026-10".into()));
    let c = summary.rows;
    for (label, v) in [
        ("Rows read", c.read),
        ("Rows used", c.used),
        ("Rows rejected", c.rejected),
        ("Duplicate rows (counted once)", c.duplicates),
        ("… of which conflicting", c.conflicts),
        ("Footer rows skipped", c.footer_skipped),
        ("Files read", 3),
        ("Files that could not be read", 1),
        ("Sheets read", 3),
        ("Rows without pressure", summary.unknown.pressure),
    ] {
        assert_eq!(
            labelled(&range, label),
            Data::Float(v as f64),
            "Overview: {label}"
        );
    }

    let sentences: Vec<String> = (0..200)
        .filter_map(|r| match cell(&range, r, 0) {
            Data::String(s) if s.contains("rows): soreness") => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(sentences.len(), summary.regions.len());
    for (sentence, r) in sentences.iter().zip(&summary.regions) {
        let f = &r.figures;
        assert!(
            sentence.starts_with(&format!("{} ({} rows): ", r.region.label(), f.rows)),
            "{sentence}"
        );
        // Independent arithmetic: relief is before − after, shown with one decimal.
        if f.mean_before - f.mean_after >= 0.05 {
            let words = format!(
                "soreness fell from {:.1} to {:.1} on average, a relief of {:.1} points",
                f.mean_before,
                f.mean_after,
                f.mean_before - f.mean_after
            );
            assert!(
                sentence.contains(&words),
                "{sentence}\n does not contain {words}"
            );
        }
        match (f.ci95, f.responder_rate) {
            (Some([lo, hi]), _) if lo >= 0.0 => {
                assert!(
                    sentence.contains(&format!("(95 % CI {lo:.1} to {hi:.1})")),
                    "{sentence}"
                )
            }
            (None, _) => assert!(
                sentence.contains("too few rows for a confidence interval"),
                "{sentence}"
            ),
            _ => {}
        }
        match f.responder_rate {
            Some(rate) => assert!(
                sentence.ends_with(&format!(
                    "; {:.0} % of sessions relieved at least 30 %.",
                    rate * 100.0
                )),
                "{sentence}"
            ),
            None => assert!(
                sentence.contains("relative relief is not defined"),
                "{sentence}"
            ),
        }
    }
    // The worsening fixture region reads as worse, never as a negative relief.
    let worse: Vec<&String> = sentences
        .iter()
        .filter(|s| s.contains("rose from"))
        .collect();
    let expected_worse = summary
        .regions
        .iter()
        .filter(|r| r.figures.mean_change <= -0.05)
        .count();
    assert_eq!(worse.len(), expected_worse);
    assert!(
        worse
            .iter()
            .all(|s| s.contains("points worse") && !s.contains("relief of"))
    );
}

#[test]
fn charts_sheet_holds_the_numbers_it_draws() {
    let trend = trend();
    let (summary, path, mut book) = full_book("charts", &trend);
    let range = sheet(&mut book, "Charts");
    const DATA: u32 = 21;
    // Region block: header on row 5 (0-based 4), data from row 6.
    for (i, r) in summary.regions.iter().enumerate() {
        let row = 5 + i as u32;
        let f = &r.figures;
        check(
            &range,
            "Charts",
            row,
            DATA,
            &Want::Text(r.region.label().into()),
        );
        check(&range, "Charts", row, DATA + 1, &Want::Num(f.mean_before));
        check(&range, "Charts", row, DATA + 2, &Want::Num(f.mean_after));
        match f.ci95 {
            Some([lo, hi]) => {
                // The error bar on After spans the after-scores the CI of relief implies.
                let Data::Float(up) = cell(&range, row, DATA + 6) else {
                    panic!("no bar above")
                };
                let Data::Float(down) = cell(&range, row, DATA + 7) else {
                    panic!("no bar below")
                };
                assert!((f.mean_after + up - (f.mean_before - lo)).abs() < 1e-9);
                assert!((f.mean_after - down - (f.mean_before - hi)).abs() < 1e-9);
            }
            None => check(&range, "Charts", row, DATA + 6, &Want::Blank),
        }
        check(
            &range,
            "Charts",
            row,
            DATA + 8,
            &f.responder_rate.map_or(Want::Blank, Want::Num),
        );
    }
    // The month block has one row per month of the trend, one column per region.
    let months: Vec<String> = (0..200)
        .filter_map(|r| match cell(&range, r, DATA) {
            Data::String(s) if s.starts_with("2026-") => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(
        months,
        [
            "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"
        ]
    );

    // The file holds four native charts.
    let bytes = std::fs::read(&path).unwrap();
    for n in 1..=4 {
        let name = format!("xl/charts/chart{n}.xml");
        assert!(
            bytes.windows(name.len()).any(|w| w == name.as_bytes()),
            "missing {name}"
        );
    }
    assert!(!bytes.windows(20).any(|w| w == b"xl/charts/chart5.xml"));
}

#[test]
fn missing_figures_are_blank_cells_with_notes() {
    let dir = out_dir("notes");
    let path = dir.join("full.xlsx");
    relief_excel::write_workbook(&full_summary(), &[], &path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    // Notes live in one comments part per sheet that has any; the zip's directory names them
    // in plain bytes. Regions (None rates, a small sample) and Therapists (a single row) must.
    let has = |name: &str| bytes.windows(name.len()).any(|w| w == name.as_bytes());
    assert!(
        has("xl/comments1.xml") && has("xl/comments2.xml"),
        "notes missing"
    );
}

#[test]
fn user_text_is_safe() {
    assert_eq!(NASTY_THERAPIST.chars().count(), 40);
    let (_, path, mut book) = full_book("safe", &[]);
    let range = sheet(&mut book, "Technique");
    let heads = headers(&range);
    let t = col(&heads, "Technique", "Technique");
    let found =
        (0..20).any(|r| cell(&range, HEADER + 1 + r, t) == Data::String(FORMULA_TECHNIQUE.into()));
    assert!(found, "formula-like technique name not kept as text");
    // No cell of the workbook is a formula.
    let bytes = std::fs::read(&path).unwrap();
    let formulas = book.worksheet_formula("Rejects").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "Rejects holds a formula"
    );
    assert!(!bytes.is_empty());
}

#[test]
fn reruns_give_identical_bytes() {
    let dir = out_dir("rerun");
    let (a, b) = (dir.join("a.xlsx"), dir.join("b.xlsx"));
    relief_excel::write_workbook(&full_summary(), &trend(), &a).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    relief_excel::write_workbook(&full_summary(), &trend(), &b).unwrap();
    let (x, y) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert!(
        x == y,
        "two runs on the same figures differ ({} and {} bytes)",
        x.len(),
        y.len()
    );

    // A different period changes the document date, so the bytes differ.
    let mut other = full_summary();
    other.period = relief_core::Period::parse_name("2026-11").unwrap();
    relief_excel::write_workbook(&other, &trend(), &b).unwrap();
    assert_ne!(x, std::fs::read(&b).unwrap());
}

#[test]
fn writing_replaces_the_file_and_leaves_nothing_behind() {
    let dir = out_dir("rename");
    let path = dir.join("report.xlsx");
    std::fs::write(&path, b"old").unwrap();
    relief_excel::write_workbook(&full_summary(), &[], &path).unwrap();
    assert_ne!(std::fs::read(&path).unwrap(), b"old");
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["report.xlsx"], "temporary files left behind");

    let missing = dir.join("no-such-folder").join("report.xlsx");
    let err = relief_excel::write_workbook(&full_summary(), &[], &missing).unwrap_err();
    assert!(
        matches!(err, relief_excel::ExcelError::Write { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("no-such-folder"), "{err}");
}
