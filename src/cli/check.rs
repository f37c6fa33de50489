//! `trev check`: run the rules over every trajectory, print a task × rule table and the
//! findings (or JSON Lines with `--json`), and exit 1 when a finding reaches `--fail-on`.

use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use super::args::{InputArgs, SampleArgs};
use super::diag::{bytes_read, DiagnosticPrinter, ProgressLine};
use super::{output, EXIT_ERROR, EXIT_FOUND, EXIT_OK};
use crate::findings::print::{excerpt, json_prefix, write_human, write_json};
use crate::findings::tally::{Tally, TABLE_HEADER};
use crate::findings::Severity;
use crate::load::Dataset;
use crate::model::{Task, Trajectory, Verdict};
use crate::parallel;
use crate::rules::RuleSet;
use crate::sanitize::line;
use crate::scan::{self, Event};
use crate::session;

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// A TOML file of user rules and built-in rule settings (read after the default
    /// rules.toml of the config directory, when that exists).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// Run only these rules (ids or families such as `invalid-action`; repeat or separate
    /// with commas).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub only: Vec<String>,

    /// Do not run these rules (ids or families; repeat or separate with commas).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub skip: Vec<String>,

    /// Print JSON Lines: one object per finding, then a summary.
    #[arg(long)]
    pub json: bool,

    /// Exit with status 1 when a finding is at least this severe.
    #[arg(long, value_name = "LEVEL", default_value = "error", value_parser = parse_fail_on)]
    pub fail_on: FailOn,

    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,

    #[command(flatten)]
    pub sample: SampleArgs,

    /// With --sample: record the sample in this annotations directory.
    #[arg(long, value_name = "DIR", requires = "sample")]
    pub annotations: Option<PathBuf>,
}

/// The least severity that makes `trev check` exit 1; `never` keeps it at 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailOn(pub Option<Severity>);

fn parse_fail_on(name: &str) -> Result<FailOn, String> {
    match name {
        "never" => Ok(FailOn(None)),
        _ => Severity::parse(name)
            .map(|s| FailOn(Some(s)))
            .ok_or_else(|| format!("unknown level '{name}' (one of: error, warn, info, never)")),
    }
}

/// What a worker hands back for one trajectory: its task, the rule (an index into the rule
/// set) and severity of each finding, and the findings already written out, JSON Lines or
/// human lines. The ordered part of the scan, on one thread, only counts and copies.
struct Checked {
    task: Task,
    outcome: Verdict,
    found: Vec<(usize, Severity)>,
    lines: Vec<u8>,
}

impl Checked {
    fn of(t: &Trajectory, set: &RuleSet, json: bool) -> Checked {
        let findings = set.check_indexed(t);
        let mut checked = Checked {
            task: t.task,
            outcome: t.outcome.verdict,
            found: Vec::with_capacity(findings.len()),
            lines: Vec::new(),
        };
        if findings.is_empty() {
            return checked;
        }
        let file = t.source.file.to_string_lossy();
        let prefix = if json {
            json_prefix(&file, t)
        } else {
            Vec::new()
        };
        // A guess at the lines' size: the file or the JSON prefix, then a message and an
        // excerpt of up to 120 characters (more with escapes). Most trajectories' lines then
        // fit without being copied as they grow.
        checked
            .lines
            .reserve(findings.len() * (prefix.len().max(file.len()) + 512));
        for (rule, finding) in &findings {
            checked.found.push((*rule, finding.severity));
            let excerpt = excerpt(t, finding);
            if json {
                write_json(&mut checked.lines, &prefix, finding, &excerpt);
            } else {
                write_human(&mut checked.lines, &file, t, finding, &excerpt)
                    .expect("writing to memory");
            }
        }
        checked
    }
}

