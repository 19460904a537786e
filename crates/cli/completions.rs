//! `relief completions SHELL` and `relief man`: shell completions and the manual page, both
//! generated from the same clap definitions as `--help`, so they can never describe options the
//! program does not have.
//!
//! The manual page is one page for the whole program (`man relief`): the top-level description
//! and options, then every command with its synopsis, description and options. A copy is
//! committed as `doc/relief.1`; a test regenerates it and fails when the copy is stale.

use anyhow::Context;
use std::io::Write;
use std::process::ExitCode;

/// Print shell completions for relief, to be loaded by your shell.
///
/// Examples:
///   relief completions bash > ~/.local/share/bash-completion/completions/relief
///   relief completions zsh  > ~/.zfunc/_relief      # with fpath+=~/.zfunc in ~/.zshrc
///   relief completions fish > ~/.config/fish/completions/relief.fish
///   relief completions powershell >> $PROFILE
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The shell to write completions for.
    #[arg(value_enum, value_name = "SHELL")]
    shell: Shell,
}

/// The shells relief writes completions for.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

/// Print relief's manual page (roff) on standard output.
///
/// Example:
///   relief man > ~/.local/share/man/man1/relief.1    # then: man relief
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ManArgs {}

pub fn run(args: Args, mut cmd: clap::Command) -> anyhow::Result<ExitCode> {
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
        Shell::Powershell => clap_complete::Shell::PowerShell,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "relief", &mut out);
    std::io::stdout()
        .write_all(&out)
        .context("writing the completions")?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_man(_args: ManArgs, cmd: clap::Command) -> anyhow::Result<ExitCode> {
    let page = man_page(cmd).context("writing the manual page")?;
    std::io::stdout()
        .write_all(&page)
        .context("writing the manual page")?;
    Ok(ExitCode::SUCCESS)
}

/// The whole manual page: the program, then one subsection per command.
fn man_page(cmd: clap::Command) -> std::io::Result<Vec<u8>> {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let mut out = Vec::new();
    let top = clap_mangen::Man::new(cmd.clone()).manual("relief manual");
    top.render_title(&mut out)?;
    top.render_name_section(&mut out)?;
    top.render_synopsis_section(&mut out)?;
    top.render_description_section(&mut out)?;
    top.render_options_section(&mut out)?;
    // The commands are sections of this page, not pages of their own (clap_mangen's list
    // would point at relief-report(1) and so on).
    writeln!(out, ".SH COMMANDS")?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
        writeln!(
            out,
            ".TP\n\\fBrelief {}\\fR\n{}",
            escape(sub.get_name()),
            escape(&about)
        )?;
    }

    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("relief {}", sub.get_name());
        writeln!(out, ".SH \"{}\"", name.to_uppercase())?;
        let man = clap_mangen::Man::new(sub.clone().bin_name(&name));
        let mut part = Vec::new();
        man.render_synopsis_section(&mut part)?;
        man.render_description_section(&mut part)?;
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            man.render_options_section(&mut part)?;
        }
        // A command's parts are subsections of its section, not sections of the page.
        for line in String::from_utf8_lossy(&part).lines() {
            match line.strip_prefix(".SH ") {
                Some(title) => writeln!(out, ".SS {}", capitalised(title))?,
                None => writeln!(out, "{line}")?,
            }
        }
    }
    top.render_version_section(&mut out)?;
    Ok(keep_examples_verbatim(&String::from_utf8_lossy(&out)).into_bytes())
}

/// Text for roff: backslashes and hyphens escaped, and a leading `.` or `'` made literal.
fn escape(text: &str) -> String {
    let s = text.replace('\\', "\\e").replace('-', "\\-");
    if s.starts_with('.') || s.starts_with('\'') {
        format!("\\&{s}")
    } else {
        s
    }
}

/// The help texts' example lines (indented by two spaces) are set line by line, as written,
/// instead of being filled into a paragraph.
fn keep_examples_verbatim(page: &str) -> String {
    let mut out = String::with_capacity(page.len() + 256);
    let mut inside = false;
    for line in page.lines() {
        let example = line.starts_with("  ") && !line.trim().is_empty();
        if example && !inside {
            out.push_str(".nf\n");
        } else if !example && inside {
            out.push_str(".fi\n");
        }
        inside = example;
        out.push_str(line);
        out.push('\n');
    }
    if inside {
        out.push_str(".fi\n");
    }
    out
}

/// `OPTIONS` → `Options`.
fn capitalised(title: &str) -> String {
    let lower = title.to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
