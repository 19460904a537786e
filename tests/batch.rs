//! End-to-end tests of `relief batch`: a temporary inbox with real csv and xlsx exports, the
//! real binary run over it the way a scheduler runs it, and the reports compared byte for byte —
//! across reruns, against `relief report`, and against runs killed part-way through.

use crate::common::*;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

const HEADER: [&str; 9] = [
    "Date",
    "Client",
    "Therapist",
    "Region",
    "Before",
    "After",
    "Pressure",
    "Minutes",
    "Focus",
];
const REGIONS: [&str; 5] = ["lower back", "neck", "shoulders", "hips", "upper back"];
const PRESSURES: [&str; 4] = ["light", "medium", "firm", "deep"];

/// One session × region row of a test export.
struct Row {
    date: (i32, u32, u32),
    client: String,
    therapist: &'static str,
    region: &'static str,
    before: f64,
    after: f64,
    pressure: &'static str,
    minutes: f64,
    focus: &'static str,
}

/// `n` distinct rows in `month` (`(2026, 10)`); `seed` gives each file its own clients, so
/// files never duplicate each other's rows.
fn rows(month: (i32, u32), n: usize, seed: usize) -> Vec<Row> {
    (0..n)
        .map(|i| {
            let before = (3 + (i * 3 + seed) % 7) as f64;
            Row {
                date: (month.0, month.1, 1 + ((i + seed * 5) % 28) as u32),
                client: format!("C{seed}-{}", i % 7),
                therapist: ["Ana", "Ben"][i % 2],
                region: REGIONS[i % 5],
                before,
                after: (before - (i % 4) as f64).max(0.0),
                pressure: PRESSURES[i % 4],
                minutes: (5 + (i * 7) % 25) as f64,
                focus: ["yes", "no"][i % 2],
            }
        })
        .collect()
}

fn csv(rows: &[Row]) -> Vec<u8> {
    let mut out = HEADER.join(",");
    out.push('\n');
    for r in rows {
        out.push_str(&format!(
            "{:04}-{:02}-{:02},{},{},{},{},{},{},{},{}\n",
            r.date.0,
            r.date.1,
            r.date.2,
            r.client,
            r.therapist,
            r.region,
            r.before,
            r.after,
            r.pressure,
            r.minutes,
            r.focus
        ));
    }
    out.into_bytes()
}

/// A real xlsx export with Excel date cells; its creation date is pinned so the same rows give
/// the same bytes (and the same content hash) in every test folder.
fn xlsx(rows: &[Row]) -> Vec<u8> {
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(2026, 1, 1).unwrap()),
    );
    let ws = wb.add_worksheet().set_name("Sessions").unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in HEADER.iter().enumerate() {
        ws.write(0, c as u16, *h).unwrap();
    }
    for (i, r) in rows.iter().enumerate() {
        let row = 1 + i as u32;
        let d = ExcelDateTime::from_ymd(r.date.0 as u16, r.date.1 as u8, r.date.2 as u8).unwrap();
        ws.write_datetime_with_format(row, 0, &d, &date).unwrap();
        ws.write(row, 1, r.client.as_str()).unwrap();
        ws.write(row, 2, r.therapist).unwrap();
        ws.write(row, 3, r.region).unwrap();
        ws.write(row, 4, r.before).unwrap();
        ws.write(row, 5, r.after).unwrap();
        ws.write(row, 6, r.pressure).unwrap();
        ws.write(row, 7, r.minutes).unwrap();
        ws.write(row, 8, r.focus).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

/// A test clinic: a work folder with `inbox/` and `reports/`, and a pseudonym key (shared
/// between clinics whose reports are compared, since pseudonyms depend on it).
struct Clinic {
    w: Workdir,
    key: PathBuf,
}

impl Clinic {
    fn new() -> Clinic {
        let w = Workdir::new();
        std::fs::create_dir(w.join("inbox")).unwrap();
        let key = w.join(".relief-key");
        Clinic { w, key }
    }

    /// A clinic using `other`'s pseudonym key.
    fn sharing_key(other: &Clinic) -> Clinic {
        Clinic {
            key: other.key.clone(),
            ..Clinic::new()
        }
    }

    fn inbox(&self) -> PathBuf {
        self.w.join("inbox")
    }

    fn out(&self) -> PathBuf {
        self.w.join("reports")
    }

    /// Drops an export into the inbox, dated a minute ago like a file copied in earlier.
    fn put(&self, name: &str, bytes: &[u8]) {
        let path = self.inbox().join(name);
        std::fs::write(&path, bytes).unwrap();
        let f = std::fs::File::options().write(true).open(&path).unwrap();
        f.set_modified(SystemTime::now() - Duration::from_secs(60))
            .unwrap();
    }

    fn command(&self, failpoint: Option<&str>) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_relief"));
        c.args(["batch", "--inbox", "inbox", "--out", "reports"])
            .current_dir(self.w.path())
            .env("RELIEF_KEY_FILE", &self.key)
            .env("NO_COLOR", "1")
            .env_remove("RELIEF_FAILPOINT");
        if let Some(fp) = failpoint {
            c.env("RELIEF_FAILPOINT", fp)
                .env("RELIEF_FAILPOINT_RELEASE", self.w.join("release"));
        }
        c
    }

    fn batch(&self) -> Output {
        self.command(None).output().unwrap()
    }

    /// Runs with `--json` and returns the parsed summary with the output.
    fn batch_json(&self) -> (Value, Output) {
        let out = self.command(None).arg("--json").output().unwrap();
        let json = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("--json printed no JSON ({e}):\n{}", show(&out)));
        (json, out)
    }

    fn summary(&self, month: &str) -> Value {
        let path = self.out().join(month).join("summary.json");
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
    }

    fn ledger(&self) -> Value {
        let path = self.out().join(".relief").join("ledger.json");
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    fn logs(&self) -> usize {
        std::fs::read_dir(self.out().join(".relief").join("logs"))
            .unwrap()
            .count()
    }
}

