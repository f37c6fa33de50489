//! From a reviewed sample to the whole dataset: the share of trajectories with a wrong agent
//! turn and the share of wrong agent turns, overall and per task, with 95 % Wilson intervals,
//! scaled to the dataset's counts; and how well the rules predicted the human verdict.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::Task;
use crate::numbers::grouped as group;
use crate::sample::{wilson, Proportion};

/// What the review found in one sampled trajectory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reviewed {
    pub task: Task,
    /// Agent turns with a combined judgement.
    pub judged_turns: u64,
    pub wrong_turns: u64,
    /// The rules found an error-level defect in it.
    pub flagged: bool,
}

/// The whole dataset's size, to scale to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Population {
    pub trajectories: u64,
    pub agent_turns: u64,
}

/// A share and its extrapolation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scaled {
    #[serde(flatten)]
    pub share: Proportion,
    /// Of how many in the whole dataset.
    pub population: u64,
    /// `[estimate, low, high]`; `None` when nothing was reviewed.
    pub estimate: Option<[u64; 3]>,
}

fn scaled(share: Proportion, population: u64) -> Scaled {
    Scaled {
        share,
        population,
        estimate: share.extrapolate(population).map(|(e, l, h)| [e, l, h]),
    }
}

/// The estimate for one group (a task, or everything).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Trajectories with at least one wrong agent turn.
    pub trajectories_with_wrong: Scaled,
    /// Wrong agent turns among judged agent turns (turns are counted as independent draws,
    /// which narrows the interval when errors cluster in trajectories).
    pub wrong_turns: Scaled,
}

/// How the rules' error findings predicted "has a wrong agent turn" on the reviewed sample.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct RulePrediction {
    pub true_positive: u64,
    pub false_positive: u64,
    pub false_negative: u64,
    pub true_negative: u64,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub accuracy: Option<f64>,
}

/// The full report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub overall: Estimate,
    pub by_task: BTreeMap<String, Estimate>,
    pub rules: RulePrediction,
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

fn estimate_of<'a>(
    reviewed: impl Iterator<Item = &'a Reviewed>,
    population: Population,
) -> Estimate {
    let (mut trajs, mut with_wrong, mut turns, mut wrong) = (0, 0, 0, 0);
    for r in reviewed.filter(|r| r.judged_turns > 0) {
        trajs += 1;
        with_wrong += u64::from(r.wrong_turns > 0);
        turns += r.judged_turns;
        wrong += r.wrong_turns;
    }
    Estimate {
        trajectories_with_wrong: scaled(wilson(with_wrong, trajs), population.trajectories),
        wrong_turns: scaled(wilson(wrong, turns), population.agent_turns),
    }
}

/// Estimate from the reviewed trajectories (those with no judged agent turn are left out).
pub fn estimate(
    reviewed: &[Reviewed],
    total: Population,
    by_task: &BTreeMap<Task, Population>,
) -> Report {
    let mut rules = RulePrediction::default();
    for r in reviewed.iter().filter(|r| r.judged_turns > 0) {
        match (r.flagged, r.wrong_turns > 0) {
            (true, true) => rules.true_positive += 1,
            (true, false) => rules.false_positive += 1,
            (false, true) => rules.false_negative += 1,
            (false, false) => rules.true_negative += 1,
        }
    }
    let all =
        rules.true_positive + rules.false_positive + rules.false_negative + rules.true_negative;
    rules.precision = ratio(
        rules.true_positive,
        rules.true_positive + rules.false_positive,
    );
    rules.recall = ratio(
        rules.true_positive,
        rules.true_positive + rules.false_negative,
    );
    rules.accuracy = ratio(rules.true_positive + rules.true_negative, all);
    Report {
        overall: estimate_of(reviewed.iter(), total),
        by_task: by_task
            .iter()
            .map(|(task, pop)| {
                let e = estimate_of(reviewed.iter().filter(|r| r.task == *task), *pop);
                (task.as_str().to_string(), e)
            })
            .collect(),
        rules,
    }
}

/// "about 7 400 of 64 000 trajectories, 95 % CI 5 900–9 200"
pub fn describe(s: &Scaled, what: &str) -> String {
    match (s.estimate, s.share.share) {
        (Some([e, l, h]), Some(p)) => format!(
            "{:.1} % ({} of {} reviewed): about {} of {} {what}, 95 % CI {}–{}",
            p * 100.0,
            s.share.count,
            s.share.of,
            group(e),
            group(s.population),
            group(l),
            group(h)
        ),
        _ => format!("nothing reviewed yet (0 of {} {what})", group(s.population)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reviewed(task: Task, judged: u64, wrong: u64, flagged: bool) -> Reviewed {
        Reviewed {
            task,
            judged_turns: judged,
            wrong_turns: wrong,
            flagged,
        }
    }

    #[test]
    fn shares_scale_to_the_dataset() {
        let mut sample = vec![reviewed(Task::Os, 4, 0, false); 90];
        sample.extend(vec![reviewed(Task::Os, 4, 1, true); 10]);
        sample.push(reviewed(Task::Db, 0, 0, true)); // not reviewed: left out
        let total = Population {
            trajectories: 64_000,
            agent_turns: 256_000,
        };
        let by_task = BTreeMap::from([(Task::Os, total)]);
        let r = estimate(&sample, total, &by_task);
        let t = r.overall.trajectories_with_wrong;
        assert_eq!((t.share.count, t.share.of), (10, 100));
        assert_eq!(t.estimate, Some([6400, 3535, 11159]));
        assert_eq!(r.overall.wrong_turns.share.of, 400);
        assert_eq!(r.by_task["os"], r.overall);
        assert_eq!(r.rules.true_positive, 10);
        assert_eq!(r.rules.precision, Some(1.0));
        assert_eq!(r.rules.recall, Some(1.0));
        assert_eq!(
            describe(&t, "trajectories"),
            "10.0 % (10 of 100 reviewed): about 6 400 of 64 000 trajectories, 95 % CI 3 535–11 159"
        );
    }

    #[test]
    fn nothing_reviewed_is_said_plainly() {
        let r = estimate(&[], Population::default(), &BTreeMap::new());
        assert_eq!(r.overall.trajectories_with_wrong.estimate, None);
        assert_eq!(r.rules.precision, None);
        assert!(describe(&r.overall.wrong_turns, "agent turns").starts_with("nothing reviewed"));
    }
}
