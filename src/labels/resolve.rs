//! Which loaded trajectory a journal line is about. A trajectory's key is its run and its id:
//! two runs of one benchmark share ids by design, and so do files from one harness. A line
//! that names its run applies to that run's trajectory. A line without a run (written before
//! runs, or by another tool) applies only where exactly one loaded trajectory has its id;
//! where several do it is ambiguous and applies to none. A line whose run is not loaded (the
//! file was renamed or moved) finds its trajectory again when its id, turn and text hash match
//! exactly one loaded trajectory; a verdict follows its trajectory's turn marks there.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::replay::{Mark, MarkKey};

/// A loaded trajectory's run and the hashes of its turns' texts.
type Found = (Arc<str>, Vec<String>);

/// The loaded trajectories that marks can apply to, by id.
#[derive(Debug, Default)]
pub struct Index {
    by_id: HashMap<String, Vec<Found>>,
}

impl Index {
    /// Add a loaded trajectory with the hashes of its turns' texts (in turn order).
    pub fn add(&mut self, run: Arc<str>, id: String, hashes: Vec<String>) {
        self.by_id.entry(id).or_default().push((run, hashes));
    }

    /// The runs that have a trajectory with this id.
    pub fn runs(&self, id: &str) -> impl Iterator<Item = &Arc<str>> {
        self.by_id.get(id).into_iter().flatten().map(|(run, _)| run)
    }

    fn has(&self, run: &str, id: &str) -> bool {
        self.runs(id).any(|r| &**r == run)
    }
}

/// A mark's item once resolved to a loaded trajectory.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub annotator: String,
    pub run: Arc<str>,
    pub trajectory: String,
    pub turn: Option<usize>,
}

/// Marks resolved to loaded trajectories, and what could not be.
#[derive(Debug, Default)]
pub struct Resolved {
    pub marks: BTreeMap<Key, Mark>,
    /// Marks without a run whose id several loaded trajectories have: applied to none.
    pub ambiguous: Vec<MarkKey>,
    /// Marks whose run is not loaded, found again by id, turn and text hash: (mark, its run now).
    pub relocated: Vec<(MarkKey, Arc<str>)>,
    /// Marks on no loaded trajectory.
    pub unmatched: Vec<MarkKey>,
}

impl Resolved {
    /// A short account of what did not resolve as written, for a notice: `None` when every
    /// mark named its trajectory's run.
    pub fn notice(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.ambiguous.is_empty() {
            let example = &self.ambiguous[0];
            parts.push(format!(
                "{} marks name no run and their trajectory id is in several runs (e.g. '{}'): applied to none; mark them again, or load one run",
                self.ambiguous.len(),
                example.trajectory
            ));
        }
        if !self.relocated.is_empty() {
            let (example, now) = &self.relocated[0];
            parts.push(format!(
                "{} marks found their trajectory under another run name (e.g. '{}' of run '{}', now '{}'): the file was renamed or moved",
                self.relocated.len(),
                example.trajectory,
                example.run.as_deref().unwrap_or(""),
                now
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// Resolve replayed marks against the loaded trajectories. When two lines end on one item (a
/// mark with its run and an older one without), the later one (by `at`) wins, and on a tie
/// the one that named its run.
pub fn resolve(marks: &BTreeMap<MarkKey, Mark>, index: &Index) -> Resolved {
    let mut out = Resolved::default();
    // (annotator, old run, id) → new run, from relocated turn marks, for their verdicts.
    let mut moved: HashMap<(&str, &str, &str), Arc<str>> = HashMap::new();
    let mut verdicts_to_move = Vec::new();
    for (key, mark) in marks {
        let target = match &key.run {
            Some(run) if index.has(run, &key.trajectory) => index
                .runs(&key.trajectory)
                .find(|r| &***r == run.as_str())
                .cloned(),
            Some(run) => {
                if key.turn.is_none() {
                    verdicts_to_move.push((key, mark));
                    continue;
                }
                let found = relocate(index, key, mark);
                if let Some(now) = &found {
                    out.relocated.push((key.clone(), now.clone()));
                    moved.insert(
                        (
                            key.annotator.as_str(),
                            run.as_str(),
                            key.trajectory.as_str(),
                        ),
                        now.clone(),
                    );
                }
                found
            }
            None => {
                let mut runs = index.runs(&key.trajectory);
                match (runs.next(), runs.next()) {
                    (Some(run), None) => Some(run.clone()),
                    (Some(_), Some(_)) => {
                        out.ambiguous.push(key.clone());
                        continue;
                    }
                    (None, _) => None,
                }
            }
        };
        match target {
            Some(run) => insert(&mut out.marks, key, run, mark),
            None => out.unmatched.push(key.clone()),
        }
    }
    for (key, mark) in verdicts_to_move {
        let run = key.run.as_deref().unwrap_or_default();
        match moved.get(&(key.annotator.as_str(), run, key.trajectory.as_str())) {
            Some(now) => {
                out.relocated.push((key.clone(), now.clone()));
                insert(&mut out.marks, key, now.clone(), mark);
            }
            None => out.unmatched.push(key.clone()),
        }
    }
    out
}

/// The one loaded trajectory with the mark's id whose turn has the text the mark was made on.
fn relocate(index: &Index, key: &MarkKey, mark: &Mark) -> Option<Arc<str>> {
    let (turn, hash) = (key.turn?, mark.text_hash.as_deref()?);
    let mut found = index
        .by_id
        .get(&key.trajectory)?
        .iter()
        .filter(|(_, hashes)| hashes.get(turn).is_some_and(|h| h == hash));
    match (found.next(), found.next()) {
        (Some((run, _)), None) => Some(run.clone()),
        _ => None,
    }
}

fn insert(marks: &mut BTreeMap<Key, Mark>, raw: &MarkKey, run: Arc<str>, mark: &Mark) {
    let key = Key {
        annotator: raw.annotator.clone(),
        run,
        trajectory: raw.trajectory.clone(),
        turn: raw.turn,
    };
    let named = raw.run.is_some();
    match marks.get(&key) {
        Some(old) if old.at > mark.at || (old.at == mark.at && !named) => {}
        _ => {
            marks.insert(key, mark.clone());
        }
    }
}

#[cfg(test)]
mod tests;
