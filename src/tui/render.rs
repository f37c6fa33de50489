//! Turns rendered into safe, styled, wrapped rows: whole for ordinary and folded turns, a window
//! at a time for long unfolded ones, whose row layout is computed once per width and cached.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::doc::{Hit, TurnKey};
use super::highlight;
use super::marks::TurnMarks;
use super::store::Entry;
use super::text::{self, Layers, Run};
use super::theme::Theme;
use crate::model::{Role, Task, Turn};
use crate::sanitize::{sanitize, sanitize_line, Sanitized};

mod call;

pub use call::{arguments_pretty, text_is_call};

/// Unfolded turns longer than this (in bytes) are rendered a window at a time.
pub const LONG_TURN: usize = 128 * 1024;

/// What a turn is drawn with.
pub struct Paint<'a> {
    pub theme: &'a Theme,
    pub entry: &'a Entry,
    /// The marks of this trajectory's turns.
    pub marks: &'a TurnMarks,
    /// Hits in this trajectory, sorted.
    pub hits: &'a [Hit],
    /// Colour code and build the rows; off when only measuring (the rows of the text body are
    /// then empty, but as many).
    pub highlight: bool,
    /// Said after `… N more lines` when a turn is folded (empty on the review screen; the pair
    /// screen says which key shows the rest).
    pub fold_hint: &'a str,
}

/// Rows of a turn: all of them (`first == 0`), or a window starting at turn row `first`.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub first: usize,
    pub lines: Arc<Vec<Line<'static>>>,
}

/// The wrapped layout of a long turn's text at one width: where each row starts.
#[derive(Debug)]
pub struct BodyLayout {
    pub clean: Sanitized,
    pub starts: Vec<usize>,
}

impl BodyLayout {
    pub fn new(text: &str, width: usize) -> BodyLayout {
        let clean = sanitize(text);
        let starts = text::wrap_rows(
            &clean.text,
            &Layers::default(),
            Style::new(),
            width,
            usize::MAX,
            false,
        )
        .starts;
        BodyLayout { clean, starts }
    }

    /// The body row (0-based, after the label) holding source byte `offset`.
    pub fn row_of(&self, offset: usize) -> usize {
        let d = self.clean.to_display(offset);
        self.starts.partition_point(|&s| s <= d).saturating_sub(1)
    }
}

/// True when `turn` is rendered a window at a time under `key`.
pub fn is_long(turn: &Turn, key: TurnKey) -> bool {
    key.2.is_none() && turn.text.len() > LONG_TURN && !call::text_is_call(turn)
}

/// Rendered turns, remembered per trajectory (cleared when the trajectory changes; the rows,
/// not the layouts, when the search or the theme does).
#[derive(Default)]
pub struct TurnCache {
    pub heights: HashMap<TurnKey, usize>,
    pub lines: HashMap<TurnKey, Rendered>,
    pub layouts: HashMap<(usize, usize), Arc<BodyLayout>>,
}

impl TurnCache {
    pub fn clear(&mut self) {
        self.heights.clear();
        self.lines.clear();
        self.layouts.clear();
    }

    /// The layout of a long turn at `width`, computed on first use.
    pub fn layout(&mut self, turn: &Turn, width: usize) -> Arc<BodyLayout> {
        self.layouts
            .entry((turn.index, width))
            .or_insert_with(|| Arc::new(BodyLayout::new(&turn.text, width)))
            .clone()
    }
}

/// Render one whole turn: a label row, its text (folded to `limit` rows, then a row saying how
/// much more there is), its tool calls and the messages of its findings.
pub fn render_turn(p: &Paint, key: TurnKey) -> Arc<Vec<Line<'static>>> {
    let turn = &p.entry.trajectory.turns[key.0];
    let mut rows = vec![label(p, turn, p.entry.worst_in(key.0).is_some())];
    rows.extend(body(p, key));
    rows.extend(tail(p, key));
    Arc::new(rows)
}

/// The rows of a long unfolded turn, from its layout (without rendering it).
pub fn long_height(p: &Paint, key: TurnKey, layout: &BodyLayout) -> usize {
    1 + layout.starts.len() + tail(p, key).len()
}

/// Render turn rows `range` of a long unfolded turn, using its cached layout.
pub fn render_window(
    p: &Paint,
    key: TurnKey,
    layout: &BodyLayout,
    range: Range<usize>,
) -> Rendered {
    let (index, width, _) = key;
    let turn = &p.entry.trajectory.turns[index];
    let n = layout.starts.len();
    let tail = tail(p, key);
    let total = 1 + n + tail.len();
    let range = range.start.min(total)..range.end.min(total);
    let mut lines = Vec::with_capacity(range.len());
    if range.start == 0 && !range.is_empty() {
        lines.push(label(p, turn, p.entry.worst_in(index).is_some()));
    }
    let (from, to) = (range.start.max(1) - 1, range.end.saturating_sub(1).min(n));
    if from < to {
        let a = layout.starts[from];
        let b = layout
            .starts
            .get(to)
            .copied()
            .unwrap_or(layout.clean.text.len());
        let mut layers = Layers::default();
        for layer in spans(p, index, &layout.clean, turn.text.len()) {
            let shifted = layer
                .into_iter()
                .filter(|r| r.1 > a && r.0 < b)
                .map(|(s, e, style)| (s.max(a) - a, e.min(b) - a, style))
                .collect();
            layers.push(shifted);
        }
        let w = text::wrap_rows(
            &layout.clean.text[a..b],
            &layers,
            base(turn, p.theme),
            width,
            to - from,
            true,
        );
        lines.extend(w.rows);
    }
    for r in range.start.max(1 + n)..range.end {
        lines.push(tail[r - 1 - n].clone());
    }
    Rendered {
        first: range.start,
        lines: Arc::new(lines),
    }
}

