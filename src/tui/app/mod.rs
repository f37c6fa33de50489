//! The review screen's state and `update`: keys and mouse become actions, actions change the
//! state, and `prepare` renders what will be visible so that drawing only reads.

mod moves;

use std::sync::Arc;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

use super::action::{Action, Keymap};
use super::agreement::AgreementPanel;
use super::doc::{self, Doc, Folds, Geometry, Hit};
use super::estimate::EstimatePanel;
use super::help::HelpPanel;
use super::layout::{self, Areas, Panes};
use super::listing::List;
use super::marking::{Marking, Outcome};
use super::panel::{self, Data, Open, Panel};
use super::render::{self, Paint, Rendered, TurnCache};
use super::store::{Entry, Slot, Store};
use super::theme::Theme;

/// The panels, by the action that opens each: a new panel is its file and a line here.
const PANELS: &[(Action, Open)] = &[
    (Action::Help, panel::open::<HelpPanel>),
    (Action::Agreement, panel::open::<AgreementPanel>),
    (Action::Estimate, panel::open::<EstimatePanel>),
];

/// What the keyboard is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Browse,
    Search,
    Filter,
    Jump,
    /// Typing the note of the marked turn.
    Note,
    /// Typing the annotator's name.
    Annotator,
    /// A panel is open (it names itself in the status bar: [`App::mode_name`]).
    Panel,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Browse => "BROWSE",
            Mode::Search => "SEARCH",
            Mode::Filter => "FILTER",
            Mode::Jump => "JUMP",
            Mode::Note => "NOTE",
            Mode::Annotator => "ANNOTATOR",
            Mode::Panel => "PANEL",
        }
    }
}

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

/// An active search in the current trajectory.
#[derive(Debug, Clone)]
pub struct Search {
    pub pattern: String,
    pub regex: regex::Regex,
    pub hits: Vec<Hit>,
    pub current: Option<usize>,
}

/// The review screen.
pub struct App {
    pub store: Store,
    pub theme: Theme,
    pub keymap: Keymap,
    pub mode: Mode,
    pub size: Rect,
    pub panes: Panes,
    /// Global index of the trajectory on screen.
    pub selected: usize,
    pub pos: Position,
    pub list: List,
    pub search: Option<Search>,
    /// The text being typed in Search, Filter or Jump mode.
    pub input: String,
    /// A one-off message for the status bar.
    pub message: Option<String>,
    /// Index into the current trajectory's findings of the last finding jumped to.
    pub finding: Option<usize>,
    pub quit: bool,
    pub marking: Marking,
    /// The open panel (in `Mode::Panel`), with the action that opened it.
    panel: Option<(Action, Box<dyn Panel>)>,
    /// Prepared for drawing.
    pub(super) entry: Option<(usize, Slot)>,
    pub(super) doc: Option<Doc>,
    pub(super) cache: TurnCache,
}

impl App {
    pub fn new(store: Store, theme: Theme, keymap: Keymap, size: Rect) -> App {
        let mut app = App {
            store,
            theme,
            keymap,
            mode: Mode::Browse,
            size,
            panes: Panes::default(),
            selected: 0,
            pos: Position::default(),
            list: List::default(),
            search: None,
            input: String::new(),
            message: None,
            finding: None,
            quit: false,
            marking: Marking::default(),
            panel: None,
            entry: None,
            doc: None,
            cache: TurnCache::default(),
        };
        app.prepare();
        app
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

    pub fn areas(&self) -> Areas {
        let findings = self.current().map_or(0, |e| e.findings.len());
        layout::areas(self.size, self.panes, findings)
    }

    pub fn cache(&self) -> &TurnCache {
        &self.cache
    }

    /// The open panel.
    pub fn panel(&self) -> Option<&dyn Panel> {
        self.panel.as_ref().map(|(_, p)| p.as_ref())
    }

    /// The mode's name in the status bar (an open panel names its own).
    pub fn mode_name(&self) -> &'static str {
        match self.panel() {
            Some(p) => p.mode(),
            None => self.mode.name(),
        }
    }

    /// Change the mode; leaving `Mode::Panel` closes the panel.
    pub(super) fn set_mode(&mut self, mode: Mode) {
        if mode != Mode::Panel {
            self.panel = None;
        }
        self.mode = mode;
    }

