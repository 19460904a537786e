//! The page in a real browser: headless Chromium uploads the sample exports as a therapist
//! would, and everything the page shows and offers is checked against the command line's own
//! output for the same files. Every state is saved as a screenshot under
//! `target/tmp/serve-screenshots/`, for people to look at.

use super::browser::{Browser, run};
use super::harness::*;
use crate::common::*;
use calamine::{Data, Reader, Xlsx, open_workbook};
use std::path::{Path, PathBuf};
use std::process::Command;

const SAMPLES: [&str; 3] = [
    "harbour-spa.xlsx",
    "north-clinic.xlsx",
    "riverside-studio.csv",
];

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data")
        .join(name)
}

/// Copies the sample exports into `wd/exports/` and returns their paths there.
fn exports(wd: &Workdir) -> Vec<PathBuf> {
    let dir = wd.join("exports");
    std::fs::create_dir_all(&dir).unwrap();
    SAMPLES
        .iter()
        .map(|n| {
            let to = dir.join(n);
            std::fs::copy(sample(n), &to).unwrap();
            to
        })
        .collect()
}

/// Runs `relief ARGS` inside `wd/exports`, where the files have the names the page uploads.
fn relief_in_exports(wd: &Workdir, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_relief"))
        .args(args)
        .current_dir(wd.join("exports"))
        .env("RELIEF_KEY_FILE", wd.join(".relief-key"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// `relief validate`'s Problems section: file, then its lines.
fn validate_problems(wd: &Workdir) -> Vec<(String, Vec<String>)> {
    let text = validate_output(wd);
    let section = text
        .split("\nProblems\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no Problems in:\n{text}"));
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for line in section.lines().take_while(|l| !l.is_empty()) {
        match line.strip_prefix("  ") {
            Some(problem) => groups.last_mut().unwrap().1.push(problem.to_string()),
            None => groups.push((line.to_string(), Vec::new())),
        }
    }
    groups
}

/// What `relief validate` prints for the sample exports the page is given.
fn validate_output(wd: &Workdir) -> String {
    let mut args = vec!["validate"];
    args.extend(SAMPLES);
    String::from_utf8(relief_in_exports(wd, &args).stdout).unwrap()
}

/// The command line's "Read … rows from … files" line for the same exports.
fn validate_rows_line(wd: &Workdir) -> String {
    let text = validate_output(wd);
    let line = text.lines().rfind(|l| l.starts_with("Read "));
    line.unwrap_or_else(|| panic!("no rows line in:\n{text}"))
        .to_string()
}

/// Every cell of every sheet, as text, by sheet name.
fn cells(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let rows = range
                .rows()
                .map(|r| {
                    r.iter()
                        .map(|c| match c {
                            Data::Empty => String::new(),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect()
}

/// Compares two workbooks cell by cell. The Sources sheet's file column may differ (it names
/// the files as each run was given them); every other cell must be equal.
fn assert_same_workbook(page: &Path, cli: &Path) {
    let (a, b) = (cells(page), cells(cli));
    let names =
        |w: &[(String, Vec<Vec<String>>)]| w.iter().map(|s| s.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "the same sheets");
    for ((sheet, rows_a), (_, rows_b)) in a.iter().zip(&b) {
        assert_eq!(rows_a.len(), rows_b.len(), "rows of sheet {sheet}");
        let file_col = (sheet == "Sources")
            .then(|| {
                rows_b
                    .iter()
                    .find_map(|r| r.iter().position(|c| c == "File"))
            })
            .flatten();
        for (r, (ra, rb)) in rows_a.iter().zip(rows_b).enumerate() {
            for (c, (ca, cb)) in ra.iter().zip(rb).enumerate() {
                if Some(c) == file_col && r > 0 {
                    continue;
                }
                assert_eq!(ca, cb, "sheet {sheet}, row {}, column {}", r + 1, c + 1);
            }
        }
    }
}

/// Opens the page and checks the empty state and the keyboard's way in.
async fn open_page(b: &Browser, server: &Server) {
    b.client.goto(&server.link).await.unwrap();
    b.wait_until(
        "return document.body.dataset.ready === 'yes'",
        30,
        "the page",
    )
    .await;
    assert_eq!(b.section().await, "start");
    let start_text = b.js("return document.body.innerText").await;
    assert!(
        start_text
            .as_str()
            .unwrap()
            .contains("Up to 100 files, 200 MB together."),
        "{start_text}"
    );
    b.screenshot("1-empty").await;

    // The keyboard: the skip link, then the first button.
    let tab = fantoccini::key::Key::Tab.to_string();
    let body = b
        .client
        .find(fantoccini::Locator::Css("body"))
        .await
        .unwrap();
    body.send_keys(&format!("{tab}{tab}")).await.unwrap();
    assert_eq!(b.js("return document.activeElement.id").await, "pick-files");
}

/// Chooses the files and waits through the progress steps for the results.
async fn upload_and_wait(b: &Browser, files: &[PathBuf]) {
    // In reverse: the report must not depend on the order the browser sends the files in.
    let paths: Vec<&Path> = files.iter().rev().map(PathBuf::as_path).collect();
    b.choose(&paths).await;
    b.wait_until(
        "return !document.getElementById('progress').hidden && \
         /^(Reading|Working|Writing)/.test(document.getElementById('step-text').textContent)",
        120,
        "the progress steps",
    )
    .await;
    b.screenshot("2-working").await;
    b.wait_until(
        "return !document.getElementById('results').hidden",
        600,
        "the results",
    )
    .await;
    assert_eq!(b.js("return document.activeElement.id").await, "next-title");
    b.screenshot("3-results-top").await;
}

/// What was read, and every problem in `relief validate`'s words.
async fn check_read_and_problems(b: &Browser, wd: &Workdir) {
    let read = b
        .js("return document.getElementById('rows-line').textContent")
        .await;
    // The page says what the command line says about the same files, and the sample has
    // every kind of row in it.
    assert_eq!(read, validate_rows_line(wd));
    for kind in ["rejected", "duplicates", "conflicting", "footer row"] {
        assert!(read.as_str().is_some_and(|r| r.contains(kind)), "{read}");
    }
    let shown: Vec<(String, Vec<String>)> = serde_json::from_value(
        b.js(
            "return [...document.querySelectorAll('#problems .problem')].map(p => \
              [p.querySelector('.problem-file').textContent, \
               [...p.querySelectorAll('li')].map(l => l.textContent)])",
        )
        .await,
    )
    .unwrap();
    assert_eq!(shown, validate_problems(wd));
    assert_eq!(shown.iter().map(|g| g.1.len()).sum::<usize>(), 4);
}

/// October is shown first, its headline as the workbook's Overview says it, its charts drawn at
/// the size the command line draws them, and nothing loaded from anywhere else.
async fn check_figures(b: &Browser, cli_out: &Path) {
    let title = b
        .js("return document.getElementById('period-title').textContent")
        .await;
    assert!(
        title.as_str().unwrap().starts_with("October 2026 — "),
        "{title}"
    );
    let headline: Vec<String> = serde_json::from_value(
        b.js("return [...document.querySelectorAll('#headline li')].map(l => l.textContent)")
            .await,
    )
    .unwrap();
    let overview = &cells(&cli_out.join("2026-10/relief-2026-10.xlsx"))[0];
    assert_eq!(overview.0, "Overview");
    let overview_text: Vec<&String> = overview.1.iter().flatten().collect();
    assert!(headline.len() >= 5, "{headline:?}");
    for h in &headline {
        assert!(overview_text.contains(&h), "not in the Overview: {h}");
    }
    let periods: Vec<String> = serde_json::from_value(
        b.js("return [...document.querySelectorAll('#picker-options label')].map(l => l.textContent)")
            .await,
    )
    .unwrap();
    assert_eq!(periods.len(), 7, "{periods:?}");
    assert_eq!(periods[6], "All months: May 2026 to October 2026");

    b.wait_until(
        "return [...document.querySelectorAll('#charts img')].every(i => i.complete && i.naturalWidth > 0)",
        60,
        "the charts",
    )
    .await;
    let widths = b
        .js("return [...document.querySelectorAll('#charts img')].map(i => i.naturalWidth)")
        .await;
    let png = std::fs::read(cli_out.join("2026-10/charts/before-after.png")).unwrap();
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    // One image per chart the command line draws (seven since the adjusted and course charts).
    let charts = std::fs::read_dir(cli_out.join("2026-10/charts"))
        .unwrap()
        .count();
    assert_eq!(charts, 7);
    assert_eq!(widths, serde_json::json!(vec![width; charts]));

    let foreign = b
        .js(
            "return performance.getEntriesByType('resource').map(e => e.name)\
             .filter(n => !n.startsWith(location.origin))",
        )
        .await;
    assert_eq!(
        foreign,
        serde_json::json!([]),
        "requests that left the computer"
    );
}

/// Another month, by keyboard (arrow keys move through the period picker), then the page at
/// the width of a tablet held upright, where nothing may run off the side.
async fn check_picker_and_tablet(b: &Browser) {
    b.js("document.querySelector('#picker-options input:checked').focus(); return 0")
        .await;
    let left = fantoccini::key::Key::Left.to_string();
    b.client
        .active_element()
        .await
        .unwrap()
        .send_keys(&left)
        .await
        .unwrap();
    b.wait_until(
        "return document.getElementById('period-title').textContent.startsWith('September 2026')",
        10,
        "September",
    )
    .await;
    let src = b
        .js("return document.querySelector('#charts img').getAttribute('src')")
        .await;
    assert!(src.as_str().unwrap().contains("/2026-09/"), "{src}");
    b.js("document.getElementById('figures-section').scrollIntoView(); return 0")
        .await;
    b.screenshot("4-results-figures").await;

    b.client.set_window_size(820, 1180).await.unwrap();
    b.js("window.scrollTo(0, 0); return 0").await;
    let overflow = b
        .js("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        .await;
    assert_eq!(overflow, 0);
    b.screenshot("5-results-tablet").await;
}

/// summary.json, sessions.csv, sessions.parquet and the charts' zip are byte for byte the
/// command line's.
fn check_other_downloads(server: &Server, cli_out: &Path) {
    let job = get(server, "/api/info").json()["job"].as_u64().unwrap();
    for (kind, file) in [
        ("summary", "summary.json"),
        ("csv", "sessions.csv"),
        ("parquet", "sessions.parquet"),
    ] {
        let r = get(server, &format!("/api/jobs/{job}/files/2026-10/{kind}"));
        assert_eq!(r.status, 200);
        assert_eq!(
            r.body,
            std::fs::read(cli_out.join("2026-10").join(file)).unwrap(),
            "{file}"
        );
        assert_eq!(
            r.header("content-disposition").unwrap(),
            format!("attachment; filename=\"relief-2026-10-{file}\"")
        );
    }
    let zip = get(server, &format!("/api/jobs/{job}/files/2026-10/charts"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.body)).unwrap();
    assert_eq!(
        archive.len(),
        7,
        "one PNG per chart, adjusted and course of care included"
    );
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        let name = entry.name().unwrap().to_string();
        let cli_png = std::fs::read(cli_out.join("2026-10/charts").join(&name)).unwrap();
        assert!(bytes == cli_png, "{name} differs");
    }
}

#[test]
fn page_turns_the_sample_exports_into_the_command_lines_report() {
    let wd = Workdir::new();
    let files = exports(&wd);
    let mut args = vec!["report"];
    args.extend(SAMPLES);
    args.extend(["--by-month", "--out", "../cli-out", "-q"]);
    let cli = relief_in_exports(&wd, &args);
    assert_eq!(cli.status.code(), Some(1), "{}", show(&cli));
    let cli_out = wd.join("cli-out");
    let server = Server::start(&wd, &[]);

    run(async {
        let b = Browser::start(1280, 900).await;
        open_page(&b, &server).await;
        upload_and_wait(&b, &files).await;
        check_read_and_problems(&b, &wd).await;
        check_figures(&b, &cli_out).await;
        // The workbook, downloaded by a click, equals the command line's.
        b.client
            .find(fantoccini::Locator::Css("#downloads a[data-kind=workbook]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let workbook = b.downloaded("relief-2026-10.xlsx").await;
        assert_same_workbook(&workbook, &cli_out.join("2026-10/relief-2026-10.xlsx"));
        check_picker_and_tablet(&b).await;
        b.close().await;
    });
    check_other_downloads(&server, &cli_out);

    // The uploads went when the report was written; the reports stay until Ctrl-C.
    let kept = server.kept();
    assert!(!kept.iter().any(|p| p.ends_with("/in")), "{kept:?}");
    assert!(
        kept.iter().any(|p| p.ends_with("relief-2026-10.xlsx")),
        "{kept:?}"
    );
    let tmp = server.tmp.clone();
    let status = server.stop();
    assert!(status.success(), "{status:?}");
    assert_eq!(
        std::fs::read_dir(tmp).unwrap().count(),
        0,
        "Ctrl-C removes everything"
    );
}

/// Refusals on the page: a file that is not a spreadsheet (refused before anything is sent),
/// and a second upload while another holds the one job slot.
async fn refusals(b: &Browser, server: &Server, notes: &Path, good: &Path) {
    let error_text = "return document.getElementById('error-text').textContent";

    // Not a spreadsheet: refused before anything is sent.
    b.choose(&[notes]).await;
    b.wait_until(
        "return !document.getElementById('error').hidden",
        30,
        "the refusal",
    )
    .await;
    let text = b.js(error_text).await;
    assert!(
        text.as_str()
            .unwrap()
            .starts_with("notes.txt is not a spreadsheet export"),
        "{text}"
    );
    assert_eq!(
        b.js("return document.activeElement.id").await,
        "error-title"
    );
    b.screenshot("6-error-not-a-spreadsheet").await;
    server.assert_empty();

    // Busy: another upload holds the one job slot.
    let held = held_upload(server);
    b.wait_until(
        "return fetch('/api/info').then(r => r.json()).then(i => i.job_state === 'uploading')",
        30,
        "the other upload",
    )
    .await;
    b.client
        .find(fantoccini::Locator::Id("error-again"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.choose(&[good]).await;
    b.wait_until(
        "return !document.getElementById('error').hidden && \
         document.getElementById('error-text').textContent.startsWith('relief is busy')",
        30,
        "busy",
    )
    .await;
    b.screenshot("7-error-busy").await;
    drop(held);
    server.assert_empty();
}

/// Problems on the page: a file that is not what its name says beside a good one (a report,
/// with the problem), then a file with no usable row (no report, and why).
async fn problems(b: &Browser, broken: &Path, good: &Path, bad: &Path) {
    // Problems: a file that is not what its name says, beside a good one.
    b.client
        .find(fantoccini::Locator::Id("error-again"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.choose(&[broken, good]).await;
    b.wait_until(
        "return !document.getElementById('results').hidden",
        300,
        "the results",
    )
    .await;
    let title = b
        .js("return document.getElementById('next-title').textContent")
        .await;
    assert_eq!(title, "The report is ready — with problems to fix");
    let problems = b
        .js("return document.getElementById('problems').innerText")
        .await;
    let problems = problems.as_str().unwrap();
    assert!(problems.contains("broken.xlsx"), "{problems}");
    assert!(
        problems.contains(
            "this is not a spreadsheet: the name ends in .xlsx but the content is plain text"
        ),
        "{problems}"
    );
    let read = b
        .js("return document.getElementById('files-read').innerText")
        .await;
    assert!(
        read.as_str()
            .unwrap()
            .contains("cannot be read: see Problems below"),
        "{read}"
    );
    b.screenshot("8-results-with-problems").await;

    // Nothing usable: no report, and the page says why and what to do.
    b.client
        .find(fantoccini::Locator::Id("again"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.choose(&[bad]).await;
    b.wait_until(
        "return !document.getElementById('results').hidden",
        300,
        "the results",
    )
    .await;
    let title = b
        .js("return document.getElementById('next-title').textContent")
        .await;
    assert_eq!(title, "No report could be made");
    assert_eq!(
        b.js("return document.getElementById('figures-section').hidden")
            .await,
        true
    );
    let problems = b
        .js("return document.getElementById('problems').innerText")
        .await;
    assert!(
        problems
            .as_str()
            .unwrap()
            .contains("unknown region 'elbow pit'"),
        "{problems}"
    );
    b.screenshot("9-nothing-to-report").await;
}

#[test]
fn page_says_what_went_wrong_and_what_to_do() {
    let wd = Workdir::new();
    let write = |name: &str, text: &str| {
        let p = wd.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let notes = write("notes.txt", "call the accountant");
    let broken = write("broken.xlsx", "this is not a workbook");
    let good = write("ok.csv", GOOD_CSV);
    let bad = write(
        "bad.csv",
        "Date,Client,Therapist,Region,Before,After\n2026-10-01,C1,Ann,elbow pit,6,3\n",
    );
    let server = Server::start(&wd, &[]);

    run(async {
        let b = Browser::start(1280, 900).await;
        b.client.goto(&server.link).await.unwrap();
        b.wait_until(
            "return document.body.dataset.ready === 'yes'",
            30,
            "the page",
        )
        .await;
        refusals(&b, &server, &notes, &good).await;
        problems(&b, &broken, &good, &bad).await;
        b.close().await;
    });
    assert!(server.stop().success());
}
