//! End-to-end tests of the workbook `relief report` writes for `sample-data/`: read back with
//! calamine and compared with the summary.json written beside it, and opened by LibreOffice.

use crate::common::*;
use calamine::{Data, Range, Reader, Xlsx, open_workbook};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Runs `relief report` on a copy of sample-data for one month; returns the period folder.
fn report_sample_month(wd: &Workdir, month: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let out = wd.relief(&[
        "report",
        src.to_str().unwrap(),
        "--month",
        month,
        "--out",
        "out",
        "-q",
    ]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", show(&out));
    wd.join("out").join(month)
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        _ => String::new(),
    }
}

/// The table on a sheet: its header row (the first row whose first cell is `first`) and the
/// data rows below it, as maps from header to cell.
fn table(range: &Range<Data>, first: &str) -> Vec<Vec<(String, Data)>> {
    let rows: Vec<&[Data]> = range.rows().collect();
    let h = rows
        .iter()
        .position(|r| r.first().is_some_and(|c| text(c) == first))
        .unwrap_or_else(|| panic!("no header starting with {first}"));
    let headers: Vec<String> = rows[h].iter().map(text).collect();
    rows[h + 1..]
        .iter()
        .filter(|r| r.iter().any(|c| !matches!(c, Data::Empty)))
        .map(|r| headers.iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

fn get<'a>(row: &'a [(String, Data)], header: &str) -> &'a Data {
    &row.iter()
        .find(|(h, _)| h == header)
        .unwrap_or_else(|| panic!("no column {header}"))
        .1
}

fn num(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("expected a number, found {other:?}"),
    }
}

#[test]
fn workbook_cells_match_summary_json() {
    let wd = Workdir::new();
    let dir = report_sample_month(&wd, "2026-09");
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let mut book: Xlsx<_> = open_workbook(dir.join("relief-2026-09.xlsx")).unwrap();
    let names = book.sheet_names();
    for expected in [
        "Overview",
        "Regions",
        "Months",
        "Therapists",
        "Pressure",
        "Focus",
        "Rejects",
        "Sources",
        "About",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "no sheet {expected} in {names:?}"
        );
    }

    let regions = table(&book.worksheet_range("Regions").unwrap(), "Region");
    let json_regions = summary["regions"].as_array().unwrap();
    assert_eq!(regions.len(), json_regions.len());
    for (row, want) in regions.iter().zip(json_regions) {
        assert_eq!(num(get(row, "Rows")), want["rows"].as_f64().unwrap());
        let change = num(get(row, "Relief (mean change)"));
        assert!(
            (change - want["mean_change"].as_f64().unwrap()).abs() < 1e-12,
            "{row:?}"
        );
        match &want["ci95"] {
            Value::Array(ci) => {
                assert!((num(get(row, "95 % CI low")) - ci[0].as_f64().unwrap()).abs() < 1e-12)
            }
            _ => assert!(matches!(get(row, "95 % CI low"), Data::Empty)),
        }
    }

    // Every reject of the month is on the Rejects sheet with its reason.
    let rejects = table(&book.worksheet_range("Rejects").unwrap(), "File");
    let json_rejects = summary["rejects"].as_array().unwrap();
    assert_eq!(rejects.len(), json_rejects.len());
    for want in json_rejects {
        let reason = want["reason"].as_str().unwrap();
        assert!(
            rejects
                .iter()
                .any(|r| r.iter().any(|(_, c)| text(c) == reason)),
            "{reason}"
        );
    }
}

/// The number in a cell, or `None` for a blank (a figure that cannot be computed).
fn opt(d: &Data) -> Option<f64> {
    match d {
        Data::Empty => None,
        other => Some(num(other)),
    }
}

