//! Marking from the keyboard: the annotator's labels and journal, the marks of the trajectory
//! on screen, which turn a mark goes on, right / wrong / clear, notes, verdicts on the
//! trajectory (accepting one with a turn marked wrong asks first), undo, others' marks, the
//! action waiting for the annotator's name, and when to resume at the first unmarked turn. A
//! mark shows as saved only once the journal has it on disk; a failed append shows as UNSAVED.

mod adjudicate;
mod blind;
mod categories;
mod whole;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use super::action::{Action, Keymap};
use super::adjudicating::Adjudicating;
use super::doc::{Block, BlockKind};
use super::marks::{Labels, TurnMarks, Whole};
use super::store::Entry;
use crate::labels::{self, Event};
use crate::model::Trajectory;
use crate::sanitize::sanitize_line;

/// The marking state of the session.
#[derive(Default)]
pub struct Marking {
    /// The annotator, the journal and others' marks.
    labels: Labels,
    /// The marks of the trajectory on screen, as drawn.
    marks: TurnMarks,
    /// A marking action waiting for the annotator's name.
    pending: Option<Action>,
    /// An accept waiting for a yes: the trajectory, and how many of its turns the annotator
    /// marked wrong.
    accepting: Option<(String, usize)>,
    /// When the session began, while it waits for the index to resume at the first unmarked
    /// turn.
    resume_at: Option<Instant>,
    /// The marks of runs not loaded were looked for under the loaded runs.
    relocated: bool,
    /// The annotator's progress over the whole data, and what it was counted from (the
    /// journal's marks, the moved lines, the sample's size), to count again when that changes.
    whole: Option<((usize, usize, usize), Whole)>,
    /// Settling disagreements (`trev adjudicate`).
    adjudicating: Option<Adjudicating>,
}

/// What a marking action leaves for the screen to do.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// Nothing.
    Nothing,
    /// Say this in the status bar.
    Say(String),
    /// The journal was written (or that failed, and the labels say so): the marks on screen
    /// are read again; with a message for the status bar when there is one.
    Marked(Option<String>),
    /// Ask for the annotator's name first; the action runs once it is given.
    AskAnnotator,
    /// Edit the note of the marked turn on the input line, starting from this text.
    EditNote(String),
    /// Ask [`Marking::question`] on the input line; the answer goes to [`Marking::answer`].
    Confirm,
    /// Go to the next agent turn without a mark.
    NextUnmarked,
}

impl Marking {
    pub fn labels(&self) -> &Labels {
        &self.labels
    }

    /// The marks of the trajectory on screen, as drawn.
    pub fn marks(&self) -> &TurnMarks {
        &self.marks
    }

    /// Begin with these labels (and the size of the sample under review, when there is one).
    pub fn begin(&mut self, labels: Labels, sample: Option<usize>) {
        self.labels = labels;
        if let Some(n) = sample {
            self.labels.sample = Some(n);
        }
    }

    /// Open the annotator's journal when the annotator is known; a failure shows as UNSAVED
    /// (unless an earlier one does).
    pub fn open_journal(&mut self) {
        if self.labels.annotator.is_some() {
            if let Err(e) = self.labels.open() {
                self.labels.unsaved.get_or_insert(e);
            }
        }
    }

    /// Close the journal, releasing its lock.
    pub fn close_journal(&mut self) {
        self.labels.journal = None;
    }

    /// The first warning of the journal (and how many more there are); else, with several
    /// runs loaded, how many of the annotator's marks name no run and so apply to none.
    pub fn journal_warning(&self) -> Option<String> {
        let j = self.labels.journal.as_ref()?;
        if let Some(w) = j.warnings().first() {
            let more = j.warnings().len() - 1;
            return Some(match more {
                0 => w.to_string(),
                n => format!("{w} (and {n} more)"),
            });
        }
        if let Some(w) = self.labels.category_warnings.first() {
            let more = self.labels.category_warnings.len() - 1;
            return Some(match more {
                0 => w.clone(),
                n => format!("{w} (and {n} more)"),
            });
        }
        if self.labels.unnamed_apply {
            return None;
        }
        let unnamed = j
            .replay()
            .marks()
            .keys()
            .filter(|k| k.run.is_none())
            .count();
        (unnamed > 0).then(|| {
            format!(
                "{unnamed} of your marks name no run (written before runs): with several runs loaded they are not shown; open one run to see them"
            )
        })
    }

