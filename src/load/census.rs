//! Ids repeated inside one file. A trajectory's key is (run, id), so two records of one file
//! with the same id would share their marks; the second one is read as `id#2`, the third as
//! `id#3`, and so on, with a warning naming the file and both lines. The suffix depends only on
//! the records before it in the file, so it is the same in every command and in the screen.
//!
//! The census keeps a 128-bit hash of each id, not the id: a 1 GB file of short records holds a
//! few hundred thousand of them.

use std::collections::hash_map::{DefaultHasher, Entry};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use super::Loaded;
use crate::diag::{Diagnostic, Level};

/// The hash an id is known by in the census.
pub fn key(id: &str) -> u128 {
    let half = |salt: u8| {
        let mut h = DefaultHasher::new();
        salt.hash(&mut h);
        id.hash(&mut h);
        h.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

/// The ids seen so far in one file.
#[derive(Debug, Default)]
pub struct Census {
    seen: HashMap<u128, Seen>,
}

#[derive(Debug, Clone, Copy)]
struct Seen {
    /// The line of the first record with the id.
    line: u32,
    /// How many records had it.
    count: u32,
}

impl Census {
    /// Forget the file: the next one starts afresh (ids are per file; runs tell files apart).
    pub fn clear(&mut self) {
        self.seen.clear();
    }

    /// Count the id with hash `key`, seen on `line`: `true` when it is the first.
    pub fn admit(&mut self, key: u128, line: u32) -> bool {
        match self.seen.entry(key) {
            Entry::Vacant(v) => {
                v.insert(Seen { line, count: 1 });
                true
            }
            Entry::Occupied(_) => false,
        }
    }

    /// Rename a record whose id [`admit`](Self::admit) found repeated: the next free `id#n`,
    /// and a warning on the record naming the line of the first one.
    pub fn rename(&mut self, loaded: &mut Loaded) {
        let (trajectory, warnings) = loaded;
        let id = std::mem::take(&mut trajectory.id);
        let line = trajectory.source.line;
        let Some(first) = self.seen.get_mut(&key(&id)) else {
            trajectory.id = id;
            return;
        };
        let first_line = first.line;
        let mut n = first.count;
        let renamed = loop {
            n += 1;
            let candidate = format!("{id}#{n}");
            // A later record may really be called `id#2`: skip the names already taken.
            if self.admit(key(&candidate), line) {
                break candidate;
            }
        };
        if let Some(first) = self.seen.get_mut(&key(&id)) {
            first.count = n;
        }
        warnings.push(Diagnostic {
            file: trajectory.source.file.clone(),
            line,
            column: 0,
            level: Level::Warning,
            message: format!(
                "id `{id}` repeated (first at line {first_line}): read as `{renamed}`, so \
                 marks on the two stay apart"
            ),
        });
        trajectory.id = renamed;
    }
}

/// The census of a dataset read lazily, kept by a thread that reads every id in file order:
/// how far it has come, and the records it renamed.
#[derive(Debug, Default)]
pub struct Ledger {
    /// Records before this index have their final id.
    settled: AtomicUsize,
    /// The census is over (or stopped): every id is as final as it will be.
    finished: AtomicBool,
    /// Renamed records: the new id and the warning that says why.
    renamed: Mutex<HashMap<usize, (String, Diagnostic)>>,
    any_renamed: AtomicBool,
    /// Every record's final id (its census key) and index; sorted once the census is over.
    places: Mutex<Vec<(u128, u32)>>,
    /// Each settled record's reviewed agent turns (not in-context examples), by index; empty
    /// for a record that could not be read.
    agent: Mutex<Vec<Box<[u32]>>>,
    moved: Condvar,
    moved_lock: Mutex<()>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Ledger {
    /// Whether the census has seen every record before `i`.
    pub fn settled(&self, i: usize) -> bool {
        self.finished.load(Ordering::Acquire) || i < self.settled.load(Ordering::Acquire)
    }

    /// Records before `n` are settled.
    pub fn settle(&self, n: usize) {
        self.settled.store(n, Ordering::Release);
        self.wake();
    }

    /// The census is over.
    pub fn finish(&self) {
        lock(&self.places).sort_unstable();
        self.finished.store(true, Ordering::Release);
        self.wake();
    }

    /// Whether the census is over.
    pub fn finished(&self) -> bool {
        self.finished.load(Ordering::Acquire)
    }

    /// Records have these final ids (census keys) and indices; the next records (in order)
    /// have these agent turns.
    pub fn place(&self, places: &[(u128, u32)], agent: Vec<Box<[u32]>>) {
        lock(&self.places).extend_from_slice(places);
        lock(&self.agent).extend(agent);
    }

    /// The reviewed agent turns of record `i`, once the census has read it.
    pub fn agent_turns(&self, i: usize) -> Option<Vec<usize>> {
        lock(&self.agent)
            .get(i)
            .map(|turns| turns.iter().map(|&t| t as usize).collect())
    }

    /// For the records the census has read: how many, and their reviewed agent turns in all
    /// (of `only` the records listed, when given).
    pub fn agent_total(&self, only: Option<&[usize]>) -> (usize, usize) {
        let agent = lock(&self.agent);
        match only {
            None => (agent.len(), agent.iter().map(|t| t.len()).sum()),
            Some(only) => only
                .iter()
                .filter_map(|&i| agent.get(i))
                .fold((0, 0), |(n, turns), t| (n + 1, turns + t.len())),
        }
    }

    /// The records whose final id is `id`, once the census is over.
    pub fn indices_of(&self, id: &str) -> Option<Vec<usize>> {
        if !self.finished() {
            return None;
        }
        let key = key(id);
        let places = lock(&self.places);
        let start = places.partition_point(|(k, _)| *k < key);
        Some(
            places[start..]
                .iter()
                .take_while(|(k, _)| *k == key)
                .map(|(_, i)| *i as usize)
                .collect(),
        )
    }

    /// Wake the threads waiting in [`wait_past`](Self::wait_past) (to see a cancel).
    pub fn wake(&self) {
        let _guard = lock(&self.moved_lock);
        self.moved.notify_all();
    }

    /// Block until record `i` is settled, or `cancelled()`.
    pub fn wait_past(&self, i: usize, cancelled: impl Fn() -> bool) {
        let mut guard = lock(&self.moved_lock);
        while !self.settled(i) && !cancelled() {
            guard = self
                .moved
                .wait(guard)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Keep the new id of record `i` and the warning [`Census::rename`] gave it.
    pub fn renamed(&self, i: usize, loaded: Loaded) {
        let (trajectory, mut warnings) = loaded;
        if let Some(warning) = warnings.pop() {
            lock(&self.renamed).insert(i, (trajectory.id, warning));
            self.any_renamed.store(true, Ordering::Release);
        }
    }

    /// Give record `i`, as read from the file, the id the census gave it.
    pub fn apply(&self, i: usize, loaded: &mut Loaded) {
        if !self.any_renamed.load(Ordering::Acquire) {
            return;
        }
        if let Some((id, warning)) = lock(&self.renamed).get(&i) {
            loaded.0.id.clone_from(id);
            loaded.1.push(warning.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{parse_record, split::RecordSpan, LoadOptions, RecordCtx};
    use std::path::Path;
    use std::sync::Arc;

    fn loaded(id: &str, line: u32) -> Loaded {
        let file: Arc<Path> = Arc::from(Path::new("runs.jsonl"));
        let run: Arc<str> = Arc::from("runs");
        let text = format!(
            r#"{{"id": "{id}", "messages": [{{"role": "user", "content": "hi"}}, {{"role": "assistant", "content": "ls"}}]}}"#
        );
        let span = RecordSpan {
            start: 0,
            end: text.len() as u64,
            line,
            column: 1,
            key: None,
        };
        let ctx = RecordCtx {
            file: &file,
            run: &run,
            ordinal: line as usize - 1,
            span: &span,
            unterminated: false,
        };
        parse_record(text.as_bytes(), ctx, LoadOptions::default()).unwrap()
    }

    /// Feed records through the census as a scan does; their ids and warnings.
    fn read(ids: &[&str]) -> Vec<(String, Vec<String>)> {
        let mut census = Census::default();
        ids.iter()
            .enumerate()
            .map(|(k, id)| {
                let mut l = loaded(id, k as u32 + 1);
                if !census.admit(key(&l.0.id), l.0.source.line) {
                    census.rename(&mut l);
                }
                let warnings = l.1.iter().map(|d| d.message.clone()).collect();
                (l.0.id, warnings)
            })
            .collect()
    }

    #[test]
    fn repeats_get_numbered_suffixes_naming_the_first_line() {
        let out = read(&["a", "b", "a", "a", "c"]);
        let ids: Vec<&str> = out.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "a#2", "a#3", "c"]);
        assert!(out[0].1.is_empty() && out[1].1.is_empty());
        assert_eq!(
            out[2].1,
            ["id `a` repeated (first at line 1): read as `a#2`, so marks on the two stay apart"]
        );
        assert!(out[3].1[0].contains("first at line 1") && out[3].1[0].contains("`a#3`"));
    }

    #[test]
    fn a_suffix_never_takes_a_name_the_file_uses() {
        // `a#2` is taken by the second record, so the repeated `a` becomes `a#3`; and a later
        // real `a#3` is then a repeat of that name.
        let out = read(&["a", "a#2", "a", "a#3"]);
        let ids: Vec<&str> = out.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["a", "a#2", "a#3", "a#3#2"]);
    }

    #[test]
    fn clearing_starts_the_next_file_afresh() {
        let mut census = Census::default();
        assert!(census.admit(key("x"), 1));
        assert!(!census.admit(key("x"), 2));
        census.clear();
        assert!(census.admit(key("x"), 1));
        assert_ne!(key("x"), key("y"));
    }

    #[test]
    fn the_ledger_settles_in_order_and_renames_what_it_kept() {
        let ledger = std::sync::Arc::new(Ledger::default());
        assert!(!ledger.settled(0));
        let mut census = Census::default();
        let mut second = loaded("a", 2);
        assert!(census.admit(key("a"), 1));
        assert!(!census.admit(key("a"), 2));
        census.rename(&mut second);
        ledger.renamed(1, second);
        let waiter = {
            let ledger = ledger.clone();
            std::thread::spawn(move || ledger.wait_past(1, || false))
        };
        ledger.settle(2);
        waiter.join().unwrap();
        assert!(ledger.settled(1) && !ledger.settled(2));
        let mut again = loaded("a", 2);
        ledger.apply(1, &mut again);
        assert_eq!(again.0.id, "a#2");
        assert_eq!(again.1.len(), 1);
        let mut first = loaded("a", 1);
        ledger.apply(0, &mut first);
        assert_eq!(first.0.id, "a");
        ledger.finish();
        assert!(ledger.settled(usize::MAX - 1));
    }
}
