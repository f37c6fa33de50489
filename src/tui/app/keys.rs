//! Keys and actions routed to the parts of the screen: a key is read according to the mode
//! (an action in Browse, the input line's editing, or the open panel's), and each action goes
//! to the part it is about — the document, the list, marking, a panel.

use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::super::action::Action;
use super::super::marking::Outcome;
use super::super::outside::Program;
use super::super::panel::{Data, Open};
use super::{App, Mode, PANELS};

impl App {
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
                let (screen, keymap) = (self.screen.size(), &self.keymap);
                let (used, filter) = match self.panel.as_mut() {
                    Some((_, p)) => (p.key(action, screen, keymap), p.take_filter()),
                    None => (false, None),
                };
                if !used {
                    self.set_mode(Mode::Browse);
                }
                if let Some(term) = filter {
                    self.narrow_filter(&term);
                }
            }
            Mode::Search
            | Mode::Filter
            | Mode::Jump
            | Mode::Note
            | Mode::Annotator
            | Mode::Reason => self.edit(e),
            Mode::Confirm => self.answer(e),
            Mode::Adjudicate => self.adjudicate_key(e),
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

    /// The answer to the question on the input line: `y` is yes, any other key no.
    fn answer(&mut self, e: KeyEvent) {
        let yes = matches!(e.code, KeyCode::Char('y' | 'Y'))
            && !e
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        self.set_mode(Mode::Browse);
        let entry = self.current().cloned();
        let outcome = self.marking.answer(yes, entry.as_deref());
        self.follow(outcome, Action::Accept);
    }

    fn start_input(&mut self, mode: Mode) {
        self.set_mode(mode);
        self.input.clear();
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
        let back = if self.marking.adjudicating().is_some() {
            Mode::Adjudicate
        } else {
            Mode::Browse
        };
        self.set_mode(back);
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
                // Not applied: the query stays on the input line, with what is wrong.
                if let Err(message) = self.apply_filter(&input) {
                    self.input = input;
                    self.message = Some(message);
                    return;
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
            Mode::Reason => {
                self.submit_reason(&input);
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
            Mode::Search | Mode::Filter | Mode::Jump | Mode::Note | Mode::Annotator | Mode::Reason
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
            Action::ToggleStack => self.screen.toggle_stack(),
            Action::ToggleList => self.screen.toggle_list(),
            Action::ToggleFindings => self.screen.toggle_findings(),
            Action::Search => self.start_input(Mode::Search),
            Action::Filter => {
                self.start_input(Mode::Filter);
                self.input = self
                    .list
                    .filter()
                    .map_or(String::new(), |f| f.query.clone());
            }
            Action::OpenPager | Action::OpenEditor => {
                let program = match action {
                    Action::OpenPager => Program::Pager,
                    _ => Program::Editor,
                };
                if self.document.open_outside(program).is_none() {
                    self.message = Some("no turn under the cursor: move to a step".into());
                }
            }
            Action::Sort => {
                let said = self.list.cycle_sort();
                self.list.scan(
                    &mut self.store,
                    self.marking.labels(),
                    Duration::from_millis(150),
                );
                self.message = Some(said);
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
                None => self.marking_action(a),
            },
        }
        self.prepare();
    }

    /// Open the panel of `action`, or close it when it is the one open; a panel that cannot
    /// open says why in the status bar.
    fn toggle_panel(&mut self, action: Action, open: Open) {
        if self.panel.as_ref().is_some_and(|(by, _)| *by == action) {
            self.set_mode(Mode::Browse);
            return;
        }
        if let Some(why) = self.closed_when_blind(action) {
            self.message = Some(why);
            return;
        }
        let mut data = Data {
            store: &mut self.store,
            labels: self.marking.labels(),
            sample: self.list.sample(),
            filter: self.list.filter(),
            whole: self.marking.whole(),
        };
        match open(&mut data) {
            Ok(panel) => {
                self.panel = Some((action, panel));
                self.mode = Mode::Panel;
            }
            Err(message) => self.message = Some(message),
        }
    }

    /// Add `term` to the list's filter (or make it the filter when none is on), as if typed
    /// after `&`; a term already there is not added twice.
    fn narrow_filter(&mut self, term: &str) {
        let query = match self.list.filter() {
            Some(f) if f.query.split_whitespace().any(|w| w == term) => f.query.clone(),
            Some(f) => format!("{} {term}", f.query.trim_end()),
            None => term.to_string(),
        };
        self.message = Some(match self.apply_filter(&query) {
            Ok(()) => format!("filter: {query}"),
            Err(message) => message,
        });
    }

    /// Filter the list by `query` and show its first match when the trajectory on screen is
    /// not one; `Err` says what is wrong with the query.
    fn apply_filter(&mut self, query: &str) -> Result<(), String> {
        self.list
            .set_filter(query, &mut self.store, self.marking.labels())?;
        if let Some(first) = self.list.instead_of(self.selected()) {
            self.select(first);
        }
        Ok(())
    }

    /// Do a marking action.
    fn marking_action(&mut self, action: Action) {
        let target = self.target_turn();
        let entry = self.current().cloned();
        let about_marks = !matches!(
            action,
            Action::RevealOthers | Action::ToggleTarget | Action::NextUnmarked
        );
        if about_marks && entry.as_ref().is_some_and(|e| !e.settled) {
            self.message = Some(
                "still reading this file's ids for repeats (a repeated id is renamed `id#2`): \
                 mark again in a moment"
                    .into(),
            );
            return;
        }
        let outcome = self
            .marking
            .act(action, entry.as_deref(), target, &self.keymap);
        self.follow(outcome, action);
    }

    /// Do what a marking action left to do.
    pub(super) fn follow(&mut self, outcome: Outcome, action: Action) {
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
            Outcome::Confirm => {
                self.set_mode(Mode::Confirm);
                self.input.clear();
            }
        }
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
                        self.marking_action(action);
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
}
