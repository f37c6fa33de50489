//! The overview panel: findings by rule, outcomes, the annotator's progress and the error
//! categories of the marks, as bar charts and tables over the list's rows (every trajectory,
//! the sample, or the filter's matches). It counts in the background, a slice of rows between
//! keys (as the list's sort reads its rows), and says `scanned N%` until done; selecting a bar
//! (`j`/`k`, `enter`) adds its term (`rule:ID`, `outcome:fail`, `category:NAME`) to the list's
//! filter and closes the panel.

mod draw;
mod tally;

use std::time::{Duration, Instant};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Widget};

use super::action::{Action, Keymap};
use super::marks::Whole;
use super::panel::{Data, Panel};
use super::theme::Theme;
use crate::findings::Severity;
use crate::model::Verdict;
use crate::sanitize::sanitize_line;
use draw::{layout, BarRow, Body, Layout, Section, Tone};
use tally::Pass;
pub use tally::{limit_slice, CategoryCount, RuleCount, Tally};

/// What the overview counts: the list's rows.
#[derive(Debug, Clone)]
enum Scope {
    All,
    Sample,
    /// The filter's query.
    Filter(String),
}

/// The overview panel.
pub struct OverviewPanel {
    pass: Pass,
    /// Records indexed at the last look.
    len: usize,
    scope: Scope,
    /// The annotator's progress, once counted (the status bar's count).
    whole: Option<Whole>,
    /// The annotator has a journal (else there is no progress to show).
    journal: bool,
    /// Counting the progress over the sample.
    sampled: bool,
    /// The term of the selected bar.
    selected: Option<String>,
    /// The first row of the charts on screen.
    first: usize,
    /// Where the view was when `j` on the last row began to scroll past it (`k` scrolls
    /// back there before it moves the selection).
    past: Option<usize>,
    /// The filter term `enter` asked for.
    request: Option<String>,
}

impl OverviewPanel {
    /// The tallies counted so far.
    pub fn tally(&self) -> &Tally {
        &self.pass.tally
    }

    fn sections(&self) -> Vec<Section> {
        let t = &self.pass.tally;
        let share = |n: usize| format!("{}%", (n * 100).checked_div(t.trajectories).unwrap_or(0));
        let tones = [Tone::Right, Tone::Wrong, Tone::Error, Tone::Muted];
        let mut outcomes: Vec<BarRow> = Verdict::ALL
            .iter()
            .zip(t.outcomes)
            .zip(tones)
            .map(|((v, n), tone)| BarRow {
                label: v.as_str().to_string(),
                counts: [n.to_string(), share(n)],
                value: n as u64,
                tone,
                term: Some(format!("outcome:{}", v.as_str())),
            })
            .collect();
        if t.unreadable > 0 {
            outcomes.push(BarRow {
                label: "unreadable".into(),
                counts: [t.unreadable.to_string(), String::new()],
                value: t.unreadable as u64,
                tone: Tone::Muted,
                term: None,
            });
        }
        let mut rules: Vec<(&std::sync::Arc<str>, &RuleCount)> = t.rules.iter().collect();
        rules.sort_by(|a, b| b.1.findings.cmp(&a.1.findings).then(a.0.cmp(b.0)));
        let rules = rules
            .into_iter()
            .map(|(id, c)| {
                let tone = match c.severity {
                    Some(Severity::Error) => Tone::Error,
                    Some(Severity::Warn) => Tone::Warn,
                    _ => Tone::Info,
                };
                counted(id, (c.findings, c.trajectories), tone, "rule")
            })
            .collect();
        let mut cats: Vec<(&String, &CategoryCount)> = t.categories.iter().collect();
        cats.sort_by(|a, b| b.1.turns.cmp(&a.1.turns).then(a.0.cmp(b.0)));
        let categories = cats
            .into_iter()
            .map(|(name, c)| counted(name, (c.turns, c.trajectories), Tone::Wrong, "category"))
            .collect();
        let over = match self.sampled {
            true => "the sample",
            false => "the whole data",
        };
        let progress = match (self.whole, self.journal) {
            (Some(w), _) => Body::Gauges(vec![
                ("agent turns marked", w.marked, w.turns),
                ("trajectories complete", w.complete, w.trajectories),
            ]),
            (None, true) => Body::Note("counted once every id is read".into()),
            (None, false) => Body::Note("no annotator's journal: nothing marked".into()),
        };
        vec![
            Section {
                title: "outcomes: trajectories by recorded outcome".into(),
                body: Body::Bars {
                    head: ["outcome", "trajectories", "share"],
                    axis: "trajectories",
                    rows: outcomes,
                    empty: "no trajectories",
                },
            },
            Section {
                title: format!("progress: your marks over {over}"),
                body: progress,
            },
            Section {
                title: "findings by rule".into(),
                body: Body::Bars {
                    head: ["rule", "findings", "trajectories"],
                    axis: "findings",
                    rows: rules,
                    empty: "no findings",
                },
            },
            Section {
                title: "error categories of wrong turns (everyone's marks)".into(),
                body: Body::Bars {
                    head: ["category", "wrong turns", "trajectories"],
                    axis: "wrong turns",
                    rows: categories,
                    empty: "no wrong turn has a category",
                },
            },
        ]
    }

