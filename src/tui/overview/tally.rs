//! The overview's counts, taken in one pass over the list's rows a slice at a time between
//! keys: findings by rule, outcomes and the error categories of the marks. The pass keeps
//! only the tallies (a few numbers per rule and category), never the trajectories.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::super::marks::Labels;
use super::super::panel::Data;
use super::super::store::Entry;
use crate::findings::Severity;
use crate::model::Verdict;

/// The counts of one rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleCount {
    pub findings: usize,
    /// Trajectories with at least one of its findings.
    pub trajectories: usize,
    /// The worst severity of its findings.
    pub severity: Option<Severity>,
}

/// The counts of one error category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CategoryCount {
    /// Wrong turns marked with it (everyone's marks).
    pub turns: usize,
    /// Trajectories with such a turn.
    pub trajectories: usize,
}

/// What the pass has counted so far.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Readable trajectories counted.
    pub trajectories: usize,
    /// Records of the list that could not be read.
    pub unreadable: usize,
    pub rules: BTreeMap<Arc<str>, RuleCount>,
    /// By [`Verdict::ALL`]'s order: pass, fail, error, unknown.
    pub outcomes: [usize; 4],
    pub categories: BTreeMap<String, CategoryCount>,
}

impl Tally {
    /// Count one readable trajectory.
    fn add(&mut self, e: &Entry, labels: &Labels) {
        self.trajectories += 1;
        let verdict = e.trajectory.outcome.verdict;
        let at = Verdict::ALL.iter().position(|v| *v == verdict).unwrap_or(3);
        self.outcomes[at] += 1;
        let mut seen: Vec<&Arc<str>> = Vec::new();
        for f in &e.findings {
            let count = self.rules.entry(f.rule.clone()).or_default();
            count.findings += 1;
            count.severity = count.severity.max(Some(f.severity));
            if !seen.contains(&&f.rule) {
                seen.push(&f.rule);
                count.trajectories += 1;
            }
        }
        for (name, turns) in categories_of(labels, &e.trajectory.run, &e.trajectory.id) {
            let count = self.categories.entry(name).or_default();
            count.turns += turns;
            count.trajectories += 1;
        }
    }
}

/// The error categories of the wrong turns of `(run, id)`, the annotator's marks and the
/// others' (as the list filter's `category:` reads them), with the turns of each.
fn categories_of(labels: &Labels, run: &str, id: &str) -> BTreeMap<String, usize> {
    let mut out: BTreeMap<String, usize> = BTreeMap::new();
    for m in labels.mine_in(run, id).values() {
        if let (true, Some(c)) = (m.label == "wrong", &m.category) {
            *out.entry(c.clone()).or_default() += 1;
        }
    }
    let runs = std::iter::once(Some(run.to_string())).chain(labels.unnamed_apply.then_some(None));
    for r in runs {
        for (_, c) in labels
            .others_categories
            .get(&(r, id.to_string()))
            .into_iter()
            .flatten()
        {
            *out.entry(c.clone()).or_default() += 1;
        }
    }
    out
}

thread_local! {
    /// At most this many records a slice (tests: a scan that cannot finish in one slice).
    static SLICE_ROWS: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// Read at most `rows` records a slice on this thread from now on (a test hook: the screen's
/// tests show the scan unfinished; `usize::MAX` is no limit).
#[doc(hidden)]
pub fn limit_slice(rows: usize) {
    SLICE_ROWS.with(|c| c.set(rows.max(1)));
}

/// The pass over the list's rows.
#[derive(Debug, Clone, Default)]
pub struct Pass {
    /// The next record to look at (global index).
    pub next: usize,
    /// Every row of the list is counted and no more will come.
    pub done: bool,
    pub tally: Tally,
}

impl Pass {
    /// Count more of the rows the list shows (the filter's matches as its scan finds them,
    /// else the sample, else every record) while `within` says there is time.
    pub fn advance(&mut self, data: &mut Data, within: impl Fn() -> bool) {
        if self.done {
            return;
        }
        let len = data.store.len();
        // With a filter on, the pass follows its scan: a row is counted once the filter
        // has said whether it matches.
        let ready = data.filter.map_or(len, |f| f.scanned.min(len));
        let mut rows = SLICE_ROWS.with(Cell::get);
        while self.next < ready && rows > 0 && within() {
            let i = self.next;
            self.next += 1;
            rows -= 1;
            let shown = match (data.filter, data.sample) {
                (Some(f), _) => f.matches.binary_search(&i).is_ok(),
                (None, Some(s)) => s.binary_search(&i).is_ok(),
                (None, None) => true,
            };
            if !shown {
                continue;
            }
            match data.store.get(i) {
                Ok(e) => self.tally.add(&e, data.labels),
                Err(_) => self.tally.unreadable += 1,
            }
        }
        self.done = self.next >= len && ready >= len && data.store.dataset().is_complete();
    }

    /// How far the pass has come, in percent of the records indexed so far (below 100 until
    /// it is done).
    pub fn percent(&self, len: usize) -> usize {
        match self.done {
            true => 100,
            false => ((self.next * 100).checked_div(len).unwrap_or(0)).min(99),
        }
    }
}
