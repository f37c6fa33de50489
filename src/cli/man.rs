//! `trev man`: print trev's man page in roff (clap_mangen): name, synopsis, options, the
//! subcommands with a line each, and the version.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::EXIT_OK;

#[derive(Debug, Args)]
pub struct ManArgs {}

/// Write the page for `cmd` (the whole command line) to stdout.
pub fn run(_args: &ManArgs, cmd: clap::Command) -> Result<i32> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut buf)?;
    let mut out = std::io::stdout().lock();
    out.write_all(&buf)?;
    out.flush()?;
    Ok(EXIT_OK)
}
