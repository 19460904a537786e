//! `relief init`: writes a commented `relief.toml` with every option at its default, and makes
//! sure the pseudonym key exists.

use crate::common::{EXIT_CANNOT_RUN, Globals};
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

/// Write a commented settings file (relief.toml) with every option and its default.
///
/// Also creates the pseudonym key if there is none yet, and says where it lives.
///
/// Examples:
///   relief init                      # writes ./relief.toml
///   relief init clinic/relief.toml   # somewhere else
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Where to write the settings file.
    #[arg(default_value = "relief.toml")]
    path: PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args, globals: &Globals) -> anyhow::Result<ExitCode> {
    if args.path.exists() && !args.force {
        eprintln!(
            "relief: {} already exists; add --force to replace it with the defaults",
            args.path.display()
        );
        return Ok(ExitCode::from(EXIT_CANNOT_RUN));
    }
    crate::output::write_atomic(&args.path, |w| {
        w.write_all(relief_core::Config::template().as_bytes())
    })
    .with_context(|| format!("writing {}", args.path.display()))?;
    let config = relief_core::Config::from_toml(relief_core::Config::template())?;
    let key = crate::privacy::key_path(config.privacy.key_file.as_deref())?;
    crate::privacy::load_or_create_key(&key, globals.quiet)?;
    if !globals.quiet {
        println!(
            "Wrote {}. Every option is shown with its default; edit what you need.",
            args.path.display()
        );
        println!("Pseudonym key: {}", key.display());
    }
    Ok(ExitCode::SUCCESS)
}
