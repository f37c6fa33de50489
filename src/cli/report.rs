//! `trev report`: the error-analysis report — dataset, rule findings per task and rule, the
//! export policy's filter funnel and, with journals, the people's marks — written as one HTML
//! page, one SVG figure, Markdown tables or JSON, by the extension of `--out`.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;

use super::args::{InputArgs, SampleArgs};
use super::args_policy::PolicyArgs;
use super::diag::{bytes_read, print_warnings, DiagnosticPrinter, ProgressLine};
use super::{EXIT_ERROR, EXIT_OK};
use crate::labels::replay::journal_files;
use crate::labels::Replay;
use crate::load::{source, Dataset};
use crate::parallel;
use crate::report::{self, charts, Inputs, Note};
use crate::safe_write::{Outputs, WriteError};
use crate::sanitize::line;
use crate::scan::Watch;
use crate::session;

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// The file to write, by its extension: `.html` (one page: figures and tables, nothing
    /// fetched), `.svg` (one figure, see --figure), `.md` (the tables) or `.json` (the numbers).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// With an `.svg` --out, the figure: outcomes, findings, funnel, progress, wrong-turns,
    /// categories, rule-precision, agreement (the last five need --annotations).
    #[arg(long, value_name = "NAME")]
    pub figure: Option<String>,

    /// The journals (a directory of `*.jsonl`, or one file): adds marking progress, wrong
    /// turns per task, error categories, the rules against people and agreement.
    #[arg(long, value_name = "DIR")]
    pub annotations: Option<PathBuf>,

    /// A TOML file of user rules and built-in rule settings (as for `trev check`).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,

    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,

    #[command(flatten)]
    pub sample: SampleArgs,

    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// What `--out` asks for.
enum Kind {
    Html,
    Svg(String),
    Markdown,
    Json,
}

fn kind(args: &ReportArgs) -> Result<Kind> {
    let ext = args
        .out
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let names = charts::names().join(", ");
    let kind = match ext.as_str() {
        "html" | "htm" => Kind::Html,
        "md" | "markdown" => Kind::Markdown,
        "json" => Kind::Json,
        "svg" => match &args.figure {
            None => {
                bail!("an .svg --out is one figure: choose it with --figure NAME (one of: {names})")
            }
            Some(name) if !charts::names().contains(&name.as_str()) => {
                bail!("unknown figure '{}' (one of: {names})", line(name))
            }
            Some(name) if charts::needs_labels(name) && args.annotations.is_none() => {
                bail!("the figure '{name}' is drawn from the journals: pass --annotations DIR")
            }
            Some(name) => Kind::Svg(name.clone()),
        },
        _ => bail!(
            "{}: --out must end in .html, .svg, .md or .json",
            args.out.display()
        ),
    };
    if args.figure.is_some() && !matches!(kind, Kind::Svg(_)) {
        bail!("--figure goes with an .svg --out");
    }
    Ok(kind)
}

pub fn run(args: &ReportArgs) -> Result<i32> {
    let kind = kind(args)?;
    // The output may be none of the inputs: data, rules, journals.
    let mut inputs = source::expand(&args.input.files)?;
    inputs.extend(args.input.files.iter().cloned());
    inputs.extend(args.rules.iter().cloned());
    if let Some(dir) = &args.annotations {
        if dir.is_dir() {
            inputs.extend(journal_files(dir).unwrap_or_default());
        }
        inputs.push(dir.clone());
    }
    let destination = Outputs::new(&inputs, args.force)
        .claim(&args.out)
        .map_err(in_flags)?;

    let mut replay = Replay::new();
    let journals = match &args.annotations {
        Some(dir) => {
            if !dir.exists() {
                bail!("{}: no such journal directory or file", dir.display());
            }
            replay
                .read_path(dir)
                .with_context(|| format!("cannot read the journals at {}", dir.display()))?;
            print_warnings(&replay);
            Some((dir.as_path(), session::categories::configured(Some(dir))?))
        }
        None => None,
    };
    let rules = session::rules::configured(args.rules.as_deref())?;
    let policy = args.policy.policy()?;
    let data;
    let selected;
    let sample = match args.sample.spec() {
        None => None,
        Some(spec) => {
            data = Dataset::open(&args.input.files, args.input.load_options())?;
            selected = session::sample::draw(&data, &spec, args.annotations.as_deref())?;
            let what = format!("Over {}.", spec.describe(selected.len(), data.len()));
            Some((&data, selected.as_slice(), what))
        }
    };
    let inputs = Inputs {
        files: &args.input.files,
        load: args.input.load_options(),
        workers: args.threads.unwrap_or_else(parallel::default_workers),
        sample,
        rules: &rules,
        policy: &policy,
        policy_text: args.policy.describe(),
        only: args.policy.annotators.iter().cloned().collect(),
        adjudicated: args.policy.adjudicated(),
        journals: journals.as_ref().map(|(dir, set)| (&replay, *dir, set)),
    };
    let mut printer = DiagnosticPrinter::new(20);
    let watch = Watch::default();
    let report = std::thread::scope(|s| {
        let _progress = ProgressLine::start(s, true, || bytes_read(&watch));
        report::collect(&inputs, &watch, |note| match note {
            Note::Diagnostic(d) => printer.print(d),
            Note::FileEnd(path) => printer.end_file(path),
        })
    })?;
    let trajectories: u64 = report.groups.iter().map(|g| g.trajectories()).sum();
    if trajectories == 0 {
        let _ = writeln!(io::stderr(), "trev: error: no trajectory could be loaded");
        return Ok(EXIT_ERROR);
    }
    let bytes = match &kind {
        Kind::Html => report::html::render(&report)?.into_bytes(),
        Kind::Svg(name) => charts::figure(&report, name)?.into_bytes(),
        Kind::Markdown => report::markdown::render(&report).into_bytes(),
        Kind::Json => (serde_json::to_string_pretty(&report)? + "\n").into_bytes(),
    };
    destination.write(&bytes).map_err(in_flags)?;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "wrote {} ({} bytes): {} trajectories in {} runs",
        line(args.out.display()),
        bytes.len(),
        trajectories,
        report.runs.len()
    )?;
    if args.input.strict && printer.errors > 0 {
        return Ok(EXIT_ERROR);
    }
    Ok(EXIT_OK)
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
