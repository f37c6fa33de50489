//! The ratings that agreement is computed over: the replayed journals' marks as (annotator,
//! item, label) at one level — turn marks or trajectory verdicts — optionally with another
//! source of labels (the rules as annotator), or restricted to the trajectories of the data
//! on screen.

use std::collections::HashSet;

use crate::agree::{Item, Ratings, UnknownLabel};
use crate::labels::{Replay, TURN_LABELS, VERDICTS};

/// What is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Marks on turns.
    Turn,
    /// Verdicts on whole trajectories.
    Trajectory,
}

/// The ratings of `replay`'s marks at `level`, plus `extra` triples (another annotator's
/// labels). `label_set` orders the labels; by default the level's own labels come first.
pub fn ratings(
    replay: &Replay,
    level: Level,
    label_set: Option<&[String]>,
    extra: Vec<(String, Item, String)>,
) -> Result<Ratings, UnknownLabel> {
    let triples = replay
        .marks()
        .iter()
        .filter(|(key, _)| key.turn.is_some() == (level == Level::Turn))
        .map(|(key, mark)| {
            (
                key.annotator.clone(),
                (key.trajectory.clone(), key.turn),
                mark.label.clone(),
            )
        })
        .chain(extra);
    let preferred: &[&str] = match level {
        Level::Turn => &TURN_LABELS,
        Level::Trajectory => &VERDICTS,
    };
    Ratings::build(triples, label_set, preferred)
}

/// The turn marks of `replay` on the trajectories in `ids` (the data a screen has loaded).
pub fn of_trajectories(replay: &Replay, ids: &HashSet<String>) -> Result<Ratings, UnknownLabel> {
    let triples = replay
        .marks()
        .iter()
        .filter(|(k, _)| k.turn.is_some() && ids.contains(&k.trajectory))
        .map(|(k, m)| {
            (
                k.annotator.clone(),
                (k.trajectory.clone(), k.turn),
                m.label.clone(),
            )
        });
    Ratings::build(triples, None, &TURN_LABELS)
}
