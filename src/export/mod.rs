//! Gold-set export: decide per trajectory (policy), write the kept records (render), write the
//! file safely (output), and account for everything (report).

pub mod labels;
pub mod output;
pub mod policy;
pub mod render;

use std::collections::{BTreeMap, HashMap};
use std::io;

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::findings::Finding;
use crate::labels::votes::{key_of, Source, TrajectoryKey, TrajectoryVotes};
use crate::load::Dataset;
use crate::model::{Task, Trajectory};
use output::GoldFile;
use policy::{Decision, Policy};
use render::{Edits, Target};

/// The counts of one task (or of everything).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TaskReport {
    pub kept: u64,
    /// Kept with at least one turn's loss switched off.
    pub masked: u64,
    /// Kept as the prefix before the first wrong agent turn.
    pub truncated: u64,
    /// Dropped, and replaced by the fallback file's record of the same id.
    pub replaced: u64,
    pub dropped: u64,
    pub dropped_by_reason: BTreeMap<String, u64>,
    /// Judged agent turns by where the judgement came from (`adjudicated`, `unanimous`,
    /// `majority`, `tie`, `disputed`); only with `--agree adjudicated`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub turns_by_source: BTreeMap<String, u64>,
    /// Disputed agent turns left in kept records with their loss on (never silently: the
    /// report names them).
    #[serde(skip_serializing_if = "is_zero")]
    pub disputed_kept: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// What an export did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub total: TaskReport,
    pub by_task: BTreeMap<String, TaskReport>,
    /// Records of the input that could not be loaded (not written).
    pub unreadable: u64,
    pub written: u64,
}

impl Report {
    fn count(&mut self, task: Task, f: impl Fn(&mut TaskReport)) {
        f(&mut self.total);
        f(self.by_task.entry(task.as_str().to_string()).or_default());
    }
}

/// Records of another file, by id, to restore dropped trajectories.
pub struct Fallback {
    pub dataset: Dataset,
    pub by_id: HashMap<String, usize>,
}

impl Fallback {
    /// Index the fallback dataset's ids (it is read in full once).
    pub fn new(dataset: Dataset) -> Fallback {
        dataset.wait();
        let by_id = (0..dataset.len())
            .filter_map(|i| dataset.load(i).ok().map(|(t, _)| (t.id, i)))
            .collect();
        Fallback { dataset, by_id }
    }
}

/// Everything an export needs to decide and write.
pub struct Job<'a> {
    pub policy: &'a Policy,
    pub target: Target,
    pub votes: &'a HashMap<TrajectoryKey, TrajectoryVotes>,
    pub findings: &'a (dyn Fn(&Trajectory) -> Vec<Finding> + Sync),
    pub fallback: Option<&'a Fallback>,
    /// Count judged turns by source (`--agree adjudicated`).
    pub sources: bool,
}

/// Export the records of `data` (all, or the `selection` of global indices) into `out` (which
/// may be a dry run). Unreadable records go to `on_diagnostic`; every loaded trajectory is
/// shown to `observe` (for the labels table).
pub fn export(
    data: &Dataset,
    selection: Option<&[usize]>,
    job: &Job,
    out: &mut GoldFile,
    mut on_diagnostic: impl FnMut(&Diagnostic),
    mut observe: impl FnMut(&Trajectory),
) -> io::Result<Report> {
    data.wait();
    let mut report = Report::default();
    let all: Vec<usize>;
    let indices = match selection {
        Some(s) => s,
        None => {
            all = (0..data.len()).collect();
            &all
        }
    };
    for &i in indices {
        let ((t, _), bytes) = match data.load_with_bytes(i) {
            Ok(loaded) => loaded,
            Err(d) => {
                report.unreadable += 1;
                on_diagnostic(&d);
                continue;
            }
        };
        observe(&t);
        let findings = (job.findings)(&t);
        let votes = job.votes.get(&key_of(&t));
        let decision = policy::decide(&t, votes, &findings, job.policy);
        let sources = policy::sources(&t, votes, job.policy);
        if job.sources {
            for (_, source) in &sources {
                report.count(t.task, |r| {
                    *r.turns_by_source
                        .entry(source.as_str().to_string())
                        .or_default() += 1;
                });
            }
        }
        match decision {
            Decision::Keep {
                masked,
                truncate_at,
            } => {
                let edits = Edits {
                    masked: &masked,
                    truncate_at,
                };
                let rendered = render::render(&bytes, &t, edits, job.target).map_err(|e| {
                    io::Error::new(io::ErrorKind::InvalidData, format!("{}: {e}", t.id))
                })?;
                out.write_record(&rendered)?;
                report.written += 1;
                let disputed = sources
                    .iter()
                    .filter(|(i, s)| {
                        *s == Source::Disputed
                            && truncate_at.is_none_or(|k| *i < k)
                            && !masked.contains(i)
                    })
                    .count() as u64;
                report.count(t.task, |r| {
                    r.disputed_kept += disputed;
                    r.kept += 1;
                    r.masked += u64::from(!masked.is_empty());
                    r.truncated += u64::from(truncate_at.is_some());
                });
            }
            Decision::Drop(reason) => {
                if let Some(replacement) = replacement(job, &t)? {
                    out.write_record(&replacement)?;
                    report.written += 1;
                    report.count(t.task, |r| r.replaced += 1);
                }
                report.count(t.task, |r| {
                    r.dropped += 1;
                    *r.dropped_by_reason
                        .entry(reason.as_str().to_string())
                        .or_default() += 1;
                });
            }
        }
    }
    Ok(report)
}

/// The fallback file's record with the same id, in the output format.
fn replacement(job: &Job, t: &Trajectory) -> io::Result<Option<Vec<u8>>> {
    let Some(fallback) = job.fallback else {
        return Ok(None);
    };
    let Some(&i) = fallback.by_id.get(&t.id) else {
        return Ok(None);
    };
    let ((original, _), bytes) = fallback
        .dataset
        .load_with_bytes(i)
        .map_err(|d| io::Error::other(d.to_string()))?;
    let none = Edits {
        masked: &[],
        truncate_at: None,
    };
    render::render(&bytes, &original, none, job.target)
        .map(Some)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))
}
