//! Marking's part in settling disagreements: the adjudication session it holds, and each
//! decision written to the adjudicator's journal (flushed and fsynced like any mark) or undone.

use super::super::adjudicating::{Adjudicating, Choice};
use super::super::store::Entry;
use super::{Marking, Outcome};
use crate::labels;

impl Marking {
    pub fn adjudicating(&self) -> Option<&Adjudicating> {
        self.adjudicating.as_ref()
    }

    pub fn adjudicating_mut(&mut self) -> Option<&mut Adjudicating> {
        self.adjudicating.as_mut()
    }

    pub fn start_adjudicating(&mut self, a: Adjudicating) {
        self.adjudicating = Some(a);
    }

    pub fn stop_adjudicating(&mut self) {
        self.adjudicating = None;
    }

    /// Settle the item on screen as `choice`; `entry` is the trajectory on screen (its turn
    /// text's hash is recorded when it is the item's).
    pub fn adjudicate(&mut self, choice: &Choice, entry: Option<&Entry>) -> Outcome {
        if self.labels.annotator.is_none() {
            return Outcome::AskAnnotator;
        }
        let annotator = self.labels.annotator.clone().unwrap_or_default();
        let Some(a) = &self.adjudicating else {
            return Outcome::Nothing;
        };
        let Some(mut event) = a.event(&annotator, choice) else {
            return Outcome::Say("nothing to settle".into());
        };
        if let (Some(t), Some(turn)) = (entry.map(|e| &e.trajectory), event.turn) {
            if *t.run == *event.run.as_deref().unwrap_or("") && t.id == event.trajectory {
                event.text_hash = t.turns.get(turn).map(|x| labels::text_hash(&x.text));
            }
        }
        let what = match &event.category {
            Some(c) => format!("settled: {} ({c})", choice.0),
            None => format!("settled: {}", choice.0),
        };
        let saved = self.append(event.clone(), what);
        if saved.is_some() {
            if let Some(a) = &mut self.adjudicating {
                a.settled(&event);
                if a.settled_all() {
                    return Outcome::Marked(Some(format!(
                        "every disagreement is settled ({})",
                        a.status()
                    )));
                }
            }
        }
        Outcome::Marked(saved)
    }

    /// Undo the last line of this session (a decision, or a mark); a decision's item comes
    /// back in its earlier state.
    pub fn undo_adjudication(&mut self) -> Outcome {
        let result = match self.labels.open() {
            Ok(j) => j.undo().map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match result {
            Ok(Some(e)) => {
                self.labels.unsaved = None;
                if e.is_adjudication() {
                    if let Some(a) = &mut self.adjudicating {
                        a.undone(&e);
                    }
                }
                Outcome::Marked(Some("undone · saved".into()))
            }
            Ok(None) => Outcome::Say("nothing to undo in this session".into()),
            Err(e) => {
                self.labels.unsaved = Some(format!("undo: {e}"));
                Outcome::Marked(None)
            }
        }
    }
}
