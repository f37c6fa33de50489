//! Pairing two runs by task: per-trajectory summaries (never the turns) go in side by side,
//! each task's steps are aligned as soon as both sides are in, and the summary is the 2×2
//! table of outcomes, McNemar's exact test and the findings per 100 agent turns per rule.

use std::collections::HashMap;

use serde::Serialize;

use super::align::align;
use super::mcnemar::Table;
use crate::model::Verdict;

/// One trajectory of one side, as much as the comparison needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Side {
    pub id: String,
    /// The run of the trajectory (with the id, the key its marks go to).
    pub run: std::sync::Arc<str>,
    /// Index of its file among the side's files, and of the record in that file.
    pub file: usize,
    pub record: usize,
    pub verdict: Verdict,
    /// The episode ran to its end (whether or not its answer was right): see [`finished`].
    pub finished: bool,
    /// Agent turns that are reviewed (not in-context examples).
    pub agent_turns: u32,
    /// Findings per rule: (index of the rule in the rule set, count), by rule index.
    pub findings: Vec<(u16, u32)>,
    /// The steps' action keys, hashed; dropped once the task is aligned.
    pub actions: Vec<u64>,
    pub steps: u32,
}

impl Side {
    pub fn findings_total(&self) -> u32 {
        self.findings.iter().map(|&(_, n)| n).sum()
    }

    pub fn count(&self, rule: u16) -> u32 {
        self.findings
            .iter()
            .find(|&&(r, _)| r == rule)
            .map_or(0, |&(_, n)| n)
    }
}

/// How the two outcomes of a task compare (B against A).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// B succeeds where A does not.
    Won,
    /// A succeeds where B does not.
    Lost,
    /// Both pass (under *pass vs not*).
    BothPass,
    /// Both ran to their end, correct or not (under *finished vs failed*, where whether they
    /// passed is not known).
    BothFinished,
    /// Neither succeeds (did not pass, or did not finish).
    BothFail,
    /// The task is in one run only.
    AOnly,
    BOnly,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Won => "won",
            Change::Lost => "lost",
            Change::BothPass => "both-pass",
            Change::BothFinished => "both-finished",
            Change::BothFail => "both-fail",
            Change::AOnly => "a-only",
            Change::BOnly => "b-only",
        }
    }
}

/// What counts as success in the summary's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// `pass` against anything else: both runs say whether each episode was correct.
    Pass,
    /// Finished against failed (see [`finished`]): a run does not say
    /// (an AgentBench run without its results file, SWE-agent trajectories without a grade).
    Finished,
}

impl Basis {
    pub fn success(self, side: &Side) -> bool {
        match self {
            Basis::Pass => side.verdict == Verdict::Pass,
            Basis::Finished => side.finished,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Basis::Pass => "pass vs not",
            Basis::Finished => "finished vs failed: correctness is not known on both sides",
        }
    }
}

/// One task: its key and its trajectory on each side, with the alignment of their steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub key: String,
    /// Boxed: a task is then small, and the list of a few hundred thousand grows cheaply.
    pub a: Option<Box<Side>>,
    pub b: Option<Box<Side>>,
    /// Aligned rows and the first row that is not the same (when both sides are in).
    pub aligned: Option<(usize, Option<usize>)>,
}

impl Task {
    pub fn change(&self, basis: Basis) -> Change {
        match (&self.a, &self.b) {
            (Some(a), Some(b)) => match (basis.success(a), basis.success(b)) {
                (true, true) => match basis {
                    Basis::Pass => Change::BothPass,
                    Basis::Finished => Change::BothFinished,
                },
                (false, false) => Change::BothFail,
                (true, false) => Change::Lost,
                (false, true) => Change::Won,
            },
            (Some(_), None) => Change::AOnly,
            _ => Change::BOnly,
        }
    }
}

/// The pairing being built: trajectories of A go in first, then those of B.
#[derive(Debug, Default)]
pub struct Pairing {
    pub tasks: Vec<Task>,
    /// By task key: the task of each occurrence of the key (a key repeated on one side pairs
    /// in order with the same occurrence on the other), and how often each side had it.
    by_key: HashMap<String, (Vec<u32>, [u32; 2])>,
}

