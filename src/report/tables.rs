//! The report's tables, section by section, as text cells: the Markdown file is these tables,
//! and the HTML page shows each section's figures above them. Every number a figure draws is
//! in its section's tables.

use super::{share, Report};
use crate::agree::Stat;
use crate::model::Verdict;

/// One table: a title, a header and rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One part of the report: a few lines of text, the figures (by name), then the tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub title: &'static str,
    pub text: Vec<String>,
    pub figures: Vec<&'static str>,
    pub tables: Vec<Table>,
}

fn table(title: impl Into<String>, header: &[&str], rows: Vec<Vec<String>>) -> Table {
    Table {
        title: title.into(),
        header: header.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

/// The pooled row of the rules' table.
pub const ALL_ANNOTATORS: &str = "(all annotators)";

/// A share as a percentage with one decimal.
pub fn percent(x: f64) -> String {
    format!("{:.1}", 100.0 * x)
}

fn opt_percent(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), percent)
}

fn stat(s: &Stat) -> String {
    match s {
        Ok(v) if v.is_finite() => format!("{v:.3}"),
        _ => "-".to_string(),
    }
}

/// Every section that has something to show.
pub fn sections(r: &Report) -> Vec<Section> {
    let mut out = vec![dataset(r), rules(r), funnel(r)];
    out.extend(labels(r));
    out
}

fn dataset(r: &Report) -> Section {
    let files = r
        .files
        .iter()
        .map(|f| {
            vec![
                f.file.clone(),
                f.run.clone(),
                f.formats.join(", "),
                f.trajectories.to_string(),
                f.skipped.to_string(),
            ]
        })
        .collect();
    let tasks = r
        .groups
        .iter()
        .map(|g| {
            let t = &g.tally;
            let mut row = vec![
                g.run.clone(),
                g.task.as_str().to_string(),
                t.trajectories.to_string(),
                t.total_turns().to_string(),
                t.turns[2].to_string(),
                format!("{:.1}", t.mean_turns()),
            ];
            row.extend(t.outcomes.iter().map(u64::to_string));
            row
        })
        .collect();
    let mut text = vec![format!(
        "{} files, {} runs, {} trajectories.",
        r.files.len(),
        r.runs.len(),
        r.groups.iter().map(|g| g.trajectories()).sum::<u64>()
    )];
    text.extend(r.sample.iter().cloned());
    Section {
        title: "Dataset",
        text,
        figures: vec!["outcomes"],
        tables: vec![
            table(
                "Files",
                &["file", "run", "formats", "trajectories", "skipped"],
                files,
            ),
            table(
                "Trajectories, turns and outcomes per task",
                &[
                    "run",
                    "task",
                    "trajectories",
                    "turns",
                    "agent turns",
                    "mean turns",
                    Verdict::Pass.as_str(),
                    Verdict::Fail.as_str(),
                    Verdict::Error.as_str(),
                    Verdict::Unknown.as_str(),
                ],
                tasks,
            ),
        ],
    }
}

fn rules(r: &Report) -> Section {
    let mut rows = Vec::new();
    for g in &r.groups {
        for (rule, severity) in &r.rules {
            let Some([hit, n]) = g.rules.get(rule) else {
                continue;
            };
            rows.push(vec![
                g.run.clone(),
                g.task.as_str().to_string(),
                rule.clone(),
                severity.clone(),
                hit.to_string(),
                g.trajectories().to_string(),
                percent(share(*hit, g.trajectories())),
                n.to_string(),
            ]);
        }
        rows.push(vec![
            g.run.clone(),
            g.task.as_str().to_string(),
            "(any)".to_string(),
            String::new(),
            g.with_findings.to_string(),
            g.trajectories().to_string(),
            percent(share(g.with_findings, g.trajectories())),
            g.rules.values().map(|c| c[1]).sum::<u64>().to_string(),
        ]);
    }
    Section {
        title: "Rule findings",
        text: vec![
            "Trajectories with at least one finding of each rule, per task (AgentTuning's error analysis); the heat map shows the share, the table the counts.".to_string(),
        ],
        figures: vec!["findings"],
        tables: vec![table(
            "Findings per task and rule",
            &[
                "run",
                "task",
                "rule",
                "severity",
                "trajectories with it",
                "trajectories",
                "share %",
                "findings",
            ],
            rows,
        )],
    }
}

fn funnel(r: &Report) -> Section {
    let rows = r
        .groups
        .iter()
        .map(|g| {
            let dropped: Vec<String> = g.dropped.iter().map(|(k, n)| format!("{k} {n}")).collect();
            vec![
                g.run.clone(),
                g.task.as_str().to_string(),
                g.trajectories().to_string(),
                g.kept.to_string(),
                (g.trajectories() - g.kept).to_string(),
                percent(share(g.kept, g.trajectories())),
                format!("{:.1}", g.kept_mean_turns()),
                dropped.join(", "),
            ]
        })
        .collect();
    let mut text = vec![format!("Export policy: {}.", r.policy)];
    if r.labels.is_none() && r.groups.iter().all(|g| g.kept == 0) {
        text.push("No journals were given, so no trajectory is reviewed: pass --annotations DIR, or --keep-unreviewed to see the rule filter alone.".to_string());
    }
    Section {
        title: "Filter funnel",
        text,
        figures: vec!["funnel"],
        tables: vec![table(
            "Trajectories kept by the export policy",
            &[
                "run",
                "task",
                "trajectories",
                "kept",
                "dropped",
                "kept %",
                "mean turns of kept",
                "dropped by reason",
            ],
            rows,
        )],
    }
}

