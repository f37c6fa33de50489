//! Finding things in the trajectory on screen: the search (a regex, smart case) and its hits,
//! and the rules' findings (the next one may be in a later trajectory: the screen looks there).

use super::super::doc::Hit;
use super::{Canvas, Document};

/// An active search in the current trajectory.
#[derive(Debug, Clone)]
pub struct Search {
    pub pattern: String,
    pub regex: regex::Regex,
    pub hits: Vec<Hit>,
    pub current: Option<usize>,
}

impl Document {
    /// Search for `pattern` (an empty one ends the search) and go to the first hit; the message
    /// for the status bar.
    pub fn start_search(&mut self, pattern: &str, canvas: &Canvas) -> Option<String> {
        if pattern.is_empty() {
            self.clear_search();
            return None;
        }
        let smart = if pattern.chars().any(char::is_uppercase) {
            ""
        } else {
            "(?i)"
        };
        match regex::Regex::new(&format!("{smart}{pattern}")) {
            Ok(regex) => {
                self.search = Some(Search {
                    pattern: pattern.to_string(),
                    regex,
                    hits: Vec::new(),
                    current: None,
                });
                self.rerun_search();
                Some(self.next_hit(true, canvas))
            }
            Err(e) => {
                let first = e.to_string().lines().last().unwrap_or("").to_string();
                Some(format!("bad regex: {first}"))
            }
        }
    }

    /// End the search.
    pub fn clear_search(&mut self) {
        self.search = None;
        self.cache.lines.clear();
    }

    /// Find the search's hits in the trajectory on screen.
    pub(super) fn rerun_search(&mut self) {
        self.cache.lines.clear();
        let entry = self.current().cloned();
        let Some(search) = &mut self.search else {
            return;
        };
        search.hits.clear();
        search.current = None;
        let Some(entry) = entry else { return };
        for turn in &entry.trajectory.turns {
            for m in search.regex.find_iter(&turn.text) {
                if m.start() < m.end() {
                    search.hits.push(Hit {
                        turn: turn.index,
                        start: m.start(),
                        end: m.end(),
                    });
                }
                if search.hits.len() >= 100_000 {
                    return;
                }
            }
        }
    }

    /// Go to the next (or previous) hit; the message for the status bar.
    pub fn next_hit(&mut self, forward: bool, canvas: &Canvas) -> String {
        let Some(search) = &self.search else {
            return "no search (press / to search)".into();
        };
        if search.hits.is_empty() {
            return format!("no match for /{}/ in this trajectory", search.pattern);
        }
        let n = search.hits.len();
        let next = match search.current {
            Some(c) if forward => (c + 1) % n,
            Some(c) => (c + n - 1) % n,
            None => {
                let from = self.cursor_turn().unwrap_or(0);
                let i = search.hits.partition_point(|h| h.turn < from);
                if forward {
                    i % n
                } else {
                    (i + n - 1) % n
                }
            }
        };
        let hit = search.hits[next];
        let message = format!("hit {}/{} for /{}/", next + 1, n, search.pattern);
        if let Some(s) = &mut self.search {
            s.current = Some(next);
        }
        self.reveal(hit.turn, hit.start, canvas);
        message
    }

    /// The next (or previous) finding of this trajectory from the last one jumped to (or from
    /// the cursor), if there is one.
    pub fn finding_after(&self, forward: bool) -> Option<usize> {
        let entry = self.current()?;
        let n = entry.findings.len();
        let from = self.cursor_turn().unwrap_or(0);
        match self.finding {
            Some(f) if forward => (f + 1 < n).then_some(f + 1),
            Some(f) => f.checked_sub(1),
            None if forward => {
                Some(entry.findings.partition_point(|f| f.turn < from)).filter(|&i| i < n)
            }
            None => entry
                .findings
                .partition_point(|f| f.turn < from)
                .checked_sub(1),
        }
    }

    /// Go to finding `i` of this trajectory; the message for the status bar.
    pub fn goto_finding(&mut self, i: usize, canvas: &Canvas) -> Option<String> {
        let entry = self.current()?.clone();
        let f = entry.findings.get(i)?;
        self.finding = Some(i);
        let message = format!(
            "finding {}/{}: {} {}",
            i + 1,
            entry.findings.len(),
            f.severity,
            f.rule
        );
        self.reveal(f.turn, f.span.0, canvas);
        Some(message)
    }
}
