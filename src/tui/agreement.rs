//! The agreement panel: every journal in the annotations directory, restricted to the
//! trajectories of the loaded data (or the sample), compared turn by turn with `crate::agree`:
//! percent agreement, Cohen's κ per pair, Fleiss' κ, Krippendorff's α, confusion matrices.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Widget};

use super::app::{App, Mode};
use crate::agree::{self, Agreement, Ratings, Stat};
use crate::labels::{Replay, TURN_LABELS};
use crate::sanitize::sanitize_line;

impl App {
    /// Every journal of the annotations directory, replayed; `None`, with the reason in the
    /// status line, when there is no directory or it cannot be read.
    pub(super) fn read_journals(&mut self) -> Option<Replay> {
        let Some(dir) = self.labels.dir.clone() else {
            self.message = Some("no annotations directory".into());
            return None;
        };
        let mut replay = Replay::new();
        if let Err(e) = replay.read_path(&dir) {
            self.message = Some(format!("cannot read the journals: {e}"));
            return None;
        }
        Some(replay)
    }

    /// Compute the panel and show it (or say why there is nothing to show).
    pub(super) fn open_agreement(&mut self) {
        let Some(replay) = self.read_journals() else {
            return;
        };
        // The ids of the data on the list (all of it, or the sample), within a time budget.
        let start = Instant::now();
        let len = self.store.len();
        let rows: Vec<usize> = match &self.list.sample {
            Some(s) => s.clone(),
            None => (0..len).collect(),
        };
        let mut ids = HashSet::new();
        let mut seen = 0;
        for i in rows.iter().copied() {
            if self.store.known_row(i).is_none() && start.elapsed() > Duration::from_secs(2) {
                break;
            }
            ids.insert(self.store.row(i).id.clone());
            seen += 1;
        }
        let triples = replay
            .marks()
            .iter()
            .filter(|(k, _)| k.turn.is_some() && ids.contains(&k.trajectory))
            .map(|(k, m)| {
                (
                    k.annotator.clone(),
                    (k.trajectory.clone(), k.turn),
                    m.label.clone(),
                )
            });
        let ratings = match Ratings::build(triples, None, &TURN_LABELS) {
            Ok(r) => r,
            Err(e) => {
                self.message = Some(e.to_string());
                return;
            }
        };
        let mut lines = vec![format!(
            "turn marks over {seen} of {} trajectories, every journal in the directory",
            rows.len(),
        )];
        lines.extend(panel_lines(&agree::agreement(&ratings)));
        self.panel = lines;
        self.panel_title = " agreement (j/k scroll, any other key closes) ";
        self.help_scroll = 0;
        self.mode = Mode::Agreement;
    }
}

fn num(s: &Stat) -> String {
    match s {
        Ok(v) => format!("{v:.3}"),
        Err(why) => format!("undefined ({why})"),
    }
}

/// The panel's text.
pub fn panel_lines(g: &Agreement) -> Vec<String> {
    let mut out = Vec::new();
    let c = &g.counts;
    let annotators: Vec<String> = g
        .annotators
        .iter()
        .map(|a| format!("{} ({})", sanitize_line(a), c.per_annotator[a]))
        .collect();
    out.push(format!("annotators: {}", annotators.join(", ")));
    out.push(format!(
        "items: {} labelled, {} with two labels or more, {} by every annotator",
        c.items, c.items_pairable, c.items_all_annotators
    ));
    out.push(String::new());
    out.push(format!(
        "percent agreement    pooled {}, mean of pairs {}",
        num(&g.percent_agreement.pooled),
        num(&g.percent_agreement.mean_pairwise)
    ));
    out.push(format!("Fleiss' κ            {}", num(&g.fleiss_kappa)));
    out.push(format!(
        "Krippendorff's α     {}  (nominal)",
        num(&g.krippendorff_alpha_nominal)
    ));
    let width = g
        .labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    let width = width.max(5);
    for (a, pairs) in &g.pairs {
        for (b, p) in pairs {
            out.push(String::new());
            out.push(format!(
                "{} × {}: {} shared, agreement {}, Cohen's κ {}",
                sanitize_line(a),
                sanitize_line(b),
                p.n,
                num(&p.percent_agreement),
                num(&p.cohen_kappa)
            ));
            let mut header = format!("  {:>width$}", format!("{}↓", initial(a)));
            for l in &g.labels {
                header.push_str(&format!(" {:>width$}", sanitize_line(l)));
            }
            header.push_str(&format!("  ({}→)", sanitize_line(b)));
            out.push(header);
            for (l, row) in g.labels.iter().zip(&p.confusion) {
                let mut line = format!("  {:>width$}", sanitize_line(l));
                for n in row {
                    line.push_str(&format!(" {n:>width$}"));
                }
                out.push(line);
            }
        }
    }
    if g.pairs.values().all(|p| p.is_empty()) {
        out.push(String::new());
        out.push("fewer than two annotators: nothing to compare yet".into());
    }
    out
}

fn initial(name: &str) -> String {
    sanitize_line(name).chars().take(8).collect()
}

/// The panel as an overlay in the middle of the screen.
pub fn draw(buf: &mut Buffer, screen: Rect, app: &App) {
    let theme = &app.theme;
    let width = app
        .panel
        .iter()
        .map(|l| super::text::cells(l))
        .max()
        .unwrap_or(0)
        .max(40) as u16
        + 4;
    let width = width.min(screen.width);
    let height = (app.panel.len() as u16 + 2).min(screen.height);
    let area = Rect::new(
        screen.x + (screen.width - width) / 2,
        screen.y + (screen.height - height) / 2,
        width,
        height,
    );
    Clear.render(area, buf);
    let block = Block::bordered()
        .border_style(theme.border_focus)
        .title(Span::styled(app.panel_title, theme.title));
    let inner = block.inner(area);
    block.render(area, buf);
    buf.set_style(inner, Style::new().patch(theme.text));
    let rows = inner.height as usize;
    let first = app.help_scroll.min(app.panel.len().saturating_sub(rows));
    for (n, text) in app.panel.iter().skip(first).take(rows).enumerate() {
        let line = Line::styled(format!(" {text}"), theme.text);
        buf.set_line(inner.x, inner.y + n as u16, &line, inner.width);
    }
}
