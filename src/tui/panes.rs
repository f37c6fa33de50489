//! The smaller panes: the trajectory list, the header, the findings pane and the status bar.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};

use super::action::Action;
use super::app::{App, Mode};
use super::heading::{key_width, middle_cut, title, truncate};
use crate::findings::Severity;
use crate::model::Verdict;
use crate::sanitize::sanitize_line;

pub fn draw_list(buf: &mut Buffer, area: Rect, app: &App) {
    let theme = app.theme();
    let len = app.store().len();
    let shown = app.list().shown(len);
    let title = match app.list().filter() {
        Some(f) if f.scanned < len => format!(" {} / {} scanned ", f.matches.len(), f.scanned),
        Some(f) => format!(" {} of {} match ", f.matches.len(), len),
        None => match app.list().sample() {
            Some(s) => format!(" {} sampled of {len} ", s.len()),
            None => format!(" {len} trajectories "),
        },
    };
    let title = match app.list().sort_title(len) {
        Some(sort) => format!("{title}· {sort} "),
        None => title,
    };
    // Records the index could not split (a torn last line, a broken array) are counted here;
    // records that do not parse show as red rows.
    let problems = app.store().dataset().diagnostics().len();
    let mut title = vec![Span::styled(title, theme.title)];
    if problems > 0 {
        title.push(Span::styled(
            format!("{problems} input problems "),
            theme.finding_warn,
        ));
    }
    let block = Block::new()
        .borders(Borders::RIGHT)
        .border_style(theme.border)
        .title(Line::from(title));
    let inner = block.inner(area);
    block.render(area, buf);
    let width = inner.width as usize;
    // The task column only when the ids still get room; the marked column once there is a
    // journal.
    let marking = app.marking().labels().journal.is_some();
    let wide = width >= if marking { 47 } else { 39 };
    // The outcome column while the ids keep 6 cells.
    let outcome = width >= 6 + 3 + 6 + 9 + if marking { 8 } else { 0 };
    for row in 0..inner.height.saturating_sub(1) {
        let pos = app.list().top() + row as usize;
        if pos >= shown {
            break;
        }
        let i = app.list().at(pos);
        let y = inner.y + 1 + row;
        let selected = i == app.selected();
        let base = if selected {
            theme.selection
        } else {
            theme.text
        };
        buf.set_style(Rect::new(inner.x, y, inner.width, 1), base);
        let Some(r) = app.store().known_row(i) else {
            buf.set_string(inner.x, y, format!("#{i} …"), base.patch(theme.muted));
            continue;
        };
        let task = match (wide, r.task) {
            (false, _) => String::new(),
            (true, t) => format!(" {:<8}", t.map_or("?", |t| t.as_str())),
        };
        let (glyph, style) = match r.verdict {
            Some(Verdict::Pass) => ("✓", theme.label_right),
            Some(Verdict::Fail) => ("✗", theme.label_wrong),
            Some(Verdict::Error) => ("!", theme.finding_warn),
            Some(Verdict::Unknown) => ("·", theme.muted),
            None => (" ", theme.muted),
        };
        let mut right = vec![
            Span::styled(task, base.patch(theme.muted)),
            Span::styled(
                if outcome {
                    format!(" {glyph} ")
                } else {
                    String::new()
                },
                base.patch(style),
            ),
            Span::styled(format!("{:>5} ", r.turns), base.patch(theme.muted)),
        ];
        if marking {
            let done = app.marking().labels().marked(&r.run, &r.id, &r.agent);
            let style = match (done == r.agent.len(), done) {
                (true, _) if !r.agent.is_empty() => base.patch(theme.label_right),
                (_, 0) => base.patch(theme.muted),
                _ => base,
            };
            right.push(Span::styled(
                format!("{:>7} ", format!("{done}/{}", r.agent.len())),
                style,
            ));
        }
        for (s, n) in Severity::ALL.iter().zip(r.counts) {
            let text = if n > 0 {
                format!("{}{n:<2}", &s.as_str()[..1].to_uppercase())
            } else {
                "   ".into()
            };
            right.push(Span::styled(
                text,
                if n > 0 { theme.finding(*s) } else { base },
            ));
        }
        let right_w: usize = right.iter().map(|s| super::text::cells(&s.content)).sum();
        let id_w = width.saturating_sub(right_w).max(4);
        let id = middle_cut(&sanitize_line(&r.id), id_w);
        let pad = id_w.saturating_sub(super::text::cells(&id));
        let id_style = if r.broken {
            base.patch(theme.finding_error)
        } else {
            base
        };
        let mut spans = vec![
            Span::styled(id, id_style),
            Span::styled(" ".repeat(pad), base),
        ];
        spans.extend(right);
        buf.set_line(inner.x, y, &Line::from(spans), inner.width);
    }
    // The column heads, as wide as the columns of the rows.
    let right = format!(
        "{}{}turns {}E  W  I  ",
        if wide { " task    " } else { "" },
        if outcome { " o " } else { "" },
        if marking { " marked " } else { "" }
    );
    let id_w = width.saturating_sub(super::text::cells(&right));
    let label = format!("{:<id_w$}{right}", "id");
    let header = Line::styled(truncate(&label, width), theme.muted);
    buf.set_line(inner.x, inner.y, &header, inner.width);
}

