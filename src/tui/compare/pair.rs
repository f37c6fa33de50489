//! The pair screen: the two trajectories of one task, their steps aligned row by row (same /
//! differs / left only / right only), side by side or stacked (below 100 columns, or `s`),
//! each step drawn as the review screen draws one ([`steps`](super::steps)): its turns in full
//! up to a fold, code coloured, findings highlighted in the text and marked in the gutter, the
//! mark badges on the turns' labels; the findings of the selected row below. Rows are as tall
//! as their turns: the view scrolls by lines, from a row and the lines of it above the screen.
//! Only the pair on screen is loaded and aligned, and only the rows on screen are rendered.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::super::layout::STACK_BELOW;
use super::super::theme::Theme;
pub use super::steps::Loaded;
use super::steps::{self, Columns, Composed, Fold, Shown, Sides, StepCache};
use crate::compare::Alignment;
use crate::sanitize::sanitize_line;

/// Rows of the findings of the selected step.
pub const FINDINGS_ROWS: u16 = 3;

/// The body the rows go in: its size and the theme they are drawn in.
#[derive(Clone, Copy)]
pub struct Body<'a> {
    pub theme: &'a Theme,
    pub width: u16,
    pub height: usize,
}

impl Body<'_> {
    fn view(&self) -> usize {
        self.height.max(1)
    }
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
    /// The first row on screen, and how many of its lines are above the screen.
    pub top: usize,
    pub skip: usize,
    /// Stack the sides (forced with `s`; automatic below 100 columns).
    pub stacked: Option<bool>,
    /// The side marks go to: 0 (A) or 1 (B).
    pub side: usize,
    /// The selected row is shown in full instead of the rows (`enter`), from this line on
    /// (`j`/`k` scroll it).
    pub detail: bool,
    pub detail_top: usize,
    /// The rendered turns.
    cache: StepCache,
    /// The rows on screen, composed by [`PairView::prepare`] for drawing.
    shown: Vec<Shown>,
}

impl PairView {
    pub fn new(
        task: usize,
        sides: [Option<Loaded>; 2],
        missing: [Option<String>; 2],
        alignment: Alignment,
    ) -> PairView {
        PairView {
            task,
            sides,
            missing,
            alignment,
            cursor: 0,
            top: 0,
            skip: 0,
            stacked: None,
            side: 0,
            detail: false,
            detail_top: 0,
            cache: StepCache::default(),
            shown: Vec::new(),
        }
    }

    /// Whether the sides are stacked at this width.
    pub fn is_stacked(&self, width: u16) -> bool {
        self.stacked.unwrap_or(width < STACK_BELOW)
    }

    pub fn columns(&self, width: u16) -> Columns {
        Columns {
            width,
            stacked: self.is_stacked(width),
        }
    }

    /// The rows prepared for drawing.
    pub fn shown(&self) -> &[Shown] {
        &self.shown
    }

    /// Turns rendered and remembered.
    pub fn rendered_turns(&self) -> usize {
        self.cache.rendered()
    }

    /// The marks changed: render the turns again.
    pub fn marks_changed(&mut self) {
        self.cache.clear();
    }

    fn compose(&mut self, r: usize, b: Body, fold: Fold, target: Option<usize>) -> Composed {
        let Some(row) = self.alignment.rows.get(r) else {
            return Composed::default();
        };
        let sides = Sides {
            sides: &self.sides,
            missing: &self.missing,
            theme: b.theme,
        };
        let columns = self.columns(b.width);
        steps::compose(&sides, &mut self.cache, row, columns, fold, target)
    }

    /// Lines of aligned row `r` (folded).
    fn height(&mut self, r: usize, b: Body) -> usize {
        self.compose(r, b, Fold::Folded, None).height.max(1)
    }

    fn last(&self) -> usize {
        self.alignment.rows.len().saturating_sub(1)
    }

    /// Where the view starts to show row `r` at its bottom: at the first row from which the
    /// rows down to `r` fit (at `r` when it is taller than the view).
    fn ending_at(&mut self, r: usize, b: Body) -> (usize, usize) {
        let mut room = b.view().saturating_sub(self.height(r, b));
        let mut top = r;
        while top > 0 {
            let h = self.height(top - 1, b);
            if h > room {
                break;
            }
            room -= h;
            top -= 1;
        }
        (top, 0)
    }

    /// Lines from the top of the view to the end of the rows, counted up to `cap`.
    fn lines_below(&mut self, b: Body, cap: usize) -> usize {
        let mut n = 0;
        let mut r = self.top;
        while r < self.alignment.rows.len() && n < cap {
            n += self
                .height(r, b)
                .saturating_sub(if r == self.top { self.skip } else { 0 });
            r += 1;
        }
        n
    }

    /// Do not scroll past the end (the last row ends on the view's last line).
    fn clamp(&mut self, b: Body) {
        if self.lines_below(b, b.view()) < b.view() {
            let end = self.ending_at(self.last(), b);
            if end < (self.top, self.skip) {
                (self.top, self.skip) = end;
            }
        }
    }

    /// Select aligned row `row`, scrolling so that it is on screen (its end, unless it is
    /// taller than the view: then its start).
    pub fn go(&mut self, row: usize, b: Body) {
        let row = row.min(self.last());
        if row != self.cursor {
            self.detail_top = 0;
        }
        self.cursor = row;
        self.settle(b);
        if row < self.top || (row == self.top && self.skip > 0) {
            (self.top, self.skip) = (row, 0);
        } else {
            let mut y = -(self.skip as isize);
            for r in self.top..row {
                y += self.height(r, b) as isize;
                if y >= b.view() as isize {
                    break;
                }
            }
            if y + self.height(row, b) as isize > b.view() as isize {
                (self.top, self.skip) = self.ending_at(row, b);
            }
        }
        self.clamp(b);
    }

