//! Annotators' votes: the journals' marks gathered per trajectory, and how several annotators'
//! marks on one turn (or verdicts on one trajectory) combine into one judgement: unanimous,
//! majority (a tie counts as wrong) or any.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::resolve::Resolved;
use crate::model::Trajectory;

/// One annotator's mark on a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mark {
    Right,
    Wrong,
}

/// One annotator's verdict on a whole trajectory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    Accept,
    Reject,
}

/// What the counted annotators say about one trajectory: marks per turn and verdicts, each by
/// annotator name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrajectoryVotes {
    pub turns: BTreeMap<usize, BTreeMap<String, Mark>>,
    pub verdicts: BTreeMap<String, Verdict>,
    /// Notes on turns, by annotator.
    pub notes: BTreeMap<usize, BTreeMap<String, String>>,
    /// The categories of wrong marks on turns, by annotator.
    pub categories: BTreeMap<usize, BTreeMap<String, String>>,
    /// Adjudicated marks on turns (filled by [`add_gold`] only when the gold is wanted).
    pub gold: BTreeMap<usize, Mark>,
    /// The adjudicated verdict.
    pub gold_verdict: Option<Verdict>,
}

impl TrajectoryVotes {
    /// Every annotator who marked `turn` wrong gave it a category `environment` says is not
    /// the agent's fault (a tool or infrastructure error): left out of the agent's defect rate.
    pub fn environment_fault(&self, turn: usize, environment: &dyn Fn(&str) -> bool) -> bool {
        let Some(marks) = self.turns.get(&turn) else {
            return false;
        };
        let categories = self.categories.get(&turn);
        let mut wrong = marks.iter().filter(|(_, m)| **m == Mark::Wrong).peekable();
        wrong.peek().is_some()
            && wrong.all(|(a, _)| {
                categories
                    .and_then(|c| c.get(a))
                    .is_some_and(|c| environment(c))
            })
    }
}

/// Where a turn's judgement came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// An adjudication.
    Adjudicated,
    /// Every annotator gave the same mark.
    Unanimous,
    /// More annotators gave one mark than the other.
    Majority,
    /// As many said right as wrong (the fallback decided).
    Tie,
    /// The fallback left it disputed (`unanimous` with a split).
    Disputed,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Adjudicated => "adjudicated",
            Source::Unanimous => "unanimous",
            Source::Majority => "majority",
            Source::Tie => "tie",
            Source::Disputed => "disputed",
        }
    }
}

/// The judgement of one turn and where it came from: the adjudication when there is one, else
/// the annotators' marks combined by `agree`. `None` when nobody marked it.
pub fn judge(votes: &TrajectoryVotes, turn: usize, agree: Agree) -> Option<(Combined, Source)> {
    if let Some(gold) = votes.gold.get(&turn) {
        let c = match gold {
            Mark::Right => Combined::Right,
            Mark::Wrong => Combined::Wrong,
        };
        return Some((c, Source::Adjudicated));
    }
    let marks = votes.turns.get(&turn)?;
    let combined = combine(marks, agree)?;
    let wrong = marks.values().filter(|&&m| m == Mark::Wrong).count();
    let right = marks.len() - wrong;
    let source = match combined {
        Combined::Disputed => Source::Disputed,
        _ if wrong == 0 || right == 0 => Source::Unanimous,
        _ if wrong == right => Source::Tie,
        _ => Source::Majority,
    };
    Some((combined, source))
}

/// The combined verdict: the adjudicated one when there is one.
pub fn judge_verdict(votes: &TrajectoryVotes, agree: Agree) -> Option<Combined> {
    match votes.gold_verdict {
        Some(Verdict::Accept) => Some(Combined::Right),
        Some(Verdict::Reject) => Some(Combined::Wrong),
        None => combine_verdicts(&votes.verdicts, agree),
    }
}

/// Add the adjudications (resolved to the loaded trajectories) to `votes` as gold: the latest
/// adjudication of each item wins (by `at`), whoever wrote it.
pub fn add_gold(votes: &mut HashMap<TrajectoryKey, TrajectoryVotes>, adjudications: &Resolved) {
    let mut latest: BTreeMap<(TrajectoryKey, Option<usize>), &super::Mark> = BTreeMap::new();
    for (key, mark) in &adjudications.marks {
        let item = ((key.run.clone(), key.trajectory.clone()), key.turn);
        if latest.get(&item).is_none_or(|m| m.at <= mark.at) {
            latest.insert(item, mark);
        }
    }
    for ((trajectory, turn), mark) in latest {
        let v = votes.entry(trajectory).or_default();
        match (turn, mark.label.as_str()) {
            (Some(t), "right") => {
                v.gold.insert(t, Mark::Right);
            }
            (Some(t), "wrong") => {
                v.gold.insert(t, Mark::Wrong);
            }
            (None, "accept") => v.gold_verdict = Some(Verdict::Accept),
            (None, "reject") => v.gold_verdict = Some(Verdict::Reject),
            _ => {}
        }
    }
}

