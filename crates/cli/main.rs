//! `relief`: the command line. This file only parses the arguments and dispatches; each command
//! lives in its own module with its own argument struct and a `run` function.

mod batch;
mod common;
mod completions;
mod findings;
mod init;
mod output;
mod pipeline;
mod privacy;
mod report;
mod sample;
mod serve;
mod timings;
mod validate;

use clap::{CommandFactory, Parser, Subcommand};
use std::process::ExitCode;

/// Turns massage session spreadsheets into per-body-region soreness reports.
///
/// relief reads the xlsx, xls, ods or csv files your practice software exports, works out how much
/// each body region improves and whether personalisation (focus, pressure, minutes) makes a
/// difference, and writes an Excel workbook, PNG charts and clean data for each month.
///
/// Start here:
///   relief sample --out my-first-try      # make some realistic example exports
///   relief validate my-first-try          # check them: what is read, what is rejected and why
///   relief report my-first-try --by-month # write reports/<month>/ for every month
///   relief serve --open                   # or do it all on a page in your browser
///
/// Exit status: 0 all good; 1 done, but some rows or files were rejected (or nothing to
/// report); 2 could not run.
#[derive(Debug, Parser)]
#[command(name = "relief", version, verbatim_doc_comment, max_term_width = 100)]
struct Cli {
    #[command(flatten)]
    globals: common::Globals,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Report(report::Args),
    Validate(validate::Args),
    Batch(batch::Args),
    Init(init::Args),
    Sample(sample::Args),
    Serve(serve::Args),
    Completions(completions::Args),
    Man(completions::ManArgs),
}

fn main() -> ExitCode {
    restore_default_sigpipe();
    fewer_malloc_arenas();
    relief_ingest::install_quiet_panic_hook();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(common::EXIT_CANNOT_RUN)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Report(args) => report::run(args, &cli.globals),
        Command::Validate(args) => validate::run(args, &cli.globals),
        Command::Batch(args) => batch::run(args, &cli.globals),
        Command::Init(args) => init::run(args, &cli.globals),
        Command::Sample(args) => sample::run(args, &cli.globals),
        Command::Serve(args) => serve::run(args, &cli.globals),
        Command::Completions(args) => completions::run(args, Cli::command()),
        Command::Man(args) => completions::run_man(args, Cli::command()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("relief: {}", crate::common::error_line(&e));
            ExitCode::from(common::EXIT_CANNOT_RUN)
        }
    }
}

/// Rust ignores SIGPIPE, so printing into a closed pipe (`relief validate … | head`) would panic
/// with "failed printing to stdout". Like other command-line tools, relief ends quietly instead.
#[cfg(unix)]
fn restore_default_sigpipe() {
    // SAFETY: called first thing in main, before any other thread exists; SIG_DFL is a valid
    // action for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_default_sigpipe() {}

/// glibc gives every thread that allocates its own arena (up to eight per core), and memory
/// freed in one stays there: the reader frees each file's cells on whichever thread read it, so
/// the peak grew with the thread count. Two arenas cut the peak of `relief report` on 800k rows
/// from ~420 to ~310 MB at no measurable CPU cost (bench/README.md).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn fewer_malloc_arenas() {
    // SAFETY: called first thing in main, before any other thread exists; M_ARENA_MAX is a
    // documented mallopt parameter and 2 a valid value.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn fewer_malloc_arenas() {}
