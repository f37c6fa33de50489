//! `trev label`: scripted marking (one turn or one trajectory verdict), and bulk import of
//! marks from JSON Lines (a file, or stdin with `-`), each line fsynced and reported saved.

use std::collections::{HashMap, HashSet};
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use clap::{Args, ValueEnum};

use super::args::parse_format;
use super::diag::DiagnosticPrinter;
use super::{EXIT_ERROR, EXIT_OK};
use crate::labels::{self, replay::parse_line, time, Event, Journal};
use crate::load::LoadOptions;
use crate::model::Format;
use crate::parallel;
use crate::sanitize::line;
use crate::scan::{self, Event as ScanEvent};
use crate::session;

#[derive(Debug, Args)]
pub struct LabelArgs {
    /// Trajectory files or directories: the trajectory and turn are checked against them and
    /// the turn text's hash is recorded (optional with `--import`).
    #[arg(value_name = "FILES", required_unless_present = "import")]
    pub files: Vec<PathBuf>,

    /// Read every record as this format instead of detecting it.
    #[arg(long, value_name = "NAME", value_parser = parse_format)]
    pub format: Option<Format>,

    /// Who is marking: the journal is `<annotations dir>/<NAME>.jsonl`.
    #[arg(long, value_name = "NAME", value_parser = parse_annotator)]
    pub annotator: String,

    /// The trajectory id.
    #[arg(long, value_name = "ID", required_unless_present = "import")]
    pub trajectory: Option<String>,

    /// The trajectory's run (the file's name without extensions, or `NAME` of `NAME=PATH`):
    /// needed when the id is in several runs.
    #[arg(long, value_name = "NAME", conflicts_with = "import")]
    pub run: Option<String>,

    /// The turn index (0-based, as `trev` shows it).
    #[arg(long, value_name = "N", requires = "set", conflicts_with = "verdict")]
    pub turn: Option<usize>,

    /// Mark the turn.
    #[arg(long, value_enum, value_name = "LABEL", requires = "turn")]
    pub set: Option<SetLabel>,

    /// Give the whole trajectory a verdict.
    #[arg(long, value_enum, value_name = "VERDICT", conflicts_with = "set")]
    pub verdict: Option<SetVerdict>,

    /// A note kept with the mark (on an adjudication: the reason).
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,

    /// Why the turn is wrong: a category of the set in use (`categories.toml` in the
    /// annotations directory, else the config's `[categories]`, else the default set).
    #[arg(long, value_name = "NAME")]
    pub category: Option<String>,

    /// How bad the wrong turn is.
    #[arg(long, value_enum, value_name = "S")]
    pub severity: Option<Severity>,

    /// The first wrong turn that made the trajectory fail.
    #[arg(long)]
    pub decisive: bool,

    /// `adjudication` writes the gold answer for the turn or verdict (settling annotators'
    /// disagreement) instead of a mark of your own.
    #[arg(long, value_enum, value_name = "KIND", default_value_t = Kind::Mark)]
    pub kind: Kind,

    /// On an adjudication: why the annotators disagreed.
    #[arg(long, value_enum, value_name = "CAUSE")]
    pub cause: Option<Cause>,

    /// Where the journals are (default: the user's data directory, see README).
    #[arg(long, value_name = "DIR")]
    pub annotations: Option<PathBuf>,