    pub fn has_annotator(&self) -> bool {
        self.labels.annotator.is_some()
    }

    /// The turn a mark goes on in block `step`: its agent turn, or its first environment reply
    /// when the target is toggled to the environment (or the step has no agent turn).
    pub fn target(&self, step: Option<&Block>) -> Option<usize> {
        let BlockKind::Step { agent, env } = step?.kind else {
            return None;
        };
        let reply = (env.0 < env.1).then_some(env.0);
        match (self.labels.target_env, agent) {
            (true, _) => reply.or(agent),
            (false, Some(a)) => Some(a),
            (false, None) => reply,
        }
    }

    /// Do a marking action on `entry`, the trajectory on screen, whose `target` turn is the one
    /// a mark goes on (the annotator is asked for first when unknown).
    pub fn act(
        &mut self,
        action: Action,
        entry: Option<&Entry>,
        target: Option<usize>,
        keymap: &Keymap,
    ) -> Outcome {
        let needs_annotator = !matches!(action, Action::ToggleTarget | Action::RevealOthers);
        if needs_annotator && self.labels.annotator.is_none() {
            return Outcome::AskAnnotator;
        }
        match action {
            Action::MarkRight => self.set_mark(entry, target, Some("right")),
            Action::MarkWrong => self.set_mark(entry, target, Some("wrong")),
            Action::Category(digit) => self.set_category(entry, target, digit),
            Action::Severity => self.cycle_severity(entry, target),
            Action::Decisive => self.toggle_decisive(entry, target),
            Action::ClearMark => self.set_mark(entry, target, None),
            Action::EditNote => self.start_note(entry, target, keymap),
            Action::Accept => self.accept(entry),
            Action::Reject => self.set_verdict(entry, "reject"),
            Action::Undo => self.undo_mark(),
            Action::NextUnmarked => Outcome::NextUnmarked,
            Action::ToggleTarget => {
                self.labels.target_env ^= true;
                let target = if self.labels.target_env {
                    "environment reply"
                } else {
                    "agent turn"
                };
                Outcome::Say(format!("marks go on the step's {target}"))
            }
            Action::RevealOthers => {
                self.labels.reveal ^= true;
                if self.labels.reveal {
                    self.labels.reread_others();
                    let n: usize = self.labels.others.values().map(Vec::len).sum();
                    Outcome::Marked(Some(format!("others' marks shown ({n} in the directory)")))
                } else {
                    Outcome::Marked(Some("others' marks hidden".into()))
                }
            }
            _ => Outcome::Nothing,
        }
    }

    /// Wait for the annotator's name; `then` runs once it is given.
    pub fn ask(&mut self, then: Option<Action>) {
        self.pending = then;
    }

    /// No name was given: the waiting action is dropped.
    pub fn cancel_ask(&mut self) {
        self.pending = None;
    }

    /// The annotator's name was typed: open the journal under it and hand back the action that
    /// waited for it. `Err` (a message) when the name is empty.
    pub fn set_annotator(&mut self, name: &str) -> Result<Option<Action>, String> {
        let name = name.trim();
        if name.is_empty() {
            self.pending = None;
            return Err("no annotator given: marks cannot be saved".into());
        }
        self.labels.annotator = Some(name.to_string());
        if let Err(e) = self.labels.open() {
            self.labels.unsaved = Some(e);
        }
        Ok(self.pending.take())
    }

    fn set_mark(
        &mut self,
        entry: Option<&Entry>,
        target: Option<usize>,
        label: Option<&str>,
    ) -> Outcome {
        let Some(entry) = entry else {
            return Outcome::Nothing;
        };
        let Some(turn) = target else {
            return Outcome::Say("nothing to mark here: move to a step".into());
        };
        let t = &entry.trajectory;
        if label.is_none() && self.labels.mine(&t.run, &t.id, Some(turn)).is_none() {
            // Clearing what is not there would only lengthen the journal.
            return Outcome::Say(format!(
                "turn {turn} has no mark of yours: nothing to clear"
            ));
        }
        let annotator = self.labels.annotator.clone().unwrap_or_default();
        let mut event = Event::now(&annotator, &t.id, Some(turn), label).in_run(&t.run);
        event.text_hash = Some(labels::text_hash(&t.turns[turn].text));
        if label.is_some() {
            // A new label keeps the note, and a wrong turn stays as categorised.
            if let Some(m) = self.labels.mine(&t.run, &t.id, Some(turn)) {
                event.note.clone_from(&m.note);
                if label == Some("wrong") && m.label == "wrong" {
                    event = event.with_details_of(&m.clone());
                }
            }
        }
        let what = format!("turn {turn} {}", label.unwrap_or("cleared"));
        Outcome::Marked(self.append(event, what))
    }

