//! The report's figures, by name (see [`super::FIGURES`]): each made from the [`Report`] and
//! drawn by [`draw`] as one SVG document. With several runs, every bar chart puts the runs'
//! bars side by side in each task (model against model); the heat maps give each run's task a
//! column.

mod draw;

use std::collections::BTreeMap;

use anyhow::{bail, Result};

use super::{Report, FIGURES};
use crate::model::{Task, Verdict};
use draw::{colour, Bars, Heat, GREY};

pub use draw::PALETTE;

/// The tasks of the report, in order, and per task and run the group's index.
fn task_grid(r: &Report) -> (Vec<Task>, BTreeMap<(Task, usize), usize>) {
    let mut tasks: Vec<Task> = r.groups.iter().map(|g| g.task).collect();
    tasks.sort();
    tasks.dedup();
    let mut at = BTreeMap::new();
    for (i, g) in r.groups.iter().enumerate() {
        let run = r.runs.iter().position(|x| *x == g.run).unwrap_or(0);
        at.insert((g.task, run), i);
    }
    (tasks, at)
}

fn task_names(tasks: &[Task]) -> Vec<String> {
    tasks.iter().map(|t| t.as_str().to_string()).collect()
}

/// Bars per task and run, each a stack of `stack(group)`.
fn by_task(r: &Report, stack: impl Fn(&super::Group) -> Vec<f64>) -> Vec<Vec<Vec<f64>>> {
    let (tasks, at) = task_grid(r);
    tasks
        .iter()
        .map(|t| {
            (0..r.runs.len())
                .map(|run| match at.get(&(*t, run)) {
                    Some(&i) => stack(&r.groups[i]),
                    None => Vec::new(),
                })
                .collect()
        })
        .collect()
}

fn outcomes(r: &Report) -> Result<String> {
    let (tasks, _) = task_grid(r);
    let colours = [PALETTE[2], PALETTE[5], PALETTE[6], GREY];
    draw::bars(&Bars {
        title: "Trajectories per task by outcome".into(),
        x_desc: "task".into(),
        y_desc: "trajectories".into(),
        categories: task_names(&tasks),
        groups: r.runs.clone(),
        stacks: Verdict::ALL
            .iter()
            .zip(colours)
            .map(|(v, c)| (v.as_str().to_string(), c))
            .collect(),
        values: by_task(r, |g| g.tally.outcomes.iter().map(|n| *n as f64).collect()),
        whiskers: None,
        y_max: None,
    })
}

fn findings(r: &Report) -> Result<String> {
    let title = "Share of trajectories with a finding, per task and rule (%)";
    if r.rules.is_empty() {
        return draw::empty(title, "no rule found anything");
    }
    let runs = r.runs.len();
    let rows: Vec<String> = r.rules.iter().map(|(id, _)| id.clone()).collect();
    let values: Vec<Vec<f64>> = rows
        .iter()
        .map(|rule| r.groups.iter().map(|g| g.rule_share(rule)).collect())
        .collect();
    let text = values
        .iter()
        .map(|row| {
            row.iter()
                .map(|v| {
                    if *v > 0.0 {
                        super::tables::percent(*v)
                    } else {
                        String::new()
                    }
                })
                .collect()
        })
        .collect();
    draw::heat_maps(
        title,
        &[Heat {
            title: String::new(),
            x_desc: if runs > 1 { "run · task" } else { "task" }.into(),
            y_desc: "rule".into(),
            columns: r.groups.iter().map(|g| g.label(runs)).collect(),
            rows,
            values,
            text,
            max: 1.0,
        }],
    )
}

fn funnel(r: &Report) -> Result<String> {
    let (tasks, _) = task_grid(r);
    draw::bars(&Bars {
        title: "Trajectories per task kept by the export policy".into(),
        x_desc: "task".into(),
        y_desc: "trajectories".into(),
        categories: task_names(&tasks),
        groups: r.runs.clone(),
        stacks: vec![("kept".into(), PALETTE[4]), ("dropped".into(), PALETTE[0])],
        values: by_task(r, |g| {
            vec![g.kept as f64, (g.trajectories() - g.kept) as f64]
        }),
        whiskers: None,
        y_max: None,
    })
}

fn progress(r: &Report) -> Result<String> {
    let title = "Agent turns marked per annotator";
    let Some(l) = r.labels.as_ref().filter(|l| !l.progress.is_empty()) else {
        return draw::empty(title, "no annotator has marked anything");
    };
    draw::bars(&Bars {
        title: title.into(),
        x_desc: "annotator".into(),
        y_desc: "agent turns".into(),
        categories: l.progress.iter().map(|p| p.annotator.clone()).collect(),
        groups: vec![String::new()],
        stacks: vec![
            ("right".into(), PALETTE[2]),
            ("wrong".into(), PALETTE[5]),
            ("other label".into(), PALETTE[6]),
            ("not marked".into(), GREY),
        ],
        values: l
            .progress
            .iter()
            .map(|p| {
                let other = p.marked.saturating_sub(p.right + p.wrong);
                let left = p.agent_turns.saturating_sub(p.marked);
                vec![vec![
                    p.right as f64,
                    p.wrong as f64,
                    other as f64,
                    left as f64,
                ]]
            })
            .collect(),
        whiskers: None,
        y_max: None,
    })
}

