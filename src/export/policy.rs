//! The gold-set policy: what a trajectory needs to be kept, masked, truncated or dropped, given
//! the annotators' combined marks ([`crate::labels::votes`]).

use std::collections::BTreeMap;
use std::fmt;

use crate::findings::{Finding, Severity};
use crate::labels::votes::{judge, judge_verdict, Agree, Combined, Source, TrajectoryVotes};
use crate::model::{Role, Trajectory};

/// What a trajectory needs to be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Require {
    /// The combined trajectory verdict is accept.
    Accepted,
    /// No agent turn is judged wrong (with --mask-wrong or --truncate-at-first-wrong, wrong
    /// turns are masked or cut instead).
    NoWrong,
    /// Every agent turn is judged right.
    AllRight,
}

/// The whole policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub agree: Agree,
    pub require: Require,
    pub keep_unreviewed: bool,
    pub drop_findings: Option<Severity>,
    pub mask_wrong: bool,
    pub mask_demo: bool,
    pub truncate_at_first_wrong: bool,
}

/// Why a trajectory was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DropReason {
    Unreviewed,
    NotAccepted,
    Rejected,
    WrongTurn,
    DisputedTurn,
    UnmarkedTurn,
    Findings,
    WrongFirstTurn,
}

impl DropReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::Unreviewed => "unreviewed",
            DropReason::NotAccepted => "not accepted",
            DropReason::Rejected => "rejected",
            DropReason::WrongTurn => "wrong agent turn",
            DropReason::DisputedTurn => "disputed agent turn",
            DropReason::UnmarkedTurn => "unmarked agent turn",
            DropReason::Findings => "rule findings",
            DropReason::WrongFirstTurn => "first agent turn wrong",
        }
    }
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What becomes of one trajectory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Keep {
        /// Agent turns whose training loss is switched off.
        masked: Vec<usize>,
        /// Keep only the turns before this index.
        truncate_at: Option<usize>,
    },
    Drop(DropReason),
}

impl Decision {
    fn keep() -> Decision {
        Decision::Keep {
            masked: Vec::new(),
            truncate_at: None,
        }
    }
}

/// Decide the fate of one trajectory from its votes and findings.
pub fn decide(
    t: &Trajectory,
    votes: Option<&TrajectoryVotes>,
    findings: &[Finding],
    policy: &Policy,
) -> Decision {
    if let Some(level) = policy.drop_findings {
        if findings.iter().any(|f| f.severity >= level) {
            return Decision::Drop(DropReason::Findings);
        }
    }
    let empty = TrajectoryVotes::default();
    let votes = votes.unwrap_or(&empty);
    let agent_turns: Vec<usize> = t.agent_turns().map(|x| x.index).collect();
    let judged: BTreeMap<usize, Combined> = agent_turns
        .iter()
        .filter_map(|&i| Some((i, judge(votes, i, policy.agree)?.0)))
        .collect();
    let verdict = judge_verdict(votes, policy.agree);
    let reviewed = !judged.is_empty() || verdict.is_some();
    if !reviewed {
        return if policy.keep_unreviewed {
            with_demo_mask(t, Decision::keep(), policy)
        } else {
            Decision::Drop(DropReason::Unreviewed)
        };
    }
    if verdict == Some(Combined::Wrong) {
        return Decision::Drop(DropReason::Rejected);
    }
    let wrong: Vec<usize> = judged
        .iter()
        .filter(|(_, &c)| c == Combined::Wrong)
        .map(|(&i, _)| i)
        .collect();
    let decision = match policy.require {
        Require::Accepted if verdict != Some(Combined::Right) => {
            return Decision::Drop(DropReason::NotAccepted)
        }
        Require::AllRight => {
            if agent_turns.iter().any(|i| !judged.contains_key(i)) {
                return Decision::Drop(DropReason::UnmarkedTurn);
            }
            if judged.values().any(|&c| c == Combined::Disputed) {
                return Decision::Drop(DropReason::DisputedTurn);
            }
            repair_wrong(&wrong, policy)
        }
        _ => repair_wrong(&wrong, policy),
    };
    with_demo_mask(t, decision, policy)
}

/// Where each judged agent turn's judgement came from (adjudicated, unanimous, majority, tie,
/// disputed).
pub fn sources(
    t: &Trajectory,
    votes: Option<&TrajectoryVotes>,
    policy: &Policy,
) -> Vec<(usize, Source)> {
    let Some(votes) = votes else {
        return Vec::new();
    };
    t.agent_turns()
        .filter_map(|x| Some((x.index, judge(votes, x.index, policy.agree)?.1)))
        .collect()
}

/// Wrong turns: drop, or cut at the first, or mask, as the policy says.
fn repair_wrong(wrong: &[usize], policy: &Policy) -> Decision {
    let Some(&first) = wrong.first() else {
        return Decision::keep();
    };
    if policy.truncate_at_first_wrong {
        return Decision::Keep {
            masked: Vec::new(),
            truncate_at: Some(first),
        };
    }
    if policy.mask_wrong {
        return Decision::Keep {
            masked: wrong.to_vec(),
            truncate_at: None,
        };
    }
    Decision::Drop(DropReason::WrongTurn)
}

