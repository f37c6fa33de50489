//! The trajectory on screen as the reader sees it: which one is selected, the cursor, the
//! scroll and the folds, the search and the finding last jumped to, and what is prepared for
//! drawing (the loaded entry, the laid-out document, the rendered turns). `prepare` lays out
//! and renders what will be visible so that drawing only reads.

mod find;
mod motion;

use std::collections::HashSet;
use std::sync::Arc;

use ratatui::layout::Rect;

use super::doc::{self, Block, Doc, Folds, Geometry};
use super::layout::Areas;
use super::marks::TurnMarks;
use super::render::{self, Paint, Rendered, TurnCache};
use super::store::{Entry, Slot, Store};
use super::theme::Theme;

pub use find::Search;

/// Where the reader is in the current trajectory.
#[derive(Debug, Clone, Default)]
pub struct Position {
    /// The selected block.
    pub cursor: usize,
    /// First document row on screen.
    pub scroll: usize,
    pub folds: Folds,
    /// Document row of the current search hit or finding (marked in the gutter).
    pub mark: Option<usize>,
}

/// What laying out and painting the document takes from the rest of the screen.
pub struct Canvas<'a> {
    /// The document's area.
    pub area: Rect,
    /// The step columns are stacked.
    pub stacked: bool,
    pub theme: &'a Theme,
    /// The marks of the trajectory on screen.
    pub marks: &'a TurnMarks,
}

impl<'a> Canvas<'a> {
    pub fn new(areas: Areas, theme: &'a Theme, marks: &'a TurnMarks) -> Canvas<'a> {
        Canvas {
            area: areas.doc,
            stacked: areas.stacked,
            theme,
            marks,
        }
    }

    fn geometry(&self) -> Geometry {
        Geometry {
            width: self.area.width,
            stacked: self.stacked,
        }
    }

    /// Rows on screen (at least one, for moving).
    fn view(&self) -> usize {
        (self.area.height as usize).max(1)
    }
}

/// The trajectory on screen and the reader's place in it.
#[derive(Default)]
pub struct Document {
    /// Global index of the trajectory on screen.
    selected: usize,
    pos: Position,
    search: Option<Search>,
    /// Index into the current trajectory's findings of the last finding jumped to.
    finding: Option<usize>,
    /// Prepared for drawing: the trajectory loaded, laid out and rendered.
    entry: Option<(usize, Slot)>,
    doc: Option<Doc>,
    cache: TurnCache,
    /// The turn under the cursor, to open in a program outside the screen.
    outside: Option<crate::tui::outside::Request>,
}

impl Document {
    /// Open the turn under the cursor in `program` once the key is handled; `None` when there
    /// is no turn under the cursor.
    pub fn open_outside(&mut self, program: crate::tui::outside::Program) -> Option<()> {
        let turn = self.cursor_turn()?;
        let entry = self.current()?;
        let t = &entry.trajectory;
        let x = t.turns.get(turn)?;
        let heading = format!(
            "# {} · run {} · turn {} · {} ({})\n\n",
            t.id,
            t.run,
            turn,
            x.role.as_str(),
            x.source_role
        );
        let mut text = crate::sanitize::sanitize(&heading).text;
        // A turn that is its call written out shows as the call alone, as on the screen.
        let is_call = crate::tui::render::text_is_call(x);
        if !is_call {
            text.push_str(&crate::sanitize::sanitize(&x.text).text);
        }
        for call in &x.tool_calls {
            let args = crate::tui::render::arguments_pretty(&call.arguments);
            let call = format!("\n\n→ {}\n{args}", call.name);
            text.push_str(&crate::sanitize::sanitize(&call).text);
        }
        text.push('\n');
        self.outside = Some(crate::tui::outside::Request {
            program,
            name: crate::tui::outside::file_name(&t.id, turn),
            text,
        });
        Some(())
    }

    /// The turn to open outside the screen, if a key asked for one.
    pub fn take_outside(&mut self) -> Option<crate::tui::outside::Request> {
        self.outside.take()
    }

    /// Global index of the trajectory on screen.
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// The trajectory on screen, once loaded.
    pub fn current(&self) -> Option<&Arc<Entry>> {
        self.entry.as_ref().and_then(|(_, s)| s.as_ref().ok())
    }

    pub fn slot(&self) -> Option<&Slot> {
        self.entry.as_ref().map(|(_, s)| s)
    }

    pub fn doc(&self) -> Option<&Doc> {
        self.doc.as_ref()
    }

    pub fn cache(&self) -> &TurnCache {
        &self.cache
    }

    pub fn position(&self) -> &Position {
        &self.pos
    }

    pub fn search(&self) -> Option<&Search> {
        self.search.as_ref()
    }

    /// Index into the current trajectory's findings of the last finding jumped to.
    pub fn finding(&self) -> Option<usize> {
        self.finding
    }

    /// The selected block.
    pub fn cursor_block(&self) -> Option<&Block> {
        self.doc.as_ref()?.blocks.get(self.pos.cursor)
    }

