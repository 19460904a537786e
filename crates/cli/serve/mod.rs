//! `relief serve`: a page in the therapist's own browser where she drops her exports and gets
//! the report — what was read, every problem, the figures and charts, and the downloads —
//! without typing a command. The server runs on her machine, so the data never leaves it.
//!
//! One process, bound to 127.0.0.1 unless told otherwise, one job at a time, uploads kept in a
//! private temporary folder only while they are read (see [`job`]), every request checked for
//! its Host, Origin and — when listening beyond localhost — a token (see [`guard`]). The page is
//! plain HTML, CSS and JavaScript embedded in the binary (`serve/page/`): no build step, and no
//! request leaves the machine. Ctrl-C stops it and removes everything it kept.

mod guard;
mod handlers;
mod job;
mod limits;
mod report;
mod upload;

use crate::common::Globals;
use crate::pipeline::Setup;
use anyhow::Context;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Open a page in your web browser: drop exports, get the report.
///
/// relief serves one page on this computer. Drop your practice software's exports on it (or a
/// whole folder) and it shows what was read, every problem and how to fix it, the figures and
/// charts month by month, and the workbook, charts and clean data to download. The files stay
/// on this computer and are removed when the report is written; the reports are removed when
/// you send the next files or stop relief (Ctrl-C).
///
/// Examples:
///   relief serve --open                  # start, and open the page in your browser
///   relief serve --port 9000
///   relief serve --listen 0.0.0.0        # reachable from a tablet on the clinic network;
///                                        # needs the link with the token it prints
///
/// The settings (relief.toml, --config) and the pseudonym key are the same as for
/// `relief report`.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, value_name = "N", default_value_t = 8470)]
    port: u16,
    /// Open the page in your default web browser once relief is ready.
    #[arg(long)]
    open: bool,
    /// Listen on another address than 127.0.0.1 (e.g. 0.0.0.0 for every network, or
    /// 192.168.1.5:9000). Beyond this computer the page needs the token relief prints.
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// The most files one upload may hold.
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    max_files: u64,
    /// The most megabytes one upload may hold, all files together.
    #[arg(long, value_name = "MB", default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..))]
    max_upload_mb: u64,
}

pub fn run(args: Args, globals: &Globals) -> anyhow::Result<ExitCode> {
    let addr = listen_address(args.listen.as_deref(), args.port)?;
    let temp = std::env::temp_dir();
    let (workspace, leftovers) = job::Workspace::create(&temp)?;
    // The key must stay outside every report folder, and the reports live in the workspace.
    let setup = Setup::load(globals, Some(workspace.root()))?;
    let max_total = args.max_upload_mb.saturating_mul(1 << 20);
    let limits = limits::Limits {
        max_files: usize::try_from(args.max_files).unwrap_or(usize::MAX),
        max_total,
        max_file: setup
            .config
            .input
            .max_file_mb
            .saturating_mul(1 << 20)
            .min(max_total),
    };
    let token = if addr.ip().is_loopback() {
        None
    } else {
        Some(guard::new_token()?)
    };

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the web server")?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(addr))
        .map_err(|e| bind_error(e, addr))?;
    let addr = listener
        .local_addr()
        .context("reading the server's address")?;
    let access = guard::Access::new(addr, token);
    let jobs = Arc::new(job::Jobs::new(workspace));
    let app = Arc::new(handlers::App {
        access: access.clone(),
        jobs: Arc::clone(&jobs),
        limits,
        setup: Arc::new(setup),
    });

    let links = announce(addr, access.token(), leftovers, globals.quiet);
    if let Some(Err(e)) = args.open.then(|| open_browser(&links[0])) {
        eprintln!("relief: could not open a browser ({e}); open the link above by hand.");
    }

    runtime.block_on(async {
        let stop = Arc::new(tokio::sync::Notify::new());
        let stopping = Arc::clone(&stop);
        let server = axum::serve(listener, handlers::router(app))
            .with_graceful_shutdown(async move {
                stop_signal().await;
                stopping.notify_one();
            })
            .into_future();
        // Requests still open when Ctrl-C comes (an upload from a slow tablet) get two seconds.
        let deadline = async {
            stop.notified().await;
            tokio::time::sleep(Duration::from_secs(2)).await;
        };
        tokio::select! {
            served = server => served.context("serving the page"),
            () = deadline => Ok(()),
        }
    })?;

    if jobs.writing() {
        if !globals.quiet {
            eprintln!("relief: finishing the report being written (Ctrl-C again stops at once)…");
        }
        runtime.block_on(async {
            tokio::select! {
                () = async { while jobs.writing() { tokio::time::sleep(Duration::from_millis(100)).await } } => {}
                () = stop_signal() => {}
            }
        });
    }
    // A job stopped halfway still holds the folder; remove it now, whatever is left running.
    let _ = std::fs::remove_dir_all(jobs.root());
    if !globals.quiet {
        eprintln!("relief: stopped; the uploaded files and reports are removed.");
    }
    runtime.shutdown_timeout(Duration::from_millis(200));
    Ok(ExitCode::SUCCESS)
}

