//! The trajectory list: which rows it shows (all, or the filter's matches, found a slice at a
//! time), its window, and the type-ahead jump to an id.

use std::time::{Duration, Instant};

use super::app::App;
use crate::findings::Severity;
use crate::model::Task;

/// One term of a filter; all terms must match.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    /// Has a finding of this severity or worse.
    Severity(Severity),
    /// Has a finding whose rule id contains this.
    Rule(String),
    Task(Task),
    /// The id or any turn's text contains this (case-insensitive).
    Text(String),
    /// Some agent turn has no mark of the annotator's (`unmarked`).
    Unmarked,
    /// Every agent turn has a mark of the annotator's (`marked`).
    Marked,
    /// Annotators' labels differ somewhere in the trajectory (`disagree`).
    Disagree,
}

/// A list filter and how far its scan has come.
#[derive(Debug, Clone)]
pub struct Filter {
    pub query: String,
    pub terms: Vec<Term>,
    /// Matching trajectories among the first `scanned`, in order.
    pub matches: Vec<usize>,
    pub scanned: usize,
}

impl Filter {
    pub fn parse(query: &str) -> Result<Filter, String> {
        let mut terms = Vec::new();
        for word in query.split_whitespace() {
            let term = match word.split_once(':') {
                Some(("severity" | "sev", s)) => {
                    Term::Severity(Severity::parse(s).ok_or(format!("unknown severity '{s}'"))?)
                }
                Some(("rule", r)) => Term::Rule(r.to_string()),
                Some(("task", t)) => {
                    Term::Task(Task::parse(t).ok_or(format!("unknown task '{t}'"))?)
                }
                Some(("text", t)) => Term::Text(t.to_lowercase()),
                _ if word == "unmarked" => Term::Unmarked,
                _ if word == "marked" => Term::Marked,
                _ if word == "disagree" => Term::Disagree,
                _ => Term::Text(word.to_lowercase()),
            };
            terms.push(term);
        }
        Ok(Filter {
            query: query.to_string(),
            terms,
            matches: Vec::new(),
            scanned: 0,
        })
    }
}

/// The list's state.
#[derive(Debug, Clone, Default)]
pub struct ListState {
    pub filter: Option<Filter>,
    /// Where a type-ahead jump started (Esc goes back there).
    pub jump_origin: Option<usize>,
    /// First row on screen (a position in the shown rows).
    pub top: usize,
    /// The sample the list is restricted to (global indices, increasing), if any.
    pub sample: Option<Vec<usize>>,
}

impl ListState {
    /// The trajectory `delta` rows away from `from` in the shown rows.
    /// The rows shown when they are not all: the filter's matches, else the sample.
    fn rows(&self) -> Option<&[usize]> {
        match (&self.filter, &self.sample) {
            (Some(f), _) => Some(&f.matches),
            (None, Some(s)) => Some(s),
            (None, None) => None,
        }
    }

    pub fn neighbour(&self, from: usize, delta: isize, len: usize) -> Option<usize> {
        match self.rows() {
            None => {
                let to = from.checked_add_signed(delta)?;
                (to < len).then_some(to)
            }
            Some(rows) => {
                let pos = rows.partition_point(|&m| m < from);
                let at = rows.get(pos) == Some(&from);
                let to = match (delta > 0, at) {
                    (true, true) => pos + 1,
                    (true, false) => pos,
                    (false, _) => pos.checked_sub(1)?,
                };
                rows.get(to).copied()
            }
        }
    }

    /// Rows shown: how many, and the trajectory at each position.
    pub fn shown(&self, len: usize) -> usize {
        self.rows().map_or(len, <[usize]>::len)
    }

    pub fn at(&self, pos: usize) -> usize {
        self.rows().map_or(pos, |r| r[pos])
    }

    /// Position of trajectory `i` in the shown rows (where it is or would be).
    pub fn position(&self, i: usize) -> usize {
        self.rows().map_or(i, |r| r.partition_point(|&m| m < i))
    }

    /// Trajectory `i` is in the sample (or there is none).
    pub fn in_sample(&self, i: usize) -> bool {
        self.sample
            .as_ref()
            .is_none_or(|s| s.binary_search(&i).is_ok())
    }

    pub fn scanning(&self, len: usize) -> bool {
        self.filter.as_ref().is_some_and(|f| f.scanned < len)
    }

    pub fn progress(&self) -> Option<(usize, usize)> {
        self.filter.as_ref().map(|f| (f.matches.len(), f.scanned))
    }
}

