//! The selected row of the pair in full (`enter` on the pair screen): each side's agent turn
//! (its text and tool calls) and environment replies, sanitised and wrapped to the column,
//! side by side or stacked like the rows.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthChar;

use super::super::theme::Theme;
use super::pair::{Loaded, PairView};
use crate::sanitize::sanitize;

/// `text` (already safe) wrapped at `width` columns, line by line.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for line in text.split('\n') {
        let mut cur = String::new();
        let mut w = 0;
        for c in line.chars() {
            let cw = c.width().unwrap_or(0);
            if w + cw > width {
                out.push(std::mem::take(&mut cur));
                w = 0;
            }
            cur.push(c);
            w += cw;
        }
        out.push(cur);
    }
    out
}

/// The lines of one side's step, styled.
fn lines(
    side: Option<&Loaded>,
    step: Option<usize>,
    width: usize,
    theme: &Theme,
) -> Vec<(String, Style)> {
    let (Some(side), Some(step)) = (side, step) else {
        return vec![("(no step on this side)".into(), theme.muted)];
    };
    let Some(s) = side.steps.get(step) else {
        return Vec::new();
    };
    let t = &side.entry.trajectory;
    let mut out = Vec::new();
    let mut add = |text: &str, style: Style| {
        let clean = sanitize(text).text;
        // Blank lines go: the row has little room.
        let lines = wrap(&clean, width)
            .into_iter()
            .filter(|l| !l.trim().is_empty());
        out.extend(lines.map(|l| (l, style)));
    };
    if let Some(a) = s.agent {
        let turn = &t.turns[a];
        let style = if turn.demo { theme.demo } else { theme.agent };
        add(&format!("turn {a} · agent"), theme.muted);
        add(&turn.text, style);
        for call in &turn.tool_calls {
            add(&format!("{}({})", call.name, call.arguments), style);
        }
    }
    for i in s.environment.0..s.environment.1 {
        add(
            &format!("turn {i} · {}", t.turns[i].source_role),
            theme.muted,
        );
        add(&t.turns[i].text, theme.environment);
    }
    out
}

fn put(buf: &mut Buffer, area: Rect, lines: &[(String, Style)], top: usize, theme: &Theme) {
    let lines = &lines[top.min(lines.len().saturating_sub(1))..];
    let h = area.height as usize;
    for (j, (text, style)) in lines.iter().take(h).enumerate() {
        Line::styled(text.clone(), *style)
            .render(Rect::new(area.x, area.y + j as u16, area.width, 1), buf);
    }
    if lines.len() > h && h > 0 {
        let tag = format!(" … {} more lines (j/k scroll)", lines.len() - h + 1);
        let y = area.y + h as u16 - 1;
        Line::styled(tag, theme.muted).render(Rect::new(area.x, y, area.width, 1), buf);
    }
}

/// Draw the selected row in full in `area`.
pub fn draw(buf: &mut Buffer, area: Rect, view: &PairView, theme: &Theme) {
    let Some(row) = view.alignment.rows.get(view.cursor) else {
        return;
    };
    let steps = [row.left, row.right];
    let label = |k: usize| {
        let kind = row.kind.as_str();
        match steps[k] {
            Some(s) => format!("{} step {} ({kind})", ["A", "B"][k], s + 1),
            None => format!("{} ({kind})", ["A", "B"][k]),
        }
    };
    if view.is_stacked(area.width) {
        let half = area.height / 2;
        for (k, step) in steps.into_iter().enumerate() {
            let y = area.y + k as u16 * half;
            let h = if k == 0 { half } else { area.height - half };
            Line::styled(label(k), theme.title).render(Rect::new(area.x, y, area.width, 1), buf);
            let body = Rect::new(
                area.x + 1,
                y + 1,
                area.width.saturating_sub(1),
                h.saturating_sub(1),
            );
            let l = lines(view.sides[k].as_ref(), step, body.width as usize, theme);
            put(buf, body, &l, view.detail_top, theme);
        }
    } else {
        let half = area.width.saturating_sub(3) / 2;
        for (k, step) in steps.into_iter().enumerate() {
            let x = if k == 0 { area.x } else { area.x + half + 3 };
            let w = if k == 0 {
                half
            } else {
                area.width.saturating_sub(half + 3)
            };
            Line::styled(label(k), theme.title).render(Rect::new(x, area.y, w, 1), buf);
            let body = Rect::new(x, area.y + 1, w, area.height.saturating_sub(1));
            let l = lines(view.sides[k].as_ref(), step, w as usize, theme);
            put(buf, body, &l, view.detail_top, theme);
        }
        for j in 0..area.height {
            buf.set_string(area.x + half + 1, area.y + j, "│", theme.border);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_cuts_at_the_width_and_keeps_empty_lines() {
        assert_eq!(wrap("abcdef\n\nxy", 4), ["abcd", "ef", "", "xy"]);
        assert_eq!(wrap("日本語", 4), ["日本", "語"]);
    }
}
