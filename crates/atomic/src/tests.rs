//! Tests of the atomic writer on a real folder: content, replacement, failure leaving the old
//! file and no leftovers, permissions, and many writers of one file at once.

use super::test_support::names;
use super::*;

/// Fails unless `path` holds `content` and is the only name in its folder: a write left no
/// temporary file behind.
fn assert_alone_with(path: &Path, content: &[u8]) {
    assert_eq!(std::fs::read(path).unwrap(), content);
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(names(path.parent().unwrap()), [name]);
}

#[test]
fn writes_and_replaces_without_leaving_a_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("summary.json");
    write(&path, b"first").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"first");
    write(&path, b"second, longer").unwrap();
    assert_alone_with(&path, b"second, longer");
}

#[test]
fn a_failing_fill_keeps_the_old_file_and_removes_the_temporary_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.csv");
    write(&path, b"old").unwrap();
    let err = write_with(&path, Access::Shared, |w| {
        w.write_all(&[b'x'; 100_000])?;
        Err(std::io::Error::other("the table could not be formatted"))
    })
    .unwrap_err();
    assert!(matches!(err, AtomicError::Write { .. }), "{err}");
    assert!(err.to_string().contains("could not write"), "{err}");
    assert_alone_with(&path, b"old");
}

#[test]
fn a_target_that_cannot_be_replaced_is_a_rename_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A non-empty folder where the file should go: the rename fails on every system.
    let path = dir.path().join("relief-2026-10.xlsx");
    std::fs::create_dir(&path).unwrap();
    std::fs::write(path.join("inside"), "x").unwrap();
    let err = write(&path, b"workbook").unwrap_err();
    assert!(matches!(err, AtomicError::Rename { .. }), "{err}");
    assert!(err.to_string().contains("relief-2026-10.xlsx"), "{err}");
    assert_eq!(names(dir.path()), ["relief-2026-10.xlsx"]);
}

#[test]
fn a_missing_folder_is_a_write_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope").join("a.png");
    let err = write(&path, b"png").unwrap_err();
    assert!(matches!(err, AtomicError::Write { .. }), "{err}");
    assert!(err.to_string().contains("nope"), "{err}");
    let io: std::io::Error = err.into();
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
}

#[test]
fn temporary_names_are_hidden_unique_and_carry_the_process_id() {
    let a = temporary_name(Path::new("out/summary.json"));
    let b = temporary_name(Path::new("out/summary.json"));
    assert_ne!(a, b);
    for n in [&a, &b] {
        assert!(n.starts_with(".summary.json."), "{n}");
        assert!(n.ends_with(".tmp"), "{n}");
        assert!(n.contains(&format!(".{}-", std::process::id())), "{n}");
    }
}

#[test]
fn a_leftover_with_the_same_name_is_skipped_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.json");
    // Plant leftovers under the next few names this process would pick.
    let next = CALLS.load(Ordering::Relaxed);
    let planted: Vec<PathBuf> = (next..next + 50)
        .map(|n| {
            dir.path()
                .join(format!(".ledger.json.{}-{n}.tmp", std::process::id()))
        })
        .collect();
    for p in &planted {
        std::fs::write(p, "left by a killed run").unwrap();
    }
    write(&path, b"{}").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"{}");
    // Other tests may have taken some of the names; the planted files are never touched.
    for p in &planted {
        assert_eq!(std::fs::read(p).unwrap(), b"left by a killed run");
    }
}

#[cfg(unix)]
#[test]
fn private_files_are_the_owners_only_and_shared_ones_are_ordinary() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("pseudonym.key");
    write_with(&key, Access::Private, |w| w.write_all(b"k")).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&key), 0o600);
    let report = dir.path().join("report.xlsx");
    write(&report, b"r").unwrap();
    let ordinary = dir.path().join("ordinary");
    std::fs::write(&ordinary, b"o").unwrap();
    assert_eq!(mode(&report), mode(&ordinary));
}

#[test]
fn many_writers_of_one_file_each_leave_a_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trend.png");
    let contents: Vec<Vec<u8>> = (0..8u8).map(|i| vec![i; 200_000]).collect();
    std::thread::scope(|s| {
        for c in &contents {
            let path = &path;
            s.spawn(move || {
                for _ in 0..5 {
                    write(path, c).unwrap();
                }
            });
        }
    });
    let end = std::fs::read(&path).unwrap();
    assert!(
        contents.contains(&end),
        "the file mixes several writers' bytes"
    );
    assert_eq!(names(dir.path()), ["trend.png"]);
}
