//! Diagnostics on stderr: input problems (at most a number per file, then a count of the rest),
//! journal warnings, and every message made safe for a terminal first.

use std::io::{self, Write};

use crate::diag::Diagnostic;
use crate::labels::Replay;

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
            let _ = writeln!(io::stderr().lock(), "{}", sanitize_line(&d.to_string()));
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
                path.display(),
                self.hidden_in_file
            );
        }
        self.shown_in_file = 0;
        self.hidden_in_file = 0;
    }
}

/// Make a message safe for a terminal: control characters become visible escapes.
pub fn sanitize_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
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
    fn sanitize_shows_control_characters() {
        assert_eq!(
            sanitize_line("a\x1b]0;t\x07b\tc"),
            "a\\u{1b}]0;t\\u{7}b\\tc"
        );
    }
}
