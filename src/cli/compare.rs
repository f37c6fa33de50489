//! `trev compare A B`: two runs of the same tasks, paired by task. On a terminal it opens the
//! comparison screen; with `--json` it prints one JSON object per task and a summary; with
//! `--table`, or when stdout is not a terminal, the same as a human table.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::{json, Value};

use super::args::{parse_format, parse_task, ScreenArgs};
use super::diag::{bytes_read, DiagnosticPrinter, ProgressLine};
use super::{output, EXIT_ERROR, EXIT_OK};
use crate::compare::{Basis, KeySpec, Side, Task};
use crate::labels::{Journal, JournalError};
use crate::load::LoadOptions;
use crate::model::{Format, Task as Profile};
use crate::parallel;
use crate::sanitize::line;
use crate::scan::Watch;
use crate::session::{self, compare::Comparison};
use crate::tui::{self, config, marks::Labels};

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The first run (the baseline): a file, a directory, or NAME=PATH to name it.
    #[arg(value_name = "A")]
    pub a: PathBuf,

    /// The second run, of the same tasks: a file, a directory, or NAME=PATH.
    #[arg(value_name = "B")]
    pub b: PathBuf,

    /// Pair trajectories by this field of the record (a dotted path: `output.index`) instead
    /// of the format's task id (AgentBench's `index`, `instance_id`, else the trajectory id).
    #[arg(long, value_name = "FIELD")]
    pub key: Option<String>,

    /// Pair by the part of the key this regex matches (its first group, else the whole
    /// match); trajectories whose key does not match are left out.
    #[arg(long, value_name = "REGEX")]
    pub key_regex: Option<String>,

    /// Print JSON Lines: one object per task, then a summary.
    #[arg(long, conflicts_with = "table")]
    pub json: bool,

    /// Print the human table even on a terminal (instead of opening the screen).
    #[arg(long)]
    pub table: bool,

    /// A rules file for the findings counted (as for `trev check`).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// Read every record as this format instead of detecting it.
    #[arg(long, value_name = "NAME", value_parser = parse_format)]
    pub format: Option<Format>,

    /// Use this task profile for every trajectory instead of detecting it.
    #[arg(long, value_name = "TASK", value_parser = parse_task)]
    pub profile: Option<Profile>,

    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,

    #[command(flatten)]
    pub screen: ScreenArgs,
}

pub fn run(args: &CompareArgs, color: clap::ColorChoice) -> Result<i32> {
    let regex = match &args.key_regex {
        Some(r) => Some(regex::Regex::new(r).with_context(|| format!("--key-regex '{r}'"))?),
        None => None,
    };
    let opts = session::compare::Options {
        key: KeySpec {
            field: args.key.clone(),
            regex,
        },
        load: LoadOptions {
            format: args.format,
            profile: args.profile,
        },
        workers: args.threads.unwrap_or_else(parallel::default_workers),
    };
    let rules = session::rules::configured(args.rules.as_deref())?;
    let screen = !args.json && !args.table && io::stdout().is_terminal();
    let mut printer = DiagnosticPrinter::new(20);
    let watch = Watch::default();
    let comparison = std::thread::scope(|s| {
        let _progress = ProgressLine::start(s, !args.json, || bytes_read(&watch));
        // Diagnostics arrive in file order: a file's count of those not shown is printed
        // when the next file's first one comes, or at the end.
        let mut last: Option<std::sync::Arc<std::path::Path>> = None;
        let result = session::compare::compare(&args.a, &args.b, &rules, &opts, &watch, |d| {
            if last.as_ref().is_some_and(|f| *f != d.file) {
                printer.end_file(last.as_deref().expect("checked"));
            }
            last = Some(d.file.clone());
            printer.print(d)
        });
        if let Some(file) = last {
            printer.end_file(&file);
        }
        result
    })
    .context("cannot read the runs")?;
    for run in &comparison.runs {
        if run.trajectories == 0 {
            bail!(
                "no trajectory could be loaded from {}",
                line(run.arg.display())
            );
        }
        if run.unkeyed > 0 {
            let _ = writeln!(
                io::stderr(),
                "trev: {} trajectories of {} have no key (--key / --key-regex) and are left out",
                run.unkeyed,
                line(&run.name)
            );
        }
    }
    if screen {
        return open_screen(&args.screen, color, comparison, opts.load, rules);
    }
    let mut out = BufWriter::new(io::stdout().lock());
    if args.json {
        write_json(&mut out, &comparison)?;
    } else {
        write_table(&mut out, &comparison)?;
    }
    out.flush()?;
    Ok(if printer.errors > 0 && comparison.tasks.is_empty() {
        EXIT_ERROR
    } else {
        EXIT_OK
    })
}