pub fn draw_header(buf: &mut Buffer, area: Rect, app: &App) {
    let theme = app.theme();
    let Some(entry) = app.current() else {
        if let Some(Err(d)) = app.slot() {
            let file = d.file.file_name().unwrap_or(d.file.as_os_str());
            let title = Line::from(vec![
                Span::styled("record skipped", theme.finding_error),
                Span::styled(
                    sanitize_line(&format!("  {}:{}", file.to_string_lossy(), d.line)),
                    theme.muted,
                ),
            ]);
            buf.set_line(area.x + 1, area.y, &title, area.width.saturating_sub(1));
        }
        return;
    };
    let t = &entry.trajectory;
    // The whole key: the id and the run (a mark goes on both), on two rows when one is not
    // enough (the layout gives the header a row more then).
    let (id, rest) = title(t);
    let width = area.width.saturating_sub(1);
    let two_rows = key_width(t) > width as usize;
    let (first, rest_row) = if two_rows {
        (Line::styled(id, theme.title), 1)
    } else {
        (
            Line::from(vec![
                Span::styled(id, theme.title),
                Span::styled(rest.clone(), theme.muted),
            ]),
            0,
        )
    };
    buf.set_line(area.x + 1, area.y, &first, width);
    if two_rows && area.height > 1 {
        buf.set_line(
            area.x + 1,
            area.y + 1,
            &Line::styled(rest.trim_start().to_string(), theme.muted),
            width,
        );
    }
    let area = Rect {
        y: area.y + rest_row,
        height: area.height.saturating_sub(rest_row),
        ..area
    };
    // What the annotator needs first comes first: the row is cut at the pane's edge.
    let mut items: Vec<(&str, String)> = Vec::new();
    if let Some(v) = verdict(app.marking().marks()) {
        items.push(("verdict", v));
    }
    if app.marking().labels().journal.is_some() {
        let agent = super::marks::agent_turns(t);
        let done = app.marking().labels().marked(&t.run, &t.id, &agent);
        items.push(("marked", format!("{done}/{}", agent.len())));
    }
    let outcome = entry
        .cut
        .map_or(t.outcome.verdict.as_str(), |_| "hidden (blind)");
    items.push(("outcome", outcome.to_string()));
    let counts = t.role_counts();
    items.push((
        "turns",
        format!("{} ({} agent, {} env)", t.turns.len(), counts[2], counts[3]),
    ));
    if !entry.findings.is_empty() {
        items.push(("findings", entry.findings.len().to_string()));
    }
    if !entry.warnings.is_empty() {
        items.push(("warnings", entry.warnings.len().to_string()));
    }
    items.extend(t.meta.iter().map(|(k, v)| {
        (
            k.as_str(),
            v.as_str().map_or_else(|| v.to_string(), str::to_string),
        )
    }));
    if area.height > 1 {
        buf.set_line(
            area.x + 1,
            area.y + 1,
            &pairs(&items, theme.muted, theme.text),
            area.width.saturating_sub(1),
        );
    }
    if area.height > 2 {
        let rule = "─".repeat(area.width as usize);
        buf.set_string(area.x, area.y + 2, rule, theme.border);
    }
}

/// The verdicts on the trajectory for the header: the annotator's, then (revealed) others'
/// as `bob: reject`, with `≠` when they differ; `None` when there is none.
fn verdict(marks: &super::marks::TurnMarks) -> Option<String> {
    if marks.verdict.is_none() && marks.others_verdicts.is_empty() {
        return None;
    }
    let mut out = marks.verdict.clone().unwrap_or_else(|| "none".into());
    if marks.verdicts_disagree {
        out.push_str(" ≠");
    }
    for (annotator, label) in &marks.others_verdicts {
        out.push_str(&format!(" · {annotator}: {label}"));
    }
    Some(out)
}

/// A row of label: value pairs, for the header.
pub fn pairs(items: &[(&str, String)], key: Style, value: Style) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, (k, v)) in items.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("  ", value));
        }
        spans.push(Span::styled(format!("{} ", sanitize_line(k)), key));
        spans.push(Span::styled(sanitize_line(v), value));
    }
    Line::from(spans)
}

