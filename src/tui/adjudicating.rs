//! Settling disagreements on the review screen: the queue (from `session::adjudicate`), the
//! item on screen, the reason and cause typed for the next decision, names hidden or shown,
//! and the box that shows every annotator's answer side by side under the document.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::theme::Theme;
use crate::labels::categories::CategorySet;
use crate::labels::{self, Event};
use crate::sanitize::sanitize_line;
use crate::session::adjudicate::{Difference, Gold, Item, Queue};

/// A choice of answer: label and (on a wrong turn) category.
pub type Choice = (String, Option<String>);

/// The adjudication session.
pub struct Adjudicating {
    queue: Queue,
    /// The global index of each item's trajectory in the data.
    index: Vec<Option<usize>>,
    at: usize,
    hide_names: bool,
    /// Every annotator in the queue, sorted (`annotator N` is the Nth when names are hidden).
    names: Vec<String>,
    /// The reason typed for the next decision.
    reason: String,
    /// The cause picked for the next decision (an index into [`labels::CAUSES`]).
    cause: Option<usize>,
    set: CategorySet,
}

impl Adjudicating {
    /// Start on the first unsettled item (resuming where the work stopped).
    pub fn new(
        queue: Queue,
        index: Vec<Option<usize>>,
        hide_names: bool,
        set: CategorySet,
    ) -> Adjudicating {
        let mut names: Vec<String> = queue
            .items
            .iter()
            .flat_map(|i| i.answers.keys().cloned())
            .collect();
        names.sort();
        names.dedup();
        let at = if queue.is_empty() {
            0
        } else {
            queue.next_unsettled(0).unwrap_or(0)
        };
        Adjudicating {
            queue,
            index,
            at,
            hide_names,
            names,
            reason: String::new(),
            cause: None,
            set,
        }
    }

    pub fn current(&self) -> Option<&Item> {
        self.queue.items.get(self.at)
    }

    /// Where the item on screen is: its trajectory's global index and its turn.
    pub fn target(&self) -> Option<(usize, Option<usize>)> {
        let item = self.current()?;
        Some((self.index.get(self.at).copied().flatten()?, item.turn))
    }

    /// `settled 12/40`, for the status bar.
    pub fn status(&self) -> String {
        format!("settled {}/{}", self.queue.settled(), self.queue.len())
    }

    pub fn settled_all(&self) -> bool {
        !self.queue.is_empty() && self.queue.settled() == self.queue.len()
    }

    /// Move to the item `delta` away (wrapping).
    pub fn step(&mut self, delta: isize) {
        let n = self.queue.len() as isize;
        if n > 0 {
            self.at = (self.at as isize + delta).rem_euclid(n) as usize;
        }
    }

    pub fn toggle_names(&mut self) {
        self.hide_names ^= true;
    }

    pub fn cycle_cause(&mut self) {
        self.cause = match self.cause {
            None => Some(0),
            Some(i) if i + 1 < labels::CAUSES.len() => Some(i + 1),
            Some(_) => None,
        };
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }

    pub fn set_reason(&mut self, text: &str) {
        self.reason = text.trim().to_string();
    }

    /// The answer a key picks: `y` right (accept), `x` wrong (reject), a digit wrong with that
    /// category of the set, `enter` the most common answer.
    pub fn choice(&self, key: char) -> Option<Choice> {
        let item = self.current()?;
        let verdict = item.turn.is_none();
        match key {
            '\n' => Some(item.suggested.clone()),
            'y' => Some((if verdict { "accept" } else { "right" }.into(), None)),
            'x' => Some((if verdict { "reject" } else { "wrong" }.into(), None)),
            d @ '0'..='9' if !verdict => {
                let c = self.set.by_digit(d as u8 - b'0')?;
                Some(("wrong".into(), Some(c.name.clone())))
            }
            _ => None,
        }
    }

    /// The journal line settling the item on screen as `choice`, by `annotator`.
    pub fn event(&self, annotator: &str, choice: &Choice) -> Option<Event> {
        let item = self.current()?;
        let mut e = Event::now(annotator, &item.trajectory, item.turn, Some(&choice.0))
            .in_run(&item.run)
            .with_category(choice.1.as_deref(), &self.set.tag());
        e.kind = Some(labels::ADJUDICATION.to_string());
        e.note = (!self.reason.is_empty()).then(|| self.reason.clone());
        e.cause = self.cause.map(|i| labels::CAUSES[i].to_string());
        Some(e)
    }

    /// `event` is saved: the item is settled; the next unsettled item comes up, with no reason
    /// or cause yet.
    pub fn settled(&mut self, event: &Event) {
        if let Some(item) = self.queue.items.get_mut(self.at) {
            item.settled = event.label.as_ref().map(|label| Gold {
                label: label.clone(),
                category: event.category.clone(),
                note: event.note.clone(),
                cause: event.cause.clone(),
                by: event.annotator.clone(),
                at: event.at.clone(),
            });
        }
        self.reason.clear();
        self.cause = None;
        if let Some(next) = self.queue.next_unsettled(self.at) {
            self.at = next;
        }
    }

