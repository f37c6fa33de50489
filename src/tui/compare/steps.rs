//! The aligned steps of the pair drawn as the review screen draws a step: each turn rendered by
//! the review screen's [`render::render_turn`] (its label with the mark badges, the text with
//! code colours and the findings' spans highlighted in it, the tool calls, the note and the
//! findings' messages), a side's agent turn above its replies, the finding marks in the gutter
//! beside each turn's label. Turns are rendered only for the rows on screen and remembered by
//! (side, turn, width, fold), so a pair of thousands of steps costs what is visible.

use std::collections::HashMap;
use std::sync::Arc;

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::super::doc::FOLD_ROWS;
use super::super::marks::TurnMarks;
use super::super::render::{self, Paint, LONG_TURN};
use super::super::store::Entry;
use super::super::theme::Theme;
use super::super::view::mark;
use crate::compare::align::Row;
use crate::compare::Kind;
use crate::findings::Severity;
use crate::model::Step;

/// Rows of a turn shown in full (`enter`) when it is too long to render whole.
pub const DETAIL_ROWS: usize = 2_000;
/// Said after `… N more lines` of a folded turn (`enter` shows the row whole).
const FOLD_HINT: &str = " (enter)";

/// Where the columns of the pair go in a body `width` cells wide: side by side, a gutter (the
/// cursor bar, then A's finding marks), A's column, a rule, B's finding marks, B's column;
/// stacked, the gutter and one column holding A's step above B's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    pub width: u16,
    pub stacked: bool,
}

impl Columns {
    /// The x offset of side `side`'s text and its width.
    pub fn column(self, side: usize) -> (u16, usize) {
        let w = self.width;
        if self.stacked {
            return (2, w.saturating_sub(2).max(1) as usize);
        }
        let a = w.saturating_sub(4) / 2;
        match side {
            0 => (2, a.max(1) as usize),
            _ => (a + 4, w.saturating_sub(a + 4).max(1) as usize),
        }
    }

    /// The x offset of side `side`'s finding marks.
    pub fn marks(self, side: usize) -> u16 {
        self.column(side).0 - 1
    }

    /// The x offset of the rule between the sides (side by side only).
    pub fn rule(self) -> Option<u16> {
        (!self.stacked).then(|| self.column(0).0 + self.column(0).1 as u16)
    }
}

/// One side of the pair, loaded.
pub struct Loaded {
    pub entry: Arc<Entry>,
    pub steps: Vec<Step>,
    pub marks: TurnMarks,
}

/// How long the turns are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    /// At most [`FOLD_ROWS`] rows of text a turn, as the review screen folds a step.
    Folded,
    /// Whole (up to [`DETAIL_ROWS`] rows of a turn longer than the review screen renders
    /// whole).
    Full,
}

type TurnKey = (usize, usize, usize, Option<usize>);

/// Rendered turns of the pair on screen: (side, turn, width, row limit) → rows.
#[derive(Default)]
pub struct StepCache {
    turns: HashMap<TurnKey, Arc<Vec<Line<'static>>>>,
}

impl StepCache {
    /// Forget the rendered turns (the marks changed).
    pub fn clear(&mut self) {
        self.turns.clear();
    }

    /// How many turns are remembered.
    pub fn rendered(&self) -> usize {
        self.turns.len()
    }
}

/// Rows of one side of an aligned row: from `row` (0: the row's first line) down.
#[derive(Debug, Clone)]
pub struct Piece {
    pub side: usize,
    pub row: usize,
    pub lines: Arc<Vec<Line<'static>>>,
    /// The worst finding on the turn these rows show (drawn beside its label).
    pub mark: Option<Severity>,
}

/// One aligned row, composed for drawing.
#[derive(Debug, Clone, Default)]
pub struct Composed {
    pub height: usize,
    pub pieces: Vec<Piece>,
}