pub fn draw_findings(buf: &mut Buffer, area: Rect, app: &App) {
    let theme = app.theme();
    let Some(entry) = app.current() else { return };
    let title = format!("─ findings ({}) ", entry.findings.len());
    buf.set_string(
        area.x,
        area.y,
        "─".repeat(area.width as usize),
        theme.border,
    );
    buf.set_string(area.x, area.y, title, theme.title);
    let rows = area.height.saturating_sub(1) as usize;
    let at = app.document().finding().unwrap_or(0);
    let first = at.saturating_sub(rows.saturating_sub(1));
    for (n, (i, f)) in entry
        .findings
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .enumerate()
    {
        let selected = app.document().finding() == Some(i);
        let base = if selected {
            theme.selection
        } else {
            theme.text
        };
        let line = Line::from(vec![
            Span::styled(
                format!("{:<5}", f.severity.as_str()),
                theme.finding(f.severity),
            ),
            Span::styled(
                format!(" turn {:<4} {} ", f.turn, sanitize_line(&f.rule)),
                base.patch(theme.muted),
            ),
            Span::styled(sanitize_line(&f.message), base),
        ]);
        let y = area.y + 1 + n as u16;
        buf.set_style(Rect::new(area.x, y, area.width, 1), base);
        buf.set_line(area.x + 1, y, &line, area.width.saturating_sub(1));
    }
}

pub fn draw_status(buf: &mut Buffer, area: Rect, app: &App) {
    let theme = app.theme();
    buf.set_style(area, theme.status);
    let mut spans = vec![Span::styled(
        format!(" {} ", app.mode_name()),
        theme.status_mode,
    )];
    if app.mode() == Mode::Confirm {
        let question = app.marking().question().unwrap_or_default();
        spans.push(Span::styled(format!(" {question}"), theme.status));
        buf.set_line(area.x, area.y, &Line::from(spans), area.width);
        return;
    }
    let prompt = match app.mode() {
        Mode::Search => Some("/"),
        Mode::Filter => Some("filter: "),
        Mode::Jump => Some("id: "),
        Mode::Note => Some("note (empty removes it): "),
        Mode::Annotator => Some("annotator name (marks are saved under it): "),
        Mode::Reason => Some("reason for the next decision: "),
        _ => None,
    };
    if let Some(p) = prompt {
        spans.push(Span::styled(
            format!(" {p}{}▏", sanitize_line(app.input())),
            theme.status,
        ));
        // What is wrong with the input (a filter that cannot be applied, an id not found).
        if let Some(m) = app.message() {
            spans.push(Span::styled(
                format!("  {}", sanitize_line(m)),
                theme.finding_error,
            ));
        }
        buf.set_line(area.x, area.y, &Line::from(spans), area.width);
        return;
    }
    // A mark that could not be saved comes first: it must not scroll out of sight.
    if let Some(e) = &app.marking().labels().unsaved {
        spans.push(Span::styled(
            format!(" UNSAVED {} ", sanitize_line(e)),
            theme.finding_error,
        ));
    }
    if let Some(a) = app.marking().adjudicating() {
        spans.push(Span::styled(format!(" {} ", a.status()), theme.status_mode));
    }
    if let Some(b) = app.marking().blind_status() {
        spans.push(Span::styled(format!(" {b} "), theme.status_mode));
    }
    let len = app.store().len();
    let mut left = match app.list().counted(app.selected(), len) {
        None => format!(" trajectory {}/{}", app.selected() + 1, len),
        // With a filter on, the count is of the filtered list.
        Some(c) => {
            let at = c.position.map_or("-".to_string(), |p| p.to_string());
            let mut s = format!(" trajectory {at}/{} matching", c.matches);
            if let Some(scanned) = c.scanned {
                s.push_str(&format!(" of {scanned} scanned"));
            }
            s
        }
    };
    if let Some(doc) = app.doc() {
        use super::doc::BlockKind;
        let is_step = |b: &&super::doc::Block| matches!(b.kind, BlockKind::Step { .. });
        let steps = doc.blocks.iter().filter(is_step).count();
        let here = doc.blocks.get(app.document().position().cursor);
        let at = match here.map(|b| b.kind) {
            Some(BlockKind::Step { .. }) => {
                let k = doc.blocks[..app.document().position().cursor]
                    .iter()
                    .filter(is_step)
                    .count()
                    + 1;
                format!("step {k}/{steps}")
            }
            Some(kind) => format!("{} · {}", kind.name(), super::doc::steps_text(steps)),
            None => super::doc::steps_text(steps),
        };
        left.push_str(&format!(" · {at}"));
        if let Some(turn) = app.cursor_turn() {
            left.push_str(&format!(" · turn {turn}"));
        }
    }
    let progress = app.store().dataset().progress();
    if !progress.complete {
        let pct = (progress.bytes_done * 100)
            .checked_div(progress.bytes_total)
            .unwrap_or(0);
        // Compressed input reads more bytes than the files hold: then there is no percentage.
        match pct {
            0..=100 => left.push_str(&format!(" · indexing {pct}%")),
            _ => left.push_str(" · indexing…"),
        }
    }
    if let Some(why) = app.store().dataset().failure() {
        left.push_str(&format!(" · {}", sanitize_line(&why)));
    }
    if let Some(s) = app.document().search() {
        left.push_str(&format!(
            " · /{}/ {} hits",
            sanitize_line(&s.pattern),
            s.hits.len()
        ));
    }
    if let Some(m) = app.message() {
        left.push_str(&format!(" · {}", sanitize_line(m)));
    }
    spans.push(Span::styled(left, theme.status));
    spans.extend(label_status(app));
    let hints: Vec<String> = [
        (Action::Help, "help"),
        (Action::Search, "search"),
        (Action::NextFinding, "finding"),
        (Action::ToggleFold, "fold"),
        (Action::Quit, "quit"),
    ]
    .iter()
    .filter_map(|(a, label)| Some(format!("{} {label}", app.keymap().keys(*a).first()?)))
    .collect();
    let hints = format!("{} ", hints.join("  "));
    let used: usize = spans.iter().map(|s| super::text::cells(&s.content)).sum();
    let hint_w = super::text::cells(&hints);
    if used + hint_w + 2 <= area.width as usize {
        spans.push(Span::styled(
            " ".repeat(area.width as usize - used - hint_w),
            theme.status,
        ));
        spans.push(Span::styled(
            hints,
            theme.status.add_modifier(Modifier::DIM),
        ));
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}

/// The label part of the status bar: the sample, the marking target when it is the
/// environment, whether others' marks show, and who marks into which journal.
fn label_status(app: &App) -> Vec<Span<'static>> {
    let theme = app.theme();
    let l = app.marking().labels();
    let mut spans = Vec::new();
    // Under blind review the status bar begins with the turn sample instead.
    let blind = l.blind.is_some();
    if let (false, Some(sample)) = (blind, l.sample) {
        spans.push(Span::styled(format!(" · sample of {sample}"), theme.status));
    }
    if l.target_env {
        spans.push(Span::styled(" · marking: environment", theme.status));
    }
    if l.reveal {
        spans.push(Span::styled(" · others shown", theme.status));
    }
    match (&l.annotator, &l.journal) {
        (Some(_), Some(j)) => {
            // The annotator's progress over the whole data, once every id is read.
            let whole = app.marking().whole().filter(|_| !blind);
            let whole = whole.map_or(String::new(), |w| {
                format!(
                    " {}/{} turns, {}/{} done",
                    w.marked, w.turns, w.complete, w.trajectories
                )
            });
            spans.push(Span::styled(
                format!(
                    " · {}{whole} → {}",
                    sanitize_line(j.annotator()),
                    sanitize_line(&j.path().display().to_string())
                ),
                theme.status,
            ))
        }
        (Some(a), None) => spans.push(Span::styled(
            format!(" · {} (journal not open)", sanitize_line(a)),
            theme.status,
        )),
        _ => {}
    }
    spans
}

