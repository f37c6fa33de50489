//! Moving around a trajectory: steps, pages, folds, search hits and findings (the next finding
//! may be in a later trajectory).

use std::time::{Duration, Instant};

use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

use super::app::{App, Search};
use super::doc::{self, BlockKind, Hit};
use super::render;
use super::text;
use crate::sanitize::sanitize;

impl App {
    /// A mouse event: the wheel scrolls the list or the document, a click selects.
    pub fn mouse(&mut self, e: MouseEvent) {
        let areas = self.areas();
        let inside = |r: Rect| r.contains(ratatui::layout::Position::new(e.column, e.row));
        match e.kind {
            MouseEventKind::ScrollDown if areas.list.is_some_and(inside) => self.step_trajectory(3),
            MouseEventKind::ScrollUp if areas.list.is_some_and(inside) => self.step_trajectory(-3),
            MouseEventKind::ScrollDown => self.scroll_by(3),
            MouseEventKind::ScrollUp => self.scroll_by(-3),
            MouseEventKind::Down(MouseButton::Left) => {
                if let Some(list) = areas.list.filter(|r| inside(*r)) {
                    // The list's first rows are its title and its column header.
                    let row = (e.row - list.y) as usize;
                    if let Some(i) = self.list.clicked(row, self.store.len()) {
                        self.select(i);
                    }
                } else if inside(areas.doc) {
                    if let Some(doc) = self.doc.as_ref().filter(|d| !d.blocks.is_empty()) {
                        self.pos.cursor =
                            doc.block_at(self.pos.scroll + (e.row - areas.doc.y) as usize);
                    }
                }
            }
            _ => return,
        }
        self.prepare();
    }

    fn view_rows(&self) -> usize {
        (self.areas().doc.height as usize).max(1)
    }

    pub(super) fn move_cursor(&mut self, delta: isize) {
        let Some(doc) = self.doc.as_ref().filter(|d| !d.blocks.is_empty()) else {
            return;
        };
        let last = doc.blocks.len().saturating_sub(1);
        let cursor = self.pos.cursor.saturating_add_signed(delta).min(last);
        self.pos.cursor = cursor;
        let block = &doc.blocks[cursor];
        let view = self.view_rows();
        if block.top < self.pos.scroll {
            self.pos.scroll = block.top;
        } else if block.top + block.height > self.pos.scroll + view {
            self.pos.scroll = (block.top + block.height)
                .saturating_sub(view)
                .min(block.top);
        }
    }

    pub(super) fn page(&mut self, direction: isize) {
        let amount = self.view_rows().saturating_sub(2).max(1) as isize;
        self.scroll_by(direction * amount);
        let view = self.view_rows();
        if let Some(doc) = &self.doc {
            // The block on the first row, unless little of it is left on screen.
            let first = doc.block_at(self.pos.scroll);
            self.pos.cursor = match doc.blocks.get(first) {
                Some(b)
                    if b.top < self.pos.scroll
                        && b.top + b.height < self.pos.scroll + view / 2
                        && first + 1 < doc.blocks.len() =>
                {
                    first + 1
                }
                _ => first,
            };
        }
    }

    /// Scroll without moving the cursor, unless it leaves the screen.
    pub(super) fn scroll_by(&mut self, delta: isize) {
        let Some(doc) = self.doc.as_ref().filter(|d| !d.blocks.is_empty()) else {
            return;
        };
        let view = self.view_rows();
        let max = doc.rows.saturating_sub(view);
        self.pos.scroll = self.pos.scroll.saturating_add_signed(delta).min(max);
        let block = &doc.blocks[self.pos.cursor.min(doc.blocks.len().saturating_sub(1))];
        if block.top + block.height <= self.pos.scroll || block.top >= self.pos.scroll + view {
            self.pos.cursor = doc.block_at(self.pos.scroll);
        }
    }

    pub(super) fn toggle_fold(&mut self) {
        let Some(doc) = &self.doc else { return };
        let Some(block) = doc.blocks.get(self.pos.cursor) else {
            return;
        };
        let folds = &mut self.pos.folds;
        match block.kind {
            BlockKind::Demo { .. } => folds.demo_open = true,
            BlockKind::Instruction(_) => folds.instruction_open ^= true,
            _ => {
                let turns = block.turns();
                if turns.iter().any(|t| folds.unfolded.contains(t)) {
                    turns.iter().for_each(|t| {
                        folds.unfolded.remove(t);
                    });
                } else {
                    folds.unfolded.extend(turns);
                }
            }
        }
        self.doc = None;
    }

    pub(super) fn step_trajectory(&mut self, delta: isize) {
        if let Some(i) = self.list.neighbour(self.selected, delta, self.store.len()) {
            self.select(i);
        }
    }

