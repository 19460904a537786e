//! What the `relief serve` tests share: the real server started on a free port in a temporary
//! folder of its own, plain HTTP requests written by hand (so a test controls every header),
//! and headless Chromium driven over WebDriver.

use crate::common::Workdir;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `relief serve`, stopped with Ctrl-C (SIGINT) when dropped.
pub struct Server {
    child: Option<Child>,
    /// The link it printed, e.g. `http://127.0.0.1:40123/` (with `?token=…` when it has one).
    pub link: String,
    pub addr: SocketAddr,
    /// The temporary folder it was given (`TMPDIR`), where it keeps its private folder.
    pub tmp: PathBuf,
    pub stdout: Arc<Mutex<String>>,
    pub stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `relief serve --port 0 ARGS` in `wd`, with `wd/tmp` as its temporary folder.
    pub fn start(wd: &Workdir, args: &[&str]) -> Server {
        let tmp = wd.join("tmp");
        std::fs::create_dir_all(&tmp).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_relief"))
            .args(["serve", "--port", "0"])
            .args(args)
            .current_dir(wd.path())
            .env("TMPDIR", &tmp)
            .env("RELIEF_KEY_FILE", wd.join(".relief-key"))
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("relief serve starts");
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let lines = pump(child.stdout.take().unwrap(), Arc::clone(&stdout));
        let _ = pump(child.stderr.take().unwrap(), Arc::clone(&stderr));
        let first = lines
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no link printed; stderr: {}", stderr.lock().unwrap()));
        let link = first
            .strip_prefix("relief serve: ")
            .unwrap_or_else(|| panic!("first line: {first}"))
            .to_string();
        let hostport = link
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let port: u16 = hostport.rsplit(':').next().unwrap().parse().unwrap();
        Server {
            child: Some(child),
            link,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            tmp,
            stdout,
            stderr,
        }
    }

    /// Waits until the server has printed `text` on standard output; returns all it printed.
    pub fn printed(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let out = self.stdout.lock().unwrap().clone();
            if out.contains(text) {
                return out;
            }
            assert!(
                Instant::now() < deadline,
                "never printed {text:?}; printed:\n{out}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The server's private folder (the one `relief-serve-*` in its temporary folder).
    pub fn workspace(&self) -> PathBuf {
        let found: Vec<PathBuf> = std::fs::read_dir(&self.tmp)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("relief-serve-")
            })
            .collect();
        assert_eq!(found.len(), 1, "one private folder: {found:?}");
        found[0].clone()
    }

    /// Everything in the private folder but its lock file, as relative paths.
    pub fn kept(&self) -> Vec<String> {
        let root = self.workspace();
        let mut out = Vec::new();
        list(&root, &root, &mut out);
        out.retain(|p| p != ".lock");
        out.sort();
        out
    }

    /// Waits until the private folder holds nothing but its lock (a refused upload's files go
    /// when its request ends, which may be a moment after the answer).
    pub fn assert_empty(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let kept = self.kept();
            if kept.is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "left in the temporary folder: {kept:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops the server as a person does, with Ctrl-C; returns its exit status.
    pub fn stop(self) -> ExitStatus {
        self.stop_within(Duration::from_secs(30))
    }

    /// Ctrl-C, and up to `limit` for the server to end (a job it finishes first takes time).
    pub fn stop_within(mut self, limit: Duration) -> ExitStatus {
        let mut child = self.child.take().unwrap();
        interrupt(&child);
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("relief serve did not stop on Ctrl-C");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[cfg(unix)]
fn interrupt(child: &Child) {
    // SAFETY: kill(2) with a pid this test started and a valid signal number.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
}

#[cfg(not(unix))]
fn interrupt(_child: &Child) {
    panic!("the serve tests send Ctrl-C as a Unix signal");
}

/// Copies a stream into `sink` line by line, and sends each line on the returned channel.
fn pump(stream: impl Read + Send + 'static, sink: Arc<Mutex<String>>) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            sink.lock().unwrap().push_str(&format!("{line}\n"));
            let _ = tx.send(line);
        }
    });
    rx
}

fn list(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        out.push(
            path.strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned(),
        );
        if path.is_dir() {
            list(root, &path, out);
        }
    }
}

/// A small long-layout CSV export with three good rows.
pub const GOOD_CSV: &str = "Date,Client,Therapist,Region,Before,After\n\
                            2026-10-01,C1,Ann,neck,6,3\n\
                            2026-10-01,C1,Ann,lower back,7,4\n\
                            2026-10-08,C2,Bo,neck,5,2\n";

/// `GET path`, with nothing else.
pub fn get(server: &Server, path: &str) -> Reply {
    request(server.addr, "GET", path, &[], b"")
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {} {}", self.status, self.text()))
    }

    /// The error message of a refusal.
    pub fn error(&self) -> String {
        self.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// Sends one request and reads the whole answer. `headers` come after Host (which is
/// `127.0.0.1:PORT` unless given).
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head += &format!("Host: {addr}\r\n");
    }
    for (k, v) in headers {
        head += &format!("{k}: {v}\r\n");
    }
    head += &format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    // A server that refuses early may stop reading; its answer is what counts.
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse_reply(&raw)
}

fn parse_reply(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no answer: {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Reply { status, head, body }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(std::str::from_utf8(&b[..eol]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
}

pub const BOUNDARY: &str = "relief-test-boundary-7MA4YWxkTrZu0gW";

/// A multipart body with one `file` part per `(name, bytes)`, and its content type.
pub fn multipart(files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// Uploads files the way the page does (same-origin), with extra headers.
pub fn upload(server: &Server, files: &[(&str, &[u8])], extra: &[(&str, &str)]) -> Reply {
    let (kind, body) = multipart(files);
    let origin = server.origin();
    let mut headers = vec![("Content-Type", kind.as_str())];
    if !extra.iter().any(|(k, _)| k.eq_ignore_ascii_case("origin")) {
        headers.push(("Origin", origin.as_str()));
    }
    headers.extend_from_slice(extra);
    request(server.addr, "POST", "/api/jobs", &headers, &body)
}

/// An upload that has sent its first bytes and then waits, holding the server's one job slot
/// until the returned stream is dropped.
pub fn held_upload(server: &Server) -> TcpStream {
    let mut stream = TcpStream::connect(server.addr).unwrap();
    let head = format!(
        "POST /api/jobs HTTP/1.1\r\nHost: {}\r\nOrigin: {}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: 100000\r\n\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.csv\"\r\n\r\nDate,Client,Therapist,Region,Before,After\r\n",
        server.addr,
        server.origin()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.flush().unwrap();
    stream
}

/// Asks the server about its current job until `pred` holds (or a minute passes).
pub fn wait_for_state(server: &Server, job: u64, states: &[&str]) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let r = request(server.addr, "GET", &format!("/api/jobs/{job}"), &[], b"");
        assert_eq!(r.status, 200, "{}", r.text());
        let v = r.json();
        if states.contains(&v["state"].as_str().unwrap_or_default()) {
            return v;
        }
        assert!(Instant::now() < deadline, "job {job} still {v}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
