//! The terminal guard: raw mode, alternate screen, mouse capture and bracketed paste on the way
//! in; all of it undone in `Drop`, in a panic hook that then chains to the previous one, and
//! when SIGTERM, SIGHUP or SIGINT arrives or the terminal goes away. The loop reads [`Input`]
//! from one channel: the terminal's events (read on a thread of their own), and the end, sent
//! the moment a signal arrives or the terminal is found gone.

use std::io::{self, IsTerminal, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::Duration;

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event,
};
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::crossterm::{cursor, execute};
use ratatui::Terminal;

/// Set once the terminal was restored, so that restoring twice does nothing.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// A program runs outside the screen (a pager, an editor): the input thread leaves the
/// terminal to it, and SIGINT is the program's, not a reason to end the session.
static OUTSIDE: AtomicBool = AtomicBool::new(false);
/// The input thread has seen [`OUTSIDE`] and reads nothing until it is cleared.
static READER_IDLE: AtomicBool = AtomicBool::new(false);

/// What the loop reads next.
#[derive(Debug)]
pub enum Input {
    /// An event from the terminal.
    Event(Event),
    /// The session is over: a signal arrived, or the terminal went away or cannot be read.
    End,
}

/// How often the watchdog looks whether the terminal is still there.
const WATCH_EVERY: Duration = Duration::from_millis(25);

/// Owns the terminal while the review screen runs.
pub struct Guard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
    /// Set by SIGTERM, SIGHUP and SIGINT, and when the terminal went away.
    pub signalled: Arc<AtomicBool>,
    input: Receiver<Input>,
}

impl Guard {
    pub fn enter() -> io::Result<Guard> {
        let signalled = Arc::new(AtomicBool::new(false));
        let (send, input) = mpsc::channel();
        #[cfg(unix)]
        spawn_signals(signalled.clone(), send.clone())?;
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
        spawn_reader(send.clone()).inspect_err(|_| restore())?;
        spawn_watchdog(signalled.clone(), send);
        Ok(Guard {
            terminal,
            signalled,
            input,
        })
    }

    /// Run `program` with the terminal as it was before the screen (cooked mode, the main
    /// screen, no mouse capture), the input thread holding off; then take the screen back and
    /// draw it whole.
    pub fn outside<T>(&mut self, program: impl FnOnce() -> T) -> io::Result<T> {
        OUTSIDE.store(true, Ordering::SeqCst);
        // The input thread looks at the flag at least every 50 ms.
        for _ in 0..100 {
            if READER_IDLE.load(Ordering::SeqCst) {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let mut stdout = io::stdout();
        execute!(
            stdout,
            DisableBracketedPaste,
            DisableMouseCapture,
            LeaveAlternateScreen,
            cursor::Show
        )?;
        disable_raw_mode()?;
        let result = program();
        enable_raw_mode()?;
        execute!(
            stdout,
            EnterAlternateScreen,
            EnableMouseCapture,
            EnableBracketedPaste,
            cursor::Hide
        )?;
        self.terminal.clear()?;
        OUTSIDE.store(false, Ordering::SeqCst);
        Ok(result)
    }

    pub fn signalled(&self) -> bool {
        self.signalled.load(Ordering::Relaxed)
    }

    /// The next input, waiting at most `timeout`; `None` when nothing came.
    pub fn next(&self, timeout: Duration) -> Option<Input> {
        match self.input.recv_timeout(timeout) {
            Ok(input) => Some(input),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => Some(Input::End),
        }
    }
}

/// SIGTERM, SIGHUP (the terminal hung up) and SIGINT end the session the moment they arrive.
#[cfg(unix)]
fn spawn_signals(signalled: Arc<AtomicBool>, send: Sender<Input>) -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])?;
    std::thread::Builder::new()
        .name("trev-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                // ctrl-c in a pager reaches the whole process group: the pager's to handle.
                if signal == SIGINT && OUTSIDE.load(Ordering::SeqCst) {
                    continue;
                }
                signalled.store(true, Ordering::SeqCst);
                let _ = send.send(Input::End);
            }
        })?;
    Ok(())
}

/// The terminal's events, read on a thread of their own so that the loop never waits inside
/// the reader: on a terminal that went away crossterm's reader spins on end-of-file and never
/// returns (the watchdog and SIGHUP end the session then). A read error ends it too.
fn spawn_reader(send: Sender<Input>) -> io::Result<()> {
    std::thread::Builder::new()
        .name("trev-input".into())
        .spawn(move || loop {
            // While a program runs outside the screen the terminal's input is its own: look
            // again a little later. Otherwise wait a little for an event, then read it.
            if OUTSIDE.load(Ordering::SeqCst) {
                READER_IDLE.store(true, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
            READER_IDLE.store(false, Ordering::SeqCst);
            let input = match event::poll(Duration::from_millis(50)) {
                Ok(false) => continue,
                Ok(true) => match event::read() {
                    Ok(e) => Input::Event(e),
                    Err(_) => Input::End,
                },
                Err(_) => Input::End,
            };
            let end = matches!(input, Input::End);
            if send.send(input).is_err() || end {
                return;
            }
        })?;
    Ok(())
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

/// A terminal that goes away (its window closed, its tmux server killed) need not send a
/// signal, and its reader never says so (see [`spawn_reader`]). The watchdog looks every
/// 25 ms whether standard output is still a terminal (a hung-up one is not) and ends the
/// session when it is gone. When the loop has not ended a quarter of a second after the
/// terminal went away, or a second after a signal (it is busy), the watchdog ends the process
/// itself, which releases the journal's lock too. Every mark is on disk already (each is
/// fsynced before it is shown as saved), so nothing is lost.
fn spawn_watchdog(signalled: Arc<AtomicBool>, send: Sender<Input>) {
    let was_terminal = io::stdout().is_terminal();
    let _ = std::thread::Builder::new()
        .name("trev-watchdog".into())
        .spawn(move || {
            let mut gone = false;
            let mut waited = Duration::ZERO;
            while ACTIVE.load(Ordering::SeqCst) {
                std::thread::sleep(WATCH_EVERY);
                if !gone && was_terminal && !io::stdout().is_terminal() {
                    gone = true;
                    signalled.store(true, Ordering::SeqCst);
                    let _ = send.send(Input::End);
                }
                if signalled.load(Ordering::SeqCst) {
                    waited += WATCH_EVERY;
                }
                let patience = if gone {
                    Duration::from_millis(250)
                } else {
                    Duration::from_secs(1)
                };
                if waited >= patience && ACTIVE.load(Ordering::SeqCst) {
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