/// How several annotators' marks on one turn combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agree {
    /// A mark stands only when every annotator who marked the turn gave it; otherwise the turn
    /// is disputed (not wrong, but not right either).
    Unanimous,
    /// The mark most annotators gave; a tie counts as wrong.
    Majority,
    /// Wrong when any annotator marked it wrong; right when all marked it right.
    Any,
}

/// The combined judgement of a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Combined {
    Right,
    Wrong,
    Disputed,
}

impl Combined {
    pub fn as_str(self) -> &'static str {
        match self {
            Combined::Right => "right",
            Combined::Wrong => "wrong",
            Combined::Disputed => "disputed",
        }
    }
}

/// Combine the marks of one turn; `None` when nobody marked it.
pub fn combine(marks: &BTreeMap<String, Mark>, agree: Agree) -> Option<Combined> {
    let wrong = marks.values().filter(|&&m| m == Mark::Wrong).count();
    let right = marks.len() - wrong;
    if marks.is_empty() {
        return None;
    }
    Some(match agree {
        Agree::Unanimous if wrong == 0 => Combined::Right,
        Agree::Unanimous if right == 0 => Combined::Wrong,
        Agree::Unanimous => Combined::Disputed,
        Agree::Majority if right > wrong => Combined::Right,
        Agree::Majority => Combined::Wrong,
        Agree::Any if wrong > 0 => Combined::Wrong,
        Agree::Any => Combined::Right,
    })
}

/// Combine trajectory verdicts the same way as marks (accept ~ right, reject ~ wrong).
pub fn combine_verdicts(verdicts: &BTreeMap<String, Verdict>, agree: Agree) -> Option<Combined> {
    let as_marks: BTreeMap<String, Mark> = verdicts
        .iter()
        .map(|(a, v)| {
            let m = match v {
                Verdict::Accept => Mark::Right,
                Verdict::Reject => Mark::Wrong,
            };
            (a.clone(), m)
        })
        .collect();
    combine(&as_marks, agree)
}

/// A trajectory's key: its run and its id.
pub type TrajectoryKey = (Arc<str>, String);

/// The key of `t`.
pub fn key_of(t: &Trajectory) -> TrajectoryKey {
    (t.run.clone(), t.id.clone())
}

/// The journals' marks, resolved to the loaded trajectories, per trajectory, of the counted
/// annotators (all when `only` is empty).
pub fn votes(
    resolved: &Resolved,
    only: &BTreeSet<&str>,
) -> HashMap<TrajectoryKey, TrajectoryVotes> {
    let mut out: HashMap<TrajectoryKey, TrajectoryVotes> = HashMap::new();
    for (key, mark) in &resolved.marks {
        if !only.is_empty() && !only.contains(key.annotator.as_str()) {
            continue;
        }
        let votes = out
            .entry((key.run.clone(), key.trajectory.clone()))
            .or_default();
        let annotator = key.annotator.clone();
        match (key.turn, mark.label.as_str()) {
            (Some(turn), "right" | "wrong") => {
                let m = if mark.label == "right" {
                    Mark::Right
                } else {
                    Mark::Wrong
                };
                votes
                    .turns
                    .entry(turn)
                    .or_default()
                    .insert(annotator.clone(), m);
            }
            (None, "accept") => {
                votes.verdicts.insert(annotator.clone(), Verdict::Accept);
            }
            (None, "reject") => {
                votes.verdicts.insert(annotator.clone(), Verdict::Reject);
            }
            _ => {}
        }
        if let (Some(turn), "wrong", Some(c)) = (key.turn, mark.label.as_str(), &mark.category) {
            votes
                .categories
                .entry(turn)
                .or_default()
                .insert(annotator.clone(), c.clone());
        }
        if let (Some(turn), Some(note)) = (key.turn, &mark.note) {
            votes
                .notes
                .entry(turn)
                .or_default()
                .insert(annotator, note.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(list: &[(&str, Mark)]) -> BTreeMap<String, Mark> {
        list.iter().map(|(a, m)| (a.to_string(), *m)).collect()
    }

    #[test]
    fn combining_marks_follows_the_documented_ties() {
        use Mark::*;
        let split = marks(&[("a", Right), ("b", Wrong)]);
        assert_eq!(combine(&split, Agree::Unanimous), Some(Combined::Disputed));
        assert_eq!(combine(&split, Agree::Majority), Some(Combined::Wrong));
        assert_eq!(combine(&split, Agree::Any), Some(Combined::Wrong));
        let most = marks(&[("a", Right), ("b", Wrong), ("c", Right)]);
        assert_eq!(combine(&most, Agree::Majority), Some(Combined::Right));
        assert_eq!(combine(&most, Agree::Unanimous), Some(Combined::Disputed));
        let all_wrong = marks(&[("a", Wrong), ("b", Wrong)]);
        assert_eq!(combine(&all_wrong, Agree::Unanimous), Some(Combined::Wrong));
        assert_eq!(combine(&BTreeMap::new(), Agree::Any), None);
    }
}
