//! The trajectories the screen needs, parsed on demand: a small LRU of parsed trajectories with
//! their findings, and light list rows (id, task, turns, finding counts) filled as they are seen.

use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::findings::{Finding, Severity};
use crate::load::Dataset;
use crate::model::{Task, Trajectory, Verdict};
use crate::sanitize::sanitize_line;

/// Whatever produces findings for a trajectory (the rules engine, or a test).
pub type FindingsProvider = Box<dyn Fn(&Trajectory) -> Vec<Finding> + Send + Sync>;

/// A parsed trajectory and what the screen shows about it.
#[derive(Debug)]
pub struct Entry {
    pub trajectory: Trajectory,
    /// Sorted by turn, then span.
    pub findings: Vec<Finding>,
    pub warnings: Vec<Diagnostic>,
    /// The id is final: the census has read the ids before it in its file (until then a
    /// repeated id would still have to be renamed, so marks wait).
    pub settled: bool,
    /// Under blind review, the last turn shown: the turns after it, their findings and the
    /// outcome fields are left out.
    pub cut: Option<usize>,
}

impl Entry {
    pub fn findings_in(&self, turn: usize) -> impl Iterator<Item = &Finding> {
        let start = self.findings.partition_point(|f| f.turn < turn);
        self.findings[start..]
            .iter()
            .take_while(move |f| f.turn == turn)
    }

    pub fn worst_in(&self, turn: usize) -> Option<Severity> {
        self.findings_in(turn).map(|f| f.severity).max()
    }
}

/// A loaded record or why it could not be read.
pub type Slot = Result<Arc<Entry>, Arc<Diagnostic>>;

/// One row of the trajectory list.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    /// The run of the trajectory's file (empty for a record that could not be read).
    pub run: Arc<str>,
    pub task: Option<Task>,
    pub turns: usize,
    /// The agent turns that count for label progress (not demo).
    pub agent: Vec<usize>,
    /// Findings by severity: error, warn, info.
    pub counts: [usize; 3],
    pub broken: bool,
    /// The id is final (see [`Entry::settled`]).
    pub settled: bool,
    /// The recorded outcome (`None` for a record that could not be read).
    pub verdict: Option<Verdict>,
}

const LRU_SIZE: usize = 12;

/// The dataset with its caches.
pub struct Store {
    dataset: Dataset,
    provider: Option<FindingsProvider>,
    /// The ids of the rules the provider runs, when known (the list filter checks its rule
    /// terms against them).
    rule_ids: Option<Vec<Arc<str>>>,
    lru: Vec<(usize, Slot)>,
    rows: Vec<Option<Row>>,
    /// The widest id of the rows seen, in terminal cells.
    widest_id: usize,
    /// Blind review: the last turn shown of each sampled trajectory.
    cuts: std::collections::HashMap<usize, usize>,
}

impl Store {
    pub fn new(dataset: Dataset, provider: Option<FindingsProvider>) -> Store {
        Store {
            dataset,
            provider,
            rule_ids: None,
            lru: Vec::new(),
            rows: Vec::new(),
            widest_id: 0,
            cuts: Default::default(),
        }
    }

    /// The ids of the rules the findings provider runs.
    pub fn with_rule_ids(mut self, ids: Vec<Arc<str>>) -> Store {
        self.rule_ids = Some(ids);
        self
    }

    /// The ids of the rules the findings provider runs, when known.
    pub fn rule_ids(&self) -> Option<&[Arc<str>]> {
        self.rule_ids.as_deref()
    }

    /// The findings of `t`, as the screen shows them (none without a provider).
    pub fn findings_of(&self, t: &Trajectory) -> Vec<Finding> {
        self.provider.as_ref().map_or_else(Vec::new, |p| p(t))
    }

