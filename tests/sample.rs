//! End-to-end tests of `relief sample` and `relief init`.

use crate::common::*;
use std::path::Path;

#[test]
fn sample_with_default_options_reproduces_the_committed_sample_data() {
    let wd = Workdir::new();
    let out = wd.relief(&["sample", "--out", "s", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let mut names: Vec<_> = std::fs::read_dir(&committed)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert!(names.len() >= 4);
    for name in names {
        let a = std::fs::read(committed.join(&name)).unwrap();
        let b = std::fs::read(wd.join("s").join(&name))
            .unwrap_or_else(|e| panic!("{name:?} not written: {e}"));
        assert!(a == b, "{name:?} differs from the committed sample-data");
    }
}

#[test]
fn sample_refuses_impossible_options_with_exit_2() {
    let wd = Workdir::new();
    let out = wd.relief(&["sample", "--out", "s", "--sessions", "3"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(!String::from_utf8_lossy(&out.stderr).is_empty());
}

#[test]
fn sample_refuses_a_folder_that_holds_files_unless_forced() {
    let wd = Workdir::new();
    std::fs::create_dir(wd.join("exports")).unwrap();
    std::fs::write(wd.join("exports").join("real.csv"), "Date,Client\n").unwrap();
    let out = wd.relief(&["sample", "--out", "exports", "-q"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--force"),
        "{}",
        show(&out)
    );
    let names = std::fs::read_dir(wd.join("exports")).unwrap().count();
    assert_eq!(names, 1, "nothing written beside the real file");
    // An empty folder is fine, and --force writes beside what is there.
    std::fs::create_dir(wd.join("empty")).unwrap();
    let out = wd.relief(&["sample", "--out", "empty", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let out = wd.relief(&["sample", "--out", "exports", "-q", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(wd.join("exports").join("real.csv").exists());
    assert!(std::fs::read_dir(wd.join("exports")).unwrap().count() > 1);
}

#[test]
fn init_writes_a_config_that_parses_and_creates_the_key() {
    let wd = Workdir::new();
    let out = wd.relief(&["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let text = std::fs::read_to_string(wd.join("relief.toml")).unwrap();
    assert!(text.contains("responder_threshold = 0.3"));
    assert!(
        wd.join(".relief-key").is_file(),
        "the pseudonym key was not created"
    );
    // The written file is picked up by the next command without complaint.
    let out = wd.relief(&["validate", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    // A second init does not overwrite.
    std::fs::write(wd.join("relief.toml"), "# mine\n").unwrap();
    let out = wd.relief(&["init"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert_eq!(
        std::fs::read_to_string(wd.join("relief.toml")).unwrap(),
        "# mine\n"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
}

#[test]
fn the_key_is_kept_and_reused_so_pseudonyms_are_stable() {
    let wd = Workdir::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let src = src.to_str().unwrap();
    wd.relief(&["report", src, "--month", "2026-07", "--out", "a", "-q"]);
    let key = std::fs::read_to_string(wd.join(".relief-key")).unwrap();
    assert_eq!(key.trim().len(), 64);
    wd.relief(&["report", src, "--month", "2026-07", "--out", "b", "-q"]);
    assert_eq!(
        std::fs::read_to_string(wd.join(".relief-key")).unwrap(),
        key
    );
    let a = std::fs::read(wd.join("a/2026-07/sessions.csv")).unwrap();
    let b = std::fs::read(wd.join("b/2026-07/sessions.csv")).unwrap();
    assert!(a == b, "pseudonyms changed between runs with the same key");
    // Another key gives other pseudonyms.
    std::fs::remove_file(wd.join(".relief-key")).unwrap();
    wd.relief(&["report", src, "--month", "2026-07", "--out", "c", "-q"]);
    let c = std::fs::read(wd.join("c/2026-07/sessions.csv")).unwrap();
    assert!(a != c);
}

/// Regression: the session column was an unkeyed hash of "client pseudonym|day|therapist", so
/// anyone could recover the day (which the table must not show) by trying the days of the month.
#[test]
fn the_session_column_does_not_give_away_the_day() {
    use sha2::{Digest, Sha256};
    let wd = Workdir::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    wd.relief(&[
        "report",
        src.to_str().unwrap(),
        "--month",
        "2026-07",
        "--out",
        "a",
        "-q",
    ]);
    let csv = std::fs::read_to_string(wd.join("a/2026-07/sessions.csv")).unwrap();
    let mut rows = 0;
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (month, client, session, therapist) = (f[0], f[1], f[2], f[3]);
        for day in 1..=31 {
            let guess = format!("{client}|{month}-{day:02}|{therapist}");
            let digest = hex::encode(&Sha256::digest(guess.as_bytes())[..8]);
            assert_ne!(digest, session, "the day of {line} can be guessed");
        }
        rows += 1;
    }
    assert!(rows > 100);
}
