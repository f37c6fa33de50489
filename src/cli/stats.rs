//! `trev stats`: per-file, per-task counts of trajectories and turns; with `--annotations`, label
//! progress per annotator; with `--estimate`, the whole dataset's defect rate estimated from the
//! reviewed sample.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};
use clap::Args;

use super::args::{InputArgs, SampleArgs};
use super::diag::{bytes_read, print_warnings, DiagnosticPrinter, ProgressLine};
use super::{output, EXIT_ERROR, EXIT_OK};
use crate::findings::Severity;
use crate::labels::progress::{progress, AgentTurns, Progress};
use crate::labels::Replay;
use crate::load::Dataset;
use crate::model::Task;
use crate::parallel;
use crate::sample::SampleSpec;
use crate::sanitize::line;
use crate::scan::{self, Event};
use crate::session;
use crate::stats::{FileStats, StatsLine, Summary, Tally};

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Print one JSON object per line (per file and task, then the file's totals).
    #[arg(long)]
    pub json: bool,

    /// Also report label progress per annotator from the journals in DIR (a file or a
    /// directory of `*.jsonl`).
    #[arg(long, value_name = "DIR")]
    pub annotations: Option<std::path::PathBuf>,

    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,

    #[command(flatten)]
    pub sample: SampleArgs,

    /// Estimate the whole dataset's defect rate from the reviewed part of the sample (the
    /// one given with --sample, else the one recorded beside the annotations).
    #[arg(long)]
    pub estimate: bool,

    /// With --estimate: also the share of trajectories with a wrong agent turn by a model
    /// judge (the annotator NAME's journal) or by the rules (`rules`) over the whole dataset,
    /// corrected for its errors against people on the reviewed sample (Rogan–Gladen). With
    /// --sample-turns: the judge whose labels the turns are drawn by.
    #[arg(long, value_name = "JUDGE|rules")]
    pub by: Option<String>,

    /// Draw and record (beside the journals) a sample of N agent turns stratified by the labels
    /// of the judge `--by JUDGE`: half it called right, half wrong, for blind review.
    #[arg(long, value_name = "N", requires = "by", conflicts_with_all = ["sample", "per_task", "estimate"])]
    pub sample_turns: Option<usize>,
}

pub fn run(args: &StatsArgs) -> Result<i32> {
    if let Some(n) = args.sample_turns {
        return turn_sample(args, n);
    }
    if args.by.is_some() && !args.estimate {
        anyhow::bail!("--by needs --estimate or --sample-turns N");
    }
    if args.estimate {
        return estimate(args);
    }
    if let Some(spec) = args.sample.spec() {
        return run_sample(args, &spec);
    }
    let stdout = io::stdout().lock();
    let mut out = BufWriter::new(stdout);
    let mut printer = DiagnosticPrinter::new(20);
    let mut files: Vec<FileStats> = Vec::new();
    let workers = args.threads.unwrap_or_else(parallel::default_workers);
    let labels = args.annotations.is_some();
    let mut agent_turns = Vec::new();
    // The table is printed after the scan, so the line on stderr never meets stdout; JSON is
    // written as each file ends, and shows none.
    let watch = scan::Watch::default();
    std::thread::scope(|s| {
        let _progress = ProgressLine::start(s, !args.json, || bytes_read(&watch));
        scan::scan_watched(
            &args.input.files,
            args.input.load_options(),
            workers,
            |result| {
                result.map(|(t, w)| ((Summary::of(&t), labels.then(|| AgentTurns::of(&t))), w))
            },
            |event| {
                match event {
                    Event::FileStart(path) => files.push(FileStats::new(path)),
                    Event::Record(Ok(((summary, turns), warnings))) => {
                        agent_turns.extend(turns);
                        let file = files.last_mut().expect("a file is open");
                        file.add_loaded(&summary, warnings.len());
                        warnings.iter().for_each(|w| printer.print(w));
                    }
                    Event::Record(Err(diagnostic)) => {
                        files.last_mut().expect("a file is open").skipped += 1;
                        printer.print(&diagnostic);
                    }
                    Event::FileEnd(end) => {
                        let file = files.last_mut().expect("a file is open");
                        file.layout = end.layout;
                        file.gzip = end.gzip;
                        end.diagnostics.iter().for_each(|d| printer.print(d));
                        printer.end_file(&end.path);
                        if args.json {
                            write_json(&mut out, file)?;
                        }
                    }
                }
                Ok(())
            },
            &watch,
        )
    })?;
    if !args.json {
        write_table(&mut out, &files)?;
    }
    if let Some(dir) = &args.annotations {
        write_progress(&mut out, dir, &agent_turns, args.json)?;
    }
    out.flush()?;
    Ok(exit_code(args, &files, &printer))
}

