//! How the comparison screen looks: the summary and the task list, or the pair with its
//! header and findings, and the status bar. Drawing only reads the screen's state.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use ratatui::Frame;

use super::pair::{self, PairView};
use super::steps::put;
use super::tasks::{self, truncate};
use super::{CompareScreen, Mode, SUMMARY_ROWS};

/// Draw the screen.
pub fn draw(s: &CompareScreen, frame: &mut Frame) {
    let area = frame.area();
    let buf = frame.buffer_mut();
    match (&s.pair, s.mode, s.back) {
        (Some(p), Mode::Pair | Mode::Note, _) | (Some(p), Mode::Annotator, Mode::Pair) => {
            draw_pair(s, buf, area, p)
        }
        _ => draw_list(s, buf, area),
    }
    draw_status(
        s,
        buf,
        Rect::new(area.x, area.bottom().saturating_sub(1), area.width, 1),
    );
}

fn draw_list(s: &CompareScreen, buf: &mut Buffer, area: Rect) {
    let c = &s.comparison;
    let sum = &c.summary;
    let t = &sum.table;
    let lines = [
        format!(
            "A = {} ({} trajectories)   B = {} ({} trajectories)",
            c.runs[0].name, c.runs[0].trajectories, c.runs[1].name, c.runs[1].trajectories
        ),
        format!(
            "{} paired, {} A only, {} B only · {}: both {}, A only {}, B only {}, neither {}",
            sum.paired,
            sum.a_only,
            sum.b_only,
            sum.basis.describe(),
            t.both,
            t.a_only,
            t.b_only,
            t.neither
        ),
        format!(
            "McNemar exact p = {} · {} of {} tasks shown, {}{}",
            format_p(sum.p_value),
            s.list.shown.len(),
            c.tasks.len(),
            s.list.order.name(),
            if s.list.query.is_empty() {
                String::new()
            } else {
                format!(" · filter: {}", s.list.query)
            }
        ),
    ];
    for (j, l) in lines.iter().enumerate() {
        let text = truncate(&crate::sanitize::sanitize_line(l), area.width as usize);
        let style = if j == 0 { s.theme.title } else { s.theme.text };
        Line::styled(text, style).render(Rect::new(area.x, area.y + j as u16, area.width, 1), buf);
    }
    let body = Rect::new(
        area.x,
        area.y + SUMMARY_ROWS,
        area.width,
        area.height.saturating_sub(SUMMARY_ROWS + 1),
    );
    tasks::draw(buf, body, &s.list, c, &s.theme);
}

fn draw_pair(s: &CompareScreen, buf: &mut Buffer, area: Rect, p: &PairView) {
    let c = &s.comparison;
    let t = &c.tasks[p.task];
    let th = &s.theme;
    let where_ = match p.alignment.first_divergence() {
        Some(d) => format!("first divergence at row {}", d + 1),
        None => "the steps are the same".into(),
    };
    let head = format!(
        "task {} ({}/{}) · {} · {} rows · {}{}",
        t.key,
        s.list.cursor + 1,
        s.list.shown.len(),
        t.change(c.summary.basis).as_str(),
        p.alignment.rows.len(),
        where_,
        if p.alignment.banded { " (banded)" } else { "" }
    );
    let w = area.width as usize;
    Line::styled(
        truncate(&crate::sanitize::sanitize_line(&head), w),
        th.title,
    )
    .render(Rect::new(area.x, area.y, area.width, 1), buf);
    let columns = p.columns(area.width);
    let mut spans = Vec::new();
    for k in 0..2 {
        let label = ["A", "B"][k];
        let text = match (&p.sides[k], &p.missing[k]) {
            (Some(s), _) => {
                let tr = &s.entry.trajectory;
                format!(
                    "{label} {}:{} {} {}t {}f",
                    tr.run,
                    tr.id,
                    tr.outcome.verdict,
                    tr.agent_turns().count(),
                    s.entry.findings.len()
                )
            }
            (None, Some(why)) => format!("{label} {why}"),
            (None, None) => format!("{label} -"),
        };
        let style = if k == p.side {
            th.status_mode
        } else {
            th.muted
        };
        // Side by side, each side's line is over its column; stacked, they share the line.
        let width = match columns.rule() {
            Some(_) => columns.column(k).1,
            None => w.saturating_sub(3) / 2,
        };
        let text = truncate(&crate::sanitize::sanitize_line(&text), width);
        match columns.rule() {
            Some(rule) => {
                let x = area.x + columns.column(k).0;
                Line::styled(text, style).render(Rect::new(x, area.y + 1, width as u16, 1), buf);
                if k == 0 {
                    put(buf, area.x + rule, area.y + 1, "│", th.border);
                }
            }
            None => {
                spans.push(Span::styled(format!("{text:<width$}"), style));
                if k == 0 {
                    spans.push(Span::styled(" │ ", th.border));
                }
            }
        }
    }
    Line::from(spans).render(Rect::new(area.x, area.y + 1, area.width, 1), buf);
    let body_h = area.height.saturating_sub(2 + pair::FINDINGS_ROWS + 2);
    let body = Rect::new(area.x, area.y + 2, area.width, body_h);
    pair::draw_body(buf, body, p, th);
    let rule_y = body.bottom();
    put(buf, area.x, rule_y, &"─".repeat(w), th.border);
    let findings = Rect::new(area.x, rule_y + 1, area.width, pair::FINDINGS_ROWS);
    pair::draw_findings(buf, findings, p, th);
}

fn draw_status(s: &CompareScreen, buf: &mut Buffer, area: Rect) {
    let th = &s.theme;
    buf.set_style(area, th.status);
    let (mode, rest) = match s.mode {
        Mode::Filter => ("FILTER", format!("&{}", s.input)),
        Mode::Annotator => ("ANNOTATOR", format!("your name: {}", s.input)),
        Mode::Note => ("NOTE", format!("note (enter saves, empty removes): {}", s.input)),
        Mode::List => (
            "COMPARE",
            s.message.clone().unwrap_or_else(|| {
                "enter open · & filter (won lost both-fail rule:…) · o order · q quit".into()
            }),
        ),
        Mode::Pair => (
            "PAIR",
            s.message.clone().unwrap_or_else(|| {
                let side = s.pair.as_ref().map_or(0, |p| p.side);
                format!(
                    "d next divergence · enter full row · J/K task · s stack · tab side ({}) · y/x/c mark · e note · esc list",
                    ["A", "B"][side]
                )
            }),
        ),
    };
    let line = Line::from(vec![
        Span::styled(format!(" {mode} "), th.status_mode),
        Span::styled(
            format!(
                " {}",
                truncate(&crate::sanitize::sanitize_line(&rest), area.width as usize)
            ),
            th.status,
        ),
    ]);
    line.render(area, buf);
}

fn format_p(p: f64) -> String {
    if p >= 0.001 {
        format!("{p:.4}")
    } else {
        format!("{p:.2e}")
    }
}
