//! The pair screen: the two trajectories of one task, their steps aligned row by row (same /
//! differs / left only / right only), side by side or stacked (below 100 columns, or `s`),
//! each step with its findings gutter and marks as in the review screen, and the findings
//! of the selected row below. Only the pair on screen is loaded and aligned.

use std::sync::Arc;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::super::layout::STACK_BELOW;
use super::super::marks::{badge_spans, TurnMarks};
use super::super::store::Entry;
use super::super::theme::Theme;
use super::tasks::truncate;
use crate::compare::{Alignment, Kind};
use crate::model::Step;
use crate::sanitize::sanitize_line;

/// Rows of one side of a step: its header line with the action, more action, the reply.
const SIDE_ROWS: usize = 3;
/// Rows of the findings of the selected step.
pub const FINDINGS_ROWS: u16 = 3;

/// One side of the pair, loaded.
pub struct Loaded {
    pub entry: Arc<Entry>,
    pub steps: Vec<Step>,
    pub marks: TurnMarks,
}

/// The pair on screen.
pub struct PairView {
    /// The task (an index into the comparison's tasks).
    pub task: usize,
    pub sides: [Option<Loaded>; 2],
    /// Why a side could not be shown (not in that run, or unreadable).
    pub missing: [Option<String>; 2],
    pub alignment: Alignment,
    /// The selected row of the alignment.
    pub cursor: usize,
    pub top: usize,
    /// Stack the sides (forced with `s`; automatic below 100 columns).
    pub stacked: Option<bool>,
    /// The side marks go to: 0 (A) or 1 (B).
    pub side: usize,
    /// The selected row is shown in full instead of the rows (`enter`), from this line on
    /// (`j`/`k` scroll it).
    pub detail: bool,
    pub detail_top: usize,
}

impl PairView {
    /// Whether the sides are stacked at this width.
    pub fn is_stacked(&self, width: u16) -> bool {
        self.stacked.unwrap_or(width < STACK_BELOW)
    }

    /// Rows of the screen one aligned row takes.
    pub fn row_height(&self, width: u16) -> usize {
        if self.is_stacked(width) {
            2 * SIDE_ROWS
        } else {
            SIDE_ROWS
        }
    }

    /// Select aligned row `row`, scrolling so it is in a body of `height` screen rows.
    pub fn go(&mut self, row: usize, height: usize, width: u16) {
        let last = self.alignment.rows.len().saturating_sub(1);
        if row.min(last) != self.cursor {
            self.detail_top = 0;
        }
        self.cursor = row.min(last);
        let fit = (height / self.row_height(width)).max(1);
        if self.cursor < self.top {
            self.top = self.cursor;
        } else if self.cursor >= self.top + fit {
            self.top = self.cursor + 1 - fit;
        }
    }

    /// The turn a mark on side `side` of the selected row goes on: its agent turn, else its
    /// first environment reply.
    pub fn target(&self, side: usize) -> Option<usize> {
        let row = self.alignment.rows.get(self.cursor)?;
        let step = [row.left, row.right][side]?;
        let s = self.sides[side].as_ref()?.steps.get(step)?;
        s.agent
            .or((s.environment.0 < s.environment.1).then_some(s.environment.0))
    }
}

fn kind_glyph(kind: Kind) -> (&'static str, fn(&Theme) -> Style) {
    match kind {
        Kind::Same => ("=", |t| t.muted),
        Kind::Differs => ("≠", |t| t.finding_warn),
        Kind::LeftOnly => ("<", |t| t.finding_info),
        Kind::RightOnly => (">", |t| t.finding_info),
    }
}

/// The lines of one side of one step, `width` wide.
fn side_lines(
    side: Option<&Loaded>,
    step: Option<usize>,
    label: &str,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let (Some(side), Some(step)) = (side, step) else {
        return vec![Line::styled(format!("{label}  ·"), theme.muted)];
    };
    let Some(s) = side.steps.get(step) else {
        return Vec::new();
    };
    let t = &side.entry.trajectory;
    let mut head = vec![Span::styled(
        format!("{label}{:>3} ", step + 1),
        theme.muted,
    )];
    let turns = s.agent.into_iter().chain(s.environment.0..s.environment.1);
    let worst = turns.filter_map(|i| side.entry.worst_in(i)).max();
    head.push(match worst {
        Some(sev) => Span::styled("● ", theme.finding(sev)),
        None => Span::raw("  "),
    });
    let mut text: Vec<String> = Vec::new();
    let mut agent_style = theme.agent;
    if let Some(a) = s.agent {
        if let Some(badge) = side.marks.turns.get(&a) {
            head.extend(badge_spans(badge, theme));
            head.push(Span::raw(" "));
        }
        let turn = &t.turns[a];
        if turn.demo {
            agent_style = theme.demo;
        }
        let calls = turn
            .tool_calls
            .iter()
            .map(|c| format!("{}({})", c.name, c.arguments));
        text = turn
            .text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .chain(calls)
            .collect();
    }
    let used: usize = head.iter().map(|s| s.width()).sum();
    let first = text.first().map_or(String::new(), |l| sanitize_line(l));
    head.push(Span::styled(
        truncate(&first, width.saturating_sub(used)),
        agent_style,
    ));
    let mut lines = vec![Line::from(head)];
    let second = text.get(1).map_or(String::new(), |l| sanitize_line(l));
    lines.push(Line::styled(
        format!("      {}", truncate(&second, width.saturating_sub(6))),
        agent_style,
    ));
    let reply = (s.environment.0..s.environment.1)
        .flat_map(|i| t.turns[i].text.lines())
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map_or(String::new(), sanitize_line);
    let mut tail = vec![Span::styled("    → ", theme.muted)];
    if let Some(badge) = (s.environment.0 < s.environment.1)
        .then(|| side.marks.turns.get(&s.environment.0))
        .flatten()
    {
        tail.extend(badge_spans(badge, theme));
        tail.push(Span::raw(" "));
    }
    let used: usize = tail.iter().map(|s| s.width()).sum();
    tail.push(Span::styled(
        truncate(&reply, width.saturating_sub(used)),
        theme.environment,
    ));
    lines.push(Line::from(tail));
    lines
}

