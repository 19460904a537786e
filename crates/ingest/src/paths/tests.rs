//! Folder walking: sorted, hidden and lock files skipped, links followed once per real folder,
//! and every entry that is not read listed with its reason.

use super::*;

fn rel(d: &Path, got: &[PathBuf]) -> Vec<String> {
    got.iter()
        .map(|p| p.strip_prefix(d).unwrap().display().to_string())
        .collect()
}

fn touch(d: &Path, files: &[&str]) {
    for f in files {
        let p = d.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b"x").unwrap();
    }
}

#[test]
fn a_leading_dot_folder_is_dropped_from_names() {
    assert_eq!(
        without_dot(PathBuf::from("./oct.csv")),
        PathBuf::from("oct.csv")
    );
    assert_eq!(
        without_dot(PathBuf::from("./in/oct.csv")),
        PathBuf::from("in/oct.csv")
    );
    assert_eq!(
        without_dot(PathBuf::from("/srv/in/oct.csv")),
        PathBuf::from("/srv/in/oct.csv")
    );
    assert_eq!(without_dot(PathBuf::from(".")), PathBuf::from("."));
}

#[test]
fn folders_are_walked_sorted_skipping_hidden_and_lock_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    touch(
        d,
        &[
            "b.xlsx",
            "a.csv",
            "sub/c.ODS",
            "sub/~$b.xlsx",
            ".hidden.xlsx",
            ".git/x.xlsx",
            "notes.txt",
            "sub/deeper/d.xls",
            "e.xlsb",
            "f.TSV",
        ],
    );
    let got = expand_paths(&[d.to_path_buf(), d.join("b.xlsx")]).unwrap();
    assert_eq!(
        rel(d, &got),
        [
            "a.csv",
            "b.xlsx",
            "e.xlsb",
            "f.TSV",
            "sub/c.ODS",
            "sub/deeper/d.xls"
        ]
    );
}

#[test]
fn other_spreadsheet_files_in_a_folder_are_listed_and_refused_with_their_kind() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    touch(
        d,
        &["a.numbers", "b.xltx", "c.fods", "d.xlt", "e.txt", "f.pdf"],
    );
    let got = expand_paths(&[d.to_path_buf()]).unwrap();
    assert_eq!(rel(d, &got), ["a.numbers", "b.xltx", "c.fods", "d.xlt"]);
    assert_eq!(not_read_kind("NUMBERS"), Some("Apple Numbers (.numbers)"));
    assert_eq!(not_read_kind("txt"), None);
}

#[test]
fn a_file_named_directly_is_kept_and_a_missing_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let txt = dir.path().join("notes.txt");
    std::fs::write(&txt, b"x").unwrap();
    assert_eq!(expand_paths(std::slice::from_ref(&txt)).unwrap(), vec![txt]);
    let missing = dir.path().join("nope.xlsx");
    let err = expand_paths(&[missing]).unwrap_err();
    assert!(err.to_string().contains("nope.xlsx: no such file"), "{err}");
}

#[cfg(unix)]
mod links {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn a_link_to_a_folder_outside_is_followed_once_and_one_back_inside_is_a_loop() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        touch(d, &["in/a.csv", "in/sub/b.csv", "outside/c.csv"]);
        let inside = d.join("in");
        symlink("../outside", inside.join("archive")).unwrap();
        symlink("../outside", inside.join("zz-again")).unwrap();
        symlink("sub", inside.join("another-sub")).unwrap();
        symlink("..", inside.join("sub/up")).unwrap();
        let got = expand_paths(std::slice::from_ref(&inside)).unwrap();
        assert_eq!(
            rel(&inside, &got),
            ["a.csv", "archive/c.csv", "sub/b.csv", "sub/up"]
        );
        let reason = refusal(&inside.join("sub/up")).unwrap().to_string();
        assert!(
            reason.starts_with("this is a link back to the folder '")
                && reason.contains("a loop, so it is not followed"),
            "{reason}"
        );
        assert!(refusal(&inside.join("a.csv")).is_none());
    }

    #[test]
    fn links_to_nowhere_and_in_a_circle_are_listed_with_their_reason() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        symlink("gone.csv", d.join("dangling.csv")).unwrap();
        symlink("b", d.join("a")).unwrap();
        symlink("a", d.join("b")).unwrap();
        let got = expand_paths(&[d.to_path_buf()]).unwrap();
        assert_eq!(rel(d, &got), ["a", "b", "dangling.csv"]);
        assert_eq!(
            refusal(&d.join("dangling.csv")).unwrap().to_string(),
            "this is a link to 'gone.csv', which does not exist"
        );
        assert_eq!(
            refusal(&d.join("a")).unwrap().to_string(),
            "this link leads round in a circle of links (a → b → a) and never reaches a file or folder, so it is not read"
        );
    }
}

/// An output folder that does not exist yet is placed where it would be: links and `..` of the
/// part that exists are resolved, the rest is kept as written.
#[test]
fn real_path_resolves_what_exists_and_keeps_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    std::fs::create_dir(root.join("in")).unwrap();
    assert_eq!(real_path(&root.join("in")), root.join("in"));
    assert_eq!(
        real_path(&root.join("in/../in/new/reports")),
        root.join("in/new/reports")
    );
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(root.join("in"), root.join("link")).unwrap();
        assert_eq!(
            real_path(&root.join("link/reports")),
            root.join("in/reports")
        );
    }
}