impl Pairing {
    /// Add the trajectory of side `b` (false: A, true: B) under task `key`. A key repeated on
    /// one side is `key#2`, `key#3`… and pairs with the same occurrence on the other side.
    pub fn add(&mut self, key: String, b: bool, mut side: Side) {
        let next = self.tasks.len() as u32;
        let (tasks, seen) = self.by_key.entry(key.clone()).or_default();
        seen[b as usize] += 1;
        let k = seen[b as usize] as usize;
        let key = match k {
            1 => key,
            k => format!("{key}#{k}"),
        };
        if let Some(&i) = tasks.get(k - 1) {
            let task = &mut self.tasks[i as usize];
            if b && task.b.is_none() {
                if let Some(a) = task.a.as_mut() {
                    let al = align(&a.actions, &side.actions);
                    task.aligned = Some((al.rows.len(), al.first_divergence()));
                    a.actions = Vec::new();
                }
                side.actions = Vec::new();
                task.b = Some(Box::new(side));
                return;
            }
        }
        tasks.push(next);
        if b {
            side.actions = Vec::new();
        }
        let side = Some(Box::new(side));
        let (a, b) = if b { (None, side) } else { (side, None) };
        self.tasks.push(Task {
            key,
            a,
            b,
            aligned: None,
        });
    }

    /// The pairing is complete: the lookup tables go.
    pub fn finish(mut self) -> Vec<Task> {
        for t in &mut self.tasks {
            if let Some(a) = &mut t.a {
                a.actions = Vec::new();
            }
        }
        self.tasks
    }
}

/// Findings of one rule per 100 agent turns on each side, over the paired tasks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleRate {
    pub rule: String,
    pub a: u64,
    pub b: u64,
    pub a_per_100: f64,
    pub b_per_100: f64,
    /// `b_per_100 - a_per_100`.
    pub difference: f64,
}

/// The comparison's summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub paired: usize,
    pub a_only: usize,
    pub b_only: usize,
    pub basis: Basis,
    pub table: Table,
    /// McNemar's exact two-sided p-value on the discordant pairs.
    pub p_value: f64,
    /// Agent turns of the paired tasks on each side.
    pub agent_turns: [u64; 2],
    pub rules: Vec<RuleRate>,
}

/// Whether an episode ran to its end: `pass` and `unknown` did; `error` did not; `fail` did
/// only when its status says the episode completed and only the answer was wrong (AgentBench's
/// `completed` graded incorrect, SWE-agent's `submitted` patch that fails its tests).
pub fn finished(verdict: Verdict, meta: &[(String, serde_json::Value)]) -> bool {
    let field = |k: &str| {
        meta.iter()
            .find(|(key, _)| key == k)
            .and_then(|(_, v)| v.as_str())
            .map(|s| s.trim().to_ascii_lowercase())
    };
    match verdict {
        Verdict::Pass | Verdict::Unknown => true,
        Verdict::Error => false,
        Verdict::Fail => {
            field("status").is_some_and(|s| s.starts_with("completed"))
                || field("exit_status").is_some_and(|s| s.starts_with("submitted"))
        }
    }
}

/// The basis of the table: `Pass` when no paired trajectory of either side is `unknown`.
pub fn basis(tasks: &[Task]) -> Basis {
    let known = tasks.iter().all(|t| match (&t.a, &t.b) {
        (Some(a), Some(b)) => a.verdict != Verdict::Unknown && b.verdict != Verdict::Unknown,
        _ => true,
    });
    let any_pair = tasks.iter().any(|t| t.a.is_some() && t.b.is_some());
    if known && any_pair {
        Basis::Pass
    } else {
        Basis::Finished
    }
}