impl App {
    pub(super) fn set_filter(&mut self, query: &str) {
        if query.trim().is_empty() {
            self.list.filter = None;
            return;
        }
        match Filter::parse(query) {
            Ok(f) => {
                self.list.filter = Some(f);
                self.scan_filter(Duration::from_millis(150));
                let f = self.list.filter.as_ref().expect("set above");
                if let (Some(&first), Err(_)) =
                    (f.matches.first(), f.matches.binary_search(&self.selected))
                {
                    self.select(first);
                }
            }
            Err(e) => self.message = Some(e),
        }
    }

    /// Check more trajectories against the filter, for at most `budget`.
    pub(super) fn scan_filter(&mut self, budget: Duration) {
        let start = Instant::now();
        let len = self.store.len();
        while let Some(f) = &self.list.filter {
            let i = f.scanned;
            if i >= len || start.elapsed() > budget {
                break;
            }
            let terms = f.terms.clone();
            let matched = self.list.in_sample(i) && self.matches(i, &terms);
            let f = self.list.filter.as_mut().expect("checked above");
            if matched {
                f.matches.push(i);
            }
            f.scanned = i + 1;
        }
    }

    fn matches(&mut self, i: usize, terms: &[Term]) -> bool {
        let Ok(entry) = self.store.get(i) else {
            return false;
        };
        terms.iter().all(|term| match term {
            Term::Severity(s) => entry.findings.iter().any(|f| f.severity >= *s),
            Term::Rule(r) => entry.findings.iter().any(|f| f.rule.contains(r.as_str())),
            Term::Task(t) => entry.trajectory.task == *t,
            Term::Unmarked | Term::Marked => {
                let agent = super::marks::agent_turns(&entry.trajectory);
                let done = self.labels.marked(&entry.trajectory.id, &agent) == agent.len();
                done == (*term == Term::Marked)
            }
            Term::Disagree => self.labels.disagrees(&entry.trajectory.id),
            Term::Text(text) => {
                entry.trajectory.id.to_lowercase().contains(text)
                    || entry
                        .trajectory
                        .turns
                        .iter()
                        .any(|t| t.text.to_lowercase().contains(text))
            }
        })
    }

    /// Type-ahead: select the first trajectory whose id starts with (else contains) `prefix`.
    pub(super) fn jump_to(&mut self, prefix: &str) {
        if prefix.is_empty() {
            return;
        }
        let start = Instant::now();
        let len = self.store.len();
        let mut contains = None;
        for pos in 0..self.list.shown(len) {
            let i = self.list.at(pos);
            let known = self.store.known_row(i).is_some();
            if !known && start.elapsed() > Duration::from_millis(200) {
                continue;
            }
            let id = &self.store.row(i).id;
            if id.starts_with(prefix) {
                self.select(i);
                return;
            }
            if contains.is_none() && id.contains(prefix) {
                contains = Some(i);
            }
        }
        match contains {
            Some(i) => self.select(i),
            None => self.message = Some(format!("no id starts with '{prefix}'")),
        }
    }

    /// Keep the selection in the list's window and read the rows in it.
    pub(super) fn prepare_list(&mut self) {
        let Some(area) = self.areas().list else {
            return;
        };
        let height = area.height.saturating_sub(2).max(1) as usize;
        let len = self.store.len();
        let shown = self.list.shown(len);
        let pos = self.list.position(self.selected);
        if pos < self.list.top {
            self.list.top = pos;
        } else if pos >= self.list.top + height {
            self.list.top = pos + 1 - height;
        }
        self.list.top = self.list.top.min(shown.saturating_sub(height));
        for p in self.list.top..(self.list.top + height).min(shown) {
            let i = self.list.at(p);
            self.store.row(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse() {
        let f = Filter::parse(
            "severity:warn rule:repetition task:os hello disagree unmarked marked text:marked",
        )
        .unwrap();
        assert_eq!(
            f.terms,
            vec![
                Term::Severity(Severity::Warn),
                Term::Rule("repetition".into()),
                Term::Task(Task::Os),
                Term::Text("hello".into()),
                Term::Disagree,
                Term::Unmarked,
                Term::Marked,
                Term::Text("marked".into()),
            ]
        );
        assert!(Filter::parse("severity:fatal").is_err());
    }

    #[test]
    fn neighbours_follow_the_filter() {
        let mut l = ListState::default();
        assert_eq!(l.neighbour(0, 1, 3), Some(1));
        assert_eq!(l.neighbour(2, 1, 3), None);
        let mut f = Filter::parse("x").unwrap();
        f.matches = vec![2, 5, 9];
        l.filter = Some(f);
        assert_eq!(l.neighbour(5, 1, 10), Some(9));
        assert_eq!(l.neighbour(3, 1, 10), Some(5));
        assert_eq!(l.neighbour(3, -1, 10), Some(2));
        assert_eq!(l.neighbour(9, 1, 10), None);
    }
}