fn expect_status(out: &Output, code: i32) {
    assert_eq!(out.status.code(), Some(code), "{}", show(out));
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every file below `dir`, by relative path, except the batch's own state in `.relief/`.
/// Hidden files are included, so a temporary file left behind shows up as a difference.
fn reports(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            let rel = path.strip_prefix(base).unwrap().display().to_string();
            if rel == ".relief" {
                continue;
            }
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Modification times of every report and of the ledger (not the logs).
fn mtimes(dir: &Path) -> BTreeMap<String, SystemTime> {
    let mut out: BTreeMap<String, SystemTime> = reports(dir)
        .into_keys()
        .map(|k| {
            let t = std::fs::metadata(dir.join(&k)).unwrap().modified().unwrap();
            (k, t)
        })
        .collect();
    let ledger = dir.join(".relief").join("ledger.json");
    out.insert(
        "ledger".into(),
        std::fs::metadata(ledger).unwrap().modified().unwrap(),
    );
    out
}

/// Asserts two report folders hold the same files with the same bytes, naming the differences.
fn assert_same_reports(
    expected: &BTreeMap<String, Vec<u8>>,
    actual: &BTreeMap<String, Vec<u8>>,
    what: &str,
) {
    let missing: Vec<&String> = expected
        .keys()
        .filter(|k| !actual.contains_key(*k))
        .collect();
    let extra: Vec<&String> = actual
        .keys()
        .filter(|k| !expected.contains_key(*k))
        .collect();
    let differ: Vec<&String> = expected
        .iter()
        .filter(|(k, v)| actual.get(*k).is_some_and(|a| a != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && differ.is_empty(),
        "{what}: reports differ from the uninterrupted run\n missing: {missing:?}\n extra: {extra:?}\n different bytes: {differ:?}"
    );
    assert!(!expected.is_empty(), "{what}: no reports at all");
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn file_paths(summary: &Value) -> Vec<String> {
    summary["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

/// The files of the inbox (flat in these tests), sorted as `relief report` sorts them.
fn inbox_files(c: &Clinic) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(c.inbox())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// What `relief report <every inbox file> --month <month>` writes, run inside the inbox with
/// the clinic's key, keyed like [`reports`] (`2026-11/summary.json` …).
fn report_of_inbox(c: &Clinic, month: &str) -> BTreeMap<String, Vec<u8>> {
    let dir = c.w.join(&format!("direct-{month}"));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_relief"))
        .arg("report")
        .args(inbox_files(c))
        .args(["--month", month, "--out"])
        .arg(&dir)
        .current_dir(c.inbox())
        .env("RELIEF_KEY_FILE", &c.key)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", show(&out));
    reports(&dir)
}

/// The invariant of the batch: a month it rebuilt is, byte for byte, what `relief report`
/// writes for that month over the inbox as it stands — its report folder and its file in the
/// `clean/` dataset.
fn assert_month_is_the_report_of_the_inbox(c: &Clinic, month: &str) {
    let batch: BTreeMap<_, _> = reports(&c.out())
        .into_iter()
        .filter(|(k, _)| {
            k.starts_with(&format!("{month}/")) || k.starts_with(&format!("clean/month={month}/"))
        })
        .collect();
    assert_same_reports(
        &report_of_inbox(c, month),
        &batch,
        &format!("{month}: batch vs relief report over the inbox"),
    );
}

#[test]
fn first_run_writes_every_month_and_an_unchanged_rerun_rewrites_nothing() {
    let c = Clinic::new();
    c.put("oct.csv", &csv(&rows((2026, 10), 12, 1)));
    c.put("nov.xlsx", &xlsx(&rows((2026, 11), 10, 2)));

    let out = c.batch();
    expect_status(&out, 0);
    let line = stderr(&out);
    assert!(
        line.contains("relief batch: 2 new files; rebuilt 2026-10, 2026-11"),
        "{line}"
    );
    // Each month counts its own rows, and lists every file of the inbox, as `relief report`.
    assert_eq!(c.summary("2026-10")["rows"]["used"], 12);
    assert_eq!(file_paths(&c.summary("2026-10")), ["nov.xlsx", "oct.csv"]);
    assert_eq!(c.summary("2026-11")["rows"]["used"], 10);
    assert_eq!(file_paths(&c.summary("2026-11")), ["nov.xlsx", "oct.csv"]);
    for month in ["2026-10", "2026-11"] {
        assert_month_is_the_report_of_the_inbox(&c, month);
    }
    for f in ["relief-2026-10.xlsx", "sessions.csv", "charts"] {
        assert!(c.out().join("2026-10").join(f).exists(), "no {f}");
    }
    let ledger = c.ledger();
    assert_eq!(ledger["version"], 1);
    assert_eq!(ledger["files"]["oct.csv"]["outcome"], "done");
    assert_eq!(strings(&ledger["files"]["nov.xlsx"]["months"]), ["2026-11"]);
    assert_eq!(
        ledger["files"]["oct.csv"]["sha256"],
        c.summary("2026-10")["files"][1]["sha256"],
        "the ledger records the hash of the content the report was built from"
    );
    assert!(!c.out().join(".relief").join("lock.info").exists());
    assert_eq!(c.logs(), 1);

    let before = mtimes(&c.out());
    let bytes = reports(&c.out());
    let (json, out) = c.batch_json();
    expect_status(&out, 0);
    assert_eq!(json["unchanged"], 2, "{json}");
    assert!(strings(&json["new"]).is_empty() && strings(&json["months_rebuilt"]).is_empty());
    assert_eq!(json["exit_status"], 0);
    assert_eq!(
        mtimes(&c.out()),
        before,
        "an unchanged rerun rewrote something"
    );
    assert_same_reports(&bytes, &reports(&c.out()), "unchanged rerun");
    assert_eq!(c.logs(), 2, "every run leaves a log");
}

#[test]
fn a_new_file_for_a_new_month_rebuilds_only_that_month() {
    let c = Clinic::new();
    c.put("oct.csv", &csv(&rows((2026, 10), 8, 1)));
    expect_status(&c.batch(), 0);
    let october = mtimes(&c.out());

    c.put("dec.csv", &csv(&rows((2026, 12), 6, 2)));
    let (json, out) = c.batch_json();
    expect_status(&out, 0);
    assert_eq!(strings(&json["new"]), ["dec.csv"]);
    assert_eq!(strings(&json["months_rebuilt"]), ["2026-12"]);
    assert_eq!(c.summary("2026-12")["rows"]["used"], 6);
    let now = mtimes(&c.out());
    for (file, t) in &october {
        if file != "ledger" {
            assert_eq!(now.get(file), Some(t), "{file} was rewritten");
        }
    }
}

#[test]
fn a_changed_file_rebuilds_its_months_from_every_file_that_holds_them() {
    let c = Clinic::new();
    c.put("oct.csv", &csv(&rows((2026, 10), 8, 1)));
    c.put("nov.xlsx", &xlsx(&rows((2026, 11), 10, 2)));
    expect_status(&c.batch(), 0);

    // October's export is re-exported with five November sessions added.
    let mut changed = rows((2026, 10), 8, 1);
    changed.extend(rows((2026, 11), 5, 3));
    c.put("oct.csv", &csv(&changed));
    let (json, out) = c.batch_json();
    expect_status(&out, 0);
    assert_eq!(strings(&json["changed"]), ["oct.csv"]);
    assert_eq!(strings(&json["months_rebuilt"]), ["2026-10", "2026-11"]);
    // November now counts both files: 10 + 5 rows, nothing counted twice.
    let nov = c.summary("2026-11");
    assert_eq!(nov["rows"]["used"], 15);
    assert_eq!(file_paths(&nov), ["nov.xlsx", "oct.csv"]);
    assert_eq!(c.summary("2026-10")["rows"]["used"], 8);

    // Every month rebuilt is the report of the whole inbox for that month, byte for byte.
    assert_month_is_the_report_of_the_inbox(&c, "2026-10");
    assert_month_is_the_report_of_the_inbox(&c, "2026-11");

    // Removing November's export rebuilds November from what is left.
    std::fs::remove_file(c.inbox().join("nov.xlsx")).unwrap();
    let (json, out) = c.batch_json();
    expect_status(&out, 0);
    assert_eq!(strings(&json["removed"]), ["nov.xlsx"]);
    assert_eq!(strings(&json["months_rebuilt"]), ["2026-11"]);
    assert_eq!(c.summary("2026-11")["rows"]["used"], 5);
    assert_eq!(c.ledger()["files"]["nov.xlsx"]["outcome"], "removed");
    assert_month_is_the_report_of_the_inbox(&c, "2026-11");
}

#[test]
fn a_broken_file_is_recorded_as_failed_and_retried_when_it_changes() {
    let c = Clinic::new();
    c.put("good.csv", &csv(&rows((2026, 10), 8, 1)));
    c.put("broken.xlsx", b"this is not a spreadsheet");
    let (json, out) = c.batch_json();
    expect_status(&out, 1);
    assert_eq!(json["failed"][0]["path"], "broken.xlsx", "{json}");
    assert_eq!(strings(&json["months_rebuilt"]), ["2026-10"]);
    // The broken file is listed with its reason, as `relief report` lists it.
    assert_eq!(
        file_paths(&c.summary("2026-10")),
        ["broken.xlsx", "good.csv"]
    );
    assert_month_is_the_report_of_the_inbox(&c, "2026-10");
    let entry = &c.ledger()["files"]["broken.xlsx"];
    assert_eq!(entry["outcome"], "failed");
    assert!(!entry["reason"].as_str().unwrap().is_empty());
    assert_eq!(c.ledger()["files"]["good.csv"]["outcome"], "done");

    // Unchanged, it is not retried; the run is good, and says the failure is still there.
    let out = c.batch();
    expect_status(&out, 0);
    assert!(
        stderr(&out).contains("1 earlier file still failing"),
        "{}",
        show(&out)
    );

    // Fixed, it is read.
    c.put("broken.xlsx", &xlsx(&rows((2026, 11), 4, 2)));
    let (json, out) = c.batch_json();
    expect_status(&out, 0);
    assert_eq!(strings(&json["changed"]), ["broken.xlsx"]);
    assert_eq!(strings(&json["months_rebuilt"]), ["2026-11"]);
    assert_eq!(c.ledger()["files"]["broken.xlsx"]["outcome"], "done");
    assert_month_is_the_report_of_the_inbox(&c, "2026-11");
}

/// Waits until a paused run has written its lock info, and returns its text.
fn wait_for_lock_info(c: &Clinic, child: &mut Child) -> String {
    let info = c.out().join(".relief").join("lock.info");
    let start = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(&info)
            && text.contains(&child.id().to_string())
        {
            return text;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the first run ended early: {status}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the first run never took the lock"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_overlapping_run_exits_2_and_says_which_run_holds_the_lock() {
    let c = Clinic::new();
    c.put("oct.csv", &csv(&rows((2026, 10), 6, 1)));
    let mut first = c
        .command(Some("after-lock:pause"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_lock_info(&c, &mut first);

    let second = c.batch();
    expect_status(&second, 2);
    let message = stderr(&second);
    assert!(
        message.contains(&format!(
            "another relief batch (pid {}, started",
            first.id()
        )),
        "{message}"
    );
    assert!(message.contains("try again when it finishes"), "{message}");
    assert!(
        !c.out().join("2026-10").exists(),
        "the refused run wrote a report"
    );

    std::fs::write(c.w.join("release"), "").unwrap();
    let status = first.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(c.summary("2026-10")["rows"]["used"], 6);
}

/// The inbox before and after the second run of the crash scenario.
fn step1(c: &Clinic) {
    c.put("oct.csv", &csv(&rows((2026, 10), 8, 1)));
}

fn step2(c: &Clinic) {
    let mut changed = rows((2026, 10), 8, 1);
    changed.extend(rows((2026, 11), 5, 3));
    c.put("oct.csv", &csv(&changed));
    c.put("nov.xlsx", &xlsx(&rows((2026, 11), 6, 2)));
}

/// Copies a folder tree.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A clinic in the state `reference` was in after its clean first run (reports and ledger
/// copied from `after_first`), with step 2's files in its inbox.
fn clinic_before_second_run(reference: &Clinic, after_first: &Path) -> Clinic {
    let c = Clinic::sharing_key(reference);
    step1(&c);
    copy_tree(after_first, &c.out());
    step2(&c);
    c
}

fn assert_recovers(c: &Clinic, expected: &BTreeMap<String, Vec<u8>>, what: &str) {
    let out = c.batch();
    expect_status(&out, 0);
    assert_same_reports(expected, &reports(&c.out()), what);
    // Nothing is left to do: the ledger now vouches for every report.
    let (json, out) = c.batch_json();
    expect_status(&out, 0);
    assert!(
        strings(&json["months_rebuilt"]).is_empty(),
        "{what}: work left after recovery: {json}"
    );
}

#[test]
fn a_run_killed_at_any_point_then_rerun_writes_the_same_reports() {
    // The uninterrupted history: step 1, run, step 2, run (rebuilds October and November).
    let reference = Clinic::new();
    step1(&reference);
    expect_status(&reference.batch(), 0);
    let after_first = reference.w.join("after-first");
    copy_tree(&reference.out(), &after_first);
    step2(&reference);
    expect_status(&reference.batch(), 0);
    let expected = reports(&reference.out());
    assert!(expected.keys().any(|k| k.starts_with("2026-11/charts/")));

    for point in [
        "after-read",
        "after-merge",
        "after-period-1",
        "before-ledger",
        "after-ledger",
    ] {
        let c = clinic_before_second_run(&reference, &after_first);
        let out = c.command(Some(point)).output().unwrap();
        expect_status(&out, 101);
        assert_recovers(&c, &expected, point);
    }

    // Killed for real while holding the lock: the next run takes the stale lock over.
    let c = clinic_before_second_run(&reference, &after_first);
    let mut child = c
        .command(Some("after-lock:pause"))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_lock_info(&c, &mut child);
    child.kill().unwrap();
    child.wait().unwrap();
    let out = c.batch();
    expect_status(&out, 0);
    assert!(
        stderr(&out).contains(&format!(
            "took over the lock of a run that stopped (pid {})",
            child.id()
        )),
        "{}",
        show(&out)
    );
    assert_same_reports(&expected, &reports(&c.out()), "killed holding the lock");

    // Killed for real inside a report: November's charts are being drawn in the hidden folder
    // the report is built in, so no November folder exists yet; the rerun removes the
    // half-built one (`reports` sees hidden folders too).
    let c = clinic_before_second_run(&reference, &after_first);
    let mut child = c.command(None).stderr(Stdio::null()).spawn().unwrap();
    let building = |out: &Path| {
        std::fs::read_dir(out).ok()?.flatten().find_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let charts = e.path().join("charts");
            (name.starts_with(".2026-11.") && charts.exists()).then_some(charts)
        })
    };
    let start = Instant::now();
    while building(&c.out()).is_none() && start.elapsed() < Duration::from_secs(60) {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = child.kill();
    assert!(
        !child.wait().unwrap().success(),
        "the run finished before it could be killed"
    );
    assert!(
        building(&c.out()).is_some(),
        "the half-built report is hidden"
    );
    assert!(!c.out().join("2026-11").exists());
    assert_recovers(&c, &expected, "killed while drawing charts");
}

#[test]
fn a_run_with_nothing_new_over_1000_files_takes_a_stat_per_file() {
    let c = Clinic::new();
    for i in 0..1000 {
        let r = rows((2026, 10), 1, i);
        c.put(&format!("f{i:04}.csv"), &csv(&r));
    }
    expect_status(&c.batch(), 0);
    let start = Instant::now();
    let (json, out) = c.batch_json();
    let took = start.elapsed();
    expect_status(&out, 0);
    assert_eq!(json["unchanged"], 1000);
    eprintln!("no-op batch run over 1000 seen files: {took:?}");
    // Well under a second on a quiet machine; generous here for a debug build on a busy one.
    assert!(took < Duration::from_secs(5), "no-op run took {took:?}");
}

#[test]
fn changed_settings_rebuild_every_month_with_the_new_figures() {
    let c = Clinic::new();
    c.put("oct.csv", &csv(&rows((2026, 10), 8, 1)));
    c.put("nov.csv", &csv(&rows((2026, 11), 8, 2)));
    expect_status(&c.batch(), 0);
    assert_eq!(c.summary("2026-10")["settings"]["responder_threshold"], 0.3);

    // relief.toml in the folder the scheduler starts relief in.
    std::fs::write(
        c.w.join("relief.toml"),
        "[analysis]\nresponder_threshold = 0.4\n",
    )
    .unwrap();
    // The same content again: only its time changes. Read again with every other file, the
    // log must not say it was not read.
    std::thread::sleep(Duration::from_millis(20));
    c.put("nov.csv", &csv(&rows((2026, 11), 8, 2)));
    let (json, out) = c.batch_json();
    expect_status(&out, 0);
    assert_eq!(json["settings_changed"], true, "{json}");
    assert_eq!(strings(&json["months_rebuilt"]), ["2026-10", "2026-11"]);
    assert_eq!(c.summary("2026-11")["settings"]["responder_threshold"], 0.4);
    let log = log_of(&json);
    assert!(
        log.contains("nov.csv: touched (same content, new time); months 2026-11"),
        "{log}"
    );
    assert!(!log.contains("not read"), "{log}");
}

#[test]
fn an_output_folder_that_cannot_be_written_exits_2() {
    let c = Clinic::new();
    c.put("oct.csv", &csv(&rows((2026, 10), 4, 1)));
    std::fs::write(c.out(), "a file where the reports folder should be").unwrap();
    let out = c.batch();
    expect_status(&out, 2);
    assert!(stderr(&out).contains("reports"), "{}", show(&out));

    // Inside the inbox is refused too: the next run would read its own reports.
    let out = Command::new(env!("CARGO_BIN_EXE_relief"))
        .args(["batch", "--inbox", "inbox", "--out", "inbox/reports"])
        .current_dir(c.w.path())
        .env("RELIEF_KEY_FILE", &c.key)
        .output()
        .unwrap();
    expect_status(&out, 2);
    assert!(stderr(&out).contains("inside the inbox"), "{}", show(&out));
}

/// The visit numbers of a summary's `by_visit`, each once, in order.
fn visits(summary: &Value) -> Vec<u64> {
    let mut v: Vec<u64> = summary["by_visit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["visit"].as_u64().unwrap())
        .collect();
    v.dedup();
    v
}

/// The months the workbook's Months sheet (the trend) lists, each once.
fn workbook_months(c: &Clinic, month: &str) -> Vec<String> {
    use calamine::{Reader, Xlsx, open_workbook};
    let path = c.out().join(month).join(format!("relief-{month}.xlsx"));
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let range = wb.worksheet_range("Months").unwrap();
    let mut months: Vec<String> = range
        .rows()
        .filter_map(|r| r.first().map(|c| c.to_string()))
        .filter(|t| t.len() == 7 && t.as_bytes()[4] == b'-' && t.starts_with("20"))
        .collect();
    months.dedup();
    months
}

#[test]
fn monthly_exports_number_visits_and_draw_the_trend_across_the_whole_inbox() {
    // One export per month, the same seven clients in both: each has one session in October
    // and one in November, so every November session is that client's second visit.
    let c = Clinic::new();
    c.put("2026-10.csv", &csv(&rows((2026, 10), 7, 1)));
    expect_status(&c.batch(), 0);
    assert_eq!(visits(&c.summary("2026-10")), [1]);
    let october = mtimes(&c.out());

    c.put("2026-11.xlsx", &xlsx(&rows((2026, 11), 7, 1)));
    let (json, out) = c.batch_json();
    expect_status(&out, 0);
    assert_eq!(strings(&json["months_rebuilt"]), ["2026-11"], "{json}");
    let nov = c.summary("2026-11");
    assert_eq!(visits(&nov), [2], "{}", nov["by_visit"]);
    assert_eq!(nov["rows"]["used"], 7);
    // The trend (the workbook's Months sheet and the trend chart) spans both months.
    assert_eq!(workbook_months(&c, "2026-11"), ["2026-10", "2026-11"]);
    assert_month_is_the_report_of_the_inbox(&c, "2026-11");
    // October was not touched: its report is as the first run wrote it.
    let now = mtimes(&c.out());
    for (file, t) in october.iter().filter(|(f, _)| f.starts_with("2026-10")) {
        assert_eq!(now.get(file), Some(t), "{file} was rewritten");
    }
}

/// The cache files of a clinic, by name.
fn cache_files(c: &Clinic) -> Vec<String> {
    let dir = c.out().join(".relief").join("cache");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The cache file of an inbox file, found by the content hash the ledger recorded.
fn cache_file_of(c: &Clinic, key: &str) -> PathBuf {
    let sha = c.ledger()["files"][key]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let name = cache_files(c)
        .into_iter()
        .find(|n| n.starts_with(&format!("{sha}-")))
        .unwrap_or_else(|| panic!("no cache for {key}"));
    c.out().join(".relief").join("cache").join(name)
}

fn log_of(json: &Value) -> String {
    std::fs::read_to_string(json["log"].as_str().unwrap()).unwrap()
}

#[test]
fn unchanged_files_are_read_from_the_cache_never_from_the_spreadsheet() {
    let c = Clinic::new();
    c.put("oct.csv", &csv(&rows((2026, 10), 8, 1)));
    c.put("nov.csv", &csv(&rows((2026, 11), 8, 1)));
    expect_status(&c.batch(), 0);
    assert_eq!(cache_files(&c).len(), 2);

    // October's export is overwritten with junk of the same size and time: the scan calls it
    // unchanged, and a run that opened it would fail to read it.
    let path = c.inbox().join("oct.csv");
    let meta = std::fs::metadata(&path).unwrap();
    std::fs::write(&path, vec![b'#'; meta.len() as usize]).unwrap();
    let f = std::fs::File::options().write(true).open(&path).unwrap();
    f.set_modified(meta.modified().unwrap()).unwrap();

    c.put("dec.csv", &csv(&rows((2026, 12), 8, 1)));
    let (json, out) = c.batch_json();
    expect_status(&out, 0);
    assert_eq!(strings(&json["months_rebuilt"]), ["2026-12"], "{json}");
    assert!(json["failed"].as_array().unwrap().is_empty(), "{json}");
    let dec = c.summary("2026-12");
    assert_eq!(file_paths(&dec), ["dec.csv", "nov.csv", "oct.csv"]);
    assert!(
        dec["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["error"].is_null())
    );
    // Eight rows a month over seven clients: six clients come once a month and are on their
    // third visit in December, C1-0 comes twice a month and is on its fifth and sixth. Those
    // counts need October's sessions, which came from its cached reading.
    assert_eq!(visits(&dec), [3, 5, 6], "{}", dec["by_visit"]);
    assert_eq!(
        workbook_months(&c, "2026-12"),
        ["2026-10", "2026-11", "2026-12"]
    );
    assert!(!log_of(&json).contains("reading the file again"));
}

#[test]
fn a_lost_or_damaged_cache_is_rebuilt_from_the_file_and_stale_ones_are_dropped() {
    let c = Clinic::new();
    c.put("oct.csv", &csv(&rows((2026, 10), 8, 1)));
    c.put("nov.xlsx", &xlsx(&rows((2026, 11), 8, 1)));
    expect_status(&c.batch(), 0);
    let oct_cache = cache_file_of(&c, "oct.csv");
    let nov_cache = cache_file_of(&c, "nov.xlsx");
    let nov_cached = std::fs::read(&nov_cache).unwrap();
    std::fs::remove_file(&oct_cache).unwrap();
    std::fs::write(&nov_cache, b"{\"version\": 1, \"records\": [").unwrap();

    c.put("dec.csv", &csv(&rows((2026, 12), 8, 1)));
    let (json, out) = c.batch_json();
    expect_status(&out, 0);
    assert_eq!(strings(&json["months_rebuilt"]), ["2026-12"], "{json}");
    let log = log_of(&json);
    assert!(
        log.contains("oct.csv: no cached reading; reading the file again"),
        "{log}"
    );
    assert!(log.contains("nov.xlsx: cached reading not usable"), "{log}");
    assert_month_is_the_report_of_the_inbox(&c, "2026-12");
    assert_eq!(visits(&c.summary("2026-12")), [3, 5, 6]);
    // Both caches are whole again: the same bytes the first run wrote.
    assert_eq!(std::fs::read(&nov_cache).unwrap(), nov_cached);
    assert!(oct_cache.exists());
    assert_eq!(cache_files(&c).len(), 3);

    // A changed file's old reading and a removed file's reading are dropped.
    let mut changed = rows((2026, 10), 8, 1);
    changed.extend(rows((2026, 10), 3, 4));
    c.put("oct.csv", &csv(&changed));
    std::fs::remove_file(c.inbox().join("dec.csv")).unwrap();
    let (json, out) = c.batch_json();
    expect_status(&out, 0);
    // October changed, so November (whose visit numbers count October's sessions) is rebuilt too.
    assert_eq!(
        strings(&json["months_rebuilt"]),
        ["2026-10", "2026-11"],
        "{json}"
    );
    assert_eq!(strings(&json["months_without_data"]), ["2026-12"], "{json}");
    assert!(
        !oct_cache.exists(),
        "the old reading of oct.csv is still cached"
    );
    assert_eq!(cache_files(&c).len(), 2, "{:?}", cache_files(&c));
    assert!(cache_file_of(&c, "oct.csv").exists());
    assert_month_is_the_report_of_the_inbox(&c, "2026-10");

    // Deleting the whole cache is safe: nothing new means nothing read; the next run with
    // work reads what it needs again.
    std::fs::remove_dir_all(c.out().join(".relief").join("cache")).unwrap();
    let (json, out) = c.batch_json();
    expect_status(&out, 0);
    assert!(strings(&json["months_rebuilt"]).is_empty());
    c.put("jan.csv", &csv(&rows((2027, 1), 8, 1)));
    expect_status(&c.batch(), 0);
    assert_month_is_the_report_of_the_inbox(&c, "2027-01");
    assert_eq!(cache_files(&c).len(), 3);
}

/// Regression: a late export for an earlier month left the later months' visit numbers stale,
/// because only the months a new file holds were rebuilt. Every later month is rebuilt now.
#[test]
fn a_late_file_for_an_earlier_month_renumbers_the_visits_of_later_months() {
    let c = Clinic::new();
    c.put("2026-11.csv", &csv(&rows((2026, 11), 7, 1)));
    expect_status(&c.batch(), 0);
    assert_eq!(visits(&c.summary("2026-11")), [1]);

    // October arrives late, with the same clients: November's sessions become second visits.
    c.put("2026-10.csv", &csv(&rows((2026, 10), 7, 1)));
    let (json, out) = c.batch_json();
    expect_status(&out, 0);
    assert_eq!(
        strings(&json["months_rebuilt"]),
        ["2026-10", "2026-11"],
        "{json}"
    );
    assert_eq!(visits(&c.summary("2026-10")), [1]);
    assert_eq!(visits(&c.summary("2026-11")), [2]);
    assert_month_is_the_report_of_the_inbox(&c, "2026-11");
}
