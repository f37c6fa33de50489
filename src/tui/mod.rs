//! The review screen: the only module that knows about terminals. `App` holds the state,
//! `App::update` changes it, `view::draw` draws it, and [`run`] ties them to a real terminal.
//!
//! Findings come from whatever [`FindingsProvider`] is given to [`Store::new`] (the rules
//! engine; tests pass their own); the store calls it once per parsed trajectory.

pub mod action;
mod adjudicating;
mod agreement;
pub mod app;
pub mod blind;
pub mod compare;
pub mod config;
pub mod doc;
pub mod document;
mod estimate;
mod heading;
mod help;
pub mod highlight;
pub mod layout;
pub mod listing;
mod marking;
pub mod marks;
pub mod outside;
pub mod overview;
pub mod panel;
mod panes;
pub mod render;
pub mod store;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod view;

use std::time::Duration;

use anyhow::{Context, Result};
use ratatui::crossterm::event::Event;
use ratatui::layout::Rect;

pub use action::{Action, Keymap};
pub use app::{App, Mode};
pub use store::{FindingsProvider, Store};
pub use theme::Theme;

/// What the review session starts with besides the data: the label state and the sample.
#[derive(Default)]
pub struct Setup {
    pub labels: marks::Labels,
    /// Global indices of the sampled trajectories (increasing), when reviewing a sample.
    pub sample: Option<Vec<usize>>,
}

/// How the screen starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Start {
    /// Reviewing: marking turns.
    #[default]
    Review,
    /// Settling disagreements (`trev adjudicate`), annotators' names hidden or shown.
    Adjudicate { hide_names: bool },
}

/// Run the review screen until the user quits, a signal arrives or the terminal goes away.
pub fn run(store: Store, theme: Theme, keymap: Keymap, setup: Setup, start: Start) -> Result<()> {
    let mut guard = terminal::Guard::enter().context("cannot set up the terminal")?;
    let size = guard.terminal.size()?;
    let mut app = App::new(
        store,
        theme,
        keymap,
        Rect::new(0, 0, size.width, size.height),
    );
    app.start(setup);
    if let Start::Adjudicate { hide_names } = start {
        app.adjudicate(hide_names);
    }
    let result = run_loop(&mut guard, &mut app);
    // The journal's lock goes first, before anything that could wait on a terminal that is
    // gone: another trev may open the journal the moment this one is done with it.
    app.close_journal();
    drop(guard);
    result
}

/// Draw, read, update, until the end.
fn run_loop(guard: &mut terminal::Guard, app: &mut App) -> Result<()> {
    let mut dirty = true;
    while !app.quitting() && !guard.signalled() {
        if dirty {
            guard.terminal.draw(|frame| view::draw(frame, app))?;
            dirty = false;
        }
        let timeout = if app.busy() {
            Duration::from_millis(50)
        } else {
            Duration::from_millis(250)
        };
        match guard.next(timeout) {
            Some(terminal::Input::Event(e)) => match e {
                Event::Key(k) => {
                    app.key(k);
                    if let Some(request) = app.take_outside() {
                        let said = match guard.outside(|| outside::run(&request))? {
                            Ok(said) => said,
                            Err(e) => format!("could not open the turn: {e}"),
                        };
                        app.say(crate::sanitize::sanitize_line(&said));
                    }
                }
                Event::Mouse(m) => app.mouse(m),
                Event::Resize(w, h) => app.resize(w, h),
                Event::Paste(text) => app.paste(&text),
                _ => continue,
            },
            Some(terminal::Input::End) => break,
            None => {
                dirty = app.tick();
                continue;
            }
        }
        dirty = true;
    }
    Ok(())
}
