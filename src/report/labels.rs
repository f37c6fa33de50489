//! The report's part from the journals: the marked trajectories' policy decisions, wrong-turn
//! shares and categories per task, the rules against people, progress and agreement — each
//! from the library code the other commands use (`stats`, `agree`, `export`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use super::{CategoryRow, Labels, WrongRow};
use crate::agree;
use crate::estimate::Proportion;
use crate::export::policy::{decide, Decision, Policy};
use crate::findings::Finding;
use crate::labels::categories::CategorySet;
use crate::labels::progress::{progress, AgentTurns};
use crate::labels::resolve::resolve;
use crate::labels::votes::{self, judge, key_of, Combined, Mark};
use crate::labels::Replay;
use crate::model::{Task, Trajectory};
use crate::rules::RuleSet;
use crate::session::agreement::{ratings_in, Level};
use crate::session::judge::{judge_found, Score};
use crate::session::marks::{entry, marked_ids};

/// Category of a wrong mark without one.
pub const UNCATEGORISED: &str = "uncategorised";

type GroupKey = (Arc<str>, Task);

/// What the marked trajectories add up to.
pub struct Marks {
    /// (run, task, kept turns or why dropped) of each marked trajectory.
    pub decisions: Vec<(Arc<str>, Task, Result<usize, String>)>,
    /// Per group: [judged agent turns, wrong ones].
    wrong: BTreeMap<GroupKey, [u64; 2]>,
    /// Per group: category → wrong marks.
    categories: BTreeMap<GroupKey, BTreeMap<String, u64>>,
    scores: BTreeMap<String, BTreeMap<String, Score>>,
}

/// Resolve the journals' marks against the marked trajectories, score the rules against them,
/// and decide each trajectory's fate by the policy.
pub fn marks(
    replay: &Replay,
    whole: Vec<(Trajectory, Vec<Finding>)>,
    rules: &RuleSet,
    policy: &Policy,
    only: &BTreeSet<String>,
    adjudicated: bool,
) -> Marks {
    let ids = marked_ids(replay);
    let found = whole
        .iter()
        .map(|(t, findings)| {
            let agent = t.agent_turns().map(|x| x.index).collect();
            (entry(t, &ids), agent, findings.clone())
        })
        .collect();
    let (judged, resolved) = judge_found(replay, found, rules);
    let only = only.iter().map(String::as_str).collect();
    let mut votes = votes::votes(&resolved, &only);
    if adjudicated {
        let mut index = crate::labels::resolve::Index::default();
        for (t, _) in &whole {
            let (run, id, hashes) = entry(t, &ids);
            index.add(run, id, hashes);
        }
        votes::add_gold(&mut votes, &resolve(replay.adjudications(), &index));
    }
    let agree = policy.agree;
    let mut out = Marks {
        decisions: Vec::new(),
        wrong: BTreeMap::new(),
        categories: BTreeMap::new(),
        scores: judged.scores,
    };
    for (t, findings) in &whole {
        let v = votes.get(&key_of(t));
        let fate = outcome(t, &decide(t, v, findings, policy));
        out.decisions.push((t.run.clone(), t.task, fate));
        let Some(v) = v else { continue };
        let key = (t.run.clone(), t.task);
        for turn in t.agent_turns().map(|x| x.index) {
            if let Some((combined, _)) = judge(v, turn, agree) {
                let cell = out.wrong.entry(key.clone()).or_default();
                cell[0] += 1;
                cell[1] += u64::from(combined == Combined::Wrong);
            }
            let Some(marks) = v.turns.get(&turn) else {
                continue;
            };
            for (annotator, _) in marks.iter().filter(|(_, m)| **m == Mark::Wrong) {
                let category = v
                    .categories
                    .get(&turn)
                    .and_then(|c| c.get(annotator))
                    .map_or(UNCATEGORISED, String::as_str);
                *out.categories
                    .entry(key.clone())
                    .or_default()
                    .entry(category.to_string())
                    .or_default() += 1;
            }
        }
    }
    out
}

/// The kept turns of a decision, or why it dropped the trajectory.
pub(super) fn outcome(t: &Trajectory, decision: &Decision) -> Result<usize, String> {
    match decision {
        Decision::Keep { truncate_at, .. } => {
            Ok(truncate_at.map_or(t.turns.len(), |k| k.min(t.turns.len())))
        }
        Decision::Drop(reason) => Err(reason.as_str().to_string()),
    }
}

/// The labels section: progress, wrong-turn shares, categories, rule scores, agreement.
pub fn labels(
    replay: &Replay,
    dir: &Path,
    set: &CategorySet,
    agent_turns: &[AgentTurns],
    marks: Marks,
    runs: &[Arc<str>],
) -> Labels {
    let order = |run: &str| runs.iter().position(|r| &**r == run);
    let sorted = |a: &GroupKey, b: &GroupKey| (order(&a.0), a.1).cmp(&(order(&b.0), b.1));
    let mut wrong: Vec<_> = marks.wrong.into_iter().collect();
    wrong.sort_by(|a, b| sorted(&a.0, &b.0));
    let wrong = wrong
        .into_iter()
        .map(|((run, task), [judged, wrong])| WrongRow {
            run: run.to_string(),
            task,
            wrong_turns: Proportion::simple(wrong, judged),
        })
        .collect();
    // The set's names in its order, then any other category seen, then uncategorised.
    let mut categories: Vec<String> = set.names().iter().map(|s| s.to_string()).collect();
    let mut others: Vec<&String> = marks
        .categories
        .values()
        .flat_map(|m| m.keys())
        .filter(|c| !categories.contains(c) && *c != UNCATEGORISED)
        .collect();
    others.sort();
    others.dedup();
    categories.extend(others.into_iter().cloned());
    categories.push(UNCATEGORISED.to_string());
    let mut by_category: Vec<_> = marks.categories.into_iter().collect();
    by_category.sort_by(|a, b| sorted(&a.0, &b.0));
    let by_category = by_category
        .into_iter()
        .map(|((run, task), counts)| CategoryRow {
            run: run.to_string(),
            task,
            counts: categories
                .iter()
                .map(|c| counts.get(c).copied().unwrap_or(0))
                .collect(),
        })
        .collect();
    let names = set.names();
    // Without a label set, no label is unknown: this cannot fail.
    let agreement = ratings_in(replay, Level::Turn, None, Vec::new(), &names)
        .ok()
        .map(|r| agree::agreement(&r));
    Labels {
        annotations: dir.display().to_string(),
        progress: progress(replay, agent_turns),
        wrong,
        categories,
        by_category,
        rule_scores: marks.scores,
        agreement,
    }
}
