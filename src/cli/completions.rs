//! `trev completions SHELL`: print a completion script for bash, zsh or fish (clap_complete).

use std::io::Write;

use anyhow::Result;
use clap::{Args, ValueEnum};
use clap_complete::Shell;

use super::EXIT_OK;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: ShellName,
}

/// The shells trev writes completions for.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ShellName {
    Bash,
    Zsh,
    Fish,
}

/// Write the script for `cmd` (the whole command line) to stdout.
pub fn run(args: &CompletionsArgs, mut cmd: clap::Command) -> Result<i32> {
    let shell = match args.shell {
        ShellName::Bash => Shell::Bash,
        ShellName::Zsh => Shell::Zsh,
        ShellName::Fish => Shell::Fish,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "trev", &mut buf);
    let mut out = std::io::stdout().lock();
    out.write_all(&buf)?;
    out.flush()?;
    Ok(EXIT_OK)
}