fn base(turn: &Turn, theme: &Theme) -> Style {
    if turn.demo {
        theme.demo
    } else {
        theme.text
    }
}

/// Finding spans and search hits of turn `index` as display runs of `clean` (made from the
/// first `src_len` bytes of the turn).
fn spans(p: &Paint, index: usize, clean: &Sanitized, src_len: usize) -> [Vec<Run>; 2] {
    // Every span of every finding: one finding may highlight several ranges.
    let mut findings: Vec<Run> = p
        .entry
        .findings_in(index)
        .flat_map(|f| f.spans().map(move |span| (span, f.severity)))
        .filter(|&(span, _)| span.0 < span.1 && span.0 < src_len)
        .map(|(span, severity)| {
            let (a, b) = clean.range_to_display(span);
            (a, b, p.theme.finding(severity))
        })
        .collect();
    findings.sort_by_key(|r| (r.0, r.1));
    let first = p.hits.partition_point(|h| h.turn < index);
    let hits = p.hits[first..]
        .iter()
        .take_while(|h| h.turn == index && h.start < src_len)
        .map(|h| {
            let (a, b) = clean.range_to_display((h.start, h.end));
            (a, b, p.theme.search_hit)
        })
        .collect();
    [findings, hits]
}

/// The text rows of a turn (and the `… N more lines` row when folded).
fn body(p: &Paint, (index, width, limit): TurnKey) -> Vec<Line<'static>> {
    let theme = p.theme;
    let turn = &p.entry.trajectory.turns[index];
    // A call shows once, as the call (in the rows after the text).
    if (turn.text.is_empty() && !turn.tool_calls.is_empty()) || call::text_is_call(turn) {
        return Vec::new();
    }
    if turn.text.is_empty() {
        return vec![Line::styled(
            "(empty)",
            theme.muted.add_modifier(Modifier::ITALIC),
        )];
    }
    // Only the part that can show is sanitised when the turn is folded.
    let src = match limit {
        Some(n) => prefix(&turn.text, n, width),
        None => &turn.text[..],
    };
    let clean = sanitize(src);
    let mut layers = Layers::default();
    if let (true, Some(syntax)) = (p.highlight, &theme.syntax) {
        // A turn that is one JSON document (a function call, a tool's answer) is JSON.
        let trimmed = turn.text.trim();
        let json = (trimmed.starts_with('{') || trimmed.starts_with('['))
            && turn.text.len() <= 64 * 1024
            && serde_json::from_str::<serde::de::IgnoredAny>(trimmed).is_ok();
        layers.push(match json {
            true => highlight::runs_as(&clean.text, "json", syntax),
            false => {
                let default = match p.entry.trajectory.task {
                    Task::Os | Task::Swe => Some("bash"),
                    Task::Db => Some("sql"),
                    _ => None,
                };
                highlight::fenced_runs(&clean.text, syntax, default)
            }
        });
    }
    for layer in spans(p, index, &clean, src.len()) {
        layers.push(layer);
    }
    let max_rows = limit.unwrap_or(usize::MAX);
    let wrapped = text::wrap_rows(
        &clean.text,
        &layers,
        base(turn, theme),
        width,
        max_rows,
        p.highlight,
    );
    let mut rows = wrapped.rows;
    let shown_all = src.len() == turn.text.len() && wrapped.consumed >= clean.text.len();
    if !shown_all {
        let total = memchr::memchr_iter(b'\n', turn.text.as_bytes()).count() + 1;
        let shown = memchr::memchr_iter(b'\n', &clean.text.as_bytes()[..wrapped.consumed]).count();
        let more = total.saturating_sub(shown).max(1);
        let word = if more == 1 { "line" } else { "lines" };
        rows.push(Line::styled(
            format!("… {} more {word}{}", text::grouped(more), p.fold_hint),
            theme.muted.add_modifier(Modifier::ITALIC),
        ));
    }
    rows
}

