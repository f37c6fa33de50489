//! The estimate panel: from the reviewed part of the list (the sample, when there is one) to
//! the whole dataset, computed and worded by the same use-case as `trev stats --estimate`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::action::{Action, Keymap};
use super::agreement::read_journals;
use super::panel::{self, Data, Panel, Scroll};
use super::theme::Theme;
use crate::findings::Severity;
use crate::session::estimate::{census, estimate_in, lines, selection};

/// The estimate panel: its lines, computed when it opens.
pub struct EstimatePanel {
    lines: Vec<String>,
    scroll: Scroll,
}

impl Panel for EstimatePanel {
    /// Compute the estimate over the whole dataset (read once, on every core) and the
    /// reviewed part of the recorded sample, as `trev stats --estimate` does.
    fn open(data: &mut Data) -> Result<EstimatePanel, String> {
        let replay = read_journals(data.labels)?;
        let dir = data
            .labels
            .dir
            .as_deref()
            .ok_or("no annotations directory")?;
        let store = &*data.store;
        let dataset = store.dataset();
        let census = census(dataset, &replay);
        // The sample recorded beside the journals (the one the list shows), as `trev stats
        // --estimate` reads it; without one, what was reviewed is described, not extrapolated.
        let selection = selection(dataset, &census, None, dir).map_err(|e| e.to_string())?;
        let flagged = |t: &crate::model::Trajectory| {
            store
                .findings_of(t)
                .iter()
                .any(|f| f.severity == Severity::Error)
        };
        let estimated = estimate_in(
            dataset,
            &census,
            &selection,
            &flagged,
            &data.labels.categories,
        );
        Ok(EstimatePanel {
            lines: lines(&estimated),
            scroll: Scroll::default(),
        })
    }

    fn mode(&self) -> &'static str {
        "ESTIMATE"
    }

    fn key(&mut self, action: Option<Action>, screen: Rect, _: &Keymap) -> bool {
        panel::scroll_text(&mut self.scroll, action, screen, &self.lines)
    }

    fn draw(&self, buf: &mut Buffer, screen: Rect, theme: &Theme, _: &Keymap) {
        let title = " estimate (j/k scroll, any other key closes) ";
        panel::text_box(buf, screen, theme, title, &self.lines, self.scroll.first());
    }
}