/// Summarise the tasks; `rules` are the rule ids by index.
pub fn summarise(tasks: &[Task], rules: &[std::sync::Arc<str>]) -> Summary {
    let basis = basis(tasks);
    let mut table = Table::default();
    let (mut a_only, mut b_only, mut paired) = (0, 0, 0);
    let mut turns = [0u64; 2];
    let mut counts = vec![[0u64; 2]; rules.len()];
    for t in tasks {
        match (&t.a, &t.b) {
            (Some(a), Some(b)) => {
                paired += 1;
                table.add(basis.success(a), basis.success(b));
                for (k, side) in [a, b].into_iter().enumerate() {
                    turns[k] += u64::from(side.agent_turns);
                    for &(r, n) in &side.findings {
                        if let Some(c) = counts.get_mut(r as usize) {
                            c[k] += u64::from(n);
                        }
                    }
                }
            }
            (Some(_), None) => a_only += 1,
            _ => b_only += 1,
        }
    }
    let per_100 = |n: u64, turns: u64| {
        if turns == 0 {
            0.0
        } else {
            100.0 * n as f64 / turns as f64
        }
    };
    let rules = rules
        .iter()
        .zip(&counts)
        .filter(|(_, c)| c[0] + c[1] > 0)
        .map(|(id, c)| {
            let (a, b) = (per_100(c[0], turns[0]), per_100(c[1], turns[1]));
            RuleRate {
                rule: id.to_string(),
                a: c[0],
                b: c[1],
                a_per_100: a,
                b_per_100: b,
                difference: b - a,
            }
        })
        .collect();
    Summary {
        paired,
        a_only,
        b_only,
        basis,
        p_value: table.p_value(),
        table,
        agent_turns: turns,
        rules,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(id: &str, v: Verdict, actions: &[u64], findings: &[(u16, u32)]) -> Side {
        Side {
            id: id.into(),
            run: "r".into(),
            file: 0,
            record: 0,
            verdict: v,
            finished: v != Verdict::Fail,
            agent_turns: 10,
            findings: findings.to_vec(),
            actions: actions.to_vec(),
            steps: actions.len() as u32,
        }
    }

    #[test]
    fn tasks_pair_by_key_and_repeated_keys_pair_in_order() {
        let mut p = Pairing::default();
        p.add(
            "t1".into(),
            false,
            side("a1", Verdict::Pass, &[1, 2, 3], &[]),
        );
        p.add(
            "t2".into(),
            false,
            side("a2", Verdict::Fail, &[1], &[(0, 2)]),
        );
        p.add("t2".into(), false, side("a2'", Verdict::Fail, &[1], &[]));
        p.add(
            "t1".into(),
            true,
            side("b1", Verdict::Fail, &[1, 9, 3], &[(0, 1)]),
        );
        p.add("t2".into(), true, side("b2", Verdict::Pass, &[1], &[]));
        p.add("t3".into(), true, side("b3", Verdict::Pass, &[], &[]));
        let tasks = p.finish();
        let keys: Vec<&str> = tasks.iter().map(|t| t.key.as_str()).collect();
        assert_eq!(keys, ["t1", "t2", "t2#2", "t3"]);
        assert_eq!(tasks[0].aligned, Some((3, Some(1))));
        assert_eq!(tasks[1].aligned, Some((1, None)));
        assert_eq!(tasks[1].b.as_ref().unwrap().id, "b2");
        assert!(tasks[2].b.is_none());
        let s = summarise(&tasks, &["x".into()]);
        assert_eq!((s.paired, s.a_only, s.b_only), (2, 1, 1));
        assert_eq!(s.basis, Basis::Pass);
        assert_eq!((s.table.a_only, s.table.b_only), (1, 1));
        assert_eq!(tasks[0].change(s.basis), Change::Lost);
        assert_eq!(tasks[1].change(s.basis), Change::Won);
        assert_eq!(s.rules[0].a, 2);
        assert_eq!(s.rules[0].b, 1);
        assert_eq!(s.rules[0].a_per_100, 10.0);
        assert_eq!(s.rules[0].difference, -5.0);
    }

    #[test]
    fn unknown_outcomes_compare_finished_against_failed() {
        let mut p = Pairing::default();
        p.add("t".into(), false, side("a", Verdict::Unknown, &[], &[]));
        p.add("t".into(), true, side("b", Verdict::Fail, &[], &[]));
        let tasks = p.finish();
        assert_eq!(basis(&tasks), Basis::Finished);
        assert_eq!(tasks[0].change(Basis::Finished), Change::Lost);
        let mut p = Pairing::default();
        p.add("t".into(), false, side("a", Verdict::Unknown, &[], &[]));
        p.add("t".into(), true, side("b", Verdict::Pass, &[], &[]));
        let tasks = p.finish();
        assert_eq!(basis(&tasks), Basis::Finished);
        assert_eq!(tasks[0].change(Basis::Finished), Change::BothFinished);
        assert_eq!(Change::BothFinished.as_str(), "both-finished");
    }
}