    /// An undo wrote `event` (the item's state before): show that item in that state.
    pub fn undone(&mut self, event: &Event) {
        let found = self.queue.items.iter().position(|i| {
            *i.run == *event.run.as_deref().unwrap_or("")
                && i.trajectory == event.trajectory
                && i.turn == event.turn
        });
        if let Some(at) = found {
            self.at = at;
            self.settled(event);
            self.at = at;
        }
    }

    fn name(&self, name: &str) -> String {
        if self.hide_names {
            let n = self
                .names
                .iter()
                .position(|x| x == name)
                .map_or(0, |i| i + 1);
            format!("annotator {n}")
        } else {
            sanitize_line(name)
        }
    }

    /// The rows of the box.
    fn lines(&self, theme: &Theme, text_width: usize) -> Vec<Line<'static>> {
        let Some(item) = self.current() else {
            return vec![Line::styled(
                "no disagreements in the loaded data: nothing to settle",
                theme.muted,
            )];
        };
        let answer = |label: &str, category: &Option<String>| {
            let (glyph, style) = match label {
                "right" | "accept" => ("✓", theme.label_right),
                "wrong" | "reject" => ("✗", theme.label_wrong),
                _ => ("•", theme.muted),
            };
            let mut text = format!("{glyph} {}", sanitize_line(label));
            if let Some(c) = category {
                text.push_str(&format!(" ({})", sanitize_line(c)));
            }
            Span::styled(text, style)
        };
        let what = item
            .turn
            .map_or("verdict".to_string(), |t| format!("turn {t}"));
        let differs = match (item.differs, item.tie) {
            (Difference::Label, false) => "labels differ",
            (Difference::Label, true) => "labels differ (a tie)",
            (Difference::Category, _) => "categories differ",
        };
        let mut out = vec![Line::from(vec![
            Span::styled(
                format!("{} {what}", sanitize_line(&item.trajectory)),
                theme.title,
            ),
            Span::styled(
                format!("  {differs} · item {}/{}", self.at + 1, self.queue.len()),
                theme.muted,
            ),
        ])];
        let width = item
            .answers
            .keys()
            .map(|n| self.name(n).chars().count())
            .max()
            .unwrap_or(0);
        for (name, a) in &item.answers {
            let mut spans = vec![
                Span::raw(format!("  {:<width$}  ", self.name(name))),
                answer(&a.label, &a.category),
            ];
            if let Some(note) = &a.note {
                spans.push(Span::styled(
                    format!("  ✎ {}", sanitize_line(note)),
                    theme.muted,
                ));
            }
            out.push(Line::from(spans));
        }
        let mut pick = vec![
            Span::raw("  most common: "),
            answer(&item.suggested.0, &item.suggested.1),
        ];
        if let Some(g) = &item.settled {
            pick.push(Span::raw("   settled: "));
            pick.push(answer(&g.label, &g.category));
            if let Some(c) = &g.cause {
                pick.push(Span::styled(
                    format!(" · {}", sanitize_line(c)),
                    theme.muted,
                ));
            }
        }
        out.push(Line::from(pick));
        let cause = self.cause.map_or("—", |i| labels::CAUSES[i]);
        let reason = if self.reason.is_empty() {
            "—".to_string()
        } else {
            sanitize_line(&self.reason)
        };
        out.push(Line::styled(
            format!("  reason: {reason}   why they disagreed: {cause}"),
            theme.text,
        ));
        let hints = "enter accept the most common · y right · x wrong · 1-9 0 wrong with that category · e reason · w why they disagreed · h names · n/p next/previous · u undo · esc leave";
        for row in super::panel::wrap(hints, text_width.saturating_sub(2), 0) {
            out.push(Line::styled(format!("  {row}"), theme.muted));
        }
        out
    }

    /// Draw the box at the bottom of `area` (the document).
    pub fn draw(&self, buf: &mut Buffer, area: Rect, theme: &Theme) {
        let lines = self.lines(theme, area.width.saturating_sub(2) as usize);
        let height = (lines.len() as u16 + 2).min(area.height);
        if height < 3 {
            return;
        }
        let rect = Rect::new(area.x, area.y + area.height - height, area.width, height);
        Clear.render(rect, buf);
        let title = format!(" adjudicate · {} ", self.status());
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focus)
            .title(Span::styled(title, theme.title));
        let inner = block.inner(rect);
        block.render(rect, buf);
        for (i, line) in lines.iter().take(inner.height as usize).enumerate() {
            buf.set_line(inner.x, inner.y + i as u16, line, inner.width);
        }
    }
}