/// Draw the aligned rows in `area`.
pub fn draw_body(buf: &mut Buffer, area: Rect, view: &PairView, theme: &Theme) {
    let stacked = view.is_stacked(area.width);
    let height = view.row_height(area.width);
    let fit = area.height as usize / height;
    let half = area.width.saturating_sub(2) / 2;
    for k in 0..fit {
        let r = view.top + k;
        let Some(row) = view.alignment.rows.get(r) else {
            break;
        };
        let y = area.y + (k * height) as u16;
        let selected = r == view.cursor;
        let (glyph, style) = kind_glyph(row.kind);
        let mark = if selected { "▶" } else { " " };
        let gutter = Line::from(vec![
            Span::styled(mark, theme.title),
            Span::styled(glyph, style(theme)),
        ]);
        gutter.render(Rect::new(area.x, y, 2, 1), buf);
        let rows = [row.left, row.right];
        let place = |buf: &mut Buffer, side: usize, x: u16, y: u16, w: u16| {
            let label = if side == 0 { "A" } else { "B" };
            let lines = side_lines(
                view.sides[side].as_ref(),
                rows[side],
                label,
                w as usize,
                theme,
            );
            for (j, l) in lines.into_iter().take(SIDE_ROWS).enumerate() {
                l.render(Rect::new(x, y + j as u16, w, 1), buf);
            }
            if selected && side == view.side {
                let r = Rect::new(x, y, w, SIDE_ROWS as u16);
                buf.set_style(r, Style::new().add_modifier(Modifier::BOLD));
            }
        };
        if stacked {
            place(buf, 0, area.x + 2, y, area.width.saturating_sub(2));
            place(
                buf,
                1,
                area.x + 2,
                y + SIDE_ROWS as u16,
                area.width.saturating_sub(2),
            );
        } else {
            place(buf, 0, area.x + 2, y, half);
            let sep = Rect::new(area.x + 2 + half, y, 1, SIDE_ROWS as u16);
            for j in 0..sep.height {
                buf.set_string(sep.x, sep.y + j, "│", theme.border);
            }
            place(
                buf,
                1,
                area.x + 4 + half,
                y,
                area.width.saturating_sub(4 + half),
            );
        }
    }
}

/// The findings of the selected row, both sides.
pub fn draw_findings(buf: &mut Buffer, area: Rect, view: &PairView, theme: &Theme) {
    let Some(row) = view.alignment.rows.get(view.cursor) else {
        return;
    };
    let mut lines: Vec<Line> = Vec::new();
    for (side, step) in [row.left, row.right].into_iter().enumerate() {
        let (Some(loaded), Some(step)) = (view.sides[side].as_ref(), step) else {
            continue;
        };
        let Some(s) = loaded.steps.get(step) else {
            continue;
        };
        let label = if side == 0 { "A" } else { "B" };
        for i in s.agent.into_iter().chain(s.environment.0..s.environment.1) {
            for f in loaded.entry.findings_in(i) {
                lines.push(Line::from(vec![
                    Span::styled(format!("{label} turn {i} "), theme.muted),
                    Span::styled(format!("{} ", f.rule), theme.finding(f.severity)),
                    Span::styled(sanitize_line(&f.message), theme.text),
                ]));
            }
        }
    }
    if lines.is_empty() {
        lines.push(Line::styled("no findings on this row", theme.muted));
    }
    let more = lines.len().saturating_sub(area.height as usize);
    for (j, l) in lines.into_iter().take(area.height as usize).enumerate() {
        l.render(Rect::new(area.x, area.y + j as u16, area.width, 1), buf);
    }
    if more > 0 {
        let tag = format!(" +{more} more ");
        let x = area.right().saturating_sub(tag.len() as u16);
        buf.set_string(x, area.bottom().saturating_sub(1), tag, theme.muted);
    }
}
