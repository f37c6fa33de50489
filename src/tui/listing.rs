//! The trajectory list: which rows it shows (all, the sample, or the filter's matches, found a
//! slice at a time), its window, and the type-ahead jump to an id.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::layout::Rect;

mod order;

use order::{Order, SortBy};

use super::marks::Labels;
use super::store::Store;
use crate::findings::Severity;
use crate::model::{Task, Verdict};

/// One term of a filter; all terms must match.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    /// Has a finding of this severity or worse.
    Severity(Severity),
    /// Has a finding whose rule id starts with this (an id, a family, or the start of one).
    Rule(String),
    Task(Task),
    /// The id or any turn's text contains this (case-insensitive).
    Text(String),
    /// Some agent turn has no mark of the annotator's (`unmarked`).
    Unmarked,
    /// Every agent turn has a mark of the annotator's (`marked`).
    Marked,
    /// Annotators' labels differ somewhere in the trajectory, on a turn or in the verdicts
    /// (`disagree`).
    Disagree,
    /// Some turn has a mark (anyone's) with this error category (`category:NAME`).
    Category(String),
    /// The recorded outcome is this (`outcome:pass|fail|error|unknown`).
    Outcome(Verdict),
    /// A raw outcome field (or a field the outcome is read from) contains this,
    /// case-insensitive (`status:TEXT`).
    Status(String),
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

/// The keys of `key:value` terms.
const KEYS: &str = "severity (sev), rule, task, text, category (cat), outcome, status";

