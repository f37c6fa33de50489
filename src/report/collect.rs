//! The report's one scan: every trajectory is read once, on every core, and reduced on its
//! worker to a small digest (its counts, its findings by rule, the export policy's decision);
//! the ordered part only adds digests up. Trajectories the journals mark are kept whole,
//! because their decision needs the marks resolved against every loaded trajectory first.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::labels::{self, outcome};
use super::{FileRow, Group, Report};
use crate::diag::Diagnostic;
use crate::export::policy::{decide, Policy};
use crate::findings::{Finding, Severity};
use crate::labels::categories::CategorySet;
use crate::labels::progress::AgentTurns;
use crate::labels::Replay;
use crate::load::{Dataset, LoadOptions, Loaded};
use crate::model::{Task, Trajectory};
use crate::rules::RuleSet;
use crate::scan::{self, Event, Watch};
use crate::session::marks::marked_ids;
use crate::stats::{Summary, Tally};

/// What the report is computed from.
pub struct Inputs<'a> {
    pub files: &'a [PathBuf],
    pub load: LoadOptions,
    pub workers: usize,
    /// A sample of `data`'s records (indices), instead of every record of `files`.
    pub sample: Option<(&'a Dataset, &'a [usize], String)>,
    pub rules: &'a RuleSet,
    pub policy: &'a Policy,
    pub policy_text: String,
    /// The annotators counted by the policy (all when empty).
    pub only: BTreeSet<String>,
    pub adjudicated: bool,
    /// The journals, where they are, and their category set.
    pub journals: Option<(&'a Replay, &'a Path, &'a CategorySet)>,
}

/// What becomes of one trajectory under the policy.
enum Fate {
    /// Decided on its worker: the turns kept, or why it was dropped.
    Decided(Result<usize, String>),
    /// The journals mark its id: decided once the marks are resolved.
    Marked(Box<(Trajectory, Vec<Finding>)>),
}

/// One trajectory, reduced.
struct Digest {
    run: Arc<str>,
    summary: Summary,
    /// Rule indices of its findings, one per finding.
    found: Vec<usize>,
    fate: Fate,
    /// With journals: what progress needs of it.
    agent: Option<AgentTurns>,
}

fn digest(t: Trajectory, inputs: &Inputs, marked: &HashSet<String>) -> Digest {
    let indexed = inputs.rules.check_indexed(&t);
    let found = indexed.iter().map(|(rule, _)| *rule).collect();
    let findings: Vec<Finding> = indexed.into_iter().map(|(_, f)| f).collect();
    let agent = inputs.journals.map(|_| AgentTurns::of(&t));
    let summary = Summary::of(&t);
    let run = t.run.clone();
    let fate = if marked.contains(&t.id) {
        Fate::Marked(Box::new((t, findings)))
    } else {
        Fate::Decided(outcome(&t, &decide(&t, None, &findings, inputs.policy)))
    };
    Digest {
        run,
        summary,
        found,
        fate,
        agent,
    }
}

/// A group's counts while the scan runs (rules by index).
#[derive(Default)]
struct Acc {
    tally: Tally,
    with_findings: u64,
    rules: Vec<[u64; 2]>,
    kept: u64,
    kept_turns: u64,
    dropped: BTreeMap<String, u64>,
}

impl Acc {
    fn decided(&mut self, fate: Result<usize, String>) {
        match fate {
            Ok(turns) => {
                self.kept += 1;
                self.kept_turns += turns as u64;
            }
            Err(reason) => *self.dropped.entry(reason).or_default() += 1,
        }
    }
}

