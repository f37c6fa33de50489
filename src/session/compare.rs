//! `trev compare A B`: two runs of the same tasks read side by side. Each run is scanned in
//! parallel, one record at a time; what stays of a trajectory is its summary (key, outcome,
//! agent turns, findings per rule, the hashes of its steps' actions until its task is
//! aligned), so two gigabyte runs compare in bounded memory. Both front-ends call [`compare`];
//! the screen then loads the two trajectories of the task on screen with [`pair`].

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::compare::{align, key, Alignment, KeySpec, Pairing, Side, Summary, Task};
use crate::diag::Diagnostic;
use crate::load::source;
use crate::load::LoadOptions;
use crate::model::Trajectory;
use crate::rules::RuleSet;
use crate::scan::{self, Event, Watch};

/// How to compare.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub key: KeySpec,
    pub load: LoadOptions,
    /// Worker threads of the scan.
    pub workers: usize,
}

/// One run of the comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The run's name: `NAME` of `NAME=PATH`, else the run of its files.
    pub name: String,
    /// The argument, as given.
    pub arg: PathBuf,
    /// Its files, in the order they are read (a trajectory's `Side::file` indexes this).
    pub files: Vec<PathBuf>,
    /// Trajectories read, records that could not be read, trajectories without a key.
    pub trajectories: usize,
    pub skipped: usize,
    pub unkeyed: usize,
}

/// The comparison of two runs.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub runs: [Run; 2],
    pub tasks: Vec<Task>,
    pub summary: Summary,
    /// The rule ids, by the index `Side::findings` uses.
    pub rules: Vec<Arc<str>>,
}

impl Comparison {
    /// The trajectories both runs have.
    pub fn paired(&self) -> impl Iterator<Item = &Task> {
        self.tasks.iter().filter(|t| t.a.is_some() && t.b.is_some())
    }
}

/// Compare the runs at `a` and `b` (a file, a directory or `NAME=PATH` each) under `rules`;
/// every problem of the input goes to `diagnostic` as it is met.
pub fn compare(
    a: &Path,
    b: &Path,
    rules: &RuleSet,
    opts: &Options,
    watch: &Watch,
    mut diagnostic: impl FnMut(&Diagnostic),
) -> io::Result<Comparison> {
    let mut pairing = Pairing::default();
    let ids: Vec<Arc<str>> = rules.rules().iter().map(|r| r.id.clone()).collect();
    let runs = [
        scan_run(a, false, rules, opts, watch, &mut pairing, &mut diagnostic)?,
        scan_run(b, true, rules, opts, watch, &mut pairing, &mut diagnostic)?,
    ];
    let tasks = pairing.finish();
    let summary = crate::compare::pair::summarise(&tasks, &ids);
    Ok(Comparison {
        runs,
        tasks,
        summary,
        rules: ids,
    })
}

fn scan_run(
    arg: &Path,
    is_b: bool,
    rules: &RuleSet,
    opts: &Options,
    watch: &Watch,
    pairing: &mut Pairing,
    diagnostic: &mut impl FnMut(&Diagnostic),
) -> io::Result<Run> {
    let files = source::expand_runs(std::slice::from_ref(&arg.to_path_buf()))?;
    let mut run = Run {
        name: run_name(arg, &files),
        arg: arg.to_path_buf(),
        files: files.iter().map(|f| f.path.clone()).collect(),
        trajectories: 0,
        skipped: 0,
        unkeyed: 0,
    };
    let mut file = 0usize;
    let mut started = false;
    scan::scan_records(
        std::slice::from_ref(&arg.to_path_buf()),
        opts.load,
        opts.workers.max(1),
        |result, bytes| {
            result.map(|(t, warnings)| {
                let record = if opts.key.needs_record(t.format) {
                    bytes
                } else {
                    &[]
                };
                (opts.key.key(&t, record), summarise(&t, rules), warnings)
            })
        },
        |event| {
            match event {
                Event::FileStart(_) => {
                    if started {
                        file += 1;
                    }
                    started = true;
                }
                Event::Record(Ok((key, mut side, warnings))) => {
                    warnings.iter().for_each(&mut *diagnostic);
                    run.trajectories += 1;
                    side.file = file;
                    match key {
                        Some(key) => pairing.add(key, is_b, side),
                        None => run.unkeyed += 1,
                    }
                }
                Event::Record(Err(d)) => {
                    run.skipped += 1;
                    diagnostic(&d);
                }
                Event::FileEnd(end) => end.diagnostics.iter().for_each(&mut *diagnostic),
            }
            Ok(())
        },
        watch,
    )?;
    Ok(run)
}

/// What the comparison keeps of a trajectory.
pub fn summarise(t: &Trajectory, rules: &RuleSet) -> Side {
    let mut findings: Vec<(u16, u32)> = Vec::new();
    for (rule, _) in rules.check_indexed(t) {
        let rule = rule as u16;
        match findings.iter_mut().find(|(r, _)| *r == rule) {
            Some((_, n)) => *n += 1,
            None => findings.push((rule, 1)),
        }
    }
    findings.sort_unstable();
    let actions = key::step_hashes(t);
    Side {
        id: t.id.clone(),
        run: t.run.clone(),
        file: 0,
        record: t.source.record,
        verdict: t.outcome.verdict,
        finished: crate::compare::pair::finished(t.outcome.verdict, &t.meta),
        agent_turns: t.agent_turns().count() as u32,
        findings,
        steps: actions.len() as u32,
        actions,
    }
}

/// The name of a run: the `NAME` of `NAME=PATH`, else the run its files share, else the
/// argument's last component.
fn run_name(arg: &Path, files: &[source::RunFile]) -> String {
    if let Some(first) = files.first() {
        if files.iter().all(|f| f.run == first.run) {
            return first.run.to_string();
        }
    }
    arg.file_name()
        .map_or_else(|| arg.display().to_string(), |n| n.to_string_lossy().into())
}

/// The step alignment of two loaded trajectories (the pair on screen), by their steps'
/// action keys (hashed, as the headless comparison aligns them).
pub fn pair(a: &Trajectory, b: &Trajectory) -> Alignment {
    align(&key::step_hashes(a), &key::step_hashes(b))
}
