//! `trev review` (and plain `trev FILES…`): open the review screen.

use anyhow::{bail, Context, Result};
use clap::Args;

use super::{InputArgs, EXIT_OK};
use crate::load::Dataset;
use crate::tui::{self, config, Store, Theme};

#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Colour theme: dark, light, high-contrast, or a NAME.toml in the config dir's themes/.
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,

    /// A rules file for the findings shown (as for `trev check`).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<std::path::PathBuf>,
}

pub fn run(args: &ReviewArgs) -> Result<i32> {
    use std::io::IsTerminal;
    let dir = config::config_dir();
    let config = config::Config::load(dir.as_deref())?;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = match (&args.theme, &config.theme) {
        (None, None) if no_color => Theme::monochrome(),
        (Some(name), _) | (None, Some(name)) => Theme::load(name, dir.as_deref())?,
        (None, None) => Theme::builtin("dark").expect("built in"),
    };
    let theme = if no_color {
        Theme {
            syntax: None,
            ..Theme::monochrome()
        }
    } else {
        theme
    };
    let mut opts = args.input.load_options();
    if opts.profile.is_none() {
        if let Some(p) = &config.profile {
            opts.profile = Some(
                crate::model::Task::parse(p)
                    .with_context(|| format!("config: unknown profile '{p}'"))?,
            );
        }
    }
    let rules = super::check::configured_rules(args.rules.as_deref())?;
    let findings: tui::FindingsProvider = Box::new(move |t| rules.check(t));
    let dataset = Dataset::open(&args.input.files, opts).context("cannot open the input")?;
    if !std::io::stdout().is_terminal() {
        bail!("the review screen needs a terminal (try `trev stats` for a summary)");
    }
    tui::run(Store::new(dataset, Some(findings)), theme, config.keymap)?;
    Ok(EXIT_OK)
}
