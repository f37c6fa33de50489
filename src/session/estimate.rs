//! The estimate use-case: from the reviewed part of a sample to the whole dataset (the share
//! of trajectories with a wrong agent turn and of wrong agent turns, with 95 % intervals) and
//! how well the rules predicted the people's verdict. `trev stats --estimate` and the review
//! screen's estimate panel both print [`lines`] of [`estimate`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::Result;

use crate::estimate::{self, Design, Population, Report, Reviewed};
use crate::labels::categories::CategorySet;
use crate::labels::resolve::{resolve, Index, Resolved};
use crate::labels::votes::{self, combine, key_of, Agree, Combined, TrajectoryKey};
use crate::labels::Replay;
use crate::load::Dataset;
use crate::model::{Task, Trajectory};
use crate::parallel;
use crate::sample::{self, SampleSpec};

/// Every record of the dataset read once: its trajectory key (`None` when it cannot be
/// loaded), the dataset's size overall and per task, and the journals' marks resolved to its
/// trajectories.
pub struct Census {
    pub keys: Vec<Option<TrajectoryKey>>,
    pub total: Population,
    pub by_task: BTreeMap<Task, Population>,
    pub marks: Resolved,
}

/// Read every record of `data` (once the index is complete), in parallel, and resolve the
/// marks of `replay` to its trajectories.
pub fn census(data: &Dataset, replay: &Replay) -> Census {
    data.wait();
    let marked = super::marks::marked_ids(replay);
    let all = parallel::parallel_map(data.len(), |i| {
        data.load(i).ok().map(|(t, _)| {
            let entry = super::marks::entry(&t, &marked);
            (key_of(&t), t.task, t.agent_turns().count() as u64, entry)
        })
    });
    let mut total = Population::default();
    let mut by_task: BTreeMap<Task, Population> = BTreeMap::new();
    let mut index = Index::default();
    let mut keys = Vec::with_capacity(all.len());
    for found in all {
        let Some((key, task, turns, (run, id, hashes))) = found else {
            keys.push(None);
            continue;
        };
        for p in [&mut total, by_task.entry(task).or_default()] {
            p.trajectories += 1;
            p.agent_turns += turns;
        }
        index.add(run, id, hashes);
        keys.push(Some(key));
    }
    Census {
        keys,
        total,
        by_task,
        marks: resolve(replay.marks(), &index),
    }
}

/// The trajectories an estimate is computed from, and how they were chosen.
pub struct Selection {
    /// Record indices into the dataset.
    pub records: Vec<usize>,
    pub design: Design,
    /// Trajectories of the recorded sample that are not in the data.
    pub missing: usize,
}

/// How a sample drawn by `spec` is to be weighted.
pub fn design_of(spec: &SampleSpec) -> Design {
    if spec.stratify || spec.per_task.is_some() {
        Design::ByTask
    } else {
        Design::Uniform
    }
}

/// What to estimate from: the sample drawn (and recorded in `dir`) when `spec` is given, else
/// the one recorded in `dir`, else every trajectory of the data — not a random sample, so the
/// estimate then only describes what was reviewed.
pub fn selection(
    data: &Dataset,
    census: &Census,
    spec: Option<&SampleSpec>,
    dir: &Path,
) -> Result<Selection> {
    if let Some(spec) = spec {
        let records = super::sample::draw(data, spec, Some(dir))?;
        return Ok(Selection {
            records,
            design: design_of(spec),
            missing: 0,
        });
    }
    let Some(record) = sample::recorded(dir)? else {
        return Ok(Selection {
            records: (0..census.keys.len()).collect(),
            design: Design::Reviewed,
            missing: 0,
        });
    };
    let keys: Vec<Option<(String, String)>> = census
        .keys
        .iter()
        .map(|k| k.as_ref().map(|(run, id)| (run.to_string(), id.clone())))
        .collect();
    let records = super::sample::matches(&record, &keys);
    Ok(Selection {
        missing: record.ids.len().saturating_sub(records.len()),
        records,
        design: design_of(&record.spec),
    })
}

/// An estimate and what it was computed from.
pub struct Estimated {
    pub report: Report,
    /// Sampled trajectories with at least one judged agent turn.
    pub reviewed: usize,
    pub sampled: usize,
    /// Trajectories in the dataset.
    pub population: u64,
}