fn json_opt(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// Both blank, or both numbers equal to 1e-12: the workbook keeps 15 significant digits.
fn assert_same(cell: Option<f64>, json: Option<f64>, what: &str) {
    match (cell, json) {
        (None, None) => {}
        (Some(a), Some(b)) => assert!(
            (a - b).abs() <= 1e-12 * b.abs().max(1.0),
            "{what}: {a} vs {b}"
        ),
        _ => panic!("{what}: cell {cell:?}, JSON {json:?}"),
    }
}

#[test]
fn personalisation_sheets_match_summary_json() {
    let wd = Workdir::new();
    let dir = report_sample_month(&wd, "2026-09");
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let mut book: Xlsx<_> = open_workbook(dir.join("relief-2026-09.xlsx")).unwrap();

    let adjusted = table(
        &book.worksheet_range("Personalisation, adjusted").unwrap(),
        "Factor",
    );
    let json = summary["adjusted"].as_array().unwrap();
    assert!(!json.is_empty(), "the sample month has adjusted entries");
    assert_eq!(adjusted.len(), json.len());
    for (row, want) in adjusted.iter().zip(json) {
        for (header, key) in [
            ("Rows", "rows"),
            ("Clients", "clients"),
            ("Reference rows", "reference_rows"),
            ("Raw difference (points)", "raw_difference"),
        ] {
            assert_same(
                Some(num(get(row, header))),
                want[key].as_f64(),
                &format!("{header}: {want}"),
            );
        }
        assert_same(
            opt(get(row, "Adjusted difference (points)")),
            json_opt(&want["adjusted_difference"]),
            &want.to_string(),
        );
        let ci = want["ci95"].as_array();
        assert_same(
            opt(get(row, "95 % CI low")),
            ci.map(|c| c[0].as_f64().unwrap()),
            &want.to_string(),
        );
        assert_same(
            opt(get(row, "95 % CI high")),
            ci.map(|c| c[1].as_f64().unwrap()),
            &want.to_string(),
        );
        let region = want["region"].as_str().unwrap();
        let label = text(get(row, "Region"));
        assert!(
            (region == "all" && label == "All regions")
                || label.to_lowercase().replace(' ', "_") == region,
            "{label} for {region}"
        );
    }

    // The sample's story (clients ask for focus where it hurts): at equal arrival soreness the
    // focus difference is visibly smaller than as recorded, and the Overview says so in words.
    let pooled = json
        .iter()
        .find(|e| e["factor"] == "focus" && e["region"] == "all")
        .expect("a pooled focus entry");
    let (raw, adjusted) = (
        pooled["raw_difference"].as_f64().unwrap(),
        pooled["adjusted_difference"].as_f64().unwrap(),
    );
    assert!(adjusted < raw - 0.3, "raw {raw}, adjusted {adjusted}");
    let overview = book.worksheet_range("Overview").unwrap();
    let said = overview
        .used_cells()
        .map(|(_, _, d)| text(d))
        .find(|t| t.starts_with("Focus regions had"))
        .expect("the Overview's focus sentence");
    for words in ["less than the raw gap", "arrived sorer", "not proof"] {
        assert!(said.contains(words), "{words:?} missing from {said:?}");
    }

    let course = table(&book.worksheet_range("Course of care").unwrap(), "Region");
    let json = summary["course"].as_array().unwrap();
    assert!(!json.is_empty(), "the sample month has regular clients");
    assert_eq!(course.len(), json.len());
    for (row, want) in course.iter().zip(json) {
        for (header, key) in [
            ("Clients", "clients"),
            ("Before at first session (mean)", "mean_first"),
            ("Before at latest session (mean)", "mean_latest"),
            ("Fall (mean, points)", "mean_fall"),
            ("SD of fall", "sd_fall"),
            ("Clinically important fall", "mcid_rate"),
            ("Fell by ≥ 30 %", "fall_30_rate"),
            ("Sessions per client (median)", "median_sessions"),
        ] {
            assert_same(
                opt(get(row, header)),
                json_opt(&want[key]),
                &format!("{header}: {want}"),
            );
        }
    }

    let regions = table(&book.worksheet_range("Regions").unwrap(), "Region");
    for (row, want) in regions.iter().zip(summary["regions"].as_array().unwrap()) {
        assert_same(
            opt(get(
                row,
                "Clinically important relief (for arrival soreness)",
            )),
            json_opt(&want["mcid_rate"]),
            "mcid_rate",
        );
    }
}

/// LibreOffice must open the workbook relief writes for real data (not only the crate's
/// fixtures) and convert it without error.
#[test]
fn libreoffice_opens_the_sample_workbook() {
    if std::env::var_os("RELIEF_SKIP_LIBREOFFICE").is_some() {
        return;
    }
    let wd = Workdir::new();
    let dir = report_sample_month(&wd, "2026-10");
    let profile = wd.join("lo-profile");
    let out = std::process::Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--norestore", "--convert-to", "pdf", "--outdir"])
        .arg(wd.path())
        .arg(dir.join("relief-2026-10.xlsx"))
        .output()
        .expect("soffice runs (apt-get install libreoffice-calc-nogui; RELIEF_SKIP_LIBREOFFICE=1 to skip)");
    let pdf = wd.join("relief-2026-10.pdf");
    assert!(
        pdf.is_file(),
        "LibreOffice did not convert the workbook: {}",
        show(&out)
    );
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
}
