//! Drawing the review screen: pure functions of `&App` (they read what `App::prepare` left and
//! never write into it).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};
use ratatui::Frame;

use super::app::App;
use super::doc::{BlockKind, GUTTER};
use super::{doc, panes};
use crate::diag::Diagnostic;

/// Draw the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let areas = app.areas();
    let screen = frame.area();
    let buf = frame.buffer_mut();
    if let Some(list) = areas.list {
        panes::draw_list(buf, list, app);
    }
    panes::draw_header(buf, areas.header, app);
    draw_doc(buf, areas.doc, app);
    if let Some(findings) = areas.findings {
        panes::draw_findings(buf, findings, app);
    }
    if let Some(a) = app.marking().adjudicating() {
        a.draw(buf, areas.doc, app.theme());
    }
    panes::draw_status(buf, areas.status, app);
    if let Some(panel) = app.panel() {
        panel.draw(buf, screen, app.theme(), app.keymap());
    }
}

/// The trajectory as blocks of turns, from the scroll row down.
pub fn draw_doc(buf: &mut Buffer, area: Rect, app: &App) {
    let theme = app.theme();
    let (Some(doc), Some(entry)) = (app.doc(), app.current()) else {
        if let Some(Err(d)) = app.slot() {
            return draw_unreadable(buf, area, app, d);
        }
        let msg = match app.slot() {
            _ if app.store().is_empty() && !app.store().dataset().is_complete() => {
                "reading…".into()
            }
            _ if app.store().is_empty() => "no trajectories found".into(),
            _ => String::new(),
        };
        let line = Line::styled(crate::sanitize::sanitize_line(&msg), theme.muted);
        buf.set_line(
            area.x + GUTTER,
            area.y,
            &line,
            area.width.saturating_sub(GUTTER),
        );
        return;
    };
    let pos = app.document().position();
    let geometry = doc.geometry;
    let (left, _) = geometry.columns();
    let scroll = pos.scroll;
    let view = area.height as usize;
    let bottom = area.y + area.height;
    let first = doc.block_at(scroll);
    for (b, block) in doc.blocks.iter().enumerate().skip(first) {
        if block.top >= scroll + view {
            break;
        }
        // Rows of this block on screen: document row r goes to screen row y.
        let screen = |r: usize| -> Option<u16> {
            let r = block.top + r;
            (r >= scroll && r < scroll + view).then(|| area.y + (r - scroll) as u16)
        };
        if b == pos.cursor {
            for r in 0..block.height.saturating_sub(1) {
                if let Some(y) = screen(r) {
                    buf.set_string(area.x, y, "▌", theme.border_focus);
                }
            }
        }
        if let BlockKind::Demo { turns } = block.kind {
            if let Some(y) = screen(0) {
                let s = if turns == 1 { "" } else { "s" };
                let keys = app.keymap().describe(super::Action::ToggleDemo);
                let text = format!("▸ {turns} in-context demo turn{s} hidden ({keys} to show)");
                buf.set_line(
                    area.x + GUTTER,
                    y,
                    &Line::styled(text, theme.demo),
                    area.width.saturating_sub(GUTTER),
                );
            }
            continue;
        }
        let placed = doc::place(block, geometry, &pos.folds, &app.cache().heights);
        if let BlockKind::Step { agent: None, .. } = block.kind {
            if let Some(y) = screen(0) {
                let line = Line::styled(
                    "(no agent turn)",
                    theme.muted.add_modifier(Modifier::ITALIC),
                );
                buf.set_line(area.x + GUTTER, y, &line, left as u16);
            }
        }
        if let BlockKind::Step { env, agent } = block.kind {
            // Under blind review the sampled turn's reply is left out, not missing.
            let cut = app.current().and_then(|e| e.cut);
            let none = match cut.is_some() && agent == cut {
                true => "(reply hidden: blind review)",
                false => "(no reply)",
            };
            if env.0 == env.1 {
                let (x, row) = match geometry.stacked {
                    true => (
                        area.x + GUTTER,
                        placed
                            .first()
                            .map_or(1, |p| app.cache().heights.get(&p.key).copied().unwrap_or(1)),
                    ),
                    false => (area.x + GUTTER + left as u16 + 1, 0),
                };
                if let Some(y) = screen(row) {
                    let line = Line::styled(none, theme.muted.add_modifier(Modifier::ITALIC));
                    buf.set_line(x, y, &line, area.width.saturating_sub(x - area.x));
                }
            }
        }
        if !geometry.stacked && matches!(block.kind, BlockKind::Step { .. }) {
            let x = area.x + GUTTER + left as u16;
            for r in 0..block.height.saturating_sub(1) {
                if let Some(y) = screen(r) {
                    buf.set_string(x, y, "│", theme.border);
                }
            }
        }
        for p in placed {
            let x = match p.column {
                0 => area.x + GUTTER,
                _ => area.x + GUTTER + left as u16 + 1,
            };
            let width = p.key.1 as u16;
            // Each turn's mark beside that turn: in the gutter for the left (or only) column,
            // on the divider for the environment column, so a finding on what the environment
            // returned is never drawn beside the agent.
            if let (Some(severity), Some(y)) = (entry.worst_in(p.turn), screen(p.row)) {
                let mark_x = match p.column {
                    0 => area.x + 1,
                    _ => x - 1,
                };
                buf.set_string(mark_x, y, "●", mark(theme.finding(severity)));
            }
            let Some(rendered) = app.cache().lines.get(&p.key) else {
                continue;
            };
            // Only the rows on screen: a long unfolded turn has thousands.
            let first = p.row + rendered.first;
            let skip = scroll.saturating_sub(block.top + first);
            for (i, line) in rendered.lines.iter().enumerate().skip(skip).take(view) {
                if let Some(y) = screen(first + i) {
                    if y < bottom {
                        buf.set_line(x, y, line, width);
                    }
                }
            }
        }
    }
    if let Some(row) = pos.mark.filter(|r| (scroll..scroll + view).contains(r)) {
        let y = area.y + (row - scroll) as u16;
        buf.set_string(area.x + 1, y, "▶", theme.search_current);
    }
}

/// A record that could not be read: its whole diagnostic, wrapped to the pane (a row of the
/// list has room for its file and line only).
fn draw_unreadable(buf: &mut Buffer, area: Rect, app: &App, d: &Diagnostic) {
    let theme = app.theme();
    let text = vec![
        Line::styled(
            "This record could not be read; every command skips it:",
            theme.muted,
        ),
        Line::default(),
        Line::styled(crate::sanitize::sanitize_line(&d.to_string()), theme.text),
    ];
    let inner = Rect {
        x: area.x + GUTTER,
        width: area.width.saturating_sub(GUTTER + 1),
        ..area
    };
    Paragraph::new(text)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

/// A severity mark for the gutter: the severity's colour as foreground, or its attributes
/// (the pair screen of `trev compare` draws its gutter with it too).
pub fn mark(style: Style) -> Style {
    match style.bg {
        Some(bg) => Style::new().fg(bg).add_modifier(Modifier::BOLD),
        None => style,
    }
}
