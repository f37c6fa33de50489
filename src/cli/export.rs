//! `trev export`: the gold set, from the data, the journals and (optionally) the rules.

use std::collections::{BTreeSet, HashMap};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, ValueEnum};

use super::args::{InputArgs, SampleArgs};
use super::args_policy::PolicyArgs;
use super::diag::{share, DiagnosticPrinter, ProgressLine};
use super::{EXIT_ERROR, EXIT_OK};
use crate::export::labels::{label_rows_of, labels_table};
use crate::export::output::GoldFile;
use crate::export::render;
use crate::export::{self as gold, Fallback, Job, Report};
use crate::findings::Finding;
use crate::labels::replay::journal_files;
use crate::labels::resolve::resolve;
use crate::labels::votes::{self, key_of, TrajectoryKey, TrajectoryVotes};
use crate::labels::Replay;
use crate::load::{source, Dataset};
use crate::model::Trajectory;
use crate::safe_write::{Destination, Outputs, WriteError};
use crate::sanitize::line;
use crate::session;

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Where the journals are (default: trev's data directory, see README).
    #[arg(long, value_name = "DIR")]
    pub annotations: Option<PathBuf>,

    /// The gold file to write: `.json` gives a JSON array (records byte for byte), anything
    /// else JSON Lines.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    #[command(flatten)]
    pub policy: PolicyArgs,

    /// A rules file for --drop-findings (as for `trev check`).
    #[arg(long, value_name = "FILE", requires = "drop_findings")]
    pub rules: Option<PathBuf>,

    /// Replace each dropped trajectory with the record of the same id from this file.
    #[arg(long, value_name = "FILE")]
    pub fallback: Option<PathBuf>,

    /// Output format of the kept records.
    #[arg(long, value_enum, default_value_t = Target::Same)]
    pub to: Target,

    /// Also write the report as JSON.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Print the report and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Write the resolved labels as a table (`.csv` or `.jsonl`).
    #[arg(long, value_name = "FILE")]
    pub labels_out: Option<PathBuf>,

    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub sample: SampleArgs,
}

/// `--to`: the output format of kept records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// As in the source: byte for byte, or edited in place where masks or truncation apply.
    Same,
    /// ShareGPT `conversations` of `from`/`value`, with `loss` on the agent's turns.
    Sharegpt,
    /// OpenAI chat `messages`, with `weight` on assistant messages.
    Openai,
}

impl From<Target> for render::Target {
    fn from(t: Target) -> render::Target {
        match t {
            Target::Same => render::Target::Same,
            Target::Sharegpt => render::Target::Sharegpt,
            Target::Openai => render::Target::Openai,
        }
    }
}

pub fn run(args: &ExportArgs) -> Result<i32> {
    let dir = session::annotations::dir(args.annotations.as_deref())?;
    let mut replay = Replay::new();
    if dir.exists() {
        replay
            .read_path(&dir)
            .with_context(|| format!("{}: cannot read the journals", dir.display()))?;
    }
    let mut printer = DiagnosticPrinter::new(20);
    replay.warnings().iter().for_each(|w| printer.print(w));
    let only = args.policy.only();

    let rules = match &args.policy.drop_findings {
        None => None,
        Some(_) => Some(session::rules::configured(args.rules.as_deref())?),
    };
    let findings =
        |t: &Trajectory| -> Vec<Finding> { rules.as_ref().map_or_else(Vec::new, |r| r.check(t)) };
    let policy = args.policy.policy()?;

    let to = destinations(args, &dir)?;
    // A dry run writes nothing: the destinations are checked, never opened.
    let mut out = GoldFile::create(to.out, args.dry_run).map_err(in_flags)?;
    let open = |to: Option<Destination>| match to {
        Some(to) if !args.dry_run => to.open().map(Some).map_err(in_flags),
        _ => Ok(None),
    };
    let report_file = open(to.report)?;
    let labels_file = open(to.labels)?;

    let fallback = match &args.fallback {
        Some(path) => {
            let data = Dataset::open(std::slice::from_ref(path), args.input.load_options())?;
            Some(Fallback::new(data))
        }
        None => None,
    };
    let data = Dataset::open(&args.input.files, args.input.load_options())?;
    let index = session::marks::index(&data, &session::marks::marked_ids(&replay));
    let resolved = resolve(replay.marks(), &index);
    if let Some(notice) = resolved.notice() {
        eprintln!("trev: warning: {}", line(&notice));
    }
    let adjudicated = args.policy.adjudicated();
    let mut votes = votes::votes(&resolved, &only);
    if adjudicated {
        votes::add_gold(&mut votes, &resolve(replay.adjudications(), &index));
    }
    let selection = args
        .sample
        .spec()
        .map(|spec| crate::sample::select(&data, &spec));
    let job = Job {
        policy: &policy,
        target: args.to.into(),
        votes: &votes,
        findings: &findings,
        fallback: fallback.as_ref(),
        sources: adjudicated,
    };
    let mut label_rows = Vec::new();
    let done = AtomicU64::new(0);
    // Everything else this command prints comes after, or through `printer`.
    let report = std::thread::scope(|s| {
        let _progress = ProgressLine::start(s, true, || {
            let p = data.progress();
            if !p.complete {
                return share("trev export: indexing", p.bytes_done, p.bytes_total, "MB");
            }
            let total = selection.as_ref().map_or(data.len(), Vec::len) as u64;
            let done = done.load(Ordering::Relaxed);
            share("trev export:", done, total, "trajectories")
        });
        gold::export(
            &data,
            selection.as_deref(),
            &job,
            &mut out,
            |d| printer.print(d),
            |t| {
                done.fetch_add(1, Ordering::Relaxed);
                if args.labels_out.is_some() {
                    label_rows.extend(label_rows_of(t, votes.get(&key_of(t)), policy.agree));
                }
            },
        )
    })?;
    data.diagnostics().iter().for_each(|d| printer.print(d));
    let written = out.finish().map_err(in_flags)?;
    write_report(&report, args, written)?;
    if let Some(file) = report_file {
        let json = serde_json::to_string_pretty(&report)? + "\n";
        file.put(json.as_bytes()).map_err(in_flags)?;
    }
    if let (Some(file), Some(path)) = (labels_file, &args.labels_out) {
        let csv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let table = labels_table(csv, &label_rows, &annotators_of(&votes))?;
        file.put(&table).map_err(in_flags)?;
    }
    if report.total.kept + report.total.dropped == 0 || (args.input.strict && printer.errors > 0) {
        return Ok(EXIT_ERROR);
    }
    Ok(EXIT_OK)
}

