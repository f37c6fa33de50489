//! Settling disagreements: the queue of every turn (and verdict) of the loaded data where
//! annotators differ in label or in category, each with every annotator's answer, the most
//! common answer, and the adjudication so far; and the gold answers that adjudications give
//! (the latest adjudication of an item wins, whoever wrote it).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::load::Dataset;
use crate::parallel;

use crate::labels::replay::Mark;
use crate::labels::resolve::{resolve, Index, Resolved};
use crate::labels::votes::TrajectoryKey;
use crate::labels::Replay;

/// An item: a turn of a trajectory, or (`turn: None`) its verdict.
pub type ItemKey = (Arc<str>, String, Option<usize>);

/// One annotator's answer on an item.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Answer {
    pub label: String,
    /// Only on `wrong` turns.
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Answer {
    fn of(mark: &Mark) -> Answer {
        Answer {
            label: mark.label.clone(),
            category: category_of(mark),
            note: mark.note.clone(),
        }
    }

    /// The label and category, without the note (what is compared).
    pub fn choice(&self) -> (String, Option<String>) {
        (self.label.clone(), self.category.clone())
    }
}

/// A mark's category, when it counts (on a `wrong` label).
fn category_of(mark: &Mark) -> Option<String> {
    (mark.label == "wrong")
        .then(|| mark.category.clone())
        .flatten()
}

/// What the annotators differ in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Difference {
    /// Their labels differ.
    Label,
    /// They all gave the same label (wrong) but different categories.
    Category,
}

/// An adjudication: the gold answer of an item, who settled it and why they disagreed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gold {
    pub label: String,
    pub category: Option<String>,
    /// The adjudicator's reason.
    pub note: Option<String>,
    pub cause: Option<String>,
    pub by: String,
    pub at: String,
}

/// One item to settle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub run: Arc<str>,
    pub trajectory: String,
    pub turn: Option<usize>,
    /// Every annotator's answer, by name.
    pub answers: BTreeMap<String, Answer>,
    pub differs: Difference,
    /// The most common answer (label and category); on a tie, `wrong` before `right`
    /// (`reject` before `accept`), then by category name.
    pub suggested: (String, Option<String>),
    /// No single answer is the most common.
    pub tie: bool,
    /// The adjudication so far.
    pub settled: Option<Gold>,
}

impl Item {
    pub fn key(&self) -> ItemKey {
        (self.run.clone(), self.trajectory.clone(), self.turn)
    }
}

/// The queue, in (run, trajectory, turn) order (a trajectory's verdict before its turns).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Queue {
    pub items: Vec<Item>,
}

impl Queue {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Items with an adjudication.
    pub fn settled(&self) -> usize {
        self.items.iter().filter(|i| i.settled.is_some()).count()
    }

    /// The first unsettled item at or after `from`, wrapping round; `None` when all are settled.
    pub fn next_unsettled(&self, from: usize) -> Option<usize> {
        let n = self.items.len();
        (0..n)
            .map(|k| (from + k) % n)
            .find(|&i| self.items[i].settled.is_none())
    }

    /// How often each cause of disagreement was recorded.
    pub fn causes(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for gold in self.items.iter().filter_map(|i| i.settled.as_ref()) {
            let cause = gold.cause.clone().unwrap_or_else(|| "unstated".into());
            *out.entry(cause).or_insert(0) += 1;
        }
        out
    }
}

/// The ranking of labels on a tie: the one a tie counts as under the majority policy first.
fn label_rank(label: &str) -> u8 {
    match label {
        "wrong" | "reject" => 0,
        "right" | "accept" => 1,
        _ => 2,
    }
}

/// The gold answers: the latest adjudication (by `at`; on a tie, the later adjudicator by
/// name) of each item.
pub fn gold(adjudications: &Resolved) -> BTreeMap<ItemKey, Gold> {
    let mut out: BTreeMap<ItemKey, Gold> = BTreeMap::new();
    for (key, mark) in &adjudications.marks {
        let item = (key.run.clone(), key.trajectory.clone(), key.turn);
        if out.get(&item).is_some_and(|g| g.at > mark.at) {
            continue;
        }
        out.insert(
            item,
            Gold {
                label: mark.label.clone(),
                category: category_of(mark),
                note: mark.note.clone(),
                cause: mark.cause.clone(),
                by: key.annotator.clone(),
                at: mark.at.clone(),
            },
        );
    }
    out
}

