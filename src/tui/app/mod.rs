//! The review screen: `App` holds its parts — the list, the document, marking, the open panel
//! — and routes keys and actions to them (app/keys.rs), like a parent component forwarding
//! events; each part changes only its own state. `prepare` renders what will be visible so that
//! drawing only reads.

mod adjudicate;
mod blind;
mod keys;
mod moves;

use std::sync::Arc;

use ratatui::layout::Rect;

use super::action::{Action, Keymap};
use super::agreement::AgreementPanel;
use super::doc::Doc;
use super::document::{Canvas, Document};
use super::estimate::EstimatePanel;
use super::help::HelpPanel;
use super::layout::{Areas, Screen};
use super::listing::List;
use super::marking::Marking;
use super::overview::OverviewPanel;
use super::panel::{self, Open, Panel};
use super::render::TurnCache;
use super::store::{Entry, Slot, Store};
use super::theme::Theme;

/// The panels, by the action that opens each: a new panel is its file and a line here.
const PANELS: &[(Action, Open)] = &[
    (Action::Help, panel::open::<HelpPanel>),
    (Action::Agreement, panel::open::<AgreementPanel>),
    (Action::Estimate, panel::open::<EstimatePanel>),
    (Action::Overview, panel::open::<OverviewPanel>),
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
    /// A yes-or-no question on the input line (accepting a trajectory with a wrong turn).
    Confirm,
    /// A panel is open (it names itself in the status bar: [`App::mode_name`]).
    Panel,
    /// Settling disagreements (`trev adjudicate`).
    Adjudicate,
    /// Typing the reason of the next adjudication.
    Reason,
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
            Mode::Confirm => "CONFIRM",
            Mode::Panel => "PANEL",
            Mode::Adjudicate => "ADJUDICATE",
            Mode::Reason => "REASON",
        }
    }
}

/// The review screen.
pub struct App {
    store: Store,
    theme: Theme,
    keymap: Keymap,
    screen: Screen,
    mode: Mode,
    /// The text being typed in Search, Filter, Jump, Note or Annotator mode.
    input: String,
    /// A one-off message for the status bar.
    message: Option<String>,
    quit: bool,
    list: List,
    document: Document,
    marking: Marking,
    /// The open panel (in `Mode::Panel`), with the action that opened it.
    panel: Option<(Action, Box<dyn Panel>)>,
}