fn side_json(side: Option<&Side>, rules: &[std::sync::Arc<str>]) -> Value {
    let Some(s) = side else {
        return Value::Null;
    };
    let findings: BTreeMap<&str, u32> = s
        .findings
        .iter()
        .filter_map(|&(r, n)| rules.get(r as usize).map(|id| (&**id, n)))
        .collect();
    json!({
        "run": &*s.run,
        "id": s.id,
        "outcome": s.verdict.as_str(),
        "turns": s.agent_turns,
        "steps": s.steps,
        "findings": findings,
    })
}

fn write_json(out: &mut impl Write, c: &Comparison) -> io::Result<()> {
    let basis = c.summary.basis;
    for t in &c.tasks {
        let line = json!({
            "type": "task",
            "key": t.key,
            "change": t.change(basis).as_str(),
            "a": side_json(t.a.as_deref(), &c.rules),
            "b": side_json(t.b.as_deref(), &c.rules),
            "aligned_steps": t.aligned.map(|(n, _)| n),
            "first_divergence": t.aligned.and_then(|(_, d)| d),
        });
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
    }
    let s = &c.summary;
    let run = |k: usize| {
        json!({
            "name": c.runs[k].name,
            "trajectories": c.runs[k].trajectories,
            "skipped": c.runs[k].skipped,
            "unkeyed": c.runs[k].unkeyed,
            "agent_turns": s.agent_turns[k],
        })
    };
    let summary = json!({
        "type": "summary",
        "a": run(0),
        "b": run(1),
        "paired": s.paired,
        "a_only": s.a_only,
        "b_only": s.b_only,
        "basis": s.basis,
        "table": s.table,
        "mcnemar": {"b": s.table.a_only, "c": s.table.b_only, "p_value": s.p_value},
        "rules": s.rules,
    });
    serde_json::to_writer(&mut *out, &summary)?;
    out.write_all(b"\n")
}

const HEADER: [&str; 10] = [
    "task", "A", "B", "change", "turns A", "turns B", "found A", "found B", "±found", "diverges",
];

fn row(t: &Task, basis: Basis) -> [String; 10] {
    let outcome = |s: Option<&Side>| s.map_or("-".into(), |s| s.verdict.as_str().to_string());
    let turns = |s: Option<&Side>| s.map_or("-".into(), |s| s.agent_turns.to_string());
    let found = |s: Option<&Side>| s.map_or("-".into(), |s| s.findings_total().to_string());
    let delta = match (&t.a, &t.b) {
        (Some(a), Some(b)) => {
            format!(
                "{:+}",
                i64::from(b.findings_total()) - i64::from(a.findings_total())
            )
        }
        _ => "-".into(),
    };
    let diverges = match t.aligned {
        Some((n, Some(d))) => format!("step {} of {n}", d + 1),
        Some((n, None)) => format!("same {n}"),
        None => "-".into(),
    };
    [
        t.key.clone(),
        outcome(t.a.as_deref()),
        outcome(t.b.as_deref()),
        t.change(basis).as_str().to_string(),
        turns(t.a.as_deref()),
        turns(t.b.as_deref()),
        found(t.a.as_deref()),
        found(t.b.as_deref()),
        delta,
        diverges,
    ]
}

