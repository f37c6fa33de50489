//! Diagnostics on stderr: input problems (at most a number per file, then a count of the rest),
//! journal warnings, each message shown through [`crate::sanitize::line()`]; and the progress
//! line of a long scan, which they clear before they print.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Mutex, PoisonError};
use std::thread::{Scope, ScopedJoinHandle};
use std::time::Duration;

use crate::diag::Diagnostic;
use crate::labels::Replay;
use crate::sanitize::line;
use crate::scan::Watch;

/// Whether the progress line is on the screen. Held while anything is written to stderr
/// during a scan, so a diagnostic never lands in the middle of it.
static PROGRESS_SHOWN: Mutex<bool> = Mutex::new(false);

/// Take stderr: clear the progress line if it is shown (the next tick draws it again, below
/// what is printed now).
fn take_stderr() -> std::sync::MutexGuard<'static, bool> {
    let mut shown = PROGRESS_SHOWN
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if *shown {
        let _ = write!(io::stderr().lock(), "\r\x1b[K");
        *shown = false;
    }
    shown
}

/// Prints input diagnostics on stderr, at most `limit` per file, then a count of the rest.
pub struct DiagnosticPrinter {
    limit: usize,
    shown_in_file: usize,
    hidden_in_file: usize,
    pub errors: u64,
    pub warnings: u64,
}

impl DiagnosticPrinter {
    pub fn new(limit: usize) -> DiagnosticPrinter {
        DiagnosticPrinter {
            limit,
            shown_in_file: 0,
            hidden_in_file: 0,
            errors: 0,
            warnings: 0,
        }
    }

    pub fn print(&mut self, d: &Diagnostic) {
        match d.level {
            crate::diag::Level::Error => self.errors += 1,
            crate::diag::Level::Warning => self.warnings += 1,
        }
        if self.shown_in_file < self.limit {
            self.shown_in_file += 1;
            let _stderr = take_stderr();
            let _ = writeln!(io::stderr().lock(), "{}", line(d));
        } else {
            self.hidden_in_file += 1;
        }
    }

    /// Close one file's diagnostics.
    pub fn end_file(&mut self, path: &std::path::Path) {
        if self.hidden_in_file > 0 {
            let _stderr = take_stderr();
            let _ = writeln!(
                io::stderr().lock(),
                "{}: … and {} more diagnostics",
                line(path.display()),
                self.hidden_in_file
            );
        }
        self.shown_in_file = 0;
        self.hidden_in_file = 0;
    }
}

/// A line on stderr saying how far a long command has got (`text` says it), drawn four times a
/// second once the command has run for a second, and only when stderr is a terminal; cleared
/// when dropped. Its ticker runs in `scope`, so `text` may borrow what the command works on.
pub struct ProgressLine<'scope> {
    stop: Option<Sender<()>>,
    ticker: Option<ScopedJoinHandle<'scope, ()>>,
}

impl<'scope> ProgressLine<'scope> {
    /// Start the ticker (when `wanted` and stderr is a terminal; else do nothing).
    pub fn start<'env, F>(scope: &'scope Scope<'scope, 'env>, wanted: bool, text: F) -> Self
    where
        F: Fn() -> String + Send + 'scope,
    {
        if !wanted || !io::stderr().is_terminal() {
            return ProgressLine {
                stop: None,
                ticker: None,
            };
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let ticker = scope.spawn(move || {
            let mut wait = Duration::from_secs(1);
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(wait) {
                wait = Duration::from_millis(250);
                let text = text();
                let mut shown = PROGRESS_SHOWN
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let _ = write!(io::stderr().lock(), "\r\x1b[K{}", line(&text));
                *shown = true;
            }
            let _stderr = take_stderr();
        });
        ProgressLine {
            stop: Some(stop),
            ticker: Some(ticker),
        }
    }
}

impl Drop for ProgressLine<'_> {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(ticker) = self.ticker.take() {
            let _ = ticker.join();
        }
    }
}

/// What a scan has read: "trev: 250 of 1000 MB read (25 %)", or without the total when it
/// is not known.
pub fn bytes_read(watch: &Watch) -> String {
    let read = watch.read.load(Ordering::Relaxed);
    let total = watch.total.load(Ordering::Relaxed);
    share("trev:", read, total, "MB read")
}

/// "`what` `done` of `total` `unit` (`pct` %)", in megabytes when `unit` starts with "MB".
pub fn share(what: &str, done: u64, total: u64, unit: &str) -> String {
    let megabytes = unit.starts_with("MB");
    let shown = |n: u64| {
        if megabytes {
            n.saturating_add(500_000) / 1_000_000
        } else {
            n
        }
    };
    match (done.saturating_mul(100)).checked_div(total) {
        None => format!("{what} {} {unit}", shown(done)),
        Some(pct) => format!(
            "{what} {} of {} {unit} ({} %)",
            shown(done),
            shown(total),
            pct.min(100)
        ),
    }
}

/// Print the journals' bad lines on stderr, at most 20 per file.
pub fn print_warnings(replay: &Replay) {
    let mut printer = DiagnosticPrinter::new(20);
    let mut current: Option<&std::path::Path> = None;
    for w in replay.warnings() {
        if current.is_some_and(|c| c != &*w.file) {
            printer.end_file(current.unwrap_or(&w.file));
        }
        current = Some(&w.file);
        printer.print(w);
    }
    if let Some(file) = current {
        printer.end_file(file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_says_how_much_of_how_much() {
        assert_eq!(share("trev:", 1_500_000, 0, "MB read"), "trev: 2 MB read");
        assert_eq!(
            share("trev:", 250_000_000, 1_000_000_000, "MB read"),
            "trev: 250 of 1000 MB read (25 %)"
        );
        assert_eq!(
            share("trev export:", 3, 4, "trajectories"),
            "trev export: 3 of 4 trajectories (75 %)"
        );
    }
}
