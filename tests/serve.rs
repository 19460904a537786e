//! End-to-end tests of `relief serve`: the real binary on a free port, its page driven in
//! headless Chromium as a therapist would use it, and every refusal sent by hand over HTTP.
//! After each, the server's temporary folder must hold nothing that was uploaded.
//!
//! The page tests save a screenshot of every state under `target/tmp/serve-screenshots/`.

mod browser;
mod harness;

use crate::common::*;
use browser::{Browser, run};
use calamine::{Data, Reader, Xlsx, open_workbook};
use harness::*;
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
    let mut args = vec!["validate"];
    args.extend(SAMPLES);
    let out = relief_in_exports(wd, &args);
    let text = String::from_utf8(out.stdout).unwrap();
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

fn get(server: &Server, path: &str) -> Reply {
    request(server.addr, "GET", path, &[], b"")
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

        let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
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

        // What was read, and every problem in validate's words.
        let read = b
            .js("return document.getElementById('rows-line').textContent")
            .await;
        assert_eq!(
            read,
            "Read 1642 rows from 3 files: 1633 used, 4 rejected, 5 duplicates (1 conflicting), \
             1 footer row skipped."
        );
        let shown: Vec<(String, Vec<String>)> = serde_json::from_value(
            b.js(
                "return [...document.querySelectorAll('#problems .problem')].map(p => \
                  [p.querySelector('.problem-file').textContent, \
                   [...p.querySelectorAll('li')].map(l => l.textContent)])",
            )
            .await,
        )
        .unwrap();
        assert_eq!(shown, validate_problems(&wd));
        assert_eq!(shown.iter().map(|g| g.1.len()).sum::<usize>(), 4);

        // The figures: October is shown first, its headline as the workbook's Overview says it.
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

        // The charts are drawn in the page, at the size the command line draws them.
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
        assert_eq!(widths, serde_json::json!(vec![width; 6]));

        // No request left this computer.
        let foreign = b
            .js(
                "return performance.getEntriesByType('resource').map(e => e.name)\
                 .filter(n => !n.startsWith(location.origin))",
            )
            .await;
        assert_eq!(foreign, serde_json::json!([]));

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

        // Another month, by keyboard: arrow keys move through the period picker.
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

        // A tablet held upright: nothing runs off the side.
        b.client.set_window_size(820, 1180).await.unwrap();
        b.js("window.scrollTo(0, 0); return 0").await;
        let overflow = b
            .js("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            .await;
        assert_eq!(overflow, 0);
        b.screenshot("5-results-tablet").await;
        b.close().await;
    });

    // The other downloads are byte for byte the command line's.
    let job = get(&server, "/api/info").json()["job"].as_u64().unwrap();
    for (kind, file) in [("summary", "summary.json"), ("csv", "sessions.csv")] {
        let r = get(&server, &format!("/api/jobs/{job}/files/2026-10/{kind}"));
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
    let zip = get(&server, &format!("/api/jobs/{job}/files/2026-10/charts"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.body)).unwrap();
    assert_eq!(archive.len(), 6);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        let name = entry.name().unwrap().to_string();
        let cli_png = std::fs::read(cli_out.join("2026-10/charts").join(&name)).unwrap();
        assert!(bytes == cli_png, "{name} differs");
    }

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

/// A small long-layout CSV export with three good rows.
const GOOD_CSV: &str = "Date,Client,Therapist,Region,Before,After\n\
                        2026-10-01,C1,Ann,neck,6,3\n\
                        2026-10-01,C1,Ann,lower back,7,4\n\
                        2026-10-08,C2,Bo,neck,5,2\n";

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
        let error_text = "return document.getElementById('error-text').textContent";

        // Not a spreadsheet: refused before anything is sent.
        b.choose(&[&notes]).await;
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
        let held = held_upload(&server);
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
        b.choose(&[&good]).await;
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

        // Problems: a file that is not what its name says, beside a good one.
        b.client
            .find(fantoccini::Locator::Id("error-again"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.choose(&[&broken, &good]).await;
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
        b.choose(&[&bad]).await;
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
        b.close().await;
    });
    assert!(server.stop().success());
}

#[test]
fn too_large_uploads_are_refused_and_leave_nothing() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &["--max-upload-mb", "1"]);
    let big = format!("{GOOD_CSV}{}", "2026-10-08,C2,Bo,neck,5,2\n".repeat(85_000));
    assert!(big.len() > 2 << 20);

    // Judged by its declared length, before a byte is stored.
    let r = upload(&server, &[("big.csv", big.as_bytes())], &[]);
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(
        r.error()
            .starts_with("These files are 2.1 MB together; relief takes at most 1 MB"),
        "{}",
        r.error()
    );
    server.assert_empty();

    // Counted as it arrives, when the length is not declared up front (a chunked body).
    let (kind, body) = multipart(&[("big.csv", big.as_bytes())]);
    let mut chunked = Vec::new();
    for part in body.chunks(64 * 1024) {
        chunked.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        chunked.extend_from_slice(part);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let r = raw_chunked(&server, &kind, &chunked);
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(
        r.error()
            .starts_with("These files are more than 1 MB together"),
        "{}",
        r.error()
    );
    server.assert_empty();

    // The page asks first, and gets the same words.
    let check = serde_json::json!({"files": [{"name": "big.csv", "size": big.len()}]});
    let r = request(
        server.addr,
        "POST",
        "/api/check",
        &[
            ("Content-Type", "application/json"),
            ("Origin", &server.origin()),
        ],
        check.to_string().as_bytes(),
    );
    assert!(
        r.json()["refusal"]
            .as_str()
            .unwrap()
            .starts_with("These files are 2.1 MB together"),
        "{}",
        r.text()
    );
    assert!(server.stop().success());
}