fn with_demo_mask(t: &Trajectory, decision: Decision, policy: &Policy) -> Decision {
    match decision {
        Decision::Keep {
            mut masked,
            truncate_at,
        } => {
            if policy.mask_demo {
                masked.extend(
                    t.turns
                        .iter()
                        .filter(|x| x.role == Role::Agent && x.demo)
                        .map(|x| x.index),
                );
                masked.sort_unstable();
                masked.dedup();
            }
            // A cut before any agent turn leaves nothing to train on.
            if let Some(k) = truncate_at {
                let agent_before = t.turns[..k.min(t.turns.len())]
                    .iter()
                    .any(|x| x.role == Role::Agent && !x.demo);
                if !agent_before {
                    return Decision::Drop(DropReason::WrongFirstTurn);
                }
                masked.retain(|&i| i < k);
            }
            Decision::Keep {
                masked,
                truncate_at,
            }
        }
        drop => drop,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::votes::{Mark, Verdict};
    use crate::model::{Format, SourceRef, Task, Turn};
    use std::path::Path;
    use std::sync::Arc;

    fn marks(list: &[(&str, Mark)]) -> BTreeMap<String, Mark> {
        list.iter().map(|(a, m)| (a.to_string(), *m)).collect()
    }

    fn trajectory() -> Trajectory {
        let roles = [
            Role::Instruction,
            Role::Agent,
            Role::Environment,
            Role::Agent,
            Role::Environment,
            Role::Agent,
        ];
        let mut turns: Vec<Turn> = roles
            .iter()
            .enumerate()
            .map(|(i, r)| Turn::new(i, *r, r.as_str(), format!("turn {i}")))
            .collect();
        turns[1].demo = true;
        Trajectory {
            run: Arc::from("r"),
            id: "t1".into(),
            source: SourceRef {
                file: Arc::from(Path::new("x.jsonl")),
                record: 0,
                start: 0,
                end: 0,
                line: 1,
            },
            format: Format::ShareGpt,
            task: Task::Os,
            meta: Vec::new(),
            outcome: Default::default(),
            tools: None,
            turns,
        }
    }

    fn policy() -> Policy {
        Policy {
            agree: Agree::Majority,
            require: Require::NoWrong,
            keep_unreviewed: false,
            drop_findings: None,
            mask_wrong: false,
            mask_demo: false,
            truncate_at_first_wrong: false,
        }
    }

    fn votes(turns: &[(usize, Mark)]) -> TrajectoryVotes {
        TrajectoryVotes {
            turns: turns
                .iter()
                .map(|(i, m)| (*i, marks(&[("alice", *m)])))
                .collect(),
            ..TrajectoryVotes::default()
        }
    }

    #[test]
    fn unreviewed_trajectories_are_dropped_unless_kept() {
        let t = trajectory();
        assert_eq!(
            decide(&t, None, &[], &policy()),
            Decision::Drop(DropReason::Unreviewed)
        );
        let p = Policy {
            keep_unreviewed: true,
            ..policy()
        };
        assert_eq!(decide(&t, None, &[], &p), Decision::keep());
    }

    #[test]
    fn wrong_turns_drop_mask_or_truncate() {
        let t = trajectory();
        let v = votes(&[(3, Mark::Right), (5, Mark::Wrong)]);
        assert_eq!(
            decide(&t, Some(&v), &[], &policy()),
            Decision::Drop(DropReason::WrongTurn)
        );
        let masked = Policy {
            mask_wrong: true,
            mask_demo: true,
            ..policy()
        };
        assert_eq!(
            decide(&t, Some(&v), &[], &masked),
            Decision::Keep {
                masked: vec![1, 5],
                truncate_at: None
            }
        );
        let cut = Policy {
            truncate_at_first_wrong: true,
            ..policy()
        };
        assert_eq!(
            decide(&t, Some(&v), &[], &cut),
            Decision::Keep {
                masked: vec![],
                truncate_at: Some(5)
            }
        );
        let first_wrong = votes(&[(3, Mark::Wrong)]);
        assert_eq!(
            decide(&t, Some(&first_wrong), &[], &cut),
            Decision::Drop(DropReason::WrongFirstTurn)
        );
    }

    #[test]
    fn all_right_needs_every_agent_turn_marked_right() {
        let t = trajectory();
        let p = Policy {
            require: Require::AllRight,
            ..policy()
        };
        let partial = votes(&[(3, Mark::Right)]);
        assert_eq!(
            decide(&t, Some(&partial), &[], &p),
            Decision::Drop(DropReason::UnmarkedTurn)
        );
        let full = votes(&[(3, Mark::Right), (5, Mark::Right)]);
        assert_eq!(decide(&t, Some(&full), &[], &p), Decision::keep());
    }

    #[test]
    fn verdicts_and_findings_decide_too() {
        let t = trajectory();
        let mut v = votes(&[]);
        v.verdicts.insert("alice".into(), Verdict::Reject);
        assert_eq!(
            decide(&t, Some(&v), &[], &policy()),
            Decision::Drop(DropReason::Rejected)
        );
        let p = Policy {
            require: Require::Accepted,
            ..policy()
        };
        v.verdicts.insert("alice".into(), Verdict::Accept);
        assert_eq!(decide(&t, Some(&v), &[], &p), Decision::keep());
        let finding = Finding {
            rule: "empty-turn".into(),
            severity: Severity::Warn,
            trajectory: "t1".into(),
            turn: 3,
            span: (0, 0),
            extra_spans: Vec::new(),
            message: "empty".into(),
        };
        let p = Policy {
            drop_findings: Some(Severity::Warn),
            ..policy()
        };
        assert_eq!(
            decide(&t, Some(&v), &[finding], &p),
            Decision::Drop(DropReason::Findings)
        );
    }
}
