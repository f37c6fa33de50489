//! Marking's part in blind review: the turns that want a mark (the sampled ones), and how
//! many of them the annotator has marked.

use super::super::marks::agent_turns;
use super::Marking;
use crate::model::Trajectory;

impl Marking {
    /// The turns of `t` that want a mark: under blind review its sampled turns, else its agent
    /// turns that are not in-context examples.
    pub(super) fn to_mark(&self, t: &Trajectory) -> Vec<usize> {
        let Some(b) = &self.labels.blind else {
            return agent_turns(t);
        };
        let mut turns: Vec<usize> = b
            .turns
            .iter()
            .filter(|s| *s.run == *t.run && s.trajectory == t.id)
            .map(|s| s.turn)
            .collect();
        turns.sort_unstable();
        turns
    }

    /// Under blind review, the status line: `blind: turn sample of N by JUDGE, k/N marked`.
    pub fn blind_status(&self) -> Option<String> {
        let b = self.labels.blind.as_ref()?;
        let marked = b
            .turns
            .iter()
            .filter(|s| {
                self.labels
                    .mine(&s.run, &s.trajectory, Some(s.turn))
                    .is_some()
            })
            .count();
        Some(b.status(marked))
    }

    /// Under blind review, the last turn of `record` to show (see [`super::super::blind::Blind::cut`]).
    pub fn blind_cut(&self, record: usize) -> Option<usize> {
        let b = self.labels.blind.as_ref()?;
        let s = b.turns.iter().find(|s| s.record == record)?;
        b.cut(record, |turn| {
            self.labels
                .mine(&s.run, &s.trajectory, Some(turn))
                .is_some()
        })
    }
}
