//! Dataset statistics: trajectories, turns by role, and lengths, per file and task (the table
//! AgentInstruct's paper shows), plus what could not be loaded.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::load::split::Layout;
use crate::model::{Format, Role, Task, Trajectory, Verdict};

/// What stats keeps of one trajectory (computed on a worker thread).
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub task: Task,
    pub format: Format,
    pub roles: [usize; 4],
    pub verdict: Verdict,
}

impl Summary {
    pub fn of(t: &Trajectory) -> Summary {
        Summary {
            task: t.task,
            format: t.format,
            roles: t.role_counts(),
            verdict: t.outcome.verdict,
        }
    }

    /// The loader warns about such a trajectory; stats counts it apart from the repairs.
    pub fn has_no_agent_turn(&self) -> bool {
        self.roles[Role::Agent as usize] == 0
    }
}

/// Counts for one group of trajectories.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub trajectories: u64,
    pub turns: [u64; 4],
    pub max_turns: u64,
    pub formats: BTreeSet<Format>,
    pub skipped: u64,
    /// Trajectories by outcome, in [`Verdict::ALL`] order.
    pub outcomes: [u64; 4],
    /// Trajectories read without an agent turn (the loader warns about each).
    pub no_agent_turns: u64,
}

impl Tally {
    pub fn add(&mut self, s: &Summary) {
        self.trajectories += 1;
        for (total, n) in self.turns.iter_mut().zip(s.roles) {
            *total += n as u64;
        }
        self.max_turns = self.max_turns.max(s.roles.iter().sum::<usize>() as u64);
        self.formats.insert(s.format);
        self.outcomes[s.verdict as usize] += 1;
        if s.has_no_agent_turn() {
            self.no_agent_turns += 1;
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        self.trajectories += other.trajectories;
        for (a, b) in self.turns.iter_mut().zip(other.turns) {
            *a += b;
        }
        self.max_turns = self.max_turns.max(other.max_turns);
        self.formats.extend(other.formats.iter().copied());
        self.skipped += other.skipped;
        for (a, b) in self.outcomes.iter_mut().zip(other.outcomes) {
            *a += b;
        }
        self.no_agent_turns += other.no_agent_turns;
    }

    pub fn total_turns(&self) -> u64 {
        self.turns.iter().sum()
    }

    pub fn mean_turns(&self) -> f64 {
        if self.trajectories == 0 {
            0.0
        } else {
            self.total_turns() as f64 / self.trajectories as f64
        }
    }
}

/// Statistics of one input file.
#[derive(Debug, Clone)]
pub struct FileStats {
    pub path: Arc<Path>,
    pub layout: Layout,
    pub gzip: bool,
    pub by_task: BTreeMap<Task, Tally>,
    /// Records that could not be loaded (they have no task).
    pub skipped: u64,
    pub warnings: u64,
}

impl FileStats {
    pub fn new(path: Arc<Path>) -> FileStats {
        FileStats {
            path,
            layout: Layout::Unknown,
            gzip: false,
            by_task: BTreeMap::new(),
            skipped: 0,
            warnings: 0,
        }
    }

    pub fn add(&mut self, s: &Summary) {
        self.by_task.entry(s.task).or_default().add(s);
    }

    /// A loaded trajectory and the number of its warnings: the no-agent-turn warning is
    /// counted as such (`Tally::no_agent_turns`), not as a repair.
    pub fn add_loaded(&mut self, s: &Summary, warnings: usize) {
        self.add(s);
        self.warnings += (warnings - usize::from(s.has_no_agent_turn() && warnings > 0)) as u64;
    }

    /// The file's totals over all tasks, skipped records included.
    pub fn total(&self) -> Tally {
        let mut total = Tally::default();
        for tally in self.by_task.values() {
            total.merge(tally);
        }
        total.skipped = self.skipped;
        total
    }
}

/// One line of `trev stats --json` (a contract: see DESIGN.md).
#[derive(Debug, Serialize)]
pub struct StatsLine<'a> {
    pub file: String,
    pub task: &'a str,
    pub formats: Vec<&'static str>,
    pub trajectories: u64,
    pub turns: RoleTurns,
    pub mean_turns: f64,
    pub max_turns: u64,
    pub skipped: u64,
    pub outcomes: Outcomes,
    /// Trajectories without an agent turn; left out when there are none.
    #[serde(skip_serializing_if = "is_zero")]
    pub no_agent_turns: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Trajectories by outcome (see `load::outcome`).
#[derive(Debug, Serialize)]
pub struct Outcomes {
    pub pass: u64,
    pub fail: u64,
    pub error: u64,
    pub unknown: u64,
}

#[derive(Debug, Serialize)]
pub struct RoleTurns {
    pub system: u64,
    pub instruction: u64,
    pub agent: u64,
    pub environment: u64,
}

impl<'a> StatsLine<'a> {
    pub fn new(file: &Path, task: &'a str, tally: &Tally) -> StatsLine<'a> {
        StatsLine {
            file: file.display().to_string(),
            task,
            formats: tally.formats.iter().map(|f| f.as_str()).collect(),
            trajectories: tally.trajectories,
            turns: RoleTurns {
                system: tally.turns[Role::System as usize],
                instruction: tally.turns[Role::Instruction as usize],
                agent: tally.turns[Role::Agent as usize],
                environment: tally.turns[Role::Environment as usize],
            },
            mean_turns: tally.mean_turns(),
            max_turns: tally.max_turns,
            skipped: tally.skipped,
            outcomes: Outcomes {
                pass: tally.outcomes[Verdict::Pass as usize],
                fail: tally.outcomes[Verdict::Fail as usize],
                error: tally.outcomes[Verdict::Error as usize],
                unknown: tally.outcomes[Verdict::Unknown as usize],
            },
            no_agent_turns: tally.no_agent_turns,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tallies_add_and_merge() {
        let s = Summary {
            task: Task::Os,
            format: Format::ShareGpt,
            roles: [1, 2, 3, 4],
            verdict: Verdict::Pass,
        };
        let mut a = Tally::default();
        a.add(&s);
        a.add(&Summary {
            roles: [0, 1, 1, 0],
            format: Format::OpenAi,
            verdict: Verdict::Unknown,
            ..s
        });
        assert_eq!(a.trajectories, 2);
        assert_eq!(a.turns, [1, 3, 4, 4]);
        assert_eq!(a.max_turns, 10);
        assert_eq!(a.mean_turns(), 6.0);
        assert_eq!(a.formats.len(), 2);
        let mut b = Tally {
            skipped: 3,
            ..Tally::default()
        };
        b.merge(&a);
        assert_eq!(b.trajectories, 2);
        assert_eq!(b.skipped, 3);
        assert_eq!(b.outcomes, [1, 0, 0, 1]);
        assert_eq!(b.no_agent_turns, 0);
        b.add(&Summary {
            roles: [1, 1, 0, 0],
            ..s
        });
        assert_eq!(b.no_agent_turns, 1);
        assert_eq!(Tally::default().mean_turns(), 0.0);
    }
}