fn labels(r: &Report) -> Vec<Section> {
    let Some(l) = &r.labels else {
        return Vec::new();
    };
    let progress = l
        .progress
        .iter()
        .map(|p| {
            vec![
                p.annotator.clone(),
                p.marked.to_string(),
                p.agent_turns.to_string(),
                percent(share(p.marked, p.agent_turns)),
                p.right.to_string(),
                p.wrong.to_string(),
                p.marked.saturating_sub(p.right + p.wrong).to_string(),
                p.agent_turns.saturating_sub(p.marked).to_string(),
                p.trajectories_complete.to_string(),
                p.trajectories.to_string(),
                p.accepted.to_string(),
                p.rejected.to_string(),
            ]
        })
        .collect();
    let wrong = l
        .wrong
        .iter()
        .map(|w| {
            let p = &w.wrong_turns;
            vec![
                w.run.clone(),
                w.task.as_str().to_string(),
                p.count.to_string(),
                p.of.to_string(),
                opt_percent(p.share),
                opt_percent(p.low),
                opt_percent(p.high),
            ]
        })
        .collect();
    let mut header = vec!["run", "task"];
    header.extend(l.categories.iter().map(String::as_str));
    let categories = l
        .by_category
        .iter()
        .map(|c| {
            let mut row = vec![c.run.clone(), c.task.as_str().to_string()];
            row.extend(c.counts.iter().map(u64::to_string));
            row
        })
        .collect();
    let mut scores = Vec::new();
    let score_row = |rule: &str, annotator: &str, s: &crate::session::judge::Score| {
        vec![
            rule.to_string(),
            annotator.to_string(),
            s.true_positive.to_string(),
            s.false_positive.to_string(),
            s.false_negative.to_string(),
            s.true_negative.to_string(),
            opt_percent(s.precision),
            opt_percent(s.recall),
        ]
    };
    for (rule, pooled) in super::pooled_scores(l) {
        for (annotator, s) in &l.rule_scores[&rule] {
            scores.push(score_row(&rule, annotator, s));
        }
        scores.push(score_row(&rule, ALL_ANNOTATORS, &pooled));
    }
    let mut out = vec![
        Section {
            title: "Marking progress",
            text: vec![format!("Journals: {}.", l.annotations)],
            figures: vec!["progress"],
            tables: vec![table(
                "Agent turns marked per annotator",
                &[
                    "annotator",
                    "marked",
                    "agent turns",
                    "marked %",
                    "right",
                    "wrong",
                    "other label",
                    "not marked",
                    "complete trajectories",
                    "trajectories",
                    "accepted",
                    "rejected",
                ],
                progress,
            )],
        },
        Section {
            title: "Wrong turns",
            text: vec![format!(
                "Agent turns judged wrong among those judged (marks combined as the policy says: {}), with the 95 % Wilson interval; and every counted annotator's wrong marks by error category.",
                r.policy
            )],
            figures: vec!["wrong-turns", "categories"],
            tables: vec![
                table(
                    "Wrong agent turns per task",
                    &[
                        "run", "task", "wrong", "judged", "share %", "low %", "high %",
                    ],
                    wrong,
                ),
                table("Wrong marks per task and category", &header, categories),
            ],
        },
        Section {
            title: "Rules against people",
            text: vec!["On the agent turns people labelled: a rule's finding on a turn predicts that the annotator called it wrong. Rules that never fired on a labelled turn are left out.".to_string()],
            figures: vec!["rule-precision"],
            tables: vec![table(
                "Precision and recall of each rule against each annotator",
                &["rule", "annotator", "TP", "FP", "FN", "TN", "precision %", "recall %"],
                scores,
            )],
        },
    ];
    if let Some(g) = &l.agreement {
        let overall = vec![vec![
            g.annotators.len().to_string(),
            g.counts.items.to_string(),
            stat(&g.percent_agreement.pooled),
            stat(&g.fleiss_kappa),
            stat(&g.krippendorff_alpha_nominal),
        ]];
        let mut pairs = Vec::new();
        let mut tables = vec![table(
            "Agreement on turn marks",
            &[
                "annotators",
                "items",
                "agreement (pooled)",
                "Fleiss' kappa",
                "Krippendorff's alpha",
            ],
            overall,
        )];
        let mut confusions = Vec::new();
        for (a, row) in &g.pairs {
            for (b, p) in row {
                pairs.push(vec![
                    a.clone(),
                    b.clone(),
                    p.n.to_string(),
                    stat(&p.percent_agreement),
                    stat(&p.cohen_kappa),
                ]);
                let mut header = vec![format!("{a} \\ {b}")];
                header.extend(g.labels.iter().cloned());
                let rows = g
                    .labels
                    .iter()
                    .zip(&p.confusion)
                    .map(|(l, counts)| {
                        let mut row = vec![l.clone()];
                        row.extend(counts.iter().map(u64::to_string));
                        row
                    })
                    .collect();
                confusions.push(Table {
                    title: format!("Confusion: {a} (rows) × {b} (columns)"),
                    header,
                    rows,
                });
            }
        }
        tables.push(table(
            "Pairs",
            &[
                "annotator",
                "annotator",
                "shared items",
                "agreement",
                "Cohen's kappa",
            ],
            pairs,
        ));
        tables.extend(confusions);
        out.push(Section {
            title: "Agreement",
            text: vec![format!("Labels: {}.", g.labels.join(", "))],
            figures: vec!["agreement"],
            tables,
        });
    }
    out
}