pub fn run(args: &CheckArgs) -> Result<i32> {
    let set = session::rules::selected(args.rules.as_deref(), &args.only, &args.skip)?;
    let stdout = io::stdout().lock();
    // Findings can run to hundreds of megabytes: write them in large pieces.
    let mut out = BufWriter::with_capacity(1 << 18, stdout);
    // Human output prints the table first: findings wait in a temporary file meanwhile, so
    // memory stays flat whatever the number of findings.
    let mut spill = if args.json {
        None
    } else {
        Some(BufWriter::new(
            tempfile::tempfile().context("cannot create a temporary file")?,
        ))
    };
    let mut printer = DiagnosticPrinter::new(20);
    let mut tally = Tally::default();
    let workers = args.threads.unwrap_or_else(parallel::default_workers);
    let json = args.json;
    let map = |result: Result<crate::load::Loaded, crate::diag::Diagnostic>| {
        result.map(|(t, warnings)| (Checked::of(&t, &set, json), warnings))
    };
    type Mapped = Result<(Checked, Vec<crate::diag::Diagnostic>), crate::diag::Diagnostic>;
    let sink = |event: Event<Mapped>| -> io::Result<()> {
        match event {
            Event::FileStart(_) => tally.files += 1,
            Event::Record(Ok((checked, warnings))) => {
                warnings.iter().for_each(|w| printer.print(w));
                tally.add((checked.task, checked.outcome), &checked.found, &set);
                match spill.as_mut() {
                    Some(spill) => spill.write_all(&checked.lines)?,
                    None => out.write_all(&checked.lines)?,
                }
            }
            Event::Record(Err(diagnostic)) => {
                tally.skipped += 1;
                printer.print(&diagnostic);
            }
            Event::FileEnd(end) => {
                end.diagnostics.iter().for_each(|d| printer.print(d));
                printer.end_file(&end.path);
            }
        }
        Ok(())
    };
    match args.sample.spec() {
        None => {
            // Human output waits for the scan's end (findings are spilled), so the line on
            // stderr never meets stdout; JSON streams, and shows none.
            let watch = scan::Watch::default();
            let (files, opts) = (&args.input.files, args.input.load_options());
            std::thread::scope(|s| {
                let _progress = ProgressLine::start(s, !json, || bytes_read(&watch));
                scan::scan_watched(files, opts, workers, map, sink, &watch)
            })?;
        }
        Some(spec) => {
            let data = Dataset::open(&args.input.files, args.input.load_options())?;
            let selected = session::sample::draw(&data, &spec, args.annotations.as_deref())?;
            scan::scan_selected(&data, &selected, map, sink)?;
        }
    }
    tally.settle(&set);
    if args.json {
        serde_json::to_writer(&mut out, &tally.summary())?;
        out.write_all(b"\n")?;
    } else {
        write_table(&mut out, &tally)?;
        if let Some(spill) = spill {
            let mut spill: File = spill.into_inner().map_err(|e| e.into_error())?;
            spill.rewind()?;
            if tally.findings() > 0 {
                writeln!(out)?;
            }
            io::copy(&mut spill, &mut out)?;
        }
    }
    out.flush()?;
    if tally.trajectories() == 0 {
        let _ = writeln!(io::stderr(), "trev: error: no trajectory could be loaded");
        return Ok(EXIT_ERROR);
    }
    if args.input.strict && printer.errors > 0 {
        return Ok(EXIT_ERROR);
    }
    match (args.fail_on.0, tally.worst) {
        (Some(level), Some(worst)) if worst >= level => Ok(EXIT_FOUND),
        _ => Ok(EXIT_OK),
    }
}

/// The task × rule table, then the totals.
fn write_table(out: &mut impl Write, tally: &Tally) -> io::Result<()> {
    for row in output::aligned(&TABLE_HEADER, &tally.table(), |i| i < 3) {
        writeln!(out, "{}", line(&row))?;
    }
    writeln!(out, "\n{}", line(tally.totals()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_on_levels() {
        assert_eq!(parse_fail_on("never").unwrap(), FailOn(None));
        assert_eq!(parse_fail_on("warn").unwrap(), FailOn(Some(Severity::Warn)));
        assert!(parse_fail_on("loud").is_err());
    }
}
