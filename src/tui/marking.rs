//! Marking from the keyboard: which turn a mark goes on, right / wrong / clear, notes, verdicts
//! on the trajectory, undo, the next unmarked agent turn, and asking for the annotator. A mark
//! shows as saved only once the journal has it on disk; a failed append shows as UNSAVED.

use std::time::{Duration, Instant};

use super::action::Action;
use super::app::{App, Mode};
use super::doc::BlockKind;
use super::marks::agent_turns;
use crate::labels::{self, Event};

impl App {
    /// The turn a mark goes on: the selected step's agent turn, or its first environment reply
    /// when the target is toggled to the environment (or the step has no agent turn).
    pub fn target_turn(&self) -> Option<usize> {
        let block = self.doc.as_ref()?.blocks.get(self.pos.cursor)?;
        let BlockKind::Step { agent, env } = block.kind else {
            return None;
        };
        let reply = (env.0 < env.1).then_some(env.0);
        match (self.labels.target_env, agent) {
            (true, _) => reply.or(agent),
            (false, Some(a)) => Some(a),
            (false, None) => reply,
        }
    }

    /// Do a marking action (the annotator is asked for first when unknown).
    pub(super) fn marking(&mut self, action: Action) {
        let needs_annotator = !matches!(action, Action::ToggleTarget | Action::RevealOthers);
        if needs_annotator && self.labels.annotator.is_none() {
            self.ask_annotator(Some(action));
            return;
        }
        match action {
            Action::MarkRight => self.set_mark(Some("right")),
            Action::MarkWrong => self.set_mark(Some("wrong")),
            Action::ClearMark => self.set_mark(None),
            Action::EditNote => self.start_note(),
            Action::Accept => self.set_verdict("accept"),
            Action::Reject => self.set_verdict("reject"),
            Action::Undo => self.undo_mark(),
            Action::NextUnmarked => self.next_unmarked(),
            Action::ToggleTarget => {
                self.labels.target_env ^= true;
                let target = if self.labels.target_env {
                    "environment reply"
                } else {
                    "agent turn"
                };
                self.message = Some(format!("marks go on the step's {target}"));
            }
            Action::RevealOthers => {
                self.labels.reveal ^= true;
                if self.labels.reveal {
                    self.labels.reread_others();
                    let n: usize = self.labels.others.values().map(Vec::len).sum();
                    self.message = Some(format!("others' marks shown ({n} in the directory)"));
                } else {
                    self.message = Some("others' marks hidden".into());
                }
                self.refresh_marks();
            }
            _ => {}
        }
    }

    /// Ask for the annotator's name on the input line; `then` runs once it is given.
    pub fn ask_annotator(&mut self, then: Option<Action>) {
        self.pending = then;
        self.set_mode(Mode::Annotator);
        self.input.clear();
    }

    pub(super) fn submit_annotator(&mut self, name: &str) {
        let name = name.trim();
        if name.is_empty() {
            self.message = Some("no annotator given: marks cannot be saved".into());
            self.pending = None;
            self.set_mode(Mode::Browse);
            return;
        }
        self.labels.annotator = Some(name.to_string());
        if let Err(e) = self.labels.open() {
            self.labels.unsaved = Some(e);
        }
        self.set_mode(Mode::Browse);
        match self.pending.take() {
            Some(action) => {
                self.refresh_marks();
                self.prepare();
                self.marking(action);
            }
            None => self.resume(),
        }
    }

    fn set_mark(&mut self, label: Option<&str>) {
        let Some(entry) = self.current().cloned() else {
            return;
        };
        let Some(turn) = self.target_turn() else {
            self.message = Some("nothing to mark here: move to a step".into());
            return;
        };
        let t = &entry.trajectory;
        let annotator = self.labels.annotator.clone().unwrap_or_default();
        let mut event = Event::now(&annotator, &t.id, Some(turn), label);
        event.text_hash = Some(labels::text_hash(&t.turns[turn].text));
        if label.is_some() {
            // A new label keeps the note.
            event.note = self
                .labels
                .mine(&t.id, Some(turn))
                .and_then(|m| m.note.clone());
        }
        let what = format!("turn {turn} {}", label.unwrap_or("cleared"));
        self.append(event, what);
    }

    fn set_verdict(&mut self, verdict: &str) {
        let Some(entry) = self.current().cloned() else {
            return;
        };
        let id = &entry.trajectory.id;
        let same = self
            .labels
            .mine(id, None)
            .is_some_and(|m| m.label == verdict);
        let label = (!same).then_some(verdict);
        let annotator = self.labels.annotator.clone().unwrap_or_default();
        let event = Event::now(&annotator, id, None, label);
        let what = match label {
            Some(v) => format!("trajectory {v}ed"),
            None => "verdict cleared".to_string(),
        };
        self.append(event, what);
    }

    fn start_note(&mut self) {
        let Some(entry) = self.current().cloned() else {
            return;
        };
        let Some(turn) = self.target_turn() else {
            self.message = Some("nothing to note here: move to a step".into());
            return;
        };
        if self.labels.open().is_ok()
            && self.labels.mine(&entry.trajectory.id, Some(turn)).is_none()
        {
            self.message = Some(format!(
                "mark turn {turn} first ({} right, {} wrong), then add a note",
                self.keymap.describe(Action::MarkRight),
                self.keymap.describe(Action::MarkWrong)
            ));
            return;
        }
        self.set_mode(Mode::Note);
        self.input = self
            .labels
            .mine(&entry.trajectory.id, Some(turn))
            .and_then(|m| m.note.clone())
            .unwrap_or_default();
    }