impl Filter {
    /// Parse a query. A rule term must be the start of one of `rules` (the ids of the rules
    /// that give the findings; `None`: not checked); a word `key:value` needs a known key
    /// (`text:` searches for a word with a colon).
    pub fn parse(query: &str, rules: Option<&[Arc<str>]>) -> Result<Filter, String> {
        let mut terms = Vec::new();
        for word in query.split_whitespace() {
            let term = match word.split_once(':') {
                Some(("severity" | "sev", s)) => {
                    Term::Severity(Severity::parse(s).ok_or_else(|| {
                        let known = Severity::ALL.map(Severity::as_str).join(", ");
                        format!("unknown severity '{s}' (severities: {known})")
                    })?)
                }
                Some(("rule", r)) => Term::Rule(known_rule(r, rules)?),
                Some(("task", t)) => Term::Task(Task::parse(t).ok_or_else(|| {
                    let known = Task::ALL.map(Task::as_str).join(", ");
                    format!("unknown task '{t}' (tasks: {known})")
                })?),
                Some(("text", t)) => Term::Text(t.to_lowercase()),
                Some(("category" | "cat", c)) if !c.is_empty() => Term::Category(c.to_string()),
                Some(("outcome", o)) => Term::Outcome(
                    Verdict::ALL
                        .into_iter()
                        .find(|v| v.as_str() == o)
                        .ok_or_else(|| {
                            let known = Verdict::ALL.map(Verdict::as_str).join(", ");
                            format!("unknown outcome '{o}' (outcomes: {known})")
                        })?,
                ),
                Some(("status", t)) if !t.is_empty() => Term::Status(t.to_lowercase()),
                Some((key, _)) if is_key(key) => {
                    return Err(format!(
                        "unknown filter key '{key}:' (keys: {KEYS}; text:{word} finds the word)"
                    ))
                }
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

/// A word before a colon reads as a key: a letter, then letters, digits, `-` and `_`.
fn is_key(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_alphabetic)
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

/// `r` when it is the start of a rule id among `rules` (a whole id, a family or a prefix).
fn known_rule(r: &str, rules: Option<&[Arc<str>]>) -> Result<String, String> {
    let Some(rules) = rules else {
        return Ok(r.to_string());
    };
    if !r.is_empty() && rules.iter().any(|id| id.starts_with(r)) {
        return Ok(r.to_string());
    }
    let mut families: Vec<&str> = Vec::new();
    for id in rules {
        let family = id.split_once('/').map_or(&**id, |(family, _)| family);
        if !families.contains(&family) {
            families.push(family);
        }
    }
    Err(format!(
        "unknown rule '{r}': no rule id starts with it (rules: {})",
        families.join(", ")
    ))
}

/// Where the trajectory on screen is in the filtered list ([`List::counted`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub position: Option<usize>,
    pub matches: usize,
    /// Trajectories scanned so far, while the scan is running.
    pub scanned: Option<usize>,
}

/// The trajectory list: the rows it shows, its window and the type-ahead jump.
#[derive(Debug, Clone, Default)]
pub struct List {
    filter: Option<Filter>,
    /// Where a type-ahead jump started (Esc goes back there).
    jump_origin: Option<usize>,
    /// First row on screen (a position in the shown rows).
    top: usize,
    /// The sample the list is restricted to (global indices, increasing), if any.
    sample: Option<Vec<usize>>,
    /// The sort, when not file order.
    order: Option<Order>,
    /// What the last look at the data saw: trajectories indexed, whether the index is
    /// complete, the filter's progress and the sort's.
    seen: Seen,
}

/// What [`List::changed`] compares: trajectories indexed, the index complete, the filter's
/// (matches, scanned), the sort's (rows read, sorted).
type Seen = (usize, bool, Option<(usize, usize)>, Option<(usize, bool)>);

impl List {
    pub fn filter(&self) -> Option<&Filter> {
        self.filter.as_ref()
    }

    pub fn sample(&self) -> Option<&[usize]> {
        self.sample.as_deref()
    }

    /// First row on screen (a position in the shown rows).
    pub fn top(&self) -> usize {
        self.top
    }

    /// Restrict the list to a sample (global indices, increasing).
    pub fn restrict(&mut self, sample: Vec<usize>) {
        self.sample = Some(sample);
    }

    /// The rows shown when they are not all in file order: sorted, else the filter's matches,
    /// else the sample.
    fn rows(&self) -> Option<&[usize]> {
        if let Some(rows) = self.sorted().and_then(Order::rows) {
            return Some(rows);
        }
        match (&self.filter, &self.sample) {
            (Some(f), _) => Some(&f.matches),
            (None, Some(s)) => Some(s),
            (None, None) => None,
        }
    }

    /// The sort, once its rows are sorted.
    fn sorted(&self) -> Option<&Order> {
        self.order.as_ref().filter(|o| o.done())
    }

    /// The trajectory `delta` rows away from `from` in the shown rows.
    pub fn neighbour(&self, from: usize, delta: isize, len: usize) -> Option<usize> {
        if let Some(o) = self.sorted() {
            let rows = o.rows().unwrap_or_default();
            let to = match o.position(from) {
                Some(p) => p.checked_add_signed(delta)?,
                None if delta > 0 => 0,
                None => return None,
            };
            return rows.get(to).copied();
        }
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
        if let Some(o) = self.sorted() {
            return o.position(i).unwrap_or(0);
        }
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
            || self.order.as_ref().is_some_and(|o| !o.done())
    }

    /// Sort by the next key of `S`'s round; what to say in the status bar.
    pub fn cycle_sort(&mut self) -> String {
        let by = self.order.as_ref().map_or(SortBy::File, |o| o.by).next();
        self.order = (by != SortBy::File).then(|| Order::new(by));
        match by {
            SortBy::File => "in file order".into(),
            by => format!("sorting by {} (S for the next sort)", by.as_str()),
        }
    }

    /// What the list's title says of the sort: by what, or how far reading its rows has come.
    pub fn sort_title(&self, len: usize) -> Option<String> {
        let o = self.order.as_ref()?;
        Some(match o.done() {
            true => format!("by {}", o.by.as_str()),
            false => format!("sorting {}%", (o.read * 100).checked_div(len).unwrap_or(0)),
        })
    }

    pub fn progress(&self) -> Option<(usize, usize)> {
        self.filter.as_ref().map(|f| (f.matches.len(), f.scanned))
    }

    /// With a filter on, where `selected` is in the filtered list: its position among the
    /// matches (from 1; `None` when it is not one), the matches found so far, and while the
    /// scan of the `len` trajectories is still running, how many it has looked at.
    pub fn counted(&self, selected: usize, len: usize) -> Option<Counted> {
        let f = self.filter.as_ref()?;
        let position = match self.sorted() {
            Some(o) => o.position(selected),
            None => f.matches.binary_search(&selected).ok(),
        };
        Some(Counted {
            position: position.map(|p| p + 1),
            matches: f.matches.len(),
            scanned: (f.scanned < len).then_some(f.scanned),
        })
    }

    /// Whether the data or the filter's scan moved on since the last look (the list shows
    /// both).
    pub fn changed(&mut self, len: usize, complete: bool) -> bool {
        let sort = self.order.as_ref().map(|o| (o.read, o.done()));
        let now = (len, complete, self.progress(), sort);
        if now == self.seen {
            return false;
        }
        self.seen = now;
        true
    }

    /// Set the filter (an empty query clears it) and scan a first slice; `Err` says what is
    /// wrong with the query.
    pub fn set_filter(
        &mut self,
        query: &str,
        store: &mut Store,
        labels: &Labels,
    ) -> Result<(), String> {
        if query.trim().is_empty() {
            self.filter = None;
            if let Some(o) = &mut self.order {
                o.invalidate();
            }
            return Ok(());
        }
        let filter = Filter::parse(query, store.rule_ids())?;
        for term in &filter.terms {
            if let Term::Category(c) = term {
                if !labels.knows_category(c) {
                    return Err(format!(
                        "unknown category '{c}' (categories: {})",
                        labels.categories.names().join(", ")
                    ));
                }
            }
        }
        self.filter = Some(filter);
        if let Some(o) = &mut self.order {
            o.invalidate();
        }
        self.scan(store, labels, Duration::from_millis(150));
        Ok(())
    }

    /// While the filter is on: the trajectory to show instead of `selected` (the first
    /// match), when `selected` is not a match and there is one.
    pub fn instead_of(&self, selected: usize) -> Option<usize> {
        let f = self.filter.as_ref()?;
        match (f.matches.first(), f.matches.binary_search(&selected)) {
            (Some(&first), Err(_)) => Some(first),
            _ => None,
        }
    }

    /// Check more trajectories against the filter, for at most `budget`.
    pub fn scan(&mut self, store: &mut Store, labels: &Labels, budget: Duration) {
        let start = Instant::now();
        let len = store.len();
        while let Some(f) = &self.filter {
            let i = f.scanned;
            if i >= len || start.elapsed() > budget {
                break;
            }
            let matched = self.in_sample(i) && matches(store, labels, i, &f.terms);
            let f = self.filter.as_mut().expect("checked above");
            if matched {
                f.matches.push(i);
            }
            f.scanned = i + 1;
        }
        // The sort reads its rows in what is left of the budget, and sorts the rows shown once
        // the filter (if any) has seen every trajectory.
        let Some(mut order) = self.order.take() else {
            return;
        };
        let complete =
            store.dataset().is_complete() && self.filter.as_ref().is_none_or(|f| f.scanned >= len);
        let shown = match (&self.filter, &self.sample) {
            (Some(f), _) => Some(f.matches.as_slice()),
            (None, Some(s)) => Some(s.as_slice()),
            (None, None) => None,
        };
        order.advance(store, labels, shown, complete, || start.elapsed() <= budget);
        self.order = Some(order);
    }

    /// Start a type-ahead jump from trajectory `from`.
    pub fn start_jump(&mut self, from: usize) {
        self.jump_origin = Some(from);
    }

    /// End the type-ahead jump: where it started.
    pub fn end_jump(&mut self) -> Option<usize> {
        self.jump_origin.take()
    }

    /// Type-ahead: the first trajectory whose id starts with (else contains) `prefix`; nothing
    /// for an empty prefix; `Err` when no id has it.
    pub fn find_id(&self, prefix: &str, store: &mut Store) -> Result<Option<usize>, String> {
        if prefix.is_empty() {
            return Ok(None);
        }
        let start = Instant::now();
        let len = store.len();
        let mut contains = None;
        for pos in 0..self.shown(len) {
            let i = self.at(pos);
            let known = store.known_row(i).is_some();
            if !known && start.elapsed() > Duration::from_millis(200) {
                continue;
            }
            let id = &store.row(i).id;
            if id.starts_with(prefix) {
                return Ok(Some(i));
            }
            if contains.is_none() && id.contains(prefix) {
                contains = Some(i);
            }
        }
        match contains {
            Some(i) => Ok(Some(i)),
            None => Err(format!("no id starts with '{prefix}'")),
        }
    }

    /// The trajectory on row `row` of the list's `area` (its first rows are its title and its
    /// column header), if there is one.
    pub fn clicked(&self, row: usize, len: usize) -> Option<usize> {
        let pos = self.top + row.saturating_sub(2);
        (row >= 2 && pos < self.shown(len)).then(|| self.at(pos))
    }

    /// Keep `selected` in the window of a list drawn in `area` and read the rows in it.
    pub fn prepare(&mut self, area: Option<Rect>, store: &mut Store, selected: usize) {
        let Some(area) = area else {
            return;
        };
        let height = area.height.saturating_sub(2).max(1) as usize;
        let len = store.len();
        let shown = self.shown(len);
        let pos = self.position(selected);
        if pos < self.top {
            self.top = pos;
        } else if pos >= self.top + height {
            self.top = pos + 1 - height;
        }
        self.top = self.top.min(shown.saturating_sub(height));
        for p in self.top..(self.top + height).min(shown) {
            let i = self.at(p);
            store.row(i);
        }
    }
}

/// Trajectory `i` has every term.
fn matches(store: &mut Store, labels: &Labels, i: usize, terms: &[Term]) -> bool {
    let Ok(entry) = store.get(i) else {
        return false;
    };
    terms.iter().all(|term| match term {
        Term::Severity(s) => entry.findings.iter().any(|f| f.severity >= *s),
        Term::Rule(r) => entry
            .findings
            .iter()
            .any(|f| f.rule.starts_with(r.as_str())),
        Term::Task(t) => entry.trajectory.task == *t,
        Term::Unmarked | Term::Marked => {
            let agent = super::marks::agent_turns(&entry.trajectory);
            let t = &entry.trajectory;
            let done = labels.marked(&t.run, &t.id, &agent) == agent.len();
            done == (*term == Term::Marked)
        }
        Term::Disagree => labels.disagrees(&entry.trajectory.run, &entry.trajectory.id),
        Term::Category(c) => labels.has_category(&entry.trajectory.run, &entry.trajectory.id, c),
        Term::Outcome(v) => entry.trajectory.outcome.verdict == *v,
        Term::Status(text) => {
            let t = &entry.trajectory;
            t.outcome.fields.iter().chain(&t.meta).any(|(_, value)| {
                let value = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_string);
                value.to_lowercase().contains(text.as_str())
            })
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse() {
        let f = Filter::parse(
            "severity:warn rule:repetition task:os hello disagree unmarked marked text:marked",
            None,
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
        assert!(Filter::parse("severity:fatal", None).is_err());
    }

    #[test]
    fn unknown_rules_and_keys_are_errors() {
        let rules: Vec<Arc<str>> = ["invalid-action/os", "repetition/loop", "empty-turn"]
            .map(Arc::from)
            .to_vec();
        let parse = |q: &str| Filter::parse(q, Some(&rules)).map(|f| f.terms);
        for known in ["repetition", "repetition/loop", "invalid-action/o", "empty"] {
            let term = Term::Rule(known.into());
            assert_eq!(parse(&format!("rule:{known}")), Ok(vec![term]));
        }
        assert_eq!(
            parse("rule:nosuch"),
            Err(
                "unknown rule 'nosuch': no rule id starts with it (rules: invalid-action, \
                 repetition, empty-turn)"
                    .into()
            )
        );
        assert!(
            parse("rule:loop").is_err(),
            "loop is inside an id, not its start"
        );
        assert!(parse("rule:").is_err());
        assert!(
            Filter::parse("rule:nosuch", None).is_ok(),
            "without the rules' ids nothing is checked"
        );
        let e = parse("state:x").unwrap_err();
        assert!(e.contains("unknown filter key 'state:'"), "{e}");
        assert_eq!(
            parse("outcome:fail status:Invalid"),
            Ok(vec![
                Term::Outcome(Verdict::Fail),
                Term::Status("invalid".into())
            ])
        );
        assert!(parse("outcome:won")
            .unwrap_err()
            .contains("unknown outcome 'won' (outcomes: pass, fail, error, unknown)"));
        assert!(
            e.contains("severity (sev), rule, task, text, category (cat), outcome, status"),
            "{e}"
        );
        assert!(parse("sev:x").unwrap_err().contains("error, warn, info"));
        assert!(parse("task:nosuch").unwrap_err().contains("tasks: os, db"));
        assert_eq!(
            parse("text:Act: http://x"),
            Err(
                "unknown filter key 'http:' (keys: severity (sev), rule, task, text, category (cat), \
                 outcome, status; \
                 text:http://x finds the word)"
                    .into()
            )
        );
        assert_eq!(
            parse("text:Act: :x 12:30"),
            Ok(vec![
                Term::Text("act:".into()),
                Term::Text(":x".into()),
                Term::Text("12:30".into())
            ])
        );
    }

    #[test]
    fn neighbours_follow_the_filter() {
        let mut l = List::default();
        assert_eq!(l.neighbour(0, 1, 3), Some(1));
        assert_eq!(l.neighbour(2, 1, 3), None);
        let mut f = Filter::parse("x", None).unwrap();
        f.matches = vec![2, 5, 9];
        l.filter = Some(f);
        assert_eq!(l.neighbour(5, 1, 10), Some(9));
        assert_eq!(l.neighbour(3, 1, 10), Some(5));
        assert_eq!(l.neighbour(3, -1, 10), Some(2));
        assert_eq!(l.neighbour(9, 1, 10), None);
    }

    #[test]
    fn the_filtered_list_counts_its_matches() {
        let mut l = List::default();
        assert_eq!(l.counted(3, 10), None, "no filter");
        let mut f = Filter::parse("x", None).unwrap();
        f.matches = vec![2, 5];
        f.scanned = 6;
        l.filter = Some(f);
        let counted = |position, matches, scanned| Counted {
            position,
            matches,
            scanned,
        };
        assert_eq!(l.counted(5, 10), Some(counted(Some(2), 2, Some(6))));
        assert_eq!(l.counted(3, 10), Some(counted(None, 2, Some(6))));
        assert_eq!(l.counted(2, 6), Some(counted(Some(1), 2, None)), "done");
    }
}