    /// Append every line of a JSON Lines file (`-`: stdin) with `trajectory`, `turn` and
    /// `label`; prints `saved N` once each line is on disk.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["trajectory", "turn", "set", "verdict", "note", "category", "severity", "decisive", "cause"])]
    pub import: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SetLabel {
    Right,
    Wrong,
    Clear,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Severity {
    Minor,
    Major,
    Critical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Mark,
    Adjudication,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Cause {
    GuidelineGap,
    Ambiguous,
    AnnotatorError,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SetVerdict {
    Accept,
    Reject,
    Clear,
}

fn parse_annotator(name: &str) -> Result<String, String> {
    if name.trim().is_empty() || name.chars().any(char::is_control) {
        return Err("an annotator name must be non-empty text without control characters".into());
    }
    Ok(name.to_string())
}

pub fn run(args: &LabelArgs) -> Result<i32> {
    if args.import.is_some() {
        return import(args);
    }
    let trajectory = args.trajectory.as_deref().expect("clap requires it");
    let (label, turn) = match (args.set, args.verdict) {
        (Some(set), None) => {
            let label = match set {
                SetLabel::Right => Some("right"),
                SetLabel::Wrong => Some("wrong"),
                SetLabel::Clear => None,
            };
            (label, args.turn)
        }
        (None, Some(verdict)) => {
            let label = match verdict {
                SetVerdict::Accept => Some("accept"),
                SetVerdict::Reject => Some("reject"),
                SetVerdict::Clear => None,
            };
            (label, None)
        }
        _ => {
            return Err(anyhow!(
                "say what to do: --set LABEL with --turn N, or --verdict"
            ))
        }
    };
    let wrong = label == Some("wrong");
    if !wrong && (args.category.is_some() || args.severity.is_some() || args.decisive) {
        return Err(anyhow!(
            "--category, --severity and --decisive go with --set wrong"
        ));
    }
    if args.cause.is_some() && args.kind != Kind::Adjudication {
        return Err(anyhow!("--cause goes with --kind adjudication"));
    }
    let dir = session::annotations::dir(args.annotations.as_deref())?;
    let set = session::categories::configured(Some(&dir))?;
    if let Some(c) = args.category.as_deref().filter(|c| !set.contains(c)) {
        return Err(anyhow!(
            "category '{c}' is not in the category set {} ({})",
            set.tag(),
            set.names().join(", ")
        ));
    }
    let wanted = HashSet::from([trajectory.to_string()]);
    let (data, loaded) = load_hashes(&args.files, args.format, Some(&wanted))?;
    let (run, hashes) = match find(&data, trajectory, args.run.as_deref()) {
        Ok(found) => found,
        Err(why) => {
            eprintln!(
                "trev: error: {} ({loaded} trajectories loaded)",
                line(why.replace("RUN", "give --run NAME"))
            );
            return Ok(EXIT_ERROR);
        }
    };
    let mut event = Event::now(&args.annotator, trajectory, turn, label).in_run(run);
    if let Some(turn) = turn {
        let Some(hash) = hashes.get(turn) else {
            eprintln!(
                "trev: error: turn {turn} is out of range: trajectory '{}' has {} turns (0..{})",
                line(trajectory),
                hashes.len(),
                hashes.len().saturating_sub(1)
            );
            return Ok(EXIT_ERROR);
        };
        event.text_hash = Some(hash.clone());
    }
    event.note.clone_from(&args.note);
    event = event.with_category(args.category.as_deref(), &set.tag());
    event.severity = args.severity.map(|s| {
        labels::SEVERITIES[match s {
            Severity::Minor => 0,
            Severity::Major => 1,
            Severity::Critical => 2,
        }]
        .to_string()
    });
    event.decisive = args.decisive;
    if args.kind == Kind::Adjudication {
        event.kind = Some(labels::ADJUDICATION.to_string());
        event.cause = args.cause.map(|c| {
            labels::CAUSES[match c {
                Cause::GuidelineGap => 0,
                Cause::Ambiguous => 1,
                Cause::AnnotatorError => 2,
            }]
            .to_string()
        });
    }
    let mut journal = Journal::open(&dir, &args.annotator)?;
    journal.append(&event)?;
    let what = match turn {
        Some(t) => format!("turn {t}"),
        None => "verdict".to_string(),
    };
    let category = event
        .category
        .as_deref()
        .map_or(String::new(), |c| format!(" ({c})"));
    let adjudicated = if event.is_adjudication() {
        " adjudicated"
    } else {
        ""
    };
    println!(
        "saved {} {} {what}{adjudicated}: {}{} ({})",
        line(&args.annotator),
        line(trajectory),
        label.unwrap_or("cleared"),
        line(category),
        line(journal.path().display())
    );
    Ok(EXIT_OK)
}

/// The loaded trajectories by id: each one's run and turn-text hashes.
type Loaded = HashMap<String, Vec<(Arc<str>, Vec<String>)>>;

/// The one loaded trajectory with `id` (in `run`, when given): its run and turn hashes; else
/// why not (`RUN` stands for how to name the run).
fn find<'a>(
    data: &'a Loaded,
    id: &str,
    run: Option<&str>,
) -> Result<(&'a str, &'a [String]), String> {
    let found: Vec<&(Arc<str>, Vec<String>)> = data
        .get(id)
        .into_iter()
        .flatten()
        .filter(|(r, _)| run.is_none_or(|run| **r == *run))
        .collect();
    match found[..] {
        [(r, hashes)] => Ok((r, hashes)),
        [] => Err(match run {
            Some(run) => format!("trajectory '{id}' is not in run '{run}' of the files given"),
            None => format!("trajectory '{id}' is not in the files given"),
        }),
        _ => {
            let runs: Vec<&str> = found.iter().map(|(r, _)| &**r).collect();
            Err(format!(
                "trajectory '{id}' is in several runs ({}): RUN",
                runs.join(", ")
            ))
        }
    }
}

/// Turn-text hashes of the trajectories in `files` (only `wanted` ones, when given), by id and
/// run, and the number of trajectories loaded.
fn load_hashes(
    files: &[PathBuf],
    format: Option<Format>,
    wanted: Option<&HashSet<String>>,
) -> Result<(Loaded, u64)> {
    let mut data: Loaded = HashMap::new();
    let mut loaded = 0;
    let mut printer = DiagnosticPrinter::new(5);
    let opts = LoadOptions {
        format,
        profile: None,
    };
    scan::scan(
        files,
        opts,
        parallel::default_workers(),
        |r| {
            r.map(|(t, _)| {
                let hashes = wanted
                    .is_none_or(|w| w.contains(&t.id))
                    .then(|| t.turns.iter().map(|x| labels::text_hash(&x.text)).collect());
                (t.run, t.id, hashes)
            })
        },
        |event| {
            match event {
                ScanEvent::Record(Ok((run, id, hashes))) => {
                    loaded += 1;
                    if let Some(hashes) = hashes {
                        data.entry(id).or_default().push((run, hashes));
                    }
                }
                ScanEvent::Record(Err(d)) => printer.print(&d),
                ScanEvent::FileEnd(end) => {
                    end.diagnostics.iter().for_each(|d| printer.print(d));
                    printer.end_file(&end.path);
                }
                ScanEvent::FileStart(_) => {}
            }
            Ok(())
        },
    )
    .context("cannot read the trajectory files")?;
    Ok((data, loaded))
}

fn import(args: &LabelArgs) -> Result<i32> {
    let source = args.import.as_deref().expect("import");
    let data = if args.files.is_empty() {
        None
    } else {
        Some(load_hashes(&args.files, args.format, None)?.0)
    };
    let dir = session::annotations::dir(args.annotations.as_deref())?;
    let set = session::categories::configured(Some(&dir))?;
    let mut journal = Journal::open(&dir, &args.annotator)?;
    let name = if source == Path::new("-") {
        "<stdin>".to_string()
    } else {
        source.display().to_string()
    };
    let mut input: Box<dyn BufRead> = if source == Path::new("-") {
        Box::new(io::stdin().lock())
    } else {
        let file = std::fs::File::open(source)
            .with_context(|| format!("cannot open {}", source.display()))?;
        Box::new(io::BufReader::new(file))
    };
    let mut stdout = io::stdout().lock();
    let (mut saved, mut skipped, mut number) = (0u64, 0u64, 0usize);
    let mut raw = String::new();
    loop {
        raw.clear();
        if input
            .read_line(&mut raw)
            .with_context(|| format!("cannot read {name}"))?
            == 0
        {
            break;
        }
        number += 1;
        let terminated = raw.ends_with('\n');
        let text = raw.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            continue;
        }
        let problem = |message: &str| {
            eprintln!(
                "{}",
                line(format_args!("{name}:{number}: {message}; line skipped"))
            );
        };
        let mut event = match parse_line(text, &args.annotator) {
            Ok(event) => event,
            Err(_) if !terminated => {
                problem("warning: torn last line (no newline at the end)");
                skipped += 1;
                continue;
            }
            Err(message) => {
                problem(&format!("error: {message}"));
                skipped += 1;
                continue;
            }
        };
        event.v = labels::VERSION;
        event.annotator.clone_from(&args.annotator);
        if let Some(c) = &event.category {
            if !set.contains(c) {
                eprintln!(
                    "{}",
                    line(format_args!(
                        "{name}:{number}: warning: category '{c}' is not in the category set {}; kept as it is",
                        set.tag()
                    ))
                );
            } else if event.categories.is_none() {
                event.categories = Some(set.tag());
            }
        }
        if time::parse_rfc3339(&event.at).is_none() {
            event.at = time::now_rfc3339();
        }
        if let Some(data) = &data {
            let (run, hashes) = match find(data, &event.trajectory, event.run.as_deref()) {
                Ok(found) => found,
                Err(why) => {
                    let why = why.replace("RUN", "add its \"run\" to the line");
                    problem(&format!("error: {why}"));
                    skipped += 1;
                    continue;
                }
            };
            event.run = Some(run.to_string());
            if let Some(turn) = event.turn {
                let Some(hash) = hashes.get(turn) else {
                    problem(&format!(
                        "error: turn {turn} is out of range (trajectory '{}' has {} turns)",
                        event.trajectory,
                        hashes.len()
                    ));
                    skipped += 1;
                    continue;
                };
                match &event.text_hash {
                    Some(h) if h != hash => eprintln!(
                        "{}",
                        line(format_args!(
                            "{name}:{number}: warning: the turn text changed since this mark (text_hash differs)"
                        ))
                    ),
                    Some(_) => {}
                    None => event.text_hash = Some(hash.clone()),
                }
            }
        }
        journal.append(&event)?;
        saved += 1;
        writeln!(stdout, "saved {saved}")?;
        stdout.flush()?;
    }
    if skipped > 0 {
        eprintln!(
            "trev: {skipped} lines skipped, {saved} saved to {}",
            line(journal.path().display())
        );
        return Ok(EXIT_ERROR);
    }
    Ok(EXIT_OK)
}