    /// The lines above the charts: what is counted.
    fn head(&self) -> Vec<String> {
        let t = &self.pass.tally;
        let n = t.trajectories;
        let so_far = if self.pass.done { "" } else { " so far" };
        let mut line = match &self.scope {
            Scope::All => format!("Counted over every trajectory of the data: {n}{so_far}"),
            Scope::Sample => format!("Counted over the sample: {n} trajectories{so_far}"),
            Scope::Filter(q) => format!(
                "Counted over the list filtered by &{}: {n} trajectories{so_far}",
                sanitize_line(q)
            ),
        };
        if t.unreadable > 0 {
            line.push_str(&format!(" (and {} unreadable records)", t.unreadable));
        }
        vec![
            line,
            "enter on a row adds its term (rule:, outcome:, category:) to the list's & filter"
                .into(),
        ]
    }

    /// The charts laid out for `screen`, and the rows of the box inside its border.
    fn layout(&self, screen: Rect) -> (Vec<Section>, Layout, usize) {
        let sections = self.sections();
        let width = screen.width.saturating_sub(4);
        let l = layout(&self.head(), &sections, width);
        (sections, l, screen.height.saturating_sub(2) as usize)
    }

    /// Select the item `to` (an index of `l.items`) and bring it on screen with its chart's
    /// title when they fit.
    fn select(&mut self, l: &Layout, to: usize, shown: usize) {
        let Some(item) = l.items.get(to) else { return };
        self.selected = Some(item.term.clone());
        self.past = None;
        let shown = shown.max(1);
        if item.row < self.first {
            self.first = item.row;
        }
        if item.row >= self.first + shown {
            self.first = item.row + 1 - shown;
        }
        let first_of_chart = l.items.iter().position(|i| i.top == item.top) == Some(to);
        if first_of_chart && item.row - item.top < shown && item.top < self.first {
            self.first = item.top;
        }
        self.first = self.first.min(l.height.saturating_sub(shown));
    }

    /// The index of the selected item in `l.items`.
    fn at(&self, l: &Layout) -> Option<usize> {
        let term = self.selected.as_deref()?;
        l.items.iter().position(|i| i.term == term)
    }
}

/// The row of `name` (a rule, a category) counted `(n, trajectories)` times, its bar `n` long;
/// selecting it filters by `key:name` (not when the name has a space: no term could say it).
fn counted(name: &str, (n, trajectories): (usize, usize), tone: Tone, key: &str) -> BarRow {
    BarRow {
        label: sanitize_line(name),
        counts: [n.to_string(), trajectories.to_string()],
        value: n as u64,
        tone,
        term: Some(format!("{key}:{name}")).filter(|t| !t.contains(char::is_whitespace)),
    }
}

impl Panel for OverviewPanel {
    fn open(data: &mut Data) -> Result<OverviewPanel, String> {
        let scope = match (data.filter, data.sample) {
            (Some(f), _) => Scope::Filter(f.query.clone()),
            (None, Some(_)) => Scope::Sample,
            (None, None) => Scope::All,
        };
        let mut panel = OverviewPanel {
            pass: Pass::default(),
            len: data.store.len(),
            scope,
            whole: data.whole,
            journal: data.labels.journal.is_some(),
            sampled: data.sample.is_some(),
            selected: None,
            first: 0,
            past: None,
            request: None,
        };
        // A first slice: a small file is counted before the panel is first drawn.
        panel.tick(data, Duration::from_millis(100));
        Ok(panel)
    }