/// Sends an upload with `Transfer-Encoding: chunked`, so the server cannot know its size.
fn raw_chunked(server: &Server, kind: &str, chunked: &[u8]) -> Reply {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(server.addr).unwrap();
    let head = format!(
        "POST /api/jobs HTTP/1.1\r\nHost: {}\r\nOrigin: {}\r\nContent-Type: {kind}\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        server.addr,
        server.origin()
    );
    s.write_all(head.as_bytes()).unwrap();
    let _ = s.write_all(chunked);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    Reply {
        status: head.split(' ').nth(1).unwrap().parse().unwrap(),
        head: head.to_string(),
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn too_many_files_are_refused_and_leave_nothing() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &["--max-files", "2"]);
    let csv = GOOD_CSV.as_bytes();
    let r = upload(
        &server,
        &[("a.csv", csv), ("b.csv", csv), ("c.csv", csv)],
        &[],
    );
    assert_eq!(r.status, 413, "{}", r.text());
    assert_eq!(
        r.error(),
        "That is more than 2 files; relief takes at most 2 at a time. Send fewer files (a few \
         months at once), or use `relief report` on the command line for more."
    );
    server.assert_empty();
    assert!(server.stop().success());
}

#[test]
fn files_that_are_not_spreadsheets_are_refused() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &[]);
    let r = upload(
        &server,
        &[
            ("ok.csv", GOOD_CSV.as_bytes()),
            ("notes.txt", b"call the accountant"),
        ],
        &[],
    );
    assert_eq!(r.status, 415, "{}", r.text());
    assert_eq!(
        r.error(),
        "notes.txt is not a spreadsheet export: relief reads .xlsx, .xlsm, .xls, .ods and .csv \
         files. Leave it out and try again."
    );
    server.assert_empty();
    // A body that is no upload at all.
    let r = request(
        server.addr,
        "POST",
        "/api/jobs",
        &[("Content-Type", "text/plain"), ("Origin", &server.origin())],
        b"hello",
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(
        r.error().starts_with("The upload could not be read"),
        "{}",
        r.error()
    );
    server.assert_empty();
    assert!(server.stop().success());
}

#[test]
fn a_second_job_while_busy_gets_busy() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &[]);
    let held = held_upload(&server);
    wait_until_busy(&server);
    let r = upload(&server, &[("ok.csv", GOOD_CSV.as_bytes())], &[]);
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(
        r.error().starts_with("relief is busy with another upload"),
        "{}",
        r.error()
    );
    // The first upload is abandoned (the browser went away): its files go, the slot frees.
    drop(held);
    server.assert_empty();
    let r = upload(&server, &[("ok.csv", GOOD_CSV.as_bytes())], &[]);
    assert_eq!(r.status, 202, "{}", r.text());
    let job = r.json()["job"].as_u64().unwrap();
    let done = wait_for_state(&server, job, &["done", "failed"]);
    assert_eq!(done["state"], "done", "{done}");
    assert!(server.stop().success());
}

fn wait_until_busy(server: &Server) {
    for _ in 0..100 {
        if get(server, "/api/info").json()["job_state"] == "uploading" {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the held upload never started");
}

#[test]
fn foreign_origins_and_hosts_are_refused() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &[]);
    let csv = GOOD_CSV.as_bytes();
    let r = upload(
        &server,
        &[("ok.csv", csv)],
        &[("Origin", "http://evil.example")],
    );
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.error().contains("http://evil.example"), "{}", r.error());
    server.assert_empty();

    let r = upload(
        &server,
        &[("ok.csv", csv)],
        &[("Sec-Fetch-Site", "cross-site")],
    );
    assert_eq!(r.status, 403, "{}", r.text());
    server.assert_empty();

    // DNS rebinding: a foreign name pointed at 127.0.0.1.
    let port = server.addr.port().to_string();
    let host = format!("rebind.example:{port}");
    let r = request(server.addr, "GET", "/api/info", &[("Host", &host)], b"");
    assert_eq!(r.status, 403, "{}", r.text());
    let r = request(server.addr, "GET", "/", &[("Host", &host)], b"");
    assert_eq!(r.status, 403);
    assert!(
        r.text().contains("answers only to its own address"),
        "{}",
        r.text()
    );

    // The page's own names pass.
    for own in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let r = request(server.addr, "GET", "/api/info", &[("Host", &own)], b"");
        assert_eq!(r.status, 200, "{own}");
        assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
        assert!(
            r.header("content-security-policy")
                .unwrap()
                .contains("default-src 'none'")
        );
    }
    assert!(server.stop().success());
}

