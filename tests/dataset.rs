//! End-to-end tests of the data hand-over (SPEC §4.3): `sessions.parquet` in every build, the
//! Hive-partitioned dataset `clean/[clinic=NAME/]month=YYYY-MM/sessions.parquet`, read back by
//! DuckDB — a reader relief did not write them with — and the README's SQL over that dataset
//! giving every figure of `summary.json`.

use crate::common::*;
use crate::duckdb;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Figures the README's SQL computes, named as in `summary.json`; each must come back from the
/// query and equal the summary's.
const FIGURES: [&str; 14] = [
    "rows",
    "sessions",
    "clients",
    "mean_before",
    "mean_after",
    "mean_change",
    "median_change",
    "sd_change",
    "improved_rate",
    "worse_rate",
    "unchanged_rate",
    "responder_rate",
    "strong_responder_rate",
    "srm",
];

/// The SQL blocks of the README's "Taking the data further" section, in order.
fn readme_queries() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let start = readme
        .find("### Taking the data further")
        .expect("the README's section on taking the data further");
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    section
        .split("```sql\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap().to_string())
        .collect()
}

/// Compares one query row with the summary entry of the same key, figure by figure, to 1e-9.
fn assert_figures(what: &str, summary: &Value, query: &Value) {
    for name in FIGURES {
        let (s, q) = (&summary[name], &query[name]);
        let same = match (s.as_f64(), q.as_f64()) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
            _ => s.is_null() && q.is_null(),
        };
        assert!(same, "{what}: {name} is {s} in summary.json, {q} in DuckDB");
    }
}

/// Summary entries by their key columns (`region`, or `month` and `region`).
fn by_key<'a>(entries: &'a [Value], keys: &[&str]) -> BTreeMap<String, &'a Value> {
    entries
        .iter()
        .map(|e| {
            let key: Vec<&str> = keys.iter().map(|k| e[*k].as_str().unwrap()).collect();
            (key.join(" "), e)
        })
        .collect()
}