    /// Trajectories indexed so far.
    pub fn len(&self) -> usize {
        self.dataset.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// Whether `slot`, loaded as trajectory `i` before its id was final, should be loaded
    /// again because it now is; or, under blind review, because its cut changed.
    pub fn stale(&self, i: usize, slot: &Slot) -> bool {
        slot.as_ref()
            .is_ok_and(|e| (!e.settled && self.dataset.id_settled(i)) || e.cut != self.cut(i))
    }

    /// Under blind review, the last turn of trajectory `i` shown.
    pub fn cut(&self, i: usize) -> Option<usize> {
        self.cuts.get(&i).copied()
    }

    /// Show trajectory `i` up to turn `cut` only (`None`: whole); loaded again when it changes.
    pub fn set_cut(&mut self, i: usize, cut: Option<usize>) {
        if self.cut(i) != cut {
            match cut {
                Some(c) => self.cuts.insert(i, c),
                None => self.cuts.remove(&i),
            };
            if let Some(Some(row)) = self.rows.get_mut(i) {
                row.settled = false;
            }
        }
    }

    /// The parsed trajectory `i`, from the cache if it is there.
    pub fn get(&mut self, i: usize) -> Slot {
        if let Some(pos) = self.lru.iter().position(|(j, _)| *j == i) {
            if self.stale(i, &self.lru[pos].1) {
                let _ = self.lru.remove(pos);
                return self.get(i);
            }
            let hit = self.lru.remove(pos);
            let slot = hit.1.clone();
            self.lru.insert(0, hit);
            return slot;
        }
        let (loaded, settled) = self.dataset.load_now(i);
        let slot = match loaded {
            Ok(((mut trajectory, warnings), _)) => {
                let mut findings = self
                    .provider
                    .as_ref()
                    .map_or(Vec::new(), |p| p(&trajectory));
                findings.sort_by_key(|f| (f.turn, f.span));
                let cut = self.cut(i);
                if let Some(last) = cut {
                    // Blind: nothing of what came after the turn, nor how it ended.
                    trajectory.turns.truncate(last + 1);
                    findings.retain(|f| f.turn <= last);
                    trajectory.meta.clear();
                    trajectory.outcome = Default::default();
                }
                Ok(Arc::new(Entry {
                    trajectory,
                    findings,
                    warnings,
                    settled,
                    cut,
                }))
            }
            Err(d) => Err(Arc::new(d)),
        };
        self.remember_row(i, &slot);
        self.lru.insert(0, (i, slot.clone()));
        self.lru.truncate(LRU_SIZE);
        slot
    }

    /// The cached trajectory `i`, without loading it.
    pub fn cached(&self, i: usize) -> Option<&Slot> {
        self.lru.iter().find(|(j, _)| *j == i).map(|(_, s)| s)
    }

    /// The list row of trajectory `i`, loading the trajectory if it was never seen.
    pub fn row(&mut self, i: usize) -> &Row {
        let settled = self.dataset.id_settled(i);
        if self
            .rows
            .get(i)
            .is_none_or(|r| r.as_ref().is_none_or(|r| !r.settled && settled))
        {
            let _ = self.get(i);
        }
        self.rows[i].as_ref().expect("filled by get")
    }

    /// The widest id of the rows seen so far, in terminal cells.
    pub fn widest_id(&self) -> usize {
        self.widest_id
    }

    /// The list row of trajectory `i` if it is known.
    pub fn known_row(&self, i: usize) -> Option<&Row> {
        self.rows.get(i).and_then(Option::as_ref)
    }

    fn remember_row(&mut self, i: usize, slot: &Slot) {
        if self.rows.len() <= i {
            self.rows.resize(i + 1, None);
        }
        self.rows[i] = Some(match slot {
            Ok(e) => {
                let mut counts = [0; 3];
                for f in &e.findings {
                    counts[Severity::ALL
                        .iter()
                        .position(|s| *s == f.severity)
                        .unwrap_or(0)] += 1;
                }
                Row {
                    id: e.trajectory.id.clone(),
                    run: e.trajectory.run.clone(),
                    task: Some(e.trajectory.task),
                    turns: e.trajectory.turns.len(),
                    agent: super::marks::agent_turns(&e.trajectory),
                    counts,
                    broken: false,
                    settled: e.settled,
                    verdict: Some(e.trajectory.outcome.verdict),
                }
            }
            Err(d) => Row {
                id: format!(
                    "{}:{}",
                    d.file
                        .file_name()
                        .map_or("?".into(), |n| n.to_string_lossy()),
                    d.line
                ),
                run: Arc::from(""),
                task: None,
                turns: 0,
                agent: Vec::new(),
                counts: [0; 3],
                broken: true,
                settled: true,
                verdict: None,
            },
        });
        if let Some(row) = &self.rows[i] {
            let cells = unicode_width::UnicodeWidthStr::width(sanitize_line(&row.id).as_str());
            self.widest_id = self.widest_id.max(cells);
        }
    }
}