fn wrong_turns(r: &Report) -> Result<String> {
    let title = "Wrong agent turns per task (% of judged, 95 % Wilson interval)";
    let Some(l) = r.labels.as_ref().filter(|l| !l.wrong.is_empty()) else {
        return draw::empty(title, "no agent turn is judged yet");
    };
    let mut tasks: Vec<Task> = l.wrong.iter().map(|w| w.task).collect();
    tasks.sort();
    tasks.dedup();
    let find = |t: Task, run: &str| l.wrong.iter().find(|w| w.task == t && w.run == run);
    let values = tasks
        .iter()
        .map(|t| {
            r.runs
                .iter()
                .map(|run| {
                    vec![
                        find(*t, run)
                            .and_then(|w| w.wrong_turns.share)
                            .unwrap_or(0.0)
                            * 100.0,
                    ]
                })
                .collect()
        })
        .collect();
    let whiskers = tasks
        .iter()
        .map(|t| {
            r.runs
                .iter()
                .map(|run| {
                    let p = &find(*t, run)?.wrong_turns;
                    Some((p.low? * 100.0, p.high? * 100.0))
                })
                .collect()
        })
        .collect();
    draw::bars(&Bars {
        title: title.into(),
        x_desc: "task".into(),
        y_desc: "% of judged agent turns judged wrong".into(),
        categories: task_names(&tasks),
        groups: r.runs.clone(),
        stacks: vec![("wrong".into(), PALETTE[5])],
        values,
        whiskers: Some(whiskers),
        y_max: Some(100.0),
    })
}

fn categories(r: &Report) -> Result<String> {
    let title = "Wrong marks per task by error category";
    let Some(l) = r.labels.as_ref().filter(|l| !l.by_category.is_empty()) else {
        return draw::empty(title, "no agent turn is marked wrong yet");
    };
    // Only the categories used, in the set's order.
    let used: Vec<usize> = (0..l.categories.len())
        .filter(|&i| l.by_category.iter().any(|c| c.counts[i] > 0))
        .collect();
    let mut tasks: Vec<Task> = l.by_category.iter().map(|c| c.task).collect();
    tasks.sort();
    tasks.dedup();
    let last = l.categories.len() - 1;
    let stacks = used
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let c = if i == last { GREY } else { colour(k) };
            (l.categories[i].clone(), c)
        })
        .collect();
    let values = tasks
        .iter()
        .map(|t| {
            r.runs
                .iter()
                .map(|run| {
                    let row = l.by_category.iter().find(|c| c.task == *t && c.run == *run);
                    match row {
                        Some(c) => used.iter().map(|&i| c.counts[i] as f64).collect(),
                        None => Vec::new(),
                    }
                })
                .collect()
        })
        .collect();
    draw::bars(&Bars {
        title: title.into(),
        x_desc: "task".into(),
        y_desc: "wrong marks (every annotator's)".into(),
        categories: task_names(&tasks),
        groups: r.runs.clone(),
        stacks,
        values,
        whiskers: None,
        y_max: None,
    })
}

fn rule_precision(r: &Report) -> Result<String> {
    let title = "Rules against people: precision and recall, all annotators pooled (%)";
    let pooled = r
        .labels
        .as_ref()
        .map(super::pooled_scores)
        .unwrap_or_default();
    if pooled.is_empty() {
        return draw::empty(title, "no rule fired on a turn people labelled");
    }
    draw::bars(&Bars {
        title: title.into(),
        x_desc: "rule".into(),
        y_desc: "%".into(),
        categories: pooled.iter().map(|(rule, _)| rule.clone()).collect(),
        groups: vec!["precision".into(), "recall".into()],
        stacks: vec![(String::new(), PALETTE[4])],
        values: pooled
            .iter()
            .map(|(_, s)| {
                vec![
                    vec![s.precision.unwrap_or(0.0) * 100.0],
                    vec![s.recall.unwrap_or(0.0) * 100.0],
                ]
            })
            .collect(),
        whiskers: None,
        y_max: Some(100.0),
    })
}

fn agreement(r: &Report) -> Result<String> {
    let title = "Agreement on turn marks: confusion matrices per pair (turns)";
    let Some(g) = r.labels.as_ref().and_then(|l| l.agreement.as_ref()) else {
        return draw::empty(title, "no journal");
    };
    let mut maps = Vec::new();
    for (a, row) in &g.pairs {
        for (b, p) in row {
            let max = p.confusion.iter().flatten().copied().max().unwrap_or(0) as f64;
            let (a, b) = (draw::short(a, 40), draw::short(b, 40));
            maps.push(Heat {
                title: format!("{a} × {b}"),
                x_desc: b,
                y_desc: a,
                columns: g.labels.clone(),
                rows: g.labels.clone(),
                values: p
                    .confusion
                    .iter()
                    .map(|r| r.iter().map(|n| *n as f64).collect())
                    .collect(),
                text: p
                    .confusion
                    .iter()
                    .map(|r| r.iter().map(u64::to_string).collect())
                    .collect(),
                max,
            });
        }
    }
    if maps.is_empty() {
        return draw::empty(title, "fewer than two annotators");
    }
    draw::heat_maps(title, &maps)
}

/// The figure `name` as an SVG document.
pub fn figure(r: &Report, name: &str) -> Result<String> {
    match name {
        "outcomes" => outcomes(r),
        "findings" => findings(r),
        "funnel" => funnel(r),
        "progress" => progress(r),
        "wrong-turns" => wrong_turns(r),
        "categories" => categories(r),
        "rule-precision" => rule_precision(r),
        "agreement" => agreement(r),
        _ => bail!("unknown figure '{name}' (one of: {})", names().join(", ")),
    }
}

/// The figures' names.
pub fn names() -> Vec<&'static str> {
    FIGURES.iter().map(|(n, _)| *n).collect()
}

/// Whether `name` needs journals.
pub fn needs_labels(name: &str) -> bool {
    !matches!(name, "outcomes" | "findings" | "funnel")
}