/// `--listen` and `--port` into one address: `ADDR`, `ADDR:PORT` or `[V6]:PORT`; `localhost`
/// is 127.0.0.1.
fn listen_address(listen: Option<&str>, port: u16) -> anyhow::Result<SocketAddr> {
    let Some(text) = listen.map(str::trim) else {
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    };
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if text.eq_ignore_ascii_case("localhost") {
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    }
    let bare = text.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => Ok(SocketAddr::new(ip, port)),
        Err(_) => anyhow::bail!(
            "--listen {text}: give an IP address of this computer, such as 0.0.0.0 (every \
             network), 192.168.1.5 or 192.168.1.5:9000"
        ),
    }
}

fn bind_error(e: std::io::Error, addr: SocketAddr) -> anyhow::Error {
    match e.kind() {
        std::io::ErrorKind::AddrInUse => anyhow::anyhow!(
            "port {} is already in use: is relief serve already running? Then open \
             http://{addr}/ — or choose another port with --port",
            addr.port()
        ),
        std::io::ErrorKind::AddrNotAvailable => anyhow::anyhow!(
            "{} is not an address of this computer (--listen)",
            addr.ip()
        ),
        _ => anyhow::Error::new(e).context(format!("listening on {addr}")),
    }
}

/// Prints where the page is; returns the links, the one to open first.
fn announce(addr: SocketAddr, token: Option<&str>, leftovers: usize, quiet: bool) -> Vec<String> {
    let with_token = |host: String| match token {
        Some(t) => format!("http://{host}/?token={t}"),
        None => format!("http://{host}/"),
    };
    let port = addr.port();
    let mut links = Vec::new();
    if addr.ip().is_unspecified() {
        if let Some(ip) = network_address() {
            links.push(with_token(SocketAddr::new(ip, port).to_string()));
        }
        links.push(with_token(format!("127.0.0.1:{port}")));
    } else {
        links.push(with_token(addr.to_string()));
    }
    // The first line is the link, alone, so scripts and tests can read it.
    println!("relief serve: {}", links[0]);
    if quiet {
        return links;
    }
    if leftovers > 0 {
        println!(
            "Removed files left by an earlier relief serve that did not stop cleanly ({leftovers} folder{}).",
            if leftovers == 1 { "" } else { "s" }
        );
    }
    if token.is_some() {
        for other in &links[1..] {
            println!("            also {other}");
        }
        println!(
            "The page is reachable from other computers on the network. Open the link above: it \
             holds the access token, so share it only with the people who should see the \
             reports. The page travels as plain HTTP, without encryption: use it only on a \
             network you trust."
        );
    } else {
        println!("Open the link in your browser. The files you drop there stay on this computer.");
    }
    println!("Press Ctrl-C to stop.");
    links
}

/// This computer's address on its main network, found by asking the system which address it
/// would send from (a UDP socket is "connected" without sending anything).
fn network_address() -> Option<IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified() && !ip.is_loopback()).then_some(ip)
}

/// Ctrl-C, or on Unix a polite `kill` (SIGTERM) from a service manager.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Opens `url` in the default browser with the system's own opener (`xdg-open` on Linux and
/// BSD, `open` on macOS, `start` on Windows): no extra crate for one command.
fn open_browser(url: &str) -> std::io::Result<()> {
    use std::process::{Command, Stdio};
    let mut cmd = if cfg!(target_os = "macos") {
        Command::new("open")
    } else if cfg!(windows) {
        let mut c = Command::new("cmd");
        // `start` takes the first quoted argument as a window title; the empty one is it.
        c.args(["/C", "start", ""]);
        c
    } else {
        Command::new("xdg-open")
    };
    cmd.arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses_read_like_people_write_them() {
        let a = |s: Option<&str>| listen_address(s, 8470).unwrap().to_string();
        assert_eq!(a(None), "127.0.0.1:8470");
        assert_eq!(a(Some("0.0.0.0")), "0.0.0.0:8470");
        assert_eq!(a(Some("192.168.1.5:9000")), "192.168.1.5:9000");
        assert_eq!(a(Some("localhost")), "127.0.0.1:8470");
        assert_eq!(a(Some("::")), "[::]:8470");
        assert_eq!(a(Some("[::1]:9")), "[::1]:9");
        assert!(listen_address(Some("clinic-pc"), 1).is_err());
    }
}
