//! End-to-end tests of `relief completions` and `relief man`: completions a shell accepts, and
//! the committed manual page `doc/relief.1` kept equal to what the binary generates.

use crate::common::*;
use std::path::Path;
use std::process::Command;

#[test]
fn bash_loads_the_completions_and_completes_commands() {
    let wd = Workdir::new();
    let out = wd.relief(&["completions", "bash"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    std::fs::write(wd.join("relief.bash"), &out.stdout).unwrap();
    // Load them in a real bash and ask what `relief se<TAB>` completes to.
    let script = "source relief.bash; COMP_WORDS=(relief se); COMP_CWORD=1; COMP_LINE='relief se'; \
                  COMP_POINT=${#COMP_LINE}; _relief relief se relief; printf '%s\\n' \"${COMPREPLY[@]}\"";
    let bash = Command::new("bash")
        .args(["-c", script])
        .current_dir(wd.path())
        .output()
        .unwrap();
    let words = String::from_utf8_lossy(&bash.stdout);
    let mut words: Vec<&str> = words.lines().collect();
    words.sort();
    assert_eq!(
        words,
        ["serve"],
        "{}",
        String::from_utf8_lossy(&bash.stderr)
    );
}

#[test]
fn every_shell_gets_completions_for_every_command() {
    let wd = Workdir::new();
    for (shell, marker) in [
        ("bash", "complete -F _relief"),
        ("zsh", "#compdef relief"),
        ("fish", "complete -c relief"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = wd.relief(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", show(&out));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(marker), "{shell} lacks {marker}");
        for command in [
            "report",
            "validate",
            "batch",
            "serve",
            "completions",
            "--by-month",
        ] {
            assert!(text.contains(command), "{shell} lacks {command}");
        }
    }
    let out = wd.relief(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
}

/// Regenerate with `cargo run -- man > doc/relief.1` when the options change.
#[test]
fn the_committed_man_page_is_current() {
    let wd = Workdir::new();
    let out = wd.relief(&["man"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let page = String::from_utf8(out.stdout).unwrap();
    for part in [
        ".TH relief 1",
        ".SH NAME",
        ".SH \"RELIEF SERVE\"",
        "\\-\\-max\\-upload\\-mb",
    ] {
        assert!(page.contains(part), "the man page lacks {part}");
    }
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("doc/relief.1");
    let on_disk = std::fs::read_to_string(&committed).unwrap_or_default();
    if on_disk != page {
        let fresh = Path::new(env!("CARGO_TARGET_TMPDIR")).join("relief.1");
        std::fs::write(&fresh, &page).unwrap();
        panic!(
            "doc/relief.1 is stale: regenerate it with `cargo run -- man > doc/relief.1` \
             (the current page is in {})",
            fresh.display()
        );
    }
}
