//! Label progress over a dataset: per annotator, agent turns marked, the right/wrong split,
//! trajectories complete, stale marks, verdicts and pace; marks on the other turns (they exist,
//! but progress counts agent turns only) and on turns the data does not have.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;

use super::replay::Replay;
use super::resolve::{resolve, Index};
use crate::model::{Role, Trajectory};

/// What progress needs of one trajectory: its agent turns (not demo) and their text hashes,
/// which progress counts, and which other turns it has.
#[derive(Debug, Clone)]
pub struct AgentTurns {
    pub run: Arc<str>,
    pub trajectory: String,
    pub turns: Vec<(usize, String)>,
    /// Every turn of the trajectory: a mark on turn `len` or later is on a turn it does not have.
    pub len: usize,
    /// The environment turns (increasing).
    pub environment: Vec<usize>,
}

impl AgentTurns {
    /// The agent turns of `t` that are not in-context examples, and what its other turns are.
    pub fn of(t: &Trajectory) -> AgentTurns {
        AgentTurns {
            run: t.run.clone(),
            trajectory: t.id.clone(),
            turns: t
                .agent_turns()
                .map(|x| (x.index, super::text_hash(&x.text)))
                .collect(),
            len: t.turns.len(),
            environment: t
                .turns
                .iter()
                .filter(|x| x.role == Role::Environment)
                .map(|x| x.index)
                .collect(),
        }
    }
}

/// What a marked turn is to progress.
enum Marked<'a> {
    /// An agent turn that counts, with its text hash.
    Agent(&'a str),
    Environment,
    /// A prompt, the instruction or an in-context demo agent turn.
    Other,
}

/// One annotator's progress.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Progress {
    pub annotator: String,
    /// Agent turns in the data.
    pub agent_turns: u64,
    /// Agent turns this annotator has marked.
    pub marked: u64,
    pub right: u64,
    pub wrong: u64,
    /// Marks with another label (a judge's own label set).
    pub other: u64,
    /// Marks made on a turn whose text changed since.
    pub stale: u64,
    /// Trajectories with agent turns, and those whose every agent turn is marked.
    pub trajectories: u64,
    pub trajectories_complete: u64,
    pub accepted: u64,
    pub rejected: u64,
    /// Marks on environment turns (progress counts agent turns only).
    pub on_environment: u64,
    /// Marks on the other turns progress does not count: prompts, the instruction, in-context
    /// demo agent turns.
    pub on_other_turns: u64,
    /// Marks on turns or trajectories the data does not have.
    pub unmatched: u64,
    /// Median seconds between consecutive marks.
    pub pace_seconds: Option<f64>,
}

