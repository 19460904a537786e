//! Opens every fixture workbook in LibreOffice (headless) and fails if one cannot be converted
//! to PDF: the nearest automatic check of "opens without a repair prompt" on Linux.
//!
//! LibreOffice is a test-only tool: `apt-get install -y libreoffice-calc-nogui poppler-utils`
//! (CI installs it). Without it this test fails, on purpose, unless `RELIEF_SKIP_LIBREOFFICE=1`
//! says to skip it.

mod fixture;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Longest a conversion may take before the test gives up on LibreOffice.
const TIME_LIMIT: Duration = Duration::from_secs(180);

fn skip_requested() -> bool {
    std::env::var("RELIEF_SKIP_LIBREOFFICE").is_ok_and(|v| v == "1")
}

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Runs a command, killing it after [`TIME_LIMIT`]; returns whether it succeeded, and stderr.
fn run(cmd: &mut Command) -> (bool, String) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the program starts");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("waiting works") {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                use std::io::Read;
                let _ = e.read_to_string(&mut err);
            }
            return (status.success(), err);
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return (false, format!("gave up after {TIME_LIMIT:?}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Extracted text of a PDF (poppler's `pdftotext`).
fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn libreoffice_opens_every_workbook() {
    if skip_requested() {
        eprintln!("RELIEF_SKIP_LIBREOFFICE=1: not opening the workbooks in LibreOffice");
        return;
    }
    assert!(
        have("soffice") && have("pdftotext"),
        "LibreOffice (soffice) and poppler-utils (pdftotext) are needed to check the workbooks: \
         apt-get install -y libreoffice-calc-nogui poppler-utils, or set RELIEF_SKIP_LIBREOFFICE=1"
    );
    let dir = fixture::out_dir("libreoffice");
    let books = fixture::write_all(&dir);
    let pdf_dir = dir.join("pdf");
    // A private profile per run: a shared one is locked by any other LibreOffice running.
    let profile = tempfile::tempdir().expect("a profile folder");
    let started = Instant::now();
    let (ok, stderr) = run(Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.path().display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&pdf_dir)
        .args(&books));
    eprintln!(
        "LibreOffice converted {} workbooks in {:.1} s",
        books.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(ok, "soffice failed: {stderr}");
    for book in &books {
        let pdf = pdf_dir
            .join(book.file_stem().unwrap())
            .with_extension("pdf");
        let bytes = std::fs::read(&pdf).unwrap_or_else(|_| {
            panic!(
                "LibreOffice could not open {} (no PDF came out): {stderr}",
                book.display()
            )
        });
        assert!(bytes.starts_with(b"%PDF"), "{} is not a PDF", pdf.display());
        // The first and the last sheet both printed: the whole workbook was read.
        let text = pdf_text(&pdf);
        for expected in [
            "Soreness relief report",
            "Soreness before and after",
            "Personalisation, raw and at equal arrival soreness",
            "Course of care: arrival soreness, first session against latest",
            "What the figures mean",
        ] {
            if expected == "Soreness before and after" && book.ends_with("empty.xlsx") {
                continue;
            }
            assert!(
                text.contains(expected),
                "{}: the PDF lacks {expected:?}",
                book.display()
            );
        }
    }
}
