//! Counts of `trev check`'s findings: per task, per (task, rule) and per severity, counted by
//! rule index as trajectories come and named by rule id at the end; the task × rule table
//! (AgentTuning's error analysis) and the JSON summary line are made from them.

use std::collections::BTreeMap;

use serde_json::json;

use super::Severity;
use crate::model::{Task, Verdict};
use crate::rules::RuleSet;

/// Counts per task and per (task, rule), the rules named by their ids in the rule set.
/// Findings are counted by index as they come; [`Tally::settle`] names them for the report.
#[derive(Default)]
pub struct Tally<'a> {
    pub files: u64,
    pub skipped: u64,
    /// task → (trajectories, affected, findings)
    tasks: BTreeMap<Task, [u64; 3]>,
    /// outcome → (trajectories, affected, findings)
    outcomes: BTreeMap<Verdict, [u64; 3]>,
    /// (task, rule) → (trajectories affected, findings)
    cells: BTreeMap<(Task, &'a str), [u64; 2]>,
    /// rule → severity of its findings (the highest seen)
    severities: BTreeMap<&'a str, Severity>,
    by_severity: BTreeMap<Severity, u64>,
    pub worst: Option<Severity>,
    /// (task, rule index) → (trajectories affected, findings), at `task * rules + rule`.
    counts: Vec<[u64; 2]>,
    /// Per rule index: the highest severity of its findings.
    highest: Vec<Option<Severity>>,
}

impl<'a> Tally<'a> {
    /// Count one trajectory of `task` with `outcome`, and its findings, by rule index and
    /// severity.
    pub fn add(
        &mut self,
        (task, outcome): (Task, Verdict),
        found: &[(usize, Severity)],
        set: &'a RuleSet,
    ) {
        for t in [
            self.tasks.entry(task).or_default(),
            self.outcomes.entry(outcome).or_default(),
        ] {
            t[0] += 1;
            t[1] += u64::from(!found.is_empty());
            t[2] += found.len() as u64;
        }
        if found.is_empty() {
            return;
        }
        let rules = set.rules().len();
        if self.counts.is_empty() {
            self.counts = vec![[0; 2]; Task::ALL.len() * rules];
            self.highest = vec![None; rules];
        }
        let row = task as usize * rules;
        // The distinct rules of this trajectory (a few, however many findings).
        let mut seen: Vec<usize> = Vec::new();
        for &(rule, severity) in found {
            let cell = &mut self.counts[row + rule];
            cell[1] += 1;
            if !seen.contains(&rule) {
                seen.push(rule);
                cell[0] += 1;
            }
            self.highest[rule] = self.highest[rule].max(Some(severity));
            *self.by_severity.entry(severity).or_default() += 1;
            self.worst = self.worst.max(Some(severity));
        }
    }

    /// Name the counts by rule id, for the report.
    pub fn settle(&mut self, set: &'a RuleSet) {
        let rules = set.rules();
        for task in Task::ALL {
            for (rule, info) in rules.iter().enumerate() {
                let cell = self
                    .counts
                    .get(task as usize * rules.len() + rule)
                    .copied()
                    .unwrap_or_default();
                if cell[1] > 0 {
                    self.cells.insert((task, &*info.id), cell);
                }
            }
        }
        for (info, highest) in rules.iter().zip(&self.highest) {
            if let Some(severity) = highest {
                self.severities.insert(&*info.id, *severity);
            }
        }
    }

    pub fn trajectories(&self) -> u64 {
        self.tasks.values().map(|t| t[0]).sum()
    }

    pub fn findings(&self) -> u64 {
        self.tasks.values().map(|t| t[2]).sum()
    }

    /// The task × rule table's rows: how many trajectories each rule affects per task, then
    /// the task's total (`(any)`); see [`TABLE_HEADER`].
    pub fn table(&self) -> Vec<[String; 6]> {
        let mut rows: Vec<[String; 6]> = Vec::new();
        for (task, [trajs, affected, findings]) in &self.tasks {
            for ((t, rule), [hit, n]) in self.cells.range((*task, "")..) {
                if t != task {
                    break;
                }
                rows.push([
                    task.to_string(),
                    rule.to_string(),
                    self.severities[rule].to_string(),
                    format!("{hit}/{trajs}"),
                    share(*hit, *trajs),
                    n.to_string(),
                ]);
            }
            rows.push([
                task.to_string(),
                "(any)".into(),
                String::new(),
                format!("{affected}/{trajs}"),
                share(*affected, *trajs),
                findings.to_string(),
            ]);
        }
        rows
    }

    /// The line under the table: findings by severity, trajectories affected, files.
    pub fn totals(&self) -> String {
        let affected: u64 = self.tasks.values().map(|t| t[1]).sum();
        let counts: Vec<String> = Severity::ALL
            .iter()
            .map(|s| format!("{} {}", self.by_severity.get(s).copied().unwrap_or(0), s))
            .collect();
        format!(
            "{} findings ({}) in {} of {} trajectories, {} files{}",
            self.findings(),
            counts.join(", "),
            affected,
            self.trajectories(),
            self.files,
            if self.skipped > 0 {
                format!(", {} records skipped", self.skipped)
            } else {
                String::new()
            }
        )
    }

    /// The closing line of `trev check --json`.
    pub fn summary(&self) -> serde_json::Value {
        let mut by_rule: BTreeMap<&str, serde_json::Value> = BTreeMap::new();
        let mut totals: BTreeMap<&str, [u64; 2]> = BTreeMap::new();
        for ((_, rule), [hit, n]) in &self.cells {
            let t = totals.entry(rule).or_default();
            t[0] += hit;
            t[1] += n;
        }
        for (rule, [hit, n]) in totals {
            by_rule.insert(
                rule,
                json!({"severity": self.severities[rule], "findings": n, "trajectories": hit}),
            );
        }
        let mut by_task = serde_json::Map::new();
        for (task, [trajs, affected, findings]) in &self.tasks {
            let rules: serde_json::Map<String, serde_json::Value> = self
                .cells
                .iter()
                .filter(|((t, _), _)| t == task)
                .map(|((_, r), [hit, n])| {
                    (r.to_string(), json!({"findings": n, "trajectories": hit}))
                })
                .collect();
            by_task.insert(
                task.to_string(),
                json!({"trajectories": trajs, "affected": affected, "findings": findings, "rules": rules}),
            );
        }
        let by_severity: BTreeMap<&str, u64> = Severity::ALL
            .iter()
            .map(|s| (s.as_str(), self.by_severity.get(s).copied().unwrap_or(0)))
            .collect();
        // Every outcome, so a script can read `by_outcome.fail` without checking for it.
        let by_outcome: serde_json::Map<String, serde_json::Value> = Verdict::ALL
            .iter()
            .map(|v| {
                let [trajs, affected, findings] = self.outcomes.get(v).copied().unwrap_or_default();
                let counts =
                    json!({"trajectories": trajs, "affected": affected, "findings": findings});
                (v.to_string(), counts)
            })
            .collect();
        json!({
            "type": "summary",
            "files": self.files,
            "trajectories": self.trajectories(),
            "skipped": self.skipped,
            "affected": self.tasks.values().map(|t| t[1]).sum::<u64>(),
            "findings": self.findings(),
            "by_severity": by_severity,
            "by_rule": by_rule,
            "by_task": by_task,
            "by_outcome": by_outcome,
        })
    }
}

/// The columns of [`Tally::table`].
pub const TABLE_HEADER: [&str; 6] = [
    "task",
    "rule",
    "severity",
    "trajectories",
    "share",
    "findings",
];

fn share(part: u64, whole: u64) -> String {
    if whole == 0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}