/// The rows after the text: tool calls (arguments as JSON) and the findings' messages.
fn tail(p: &Paint, (index, width, limit): TurnKey) -> Vec<Line<'static>> {
    let theme = p.theme;
    let turn = &p.entry.trajectory.turns[index];
    let mut rows = Vec::new();
    rows.extend(call::call_rows(
        turn,
        theme,
        base(turn, theme),
        p.highlight,
        width,
        limit,
    ));
    if let Some(note) = p
        .marks
        .turns
        .get(&index)
        .and_then(|b| b.mine.as_ref()?.note.as_deref())
    {
        let w = text::wrap(
            &sanitize_line(&format!("✎ {note}")),
            &Layers::default(),
            theme.muted.add_modifier(Modifier::ITALIC),
            width,
            limit.map_or(usize::MAX, |_| 3),
        );
        rows.extend(w.rows);
    }
    // Span findings first (in span order), then those about the whole turn.
    let findings = p.entry.findings_in(index);
    let (spanned, whole): (Vec<_>, Vec<_>) = findings.partition(|f| f.span.0 < f.span.1);
    for f in spanned.into_iter().chain(whole) {
        let msg = format!("● {} {}: {}", f.severity, f.rule, f.message);
        let w = text::wrap(
            &sanitize_line(&msg),
            &Layers::default(),
            theme.finding(f.severity),
            width,
            3,
        );
        rows.extend(w.rows);
    }
    rows
}

fn label(p: &Paint, turn: &Turn, flagged: bool) -> Line<'static> {
    let theme = p.theme;
    let style = match turn.role {
        Role::Agent => theme.agent,
        Role::Environment => theme.environment,
        Role::Instruction => theme.instruction.add_modifier(Modifier::BOLD),
        Role::System => theme.system.add_modifier(Modifier::BOLD),
    };
    let style = if turn.demo { theme.demo } else { style };
    let mut spans = vec![Span::styled(
        format!("{} #{}", turn.role, turn.index),
        style,
    )];
    let mut extra = String::new();
    if turn.source_role != turn.role.as_str() {
        extra.push_str(&format!(" · {}", sanitize_line(&turn.source_role)));
    }
    if turn.demo {
        extra.push_str(" · demo");
    }
    // A tool result names the call it answers (or says that no turn before it makes it).
    if let Some(id) = &turn.answers {
        match turn.answered(&p.entry.trajectory.turns) {
            Some((at, call)) => {
                extra.push_str(&format!(" · answers {} (#{at})", sanitize_line(&call.name)))
            }
            None => extra.push_str(&format!(" · answers {}: no such call", sanitize_line(id))),
        }
    }
    if flagged {
        extra.push_str(" · flagged");
    }
    if !extra.is_empty() {
        spans.push(Span::styled(extra, theme.muted));
    }
    if let Some(badge) = p.marks.turns.get(&turn.index) {
        spans.extend(super::marks::badge_spans(badge, theme));
    }
    Line::from(spans)
}

/// The start of `text` that can fill `rows` rows of `width` cells.
fn prefix(text: &str, rows: usize, width: usize) -> &str {
    let mut end = memchr::memchr_iter(b'\n', text.as_bytes())
        .nth(rows)
        .map_or(text.len(), |i| i + 1);
    end = end.min(
        rows.saturating_mul(width)
            .saturating_mul(4)
            .saturating_add(64),
    );
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Finding, Severity};
    use crate::model::{test_trajectory, Format, Task};

    fn entry(text: String) -> Entry {
        let mut turn = Turn::new(0, Role::Environment, "tool", text);
        turn.tool_calls.clear();
        let trajectory = test_trajectory(Task::Generic, Format::OpenAi, vec![turn]);
        let findings = vec![Finding {
            rule: "r".into(),
            severity: Severity::Warn,
            trajectory: "t".into(),
            turn: 0,
            span: (100_000, 100_050),
            extra_spans: Vec::new(),
            message: "m".into(),
        }];
        Entry {
            trajectory,
            findings,
            warnings: Vec::new(),
            settled: true,
            cut: None,
        }
    }

    #[test]
    fn windows_match_the_whole_rendering() {
        let mut text = String::new();
        for i in 0..6000 {
            text.push_str(&format!(
                "row {i}\twith 日本 and a long tail {}\n",
                "x".repeat(i % 97)
            ));
        }
        assert!(text.len() > LONG_TURN);
        let e = entry(text);
        let theme = Theme::builtin("dark").unwrap();
        let hits = [Hit {
            turn: 0,
            start: 200_000,
            end: 200_010,
        }];
        let marks = TurnMarks::default();
        let p = Paint {
            theme: &theme,
            entry: &e,
            marks: &marks,
            hits: &hits,
            highlight: true,
            fold_hint: "",
        };
        let key = (0, 57, None);
        let whole = render_turn(&p, key);
        let layout = BodyLayout::new(&e.trajectory.turns[0].text, 57);
        assert_eq!(
            layout.starts.len() + 2,
            whole.len(),
            "label + body + one finding row"
        );
        for range in [
            0..40,
            1..2,
            500..600,
            3000..3100,
            whole.len() - 30..whole.len() + 10,
        ] {
            let w = render_window(&p, key, &layout, range.clone());
            assert_eq!(w.first, range.start);
            let end = range.end.min(whole.len());
            assert_eq!(
                w.lines.as_slice(),
                &whole[range.start..end],
                "rows {range:?}"
            );
        }
        let row = layout.row_of(100_000);
        assert!(layout.starts[row] <= layout.clean.to_display(100_000));
    }
}