#[test]
fn beyond_localhost_the_token_is_required() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &["--listen", "0.0.0.0"]);
    let token = server
        .link
        .split_once("?token=")
        .unwrap_or_else(|| panic!("no token in {}", server.link))
        .1
        .to_string();
    assert_eq!(token.len(), 48);
    server.printed("plain HTTP, without encryption");

    let r = get(&server, "/");
    assert_eq!(r.status, 403);
    assert!(r.text().contains("needs its access token"), "{}", r.text());
    let r = upload(&server, &[("ok.csv", GOOD_CSV.as_bytes())], &[]);
    assert_eq!(r.status, 403, "{}", r.text());
    server.assert_empty();
    let r = get(&server, "/?token=wrong");
    assert_eq!(r.status, 403);

    // The printed link sets a cookie and sends the browser on to the page.
    let r = get(&server, &format!("/?token={token}"));
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location").as_deref(), Some("/"));
    let cookie = r.header("set-cookie").unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_string();
    let r = request(server.addr, "GET", "/api/info", &[("Cookie", &pair)], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["network"], true, "the page shows its warning");
    let auth = format!("Token {token}");
    let r = upload(
        &server,
        &[("ok.csv", GOOD_CSV.as_bytes())],
        &[("Authorization", &auth)],
    );
    assert_eq!(r.status, 202, "{}", r.text());
    let job = r.json()["job"].as_u64().unwrap();
    let status = request(
        server.addr,
        "GET",
        &format!("/api/jobs/{job}"),
        &[("Cookie", &pair)],
        b"",
    );
    assert_eq!(status.status, 200);
    assert!(server.stop().success());
}

#[test]
fn leftovers_are_removed_at_start_and_ctrl_c_removes_everything() {
    let wd = Workdir::new();
    let dead = wd.join("tmp/relief-serve-crashed");
    std::fs::create_dir_all(dead.join("job-3/in")).unwrap();
    std::fs::write(dead.join(".lock"), "").unwrap();
    std::fs::write(dead.join("job-3/in/0001.xlsx"), "a client's sessions").unwrap();
    let server = Server::start(&wd, &[]);
    assert!(!dead.exists(), "a dead server's folder is removed");
    server.printed("Removed files left by an earlier relief serve");
    let ws = server.workspace();
    let r = upload(&server, &[("ok.csv", GOOD_CSV.as_bytes())], &[]);
    let job = r.json()["job"].as_u64().unwrap();
    wait_for_state(&server, job, &["done"]);
    assert!(ws.join(format!("job-{job}/out")).is_dir());
    let stderr = std::sync::Arc::clone(&server.stderr);
    let status = server.stop();
    assert!(status.success(), "{status:?}");
    assert!(!ws.exists(), "Ctrl-C removes the reports too");
    for _ in 0..50 {
        if stderr.lock().unwrap().contains("stopped;") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        stderr
            .lock()
            .unwrap()
            .contains("relief: stopped; the uploaded files and reports are removed."),
        "{}",
        stderr.lock().unwrap()
    );
    assert_eq!(std::fs::read_dir(wd.join("tmp")).unwrap().count(), 0);
}

#[test]
fn file_names_never_become_paths() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &[]);
    let names = [
        "../../escaped.csv",
        "/etc/cron.d/x.csv",
        "C:\\Windows\\y.csv",
    ];
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (*n, GOOD_CSV.as_bytes())).collect();
    let r = upload(&server, &files, &[]);
    assert_eq!(r.status, 202, "{}", r.text());
    let job = r.json()["job"].as_u64().unwrap();
    let done = wait_for_state(&server, job, &["done"]);
    let shown: Vec<&str> = done["result"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        shown,
        ["../../escaped.csv", "C:/Windows/y.csv", "etc/cron.d/x.csv"]
    );
    assert!(!wd.join("escaped.csv").exists() && !wd.join("tmp/escaped.csv").exists());
    let kept = server.kept();
    let job_dir = format!("job-{job}");
    assert!(
        kept.iter()
            .all(|p| p == &job_dir || p.starts_with(&format!("{job_dir}/out"))),
        "{kept:?}"
    );
    // Nothing outside the job's own list is served.
    for bad in [
        format!("/api/jobs/{job}/files/..%2F..%2F.lock/workbook"),
        format!("/api/jobs/{job}/files/2026-10/..%2Fsummary"),
        format!("/api/jobs/{job}/charts/2026-10/..%2Fsummary.json"),
        format!("/api/jobs/{}/files/2026-10/workbook", job + 1),
    ] {
        assert_eq!(get(&server, &bad).status, 404, "{bad}");
    }
    assert_eq!(
        get(&server, &format!("/api/jobs/{job}/files/2026-10/workbook")).status,
        200
    );
    assert!(server.stop().success());
}