/// The files this command writes.
struct Destinations {
    out: Destination,
    report: Option<Destination>,
    labels: Option<Destination>,
}

/// Check the outputs against each other and against every file this command reads: the data
/// (by the names given and as expanded), the fallback, the rules file and the journals. The
/// annotations may not be one of the other inputs either.
fn destinations(args: &ExportArgs, annotations: &Path) -> Result<Destinations> {
    let mut inputs = source::expand(&args.input.files)?;
    inputs.extend(args.input.files.iter().cloned());
    inputs.extend(args.fallback.iter().cloned());
    inputs.extend(args.rules.iter().cloned());
    if Outputs::new(&inputs, false).is_input(annotations) {
        bail!(
            "{} is an input of this command: the annotations must be kept apart from the data (choose another --annotations)",
            annotations.display()
        );
    }
    if annotations.is_dir() {
        inputs.extend(journal_files(annotations).unwrap_or_default());
    } else {
        inputs.push(annotations.to_path_buf());
    }
    let mut outputs = Outputs::new(&inputs, args.force);
    let out = outputs.claim(&args.out).map_err(in_flags)?;
    let mut claim =
        |path: Option<&PathBuf>| path.map(|p| outputs.claim(p).map_err(in_flags)).transpose();
    Ok(Destinations {
        out,
        report: claim(args.report.as_ref())?,
        labels: claim(args.labels_out.as_ref())?,
    })
}

/// The safe write's errors, in this command's words.
fn in_flags(e: WriteError) -> anyhow::Error {
    match e {
        WriteError::Exists(path) => {
            anyhow!("{} exists: pass --force to replace it", path.display())
        }
        e => e.into(),
    }
}

fn annotators_of(votes: &HashMap<TrajectoryKey, TrajectoryVotes>) -> Vec<String> {
    let set: BTreeSet<&String> = votes
        .values()
        .flat_map(|v| v.turns.values().flat_map(|m| m.keys()))
        .collect();
    set.into_iter().cloned().collect()
}

fn write_report(report: &Report, args: &ExportArgs, written: u64) -> io::Result<()> {
    let mut e = io::stderr().lock();
    let action = if args.dry_run { "would write" } else { "wrote" };
    writeln!(
        e,
        "trev export: {action} {written} trajectories to {}",
        line(args.out.display())
    )?;
    writeln!(
        e,
        "  {:<10} {:>6} {:>6} {:>9} {:>8} {:>7}  dropped by reason",
        "task", "kept", "masked", "truncated", "replaced", "dropped"
    )?;
    let rows = report.by_task.iter().map(|(t, r)| (t.as_str(), r));
    for (task, r) in rows.chain(std::iter::once(("total", &report.total))) {
        let reasons: Vec<String> = r
            .dropped_by_reason
            .iter()
            .map(|(why, n)| format!("{why}: {n}"))
            .collect();
        writeln!(
            e,
            "  {task:<10} {:>6} {:>6} {:>9} {:>8} {:>7}  {}",
            r.kept,
            r.masked,
            r.truncated,
            r.replaced,
            r.dropped,
            reasons.join(", ")
        )?;
    }
    if report.unreadable > 0 {
        writeln!(
            e,
            "  {} records could not be read (see above)",
            report.unreadable
        )?;
    }
    let t = &report.total;
    if !t.turns_by_source.is_empty() {
        let by: Vec<String> = t
            .turns_by_source
            .iter()
            .map(|(s, n)| format!("{s} {n}"))
            .collect();
        writeln!(e, "  judged agent turns by source: {}", by.join(", "))?;
    }
    if t.disputed_kept > 0 {
        writeln!(e, "  warning: {} disputed agent turns are in kept records with their loss on: settle them (trev adjudicate), or use --require all-right or --agree majority", t.disputed_kept)?;
    }
    Ok(())
}
