//! The comparison's task list: one row per task (both outcomes, turns and findings on each
//! side, the difference, where the runs part), its filter (`&won`, `&lost`, `&both-fail`,
//! `&rule:…`, typed after `&` as in the review screen), its order, and how it is drawn.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::super::theme::Theme;
use crate::compare::{Basis, Change, Side, Task};
use crate::sanitize::sanitize_line;
use crate::session::compare::Comparison;

/// One term of the task filter; all terms must match.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    Change(Change),
    /// Both runs have the task.
    Paired,
    /// The steps part somewhere (`diverges`), or nowhere (`same`).
    Diverges(bool),
    /// A finding of a rule whose id starts with this, on either side.
    Rule(String),
    /// The task key contains this (case-insensitive).
    Text(String),
}

const CHANGES: [Change; 7] = [
    Change::Won,
    Change::Lost,
    Change::BothPass,
    Change::BothFinished,
    Change::BothFail,
    Change::AOnly,
    Change::BOnly,
];

/// Parse a filter query (words; all must match).
/// Under `basis` both succeeding is `both-pass` or `both-finished` (the other word matches
/// nothing, and is refused).
pub fn parse(
    query: &str,
    rules: &[std::sync::Arc<str>],
    basis: Basis,
) -> Result<Vec<Term>, String> {
    let (both, not) = match basis {
        Basis::Pass => (Change::BothPass, Change::BothFinished),
        Basis::Finished => (Change::BothFinished, Change::BothPass),
    };
    let mut terms = Vec::new();
    for word in query.split_whitespace() {
        let word = word.strip_prefix('&').unwrap_or(word);
        let term = if word == not.as_str() {
            let basis = match basis {
                Basis::Pass => "pass vs not",
                Basis::Finished => "finished vs failed",
            };
            return Err(format!("{word}: under {basis} it is {}", both.as_str()));
        } else if let Some(c) = CHANGES.iter().find(|c| c.as_str() == word) {
            Term::Change(*c)
        } else if let Some(r) = word.strip_prefix("rule:") {
            if !rules.iter().any(|id| id.starts_with(r)) || r.is_empty() {
                return Err(format!("unknown rule '{r}': no rule id starts with it"));
            }
            Term::Rule(r.to_string())
        } else {
            match word {
                "paired" => Term::Paired,
                "diverges" => Term::Diverges(true),
                "same" => Term::Diverges(false),
                _ if word.contains(':') => {
                    return Err(format!(
                        "unknown filter '{word}' (won, lost, {}, both-fail, a-only, b-only, paired, diverges, same, rule:ID, or text)",
                        both.as_str()
                    ))
                }
                _ => Term::Text(word.to_lowercase()),
            }
        };
        terms.push(term);
    }
    Ok(terms)
}

fn matches(t: &Task, basis: Basis, rules: &[std::sync::Arc<str>], term: &Term) -> bool {
    match term {
        Term::Change(c) => t.change(basis) == *c,
        Term::Paired => t.a.is_some() && t.b.is_some(),
        Term::Diverges(d) => t.aligned.is_some_and(|(_, first)| first.is_some() == *d),
        Term::Rule(r) => [&t.a, &t.b].into_iter().flatten().any(|s| {
            s.findings.iter().any(|&(i, _)| {
                rules
                    .get(i as usize)
                    .is_some_and(|id| id.starts_with(r.as_str()))
            })
        }),
        Term::Text(text) => t.key.to_lowercase().contains(text.as_str()),
    }
}

/// The order of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// As read: A's order, then the tasks only B has.
    #[default]
    Input,
    /// Won, lost, both fail, both pass, one side only.
    Change,
    /// Most findings gained by B first.
    Findings,
    /// Earliest divergence first.
    Divergence,
    Key,
}

impl Order {
    pub fn next(self) -> Order {
        match self {
            Order::Input => Order::Change,
            Order::Change => Order::Findings,
            Order::Findings => Order::Divergence,
            Order::Divergence => Order::Key,
            Order::Key => Order::Input,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Order::Input => "as read",
            Order::Change => "by change",
            Order::Findings => "by findings B-A",
            Order::Divergence => "by first divergence",
            Order::Key => "by task",
        }
    }
}

fn findings_delta(t: &Task) -> i64 {
    let n = |s: &Option<Box<Side>>| s.as_ref().map_or(0, |s| i64::from(s.findings_total()));
    n(&t.b) - n(&t.a)
}

/// The task list: which tasks are shown, in what order, and the selected one.
#[derive(Debug, Default)]
pub struct TaskList {
    pub query: String,
    terms: Vec<Term>,
    pub order: Order,
    /// Indices into the comparison's tasks, filtered and ordered.
    pub shown: Vec<usize>,
    /// Position in `shown` of the selected task.
    pub cursor: usize,
    pub top: usize,
}

impl TaskList {
    pub fn new(c: &Comparison) -> TaskList {
        let mut list = TaskList::default();
        list.refresh(c);
        list
    }

    /// The selected task (an index into the comparison's tasks).
    pub fn selected(&self) -> Option<usize> {
        self.shown.get(self.cursor).copied()
    }

