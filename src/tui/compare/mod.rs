//! The comparison screen of `trev compare A B`: the task list ([`tasks`]) with the summary
//! above it, and the pair screen ([`pair`]) of the task opened from it. It owns its state
//! (not the review screen's `App`) and reuses the review screen's parts: the stores that load
//! and check trajectories, the keymap, marking and its journal, the badges and the theme.

pub mod pair;
mod steps;
pub mod tasks;
mod view;

use std::sync::Arc;

use anyhow::{Context, Result};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::Frame;

use super::action::{Action, Keymap};
use super::marking::{Marking, Outcome};
use super::marks::Labels;
use super::store::{Slot, Store};
use super::terminal;
use super::theme::Theme;
use crate::session::compare::{self, Comparison};
use pair::{Body, Loaded, PairView};
use tasks::TaskList;

/// What the keyboard is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    List,
    Pair,
    /// Typing the filter (after `&`).
    Filter,
    /// Typing the annotator's name.
    Annotator,
    /// Typing the note on the marked turn of the selected row's side.
    Note,
}

/// The comparison screen.
pub struct CompareScreen {
    comparison: Comparison,
    /// The two runs' data, loaded one trajectory at a time (with findings).
    stores: [Store; 2],
    theme: Theme,
    keymap: Keymap,
    size: Rect,
    mode: Mode,
    /// The mode to go back to after typing.
    back: Mode,
    input: String,
    message: Option<String>,
    list: TaskList,
    pair: Option<PairView>,
    marking: Marking,
    quit: bool,
}

/// Rows of the summary above the list.
const SUMMARY_ROWS: u16 = 3;

