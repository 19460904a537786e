//! End-to-end tests of `relief serve`: the real binary on a free port, its page driven in
//! headless Chromium as a therapist would use it, and every refusal sent by hand over HTTP.
//! After each, the server's temporary folder must hold nothing that was uploaded.
//!
//! The page tests are in `serve/page.rs`; they save a screenshot of every state under
//! `target/tmp/serve-screenshots/`.

mod browser;
mod harness;
mod page;

use crate::common::*;
use harness::*;

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
    let r = raw_chunked(&server, &kind, &body);
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
    let r = check_request(&server, check.to_string().as_bytes());
    assert!(
        r.json()["refusal"]
            .as_str()
            .unwrap()
            .starts_with("These files are 2.1 MB together"),
        "{}",
        r.text()
    );
    // A list too long for any page, and a job number that is no number, get the page's own
    // kind of answer: JSON in plain words, not the web framework's text.
    let r = check_request(&server, &vec![b' '; 3 << 20]);
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(
        r.error().starts_with("The upload could not be read"),
        "{}",
        r.text()
    );
    let r = get(&server, "/api/jobs/abc");
    assert_eq!(r.status, 404, "{}", r.text());
    assert!(
        r.error().starts_with("These results are gone"),
        "{}",
        r.text()
    );
    assert!(server.stop().success());
}

/// Asks the server, as the page does, whether the files in `body` (JSON) may be sent.
fn check_request(server: &Server, body: &[u8]) -> Reply {
    request(
        server.addr,
        "POST",
        "/api/check",
        &[
            ("Content-Type", "application/json"),
            ("Origin", &server.origin()),
        ],
        body,
    )
}

/// Sends `body` as an upload with `Transfer-Encoding: chunked`, so the server cannot know its
/// size.
fn raw_chunked(server: &Server, kind: &str, body: &[u8]) -> Reply {
    use std::io::{Read, Write};
    let mut chunked = Vec::new();
    for part in body.chunks(64 * 1024) {
        chunked.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        chunked.extend_from_slice(part);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let mut s = std::net::TcpStream::connect(server.addr).unwrap();
    let head = format!(
        "POST /api/jobs HTTP/1.1\r\nHost: {}\r\nOrigin: {}\r\nContent-Type: {kind}\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        server.addr,
        server.origin()
    );
    s.write_all(head.as_bytes()).unwrap();
    // A server that refuses early may stop reading; its answer is what counts.
    let _ = s.write_all(&chunked);
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
        "notes.txt is not a spreadsheet export: relief reads .xlsx, .xlsm, .xlsb, .xls, .ods, .csv \
         and .tsv files. Leave it out and try again."
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

#[test]
fn a_stalled_upload_is_given_up_and_does_not_keep_relief_from_stopping() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &[]);
    let mut held = held_upload(&server);
    wait_until_busy(&server);
    // Nothing more arrives: after the idle limit (30 s) the upload is refused and the place
    // is free for the next one.
    held.set_read_timeout(Some(std::time::Duration::from_secs(90)))
        .unwrap();
    let mut answer = Vec::new();
    let _ = std::io::Read::read_to_end(&mut held, &mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("The upload stopped arriving"), "{answer}");
    server.assert_empty();
    let r = upload(&server, &[("ok.csv", GOOD_CSV.as_bytes())], &[]);
    assert_eq!(r.status, 202, "{}", r.text());
    wait_for_state(
        &server,
        r.json()["job"].as_u64().unwrap(),
        &["done", "failed"],
    );

    // Stopping does not wait for an upload that has stalled: it is not a report being written.
    let _held = held_upload(&server);
    wait_until_busy(&server);
    let started = std::time::Instant::now();
    assert!(
        server
            .stop_within(std::time::Duration::from_secs(15))
            .success()
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
}

#[test]
fn an_upload_without_a_declared_length_is_held_to_the_limit_whatever_it_holds() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &["--max-upload-mb", "1"]);
    // Chunked, so nothing declares its length: a 3 MB form field that is not a file, then a
    // small file. Every byte counts.
    let field = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n{}\r\n",
        "x".repeat(3 << 20)
    );
    let (kind, file) = multipart(&[("ok.csv", GOOD_CSV.as_bytes())]);
    let r = raw_chunked(&server, &kind, &[field.as_bytes(), &file].concat());
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(
        r.error().contains("relief takes at most 1 MB"),
        "{}",
        r.text()
    );
    server.assert_empty();
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

#[test]
fn ctrl_c_during_a_job_lets_it_finish_then_removes_everything() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &[]);
    let files: Vec<(&str, Vec<u8>)> = [
        "harbour-spa.xlsx",
        "north-clinic.xlsx",
        "riverside-studio.csv",
    ]
    .into_iter()
    .map(|n| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sample-data")
            .join(n);
        (n, std::fs::read(path).unwrap())
    })
    .collect();
    let parts: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    let r = upload(&server, &parts, &[]);
    assert_eq!(r.status, 202, "{}", r.text());
    let job = r.json()["job"].as_u64().unwrap();
    // Seven reports to write (six months and all of them): Ctrl-C comes while the first is.
    loop {
        let v = get(&server, &format!("/api/jobs/{job}")).json();
        let step = v["step"].as_str().unwrap_or_default().to_string();
        if step.starts_with("Writing the report") {
            break;
        }
        assert_eq!(v["state"], "running", "{v}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let stderr = std::sync::Arc::clone(&server.stderr);
    let tmp = server.tmp.clone();
    let status = server.stop_within(std::time::Duration::from_secs(600));
    assert!(status.success(), "{status:?}");
    let said = stderr.lock().unwrap().clone();
    assert!(
        said.contains("finishing the report being written"),
        "{said}"
    );
    assert_eq!(
        std::fs::read_dir(tmp).unwrap().count(),
        0,
        "nothing is left behind"
    );
}
