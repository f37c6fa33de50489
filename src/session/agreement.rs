//! The ratings that agreement is computed over: the replayed journals' marks as (annotator,
//! item, label) at one level — turn marks or trajectory verdicts — optionally with another
//! source of labels (the rules as annotator), or restricted to the trajectories of the data
//! on screen.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::agree::{Item, Ratings, UnknownLabel};
use crate::labels::resolve::{resolve, Index, Resolved};
use crate::labels::{Replay, TURN_LABELS, VERDICTS};

/// What is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Marks on turns.
    Turn,
    /// Verdicts on whole trajectories.
    Trajectory,
}

/// The item's trajectory: its id, behind its run when the mark names one (two runs share ids).
pub fn item(run: Option<&str>, id: &str) -> String {
    match run {
        Some(run) => format!("{run}\u{1f}{id}"),
        None => id.to_string(),
    }
}

/// For each trajectory id, the run the journals' lines name for it: `Some` when exactly one
/// run is named, `None` when several are.
fn runs_named(replay: &Replay) -> HashMap<&str, Option<&str>> {
    let mut runs: HashMap<&str, Option<&str>> = HashMap::new();
    for key in replay.marks().keys() {
        let Some(run) = key.run.as_deref() else {
            continue;
        };
        runs.entry(&key.trajectory)
            .and_modify(|seen| {
                if *seen != Some(run) {
                    *seen = None;
                }
            })
            .or_insert(Some(run));
    }
    runs
}

/// The ratings of `replay`'s marks at `level` (each item a trajectory of the run the line
/// names, or of none), plus `extra` triples (another annotator's labels). `label_set` orders
/// the labels; by default the level's own labels come first.
pub fn ratings(
    replay: &Replay,
    level: Level,
    label_set: Option<&[String]>,
    extra: Vec<(String, Item, String)>,
) -> Result<Ratings, UnknownLabel> {
    let runs = runs_named(replay);
    let triples = replay
        .marks()
        .iter()
        .filter(|(key, _)| key.turn.is_some() == (level == Level::Turn))
        .map(|(key, mark)| {
            // A line without a run is on the one run the journals name for its id, if one.
            let run = key
                .run
                .as_deref()
                .or_else(|| match runs.get(&*key.trajectory) {
                    Some(Some(run)) => Some(run),
                    _ => None,
                });
            (
                key.annotator.clone(),
                (item(run, &key.trajectory), key.turn),
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

/// The turn ratings of marks resolved to loaded trajectories, plus `extra` triples.
pub fn of_resolved(
    resolved: &Resolved,
    label_set: Option<&[String]>,
    extra: Vec<(String, Item, String)>,
) -> Result<Ratings, UnknownLabel> {
    let triples = resolved
        .marks
        .iter()
        .filter(|(k, _)| k.turn.is_some())
        .map(|(k, m)| {
            (
                k.annotator.clone(),
                (item(Some(&k.run), &k.trajectory), k.turn),
                m.label.clone(),
            )
        })
        .chain(extra);
    Ratings::build(triples, label_set, &TURN_LABELS)
}

/// The turn marks of `replay` on the loaded trajectories `keys` (the data a screen has
/// loaded), resolved by run and id.
pub fn of_trajectories(
    replay: &Replay,
    keys: &HashSet<(Arc<str>, String)>,
) -> Result<Ratings, UnknownLabel> {
    let mut index = Index::default();
    for (run, id) in keys {
        index.add(run.clone(), id.clone(), Vec::new());
    }
    of_resolved(&resolve(replay.marks(), &index), None, Vec::new())
}
