//! The ratings that agreement is computed over: the replayed journals' marks as (annotator,
//! item, label) at one level — turn marks or trajectory verdicts — optionally with another
//! source of labels (the rules as annotator), or restricted to the trajectories of the data
//! on screen.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;

use crate::agree::{Item, Ratings, UnknownLabel};
use crate::labels::categories::CategorySet;
use crate::labels::resolve::{resolve, Index, Resolved};
use crate::labels::{Mark, Replay, TURN_LABELS, VERDICTS};

/// What is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Marks on turns.
    Turn,
    /// Verdicts on whole trajectories.
    Trajectory,
    /// The categories of turns marked wrong (an annotator's turn without a category is left
    /// out), so two annotators are compared on the turns both marked wrong.
    Category,
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

/// What `mark` says at `level`: its label, or (at the category level) its category when it
/// is a wrong turn's.
fn value(mark: &Mark, turn: Option<usize>, level: Level) -> Option<String> {
    match level {
        Level::Turn => turn.map(|_| mark.label.clone()),
        Level::Trajectory => turn.is_none().then(|| mark.label.clone()),
        Level::Category => (turn.is_some() && mark.label == "wrong")
            .then(|| mark.category.clone())
            .flatten(),
    }
}

/// The ratings of `replay`'s marks at `level` (each item a trajectory of the run the line
/// names, or of none), plus `extra` triples (another annotator's labels). `label_set` orders
/// the labels; by default the level's own labels come first (at the category level, the
/// default category set's names).
pub fn ratings(
    replay: &Replay,
    level: Level,
    label_set: Option<&[String]>,
    extra: Vec<(String, Item, String)>,
) -> Result<Ratings, UnknownLabel> {
    let set = CategorySet::default();
    ratings_in(replay, level, label_set, extra, &set.names())
}

/// [`ratings`], with the category set's names `categories` first at the category level.
pub fn ratings_in(
    replay: &Replay,
    level: Level,
    label_set: Option<&[String]>,
    extra: Vec<(String, Item, String)>,
    categories: &[&str],
) -> Result<Ratings, UnknownLabel> {
    let runs = runs_named(replay);
    let triples = replay
        .marks()
        .iter()
        .filter_map(|(key, mark)| {
            // A line without a run is on the one run the journals name for its id, if one.
            let run = key
                .run
                .as_deref()
                .or_else(|| match runs.get(&*key.trajectory) {
                    Some(Some(run)) => Some(run),
                    _ => None,
                });
            Some((
                key.annotator.clone(),
                (item(run, &key.trajectory), key.turn),
                value(mark, key.turn, level)?,
            ))
        })
        .chain(extra);
    let preferred: &[&str] = match level {
        Level::Turn => &TURN_LABELS,
        Level::Trajectory => &VERDICTS,
        Level::Category => categories,
    };
    Ratings::build(triples, label_set, preferred)
}

/// How often one annotator's answer was the adjudicated one.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Upheld {
    /// Adjudicated items the annotator answered (at the category level: both wrong, with a
    /// category).
    pub n: u64,
    pub upheld: u64,
    /// `upheld / n`; `null` when `n` is 0.
    pub rate: Option<f64>,
}

/// Each annotator's agreement with the adjudicated answers at `level` (the latest
/// adjudication of an item wins; items match by run, trajectory and turn as the lines name
/// them). Empty when nothing at that level was adjudicated.
pub fn upheld(replay: &Replay, level: Level) -> BTreeMap<String, Upheld> {
    let mut gold: BTreeMap<(Option<&str>, &str, Option<usize>), &Mark> = BTreeMap::new();
    for (key, mark) in replay.adjudications() {
        let item = (key.run.as_deref(), key.trajectory.as_str(), key.turn);
        if gold.get(&item).is_none_or(|g| g.at <= mark.at) {
            gold.insert(item, mark);
        }
    }
    let mut out: BTreeMap<String, Upheld> = BTreeMap::new();
    for (key, mark) in replay.marks() {
        let item = (key.run.as_deref(), key.trajectory.as_str(), key.turn);
        let Some(g) = gold.get(&item) else { continue };
        let (Some(mine), Some(right)) = (value(mark, key.turn, level), value(g, key.turn, level))
        else {
            continue;
        };
        let u = out.entry(key.annotator.clone()).or_default();
        u.n += 1;
        u.upheld += u64::from(mine == right);
    }
    for u in out.values_mut() {
        u.rate = (u.n > 0).then(|| u.upheld as f64 / u.n as f64);
    }
    out
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

/// The category ratings (see [`Level::Category`]) of `replay`'s marks on the loaded
/// trajectories `keys`, resolved by run and id; the labels are the categories seen, sorted.
pub fn categories_of_trajectories(
    replay: &Replay,
    keys: &HashSet<(Arc<str>, String)>,
) -> Result<Ratings, UnknownLabel> {
    let mut index = Index::default();
    for (run, id) in keys {
        index.add(run.clone(), id.clone(), Vec::new());
    }
    let resolved = resolve(replay.marks(), &index);
    let triples = resolved.marks.iter().filter_map(|(k, m)| {
        Some((
            k.annotator.clone(),
            (item(Some(&k.run), &k.trajectory), k.turn),
            value(m, k.turn, Level::Category)?,
        ))
    });
    Ratings::build(triples, None, &[])
}
