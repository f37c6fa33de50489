//! Moves that may leave the trajectory on screen: to the next agent turn without a mark (in
//! this trajectory, then in the next ones of the list) and resuming where the work was left.

use std::time::{Duration, Instant};

use super::App;

impl App {
    /// Go to the next agent turn without a mark: later in this trajectory, then in the next
    /// trajectories of the list (wrapping around once). Gives up after a time budget.
    pub(super) fn next_unmarked(&mut self) {
        let from = self.target_turn();
        if self.goto_unmarked(self.selected, from, Duration::from_millis(300), true) {
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
        self.pos.mark = None;
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
                self.pos.mark = None;
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