/// What the scan tells its caller as it goes, in file order.
pub enum Note<'a> {
    /// A problem of the input.
    Diagnostic(&'a Diagnostic),
    /// A file is read to its end.
    FileEnd(&'a Path),
}

/// Read the inputs once and count everything the report shows. `note` hears of each problem
/// of the input as it is met, and of each file's end.
pub fn collect(inputs: &Inputs, watch: &Watch, mut note: impl FnMut(Note)) -> io::Result<Report> {
    let marked = inputs
        .journals
        .map_or_else(HashSet::new, |(r, _, _)| marked_ids(r));
    // Each file's run, also for a file none of whose records is read.
    let run_of: HashMap<PathBuf, Arc<str>> = crate::load::source::expand_runs(inputs.files)?
        .into_iter()
        .map(|f| (f.path, f.run))
        .collect();
    let nrules = inputs.rules.rules().len();
    let mut files: Vec<FileRow> = Vec::new();
    let mut formats: Vec<BTreeSet<&'static str>> = Vec::new();
    let mut runs: Vec<Arc<str>> = Vec::new();
    let mut accs: HashMap<(Arc<str>, Task), Acc> = HashMap::new();
    let mut kept_whole: Vec<(Trajectory, Vec<Finding>)> = Vec::new();
    let mut agent_turns: Vec<AgentTurns> = Vec::new();
    type Mapped = Result<(Digest, Vec<Diagnostic>), Diagnostic>;
    let map = |r: Result<Loaded, Diagnostic>| -> Mapped {
        r.map(|(t, warnings)| (digest(t, inputs, &marked), warnings))
    };
    let sink = |event: Event<Mapped>| -> io::Result<()> {
        match event {
            Event::FileStart(path) => {
                files.push(FileRow {
                    file: path.display().to_string(),
                    run: run_of
                        .get(&*path)
                        .map(|r| r.to_string())
                        .unwrap_or_default(),
                    formats: Vec::new(),
                    trajectories: 0,
                    skipped: 0,
                });
                formats.push(BTreeSet::new());
            }
            Event::Record(Ok((d, warnings))) => {
                warnings.iter().for_each(|w| note(Note::Diagnostic(w)));
                if let (Some(file), Some(f)) = (files.last_mut(), formats.last_mut()) {
                    file.trajectories += 1;
                    if file.run.is_empty() {
                        file.run = d.run.to_string();
                    }
                    f.insert(d.summary.format.as_str());
                }
                if !runs.contains(&d.run) {
                    runs.push(d.run.clone());
                }
                let acc = accs.entry((d.run.clone(), d.summary.task)).or_default();
                acc.tally.add(&d.summary);
                if !d.found.is_empty() {
                    acc.with_findings += 1;
                    if acc.rules.is_empty() {
                        acc.rules = vec![[0; 2]; nrules];
                    }
                    let mut seen: Vec<usize> = Vec::new();
                    for &rule in &d.found {
                        acc.rules[rule][1] += 1;
                        if !seen.contains(&rule) {
                            seen.push(rule);
                            acc.rules[rule][0] += 1;
                        }
                    }
                }
                match d.fate {
                    Fate::Decided(fate) => acc.decided(fate),
                    Fate::Marked(whole) => kept_whole.push(*whole),
                }
                agent_turns.extend(d.agent);
            }
            Event::Record(Err(d)) => {
                if let Some(file) = files.last_mut() {
                    file.skipped += 1;
                }
                note(Note::Diagnostic(&d));
            }
            Event::FileEnd(end) => {
                end.diagnostics
                    .iter()
                    .for_each(|d| note(Note::Diagnostic(d)));
                note(Note::FileEnd(&end.path));
            }
        }
        Ok(())
    };
    match &inputs.sample {
        None => scan::scan_watched(inputs.files, inputs.load, inputs.workers, map, sink, watch)?,
        Some((data, selected, _)) => scan::scan_selected(data, selected, map, sink)?,
    }
    for (file, f) in files.iter_mut().zip(formats) {
        file.formats = f.into_iter().map(str::to_string).collect();
    }
    // A sample lists the files it drew from.
    if inputs.sample.is_some() {
        files.retain(|f| f.trajectories + f.skipped > 0);
    }
    let labels = inputs.journals.map(|(replay, dir, set)| {
        let marks = labels::marks(
            replay,
            kept_whole,
            inputs.rules,
            inputs.policy,
            &inputs.only,
            inputs.adjudicated,
        );
        for (run, task, fate) in &marks.decisions {
            if let Some(acc) = accs.get_mut(&(run.clone(), *task)) {
                acc.decided(fate.clone());
            }
        }
        labels::labels(replay, dir, set, &agent_turns, marks, &runs)
    });
    let rule_info = inputs.rules.rules();
    let mut used: BTreeMap<String, Severity> = BTreeMap::new();
    let mut groups: Vec<Group> = accs
        .into_iter()
        .map(|((run, task), acc)| {
            let mut rules = BTreeMap::new();
            for (i, cell) in acc.rules.iter().enumerate().filter(|(_, c)| c[1] > 0) {
                let info = &rule_info[i];
                rules.insert(info.id.to_string(), *cell);
                used.insert(info.id.to_string(), info.severity);
            }
            Group {
                run: run.to_string(),
                task,
                tally: acc.tally,
                with_findings: acc.with_findings,
                rules,
                kept: acc.kept,
                kept_turns: acc.kept_turns,
                dropped: acc.dropped,
            }
        })
        .collect();
    let order = |run: &str| runs.iter().position(|r| &**r == run);
    groups.sort_by_key(|g| (order(&g.run), g.task));
    Ok(Report {
        files,
        runs: runs.iter().map(|r| r.to_string()).collect(),
        groups,
        rules: used
            .into_iter()
            .map(|(id, s)| (id, s.as_str().to_string()))
            .collect(),
        policy: inputs.policy_text.clone(),
        sample: inputs.sample.as_ref().map(|(_, _, s)| s.clone()),
        labels,
    })
}
