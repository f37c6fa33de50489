//! The agreement panel: every journal in the annotations directory, restricted to the
//! trajectories of the loaded data (or the sample), compared turn by turn with `crate::agree`:
//! percent agreement, Cohen's κ per pair, Fleiss' κ, Krippendorff's α, confusion matrices.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::action::{Action, Keymap};
use super::marks::Labels;
use super::panel::{self, Data, Panel, Scroll};
use super::theme::Theme;
use crate::agree::{self, Agreement, Stat};
use crate::labels::Replay;
use crate::sanitize::sanitize_line;
use crate::session;

/// The agreement panel: its lines, computed when it opens.
pub struct AgreementPanel {
    lines: Vec<String>,
    scroll: Scroll,
}

/// Every journal of the annotations directory, replayed; `Err`, with the reason for the status
/// line, when there is no directory or it cannot be read.
pub(super) fn read_journals(labels: &Labels) -> Result<Replay, String> {
    let Some(dir) = labels.dir.clone() else {
        return Err("no annotations directory".into());
    };
    let mut replay = Replay::new();
    if let Err(e) = replay.read_path(&dir) {
        return Err(format!("cannot read the journals: {e}"));
    }
    Ok(replay)
}

impl Panel for AgreementPanel {
    /// Compute the panel (or say why there is nothing to show).
    fn open(data: &mut Data) -> Result<AgreementPanel, String> {
        let replay = read_journals(data.labels)?;
        // The keys (run, id) of the data on the list (all of it, or the sample), within a time budget.
        let start = Instant::now();
        let len = data.store.len();
        let rows: Vec<usize> = match data.sample {
            Some(s) => s.to_vec(),
            None => (0..len).collect(),
        };
        let mut ids = HashSet::new();
        let mut seen = 0;
        for i in rows.iter().copied() {
            if data.store.known_row(i).is_none() && start.elapsed() > Duration::from_secs(2) {
                break;
            }
            let row = data.store.row(i);
            ids.insert((row.run.clone(), row.id.clone()));
            seen += 1;
        }
        let ratings =
            session::agreement::of_trajectories(&replay, &ids).map_err(|e| e.to_string())?;
        let mut lines = vec![format!(
            "turn marks over {seen} of {} trajectories, every journal in the directory",
            rows.len(),
        )];
        lines.extend(panel_lines(&agree::agreement(&ratings)));
        let categories = session::agreement::categories_of_trajectories(&replay, &ids)
            .map_err(|e| e.to_string())?;
        if !categories.items.is_empty() {
            lines.push(String::new());
            lines.push(
                "categories of turns marked wrong (a pair is compared where both marked it wrong)"
                    .into(),
            );
            lines.extend(panel_lines(&agree::agreement(&categories)));
            lines.push(String::new());
            lines.push("per category: how often annotators who used it agreed".into());
            for (c, s) in agree::specific_agreement(&categories) {
                if s.used > 0 {
                    lines.push(format!(
                        "  {:<26} {}  ({} of {} uses)",
                        sanitize_line(&c),
                        num(&s.specific_agreement),
                        s.agreed,
                        s.used
                    ));
                }
            }
        }
        Ok(AgreementPanel {
            lines,
            scroll: Scroll::default(),
        })
    }

    fn mode(&self) -> &'static str {
        "AGREEMENT"
    }

    fn key(&mut self, action: Option<Action>, screen: Rect, _: &Keymap) -> bool {
        panel::scroll_text(&mut self.scroll, action, screen, &self.lines)
    }

    fn draw(&self, buf: &mut Buffer, screen: Rect, theme: &Theme, _: &Keymap) {
        let title = " agreement (j/k scroll, any other key closes) ";
        panel::text_box(buf, screen, theme, title, &self.lines, self.scroll.first());
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
