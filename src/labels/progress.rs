//! Label progress over a dataset: per annotator, agent turns marked, the right/wrong split,
//! trajectories complete, stale marks, verdicts and pace.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::replay::Replay;
use crate::model::Trajectory;

/// What progress needs of one trajectory: its agent turns (not demo) and their text hashes.
#[derive(Debug, Clone)]
pub struct AgentTurns {
    pub trajectory: String,
    pub turns: Vec<(usize, String)>,
}

impl AgentTurns {
    /// The agent turns of `t` that are not in-context examples.
    pub fn of(t: &Trajectory) -> AgentTurns {
        AgentTurns {
            trajectory: t.id.clone(),
            turns: t
                .agent_turns()
                .map(|x| (x.index, super::text_hash(&x.text)))
                .collect(),
        }
    }
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
    /// Marks on turns or trajectories the data does not have.
    pub unmatched: u64,
    /// Median seconds between consecutive marks.
    pub pace_seconds: Option<f64>,
}

/// Progress of every annotator in `replay` over the data's agent turns.
pub fn progress(replay: &Replay, data: &[AgentTurns]) -> Vec<Progress> {
    let mut hashes: HashMap<(&str, usize), &str> = HashMap::new();
    let mut ids: BTreeSet<&str> = BTreeSet::new();
    for t in data {
        ids.insert(&t.trajectory);
        for (turn, hash) in &t.turns {
            hashes.insert((&t.trajectory, *turn), hash);
        }
    }
    let with_turns = data.iter().filter(|t| !t.turns.is_empty()).count() as u64;
    let agent_turns = hashes.len() as u64;
    let mut out: BTreeMap<&str, Progress> = BTreeMap::new();
    let mut marked_per: HashMap<(&str, &str), usize> = HashMap::new();
    for (key, mark) in replay.marks() {
        let p = out.entry(&key.annotator).or_insert_with(|| Progress {
            annotator: key.annotator.clone(),
            agent_turns,
            trajectories: with_turns,
            ..Progress::default()
        });
        match key.turn {
            None if ids.contains(key.trajectory.as_str()) => match mark.label.as_str() {
                "accept" => p.accepted += 1,
                "reject" => p.rejected += 1,
                _ => p.other += 1,
            },
            Some(turn) if hashes.contains_key(&(key.trajectory.as_str(), turn)) => {
                let hash = hashes[&(key.trajectory.as_str(), turn)];
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
                    .entry((&key.annotator, &key.trajectory))
                    .or_default() += 1;
            }
            _ => p.unmatched += 1,
        }
    }
    for p in out.values_mut() {
        p.trajectories_complete = data
            .iter()
            .filter(|t| !t.turns.is_empty())
            .filter(|t| {
                marked_per.get(&(p.annotator.as_str(), t.trajectory.as_str()))
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
    fn progress_counts_marks_on_agent_turns() {
        let data = vec![
            AgentTurns {
                trajectory: "a".into(),
                turns: vec![(1, text_hash("x")), (3, text_hash("y"))],
            },
            AgentTurns {
                trajectory: "b".into(),
                turns: vec![(1, text_hash("z"))],
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
        let p = progress(&r, &data);
        assert_eq!(p.len(), 1);
        let p = &p[0];
        assert_eq!((p.agent_turns, p.marked, p.right, p.wrong), (3, 2, 1, 1));
        assert_eq!((p.trajectories, p.trajectories_complete), (2, 1));
        assert_eq!((p.stale, p.unmatched, p.accepted), (1, 1, 1));
        assert_eq!(p.pace_seconds, Some(10.0));
    }
}