fn exit_code(args: &StatsArgs, files: &[FileStats], printer: &DiagnosticPrinter) -> i32 {
    let loaded: u64 = files.iter().map(|f| f.total().trajectories).sum();
    if loaded == 0 || (args.input.strict && printer.errors > 0) {
        if loaded == 0 {
            let _ = writeln!(io::stderr(), "trev: error: no trajectory could be loaded");
        }
        return EXIT_ERROR;
    }
    EXIT_OK
}

/// `--sample-turns N --by JUDGE`: draw the turn sample and record it beside the journals.
fn turn_sample(args: &StatsArgs, size: usize) -> Result<i32> {
    let judge = args.by.as_deref().unwrap_or_default();
    let dir = session::annotations::dir(args.annotations.as_deref())?;
    let data = Dataset::open(&args.input.files, args.input.load_options())?;
    let spec = crate::sample::turns::TurnSpec {
        size,
        seed: args.sample.seed,
    };
    let record = session::turns::draw(&data, &dir, judge, spec)?;
    let path = dir.join(crate::sample::turns::TURN_RECORD_FILE);
    let mut out = BufWriter::new(io::stdout().lock());
    if args.json {
        serde_json::to_writer(&mut out, &record)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}", line(&session::turns::summary(&record)))?;
        writeln!(out, "recorded in {}", line(&path.display().to_string()))?;
    }
    out.flush()?;
    Ok(EXIT_OK)
}

/// Stats over a sample: the index is built, the sampled records alone are read.
fn run_sample(args: &StatsArgs, spec: &SampleSpec) -> Result<i32> {
    let data = Dataset::open(&args.input.files, args.input.load_options())?;
    let selected = session::sample::draw(&data, spec, args.annotations.as_deref())?;
    let loaded = parallel::parallel_map(selected.len(), |k| {
        data.load(selected[k])
            .map(|(t, warnings)| (Summary::of(&t), warnings))
    });
    let mut printer = DiagnosticPrinter::new(20);
    let mut files: Vec<FileStats> = Vec::new();
    let mut next = selected.iter().zip(loaded).peekable();
    for info in data.files() {
        let mut stats = FileStats::new(info.path.clone());
        stats.layout = info.layout;
        stats.gzip = info.gzip;
        while let Some((_, result)) = next.next_if(|(&i, _)| i < info.first + info.count) {
            match result {
                Ok((summary, warnings)) => {
                    stats.add_loaded(&summary, warnings.len());
                    warnings.iter().for_each(|w| printer.print(w));
                }
                Err(d) => {
                    stats.skipped += 1;
                    printer.print(&d);
                }
            }
        }
        printer.end_file(&info.path);
        files.push(stats);
    }
    data.diagnostics().iter().for_each(|d| printer.print(d));
    let _ = writeln!(
        io::stderr(),
        "trev: {}",
        spec.describe(selected.len(), data.len())
    );
    let mut out = BufWriter::new(io::stdout().lock());
    if args.json {
        for file in &files {
            write_json(&mut out, file)?;
        }
    } else {
        write_table(&mut out, &files)?;
    }
    out.flush()?;
    Ok(exit_code(args, &files, &printer))
}

fn write_json(out: &mut impl Write, file: &FileStats) -> io::Result<()> {
    for (task, tally) in &file.by_task {
        serde_json::to_writer(&mut *out, &StatsLine::new(&file.path, task.as_str(), tally))?;
        out.write_all(b"\n")?;
    }
    serde_json::to_writer(&mut *out, &StatsLine::new(&file.path, "*", &file.total()))?;
    out.write_all(b"\n")
}

