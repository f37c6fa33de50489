//! The review screen's state and `update`: keys and mouse become actions, actions change the
//! state, and `prepare` renders what will be visible so that drawing only reads.

mod moves;

use std::sync::Arc;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

use super::action::{Action, Keymap};
use super::agreement::AgreementPanel;
use super::doc::Doc;
use super::document::{Canvas, Document};
use super::estimate::EstimatePanel;
use super::help::HelpPanel;
use super::layout::{self, Areas, Panes};
use super::listing::List;
use super::marking::{Marking, Outcome};
use super::panel::{self, Data, Open, Panel};
use super::render::TurnCache;
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

/// The review screen.
pub struct App {
    pub store: Store,
    pub theme: Theme,
    pub keymap: Keymap,
    pub mode: Mode,
    pub size: Rect,
    pub panes: Panes,
    pub list: List,
    pub document: Document,
    /// The text being typed in Search, Filter or Jump mode.
    pub input: String,
    /// A one-off message for the status bar.
    pub message: Option<String>,
    pub quit: bool,
    pub marking: Marking,
    /// The open panel (in `Mode::Panel`), with the action that opened it.
    panel: Option<(Action, Box<dyn Panel>)>,
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
            list: List::default(),
            document: Document::default(),
            input: String::new(),
            message: None,
            quit: false,
            marking: Marking::default(),
            panel: None,
        };
        app.prepare();
        app
    }

    /// Global index of the trajectory on screen.
    pub fn selected(&self) -> usize {
        self.document.selected()
    }

    /// The trajectory on screen, once loaded.
    pub fn current(&self) -> Option<&Arc<Entry>> {
        self.document.current()
    }

    pub fn slot(&self) -> Option<&Slot> {
        self.document.slot()
    }

    pub fn doc(&self) -> Option<&Doc> {
        self.document.doc()
    }

    /// The first turn of the selected block.
    pub fn cursor_turn(&self) -> Option<usize> {
        self.document.cursor_turn()
    }

    pub fn areas(&self) -> Areas {
        let findings = self.current().map_or(0, |e| e.findings.len());
        layout::areas(self.size, self.panes, findings)
    }

    pub fn cache(&self) -> &TurnCache {
        self.document.cache()
    }

    /// Do `f` to the document on the canvas of the screen as it is.
    fn in_document<R>(&mut self, f: impl FnOnce(&mut Document, &Canvas) -> R) -> R {
        let areas = self.areas();
        let canvas = Canvas::new(areas, &self.theme, self.marking.marks());
        f(&mut self.document, &canvas)
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
            Mode::Search => {
                if let Some(m) = self.in_document(|d, c| d.start_search(&input, c)) {
                    self.message = Some(m);
                }
            }
            Mode::Filter => {
                match self
                    .list
                    .set_filter(&input, &mut self.store, self.marking.labels())
                {
                    Ok(()) => {
                        if let Some(first) = self.list.instead_of(self.selected()) {
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
                self.document.clear_search();
            }
            Action::NextStep => self.in_document(|d, c| d.move_cursor(1, c)),
            Action::PrevStep => self.in_document(|d, c| d.move_cursor(-1, c)),
            Action::PageDown => self.in_document(|d, c| d.page(1, c)),
            Action::PageUp => self.in_document(|d, c| d.page(-1, c)),
            Action::Top => self.document.top(),
            Action::Bottom => self.document.bottom(),
            Action::NextTrajectory => self.step_trajectory(1),
            Action::PrevTrajectory => self.step_trajectory(-1),
            Action::ToggleFold => self.document.toggle_fold(),
            Action::ToggleInstruction => self.document.toggle_instruction(),
            Action::ToggleDemo => self.document.toggle_demo(),
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
                self.list.start_jump(self.selected());
                self.start_input(Mode::Jump);
            }
            Action::NextHit => self.message = Some(self.in_document(|d, c| d.next_hit(true, c))),
            Action::PrevHit => self.message = Some(self.in_document(|d, c| d.next_hit(false, c))),
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
        self.marking.target(self.document.cursor_block())
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
        let shown = self.document.current().map(|e| &e.trajectory);
        let changed = self.marking.refresh(shown);
        self.document.redraw_turns(&changed);
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
        if let Some(first) = self.list.instead_of(self.selected()) {
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
        if self.document.select(i) {
            self.prepare();
        }
    }

    /// Bring the state in line with the size and the selection, and render the turns that will
    /// be visible. Views read only what this leaves.
    pub fn prepare(&mut self) {
        if self.store.is_empty() {
            return;
        }
        if self.document.load(&mut self.store) {
            let shown = self.document.current().map(|e| &e.trajectory);
            self.marking.show(shown);
        }
        let areas = self.areas();
        let canvas = Canvas::new(areas, &self.theme, self.marking.marks());
        self.document.prepare(&canvas);
        // A record that cannot be shown leaves the list's window where it was.
        if self.document.current().is_some() {
            let selected = self.document.selected();
            self.list.prepare(areas.list, &mut self.store, selected);
        }
    }
}
