//! Findings: what a rule says about one turn. Produced by the rule engine, shown by the review
//! screen, printed by `trev check` ([`print`], counted by [`tally`]), used by agreement and
//! export.

pub mod print;
pub mod tally;

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Context worth seeing.
    Info,
    /// Tolerated by the benchmark, but a defect or a data-quality problem.
    Warn,
    /// The benchmark fails or stops the episode for it.
    Error,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Error, Severity::Warn, Severity::Info];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Error => "error",
        }
    }

    pub fn parse(name: &str) -> Option<Severity> {
        match name {
            "info" => Some(Severity::Info),
            "warn" | "warning" => Some(Severity::Warn),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One defect in one turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The full rule id (`invalid-action/os`), shared with the rule set.
    pub rule: Arc<str>,
    pub severity: Severity,
    /// The trajectory's id, shared by its findings.
    pub trajectory: Arc<str>,
    /// Index of the turn in the trajectory.
    pub turn: usize,
    /// Byte range `[start, end)` in the turn's text (empty when the finding is about the turn
    /// as a whole or about its tool calls).
    pub span: (usize, usize),
    /// Further highlighted ranges after `span`, when the finding has several (terminal
    /// residue: every escape sequence of one observation); empty otherwise.
    pub extra_spans: Vec<(usize, usize)>,
    /// What is wrong in this turn.
    pub message: String,
}

impl Finding {
    /// Every highlighted range: `span`, then the extra ones.
    pub fn spans(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        std::iter::once(self.span).chain(self.extra_spans.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_and_parse() {
        assert!(Severity::Error > Severity::Warn && Severity::Warn > Severity::Info);
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
        assert_eq!(Severity::parse("warning"), Some(Severity::Warn));
        assert_eq!(Severity::parse("fatal"), None);
    }
}
