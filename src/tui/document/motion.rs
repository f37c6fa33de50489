//! Moving around the trajectory on screen: steps, pages, scrolling, folds, and revealing a
//! place in a turn (a search hit, a finding, an unmarked turn).

use super::super::doc::{self, BlockKind};
use super::super::{render, text};
use super::{Canvas, Document};
use crate::sanitize::sanitize;

impl Document {
    /// Go to the first step.
    pub fn top(&mut self) {
        self.pos.cursor = 0;
        self.pos.scroll = 0;
    }

    /// Go to the last step.
    pub fn bottom(&mut self) {
        let blocks = self.doc.as_ref().map_or(0, |d| d.blocks.len());
        self.pos.cursor = blocks.saturating_sub(1);
        self.pos.scroll = usize::MAX;
    }

    /// Select the block on row `row` of the document's area.
    pub fn click(&mut self, row: usize) {
        if let Some(doc) = self.doc.as_ref().filter(|d| !d.blocks.is_empty()) {
            self.pos.cursor = doc.block_at(self.pos.scroll + row);
        }
    }

    pub fn move_cursor(&mut self, delta: isize, canvas: &Canvas) {
        let Some(doc) = self.doc.as_ref().filter(|d| !d.blocks.is_empty()) else {
            return;
        };
        let last = doc.blocks.len().saturating_sub(1);
        let cursor = self.pos.cursor.saturating_add_signed(delta).min(last);
        self.pos.cursor = cursor;
        let block = &doc.blocks[cursor];
        let view = canvas.view();
        if block.top < self.pos.scroll {
            self.pos.scroll = block.top;
        } else if block.top + block.height > self.pos.scroll + view {
            self.pos.scroll = (block.top + block.height)
                .saturating_sub(view)
                .min(block.top);
        }
    }

    pub fn page(&mut self, direction: isize, canvas: &Canvas) {
        let amount = canvas.view().saturating_sub(2).max(1) as isize;
        self.scroll_by(direction * amount, canvas);
        let view = canvas.view();
        if let Some(doc) = &self.doc {
            // The block on the first row, unless little of it is left on screen.
            let first = doc.block_at(self.pos.scroll);
            self.pos.cursor = match doc.blocks.get(first) {
                Some(b)
                    if b.top < self.pos.scroll
                        && b.top + b.height < self.pos.scroll + view / 2
                        && first + 1 < doc.blocks.len() =>
                {
                    first + 1
                }
                _ => first,
            };
        }
    }

    /// Scroll without moving the cursor, unless it leaves the screen.
    pub fn scroll_by(&mut self, delta: isize, canvas: &Canvas) {
        let Some(doc) = self.doc.as_ref().filter(|d| !d.blocks.is_empty()) else {
            return;
        };
        let view = canvas.view();
        let max = doc.rows.saturating_sub(view);
        self.pos.scroll = self.pos.scroll.saturating_add_signed(delta).min(max);
        let block = &doc.blocks[self.pos.cursor.min(doc.blocks.len().saturating_sub(1))];
        if block.top + block.height <= self.pos.scroll || block.top >= self.pos.scroll + view {
            self.pos.cursor = doc.block_at(self.pos.scroll);
        }
    }

    pub fn toggle_fold(&mut self) {
        let Some(doc) = &self.doc else { return };
        let Some(block) = doc.blocks.get(self.pos.cursor) else {
            return;
        };
        let folds = &mut self.pos.folds;
        match block.kind {
            BlockKind::Demo { .. } => folds.demo_open = true,
            BlockKind::Instruction(_) => folds.instruction_open ^= true,
            _ => {
                let turns = block.turns();
                if turns.iter().any(|t| folds.unfolded.contains(t)) {
                    turns.iter().for_each(|t| {
                        folds.unfolded.remove(t);
                    });
                } else {
                    folds.unfolded.extend(turns);
                }
            }
        }
        self.doc = None;
    }

    pub fn toggle_instruction(&mut self) {
        self.pos.folds.instruction_open ^= true;
        self.doc = None;
    }

    pub fn toggle_demo(&mut self) {
        self.pos.folds.demo_open ^= true;
        self.doc = None;
    }

    /// The gutter no longer points at a row.
    pub fn clear_gutter_mark(&mut self) {
        self.pos.mark = None;
    }

    /// Put `turn` on screen with byte `offset` of its text visible: opens the demo and unfolds
    /// the turn when needed.
    pub fn reveal(&mut self, turn: usize, offset: usize, canvas: &Canvas) {
        let Some(entry) = self.current().cloned() else {
            return;
        };
        let Some(t) = entry.trajectory.turns.get(turn) else {
            return;
        };
        if t.demo && !self.pos.folds.demo_open {
            self.pos.folds.demo_open = true;
            self.doc = None;
        }
        self.prepare(canvas);
        for pass in 0..2 {
            let Some(doc) = &self.doc else { return };
            let Some(b) = doc.block_of_turn(turn) else {
                return;
            };
            let block = &doc.blocks[b];
            let geometry = doc.geometry;
            let placed = doc::place(block, geometry, &self.pos.folds, &self.cache.heights);
            let Some(p) = placed.iter().find(|p| p.turn == turn) else {
                return;
            };
            let width = p.key.1;
            let inner = match render::is_long(t, p.key) {
                true => self.cache.layout(t, width).row_of(offset),
                false => rows_before(&t.text, offset, width),
            };
            if pass == 0 && p.key.2.is_some_and(|limit| inner >= limit) {
                self.pos.folds.unfolded.insert(turn);
                self.doc = None;
                self.prepare(canvas);
                continue;
            }
            let row = block.top + p.row + 1 + inner;
            self.pos.cursor = b;
            self.pos.mark = Some(row);
            let view = canvas.view();
            if row < self.pos.scroll || row >= self.pos.scroll + view || block.top < self.pos.scroll
            {
                self.pos.scroll = block.top.max(row.saturating_sub(view * 2 / 3));
                if row >= self.pos.scroll + view {
                    self.pos.scroll = row.saturating_sub(view / 3);
                }
            }
            break;
        }
    }
}

/// The wrapped row (0-based) of byte `offset` in `text` at `width`.
fn rows_before(text: &str, offset: usize, width: usize) -> usize {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if end == 0 {
        return 0;
    }
    text::count_rows(&sanitize(&text[..end]).text, width).saturating_sub(1)
}