/// What composing a row reads.
pub struct Sides<'a> {
    pub sides: &'a [Option<Loaded>; 2],
    pub missing: &'a [Option<String>; 2],
    pub theme: &'a Theme,
}

fn one(line: Line<'static>) -> Arc<Vec<Line<'static>>> {
    Arc::new(vec![line])
}

fn muted(text: &str, theme: &Theme) -> Line<'static> {
    Line::styled(text.to_string(), theme.muted.add_modifier(Modifier::ITALIC))
}

/// The glyph of a row's kind and its style.
pub fn kind_glyph(kind: Kind, theme: &Theme) -> (&'static str, Style) {
    match kind {
        Kind::Same => ("=", theme.muted),
        Kind::Differs => ("≠", theme.finding_warn),
        Kind::LeftOnly => ("<", theme.finding_info),
        Kind::RightOnly => (">", theme.finding_info),
    }
}

/// Compose aligned row `row` at `columns`; `target` is the side marks go to when this is the
/// selected row (its label is highlighted).
pub fn compose(
    s: &Sides,
    cache: &mut StepCache,
    row: &Row,
    columns: Columns,
    fold: Fold,
    target: Option<usize>,
) -> Composed {
    let theme = s.theme;
    let steps = [row.left, row.right];
    let mut pieces = Vec::new();
    let mut heights = [0usize; 2];
    for (k, step) in steps.into_iter().enumerate() {
        let start = match columns.stacked {
            true => heights[0],
            false => 0,
        };
        let mut at = start;
        let label = ["A", "B"][k];
        let mut head = vec![Span::styled(
            match step {
                Some(n) => format!("{label} step {}", n + 1),
                None => format!("{label} —"),
            },
            match target == Some(k) {
                true => theme.status_mode,
                false => theme.title,
            },
        )];
        if k == 0 {
            head.push(Span::styled(
                format!(" · {}", row.kind.as_str()),
                theme.muted,
            ));
        }
        if target == Some(k) && step.is_some() && s.sides[k].is_some() {
            head.push(Span::styled(" · marks go here", theme.muted));
        }
        pieces.push(Piece {
            side: k,
            row: at,
            lines: one(Line::from(head)),
            mark: None,
        });
        at += 1;
        let width = columns.column(k).1;
        let mut add = |lines: Arc<Vec<Line<'static>>>, mark: Option<Severity>| {
            let n = lines.len();
            pieces.push(Piece {
                side: k,
                row: at,
                lines,
                mark,
            });
            at += n;
        };
        match (&s.sides[k], step) {
            (Some(loaded), Some(step)) => match loaded.steps.get(step) {
                Some(st) => {
                    let turns: Vec<usize> = st
                        .agent
                        .into_iter()
                        .chain(st.environment.0..st.environment.1)
                        .collect();
                    if st.agent.is_none() {
                        add(one(muted("(no agent turn)", theme)), None);
                    }
                    for t in turns {
                        let lines = turn(loaded, cache, k, t, width, fold, theme);
                        add(lines, loaded.entry.worst_in(t));
                    }
                    if st.environment.0 == st.environment.1 {
                        add(one(muted("(no reply)", theme)), None);
                    }
                }
                None => add(one(muted("(no such step)", theme)), None),
            },
            (None, Some(_)) => {
                let why = s.missing[k].as_deref().unwrap_or("not loaded");
                add(
                    one(muted(&crate::sanitize::sanitize_line(why), theme)),
                    None,
                )
            }
            (_, None) => add(one(muted("(no step on this side)", theme)), None),
        }
        heights[k] = at - start;
    }
    let height = match columns.stacked {
        true => heights[0] + heights[1],
        false => heights[0].max(heights[1]),
    };
    Composed { height, pieces }
}