    /// Open the panel of `action`, or close it when it is the one open; a panel that cannot
    /// open says why in the status bar.
    fn toggle_panel(&mut self, action: Action, open: Open) {
        if self.panel.as_ref().is_some_and(|(by, _)| *by == action) {
            self.set_mode(Mode::Browse);
            return;
        }
        let mut data = Data {
            store: &mut self.store,
            labels: self.marking.labels(),
            sample: self.list.sample(),
        };
        match open(&mut data) {
            Ok(panel) => {
                self.panel = Some((action, panel));
                self.mode = Mode::Panel;
            }
            Err(message) => self.message = Some(message),
        }
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.size = Rect::new(0, 0, width, height);
        self.prepare();
    }

    /// A key press, read according to the mode.
    pub fn key(&mut self, e: KeyEvent) {
        if e.kind != ratatui::crossterm::event::KeyEventKind::Press {
            return;
        }
        self.message = None;
        match self.mode {
            Mode::Browse => {
                // The reader took over: no jump to the first unmarked turn any more.
                self.marking.stop_resuming();
                if let Some(action) = self.keymap.action(&e) {
                    self.update(action);
                    return;
                }
            }
            // In a panel, moving keys scroll (it may not fit); any other key closes it.
            Mode::Panel => {
                let action = self.keymap.action(&e);
                if !self.panel.as_mut().is_some_and(|(_, p)| p.key(action)) {
                    self.set_mode(Mode::Browse);
                }
            }
            Mode::Search | Mode::Filter | Mode::Jump | Mode::Note | Mode::Annotator => self.edit(e),
        }
        self.prepare();
    }

    fn edit(&mut self, e: KeyEvent) {
        let ctrl = e.modifiers.contains(KeyModifiers::CONTROL);
        match e.code {
            KeyCode::Esc => self.cancel_input(),
            KeyCode::Char('c') if ctrl => self.cancel_input(),
            KeyCode::Enter => self.submit_input(),
            KeyCode::Backspace => {
                self.input.pop();
                self.input_changed();
            }
            KeyCode::Char('u') if ctrl => {
                self.input.clear();
                self.input_changed();
            }
            KeyCode::Char(c) if !ctrl => {
                self.input.push(c);
                self.input_changed();
            }
            _ => {}
        }
    }

    fn cancel_input(&mut self) {
        if self.mode == Mode::Jump {
            if let Some(origin) = self.list.end_jump() {
                self.select(origin);
            }
        }
        if self.mode == Mode::Annotator {
            self.marking.cancel_ask();
            self.message = Some("no annotator given: marks cannot be saved".into());
        }
        self.set_mode(Mode::Browse);
        self.input.clear();
    }

    fn submit_input(&mut self) {
        let input = std::mem::take(&mut self.input);
        match self.mode {
            Mode::Search => self.start_search(&input),
            Mode::Filter => {
                match self
                    .list
                    .set_filter(&input, &mut self.store, self.marking.labels())
                {
                    Ok(()) => {
                        if let Some(first) = self.list.instead_of(self.selected) {
                            self.select(first);
                        }
                    }
                    Err(message) => self.message = Some(message),
                }
            }
            Mode::Jump => {
                self.list.end_jump();
            }
            Mode::Note => self.submit_note(&input),
            Mode::Annotator => {
                self.submit_annotator(&input);
                return;
            }
            _ => {}
        }
        self.set_mode(Mode::Browse);
    }

    fn input_changed(&mut self) {
        if self.mode == Mode::Jump {
            match self.list.find_id(&self.input, &mut self.store) {
                Ok(Some(i)) => self.select(i),
                Ok(None) => {}
                Err(message) => self.message = Some(message),
            }
        }
    }

    /// Pasted text goes into the input line (Search, Filter, Jump); it is never read as keys.
    pub fn paste(&mut self, text: &str) {
        if matches!(
            self.mode,
            Mode::Search | Mode::Filter | Mode::Jump | Mode::Note | Mode::Annotator
        ) {
            self.input.extend(text.chars().filter(|c| !c.is_control()));
            self.input_changed();
            self.prepare();
        }
    }

