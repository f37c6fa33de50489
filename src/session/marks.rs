//! Marks on the loaded data: which runs are loaded, and the journals' marks resolved to the
//! loaded trajectories by run and id (see [`crate::labels::resolve`]).

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Result;

use crate::labels::resolve::{self, Index, Resolved};
use crate::labels::{text_hash, Replay};
use crate::load::{source, Dataset};
use crate::model::Trajectory;
use crate::parallel;

/// The runs of the input files.
pub fn runs(files: &[PathBuf]) -> Result<BTreeSet<Arc<str>>> {
    Ok(source::expand_runs(files)?
        .into_iter()
        .map(|f| f.run)
        .collect())
}

/// The trajectory ids the journals mark.
pub fn marked_ids(replay: &Replay) -> HashSet<String> {
    replay
        .marks()
        .keys()
        .map(|k| k.trajectory.clone())
        .collect()
}

/// What the index needs of `t`: its run, its id and (when its id is marked at all) the
/// hashes of its turns' texts.
pub type Entry = (Arc<str>, String, Vec<String>);

/// The index entry of `t`.
pub fn entry(t: &Trajectory, marked: &HashSet<String>) -> Entry {
    let hashes = if marked.contains(&t.id) {
        t.turns.iter().map(|x| text_hash(&x.text)).collect()
    } else {
        Vec::new()
    };
    (t.run.clone(), t.id.clone(), hashes)
}

/// Every trajectory of `data` read once (on every core) into an index for resolving marks.
pub fn index(data: &Dataset, marked: &HashSet<String>) -> Index {
    data.wait();
    let found = parallel::parallel_map(data.len(), |i| {
        data.load(i).ok().map(|(t, _)| entry(&t, marked))
    });
    let mut index = Index::default();
    for (run, id, hashes) in found.into_iter().flatten() {
        index.add(run, id, hashes);
    }
    index
}

/// The marks of `replay` resolved against the trajectories of `data`.
pub fn resolved(replay: &Replay, data: &Dataset) -> Resolved {
    let index = index(data, &marked_ids(replay));
    resolve::resolve(replay.marks(), &index)
}

/// The marks in the journals of `dir` whose run is not loaded (the file was renamed or moved)
/// that find their trajectory again by id, turn and text hash; for the screen, which reads
/// trajectories one at a time. Only the records with those ids are read, so `data`'s census
/// must be over (`None` until it is).
pub fn relocations(dir: &std::path::Path, data: &Dataset) -> Option<Resolved> {
    let mut replay = Replay::new();
    for file in crate::labels::replay::journal_files(dir).unwrap_or_default() {
        let _ = replay.read_file(&file);
    }
    let loaded: HashSet<&str> = data.runs().iter().map(|r| &**r).collect();
    let away: std::collections::BTreeMap<_, _> = replay
        .marks()
        .iter()
        .filter(|(k, _)| k.run.as_deref().is_some_and(|r| !loaded.contains(r)))
        .map(|(k, m)| (k.clone(), m.clone()))
        .collect();
    let ids: HashSet<String> = away.keys().map(|k| k.trajectory.clone()).collect();
    let mut index = Index::default();
    for id in &ids {
        for i in data.indices_of(id)? {
            if let Ok((t, _)) = data.load(i) {
                let (run, id, hashes) = entry(&t, &ids);
                index.add(run, id, hashes);
            }
        }
    }
    Some(resolve::resolve(&away, &index))
}