/// Estimate from the selected records of `data`: each agent turn's marks (resolved by the
/// census) combined by majority; `flagged` says whether the rules find an error-level defect
/// in a trajectory. Only records someone marked are read.
pub fn estimate(
    data: &Dataset,
    census: &Census,
    selection: &Selection,
    flagged: &(dyn Fn(&Trajectory) -> bool + Sync),
) -> Estimated {
    let set = CategorySet::default();
    estimate_in(data, census, selection, flagged, &set)
}

/// [`estimate`] with the category set in use: an agent turn that every annotator who marked it
/// wrong put in an environment category (`environment-fault`: not the agent's fault) is left
/// out of the agent's defect rate, as if unjudged.
pub fn estimate_in(
    data: &Dataset,
    census: &Census,
    selection: &Selection,
    flagged: &(dyn Fn(&Trajectory) -> bool + Sync),
    set: &CategorySet,
) -> Estimated {
    let environment = |c: &str| set.get(c).is_some_and(|c| c.environment);
    let votes = votes::votes(&census.marks, &BTreeSet::new());
    let selected: Vec<usize> = selection
        .records
        .iter()
        .copied()
        .filter(|&i| {
            census
                .keys
                .get(i)
                .and_then(Option::as_ref)
                .is_some_and(|key| votes.contains_key(key))
        })
        .collect();
    let reviewed: Vec<Reviewed> = parallel::parallel_map(selected.len(), |k| {
        let (t, _) = data.load(selected[k]).ok()?;
        let v = votes.get(&key_of(&t));
        let (mut judged, mut wrong) = (0, 0);
        for turn in t.agent_turns() {
            match v.and_then(|v| combine(v.turns.get(&turn.index)?, Agree::Majority)) {
                Some(Combined::Wrong)
                    if v.is_some_and(|v| v.environment_fault(turn.index, &environment)) => {}
                Some(Combined::Wrong) => {
                    judged += 1;
                    wrong += 1;
                }
                Some(_) => judged += 1,
                None => {}
            }
        }
        Some(Reviewed {
            task: t.task,
            judged_turns: judged,
            wrong_turns: wrong,
            flagged: flagged(&t),
        })
    })
    .into_iter()
    .flatten()
    .collect();
    Estimated {
        report: estimate::estimate(&reviewed, selection.design, census.total, &census.by_task),
        reviewed: reviewed.iter().filter(|r| r.judged_turns > 0).count(),
        sampled: selection.records.len(),
        population: census.total.trajectories,
    }
}

/// The estimate as text, one line a row: what it is computed from, each group's shares and
/// extrapolations, and the rules' prediction.
pub fn lines(e: &Estimated) -> Vec<String> {
    let report = &e.report;
    let how = match report.design {
        Design::Uniform => "a uniform sample",
        Design::ByTask => "a sample drawn per task, each task weighted by its size",
        Design::Reviewed => "no random sample",
    };
    let mut out = vec![format!(
        "estimate from {} reviewed of {} sampled trajectories ({} in the dataset; {how}; majority of annotators per turn)",
        e.reviewed, e.sampled, e.population
    )];
    if report.design == Design::Reviewed {
        out[0] = format!(
            "the {} reviewed of {} trajectories (majority of annotators per turn)",
            e.reviewed, e.population
        );
        out.push(
            "no random sample is recorded, so these shares describe the reviewed trajectories only and say nothing of the rest: draw one with --sample N to estimate the whole dataset".into(),
        );
    }
    if !report.tasks_not_covered.is_empty() {
        out.push(format!(
            "no reviewed trajectory yet in: {} (left out of the overall estimate)",
            report.tasks_not_covered.join(", ")
        ));
    }
    let groups = std::iter::once(("all tasks", &report.overall))
        .chain(report.by_task.iter().map(|(task, g)| (task.as_str(), g)));
    for (name, g) in groups {
        out.push(name.to_string());
        out.push(format!(
            "  trajectories with a wrong agent turn: {}",
            estimate::describe(&g.trajectories_with_wrong, "trajectories")
        ));
        out.push(format!(
            "  wrong agent turns: {}",
            estimate::describe(&g.wrong_turns, "agent turns")
        ));
    }
    let r = &report.rules;
    let pct = |x: Option<f64>| x.map_or("undefined".to_string(), |v| format!("{:.1} %", v * 100.0));
    out.push(format!(
        "rules (an error finding predicts a wrong agent turn): precision {}, recall {}, accuracy {} (TP {}, FP {}, FN {}, TN {})",
        pct(r.precision),
        pct(r.recall),
        pct(r.accuracy),
        r.true_positive,
        r.false_positive,
        r.false_negative,
        r.true_negative
    ));
    out
}