const HEADER: [&str; 13] = [
    "task", "trajs", "system", "instr", "agent", "env", "mean", "max", "pass", "fail", "error",
    "unknown", "formats",
];

fn row(task: &str, t: &Tally) -> [String; 13] {
    let formats: Vec<&str> = t.formats.iter().map(|f| f.as_str()).collect();
    [
        task.to_string(),
        t.trajectories.to_string(),
        t.turns[0].to_string(),
        t.turns[1].to_string(),
        t.turns[2].to_string(),
        t.turns[3].to_string(),
        format!("{:.1}", t.mean_turns()),
        t.max_turns.to_string(),
        t.outcomes[0].to_string(),
        t.outcomes[1].to_string(),
        t.outcomes[2].to_string(),
        t.outcomes[3].to_string(),
        formats.join(","),
    ]
}

fn write_rows(out: &mut impl Write, rows: &[[String; 13]]) -> io::Result<()> {
    for row in output::aligned(&HEADER, rows, |i| i == 0 || i == 12) {
        writeln!(out, "{}", line(&row))?;
    }
    Ok(())
}

fn write_table(out: &mut impl Write, files: &[FileStats]) -> io::Result<()> {
    let mut all: BTreeMap<Task, Tally> = BTreeMap::new();
    let mut skipped = 0;
    for file in files {
        let total = file.total();
        let mut head = format!(
            "{}  ({}{}, {} trajectories",
            line(file.path.display()),
            file.layout.describe(),
            if file.gzip { ", gzip" } else { "" },
            total.trajectories
        );
        if file.skipped > 0 {
            head.push_str(&format!(", {} skipped", file.skipped));
        }
        if file.warnings > 0 {
            head.push_str(&format!(", {} repaired", file.warnings));
        }
        if total.no_agent_turns > 0 {
            head.push_str(&format!(", {} with no agent turns", total.no_agent_turns));
        }
        head.push(')');
        writeln!(out, "{head}")?;
        if !file.by_task.is_empty() {
            let rows: Vec<_> = file
                .by_task
                .iter()
                .map(|(t, x)| row(t.as_str(), x))
                .collect();
            write_rows(out, &rows)?;
        }
        writeln!(out)?;
        for (task, tally) in &file.by_task {
            all.entry(*task).or_default().merge(tally);
        }
        skipped += file.skipped;
    }
    if files.len() > 1 {
        let mut total = Tally::default();
        all.values().for_each(|t| total.merge(t));
        let no_agent = match total.no_agent_turns {
            0 => String::new(),
            n => format!(", {n} with no agent turns"),
        };
        writeln!(
            out,
            "all files  ({} files, {} trajectories, {} skipped{no_agent})",
            files.len(),
            total.trajectories,
            skipped
        )?;
        let mut rows: Vec<_> = all.iter().map(|(t, x)| row(t.as_str(), x)).collect();
        rows.push(row("total", &total));
        write_rows(out, &rows)?;
    }
    Ok(())
}

/// Label progress: replay the journals at `dir` and write each annotator's progress over `data`: a table, or
/// one JSON object per annotator.
fn write_progress(out: &mut impl Write, dir: &Path, data: &[AgentTurns], json: bool) -> Result<()> {
    let mut replay = Replay::new();
    replay
        .read_path(dir)
        .with_context(|| format!("cannot read the journals at {}", dir.display()))?;
    print_warnings(&replay);
    let rows = progress(&replay, data);
    if json {
        for p in &rows {
            serde_json::to_writer(&mut *out, p)?;
            writeln!(out)?;
        }
        return Ok(());
    }
    writeln!(
        out,
        "labels  ({}, {} annotators)",
        line(dir.display()),
        rows.len()
    )?;
    if rows.is_empty() {
        return Ok(());
    }
    let header = [
        "annotator",
        "marked",
        "right",
        "wrong",
        "other",
        "stale",
        "complete",
        "accept",
        "reject",
        "pace",
    ];
    let cells: Vec<[String; 10]> = rows.iter().map(progress_row).collect();
    for row in output::aligned(&header, &cells, |i| i == 0) {
        writeln!(out, "{}", line(&row))?;
    }
    let on_environment: u64 = rows.iter().map(|p| p.on_environment).sum();
    if on_environment > 0 {
        writeln!(
            out,
            "  ({on_environment} {} on environment replies, which progress does not count)",
            marks_are(on_environment)
        )?;
    }
    let on_other: u64 = rows.iter().map(|p| p.on_other_turns).sum();
    if on_other > 0 {
        writeln!(
            out,
            "  ({on_other} {} on prompts or in-context demo turns, which progress does not count)",
            marks_are(on_other)
        )?;
    }
    let unmatched: u64 = rows.iter().map(|p| p.unmatched).sum();
    if unmatched > 0 {
        writeln!(
            out,
            "  ({unmatched} marks are on turns or trajectories these files do not have)"
        )?;
    }
    Ok(())
}