    /// Accept the trajectory, or clear an accept; a trajectory with a turn the annotator marked
    /// wrong is accepted only once the question is answered yes.
    fn accept(&mut self, entry: Option<&Entry>) -> Outcome {
        let Some(t) = entry.map(|e| &e.trajectory) else {
            return Outcome::Nothing;
        };
        let id = &t.id;
        let clearing = self
            .labels
            .mine(&t.run, id, None)
            .is_some_and(|m| m.label == "accept");
        let wrong = self
            .labels
            .mine_in(&t.run, id)
            .values()
            .filter(|m| m.label == "wrong")
            .count();
        if clearing || wrong == 0 {
            return self.set_verdict(entry, "accept");
        }
        self.accepting = Some((id.clone(), wrong));
        Outcome::Confirm
    }

    /// The question waiting for an answer.
    pub fn question(&self) -> Option<String> {
        let (id, wrong) = self.accepting.as_ref()?;
        let turns = if *wrong == 1 { "turn" } else { "turns" };
        Some(format!(
            "{} has {wrong} {turns} you marked ✗ wrong: accept it anyway? (y accepts, any other key cancels) ",
            sanitize_line(id)
        ))
    }

    /// The answer to [`Marking::question`]; `entry` is the trajectory on screen.
    pub fn answer(&mut self, yes: bool, entry: Option<&Entry>) -> Outcome {
        let Some((id, _)) = self.accepting.take() else {
            return Outcome::Nothing;
        };
        if !yes || entry.is_none_or(|e| e.trajectory.id != id) {
            return Outcome::Say(format!("{} not accepted", sanitize_line(&id)));
        }
        self.set_verdict(entry, "accept")
    }

    fn set_verdict(&mut self, entry: Option<&Entry>, verdict: &str) -> Outcome {
        let Some(entry) = entry else {
            return Outcome::Nothing;
        };
        let t = &entry.trajectory;
        let same = self
            .labels
            .mine(&t.run, &t.id, None)
            .is_some_and(|m| m.label == verdict);
        let label = (!same).then_some(verdict);
        let annotator = self.labels.annotator.clone().unwrap_or_default();
        let event = Event::now(&annotator, &t.id, None, label).in_run(&t.run);
        let what = match label {
            Some(v) => format!("trajectory {v}ed"),
            None => "verdict cleared".to_string(),
        };
        Outcome::Marked(self.append(event, what))
    }

    fn start_note(
        &mut self,
        entry: Option<&Entry>,
        target: Option<usize>,
        keymap: &Keymap,
    ) -> Outcome {
        let Some(entry) = entry else {
            return Outcome::Nothing;
        };
        let Some(turn) = target else {
            return Outcome::Say("nothing to note here: move to a step".into());
        };
        if self.labels.open().is_ok()
            && self
                .labels
                .mine(&entry.trajectory.run, &entry.trajectory.id, Some(turn))
                .is_none()
        {
            return Outcome::Say(format!(
                "mark turn {turn} first ({} right, {} wrong), then add a note",
                keymap.describe(Action::MarkRight),
                keymap.describe(Action::MarkWrong)
            ));
        }
        Outcome::EditNote(
            self.labels
                .mine(&entry.trajectory.run, &entry.trajectory.id, Some(turn))
                .and_then(|m| m.note.clone())
                .unwrap_or_default(),
        )
    }