    fn mode(&self) -> &'static str {
        "OVERVIEW"
    }

    fn key(&mut self, action: Option<Action>, screen: Rect, _: &Keymap) -> bool {
        let (_, l, shown) = self.layout(screen);
        let last = l.height.saturating_sub(shown);
        let n = l.items.len();
        // Until a row is chosen, the first is (it is drawn selected).
        let at = self.at(&l).or((n > 0).then_some(0));
        match action {
            Some(Action::NextStep) => match at {
                Some(i) if i + 1 < n => self.select(&l, i + 1, shown),
                // Past the last row: the rest of the charts scroll into view.
                _ => {
                    self.past.get_or_insert(self.first.min(last));
                    self.first = (self.first + 1).min(last);
                }
            },
            Some(Action::PrevStep) => match (at, self.past) {
                (_, Some(back)) if self.first.min(last) > back => {
                    self.first = self.first.min(last) - 1;
                }
                (Some(i), _) if i > 0 => self.select(&l, i - 1, shown),
                _ => self.first = self.first.min(last).saturating_sub(1),
            },
            Some(Action::PageDown | Action::PageUp) => {
                self.first = match action {
                    Some(Action::PageDown) => (self.first + shown).min(last),
                    _ => self.first.min(last).saturating_sub(shown),
                };
                // The selection follows onto the page.
                let on_page = |i: &draw::Item| (self.first..self.first + shown).contains(&i.row);
                if !at.is_some_and(|i| on_page(&l.items[i])) {
                    if let Some(i) = l.items.iter().position(on_page) {
                        self.selected = Some(l.items[i].term.clone());
                    }
                }
            }
            Some(Action::Top) if n > 0 => {
                self.first = 0;
                self.select(&l, 0, shown);
            }
            Some(Action::Bottom) if n > 0 => self.select(&l, n - 1, shown),
            Some(Action::ToggleFold) => {
                // Nothing to select: the panel stays.
                self.request = at.map(|i| l.items[i].term.clone());
                return self.request.is_none();
            }
            _ => return false,
        }
        true
    }

    fn draw(&self, buf: &mut Buffer, screen: Rect, theme: &Theme, _: &Keymap) {
        let (sections, l, shown) = self.layout(screen);
        let selected = self
            .at(&l)
            .or((!l.items.is_empty()).then_some(0))
            .map(|i| l.items[i].term.as_str());
        let canvas = draw::canvas(&l, &sections, theme, selected);
        let first = self.first.min(l.height.saturating_sub(shown));
        let scan = match self.pass.done {
            true => String::new(),
            false => format!(" · scanned {}%", self.pass.percent(self.len)),
        };
        let title = format!(" overview{scan} (j/k select, enter filters, other keys close) ");
        let mut block = Block::bordered()
            .border_style(theme.border_focus)
            .title(Span::styled(title, theme.title));
        if l.height > shown {
            let end = (first + shown).min(l.height);
            let arrows = match (first > 0, end < l.height) {
                (true, true) => "↑↓",
                (false, true) => "↓",
                (true, false) => "↑",
                (false, false) => "",
            };
            let hint = format!(" {arrows} {}-{end}/{} ", first + 1, l.height);
            block = block.title_bottom(Line::styled(hint, theme.title).right_aligned());
        }
        Clear.render(screen, buf);
        let inner = block.inner(screen);
        block.render(screen, buf);
        buf.set_style(inner, Style::new().patch(theme.text));
        let area = buf.area;
        for row in 0..shown.min(l.height - first.min(l.height)) {
            let y = inner.y + row as u16;
            for x in 0..l.width.min(inner.width.saturating_sub(1)) {
                let (sx, cy) = (inner.x + 1 + x, (first + row) as u16);
                if area.contains((sx, y).into()) {
                    buf[(sx, y)] = canvas[(x, cy)].clone();
                }
            }
        }
    }

    fn tick(&mut self, data: &mut Data, budget: Duration) -> bool {
        let whole = data.whole.or(self.whole);
        let before = (self.pass.next, self.pass.done, self.whole);
        let start = Instant::now();
        self.pass.advance(data, || start.elapsed() < budget);
        self.len = data.store.len();
        self.whole = whole;
        before != (self.pass.next, self.pass.done, self.whole)
    }

    fn busy(&self) -> bool {
        !self.pass.done
    }

    fn take_filter(&mut self) -> Option<String> {
        self.request.take()
    }
}
