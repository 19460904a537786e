//! `relief init` (not yet built).

use std::process::ExitCode;

/// Not built yet.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, _globals: &crate::common::Globals) -> anyhow::Result<ExitCode> {
    anyhow::bail!("relief init is not built yet")
}