    /// Do one action.
    pub fn update(&mut self, action: Action) {
        match action {
            Action::Quit => self.quit = true,
            Action::Cancel => {
                self.set_mode(Mode::Browse);
                self.search = None;
                self.cache.lines.clear();
            }
            Action::NextStep => self.move_cursor(1),
            Action::PrevStep => self.move_cursor(-1),
            Action::PageDown => self.page(1),
            Action::PageUp => self.page(-1),
            Action::Top => {
                self.pos.cursor = 0;
                self.pos.scroll = 0;
            }
            Action::Bottom => {
                let blocks = self.doc.as_ref().map_or(0, |d| d.blocks.len());
                self.pos.cursor = blocks.saturating_sub(1);
                self.pos.scroll = usize::MAX;
            }
            Action::NextTrajectory => self.step_trajectory(1),
            Action::PrevTrajectory => self.step_trajectory(-1),
            Action::ToggleFold => self.toggle_fold(),
            Action::ToggleInstruction => {
                self.pos.folds.instruction_open ^= true;
                self.doc = None;
            }
            Action::ToggleDemo => {
                self.pos.folds.demo_open ^= true;
                self.doc = None;
            }
            Action::ToggleStack => self.panes.force_stack ^= true,
            Action::ToggleList => self.panes.list ^= true,
            Action::ToggleFindings => self.panes.findings ^= true,
            Action::Search => self.start_input(Mode::Search),
            Action::Filter => {
                self.start_input(Mode::Filter);
                self.input = self
                    .list
                    .filter()
                    .map_or(String::new(), |f| f.query.clone());
            }
            Action::JumpToId => {
                self.list.start_jump(self.selected);
                self.start_input(Mode::Jump);
            }
            Action::NextHit => self.next_hit(true),
            Action::PrevHit => self.next_hit(false),
            Action::NextFinding => self.next_finding(true),
            Action::PrevFinding => self.next_finding(false),
            a => match PANELS.iter().find(|(p, _)| *p == a) {
                Some(&(action, open)) => self.toggle_panel(action, open),
                // The rest are about marks.
                None => self.marking(a),
            },
        }
        self.prepare();
    }

    /// Do a marking action.
    fn marking(&mut self, action: Action) {
        let target = self.target_turn();
        let entry = self.current().cloned();
        let outcome = self
            .marking
            .act(action, entry.as_deref(), target, &self.keymap);
        self.follow(outcome, action);
    }

    /// Do what a marking action left to do.
    fn follow(&mut self, outcome: Outcome, action: Action) {
        match outcome {
            Outcome::Nothing => {}
            Outcome::Say(message) => self.message = Some(message),
            Outcome::Marked(message) => {
                if message.is_some() {
                    self.message = message;
                }
                self.refresh_marks();
            }
            Outcome::AskAnnotator => self.ask_annotator(Some(action)),
            Outcome::EditNote(text) => {
                self.set_mode(Mode::Note);
                self.input = text;
            }
            Outcome::NextUnmarked => self.next_unmarked(),
        }
    }

    /// The turn a mark goes on: the selected step's agent turn, or its first environment reply
    /// when the target is toggled to the environment (or the step has no agent turn).
    pub fn target_turn(&self) -> Option<usize> {
        let step = self.doc.as_ref()?.blocks.get(self.pos.cursor);
        self.marking.target(step)
    }

    /// Ask for the annotator's name on the input line; `then` runs once it is given.
    pub fn ask_annotator(&mut self, then: Option<Action>) {
        self.marking.ask(then);
        self.set_mode(Mode::Annotator);
        self.input.clear();
    }

    fn submit_annotator(&mut self, name: &str) {
        match self.marking.set_annotator(name) {
            Err(message) => {
                self.message = Some(message);
                self.set_mode(Mode::Browse);
            }
            Ok(pending) => {
                self.set_mode(Mode::Browse);
                match pending {
                    Some(action) => {
                        self.refresh_marks();
                        self.prepare();
                        self.marking(action);
                    }
                    None => self.resume(),
                }
            }
        }
    }

    fn submit_note(&mut self, note: &str) {
        let target = self.target_turn();
        let entry = self.current().cloned();
        let outcome = self.marking.note(note, entry.as_deref(), target);
        self.follow(outcome, Action::EditNote);
    }

