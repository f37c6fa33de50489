//! `trev review` (and plain `trev FILES…`): open the review screen.

use anyhow::{bail, Context, Result};
use clap::Args;

use super::args::{InputArgs, SampleArgs};
use super::output;
use super::EXIT_OK;
use crate::labels::{Journal, JournalError};
use crate::load::Dataset;
use crate::session;
use crate::tui::{self, config, marks::Labels, Store};

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

    /// Whose marks these are (else the config file's `annotator`, else the screen asks).
    #[arg(long, value_name = "NAME")]
    pub annotator: Option<String>,

    /// Where the journals are kept (default: the user's data directory).
    #[arg(long, value_name = "DIR")]
    pub annotations: Option<std::path::PathBuf>,

    #[command(flatten)]
    pub sample: SampleArgs,
}

/// Open the screen; `color` is the global `--color` (`never`, or `auto` with `NO_COLOR` set,
/// picks the monochrome theme).
pub fn run(args: &ReviewArgs, color: clap::ColorChoice) -> Result<i32> {
    use std::io::IsTerminal;
    let dir = config::config_dir();
    let config = config::Config::load(dir.as_deref())?;
    let theme = output::screen_theme(args.theme.as_deref(), &config, dir.as_deref(), color)?;
    let mut opts = args.input.load_options();
    if opts.profile.is_none() {
        if let Some(p) = &config.profile {
            opts.profile = Some(
                crate::model::Task::parse(p)
                    .with_context(|| format!("config: unknown profile '{p}'"))?,
            );
        }
    }
    let rules = session::rules::configured(args.rules.as_deref())?;
    let rule_ids = rules.rules().iter().map(|r| r.id.clone()).collect();
    let findings: tui::FindingsProvider = Box::new(move |t| rules.check(t));
    let dataset = Dataset::open(&args.input.files, opts).context("cannot open the input")?;
    let dir = session::annotations::dir(args.annotations.as_deref())?;
    let spec = args.sample.spec();
    let sample = session::sample::for_review(&dataset, spec.as_ref(), &dir)?;
    let annotator = args.annotator.clone().or(config.annotator.clone());
    let mut labels = Labels::new(Some(dir.clone()), annotator);
    labels.sample = sample.as_ref().map(Vec::len);
    // Journal lines that name no run apply only when the data is one run.
    labels.unnamed_apply = session::marks::runs(&args.input.files)?.len() <= 1;
    if let Some(name) = labels.annotator.clone() {
        match Journal::open(&dir, &name) {
            Ok(j) => {
                labels.read_others(&dir, j.path());
                labels.journal = Some(j);
            }
            Err(e @ JournalError::Locked { .. }) => return Err(e.into()),
            // Shown on the screen: every mark then says it is UNSAVED, and why.
            Err(e) => labels.unsaved = Some(format!("cannot open the journal: {e}")),
        }
    }
    if !std::io::stdout().is_terminal() {
        bail!("the review screen needs a terminal (try `trev stats` for a summary)");
    }
    let setup = tui::Setup { labels, sample };
    tui::run(
        Store::new(dataset, Some(findings)).with_rule_ids(rule_ids),
        theme,
        config.keymap,
        setup,
    )?;
    Ok(EXIT_OK)
}