fn marks_are(n: u64) -> &'static str {
    if n == 1 {
        "mark is"
    } else {
        "marks are"
    }
}

fn progress_row(p: &Progress) -> [String; 10] {
    let percent = if p.agent_turns == 0 {
        0.0
    } else {
        100.0 * p.marked as f64 / p.agent_turns as f64
    };
    [
        p.annotator.clone(),
        format!("{}/{} ({percent:.0}%)", p.marked, p.agent_turns),
        p.right.to_string(),
        p.wrong.to_string(),
        p.other.to_string(),
        p.stale.to_string(),
        format!("{}/{}", p.trajectories_complete, p.trajectories),
        p.accepted.to_string(),
        p.rejected.to_string(),
        p.pace_seconds
            .map_or_else(|| "-".to_string(), |s| format!("{s:.0}s")),
    ]
}

/// `--estimate`: from the reviewed part of the team's sample to the whole dataset.
fn estimate(args: &StatsArgs) -> Result<i32> {
    let dir = session::annotations::dir(args.annotations.as_deref())?;
    let data = Dataset::open(&args.input.files, args.input.load_options())?;
    let mut replay = Replay::new();
    if dir.exists() {
        replay.read_path(&dir)?;
    }
    let census = session::estimate::census(&data, &replay);
    if let Some(notice) = census.marks.notice() {
        eprintln!("trev: warning: {}", line(&notice));
    }
    let spec = args.sample.spec();
    let selection = session::estimate::selection(&data, &census, spec.as_ref(), &dir)?;
    if selection.missing > 0 {
        eprintln!(
            "trev: warning: {} of the {} sampled trajectories are not in these files",
            selection.missing,
            selection.records.len() + selection.missing
        );
    }
    let rules = session::rules::configured(None)?;
    let flagged =
        |t: &crate::model::Trajectory| rules.check(t).iter().any(|f| f.severity == Severity::Error);
    let set = session::categories::configured(Some(&dir))?;
    let estimated = session::estimate::estimate_in(&data, &census, &selection, &flagged, &set);
    let corrected = args.by.as_deref().map(|by| {
        use session::corrected::{corrected, judge_marks, judge_says};
        let c = if by == "rules" {
            corrected(&data, &census, &selection, &|t| Some(flagged(t)), None)
        } else {
            let marks = judge_marks(&census, by);
            corrected(
                &data,
                &census,
                &selection,
                &|t| judge_says(&marks, t),
                Some(by),
            )
        };
        (by, c)
    });
    let mut out = BufWriter::new(io::stdout().lock());
    if args.json {
        #[derive(serde::Serialize)]
        struct WithCorrection<'a> {
            #[serde(flatten)]
            report: &'a crate::estimate::Report,
            #[serde(skip_serializing_if = "Option::is_none")]
            corrected: Option<serde_json::Value>,
        }
        let corrected = match &corrected {
            Some((by, c)) => {
                let mut v = serde_json::to_value(c)?;
                v["by"] = serde_json::Value::from(*by);
                Some(v)
            }
            None => None,
        };
        let report = WithCorrection {
            report: &estimated.report,
            corrected,
        };
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        for text in session::estimate::lines(&estimated) {
            writeln!(out, "{}", line(&text))?;
        }
        if let Some((by, c)) = &corrected {
            for text in session::corrected::lines(c, by, estimated.population) {
                writeln!(out, "{}", line(&text))?;
            }
        }
    }
    out.flush()?;
    Ok(EXIT_OK)
}
