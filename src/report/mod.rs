//! The error-analysis report (`trev report`): the dataset, the rules' findings per task and
//! rule, the export policy's filter funnel and, with journals, the people's marks — counted in
//! one scan of the inputs ([`collect`]) into a plain data model ([`Report`]), then written as
//! Markdown tables ([`markdown`]), SVG figures ([`charts`]) or one HTML page of both
//! ([`html`]). Every number a figure shows is in a table ([`tables`]).

pub mod charts;
pub mod collect;
pub mod html;
mod labels;
pub mod markdown;
pub mod tables;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::agree::Agreement;
use crate::estimate::Proportion;
use crate::labels::progress::Progress;
use crate::model::Task;
use crate::session::judge::Score;
use crate::stats::Tally;

pub use collect::{collect, Inputs, Note};

/// Everything the report shows.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The input files, in the order read.
    pub files: Vec<FileRow>,
    /// The runs, in the order first seen.
    pub runs: Vec<String>,
    /// One group per (run, task) that has trajectories, sorted by run (as in `runs`), then task.
    pub groups: Vec<Group>,
    /// The rules that found anything, with their severity, sorted by id.
    pub rules: Vec<(String, String)>,
    /// The export policy of the funnel, in words.
    pub policy: String,
    /// Whether the report is over a sample (what was drawn, in words).
    pub sample: Option<String>,
    /// With journals: what people marked.
    pub labels: Option<Labels>,
}

/// One input file.
#[derive(Debug, Clone, Serialize)]
pub struct FileRow {
    pub file: String,
    pub run: String,
    pub formats: Vec<String>,
    pub trajectories: u64,
    /// Records that could not be read.
    pub skipped: u64,
}

/// The counts of one run's task.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub run: String,
    pub task: Task,
    /// Trajectories, turns by role, outcomes and formats (as `trev stats` counts them).
    #[serde(serialize_with = "tally_json")]
    pub tally: Tally,
    /// Trajectories with at least one finding.
    pub with_findings: u64,
    /// rule → [trajectories with a finding of it, findings]
    pub rules: BTreeMap<String, [u64; 2]>,
    /// Kept by the export policy, and their turns (after any cut).
    pub kept: u64,
    pub kept_turns: u64,
    /// Dropped by the export policy, by reason.
    pub dropped: BTreeMap<String, u64>,
}

impl Group {
    pub fn trajectories(&self) -> u64 {
        self.tally.trajectories
    }

    /// The group's name in a chart: the task, behind its run when there are several runs.
    pub fn label(&self, runs: usize) -> String {
        if runs > 1 {
            format!("{} · {}", self.run, self.task.as_str())
        } else {
            self.task.as_str().to_string()
        }
    }

    /// The share of trajectories with a finding of `rule`.
    pub fn rule_share(&self, rule: &str) -> f64 {
        let hit = self.rules.get(rule).map_or(0, |c| c[0]);
        share(hit, self.trajectories())
    }

    /// The mean turns of the kept trajectories (0 when none is kept).
    pub fn kept_mean_turns(&self) -> f64 {
        if self.kept == 0 {
            0.0
        } else {
            self.kept_turns as f64 / self.kept as f64
        }
    }
}

/// What the journals say about the loaded data.
#[derive(Debug, Clone, Serialize)]
pub struct Labels {
    pub annotations: String,
    /// Marking progress per annotator (as `trev stats --annotations` counts it).
    pub progress: Vec<Progress>,
    /// Per (run, task) with a judged agent turn: wrong agent turns among judged ones (marks
    /// combined by the policy's `--agree`), with the 95 % Wilson interval.
    pub wrong: Vec<WrongRow>,
    /// The category set's names, in its order, then `uncategorised`.
    pub categories: Vec<String>,
    /// Per (run, task): wrong marks per category (every counted annotator's mark).
    pub by_category: Vec<CategoryRow>,
    /// rule → annotator → score, on the agent turns people labelled (as `trev agree
    /// --with-rules`).
    pub rule_scores: BTreeMap<String, BTreeMap<String, Score>>,
    /// Agreement on turn marks (as `trev agree DIR`).
    pub agreement: Option<Agreement>,
}

/// Wrong agent turns of one run's task.
#[derive(Debug, Clone, Serialize)]
pub struct WrongRow {
    pub run: String,
    pub task: Task,
    pub wrong_turns: Proportion,
}

/// Wrong marks of one run's task by category.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryRow {
    pub run: String,
    pub task: Task,
    /// In the order of [`Labels::categories`].
    pub counts: Vec<u64>,
}

/// Each rule that fired on a labelled turn, scored against every annotator at once (the
/// counts summed over annotators), sorted by rule id.
pub fn pooled_scores(l: &Labels) -> Vec<(String, Score)> {
    let mut out = Vec::new();
    for (rule, by) in &l.rule_scores {
        let mut s = Score::default();
        for x in by.values() {
            s.true_positive += x.true_positive;
            s.false_positive += x.false_positive;
            s.false_negative += x.false_negative;
            s.true_negative += x.true_negative;
        }
        if s.true_positive + s.false_positive == 0 {
            continue;
        }
        let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
        s.precision = ratio(s.true_positive, s.true_positive + s.false_positive);
        s.recall = ratio(s.true_positive, s.true_positive + s.false_negative);
        out.push((rule.clone(), s));
    }
    out
}

/// `part` of `whole` as a fraction (0 when `whole` is 0).
pub fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn tally_json<S: serde::Serializer>(t: &Tally, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(5))?;
    m.serialize_entry("trajectories", &t.trajectories)?;
    let roles: BTreeMap<&str, u64> = ["system", "instruction", "agent", "environment"]
        .into_iter()
        .zip(t.turns)
        .collect();
    m.serialize_entry("turns", &roles)?;
    let outcomes: BTreeMap<&str, u64> = crate::model::Verdict::ALL
        .iter()
        .map(|v| v.as_str())
        .zip(t.outcomes)
        .collect();
    m.serialize_entry("outcomes", &outcomes)?;
    m.serialize_entry("max_turns", &t.max_turns)?;
    let formats: Vec<&str> = t.formats.iter().map(|f| f.as_str()).collect();
    m.serialize_entry("formats", &formats)?;
    m.end()
}

/// The figures, by the name `--figure` takes, with what each shows.
pub const FIGURES: [(&str, &str); 8] = [
    ("outcomes", "trajectories per task by outcome"),
    ("findings", "share of trajectories with a finding, task × rule (heat map)"),
    ("funnel", "trajectories per task, and those the export policy keeps"),
    ("progress", "agent turns marked per annotator (with journals)"),
    ("wrong-turns", "share of judged agent turns that are wrong, per task, with 95 % Wilson intervals (with journals)"),
    ("categories", "wrong marks per task by error category (with journals)"),
    ("rule-precision", "each rule's precision and recall against people (with journals)"),
    ("agreement", "confusion matrices of each pair of annotators (with journals)"),
];
