//! The export policy's options (`trev export`, and `trev report`'s filter funnel): which
//! annotators count, how their marks combine, and what a trajectory needs to be kept.

use std::collections::BTreeSet;

use anyhow::{anyhow, Result};
use clap::{Args, ValueEnum};

use crate::export::policy::{self, Policy};
use crate::findings::Severity;
use crate::labels::votes;

/// The gold-set policy as options.
#[derive(Debug, Clone, Args)]
pub struct PolicyArgs {
    /// Count only these annotators (default: all).
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub annotators: Vec<String>,

    /// How annotators' marks on a turn combine (`adjudicated`: the adjudicated answer where
    /// there is one, `--then` elsewhere).
    #[arg(long, value_enum, default_value_t = Agree::Majority)]
    pub agree: Agree,

    /// With `--agree adjudicated`: how marks combine where nothing was adjudicated.
    #[arg(long, value_enum, value_name = "POLICY", default_value_t = Agree::Majority)]
    pub then: Agree,

    /// What a trajectory needs to be kept.
    #[arg(long, value_enum, default_value_t = Require::NoWrong)]
    pub require: Require,

    /// Keep trajectories nobody reviewed.
    #[arg(long)]
    pub keep_unreviewed: bool,

    /// Also drop trajectories with rule findings at this level or above.
    #[arg(long, value_name = "LEVEL", value_parser = ["error", "warn"])]
    pub drop_findings: Option<String>,

    /// Keep trajectories with wrong agent turns, with the training loss of those turns off.
    #[arg(long)]
    pub mask_wrong: bool,

    /// Switch the loss off on in-context example (demo) agent turns too.
    #[arg(long)]
    pub mask_demo: bool,

    /// Keep the prefix before the first wrong agent turn.
    #[arg(long, conflicts_with = "mask_wrong")]
    pub truncate_at_first_wrong: bool,
}

/// `--agree`: how several annotators' marks on one turn combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Agree {
    /// A mark stands only when every annotator who marked the turn gave it; otherwise the turn
    /// is disputed (not wrong, but not right either).
    Unanimous,
    /// The mark most annotators gave; a tie counts as wrong.
    Majority,
    /// Wrong when any annotator marked it wrong; right when all marked it right.
    Any,
    /// The adjudicated answer (`trev adjudicate`) where there is one; `--then` elsewhere.
    Adjudicated,
}

impl PolicyArgs {
    /// How marks combine where nothing was adjudicated.
    pub fn combine(&self) -> Result<votes::Agree> {
        let rule = |a: Agree| match a {
            Agree::Unanimous => Some(votes::Agree::Unanimous),
            Agree::Majority => Some(votes::Agree::Majority),
            Agree::Any => Some(votes::Agree::Any),
            Agree::Adjudicated => None,
        };
        rule(self.agree)
            .or(rule(self.then))
            .ok_or_else(|| anyhow!("--then adjudicated: say what applies where nothing was adjudicated (majority, unanimous or any)"))
    }
}

/// `--require`: what a trajectory needs to be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Require {
    /// The combined trajectory verdict is accept.
    Accepted,
    /// No agent turn is judged wrong (with --mask-wrong or --truncate-at-first-wrong, wrong
    /// turns are masked or cut instead).
    NoWrong,
    /// Every agent turn is judged right.
    AllRight,
}

impl PolicyArgs {
    /// The policy these options describe.
    pub fn policy(&self) -> Result<Policy> {
        Ok(Policy {
            agree: self.combine()?,
            require: self.require.into(),
            keep_unreviewed: self.keep_unreviewed,
            drop_findings: self.drop_findings.as_deref().and_then(Severity::parse),
            mask_wrong: self.mask_wrong,
            mask_demo: self.mask_demo,
            truncate_at_first_wrong: self.truncate_at_first_wrong,
        })
    }

    /// The policy in words, for a report.
    pub fn describe(&self) -> String {
        let name = |a: Agree| {
            a.to_possible_value()
                .map(|v| v.get_name().to_string())
                .unwrap_or_default()
        };
        let mut parts = vec![format!("marks combined by {}", name(self.agree))];
        if self.agree == Agree::Adjudicated {
            parts[0].push_str(&format!(", else {}", name(self.then)));
        }
        let require = self
            .require
            .to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default();
        parts.push(format!("--require {require}"));
        parts.push(
            if self.keep_unreviewed {
                "unreviewed kept"
            } else {
                "unreviewed dropped"
            }
            .to_string(),
        );
        if let Some(level) = &self.drop_findings {
            parts.push(format!("dropped on {level} findings"));
        }
        if self.mask_wrong {
            parts.push("wrong turns masked".to_string());
        }
        if self.truncate_at_first_wrong {
            parts.push("cut at the first wrong turn".to_string());
        }
        if !self.annotators.is_empty() {
            parts.push(format!("annotators {}", self.annotators.join(", ")));
        }
        parts.join("; ")
    }

    /// Whether the adjudicated answers count.
    pub fn adjudicated(&self) -> bool {
        self.agree == Agree::Adjudicated
    }

    /// The counted annotators (all when empty).
    pub fn only(&self) -> BTreeSet<&str> {
        self.annotators.iter().map(String::as_str).collect()
    }
}

impl From<Require> for policy::Require {
    fn from(r: Require) -> policy::Require {
        match r {
            Require::Accepted => policy::Require::Accepted,
            Require::NoWrong => policy::Require::NoWrong,
            Require::AllRight => policy::Require::AllRight,
        }
    }
}