    /// Put `turn` on screen with byte `offset` of its text visible: opens the demo and unfolds
    /// the turn when needed.
    pub(super) fn reveal(&mut self, turn: usize, offset: usize) {
        let Some(entry) = self.current().cloned() else {
            return;
        };
        let Some(t) = entry.trajectory.turns.get(turn) else {
            return;
        };
        if t.demo && !self.pos.folds.demo_open {
            self.pos.folds.demo_open = true;
            self.doc = None;
        }
        self.prepare();
        for pass in 0..2 {
            let Some(doc) = &self.doc else { return };
            let Some(b) = doc.block_of_turn(turn) else {
                return;
            };
            let block = &doc.blocks[b];
            let geometry = doc.geometry;
            let placed = doc::place(block, geometry, &self.pos.folds, &self.cache.heights);
            let Some(p) = placed.iter().find(|p| p.turn == turn) else {
                return;
            };
            let width = p.key.1;
            let inner = match render::is_long(t, p.key) {
                true => self.cache.layout(t, width).row_of(offset),
                false => rows_before(&t.text, offset, width),
            };
            if pass == 0 && p.key.2.is_some_and(|limit| inner >= limit) {
                self.pos.folds.unfolded.insert(turn);
                self.doc = None;
                self.prepare();
                continue;
            }
            let row = block.top + p.row + 1 + inner;
            self.pos.cursor = b;
            self.pos.mark = Some(row);
            let view = self.view_rows();
            if row < self.pos.scroll || row >= self.pos.scroll + view || block.top < self.pos.scroll
            {
                self.pos.scroll = block.top.max(row.saturating_sub(view * 2 / 3));
                if row >= self.pos.scroll + view {
                    self.pos.scroll = row.saturating_sub(view / 3);
                }
            }
            break;
        }
    }

    pub(super) fn start_search(&mut self, pattern: &str) {
        if pattern.is_empty() {
            self.search = None;
            self.cache.lines.clear();
            return;
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
                self.next_hit(true);
            }
            Err(e) => {
                let first = e.to_string().lines().last().unwrap_or("").to_string();
                self.message = Some(format!("bad regex: {first}"));
            }
        }
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

    pub(super) fn next_hit(&mut self, forward: bool) {
        let Some(search) = &self.search else {
            self.message = Some("no search (press / to search)".into());
            return;
        };
        if search.hits.is_empty() {
            self.message = Some(format!(
                "no match for /{}/ in this trajectory",
                search.pattern
            ));
            return;
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
        self.message = Some(format!("hit {}/{} for /{}/", next + 1, n, search.pattern));
        if let Some(s) = &mut self.search {
            s.current = Some(next);
        }
        self.reveal(hit.turn, hit.start);
    }

    /// The first turn of the selected block.
    pub fn cursor_turn(&self) -> Option<usize> {
        let doc = self.doc.as_ref()?;
        doc.blocks.get(self.pos.cursor)?.turns().first().copied()
    }

    /// Jump to the next (or previous) finding, in later (or earlier) trajectories when this one
    /// has no more. Gives up after a time budget, saying how far it looked.
    pub(super) fn next_finding(&mut self, forward: bool) {
        if let Some(entry) = self.current().cloned() {
            let n = entry.findings.len();
            let from = self.cursor_turn().unwrap_or(0);
            let next = match self.finding {
                Some(f) if forward => (f + 1 < n).then_some(f + 1),
                Some(f) => f.checked_sub(1),
                None if forward => {
                    Some(entry.findings.partition_point(|f| f.turn < from)).filter(|&i| i < n)
                }
                None => entry
                    .findings
                    .partition_point(|f| f.turn < from)
                    .checked_sub(1),
            };
            if let Some(i) = next {
                self.goto_finding(i);
                return;
            }
        }
        let start = Instant::now();
        let mut i = self.selected;
        loop {
            let Some(next) = self
                .list
                .neighbour(i, if forward { 1 } else { -1 }, self.store.len())
            else {
                self.message = Some(format!(
                    "no more findings {}",
                    if forward { "below" } else { "above" }
                ));
                return;
            };
            i = next;
            let has = match self.store.get(i) {
                Ok(e) => !e.findings.is_empty(),
                Err(_) => false,
            };
            if has {
                self.select(i);
                let n = self.current().map_or(0, |e| e.findings.len());
                self.goto_finding(if forward { 0 } else { n.saturating_sub(1) });
                return;
            }
            if start.elapsed() > Duration::from_millis(300) {
                self.select(i);
                self.message = Some(format!(
                    "no findings up to trajectory {}; press again to go on",
                    i + 1
                ));
                return;
            }
        }
    }

    fn goto_finding(&mut self, i: usize) {
        let Some(entry) = self.current().cloned() else {
            return;
        };
        let Some(f) = entry.findings.get(i) else {
            return;
        };
        self.finding = Some(i);
        self.message = Some(format!(
            "finding {}/{}: {} {}",
            i + 1,
            entry.findings.len(),
            f.severity,
            f.rule
        ));
        self.reveal(f.turn, f.span.0);
    }
}

/// The wrapped row (0-based) of byte `offset` in `text` at `width`.
fn rows_before(text: &str, offset: usize, width: usize) -> usize {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if end == 0 {
        return 0;
    }
    text::count_rows(&sanitize(&text[..end]).text, width).saturating_sub(1)
}