/// The queue over resolved `marks`, with the `adjudications` so far; only trajectories in
/// `only` when given (the recorded sample).
pub fn queue(
    marks: &Resolved,
    adjudications: &Resolved,
    only: Option<&HashSet<TrajectoryKey>>,
) -> Queue {
    let mut by_item: BTreeMap<ItemKey, BTreeMap<String, Answer>> = BTreeMap::new();
    for (key, mark) in &marks.marks {
        if only.is_some_and(|o| !o.contains(&(key.run.clone(), key.trajectory.clone()))) {
            continue;
        }
        by_item
            .entry((key.run.clone(), key.trajectory.clone(), key.turn))
            .or_default()
            .insert(key.annotator.clone(), Answer::of(mark));
    }
    let mut gold = gold(adjudications);
    let mut items = Vec::new();
    for ((run, trajectory, turn), answers) in by_item {
        let Some(differs) = difference(&answers) else {
            continue;
        };
        let mut counts: BTreeMap<(String, Option<String>), usize> = BTreeMap::new();
        for a in answers.values() {
            *counts.entry(a.choice()).or_insert(0) += 1;
        }
        let top = counts.values().copied().max().unwrap_or(0);
        let mut best: Vec<&(String, Option<String>)> = counts
            .iter()
            .filter(|(_, &n)| n == top)
            .map(|(c, _)| c)
            .collect();
        best.sort_by_key(|(label, category)| {
            (
                label_rank(label),
                label.clone(),
                category.is_none(),
                category.clone(),
            )
        });
        let suggested = best[0].clone();
        let settled = gold.remove(&(run.clone(), trajectory.clone(), turn));
        items.push(Item {
            run,
            trajectory,
            turn,
            answers,
            differs,
            suggested,
            tie: best.len() > 1,
            settled,
        });
    }
    Queue { items }
}

/// What the answers differ in: labels, or (all `wrong`) the categories of those who gave one.
fn difference(answers: &BTreeMap<String, Answer>) -> Option<Difference> {
    if answers.len() < 2 {
        return None;
    }
    let labels: HashSet<&str> = answers.values().map(|a| a.label.as_str()).collect();
    if labels.len() > 1 {
        return Some(Difference::Label);
    }
    let categories: HashSet<&str> = answers
        .values()
        .filter_map(|a| a.category.as_deref())
        .collect();
    (categories.len() > 1).then_some(Difference::Category)
}

/// The queue of `replay`'s journals over the trajectories `keys` (the loaded data, or the
/// sample), resolved by run and id.
pub fn of_trajectories(replay: &Replay, keys: &HashSet<TrajectoryKey>) -> Queue {
    let mut index = Index::default();
    for (run, id) in keys {
        index.add(run.clone(), id.clone(), Vec::new());
    }
    let marks = resolve(replay.marks(), &index);
    let adjudications = resolve(replay.adjudications(), &index);
    queue(&marks, &adjudications, Some(keys))
}

/// The journals of `dir`, replayed (a missing directory has none).
pub fn journals(dir: &Path) -> Result<Replay> {
    let mut replay = Replay::new();
    if dir.is_dir() {
        replay
            .read_path(dir)
            .with_context(|| format!("cannot read the journals in {}", dir.display()))?;
    }
    Ok(replay)
}

/// The keys of `data`'s trajectories (only the `sample`'s, global indices, when given).
pub fn keys(data: &Dataset, sample: Option<&[usize]>) -> HashSet<TrajectoryKey> {
    data.wait();
    let indices: Vec<usize> = match sample {
        Some(s) => s.to_vec(),
        None => (0..data.len()).collect(),
    };
    parallel::parallel_map(indices.len(), |k| {
        data.load(indices[k])
            .ok()
            .map(|(t, _)| (t.run.clone(), t.id))
    })
    .into_iter()
    .flatten()
    .collect()
}

/// The queue of the journals in `dir` over `data` (or its `sample`), with the replay read.
pub fn open(data: &Dataset, dir: &Path, sample: Option<&[usize]>) -> Result<(Queue, Replay)> {
    let replay = journals(dir)?;
    let queue = of_trajectories(&replay, &keys(data, sample));
    Ok((queue, replay))
}

#[cfg(test)]
mod tests;