    pub fn set_filter(&mut self, query: &str, c: &Comparison) -> Result<(), String> {
        self.terms = parse(query, &c.rules, c.summary.basis)?;
        self.query = query.trim().to_string();
        self.refresh(c);
        Ok(())
    }

    pub fn cycle_order(&mut self, c: &Comparison) {
        self.order = self.order.next();
        self.refresh(c);
    }

    /// Filter and order again, keeping the selected task when it is still shown.
    fn refresh(&mut self, c: &Comparison) {
        let keep = self.selected();
        let basis = c.summary.basis;
        self.shown = (0..c.tasks.len())
            .filter(|&i| {
                self.terms
                    .iter()
                    .all(|term| matches(&c.tasks[i], basis, &c.rules, term))
            })
            .collect();
        let tasks = &c.tasks;
        match self.order {
            Order::Input => {}
            Order::Change => self
                .shown
                .sort_by_key(|&i| CHANGES.iter().position(|x| *x == tasks[i].change(basis))),
            Order::Findings => self
                .shown
                .sort_by_key(|&i| std::cmp::Reverse(findings_delta(&tasks[i]))),
            Order::Divergence => self.shown.sort_by_key(|&i| {
                tasks[i]
                    .aligned
                    .map_or((2, 0), |(_, d)| d.map_or((1, 0), |d| (0, d)))
            }),
            Order::Key => self.shown.sort_by(|&x, &y| tasks[x].key.cmp(&tasks[y].key)),
        }
        self.cursor = keep
            .and_then(|k| self.shown.iter().position(|&i| i == k))
            .unwrap_or(0);
        self.top = self.top.min(self.cursor);
    }

    /// Move the cursor by `delta` rows, keeping it in a window of `height` rows.
    pub fn step(&mut self, delta: isize, height: usize) {
        let last = self.shown.len().saturating_sub(1) as isize;
        self.cursor = (self.cursor as isize + delta).clamp(0, last.max(0)) as usize;
        let height = height.max(1);
        if self.cursor < self.top {
            self.top = self.cursor;
        } else if self.cursor >= self.top + height {
            self.top = self.cursor + 1 - height;
        }
    }
}

fn outcome(s: &Option<Box<Side>>) -> String {
    s.as_ref().map_or("-".into(), |s| s.verdict.as_str().into())
}

fn pair_of(t: &Task, f: impl Fn(&Side) -> u32) -> String {
    let one = |s: &Option<Box<Side>>| s.as_ref().map_or("-".into(), |s| f(s).to_string());
    format!("{}/{}", one(&t.a), one(&t.b))
}

fn cells(t: &Task, basis: Basis) -> [String; 7] {
    let delta = match (&t.a, &t.b) {
        (Some(_), Some(_)) => format!("{:+}", findings_delta(t)),
        _ => "-".into(),
    };
    let diverges = match t.aligned {
        Some((n, Some(d))) => format!("{}/{n}", d + 1),
        Some((n, None)) => format!("same {n}"),
        None => "-".into(),
    };
    [
        format!("{}/{}", outcome(&t.a), outcome(&t.b)),
        t.change(basis).as_str().to_string(),
        pair_of(t, |s| s.agent_turns),
        pair_of(t, Side::findings_total),
        delta,
        diverges,
        String::new(),
    ]
}

const WIDTHS: [usize; 6] = [15, 13, 9, 9, 5, 9];
const HEADS: [&str; 6] = ["A/B", "change", "turns", "found", "±", "diverges"];

fn style_of(change: Change, theme: &Theme) -> Style {
    match change {
        Change::Won => theme.label_right,
        Change::Lost => theme.label_wrong,
        Change::AOnly | Change::BOnly => theme.muted,
        _ => theme.text,
    }
}

/// Draw the list (header row, then the rows) in `area`.
pub fn draw(buf: &mut Buffer, area: Rect, list: &TaskList, c: &Comparison, theme: &Theme) {
    if area.height == 0 {
        return;
    }
    let fixed: usize = WIDTHS.iter().map(|w| w + 1).sum();
    let key_w = (area.width as usize).saturating_sub(fixed + 1).max(6);
    let line = |key: &str, cols: [&str; 6]| {
        let mut s = format!(" {:<key_w$}", truncate(key, key_w));
        for (cell, w) in cols.iter().zip(WIDTHS) {
            s.push_str(&format!(" {cell:>w$}"));
        }
        s
    };
    let head = line("task", HEADS);
    Line::styled(head, theme.title).render(Rect::new(area.x, area.y, area.width, 1), buf);
    let basis = c.summary.basis;
    for row in 0..area.height.saturating_sub(1) as usize {
        let pos = list.top + row;
        let Some(&i) = list.shown.get(pos) else { break };
        let t = &c.tasks[i];
        let cells = cells(t, basis);
        let text = line(
            &sanitize_line(&t.key),
            [
                &cells[0], &cells[1], &cells[2], &cells[3], &cells[4], &cells[5],
            ],
        );
        let style = if pos == list.cursor {
            theme.selection
        } else {
            style_of(t.change(basis), theme)
        };
        let y = area.y + 1 + row as u16;
        let r = Rect::new(area.x, y, area.width, 1);
        buf.set_style(r, style);
        Line::from(Span::styled(text, style)).render(r, buf);
    }
}

/// `s` cut to `width` characters, with `…` when cut.
pub fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}
