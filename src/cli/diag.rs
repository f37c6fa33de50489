//! Diagnostics on stderr: input problems (at most a number per file, then a count of the rest),
//! journal warnings, each message shown through [`crate::sanitize::line()`].

use std::io::{self, Write};

use crate::diag::Diagnostic;
use crate::labels::Replay;
use crate::sanitize::line;

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
            let _ = writeln!(io::stderr().lock(), "{}", line(d));
        } else {
            self.hidden_in_file += 1;
        }
    }

    /// Close one file's diagnostics.
    pub fn end_file(&mut self, path: &std::path::Path) {
        if self.hidden_in_file > 0 {
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
