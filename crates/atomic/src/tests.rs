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

/// A report folder with a workbook, a chart, and a file the therapist saved there.
fn old_report(dir: &Path) -> PathBuf {
    let target = dir.join("2026-10");
    std::fs::create_dir_all(target.join("charts")).unwrap();
    std::fs::write(target.join("summary.json"), "old summary").unwrap();
    std::fs::write(target.join("charts").join("course.png"), "old chart").unwrap();
    std::fs::write(target.join("my notes.txt"), "mine").unwrap();
    target
}

/// relief's own names in a report folder, as the program tells the staged folder.
fn ours(name: &str) -> bool {
    matches!(name, "summary.json" | "charts")
}

#[test]
fn a_staged_folder_replaces_the_old_one_whole_and_keeps_what_a_person_put_there() {
    let dir = tempfile::tempdir().unwrap();
    let target = old_report(dir.path());
    let staged = StagedFolder::create(&target).unwrap();
    std::fs::write(staged.path().join("summary.json"), "new summary").unwrap();
    // Until the swap, the old report is untouched and the new one is out of sight.
    assert_eq!(
        std::fs::read_to_string(target.join("summary.json")).unwrap(),
        "old summary"
    );
    assert!(
        staged
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(".2026-10.")
    );
    staged.commit(ours).unwrap();
    assert_eq!(names(dir.path()), ["2026-10"], "no hidden folder left");
    assert_eq!(names(&target), ["my notes.txt", "summary.json"]);
    assert_eq!(
        std::fs::read_to_string(target.join("summary.json")).unwrap(),
        "new summary"
    );
    assert_eq!(
        std::fs::read_to_string(target.join("my notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn a_staged_folder_dropped_unfinished_leaves_the_old_report_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let target = old_report(dir.path());
    let staged = StagedFolder::create(&target).unwrap();
    std::fs::write(staged.path().join("summary.json"), "half").unwrap();
    drop(staged);
    assert_eq!(names(dir.path()), ["2026-10"]);
    assert_eq!(names(&target.join("charts")), ["course.png"]);
    assert_eq!(
        std::fs::read_to_string(target.join("summary.json")).unwrap(),
        "old summary"
    );
    // A first report needs no old folder.
    let first = dir.path().join("2026-11");
    let staged = StagedFolder::create(&first).unwrap();
    std::fs::write(staged.path().join("summary.json"), "first").unwrap();
    staged.commit(ours).unwrap();
    assert_eq!(names(&first), ["summary.json"]);
}

#[test]
fn leftovers_of_a_killed_swap_are_put_back_or_removed() {
    let dir = tempfile::tempdir().unwrap();
    let target = old_report(dir.path());
    // Killed between the two renames: only the old folder, under its hidden name. No process
    // has pid 4294967295, so its leftovers are a dead process's.
    let old = dir.path().join(".2026-10.4294967295-0.old");
    std::fs::rename(&target, &old).unwrap();
    let half = dir.path().join(".2026-10.4294967295-1.partial");
    std::fs::create_dir(&half).unwrap();
    std::fs::write(half.join("summary.json"), "half").unwrap();
    // Another folder's leftovers are not this one's to touch.
    let other = dir.path().join(".2026-09.4294967295-2.partial");
    std::fs::create_dir(&other).unwrap();
    let staged = StagedFolder::create(&target).unwrap();
    assert_eq!(
        std::fs::read_to_string(target.join("summary.json")).unwrap(),
        "old summary"
    );
    assert!(!half.exists() && !old.exists());
    assert!(other.exists());
    drop(staged);
    assert_eq!(
        names(dir.path()),
        [".2026-09.4294967295-2.partial", "2026-10"]
    );
}