#[test]
fn the_readme_sql_over_the_dataset_gives_every_figure_of_summary_json() {
    let w = Workdir::new();
    let out = w.relief(&["sample", "--out", "inbox"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    // One report over the whole range: its regions span every month, by_month each month.
    let out = w.relief(&["report", "inbox", "--out", "reports"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let period = std::fs::read_dir(w.join("reports"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.contains('_'))
        .expect("a range report");
    let summary: Value = serde_json::from_slice(
        &std::fs::read(w.join("reports").join(&period).join("summary.json")).unwrap(),
    )
    .unwrap();
    let months = summary["by_month"].as_array().unwrap();
    assert!(months.len() > 9, "the sample spans several months");

    let queries = readme_queries();
    assert_eq!(
        queries.len(),
        2,
        "the README gives a per-region and a by-month query"
    );
    let sql: Vec<&str> = queries.iter().map(String::as_str).collect();
    let answers = duckdb::query(&w.join("reports"), &sql);

    let regions = by_key(summary["regions"].as_array().unwrap(), &["region"]);
    let rows = &answers[0].rows;
    assert_eq!(rows.len(), regions.len(), "one row per region");
    for row in rows {
        let key = row["region"].as_str().unwrap();
        assert_figures(key, regions[key], row);
    }
    let by_month = by_key(months, &["month", "region"]);
    let rows = &answers[1].rows;
    assert_eq!(rows.len(), by_month.len(), "one row per month and region");
    for row in rows {
        let key = format!(
            "{} {}",
            row["month"].as_str().unwrap(),
            row["region"].as_str().unwrap()
        );
        assert_figures(&key, by_month[key.as_str()], row);
    }
}

/// The CSV's cells by column name, one map per row.
fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let names: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            names
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// A DuckDB value as the CSV writes it: blank for null, numbers in their shortest exact form.
fn as_csv_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) if n.is_f64() => n.as_f64().unwrap().to_string(),
        Value::Number(n) => n.to_string(),
        other => panic!("unexpected value {other}"),
    }
}

#[test]
fn parquet_round_trips_through_duckdb_with_typed_columns() {
    let w = Workdir::new();
    std::fs::write(w.join("relief.toml"), "[privacy]\nexact_dates = true\n").unwrap();
    let out = w.relief(&["sample", "--out", "inbox"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let out = w.relief(&["report", "inbox", "--month", "2026-10", "--out", "reports"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));

    let answers = duckdb::query(
        &w.join("reports"),
        &[
            "SELECT * FROM '2026-10/sessions.parquet'",
            "SELECT count(*) AS n FROM (SELECT * EXCLUDE (month) FROM '2026-10/sessions.parquet' \
             EXCEPT ALL SELECT * FROM read_parquet('clean/month=2026-10/sessions.parquet', \
             hive_partitioning = false))",
            "SELECT count(*) AS n FROM read_parquet('clean/month=2026-10/sessions.parquet', \
             hive_partitioning = false)",
            "SELECT DISTINCT compression FROM parquet_metadata('2026-10/sessions.parquet')",
            "SELECT encodings FROM parquet_metadata('2026-10/sessions.parquet') \
             WHERE path_in_schema = 'therapist'",
        ],
    );
    let table = &answers[0];
    let types: BTreeMap<&str, &str> = table
        .types
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
        .collect();
    let expected: BTreeMap<&str, &str> = [
        ("month", "VARCHAR"),
        ("date", "DATE"),
        ("client", "VARCHAR"),
        ("session", "VARCHAR"),
        ("therapist", "VARCHAR"),
        ("region", "VARCHAR"),
        ("side", "VARCHAR"),
        ("before", "DOUBLE"),
        ("after", "DOUBLE"),
        ("change", "DOUBLE"),
        ("relative", "DOUBLE"),
        ("pressure", "VARCHAR"),
        ("focus", "BOOLEAN"),
        ("minutes", "DOUBLE"),
        ("minutes_band", "VARCHAR"),
        ("technique", "VARCHAR"),
        ("visit", "INTEGER"),
        ("file", "VARCHAR"),
        ("sheet", "VARCHAR"),
        ("row", "INTEGER"),
    ]
    .into();
    assert_eq!(types, expected);

    // Every value equals the CSV's (written from the same table by other code), in order.
    let csv = csv_rows(&w.join("reports/2026-10/sessions.csv"));
    assert!(csv.len() > 100, "October has rows");
    assert_eq!(table.rows.len(), csv.len());
    for (i, (parquet, csv)) in table.rows.iter().zip(&csv).enumerate() {
        for (name, text) in csv {
            let cell = &parquet[name.as_str()];
            // serde_json's default float parser may land one ulp off DuckDB's exact output
            // (no `float_roundtrip`); the bits themselves are checked in the analysis crate's
            // Parquet tests, read back with the parquet crate.
            if let (Some(got), Ok(want)) =
                (cell.as_f64().filter(|_| cell.is_f64()), text.parse::<f64>())
            {
                let ulp = f64::EPSILON * want.abs().max(f64::MIN_POSITIVE);
                assert!(
                    (got - want).abs() <= ulp,
                    "row {} column {name}: {got} vs {text}",
                    i + 1
                );
                continue;
            }
            let value = as_csv_text(cell);
            assert_eq!(&value, text, "row {} column {name}", i + 1);
        }
    }
    // The dataset's October file is the same table without the month column.
    assert_eq!(answers[1].rows[0]["n"], 0);
    assert_eq!(answers[2].rows[0]["n"], csv.len());
    // Compressed, and repeated text dictionary-encoded.
    assert_eq!(answers[3].rows.len(), 1);
    assert_eq!(answers[3].rows[0]["compression"], "SNAPPY");
    let encodings = answers[4].rows[0]["encodings"].as_str().unwrap();
    assert!(encodings.contains("DICTIONARY"), "{encodings}");
}

/// Every file below `dir` with its bytes, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path.strip_prefix(base).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn a_rerun_leaves_every_parquet_file_byte_identical() {
    let w = Workdir::new();
    let out = w.relief(&["sample", "--out", "inbox"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let out = w.relief(&["report", "inbox", "--by-month", "--out", "reports"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let first = tree(&w.join("reports"));
    let parquet: Vec<&String> = first.keys().filter(|k| k.ends_with(".parquet")).collect();
    let partitions = parquet
        .iter()
        .filter(|k| k.starts_with("clean/month="))
        .count();
    assert!(partitions >= 6, "a partition per month: {parquet:?}");
    assert_eq!(
        parquet.len(),
        2 * partitions,
        "each month's file and its partition"
    );
    // The old opt-in flag still parses, and changes nothing.
    let out = w.relief(&[
        "report",
        "inbox",
        "--by-month",
        "--parquet",
        "--out",
        "reports",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let second = tree(&w.join("reports"));
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &first {
        assert!(second[name] == *bytes, "{name} changed on a rerun");
    }
}

/// A CSV export of `rows` (date, client, therapist, region, before, after, technique).
fn export(rows: &[(&str, &str, &str, &str, f64, f64, &str)]) -> String {
    let mut text = String::from("Date,Client,Therapist,Region,Before,After,Technique\n");
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    for (date, client, therapist, region, before, after, technique) in rows {
        text.push_str(&format!(
            "{date},{client},{},{region},{before},{after},{}\n",
            quote(therapist),
            quote(technique)
        ));
    }
    text
}

/// Runs `relief` with `args` inside the work folder's `dir`, with the work folder's key.
fn relief_in(w: &Workdir, dir: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_relief"))
        .args(args)
        .current_dir(w.join(dir))
        .env("RELIEF_KEY_FILE", w.join(".relief-key"))
        .env("NO_COLOR", "1")
        .output()
        .expect("relief runs")
}

#[test]
fn batch_keeps_the_clinics_dataset_current_and_never_deletes_a_month() {
    let w = Workdir::new();
    std::fs::write(w.join("relief.toml"), "[dataset]\nclinic = \"north\"\n").unwrap();
    std::fs::create_dir(w.join("inbox")).unwrap();
    let sep = export(&[
        ("2026-09-03", "A", "Ana", "neck", 6.0, 3.0, "swedish"),
        (
            "2026-09-10",
            "B",
            "Ana",
            "lower back",
            7.0,
            4.0,
            "deep tissue",
        ),
    ]);
    let oct = export(&[
        ("2026-10-01", "A", "Ben", "neck", 5.0, 2.0, "swedish"),
        ("2026-10-08", "C", "Ben", "hips", 4.0, 4.0, "swedish"),
    ]);
    std::fs::write(w.join("inbox/sep.csv"), &sep).unwrap();
    std::fs::write(w.join("inbox/oct.csv"), &oct).unwrap();
    let batch = || w.relief(&["batch", "--inbox", "inbox", "--out", "reports"]);
    let out = batch();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let part = |m: &str| {
        w.join(&format!(
            "reports/clean/clinic=north/month={m}/sessions.parquet"
        ))
    };
    assert!(part("2026-09").is_file() && part("2026-10").is_file());
    let september = std::fs::read(part("2026-09")).unwrap();

    // The batch's October file is what `relief report` writes for October over the inbox.
    let out = relief_in(
        &w,
        "inbox",
        &[
            "--config",
            "../relief.toml",
            "report",
            ".",
            "--month",
            "2026-10",
            "--out",
            "../direct",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let direct = w.join("direct/clean/clinic=north/month=2026-10/sessions.parquet");
    assert_eq!(
        std::fs::read(part("2026-10")).unwrap(),
        std::fs::read(direct).unwrap()
    );

    // September's only file leaves the inbox: its partition stays, like its report.
    std::fs::remove_file(w.join("inbox/sep.csv")).unwrap();
    let more = oct.clone() + "2026-10-15,D,Ben,feet,6,2,\"reflexology\"\n";
    std::fs::write(w.join("inbox/oct.csv"), &more).unwrap();
    let out = batch();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(std::fs::read(part("2026-09")).unwrap(), september);
    let answers = duckdb::query(
        &w.join("reports"),
        &[
            "SELECT clinic, month, count(*) AS n FROM read_parquet('clean/clinic=*/month=*/sessions.parquet', \
           hive_partitioning = true, hive_types = {'clinic': VARCHAR, 'month': VARCHAR}) \
           GROUP BY ALL ORDER BY month",
        ],
    );
    let got: Vec<(String, String, u64)> = answers[0]
        .rows
        .iter()
        .map(|r| {
            (
                r["clinic"].as_str().unwrap().to_string(),
                r["month"].as_str().unwrap().to_string(),
                r["n"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("north".to_string(), "2026-09".to_string(), 2),
            ("north".to_string(), "2026-10".to_string(), 3)
        ]
    );
}

#[test]
fn a_clinic_name_that_could_become_a_path_is_refused_before_anything_is_written() {
    let w = Workdir::new();
    std::fs::write(
        w.join("relief.toml"),
        "[dataset]\nclinic = \"../elsewhere\"\n",
    )
    .unwrap();
    std::fs::write(
        w.join("oct.csv"),
        export(&[("2026-10-01", "A", "Ben", "neck", 5.0, 2.0, "swedish")]),
    )
    .unwrap();
    let out = w.relief(&["report", "oct.csv", "--out", "reports"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("dataset.clinic"), "{err}");
    assert!(err.contains("cannot be a folder name"), "{err}");
    assert!(!w.join("reports").exists() && !w.join("elsewhere").exists());
}

/// Hostile therapist and technique names: what a spreadsheet would run as formulas.
const HOSTILE: [&str; 5] = [
    "=HYPERLINK(\"http://evil\",\"x\")",
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-2+3",
    "=1+1",
];

#[test]
fn csv_cells_that_look_like_formulas_are_neutralised_while_parquet_and_json_stay_exact() {
    let w = Workdir::new();
    let rows: Vec<(&str, &str, &str, &str, f64, f64, &str)> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let day = [
                "2026-10-01",
                "2026-10-02",
                "2026-10-03",
                "2026-10-04",
                "2026-10-05",
            ][i];
            // Soreness that rose gives a negative change, a number that must stay a number.
            (
                day,
                "A",
                *h,
                "neck",
                3.0,
                5.0,
                HOSTILE[(i + 1) % HOSTILE.len()],
            )
        })
        .collect();
    std::fs::write(w.join("oct.csv"), export(&rows)).unwrap();
    let out = w.relief(&["report", "oct.csv", "--out", "reports"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));

    let csv = csv_rows(&w.join("reports/2026-10/sessions.csv"));
    assert_eq!(csv.len(), HOSTILE.len());
    for row in &csv {
        for column in ["therapist", "technique"] {
            let cell = &row[column];
            assert!(
                cell.starts_with('\''),
                "{column} {cell:?} is not neutralised"
            );
            assert!(HOSTILE.contains(&&cell[1..]), "{column} {cell:?}");
        }
        assert_eq!(row["change"], "-2", "numbers stay numbers");
        assert_eq!(row["before"], "3");
        assert!(!row["client"].starts_with('\''));
    }
    let therapists: Vec<&str> = csv.iter().map(|r| &r["therapist"][1..]).collect();
    let mut sorted = therapists.clone();
    sorted.sort();
    let mut hostile = HOSTILE.to_vec();
    hostile.sort();
    assert_eq!(sorted, hostile, "every therapist, each once");

    // Parquet holds the exact values.
    let answers = duckdb::query(
        &w.join("reports"),
        &["SELECT therapist, technique, change FROM '2026-10/sessions.parquet' ORDER BY therapist"],
    );
    for row in &answers[0].rows {
        let t = row["therapist"].as_str().unwrap();
        assert!(HOSTILE.contains(&t), "{t}");
        assert!(HOSTILE.contains(&row["technique"].as_str().unwrap()));
        assert_eq!(row["change"].as_f64(), Some(-2.0));
    }
    // So does summary.json.
    let summary: Value =
        serde_json::from_slice(&std::fs::read(w.join("reports/2026-10/summary.json")).unwrap())
            .unwrap();
    let mut named: Vec<&str> = summary["by_therapist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["therapist"].as_str().unwrap())
        .collect();
    named.sort();
    assert_eq!(named, hostile);
}

/// A range report writes each month it holds whole through the period's own row groups, and a
/// month it cuts from that month's own table: every partition is, byte for byte, the one a
/// report of the month alone writes, and the period's file holds exactly the range's rows, one
/// row group per month.
#[test]
fn a_range_report_writes_the_same_partitions_as_reports_of_each_month() {
    let w = Workdir::new();
    let out = w.relief(&["sample", "--out", "inbox"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let out = w.relief(&["report", "inbox", "--by-month", "--out", "months"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    // June is cut (from the 15th); July to September are whole.
    let out = w.relief(&[
        "report",
        "inbox",
        "--from",
        "2026-06-15",
        "--to",
        "2026-09-30",
        "--out",
        "range",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let (months, range) = (tree(&w.join("months")), tree(&w.join("range")));
    let partitions: Vec<&String> = range
        .keys()
        .filter(|k| k.starts_with("clean/month="))
        .collect();
    let names: Vec<&str> = partitions.iter().map(|k| &k[12..19]).collect();
    assert_eq!(names, ["2026-06", "2026-07", "2026-08", "2026-09"]);
    for name in partitions {
        assert!(
            range[name] == months[name],
            "{name} differs from the month's own"
        );
    }

    let summary: Value =
        serde_json::from_slice(&range["2026-06-15_2026-09-30/summary.json"]).unwrap();
    let answers = duckdb::query(
        &w.join("range"),
        &[
            "SELECT count(*) AS n, min(month) AS first, max(month) AS last \
             FROM '2026-06-15_2026-09-30/sessions.parquet'",
            "SELECT count(DISTINCT row_group_id) AS groups \
             FROM parquet_metadata('2026-06-15_2026-09-30/sessions.parquet')",
        ],
    );
    let all = &answers[0].rows[0];
    assert_eq!(all["n"], summary["rows"]["used"]);
    assert_eq!(
        (all["first"].as_str(), all["last"].as_str()),
        (Some("2026-06"), Some("2026-09"))
    );
    assert_eq!(answers[1].rows[0]["groups"], 4);
}
