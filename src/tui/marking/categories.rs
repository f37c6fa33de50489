//! Why a turn is wrong, from the keyboard: a digit marks the turn wrong with that category of
//! the set (saved at once, so `x` then a digit and a digit alone end the same), `v` cycles the
//! severity and `D` makes it the trajectory's decisive error (the first wrong turn that made it
//! fail: one per trajectory, so the mark moves from another turn).

use super::super::store::Entry;
use super::{Marking, Outcome};
use crate::labels::{self, Event, Mark, SEVERITIES};

impl Marking {
    /// The annotator's wrong mark on the `target` turn of `entry`, or why there is none.
    fn wrong_mark(
        &self,
        entry: Option<&Entry>,
        target: Option<usize>,
        what: &str,
    ) -> Result<(usize, Mark), Outcome> {
        let Some(entry) = entry else {
            return Err(Outcome::Nothing);
        };
        let Some(turn) = target else {
            return Err(Outcome::Say(format!(
                "nothing to {what} here: move to a step"
            )));
        };
        let t = &entry.trajectory;
        match self.labels.mine(&t.run, &t.id, Some(turn)) {
            Some(m) if m.label == "wrong" => Ok((turn, m.clone())),
            _ => Err(Outcome::Say(format!(
                "turn {turn} is not marked wrong: mark it wrong first (x, or a category digit)"
            ))),
        }
    }

    /// The event re-stating `mark` on `turn` of `entry` (details kept, hash renewed).
    fn restate(&self, entry: &Entry, turn: usize, mark: &Mark) -> Event {
        let t = &entry.trajectory;
        let annotator = self.labels.annotator.clone().unwrap_or_default();
        let mut event = Event::now(&annotator, &t.id, Some(turn), Some(&mark.label))
            .in_run(&t.run)
            .with_details_of(mark);
        event.text_hash = Some(labels::text_hash(&t.turns[turn].text));
        event
    }

    /// Mark the target turn wrong with the category of `digit`.
    pub(super) fn set_category(
        &mut self,
        entry: Option<&Entry>,
        target: Option<usize>,
        digit: u8,
    ) -> Outcome {
        let Some(entry) = entry else {
            return Outcome::Nothing;
        };
        let Some(turn) = target else {
            return Outcome::Say("nothing to mark here: move to a step".into());
        };
        let Some(category) = self
            .labels
            .categories
            .by_digit(digit)
            .map(|c| c.name.clone())
        else {
            return Outcome::Say(format!(
                "no category on {digit}: the set {} has {}",
                self.labels.categories.tag(),
                self.labels.categories.categories.len()
            ));
        };
        let t = &entry.trajectory;
        let mut mark = match self.labels.mine(&t.run, &t.id, Some(turn)) {
            Some(m) if m.label == "wrong" => m.clone(),
            Some(m) => Mark {
                note: m.note.clone(),
                ..Mark::default()
            },
            None => Mark::default(),
        };
        mark.label = "wrong".into();
        mark.category = Some(category.clone());
        mark.categories = Some(self.labels.categories.tag());
        let event = self.restate(entry, turn, &mark);
        Outcome::Marked(self.append(event, format!("turn {turn} wrong · {category}")))
    }

    /// Cycle the severity of the target turn's wrong mark: minor, major, critical, none.
    pub(super) fn cycle_severity(
        &mut self,
        entry: Option<&Entry>,
        target: Option<usize>,
    ) -> Outcome {
        let (turn, mut mark) = match self.wrong_mark(entry, target, "grade") {
            Ok(found) => found,
            Err(outcome) => return outcome,
        };
        let next = match mark.severity.as_deref() {
            None => Some(0),
            Some(s) => SEVERITIES
                .iter()
                .position(|x| *x == s)
                .and_then(|i| (i + 1 < SEVERITIES.len()).then_some(i + 1)),
        };
        mark.severity = next.map(|i| SEVERITIES[i].to_string());
        let Some(entry) = entry else {
            return Outcome::Nothing;
        };
        let event = self.restate(entry, turn, &mark);
        let what = format!(
            "turn {turn} severity {}",
            next.map_or("none", |i| SEVERITIES[i])
        );
        Outcome::Marked(self.append(event, what))
    }

    /// Make the target turn the decisive error (again: not); another turn of the trajectory
    /// that was decisive stops being so first.
    pub(super) fn toggle_decisive(
        &mut self,
        entry: Option<&Entry>,
        target: Option<usize>,
    ) -> Outcome {
        let (turn, mut mark) = match self.wrong_mark(entry, target, "mark decisive") {
            Ok(found) => found,
            Err(outcome) => return outcome,
        };
        let Some(entry) = entry else {
            return Outcome::Nothing;
        };
        let t = &entry.trajectory;
        if !mark.decisive {
            let others: Vec<(usize, Mark)> = self
                .labels
                .mine_in(&t.run, &t.id)
                .into_iter()
                .filter(|(i, m)| *i != turn && m.decisive)
                .map(|(i, m)| (i, m.clone()))
                .collect();
            for (i, mut other) in others {
                other.decisive = false;
                let event = self.restate(entry, i, &other);
                if self.append(event, String::new()).is_none() {
                    return Outcome::Marked(None);
                }
            }
        }
        mark.decisive ^= true;
        let event = self.restate(entry, turn, &mark);
        let what = if mark.decisive {
            format!("turn {turn} is the decisive error")
        } else {
            format!("turn {turn} is not the decisive error")
        };
        Outcome::Marked(self.append(event, what))
    }
}