    /// Read the marks of the trajectory on screen again and draw the turns whose marks changed
    /// again (only those: the other turns keep their rendered rows and heights).
    fn refresh_marks(&mut self) {
        let shown = self.entry.as_ref().and_then(|(_, s)| s.as_ref().ok());
        let changed = self.marking.refresh(shown.map(|e| &e.trajectory));
        if !changed.is_empty() {
            self.cache.heights.retain(|k, _| !changed.contains(&k.0));
            self.cache.lines.retain(|k, _| !changed.contains(&k.0));
            self.doc = None;
        }
    }

    /// Begin a session: the labels, the sample; then ask for the annotator when unknown, or
    /// resume at the first unmarked agent turn.
    pub fn start(&mut self, setup: super::Setup) {
        let sample = setup.sample.as_ref().map(Vec::len);
        self.marking.begin(setup.labels, sample);
        if let Some(sample) = setup.sample {
            let first = sample.first().copied();
            self.list.restrict(sample);
            if let Some(first) = first {
                self.select(first);
            }
        }
        self.marking.open_journal();
        self.marking.resume_later();
        self.try_resume();
        if let Some(warning) = self.marking.journal_warning() {
            self.message = Some(warning);
        }
        if !self.marking.has_annotator() {
            self.ask_annotator(None);
        }
        self.prepare();
    }

    fn start_input(&mut self, mode: Mode) {
        self.set_mode(mode);
        self.input.clear();
    }

    /// Background work between events: follow the growing index, scan for the filter.
    /// Returns true when the screen should be drawn again.
    pub fn tick(&mut self) -> bool {
        let resumed = self.try_resume();
        let budget = std::time::Duration::from_millis(30);
        self.list
            .scan(&mut self.store, self.marking.labels(), budget);
        // While the filter is on, the trajectory on screen is a match once there is one.
        if let Some(first) = self.list.instead_of(self.selected) {
            self.select(first);
        }
        let (len, complete) = (self.store.len(), self.store.dataset().is_complete());
        if !self.list.changed(len, complete) {
            if resumed {
                self.prepare();
            }
            return resumed;
        }
        self.prepare();
        true
    }

    /// Whether `tick` has work to do (so the loop should wake up soon).
    pub fn busy(&self) -> bool {
        self.marking.resuming()
            || !self.store.dataset().is_complete()
            || self.list.scanning(self.store.len())
    }

    /// Show trajectory `i` from its first step.
    pub fn select(&mut self, i: usize) {
        if i == self.selected && self.entry.as_ref().is_some_and(|(j, _)| *j == i) {
            return;
        }
        self.selected = i;
        self.pos = Position::default();
        self.finding = None;
        self.entry = None;
        self.prepare();
    }

    /// Bring the state in line with the size and the selection, and render the turns that will
    /// be visible. Views read only what this leaves.
    pub fn prepare(&mut self) {
        if self.store.is_empty() {
            return;
        }
        self.selected = self.selected.min(self.store.len() - 1);
        if self.entry.as_ref().is_none_or(|(i, _)| *i != self.selected) {
            let slot = self.store.get(self.selected);
            self.entry = Some((self.selected, slot));
            self.doc = None;
            self.cache.clear();
            self.rerun_search();
            let shown = self.entry.as_ref().and_then(|(_, s)| s.as_ref().ok());
            self.marking.show(shown.map(|e| &e.trajectory));
        }
        let areas = self.areas();
        let geometry = Geometry {
            width: areas.doc.width,
            stacked: areas.stacked,
        };
        let Some(entry) = self.current().cloned() else {
            self.doc = None;
            return;
        };
        let paint_plain = Paint {
            theme: &self.theme,
            entry: &entry,
            marks: self.marking.marks(),
            hits: &[],
            highlight: false,
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
        let view = areas.doc.height as usize;
        let max_scroll = doc.rows.saturating_sub(view);
        self.pos.cursor = self.pos.cursor.min(doc.blocks.len().saturating_sub(1));
        self.pos.scroll = self.pos.scroll.min(max_scroll);
        // Render the visible turns, with colours.
        let hits = self.search.as_ref().map_or(&[][..], |s| &s.hits[..]);
        let paint = Paint {
            theme: &self.theme,
            entry: &entry,
            marks: self.marking.marks(),
            hits,
            highlight: true,
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
        self.list
            .prepare(areas.list, &mut self.store, self.selected);
    }
}