#[cfg(test)]
mod tests {
    use ratatui::backend::TestBackend;

    #[test]
    fn ids_are_cut_in_the_middle() {
        use super::super::heading::middle_cut;
        assert_eq!(middle_cut("os_1", 10), "os_1");
        let cut = middle_cut("medagentbench_llama-3_task17", 16);
        assert_eq!(cut, "medagent…_task17");
        assert_eq!(super::super::text::cells(&cut), 16);
        assert_eq!(middle_cut("日本語のとても長い識別子", 9), "日本…別子");
    }

    use crate::load::{dataset::tests::PANICS, Dataset, LoadOptions};
    use crate::tui::{view, App, Keymap, Store, Theme};

    #[test]
    fn the_status_bar_shows_an_indexer_that_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(PANICS);
        let line = "{\"id\":\"t\",\"conversations\":[]}\n";
        std::fs::write(&path, line.repeat(4000)).unwrap();
        let data = Dataset::open(&[path], LoadOptions::default()).unwrap();
        data.wait();
        let area = ratatui::layout::Rect::new(0, 0, 200, 12);
        let theme = Theme::builtin("dark").unwrap();
        let app = App::new(Store::new(data, None), theme, Keymap::default(), area);
        let mut terminal = ratatui::Terminal::new(TestBackend::new(200, 12)).unwrap();
        terminal.draw(|f| view::draw(f, &app)).unwrap();
        let screen = terminal.backend().to_string();
        assert!(
            screen.contains(&format!(
                "indexing {PANICS} stopped (a bug in trev): injected"
            )),
            "{screen}"
        );
    }
}
