//! Moves that may leave the trajectory on screen: the mouse, the next trajectory in the list,
//! the next finding and the next agent turn without a mark (in this trajectory, then in the
//! next ones of the list), and resuming where the work was left.

use std::time::{Duration, Instant};

use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

use super::App;

impl App {
    /// A mouse event: the wheel scrolls the list or the document, a click selects.
    pub fn mouse(&mut self, e: MouseEvent) {
        let areas = self.areas();
        let inside = |r: Rect| r.contains(ratatui::layout::Position::new(e.column, e.row));
        match e.kind {
            MouseEventKind::ScrollDown if areas.list.is_some_and(inside) => self.step_trajectory(3),
            MouseEventKind::ScrollUp if areas.list.is_some_and(inside) => self.step_trajectory(-3),
            MouseEventKind::ScrollDown => self.in_document(|d, c| d.scroll_by(3, c)),
            MouseEventKind::ScrollUp => self.in_document(|d, c| d.scroll_by(-3, c)),
            MouseEventKind::Down(MouseButton::Left) => {
                if let Some(list) = areas.list.filter(|r| inside(*r)) {
                    // The list's first rows are its title and its column header.
                    let row = (e.row - list.y) as usize;
                    if let Some(i) = self.list.clicked(row, self.store.len()) {
                        self.select(i);
                    }
                } else if inside(areas.doc) {
                    self.document.click((e.row - areas.doc.y) as usize);
                }
            }
            _ => return,
        }
        self.prepare();
    }

    pub(super) fn step_trajectory(&mut self, delta: isize) {
        if let Some(i) = self
            .list
            .neighbour(self.selected(), delta, self.store.len())
        {
            self.select(i);
        }
    }

    /// Put `turn` on screen with byte `offset` of its text visible.
    pub(super) fn reveal(&mut self, turn: usize, offset: usize) {
        self.in_document(|d, c| d.reveal(turn, offset, c));
    }

    /// Jump to the next (or previous) finding, in later (or earlier) trajectories when this one
    /// has no more. Gives up after a time budget, saying how far it looked.
    pub(super) fn next_finding(&mut self, forward: bool) {
        if let Some(i) = self.document.finding_after(forward) {
            self.goto_finding(i);
            return;
        }
        let start = Instant::now();
        let mut i = self.selected();
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
        if let Some(message) = self.in_document(|d, c| d.goto_finding(i, c)) {
            self.message = Some(message);
        }
    }

    /// Go to the next agent turn without a mark: later in this trajectory, then in the next
    /// trajectories of the list (wrapping around once). Gives up after a time budget.
    pub(super) fn next_unmarked(&mut self) {
        let from = self.target_turn();
        if self.goto_unmarked(self.selected(), from, Duration::from_millis(300), true) {
            self.marking.aim_at_agent();
        }
    }

    /// Resume once the index is complete (or after a second, on what is indexed by then),
    /// unless a key came first. Returns true when it moved.
    pub(super) fn try_resume(&mut self) -> bool {
        let complete = self.store.dataset().is_complete();
        if !self.marking.resume_due(complete, self.store.is_empty()) {
            return false;
        }
        self.resume();
        true
    }

    /// Start where the work was left: the first unmarked agent turn from the top of the list.
    pub fn resume(&mut self) {
        self.marking.stop_resuming();
        if self.store.is_empty() || self.list.shown(self.store.len()) == 0 {
            self.refresh_marks();
            return;
        }
        let first = self.list.at(0);
        if !self.goto_unmarked(first, None, Duration::from_millis(800), false) {
            self.select(first);
        }
        self.refresh_marks();
        self.message = None;
    }

    fn first_unmarked_here(&mut self, i: usize) -> bool {
        let Ok(entry) = self.store.get(i) else {
            return false;
        };
        let Some(turn) = self.marking.unmarked_after(&entry.trajectory, None) else {
            return false;
        };
        self.select(i);
        self.refresh_marks();
        self.prepare();
        self.reveal(turn, 0);
        self.document.clear_gutter_mark();
        true
    }

    fn goto_unmarked(
        &mut self,
        start: usize,
        after: Option<usize>,
        budget: Duration,
        wrap: bool,
    ) -> bool {
        let began = Instant::now();
        // This trajectory, after the turn.
        if let Ok(entry) = self.store.get(start) {
            if let Some(turn) = self.marking.unmarked_after(&entry.trajectory, after) {
                self.select(start);
                self.prepare();
                self.reveal(turn, 0);
                self.document.clear_gutter_mark();
                return true;
            }
        }
        let len = self.store.len();
        let mut i = start;
        let mut wrapped = false;
        loop {
            i = match self.list.neighbour(i, 1, len) {
                Some(n) => n,
                None if wrap && !wrapped && len > 0 => {
                    wrapped = true;
                    self.list.at(0)
                }
                None => {
                    self.message = Some("every agent turn below is marked".into());
                    return false;
                }
            };
            if wrapped && i >= start {
                // Back where it began: only the turns before the cursor are left.
                let done = self.first_unmarked_here(i);
                if !done {
                    self.message = Some("every agent turn is marked".into());
                }
                return done;
            }
            if self.first_unmarked_here(i) {
                return true;
            }
            if began.elapsed() > budget {
                self.select(i);
                self.message = Some(format!(
                    "no unmarked turn up to trajectory {}; press again to go on",
                    i + 1
                ));
                return false;
            }
        }
    }
}