impl CompareScreen {
    pub fn new(
        comparison: Comparison,
        stores: [Store; 2],
        theme: Theme,
        keymap: Keymap,
        labels: Labels,
        size: Rect,
    ) -> CompareScreen {
        let list = TaskList::new(&comparison);
        let mut marking = Marking::default();
        marking.begin(labels, None);
        CompareScreen {
            comparison,
            stores,
            theme,
            keymap,
            size,
            mode: Mode::List,
            back: Mode::List,
            input: String::new(),
            message: None,
            list,
            pair: None,
            marking,
            quit: false,
        }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn size(&self) -> Rect {
        self.size
    }

    pub fn quitting(&self) -> bool {
        self.quit
    }

    pub fn pair(&self) -> Option<&PairView> {
        self.pair.as_ref()
    }

    pub fn close_journal(&mut self) {
        self.marking.close_journal();
    }

    /// Open the annotator's journal (when the annotator is known), so that the marks already
    /// made show.
    pub fn open_journal(&mut self) {
        self.marking.open_journal();
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.size = Rect::new(0, 0, width, height);
        let body = body(&self.theme, self.size);
        if let Some(p) = &mut self.pair {
            p.go(p.cursor, body);
        }
        self.list.step(0, self.list_height());
        self.prepare();
    }

    /// Compose the pair's rows that will be on screen (drawing only reads them).
    fn prepare(&mut self) {
        let body = body(&self.theme, self.size);
        if let Some(p) = &mut self.pair {
            p.prepare(body);
        }
    }

    fn list_height(&self) -> usize {
        self.size.height.saturating_sub(SUMMARY_ROWS + 2) as usize
    }

    /// Open the pair of the selected task, at its first divergence.
    fn open_pair(&mut self) {
        let Some(task) = self.list.selected() else {
            self.message = Some("no task to open".into());
            return;
        };
        let t = &self.comparison.tasks[task];
        let mut sides: [Option<Loaded>; 2] = [None, None];
        let mut missing: [Option<String>; 2] = [None, None];
        for (k, side) in [&t.a, &t.b].into_iter().enumerate() {
            let Some(side) = side else {
                missing[k] = Some(format!("not in {}", self.comparison.runs[k].name));
                continue;
            };
            let data = self.stores[k].dataset();
            data.wait();
            let index = data.files().get(side.file).map(|f| f.first + side.record);
            match index.map(|i| self.stores[k].get(i)) {
                Some(Slot::Ok(entry)) => {
                    let steps = entry.trajectory.steps();
                    let marks = self.marking.labels().turn_marks(&entry.trajectory);
                    sides[k] = Some(Loaded {
                        entry,
                        steps,
                        marks,
                    });
                }
                Some(Err(d)) => missing[k] = Some(d.to_string()),
                None => missing[k] = Some("its file is no longer there".into()),
            }
        }
        let empty = Vec::new();
        let traj = |k: usize| sides[k].as_ref().map(|s| &s.entry.trajectory);
        let alignment = match (traj(0), traj(1)) {
            (Some(a), Some(b)) => compare::pair(a, b),
            (Some(a), None) => crate::compare::align::<u8>(&vec![0; a.steps().len()], &empty),
            (None, Some(b)) => crate::compare::align::<u8>(&empty, &vec![0; b.steps().len()]),
            (None, None) => Default::default(),
        };
        let start = alignment.first_divergence().unwrap_or(0);
        let stacked = self.pair.as_ref().and_then(|p| p.stacked);
        let side = self.pair.as_ref().map_or(0, |p| p.side);
        let detail = self.pair.as_ref().is_some_and(|p| p.detail);
        let mut view = PairView::new(task, sides, missing, alignment);
        view.stacked = stacked;
        view.side = side;
        view.detail = detail;
        view.go(start, body(&self.theme, self.size));
        self.pair = Some(view);
        self.mode = Mode::Pair;
    }

    pub fn key(&mut self, k: KeyEvent) {
        self.message = None;
        match self.mode {
            Mode::Filter | Mode::Annotator | Mode::Note => self.typing(k),
            Mode::List => self.list_key(k),
            Mode::Pair => self.pair_key(k),
        }
        self.prepare();
    }

    fn typing(&mut self, k: KeyEvent) {
        match k.code {
            KeyCode::Esc => {
                self.mode = self.back;
                self.input.clear();
            }
            KeyCode::Enter => {
                let text = std::mem::take(&mut self.input);
                let typed = self.mode;
                self.mode = self.back;
                if typed == Mode::Filter {
                    if let Err(e) = self.list.set_filter(&text, &self.comparison) {
                        self.message = Some(e);
                    }
                } else if typed == Mode::Note {
                    self.note(&text);
                } else {
                    match self.marking.set_annotator(&text) {
                        Ok(Some(action)) => self.mark(action),
                        Ok(None) => {}
                        Err(e) => self.message = Some(e),
                    }
                }
            }
            KeyCode::Backspace => {
                self.input.pop();
            }
            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => self.input.push(c),
            _ => {}
        }
    }

    fn list_key(&mut self, k: KeyEvent) {
        let h = self.list_height();
        if k.code == KeyCode::Enter || k.code == KeyCode::Char('l') {
            return self.open_pair();
        }
        if k.code == KeyCode::Char('o') {
            self.list.cycle_order(&self.comparison);
            self.message = Some(format!("order: {}", self.list.order.name()));
            return;
        }
        match self.keymap.action(&k) {
            Some(Action::Quit) => self.quit = true,
            Some(Action::NextStep | Action::NextTrajectory) => self.list.step(1, h),
            Some(Action::PrevStep | Action::PrevTrajectory) => self.list.step(-1, h),
            Some(Action::PageDown) => self.list.step(h as isize, h),
            Some(Action::PageUp) => self.list.step(-(h as isize), h),
            Some(Action::Top) => self.list.step(isize::MIN / 2, h),
            Some(Action::Bottom) => self.list.step(isize::MAX / 2, h),
            Some(Action::Filter) => self.start_typing(Mode::Filter),
            Some(Action::Cancel) if !self.list.query.is_empty() => {
                let _ = self.list.set_filter("", &self.comparison);
            }
            _ => {}
        }
    }

    fn start_typing(&mut self, mode: Mode) {
        self.back = self.mode;
        self.mode = mode;
        self.input = if mode == Mode::Filter {
            self.list.query.clone()
        } else {
            String::new()
        };
    }

    fn pair_key(&mut self, k: KeyEvent) {
        let b = body(&self.theme, self.size);
        let Some(p) = self.pair.as_mut() else {
            self.mode = Mode::List;
            return;
        };
        match k.code {
            KeyCode::Char('d') => {
                match p.alignment.next_divergence(p.cursor) {
                    Some(r) => {
                        p.detail_top = 0;
                        p.go(r, b)
                    }
                    None => self.message = Some("no divergence after this row".into()),
                }
                return;
            }
            KeyCode::Tab => {
                p.side ^= 1;
                let name = &self.comparison.runs[p.side].name;
                self.message = Some(format!("marks go to {} ({})", ["A", "B"][p.side], name));
                return;
            }
            KeyCode::Char('h') | KeyCode::Backspace => {
                self.mode = Mode::List;
                return;
            }
            KeyCode::Enter | KeyCode::Char('z') => {
                p.detail ^= true;
                p.detail_top = 0;
                return;
            }
            _ => {}
        }
        let action = self.keymap.action(&k);
        if p.detail {
            let page = b.height.saturating_sub(2).max(1);
            let scrolled = match action {
                Some(Action::NextStep) => Some(p.detail_top + 1),
                Some(Action::PrevStep) => Some(p.detail_top.saturating_sub(1)),
                Some(Action::PageDown) => Some(p.detail_top + page),
                Some(Action::PageUp) => Some(p.detail_top.saturating_sub(page)),
                Some(Action::Top) => Some(0),
                Some(Action::Bottom) => Some(usize::MAX),
                _ => None,
            };
            if let Some(top) = scrolled {
                // `prepare` keeps it within the row.
                p.detail_top = top;
                return;
            }
        }
        match action {
            Some(Action::Quit) => self.quit = true,
            Some(Action::Cancel) if p.detail => p.detail = false,
            Some(Action::Cancel) => self.mode = Mode::List,
            Some(Action::NextStep) => p.go(p.cursor + 1, b),
            Some(Action::PrevStep) => p.go(p.cursor.saturating_sub(1), b),
            Some(Action::PageDown) => p.page(1, b),
            Some(Action::PageUp) => p.page(-1, b),
            Some(Action::Top) => p.go(0, b),
            Some(Action::Bottom) => p.go(usize::MAX, b),
            Some(Action::ToggleStack) => {
                p.stacked = Some(!p.is_stacked(b.width));
                p.go(p.cursor, b);
            }
            Some(Action::NextTrajectory) => self.next_task(1),
            Some(Action::PrevTrajectory) => self.next_task(-1),
            Some(
                a @ (Action::MarkRight
                | Action::MarkWrong
                | Action::ClearMark
                | Action::EditNote
                | Action::Accept
                | Action::Reject
                | Action::Undo
                | Action::RevealOthers),
            ) => self.mark(a),
            _ => {}
        }
    }

    fn next_task(&mut self, delta: isize) {
        let before = self.list.cursor;
        self.list.step(delta, self.list_height());
        if self.list.cursor == before {
            self.message = Some("no more tasks in the list".into());
            return;
        }
        self.open_pair();
    }

    /// A marking action on the side marks go to.
    fn mark(&mut self, action: Action) {
        let Some(p) = self.pair.as_mut() else { return };
        let side = p.side;
        let entry = p.sides[side].as_ref().map(|s| s.entry.clone());
        let target = p.target(side);
        let outcome = self
            .marking
            .act(action, entry.as_deref(), target, &self.keymap);
        self.follow(outcome, action);
    }

    /// The note typed for the marked turn of the selected row's side.
    fn note(&mut self, text: &str) {
        let Some(p) = self.pair.as_ref() else { return };
        let entry = p.sides[p.side].as_ref().map(|s| s.entry.clone());
        let outcome = self.marking.note(text, entry.as_deref(), p.target(p.side));
        self.follow(outcome, Action::EditNote);
        if let (None, Some(unsaved)) = (&self.message, &self.marking.labels().unsaved) {
            self.message = Some(unsaved.clone());
        }
    }

    /// Do what a marking action's outcome asks.
    fn follow(&mut self, outcome: Outcome, action: Action) {
        let Some(p) = self.pair.as_mut() else { return };
        match outcome {
            Outcome::Marked(msg) => {
                for s in p.sides.iter_mut().flatten() {
                    s.marks = self.marking.labels().turn_marks(&s.entry.trajectory);
                }
                p.marks_changed();
                self.message = msg.or_else(|| self.marking.labels().unsaved.clone());
            }
            Outcome::Say(msg) => self.message = Some(msg),
            Outcome::AskAnnotator => {
                self.marking.ask(Some(action));
                self.start_typing(Mode::Annotator);
            }
            Outcome::EditNote(text) => {
                self.start_typing(Mode::Note);
                self.input = text;
            }
            _ => {}
        }
    }

    /// Draw the screen (views only read the state).
    pub fn draw(&self, frame: &mut Frame) {
        view::draw(self, frame);
    }
}

/// The pair's body on a screen of `size`: below the pair's two header lines, above the rule,
/// the findings of the selected row and the status bar.
fn body(theme: &Theme, size: Rect) -> Body<'_> {
    Body {
        theme,
        width: size.width,
        height: size.height.saturating_sub(2 + pair::FINDINGS_ROWS + 2) as usize,
    }
}