fn write_table(out: &mut impl Write, c: &Comparison) -> io::Result<()> {
    let s = &c.summary;
    writeln!(
        out,
        "A = {}  ({} trajectories)   B = {}  ({} trajectories)",
        line(&c.runs[0].name),
        c.runs[0].trajectories,
        line(&c.runs[1].name),
        c.runs[1].trajectories
    )?;
    // Two passes over the tasks (widths, then lines), so no table of a few hundred thousand
    // rows is held.
    let left = |i: usize| i <= 3 || i == 9;
    let mut widths = HEADER.map(|h| h.chars().count());
    for t in &c.tasks {
        for (w, cell) in widths.iter_mut().zip(row(t, s.basis)) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let header = HEADER.map(String::from);
    writeln!(
        out,
        "{}",
        line(output::aligned_line(&header, &widths, left))
    )?;
    for t in &c.tasks {
        let cells = row(t, s.basis);
        writeln!(out, "{}", line(output::aligned_line(&cells, &widths, left)))?;
    }
    writeln!(out)?;
    for l in summary_lines(c) {
        writeln!(out, "{}", line(&l))?;
    }
    Ok(())
}

/// The summary as lines of text.
pub fn summary_lines(c: &Comparison) -> Vec<String> {
    let s = &c.summary;
    let t = &s.table;
    let mut lines = vec![
        format!(
            "tasks: {} paired, {} in A only, {} in B only",
            s.paired, s.a_only, s.b_only
        ),
        format!("outcomes ({}):", s.basis.describe()),
    ];
    let cells = [
        ["".to_string(), "B success".into(), "B not".into()],
        ["A success".into(), t.both.to_string(), t.a_only.to_string()],
        ["A not".into(), t.b_only.to_string(), t.neither.to_string()],
    ];
    lines.extend(output::aligned(
        &cells[0].each_ref().map(|s| s.as_str()),
        &cells[1..],
        |i| i == 0,
    ));
    lines.push(format!(
        "McNemar's exact test: b = {}, c = {}, p = {}",
        t.a_only,
        t.b_only,
        format_p(s.p_value)
    ));
    if !s.rules.is_empty() {
        lines.push(format!(
            "findings per 100 agent turns ({} agent turns in A, {} in B):",
            s.agent_turns[0], s.agent_turns[1]
        ));
        let rows: Vec<[String; 4]> = s
            .rules
            .iter()
            .map(|r| {
                [
                    r.rule.clone(),
                    format!("{:.2}", r.a_per_100),
                    format!("{:.2}", r.b_per_100),
                    format!("{:+.2}", r.difference),
                ]
            })
            .collect();
        lines.extend(output::aligned(&["rule", "A", "B", "B-A"], &rows, |i| {
            i == 0
        }));
    }
    lines
}

fn format_p(p: f64) -> String {
    if p >= 0.001 {
        format!("{p:.4}")
    } else {
        format!("{p:.3e}")
    }
}

/// The comparison screen, with the annotator's journal for marks made on either side.
fn open_screen(
    args: &ScreenArgs,
    color: clap::ColorChoice,
    c: Comparison,
    load: LoadOptions,
    rules: crate::rules::RuleSet,
) -> Result<i32> {
    let dir = config::config_dir();
    let config = config::Config::load(dir.as_deref())?;
    let theme = output::screen_theme(args.theme.as_deref(), &config, dir.as_deref(), color)?;
    let annotations = session::annotations::dir(args.annotations.as_deref())?;
    let annotator = args.annotator.clone().or(config.annotator.clone());
    let mut labels = Labels::new(Some(annotations.clone()), annotator);
    // Two runs: journal lines that name no run apply to neither.
    labels.unnamed_apply = false;
    if let Some(name) = labels.annotator.clone() {
        match Journal::open(&annotations, &name) {
            Ok(j) => {
                labels.read_others(&annotations, j.path());
                labels.journal = Some(j);
            }
            Err(e @ JournalError::Locked { .. }) => return Err(e.into()),
            Err(e) => labels.unsaved = Some(format!("cannot open the journal: {e}")),
        }
    }
    let stores = tui::compare::stores(&c, load, std::sync::Arc::new(rules))?;
    tui::compare::run(c, stores, theme, config.keymap, labels)?;
    Ok(EXIT_OK)
}
