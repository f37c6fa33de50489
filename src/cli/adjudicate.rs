//! `trev adjudicate --list`: the queue of disagreements to settle, as a table or JSON Lines
//! (the screen itself opens from `cli/mod.rs`, as a mode of the review screen).

use std::io::{self, BufWriter, Write};

use anyhow::{Context, Result};
use clap::Args;
use serde_json::json;

use super::args::ReviewArgs;
use super::diag::print_warnings;
use super::EXIT_OK;
use crate::load::Dataset;
use crate::sanitize::line;
use crate::session;
use crate::session::adjudicate::{Item, Queue};

#[derive(Debug, Args)]
pub struct AdjudicateArgs {
    #[command(flatten)]
    pub review: ReviewArgs,

    /// Print the queue instead of opening the screen.
    #[arg(long)]
    pub list: bool,

    /// With --list: JSON Lines, one object per item, then a summary.
    #[arg(long, requires = "list")]
    pub json: bool,

    /// Show annotators as `annotator 1`, `annotator 2`… (in name order) while settling.
    #[arg(long)]
    pub hide_names: bool,
}

pub fn run(args: &AdjudicateArgs) -> Result<i32> {
    let r = &args.review;
    let data =
        Dataset::open(&r.input.files, r.input.load_options()).context("cannot open the input")?;
    let dir = session::annotations::dir(r.annotations.as_deref())?;
    let sample = session::sample::for_review(&data, r.sample.spec().as_ref(), &dir)?;
    let (queue, replay) = session::adjudicate::open(&data, &dir, sample.as_deref())?;
    print_warnings(&replay);
    let names = Names::new(&queue, args.hide_names);
    let mut out = BufWriter::new(io::stdout().lock());
    if args.json {
        for item in &queue.items {
            serde_json::to_writer(&mut out, &item_json(item, &names))?;
            writeln!(out)?;
        }
        let summary = json!({"type": "summary", "items": queue.len(), "settled": queue.settled(),
                             "causes": queue.causes()});
        serde_json::to_writer(&mut out, &summary)?;
        writeln!(out)?;
    } else {
        write_table(&mut out, &queue, &names)?;
    }
    out.flush()?;
    Ok(EXIT_OK)
}

/// Annotators' names as shown: their own, or `annotator N` when hidden.
struct Names(Option<Vec<String>>);

impl Names {
    fn new(queue: &Queue, hide: bool) -> Names {
        let mut all: Vec<String> = queue
            .items
            .iter()
            .flat_map(|i| i.answers.keys().cloned())
            .collect();
        all.sort();
        all.dedup();
        Names(hide.then_some(all))
    }

    fn show(&self, name: &str) -> String {
        match &self.0 {
            Some(all) => format!(
                "annotator {}",
                all.iter().position(|n| n == name).map_or(0, |i| i + 1)
            ),
            None => name.to_string(),
        }
    }
}

fn item_json(item: &Item, names: &Names) -> serde_json::Value {
    let answers: serde_json::Map<String, serde_json::Value> = item
        .answers
        .iter()
        .map(|(n, a)| (names.show(n), serde_json::to_value(a).unwrap_or_default()))
        .collect();
    let settled = item.settled.as_ref().map(|g| {
        json!({"label": g.label, "category": g.category, "note": g.note, "cause": g.cause,
               "by": names.show(&g.by), "at": g.at})
    });
    json!({"type": "item", "run": &*item.run, "trajectory": item.trajectory, "turn": item.turn,
           "differs": item.differs, "answers": answers,
           "suggested": {"label": item.suggested.0, "category": item.suggested.1},
           "tie": item.tie, "settled": settled})
}

fn write_table(out: &mut impl Write, queue: &Queue, names: &Names) -> io::Result<()> {
    writeln!(
        out,
        "settled {}/{} disagreements",
        queue.settled(),
        queue.len()
    )?;
    for item in &queue.items {
        let what = item
            .turn
            .map_or("verdict".to_string(), |t| format!("turn {t}"));
        let answer = |label: &str, category: &Option<String>| match category {
            Some(c) => format!("{label} ({c})"),
            None => label.to_string(),
        };
        let answers: Vec<String> = item
            .answers
            .iter()
            .map(|(n, a)| format!("{}: {}", names.show(n), answer(&a.label, &a.category)))
            .collect();
        let state = match &item.settled {
            Some(g) => format!("settled: {}", answer(&g.label, &g.category)),
            None if item.tie => "tie".to_string(),
            None => format!("most: {}", answer(&item.suggested.0, &item.suggested.1)),
        };
        writeln!(
            out,
            "{} {} {what}  {}  [{state}]",
            line(&*item.run),
            line(&item.trajectory),
            line(answers.join(" · "))
        )?;
    }
    Ok(())
}
