//! `trev stats --estimate`: from the reviewed part of the team's sample to the whole dataset,
//! and drawing samples that are recorded beside the journals for everyone.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use anyhow::{bail, Result};

use super::label::annotations_dir;
use super::stats::StatsArgs;
use super::EXIT_OK;
use crate::estimate::{self, Population, Reviewed};
use crate::export::policy::{combine, Agree, Combined};
use crate::findings::Severity;
use crate::labels::Replay;
use crate::load::Dataset;
use crate::model::{Role, Task, Trajectory};
use crate::sample::{self, SampleRecord, SampleSpec};

/// Draw a sample and, when there is an annotations directory, record it there (or check it
/// is the one already recorded). Returns the sampled records' global indices.
pub fn draw(data: &Dataset, spec: &SampleSpec, dir: Option<&Path>) -> Result<Vec<usize>> {
    let selected = sample::select(data, spec);
    if let Some(dir) = dir {
        let ids = selected
            .iter()
            .map(|&i| {
                data.load(i)
                    .map(|(t, _)| t.id)
                    .unwrap_or_else(|d| d.to_string())
            })
            .collect();
        let record = SampleRecord {
            v: 1,
            spec: *spec,
            records: data.len(),
            ids,
        };
        sample::record(dir, &record)?;
    }
    Ok(selected)
}

fn agent_turns(t: &Trajectory) -> impl Iterator<Item = usize> + '_ {
    t.turns
        .iter()
        .filter(|x| x.role == Role::Agent && !x.demo)
        .map(|x| x.index)
}

pub fn run(args: &StatsArgs) -> Result<i32> {
    let dir = annotations_dir(args.annotations.as_deref())?;
    let data = Dataset::open(&args.input.files, args.input.load_options())?;
    data.wait();
    // One pass over the whole dataset for its size per task.
    let all = sample::parallel_map(data.len(), |i| {
        data.load(i)
            .ok()
            .map(|(t, _)| (t.id.clone(), t.task, agent_turns(&t).count() as u64))
    });
    let mut total = Population::default();
    let mut by_task: BTreeMap<Task, Population> = BTreeMap::new();
    for (_, task, turns) in all.iter().flatten() {
        for p in [&mut total, by_task.entry(*task).or_default()] {
            p.trajectories += 1;
            p.agent_turns += turns;
        }
    }
    let selected = match args.sample.spec() {
        Some(spec) => draw(&data, &spec, Some(&dir))?,
        None => match sample::recorded(&dir)? {
            Some(record) => {
                let index: HashMap<&str, usize> = all
                    .iter()
                    .enumerate()
                    .filter_map(|(i, x)| x.as_ref().map(|(id, _, _)| (id.as_str(), i)))
                    .collect();
                let found: Vec<usize> = record
                    .ids
                    .iter()
                    .filter_map(|id| index.get(id.as_str()).copied())
                    .collect();
                if found.len() < record.ids.len() {
                    eprintln!(
                        "trev: warning: {} of the {} sampled trajectories are not in these files",
                        record.ids.len() - found.len(),
                        record.ids.len()
                    );
                }
                found
            }
            None => bail!(
                "no sample to estimate from: draw one with --sample N (it is recorded in {} for every annotator)",
                dir.join(sample::RECORD_FILE).display()
            ),
        },
    };
    let mut replay = Replay::new();
    if dir.exists() {
        replay.read_path(&dir)?;
    }
    let votes = crate::export::votes(&replay, &BTreeSet::new());
    let rules = super::check::configured_rules(None)?;
    let reviewed: Vec<Reviewed> = sample::parallel_map(selected.len(), |k| {
        let (t, _) = data.load(selected[k]).ok()?;
        let v = votes.get(&t.id);
        let (mut judged, mut wrong) = (0, 0);
        for turn in agent_turns(&t) {
            match v.and_then(|v| combine(v.turns.get(&turn)?, Agree::Majority)) {
                Some(Combined::Wrong) => {
                    judged += 1;
                    wrong += 1;
                }
                Some(_) => judged += 1,
                None => {}
            }
        }
        let flagged = rules
            .check(&t)
            .iter()
            .any(|f| f.severity == Severity::Error);
        Some(Reviewed {
            task: t.task,
            judged_turns: judged,
            wrong_turns: wrong,
            flagged,
        })
    })
    .into_iter()
    .flatten()
    .collect();
    let report = estimate::estimate(&reviewed, total, &by_task);
    let mut out = BufWriter::new(io::stdout().lock());
    if args.json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        let done = reviewed.iter().filter(|r| r.judged_turns > 0).count();
        writeln!(
            out,
            "estimate from {done} reviewed of {} sampled trajectories ({} in the dataset; majority of annotators per turn)",
            selected.len(),
            total.trajectories
        )?;
        write_estimate(&mut out, "all tasks", &report.overall)?;
        for (task, e) in &report.by_task {
            write_estimate(&mut out, task, e)?;
        }
        let r = &report.rules;
        let pct =
            |x: Option<f64>| x.map_or("undefined".to_string(), |v| format!("{:.1} %", v * 100.0));
        writeln!(
            out,
            "rules (an error finding predicts a wrong agent turn): precision {}, recall {}, accuracy {} (TP {}, FP {}, FN {}, TN {})",
            pct(r.precision),
            pct(r.recall),
            pct(r.accuracy),
            r.true_positive,
            r.false_positive,
            r.false_negative,
            r.true_negative
        )?;
    }
    out.flush()?;
    Ok(EXIT_OK)
}

fn write_estimate(out: &mut impl Write, name: &str, e: &estimate::Estimate) -> io::Result<()> {
    writeln!(out, "{name}")?;
    writeln!(
        out,
        "  trajectories with a wrong agent turn: {}",
        estimate::describe(&e.trajectories_with_wrong, "trajectories")
    )?;
    writeln!(
        out,
        "  wrong agent turns: {}",
        estimate::describe(&e.wrong_turns, "agent turns")
    )
}
