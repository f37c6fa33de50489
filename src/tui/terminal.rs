//! The terminal guard: raw mode, alternate screen, mouse capture and bracketed paste on the way
//! in; all of it undone in `Drop`, in a panic hook that then chains to the previous one, and
//! when SIGTERM, SIGHUP or SIGINT arrives (the loop polls a flag set by the handler).

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::crossterm::{cursor, execute};
use ratatui::Terminal;

/// Set once the terminal was restored, so that restoring twice does nothing.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Owns the terminal while the review screen runs.
pub struct Guard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
    /// Set by SIGTERM and SIGHUP.
    pub signalled: Arc<AtomicBool>,
}

impl Guard {
    pub fn enter() -> io::Result<Guard> {
        let signalled = Arc::new(AtomicBool::new(false));
        #[cfg(unix)]
        for signal in [
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGHUP,
            signal_hook::consts::SIGINT,
        ] {
            signal_hook::flag::register(signal, signalled.clone())?;
        }
        install_panic_hook();
        enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        let mut stdout = io::stdout();
        if let Err(e) = execute!(
            stdout,
            EnterAlternateScreen,
            EnableMouseCapture,
            EnableBracketedPaste,
            cursor::Hide
        ) {
            restore();
            return Err(e);
        }
        let terminal = Terminal::new(CrosstermBackend::new(stdout)).inspect_err(|_| restore())?;
        spawn_watchdog(signalled.clone());
        Ok(Guard {
            terminal,
            signalled,
        })
    }

    pub fn signalled(&self) -> bool {
        self.signalled.load(Ordering::Relaxed)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Undo everything `Guard::enter` did. Safe to call more than once.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut stdout = io::stdout();
    let _ = execute!(
        stdout,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = stdout.flush();
}

/// A terminal that goes away (its window closed, its tmux server killed) can leave the event
/// reader spinning on end-of-file inside crossterm, where the main loop never sees the signal
/// flag. The watchdog ends the process then: when the terminal is gone, or when a signal has
/// not stopped the main loop within a second. Every mark is on disk already (each is fsynced
/// before it is shown as saved), so nothing is lost.
fn spawn_watchdog(signalled: Arc<AtomicBool>) {
    let _ = std::thread::Builder::new()
        .name("trev-watchdog".into())
        .spawn(move || {
            let mut signalled_for = 0u32;
            while ACTIVE.load(Ordering::SeqCst) {
                std::thread::sleep(std::time::Duration::from_millis(250));
                let gone = ratatui::crossterm::terminal::size().is_err();
                if signalled.load(Ordering::Relaxed) {
                    signalled_for += 1;
                }
                if gone || signalled_for >= 4 {
                    restore();
                    std::process::exit(if gone { 0 } else { 130 });
                }
            }
        });
}

fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // The indexer's panic is caught and shown in the status bar: the screen stays.
        if std::thread::current().name() == Some(crate::load::dataset::INDEXER_THREAD) {
            return;
        }
        restore();
        previous(info);
    }));
}
