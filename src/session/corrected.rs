//! The defect rate by a predictor corrected for its errors (`trev stats --estimate --by
//! JUDGE|rules`): the predictor — a model judge's journal, or the rules' error findings — says
//! which trajectories have a wrong agent turn over the whole dataset; the people's reviewed
//! sample (the judge's own marks left out) gives its sensitivity and specificity; Rogan–Gladen
//! corrects the apparent share (see [`crate::estimate::corrected`]).

use std::collections::{BTreeSet, HashMap};

use crate::estimate::corrected::{rogan_gladen, Corrected};
use crate::estimate::RulePrediction;
use crate::labels::votes::{self, combine, key_of, Agree, Combined, TrajectoryKey};
use crate::load::Dataset;
use crate::model::Trajectory;
use crate::parallel;

use super::estimate::{Census, Selection};

/// What predicts "has a wrong agent turn": `Some(prediction)`, or `None` where it says
/// nothing (a trajectory the judge did not label).
pub type Predict<'a> = &'a (dyn Fn(&Trajectory) -> Option<bool> + Sync);

/// A judge's turn marks per trajectory: (turn, marked wrong).
pub type JudgeMarks = HashMap<TrajectoryKey, Vec<(usize, bool)>>;

/// The turn marks of annotator `name` (the judge), resolved to the census's trajectories.
pub fn judge_marks(census: &Census, name: &str) -> JudgeMarks {
    let mut out: JudgeMarks = HashMap::new();
    for (key, mark) in &census.marks.marks {
        if let (true, Some(turn)) = (key.annotator == name, key.turn) {
            out.entry((key.run.clone(), key.trajectory.clone()))
                .or_default()
                .push((turn, mark.label == "wrong"));
        }
    }
    out
}

/// What the judge says of `t`: nothing when it labelled no turn of it; else whether it marked
/// an agent turn (not an in-context demo) wrong.
pub fn judge_says(marks: &JudgeMarks, t: &Trajectory) -> Option<bool> {
    let mine = marks.get(&key_of(t))?;
    Some(mine.iter().any(|&(turn, wrong)| {
        wrong
            && t.turns
                .get(turn)
                .is_some_and(|x| x.role == crate::model::Role::Agent && !x.demo)
    }))
}

/// The corrected share of trajectories with a wrong agent turn. People's verdicts (every
/// annotator but `exclude`, combined by majority per turn) on the selected records are the
/// truth for the predictor's errors; its apparent share is over every record it predicts.
pub fn corrected(
    data: &Dataset,
    census: &Census,
    selection: &Selection,
    predict: Predict,
    exclude: Option<&str>,
) -> Corrected {
    let people: BTreeSet<&str> = census
        .marks
        .marks
        .keys()
        .map(|k| k.annotator.as_str())
        .filter(|a| Some(*a) != exclude)
        .collect();
    let votes = if people.is_empty() {
        HashMap::new()
    } else {
        votes::votes(&census.marks, &people)
    };
    let reviewed: Vec<usize> = selection
        .records
        .iter()
        .copied()
        .filter(|&i| {
            census
                .keys
                .get(i)
                .and_then(Option::as_ref)
                .is_some_and(|k| votes.contains_key(k))
        })
        .collect();
    let pairs = parallel::parallel_map(reviewed.len(), |k| {
        let (t, _) = data.load(reviewed[k]).ok()?;
        let v = votes.get(&key_of(&t))?;
        let judged: Vec<Combined> = t
            .agent_turns()
            .filter_map(|x| combine(v.turns.get(&x.index)?, Agree::Majority))
            .collect();
        if judged.is_empty() {
            return None;
        }
        Some((predict(&t)?, judged.contains(&Combined::Wrong)))
    });
    let mut v = RulePrediction::default();
    for (predicted, wrong) in pairs.into_iter().flatten() {
        match (predicted, wrong) {
            (true, true) => v.true_positive += 1,
            (true, false) => v.false_positive += 1,
            (false, true) => v.false_negative += 1,
            (false, false) => v.true_negative += 1,
        }
    }
    let all = parallel::parallel_map(data.len(), |i| {
        let (t, _) = data.load(i).ok()?;
        predict(&t)
    });
    let judged = all.iter().flatten().count() as u64;
    let flagged = all.iter().flatten().filter(|&&p| p).count() as u64;
    rogan_gladen(flagged, judged, &v)
}

/// The correction as text.
pub fn lines(c: &Corrected, by: &str, population: u64) -> Vec<String> {
    let pct = |x: Option<f64>| x.map_or("undefined".to_string(), |v| format!("{:.1} %", v * 100.0));
    let mut out = vec![format!(
        "corrected by {by} (Rogan–Gladen): {by} says {} of {} trajectories it judged have a wrong agent turn ({}); against people on the reviewed: sensitivity {}, specificity {}",
        c.apparent_count,
        c.apparent_of,
        pct(c.apparent),
        pct(c.sensitivity),
        pct(c.specificity)
    )];
    out.push(match (c.share, c.low, c.high) {
        (Some(s), Some(l), Some(h)) => format!(
            "  trajectories with a wrong agent turn, corrected: {} (95 % CI {}–{}): about {} of {} trajectories",
            pct(Some(s)),
            pct(Some(l)),
            pct(Some(h)),
            crate::numbers::grouped((s * population as f64).round() as u64),
            crate::numbers::grouped(population)
        ),
        _ => "  not correctable: it needs trajectories the predictor judged, reviewed ones with and without a wrong turn, and sensitivity + specificity over 1".to_string(),
    });
    out
}
