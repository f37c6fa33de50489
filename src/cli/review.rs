//! `trev review` (and plain `trev FILES…`): open the review screen.

use super::args::ReviewArgs;
use super::diag::DiagnosticPrinter;
use super::output;
use super::EXIT_OK;
use crate::labels::{Journal, JournalError};
use crate::load::Dataset;
use crate::session;
use crate::tui::{self, config, marks::Labels, Store};
use anyhow::{bail, Context, Result};

/// Open the screen; `color` is the global `--color` (`never`, or `auto` with `NO_COLOR` set,
/// picks the monochrome theme).
pub fn run(args: &ReviewArgs, color: clap::ColorChoice) -> Result<i32> {
    run_in(args, color, tui::Start::Review)
}

/// Open the screen, starting as `start` says (reviewing, or settling disagreements).
pub fn run_in(args: &ReviewArgs, color: clap::ColorChoice, start: tui::Start) -> Result<i32> {
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
    // Nothing to show (every record skipped, or no records): an error, as in `stats`, rather
    // than a screen of unreadable rows.
    if let Err(why) = session::readable::first(&dataset) {
        let mut printer = DiagnosticPrinter::new(20);
        for (k, d) in why.iter().enumerate() {
            if k > 0 && why[k - 1].file != d.file {
                printer.end_file(&why[k - 1].file);
            }
            printer.print(d);
        }
        if let Some(last) = why.last() {
            printer.end_file(&last.file);
        }
        bail!("no trajectory could be loaded");
    }
    let dir = session::annotations::dir(args.annotations.as_deref())?;
    let spec = args.sample.spec();
    let sample = session::sample::for_review(&dataset, spec.as_ref(), &dir)?;
    let annotator = args.annotator.clone().or(config.annotator.clone());
    let blind = blind(args, &dataset, &dir, start, annotator.as_deref())?;
    if annotator.is_none() && matches!(start, tui::Start::Adjudicate { .. }) {
        bail!("trev adjudicate needs --annotator NAME (or `annotator` in the config): decisions are saved under it");
    }
    let mut labels = Labels::new(Some(dir.clone()), annotator);
    labels.blind = blind;
    // A bad category set is an error here, not a silent fallback to the default on the screen.
    labels.categories = session::categories::configured(Some(&dir))?;
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
        if matches!(start, tui::Start::Adjudicate { .. }) {
            bail!(
                "the review screen needs a terminal (try `trev adjudicate --list` for the queue)"
            );
        }
        bail!("the review screen needs a terminal (try `trev stats` for a summary)");
    }
    let setup = tui::Setup { labels, sample };
    tui::run(
        Store::new(dataset, Some(findings)).with_rule_ids(rule_ids),
        theme,
        config.keymap,
        setup,
        start,
    )?;
    Ok(EXIT_OK)
}

/// The turn sample to review blind: drawn (and recorded) with `--sample-turns N --by JUDGE`,
/// else the one recorded in `dir` (when reviewing; settling disagreements is never blind).
fn blind(
    args: &ReviewArgs,
    data: &Dataset,
    dir: &std::path::Path,
    start: tui::Start,
    annotator: Option<&str>,
) -> Result<Option<tui::blind::Blind>> {
    let record = match (args.sample_turns, start) {
        (Some(_), tui::Start::Adjudicate { .. }) => {
            bail!("trev adjudicate settles disagreements and is never blind: leave out --sample-turns")
        }
        (Some(size), _) => {
            let spec = crate::sample::turns::TurnSpec {
                size,
                seed: args.sample.seed,
            };
            let judge = args.by.as_deref().unwrap_or_default();
            Some(session::turns::draw(data, dir, judge, spec)?)
        }
        (None, tui::Start::Review) => crate::sample::turns::recorded(dir)?,
        (None, _) => None,
    };
    let Some(record) = record else {
        return Ok(None);
    };
    if annotator == Some(record.judge.as_str()) {
        bail!(
            "{} is the judge of the turn sample recorded in {}: a person reviews it blind",
            record.judge,
            dir.display()
        );
    }
    let found = session::turns::in_data(data, dir, &record)?;
    let turns = found
        .into_iter()
        .map(|(i, k)| tui::blind::SampledAt {
            record: i,
            run: record.turns[k].run.clone(),
            trajectory: record.turns[k].trajectory.clone(),
            turn: record.turns[k].turn,
        })
        .collect();
    Ok(Some(tui::blind::Blind {
        judge: record.judge,
        turns,
    }))
}
