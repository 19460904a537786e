//! Headless Chromium for the page tests, driven through chromedriver with fantoccini.
//!
//! Both come from Debian (`apt-get install chromium chromium-driver`; `.ci/run` installs
//! them). A missing browser fails the test with that instruction: these tests never skip.

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One headless Chromium with its own profile and download folder.
pub struct Browser {
    driver: Child,
    pub client: Client,
    pub downloads: PathBuf,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver on a free port and a browser window of `width` × `height`.
    pub async fn start(width: u32, height: u32) -> Browser {
        let port = super::harness::free_port();
        let mut command = Command::new("chromedriver");
        // Its own process group, so the browsers it starts can be stopped with it.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let driver = command
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "chromedriver could not start ({e}): install Chromium and its driver with \
                     `apt-get install chromium chromium-driver`"
                )
            });
        let profile = tempfile::tempdir().unwrap();
        let downloads = profile.path().join("downloads");
        std::fs::create_dir_all(&downloads).unwrap();
        let caps = json!({
            "goog:chromeOptions": {
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.path().join("profile").display()),
                    format!("--window-size={width},{height}"),
                ],
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false,
                },
            },
        });
        let caps = match caps {
            Value::Object(map) => map,
            _ => unreachable!(),
        };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("no WebDriver session with Chromium: {e}"),
            }
        };
        Browser {
            driver,
            client,
            downloads,
            _profile: profile,
        }
    }

    /// Runs `script` in the page and returns its value.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("{e}\nscript: {script}"))
    }

    /// Waits until `script` returns true (polled), failing with `what` after `secs` seconds.
    pub async fn wait_until(&self, script: &str, secs: u64, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if self.js(script).await == Value::Bool(true) {
                return;
            }
            if Instant::now() > deadline {
                let text = self.js("return document.body.innerText").await;
                panic!("timed out waiting for {what}; the page says:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Which of the page's sections is showing: `start`, `progress`, `error` or `results`.
    pub async fn section(&self) -> String {
        self.js(
            "return ['start','progress','error','results'].filter(id => !document.getElementById(id).hidden).join(',')",
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Chooses `files` with the page's file picker, as a person does with the button.
    pub async fn choose(&self, files: &[&Path]) {
        let input = self.client.find(Locator::Id("files")).await.unwrap();
        let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        input.send_keys(&paths.join("\n")).await.unwrap();
    }

    /// Saves a screenshot of the window under `target/…/serve-screenshots/NAME.png`, for
    /// people to look at, and returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.unwrap();
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("serve-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Waits for a download to finish in the download folder; returns its path.
    pub async fn downloaded(&self, name: &str) -> PathBuf {
        let path = self.downloads.join(name);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let partial = std::fs::read_dir(&self.downloads).unwrap().any(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".crdownload")
            });
            if path.is_file() && !partial {
                return path;
            }
            assert!(
                Instant::now() < deadline,
                "{name} was not downloaded; the folder holds {:?}",
                std::fs::read_dir(&self.downloads)
                    .unwrap()
                    .map(|e| e.unwrap().file_name())
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    /// Stops chromedriver and every browser it started, even when a test failed halfway.
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: kill(2) on the process group of the chromedriver this test started.
        unsafe {
            libc::kill(-(self.driver.id() as libc::pid_t), libc::SIGKILL);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Runs an async test body on a small runtime of its own.
pub fn run<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}