    /// The note typed for the `target` turn of `entry` (empty removes it).
    pub fn note(&mut self, note: &str, entry: Option<&Entry>, target: Option<usize>) -> Outcome {
        let (Some(entry), Some(turn)) = (entry, target) else {
            return Outcome::Nothing;
        };
        let t = &entry.trajectory;
        let Some(mark) = self.labels.mine(&t.run, &t.id, Some(turn)).cloned() else {
            self.labels.unsaved = Some(format!("note on turn {turn}: the turn has no mark"));
            return Outcome::Nothing;
        };
        let annotator = self.labels.annotator.clone().unwrap_or_default();
        let mut event = Event::now(&annotator, &t.id, Some(turn), Some(&mark.label))
            .in_run(&t.run)
            .with_details_of(&mark);
        event.text_hash = Some(labels::text_hash(&t.turns[turn].text));
        let note = note.trim();
        event.note = (!note.is_empty()).then(|| note.to_string());
        let what = match event.note {
            Some(_) => format!("note on turn {turn}"),
            None => format!("note on turn {turn} removed"),
        };
        Outcome::Marked(self.append(event, what))
    }

    fn undo_mark(&mut self) -> Outcome {
        let result = match self.labels.open() {
            Ok(j) => j.undo().map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        let message = match result {
            Ok(Some(e)) => {
                let item = e
                    .turn
                    .map_or("verdict".to_string(), |t| format!("turn {t}"));
                let now = e.label.as_deref().unwrap_or("unmarked");
                self.labels.unsaved = None;
                Some(format!(
                    "undone: {} {item} is {now} again · saved",
                    e.trajectory
                ))
            }
            Ok(None) => Some("nothing to undo in this session".into()),
            Err(e) => {
                self.labels.unsaved = Some(format!("undo: {e}"));
                None
            }
        };
        Outcome::Marked(message)
    }

    /// Append to the journal; the screen shows the mark as saved only when this succeeds (the
    /// message says so; a failure is left in the labels as UNSAVED).
    fn append(&mut self, event: Event, what: String) -> Option<String> {
        let result = match self.labels.open() {
            Ok(j) => j.append(&event).map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                self.labels.unsaved = None;
                Some(format!("{what} · saved"))
            }
            Err(e) => {
                self.labels.unsaved = Some(format!("{what}: {e}"));
                None
            }
        }
    }

    /// Read the marks of `t`, the trajectory now on screen.
    pub fn show(&mut self, t: Option<&Trajectory>) {
        self.marks = match t {
            Some(t) => self.labels.turn_marks(t),
            None => TurnMarks::default(),
        };
    }

    /// Read the marks of `t`, the trajectory on screen, again: the turns whose marks changed
    /// (only those need drawing again).
    pub fn refresh(&mut self, t: Option<&Trajectory>) -> HashSet<usize> {
        let new = match t {
            Some(t) => self.labels.turn_marks(t),
            None => Default::default(),
        };
        let old = std::mem::take(&mut self.marks);
        let changed = old
            .turns
            .keys()
            .chain(new.turns.keys())
            .filter(|t| old.turns.get(t) != new.turns.get(t))
            .copied()
            .collect();
        self.marks = new;
        changed
    }

    /// The first agent turn of `t` after `after` (from the start: `None`) without a mark of
    /// the annotator's.
    pub fn unmarked_after(&self, t: &Trajectory, after: Option<usize>) -> Option<usize> {
        let mine = self.labels.mine_in(&t.run, &t.id);
        self.to_mark(t)
            .into_iter()
            .find(|t| after.is_none_or(|a| *t > a) && !mine.contains_key(t))
    }

    /// Marks go on the agent turn again.
    pub fn aim_at_agent(&mut self) {
        self.labels.target_env = false;
    }

    /// Resume at the first unmarked turn once the index allows (see [`Marking::resume_due`]).
    pub fn resume_later(&mut self) {
        self.resume_at = Some(Instant::now());
    }

    /// Waiting to resume.
    pub fn resuming(&self) -> bool {
        self.resume_at.is_some()
    }

    /// No resuming any more (the reader took over, or it is done).
    pub fn stop_resuming(&mut self) {
        self.resume_at = None;
    }

    /// Whether it is time to resume: once the index is complete (or after a second, on what is
    /// indexed by then). True once; then it stops waiting.
    pub fn resume_due(&mut self, complete: bool, empty: bool) -> bool {
        let Some(began) = self.resume_at else {
            return false;
        };
        if !complete && (empty || began.elapsed() < Duration::from_secs(1)) {
            return false;
        }
        self.resume_at = None;
        true
    }
}