/// Run the comparison screen until the user quits.
pub fn run(
    comparison: Comparison,
    stores: [Store; 2],
    theme: Theme,
    keymap: Keymap,
    labels: Labels,
) -> Result<()> {
    let mut guard = terminal::Guard::enter().context("cannot set up the terminal")?;
    let size = guard.terminal.size()?;
    let mut screen = CompareScreen::new(
        comparison,
        stores,
        theme,
        keymap,
        labels,
        Rect::new(0, 0, size.width, size.height),
    );
    screen.open_journal();
    let mut dirty = true;
    while !screen.quitting() && !guard.signalled() {
        if dirty {
            guard.terminal.draw(|f| screen.draw(f))?;
        }
        dirty = true;
        match guard.next(std::time::Duration::from_millis(250)) {
            Some(terminal::Input::Event(Event::Key(k))) => screen.key(k),
            Some(terminal::Input::Event(Event::Resize(w, h))) => screen.resize(w, h),
            Some(terminal::Input::End) => break,
            _ => dirty = false,
        }
    }
    screen.close_journal();
    drop(guard);
    Ok(())
}

/// The stores of the two runs, for the screen: each opened lazily (indexed in the background),
/// each trajectory checked by `check` when it is loaded.
pub fn stores(
    c: &Comparison,
    opts: crate::load::LoadOptions,
    check: Arc<crate::rules::RuleSet>,
) -> std::io::Result<[Store; 2]> {
    let open = |k: usize| -> std::io::Result<Store> {
        let data = crate::load::Dataset::open(std::slice::from_ref(&c.runs[k].arg), opts)?;
        let rules = check.clone();
        Ok(Store::new(data, Some(Box::new(move |t| rules.check(t)))))
    };
    Ok([open(0)?, open(1)?])
}