    /// Keep the view's start within its row (the rows change height with the width).
    fn settle(&mut self, b: Body) {
        if self.top > self.last() {
            (self.top, self.skip) = (0, 0);
        }
        self.skip = self.skip.min(self.height(self.top, b) - 1);
    }

    /// Scroll by `delta` lines; the cursor goes to the first row on screen when it leaves it.
    pub fn scroll(&mut self, delta: isize, b: Body) {
        self.settle(b);
        let mut d = delta.unsigned_abs();
        if delta > 0 {
            while d > 0 {
                let rest = self.height(self.top, b) - self.skip;
                if d < rest || self.top >= self.last() {
                    self.skip += d.min(rest.saturating_sub(1));
                    break;
                }
                d -= rest;
                (self.top, self.skip) = (self.top + 1, 0);
            }
            self.clamp(b);
        } else {
            while d > 0 {
                if d <= self.skip || self.top == 0 {
                    self.skip = self.skip.saturating_sub(d);
                    break;
                }
                d -= self.skip + 1;
                self.top -= 1;
                self.skip = self.height(self.top, b) - 1;
            }
        }
        let mut y = -(self.skip as isize);
        let mut visible = false;
        for r in self.top..=self.last() {
            if y >= b.view() as isize {
                break;
            }
            if r == self.cursor {
                visible = true;
                break;
            }
            y += self.height(r, b) as isize;
        }
        if !visible {
            self.cursor = self.top;
        }
    }

    /// A page down (`direction` 1) or up (-1): scroll by the view less two lines; the cursor
    /// goes to the row at the top of the view, or the next when little of it is left there.
    pub fn page(&mut self, direction: isize, b: Body) {
        let amount = b.view().saturating_sub(2).max(1) as isize;
        self.scroll(direction * amount, b);
        let rest = self.height(self.top, b).saturating_sub(self.skip);
        self.cursor = match self.skip > 0 && rest < b.view() / 2 && self.top < self.last() {
            true => self.top + 1,
            false => self.top,
        };
        self.detail_top = 0;
    }

    /// Compose the rows that will be on screen (the selected row whole when in detail).
    pub fn prepare(&mut self, b: Body) {
        self.shown.clear();
        if self.alignment.rows.is_empty() {
            return;
        }
        self.settle(b);
        if self.detail {
            let composed = self.compose(self.cursor, b, Fold::Full, Some(self.side));
            let max = match self.is_stacked(b.width) {
                // Each side in its half of the body, scrolled together.
                true => (0..2)
                    .map(|k| {
                        let view = halves(b.height as u16)[k] as usize;
                        steps::side_of(&composed, k).height.saturating_sub(view)
                    })
                    .max()
                    .unwrap_or(0),
                false => composed.height.saturating_sub(b.view()),
            };
            self.detail_top = self.detail_top.min(max);
            let kind = self.alignment.rows[self.cursor].kind;
            self.shown.push(Shown {
                row: self.cursor,
                y: -(self.detail_top as isize),
                kind,
                composed,
            });
            return;
        }
        let mut y = -(self.skip as isize);
        let mut r = self.top;
        while r <= self.last() && y < b.view() as isize {
            let target = (r == self.cursor).then_some(self.side);
            let composed = self.compose(r, b, Fold::Folded, target);
            let next = y + composed.height as isize;
            let kind = self.alignment.rows[r].kind;
            self.shown.push(Shown {
                row: r,
                y,
                kind,
                composed,
            });
            y = next;
            r += 1;
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

/// The heights of the halves of a body `height` rows tall (the sides of a stacked row in full).
fn halves(height: u16) -> [u16; 2] {
    [height / 2, height - height / 2]
}

/// Draw the rows prepared in `view` in `area`: in detail, the selected row from the line
/// scrolled to (stacked, each side in its half), saying how many lines are below.
pub fn draw_body(buf: &mut Buffer, area: Rect, view: &PairView, theme: &Theme) {
    let columns = view.columns(area.width);
    let (true, Some(s)) = (view.detail, view.shown.first()) else {
        steps::draw(buf, area, &view.shown, columns, view.cursor, theme);
        return;
    };
    let parts: Vec<(Rect, Shown)> = match columns.stacked {
        true => {
            let h = halves(area.height);
            (0..2)
                .map(|k| {
                    let y = area.y + if k == 0 { 0 } else { h[0] };
                    let part = Shown {
                        composed: steps::side_of(&s.composed, k),
                        ..s.clone()
                    };
                    (Rect::new(area.x, y, area.width, h[k]), part)
                })
                .collect()
        }
        false => vec![(area, s.clone())],
    };
    for (rect, part) in parts {
        steps::draw(
            buf,
            rect,
            std::slice::from_ref(&part),
            columns,
            view.cursor,
            theme,
        );
        let below = part.y + part.composed.height as isize - rect.height as isize;
        if below > 0 && rect.height > 0 {
            let tag = format!(" … {below} more lines (j/k scroll, enter back) ");
            let x = rect.right().saturating_sub(tag.chars().count() as u16 + 1);
            let y = rect.bottom() - 1;
            steps::put(
                buf,
                x,
                y,
                &tag,
                theme.muted.add_modifier(Modifier::REVERSED),
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
        steps::put(buf, x, area.bottom().saturating_sub(1), &tag, theme.muted);
    }
}