impl App {
    pub fn new(store: Store, theme: Theme, keymap: Keymap, size: Rect) -> App {
        let mut app = App {
            store,
            theme,
            keymap,
            screen: Screen::new(size),
            mode: Mode::Browse,
            input: String::new(),
            message: None,
            quit: false,
            list: List::default(),
            document: Document::default(),
            marking: Marking::default(),
            panel: None,
        };
        app.prepare();
        app
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn theme(&self) -> &Theme {
        &self.theme
    }

    pub fn keymap(&self) -> &Keymap {
        &self.keymap
    }

    pub fn size(&self) -> Rect {
        self.screen.size()
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The mode's name in the status bar (an open panel names its own).
    pub fn mode_name(&self) -> &'static str {
        match self.panel() {
            Some(p) => p.mode(),
            None => self.mode.name(),
        }
    }

    /// The text being typed on the input line.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// The one-off message in the status bar.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The user asked to quit.
    pub fn quitting(&self) -> bool {
        self.quit
    }

    pub fn list(&self) -> &List {
        &self.list
    }

    pub fn document(&self) -> &Document {
        &self.document
    }

    pub fn marking(&self) -> &Marking {
        &self.marking
    }

    /// The open panel.
    pub fn panel(&self) -> Option<&dyn Panel> {
        self.panel.as_ref().map(|(_, p)| p.as_ref())
    }

    /// The overview panel, when it is the one open.
    pub fn overview(&self) -> Option<&OverviewPanel> {
        let panel: &dyn std::any::Any = self.panel()?;
        panel.downcast_ref()
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

    pub fn cache(&self) -> &TurnCache {
        self.document.cache()
    }

    /// The first turn of the selected block.
    /// The turn a key asked to open outside the screen (a pager, an editor).
    pub fn take_outside(&mut self) -> Option<super::outside::Request> {
        self.document.take_outside()
    }

    /// Say `message` in the status bar.
    pub fn say(&mut self, message: String) {
        self.message = Some(message);
    }

    pub fn cursor_turn(&self) -> Option<usize> {
        self.document.cursor_turn()
    }

    /// The turn a mark goes on: the selected step's agent turn, or its first environment reply
    /// when the target is toggled to the environment (or the step has no agent turn).
    pub fn target_turn(&self) -> Option<usize> {
        self.marking.target(self.document.cursor_block())
    }

    pub fn areas(&self) -> Areas {
        let findings = self.current().map_or(0, |e| e.findings.len());
        self.screen.areas(findings)
    }

    /// Do `f` to the document on the canvas of the screen as it is.
    fn in_document<R>(&mut self, f: impl FnOnce(&mut Document, &Canvas) -> R) -> R {
        let areas = self.areas();
        let canvas = Canvas::new(areas, &self.theme, self.marking.marks());
        f(&mut self.document, &canvas)
    }

    /// Change the mode; leaving `Mode::Panel` closes the panel.
    fn set_mode(&mut self, mode: Mode) {
        if mode != Mode::Panel {
            self.panel = None;
        }
        self.mode = mode;
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.screen.resize(width, height);
        self.prepare();
    }

    /// Begin a session: the labels, the sample; then ask for the annotator when unknown, or
    /// resume at the first unmarked agent turn.
    pub fn start(&mut self, setup: super::Setup) {
        // A turn sample under blind review restricts the list to its trajectories.
        let blind = setup.labels.blind.as_ref().map(|b| b.records());
        let setup_sample = blind.or(setup.sample);
        let sample = setup_sample.as_ref().map(Vec::len);
        self.marking.begin(setup.labels, sample);
        self.marking.open_journal();
        self.recut_all();
        if let Some(sample) = setup_sample {
            let first = sample.first().copied();
            self.list.restrict(sample);
            if let Some(first) = first {
                self.select(first);
            }
        }
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

    /// Close the annotator's journal, releasing its lock (the session is over).
    pub fn close_journal(&mut self) {
        self.marking.close_journal();
    }

    /// Read the marks of the trajectory on screen again and draw the turns whose marks changed
    /// again (only those: the other turns keep their rendered rows and heights).
    fn refresh_marks(&mut self) {
        let shown = self.document.current().map(|e| &e.trajectory);
        let changed = self.marking.refresh(shown);
        self.document.redraw_turns(&changed);
        self.recut_all();
    }

    /// Background work between events: follow the growing index, scan for the filter.
    /// Returns true when the screen should be drawn again.
    pub fn tick(&mut self) -> bool {
        let resumed = self.try_resume();
        let budget = std::time::Duration::from_millis(30);
        self.list
            .scan(&mut self.store, self.marking.labels(), budget);
        let panel_moved = self.tick_panel(budget);
        // While the filter is on, the trajectory on screen is a match once there is one.
        if let Some(first) = self.list.instead_of(self.selected()) {
            self.select(first);
        }
        let (len, complete) = (self.store.len(), self.store.dataset().is_complete());
        // Every id is final: marks of renamed files find their trajectories again.
        if let Some(notice) = self.marking.relocate(self.store.dataset()) {
            self.message = Some(notice);
            self.refresh_marks();
            self.prepare();
            return true;
        }
        // Every id is read: count the annotator's progress over the whole data.
        if self.marking.whole().is_none()
            && self.marking.labels().journal.is_some()
            && self.store.dataset().ids_final()
        {
            self.prepare();
            return true;
        }
        // The census reached the trajectory on screen: show it with its final id.
        if self.document.stale(&self.store) {
            self.prepare();
            return true;
        }
        if !self.list.changed(len, complete) {
            if resumed {
                self.prepare();
            }
            return resumed || panel_moved;
        }
        self.prepare();
        true
    }

    /// Whether `tick` has work to do (so the loop should wake up soon).
    pub fn busy(&self) -> bool {
        self.marking.resuming()
            || !self.store.dataset().is_complete()
            || !self.store.dataset().ids_final()
            || self.list.scanning(self.store.len())
            || self.panel.as_ref().is_some_and(|(_, p)| p.busy())
    }

    /// The open panel's background work, for at most `budget`: true when it moved on.
    fn tick_panel(&mut self, budget: std::time::Duration) -> bool {
        let Some((_, panel)) = self.panel.as_mut() else {
            return false;
        };
        let mut data = panel::Data {
            store: &mut self.store,
            labels: self.marking.labels(),
            sample: self.list.sample(),
            filter: self.list.filter(),
            whole: self.marking.whole(),
        };
        panel.tick(&mut data, budget)
    }

    /// Show trajectory `i` from its first step.
    pub fn select(&mut self, i: usize) {
        if self.document.select(i) {
            self.prepare();
            self.cursor_on_sampled_turn();
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
        self.marking
            .update_whole(self.store.dataset(), self.list.sample());
        // Twice when the list's rows just read need a wider list: lay out again for them.
        for _ in 0..2 {
            // A title (id and run) too long for one row of the header gets two.
            let width = self.areas().header.width.saturating_sub(1) as usize;
            let long = self
                .document
                .current()
                .is_some_and(|e| super::heading::key_width(&e.trajectory) > width);
            self.screen.set_long_title(long);
            let areas = self.areas();
            let canvas = Canvas::new(areas, &self.theme, self.marking.marks());
            self.document.prepare(&canvas);
            // A record that cannot be shown leaves the list's window where it was.
            if self.document.current().is_some() {
                let selected = self.document.selected();
                self.list.prepare(areas.list, &mut self.store, selected);
            }
            let marking = self.marking.labels().journal.is_some();
            let wants = super::heading::list_width_for(self.store.widest_id(), marking);
            self.screen.want_list(wants);
            if self.areas() == areas {
                break;
            }
        }
    }
}