/// The rows of turn `t` of side `k` at `width`, rendered by the review screen's code (once).
fn turn(
    loaded: &Loaded,
    cache: &mut StepCache,
    k: usize,
    t: usize,
    width: usize,
    fold: Fold,
    theme: &Theme,
) -> Arc<Vec<Line<'static>>> {
    let text = loaded
        .entry
        .trajectory
        .turns
        .get(t)
        .map_or(0, |x| x.text.len());
    let limit = match fold {
        Fold::Folded => Some(FOLD_ROWS),
        Fold::Full if text > LONG_TURN => Some(DETAIL_ROWS),
        Fold::Full => None,
    };
    if cache.turns.len() > 4096 {
        cache.turns.clear();
    }
    cache
        .turns
        .entry((k, t, width, limit))
        .or_insert_with(|| {
            let paint = Paint {
                theme,
                entry: &loaded.entry,
                marks: &loaded.marks,
                hits: &[],
                highlight: true,
                fold_hint: match fold {
                    Fold::Folded => FOLD_HINT,
                    Fold::Full => "",
                },
            };
            render::render_turn(&paint, (t, width, limit))
        })
        .clone()
}

/// One composed row on screen: its aligned row, the body line its first line goes on (above
/// the body when negative) and its rows.
#[derive(Debug, Clone)]
pub struct Shown {
    pub row: usize,
    pub y: isize,
    pub kind: Kind,
    pub composed: Composed,
}

/// The rows of side `side` of `c` alone, from its first (for drawing the sides of a stacked
/// row in full each in its own half of the screen).
pub fn side_of(c: &Composed, side: usize) -> Composed {
    let pieces: Vec<Piece> = c
        .pieces
        .iter()
        .filter(|p| p.side == side)
        .cloned()
        .collect();
    let start = pieces.first().map_or(0, |p| p.row);
    let pieces: Vec<Piece> = pieces
        .into_iter()
        .map(|p| Piece {
            row: p.row - start,
            ..p
        })
        .collect();
    let height = pieces.last().map_or(0, |p| p.row + p.lines.len());
    Composed { height, pieces }
}

/// Write `text` at (`x`, `y`) when that cell is in the buffer (a tiny screen clips, never
/// panics).
pub fn put(buf: &mut Buffer, x: u16, y: u16, text: &str, style: Style) {
    if buf.area.contains(Position { x, y }) {
        buf.set_string(x, y, text, style);
    }
}

/// Draw the rows prepared for `area`; `cursor` is the selected row.
pub fn draw(
    buf: &mut Buffer,
    area: Rect,
    shown: &[Shown],
    columns: Columns,
    cursor: usize,
    theme: &Theme,
) {
    let view = area.height as isize;
    let on_screen = |y: isize| (0..view).contains(&y).then(|| area.y + y as u16);
    let mut bottom = 0isize;
    for s in shown {
        let rows = s.y..s.y + s.composed.height as isize;
        bottom = bottom.max(rows.end);
        for y in rows.clone().filter_map(on_screen) {
            if s.row == cursor {
                put(buf, area.x, y, "▌", theme.border_focus);
            }
        }
        if let Some(y) = on_screen(s.y) {
            let (glyph, style) = kind_glyph(s.kind, theme);
            put(buf, area.x + 1, y, glyph, style);
        }
        for p in &s.composed.pieces {
            let (x, width) = columns.column(p.side);
            let top = s.y + p.row as isize;
            if let (Some(sev), Some(y)) = (p.mark, on_screen(top)) {
                let x = area.x + columns.marks(p.side);
                put(buf, x, y, "●", mark(theme.finding(sev)));
            }
            let skip = (-top).max(0) as usize;
            for (i, line) in p.lines.iter().enumerate().skip(skip) {
                let Some(y) = on_screen(top + i as isize) else {
                    break;
                };
                if buf.area.contains(Position { x: area.x + x, y }) {
                    buf.set_line(area.x + x, y, line, width as u16);
                }
            }
        }
    }
    if let Some(x) = columns.rule() {
        for y in (0..bottom.min(view)).filter_map(on_screen) {
            put(buf, area.x + x, y, "│", theme.border);
        }
    }
}