    pub(super) fn submit_note(&mut self, note: &str) {
        let (Some(entry), Some(turn)) = (self.current().cloned(), self.target_turn()) else {
            return;
        };
        let t = &entry.trajectory;
        let Some(mark) = self.labels.mine(&t.id, Some(turn)).cloned() else {
            self.labels.unsaved = Some(format!("note on turn {turn}: the turn has no mark"));
            return;
        };
        let annotator = self.labels.annotator.clone().unwrap_or_default();
        let mut event = Event::now(&annotator, &t.id, Some(turn), Some(&mark.label));
        event.text_hash = Some(labels::text_hash(&t.turns[turn].text));
        let note = note.trim();
        event.note = (!note.is_empty()).then(|| note.to_string());
        let what = match event.note {
            Some(_) => format!("note on turn {turn}"),
            None => format!("note on turn {turn} removed"),
        };
        self.append(event, what);
    }

    fn undo_mark(&mut self) {
        let result = match self.labels.open() {
            Ok(j) => j.undo().map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match result {
            Ok(Some(e)) => {
                let item = e
                    .turn
                    .map_or("verdict".to_string(), |t| format!("turn {t}"));
                let now = e.label.as_deref().unwrap_or("unmarked");
                self.message = Some(format!(
                    "undone: {} {item} is {now} again · saved",
                    e.trajectory
                ));
                self.labels.unsaved = None;
            }
            Ok(None) => self.message = Some("nothing to undo in this session".into()),
            Err(e) => self.labels.unsaved = Some(format!("undo: {e}")),
        }
        self.refresh_marks();
    }

    /// Append to the journal; the screen shows the mark as saved only when this succeeds.
    fn append(&mut self, event: Event, what: String) {
        let result = match self.labels.open() {
            Ok(j) => j.append(&event).map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                self.labels.unsaved = None;
                self.message = Some(format!("{what} · saved"));
            }
            Err(e) => self.labels.unsaved = Some(format!("{what}: {e}")),
        }
        self.refresh_marks();
    }

    /// Recompute the badges of the trajectory on screen and redraw the turns whose marks
    /// changed (only those: the other turns keep their rendered rows and heights).
    pub(super) fn refresh_marks(&mut self) {
        let new = match self.current() {
            Some(e) => self.labels.turn_marks(&e.trajectory),
            None => Default::default(),
        };
        let old = std::mem::take(&mut self.marks);
        let changed: std::collections::HashSet<usize> = old
            .turns
            .keys()
            .chain(new.turns.keys())
            .filter(|t| old.turns.get(t) != new.turns.get(t))
            .copied()
            .collect();
        if !changed.is_empty() {
            self.cache.heights.retain(|k, _| !changed.contains(&k.0));
            self.cache.lines.retain(|k, _| !changed.contains(&k.0));
            self.doc = None;
        }
        self.marks = new;
    }

    /// Go to the next agent turn without a mark: later in this trajectory, then in the next
    /// trajectories of the list (wrapping around once). Gives up after a time budget.
    pub(super) fn next_unmarked(&mut self) {
        let from = self.target_turn();
        if self.goto_unmarked(self.selected, from, Duration::from_millis(300), true) {
            self.labels.target_env = false;
        }
    }

    /// Begin a session: the labels, the sample; then ask for the annotator when unknown, or
    /// resume at the first unmarked agent turn.
    pub fn start(&mut self, setup: super::Setup) {
        self.labels = setup.labels;
        if let Some(sample) = setup.sample {
            self.labels.sample = Some(sample.len());
            let first = sample.first().copied();
            self.list.restrict(sample);
            if let Some(first) = first {
                self.select(first);
            }
        }
        if self.labels.annotator.is_some() {
            if let Err(e) = self.labels.open() {
                self.labels.unsaved.get_or_insert(e);
            }
        }
        self.resume_at = Some(Instant::now());
        self.try_resume();
        if let Some(j) = &self.labels.journal {
            if let Some(w) = j.warnings().first() {
                let more = j.warnings().len() - 1;
                self.message = Some(match more {
                    0 => w.to_string(),
                    n => format!("{w} (and {n} more)"),
                });
            }
        }
        if self.labels.annotator.is_none() {
            self.ask_annotator(None);
        }
        self.prepare();
    }

    /// Resume once the index is complete (or after a second, on what is indexed by then),
    /// unless a key came first. Returns true when it moved.
    pub(super) fn try_resume(&mut self) -> bool {
        let Some(began) = self.resume_at else {
            return false;
        };
        let complete = self.store.dataset().is_complete();
        if !complete && (self.store.is_empty() || began.elapsed() < Duration::from_secs(1)) {
            return false;
        }
        self.resume_at = None;
        self.resume();
        true
    }

    /// Start where the work was left: the first unmarked agent turn from the top of the list.
    pub fn resume(&mut self) {
        self.resume_at = None;
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
        let mine = self.labels.mine_in(&entry.trajectory.id);
        let Some(turn) = agent_turns(&entry.trajectory)
            .into_iter()
            .find(|t| !mine.contains_key(t))
        else {
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
            let mine = self.labels.mine_in(&entry.trajectory.id);
            let next = agent_turns(&entry.trajectory)
                .into_iter()
                .find(|t| after.is_none_or(|a| *t > a) && !mine.contains_key(t));
            if let Some(turn) = next {
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
