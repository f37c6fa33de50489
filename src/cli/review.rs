//! `trev review` (and plain `trev FILES…`): open the review screen.

use anyhow::{bail, Context, Result};
use clap::Args;

use super::{InputArgs, SampleArgs, EXIT_OK};
use crate::labels::{Journal, JournalError};
use crate::load::Dataset;
use crate::tui::{self, config, marks::Labels, Store, Theme};

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
    let dir = super::label::annotations_dir(args.annotations.as_deref())?;
    let sample = sample(&dataset, args, &dir)?;
    let annotator = args.annotator.clone().or(config.annotator.clone());
    let mut labels = Labels::new(Some(dir.clone()), annotator);
    labels.sample = sample.as_ref().map(Vec::len);
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
        Store::new(dataset, Some(findings)),
        theme,
        config.keymap,
        setup,
    )?;
    Ok(EXIT_OK)
}

/// The sample to review: drawn (and recorded beside the journals) with `--sample`, else the
/// one recorded there, else none (the whole dataset, indexed lazily).
fn sample(data: &Dataset, args: &ReviewArgs, dir: &std::path::Path) -> Result<Option<Vec<usize>>> {
    if let Some(spec) = args.sample.spec() {
        return Ok(Some(super::estimate::draw(data, &spec, Some(dir))?));
    }
    let Some(record) = crate::sample::recorded(dir)? else {
        return Ok(None);
    };
    data.wait();
    let ids = crate::sample::parallel_map(data.len(), |i| data.load(i).ok().map(|(t, _)| t.id));
    let wanted: std::collections::HashSet<&str> = record.ids.iter().map(String::as_str).collect();
    let found: Vec<usize> = ids
        .iter()
        .enumerate()
        .filter(|(_, id)| id.as_deref().is_some_and(|id| wanted.contains(id)))
        .map(|(i, _)| i)
        .collect();
    if found.is_empty() && !record.ids.is_empty() {
        bail!(
            "{}: the recorded sample's {} trajectories are not in this data; review the data it was drawn from, or remove the file to draw a new sample",
            dir.join(crate::sample::RECORD_FILE).display(),
            record.ids.len()
        );
    }
    Ok(Some(found))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        review: ReviewArgs,
    }

    fn args(extra: &[&str]) -> ReviewArgs {
        let data = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/sample_data/agentinstruct_os.json"
        );
        let mut argv = vec!["trev", data];
        argv.extend(extra);
        Cli::try_parse_from(argv).unwrap().review
    }

    #[test]
    fn a_recorded_sample_is_reviewed_without_sample_options() {
        let dir = tempfile::tempdir().unwrap();
        let open = |a: &ReviewArgs| Dataset::open(&a.input.files, a.input.load_options()).unwrap();
        let none = args(&[]);
        assert_eq!(sample(&open(&none), &none, dir.path()).unwrap(), None);
        let drawn = args(&["--sample", "1", "--seed", "7"]);
        let first = sample(&open(&drawn), &drawn, dir.path()).unwrap().unwrap();
        assert_eq!(first.len(), 1);
        let again = sample(&open(&none), &none, dir.path()).unwrap();
        assert_eq!(again, Some(first), "the recorded sample, found by id");
    }
}
