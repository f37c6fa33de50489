//! The review screen reviewing a turn sample blind: each sampled trajectory is shown up to its
//! first sampled turn not yet marked (the store leaves out every turn after it, its findings
//! and the outcome), the cursor starts on that turn, and the panels that would show the judge's
//! labels (agreement, estimate) stay closed.

use super::super::action::Action;
use super::App;

impl App {
    /// Blind review: cut every sampled trajectory after its first sampled turn not yet marked
    /// (the store loads one again when its cut changes).
    pub(super) fn recut_all(&mut self) {
        let records = match &self.marking.labels().blind {
            Some(b) => b.records(),
            None => return,
        };
        for i in records {
            let cut = self.marking.blind_cut(i);
            self.store.set_cut(i, cut);
        }
    }

    /// Under blind review, put the cursor on the sampled turn shown (the last one).
    pub(super) fn cursor_on_sampled_turn(&mut self) {
        if let Some(turn) = self.store.cut(self.selected()) {
            self.reveal(turn, 0);
            self.document.clear_gutter_mark();
        }
    }

    /// A panel that cannot open during blind review, and why.
    pub(super) fn closed_when_blind(&self, action: Action) -> Option<String> {
        let b = self.marking.labels().blind.as_ref()?;
        let panel = match action {
            Action::Agreement => "agreement",
            // It combines every journal's marks, the judge's too.
            Action::Estimate => "estimate",
            _ => return None,
        };
        Some(format!(
            "blind review: the {panel} panel would show what {} said (trev agree shows the judge against each person)",
            b.judge
        ))
    }
}