    /// The first turn of the selected block.
    pub fn cursor_turn(&self) -> Option<usize> {
        self.cursor_block()?.turns().first().copied()
    }

    /// Show trajectory `i` from its first step (loaded by the next `load`). False when it is
    /// on screen already.
    pub fn select(&mut self, i: usize) -> bool {
        if i == self.selected && self.entry.as_ref().is_some_and(|(j, _)| *j == i) {
            return false;
        }
        self.selected = i;
        self.pos = Position::default();
        self.finding = None;
        self.entry = None;
        true
    }

    /// Load the selected trajectory (from `store`, which holds at least one) unless it is
    /// loaded. True when a trajectory was loaded.
    pub fn load(&mut self, store: &mut Store) -> bool {
        self.selected = self.selected.min(store.len() - 1);
        if self
            .entry
            .as_ref()
            .is_some_and(|(i, slot)| *i == self.selected && !store.stale(*i, slot))
        {
            return false;
        }
        let slot = store.get(self.selected);
        self.entry = Some((self.selected, slot));
        self.doc = None;
        self.cache.clear();
        self.rerun_search();
        true
    }

    /// The trajectory on screen was loaded before its id was final, and now it is.
    pub fn stale(&self, store: &Store) -> bool {
        self.entry
            .as_ref()
            .is_some_and(|(i, slot)| store.stale(*i, slot))
    }

    /// Lay the loaded trajectory out on `canvas` (again when it changed) and render the turns
    /// that will be visible.
    pub fn prepare(&mut self, canvas: &Canvas) {
        let geometry = canvas.geometry();
        let Some(entry) = self.current().cloned() else {
            self.doc = None;
            return;
        };
        let paint_plain = Paint {
            theme: canvas.theme,
            entry: &entry,
            marks: canvas.marks,
            hits: &[],
            highlight: false,
            fold_hint: "",
        };
        if self.doc.as_ref().is_none_or(|d| d.geometry != geometry) {
            let cache = &mut self.cache;
            self.pos.mark = None;
            self.doc = Some(Doc::build(&entry, &self.pos.folds, geometry, |key| {
                if let Some(&h) = cache.heights.get(&key) {
                    return h;
                }
                let turn = &entry.trajectory.turns[key.0];
                let h = match render::is_long(turn, key) {
                    true => render::long_height(&paint_plain, key, &cache.layout(turn, key.1)),
                    false => render::render_turn(&paint_plain, key).len(),
                };
                cache.heights.insert(key, h);
                h
            }));
        }
        let doc = self.doc.as_ref().expect("built above");
        let view = canvas.area.height as usize;
        let max_scroll = doc.rows.saturating_sub(view);
        self.pos.cursor = self.pos.cursor.min(doc.blocks.len().saturating_sub(1));
        self.pos.scroll = self.pos.scroll.min(max_scroll);
        // Render the visible turns, with colours.
        let hits = self.search.as_ref().map_or(&[][..], |s| &s.hits[..]);
        let paint = Paint {
            theme: canvas.theme,
            entry: &entry,
            marks: canvas.marks,
            hits,
            highlight: true,
            fold_hint: "",
        };
        if self.cache.lines.len() > 2048 {
            self.cache.lines.clear();
        }
        let first = doc.block_at(self.pos.scroll);
        for block in doc.blocks[first..]
            .iter()
            .take_while(|b| b.top < self.pos.scroll + view)
        {
            for placed in doc::place(block, geometry, &self.pos.folds, &self.cache.heights) {
                let key = placed.key;
                let turn = &entry.trajectory.turns[key.0];
                let height = self.cache.heights.get(&key).copied().unwrap_or(0);
                if !render::is_long(turn, key) {
                    let r = self.cache.lines.entry(key).or_insert_with(|| Rendered {
                        first: 0,
                        lines: render::render_turn(&paint, key),
                    });
                    debug_assert_eq!(r.lines.len(), height, "turn {key:?} measured as drawn");
                    continue;
                }
                // A long unfolded turn: render the rows on screen and a screen either side.
                let top = block.top + placed.row;
                let from = self.pos.scroll.saturating_sub(top);
                let to = (self.pos.scroll + view).saturating_sub(top).min(height);
                let covered = self
                    .cache
                    .lines
                    .get(&key)
                    .is_some_and(|r| r.first <= from && r.first + r.lines.len() >= to);
                if from < to && !covered {
                    let layout = self.cache.layout(turn, key.1);
                    let window = from.saturating_sub(view)..(to + view).min(height);
                    let r = render::render_window(&paint, key, &layout, window);
                    self.cache.lines.insert(key, r);
                }
            }
        }
    }

    /// The marks of these turns changed: draw them again (only those: the other turns keep
    /// their rendered rows and heights).
    pub fn redraw_turns(&mut self, changed: &HashSet<usize>) {
        if !changed.is_empty() {
            self.cache.heights.retain(|k, _| !changed.contains(&k.0));
            self.cache.lines.retain(|k, _| !changed.contains(&k.0));
            self.doc = None;
        }
    }
}
