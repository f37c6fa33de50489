//! The review screen settling disagreements (`trev adjudicate`): the queue is built over the
//! loaded data (or the sample) from every journal in the annotations directory; keys decide,
//! move, type the reason; the document follows the item on screen.

use std::collections::HashSet;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::super::action::Action;
use super::super::adjudicating::Adjudicating;
use super::super::marking::Outcome;
use super::{App, Mode};
use crate::labels::votes::TrajectoryKey;
use crate::parallel;
use crate::session;

impl App {
    /// Start settling disagreements, annotators' names hidden or shown.
    pub fn adjudicate(&mut self, hide_names: bool) {
        let Some(dir) = self.marking.labels().dir.clone() else {
            self.message = Some("no annotations directory: give --annotations DIR".into());
            return;
        };
        let data = self.store.dataset();
        data.wait();
        let keys: Vec<Option<TrajectoryKey>> = parallel::parallel_map(data.len(), |i| {
            data.load(i).ok().map(|(t, _)| (t.run.clone(), t.id))
        });
        let wanted: Vec<usize> = match self.list.sample() {
            Some(s) => s.to_vec(),
            None => (0..keys.len()).collect(),
        };
        let loaded: HashSet<TrajectoryKey> =
            wanted.iter().filter_map(|&i| keys[i].clone()).collect();
        let replay = match session::adjudicate::journals(&dir) {
            Ok(r) => r,
            Err(e) => {
                self.message = Some(format!("{e:#}"));
                return;
            }
        };
        let set = self.marking.labels().categories.clone();
        let queue = session::adjudicate::of_trajectories(&replay, &loaded);
        let index = queue
            .items
            .iter()
            .map(|item| {
                wanted.iter().copied().find(|&i| {
                    keys[i]
                        .as_ref()
                        .is_some_and(|(r, id)| *r == item.run && *id == item.trajectory)
                })
            })
            .collect();
        let a = Adjudicating::new(queue, index, hide_names, set);
        self.message = Some(if a.settled_all() {
            format!("every disagreement is settled ({})", a.status())
        } else {
            a.status()
        });
        self.marking.stop_resuming();
        self.marking.start_adjudicating(a);
        self.set_mode(Mode::Adjudicate);
        self.follow_item();
    }

    /// Show the item on screen: its trajectory, at its turn.
    fn follow_item(&mut self) {
        let Some((i, turn)) = self.marking.adjudicating().and_then(|a| a.target()) else {
            return;
        };
        self.select(i);
        self.refresh_marks();
        self.prepare();
        if let Some(turn) = turn {
            self.reveal(turn, 0);
            self.document.clear_gutter_mark();
        }
    }

    /// A key while settling.
    pub(super) fn adjudicate_key(&mut self, e: KeyEvent) {
        if e.modifiers.contains(KeyModifiers::CONTROL) {
            if e.code == KeyCode::Char('c') {
                self.quit = true;
            }
            return;
        }
        let key = match e.code {
            KeyCode::Enter => '\n',
            KeyCode::Char(c) => c,
            KeyCode::Down => 'n',
            KeyCode::Up => 'p',
            KeyCode::Esc => {
                self.marking.stop_adjudicating();
                self.set_mode(Mode::Browse);
                self.message = Some("adjudication left (trev adjudicate resumes it)".into());
                return;
            }
            _ => return,
        };
        let Some(a) = self.marking.adjudicating_mut() else {
            self.set_mode(Mode::Browse);
            return;
        };
        match key {
            'n' | 'j' => a.step(1),
            'p' | 'k' => a.step(-1),
            'h' => {
                a.toggle_names();
                return;
            }
            'w' => {
                a.cycle_cause();
                return;
            }
            'e' => {
                let reason = a.reason().to_string();
                self.set_mode(Mode::Reason);
                self.input = reason;
                return;
            }
            'q' => {
                self.quit = true;
                return;
            }
            'u' => {
                let outcome = self.marking.undo_adjudication();
                self.follow(outcome, Action::Undo);
            }
            c => {
                let Some(choice) = a.choice(c) else { return };
                let entry = self.current().cloned();
                match self.marking.adjudicate(&choice, entry.as_deref()) {
                    Outcome::AskAnnotator => {
                        self.message = Some("no annotator: give --annotator NAME".into());
                    }
                    outcome => self.follow(outcome, Action::Undo),
                }
            }
        }
        self.follow_item();
    }

    /// The reason typed on the input line (kept for the next decision).
    pub(super) fn submit_reason(&mut self, text: &str) {
        if let Some(a) = self.marking.adjudicating_mut() {
            a.set_reason(text);
        }
        self.set_mode(Mode::Adjudicate);
    }
}