/// Progress of every annotator in `replay` over the data's agent turns (marks resolved to the
/// data's trajectories by run and id, see [`super::resolve`]).
pub fn progress(replay: &Replay, data: &[AgentTurns]) -> Vec<Progress> {
    let mut hashes: HashMap<(&str, &str, usize), &str> = HashMap::new();
    let mut ids: HashMap<(&str, &str), &AgentTurns> = HashMap::new();
    let mut index = Index::default();
    for t in data {
        ids.entry((&t.run, &t.trajectory)).or_insert(t);
        let mut by_turn = vec![String::new(); t.len];
        for (turn, hash) in &t.turns {
            hashes.insert((&t.run, &t.trajectory, *turn), hash);
            if let Some(slot) = by_turn.get_mut(*turn) {
                slot.clone_from(hash);
            }
        }
        index.add(t.run.clone(), t.trajectory.clone(), by_turn);
    }
    let resolved = resolve(replay.marks(), &index);
    // What a mark's turn is, or `None` when the data does not have it.
    let marked = |run: &str, trajectory: &str, turn: usize| -> Option<Marked> {
        if let Some(hash) = hashes.get(&(run, trajectory, turn)) {
            return Some(Marked::Agent(hash));
        }
        let t = ids.get(&(run, trajectory)).filter(|t| turn < t.len)?;
        Some(match t.environment.binary_search(&turn) {
            Ok(_) => Marked::Environment,
            Err(_) => Marked::Other,
        })
    };
    let with_turns = data.iter().filter(|t| !t.turns.is_empty()).count() as u64;
    let agent_turns = hashes.len() as u64;
    let mut out: BTreeMap<&str, Progress> = BTreeMap::new();
    let mut marked_per: HashMap<(&str, &str, &str), usize> = HashMap::new();
    let new = |annotator: &str| Progress {
        annotator: annotator.to_string(),
        agent_turns,
        trajectories: with_turns,
        ..Progress::default()
    };
    for key in resolved.unmatched.iter().chain(&resolved.ambiguous) {
        out.entry(&key.annotator)
            .or_insert_with(|| new(&key.annotator))
            .unmatched += 1;
    }
    for (key, mark) in &resolved.marks {
        let p = out
            .entry(&key.annotator)
            .or_insert_with(|| new(&key.annotator));
        match key.turn {
            None if ids.contains_key(&(&*key.run, key.trajectory.as_str())) => {
                match mark.label.as_str() {
                    "accept" => p.accepted += 1,
                    "reject" => p.rejected += 1,
                    _ => p.other += 1,
                }
            }
            None => p.unmatched += 1,
            Some(turn) => match marked(&key.run, &key.trajectory, turn) {
                Some(Marked::Agent(hash)) => {
                    p.marked += 1;
                    match mark.label.as_str() {
                        "right" => p.right += 1,
                        "wrong" => p.wrong += 1,
                        _ => p.other += 1,
                    }
                    if mark.is_stale(hash) {
                        p.stale += 1;
                    }
                    *marked_per
                        .entry((&key.annotator, &key.run, &key.trajectory))
                        .or_default() += 1;
                }
                Some(Marked::Environment) => p.on_environment += 1,
                Some(Marked::Other) => p.on_other_turns += 1,
                None => p.unmatched += 1,
            },
        }
    }
    for p in out.values_mut() {
        p.trajectories_complete = data
            .iter()
            .filter(|t| !t.turns.is_empty())
            .filter(|t| {
                marked_per.get(&(p.annotator.as_str(), &*t.run, t.trajectory.as_str()))
                    == Some(&t.turns.len())
            })
            .count() as u64;
        p.pace_seconds = replay.pace(&p.annotator);
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::{text_hash, Event};

    #[test]
    fn progress_counts_marks_on_agent_turns_and_knows_the_others() {
        let data = vec![
            AgentTurns {
                run: Arc::from("r"),
                trajectory: "a".into(),
                turns: vec![(1, text_hash("x")), (3, text_hash("y"))],
                len: 5,
                environment: vec![2, 4],
            },
            AgentTurns {
                run: Arc::from("r"),
                trajectory: "b".into(),
                turns: vec![(1, text_hash("z"))],
                len: 2,
                environment: vec![],
            },
        ];
        let mut r = Replay::new();
        let mut put =
            |at: &str, traj: &str, turn: Option<usize>, label: &str, hash: Option<&str>| {
                let mut e = Event::now("alice", traj, turn, Some(label));
                e.at = at.into();
                e.text_hash = hash.map(text_hash);
                r.apply(&e);
            };
        put("2026-01-01T00:00:00Z", "a", Some(1), "right", Some("x"));
        put(
            "2026-01-01T00:00:10Z",
            "a",
            Some(3),
            "wrong",
            Some("changed"),
        );
        put("2026-01-01T00:00:40Z", "b", Some(0), "right", None);
        put("2026-01-01T00:00:50Z", "a", None, "accept", None);
        put("2026-01-01T00:01:00Z", "a", Some(2), "wrong", None);
        put("2026-01-01T00:01:10Z", "a", Some(5), "wrong", None);
        put("2026-01-01T00:01:20Z", "c", Some(0), "wrong", None);
        let p = progress(&r, &data);
        assert_eq!(p.len(), 1);
        let p = &p[0];
        assert_eq!((p.agent_turns, p.marked, p.right, p.wrong), (3, 2, 1, 1));
        assert_eq!((p.trajectories, p.trajectories_complete), (2, 1));
        assert_eq!((p.stale, p.accepted), (1, 1));
        // b's turn 0 is its instruction, a's turn 2 an environment reply; a has no turn 5 and
        // there is no trajectory c.
        assert_eq!((p.on_other_turns, p.on_environment, p.unmatched), (1, 1, 2));
        assert_eq!(p.pace_seconds, Some(10.0));
    }
}
