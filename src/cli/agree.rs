//! `trev agree`: agreement between annotators (percent agreement, Cohen's κ per pair, Fleiss'
//! κ, Krippendorff's α, confusion matrices) over any number of journals.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use serde::Serialize;

use super::diag::print_warnings;
use super::EXIT_OK;
use crate::agree::{self, Agreement, Stat};
use crate::labels::Replay;
use crate::sanitize::line;
use crate::session;
use crate::session::agreement::Level as At;
use crate::session::judge::{self, Score};

#[derive(Debug, Args)]
pub struct AgreeArgs {
    /// Journal files, or directories whose `*.jsonl` files are journals.
    #[arg(required = true, value_name = "JOURNALS_OR_DIRS")]
    pub journals: Vec<PathBuf>,

    /// The labels, in order (default: right,wrong — accept,reject at `--level trajectory` —
    /// then any other label seen, sorted). A label outside the set is an error.
    #[arg(long, value_name = "LABELS", value_delimiter = ',')]
    pub label_set: Option<Vec<String>>,

    /// Compare marks on turns, verdicts on whole trajectories, or the categories of turns
    /// marked wrong (on turns both annotators of a pair marked wrong; the labels are the
    /// category set's, from `categories.toml` in the first directory given, else the config,
    /// else the default).
    #[arg(long, value_enum, default_value_t = Level::Turn)]
    pub level: Level,

    /// Print one JSON object (the documented shape) instead of the table.
    #[arg(long)]
    pub json: bool,

    /// Add an annotator `rules` that calls an agent turn wrong when the rules find an
    /// error-level defect in it and right otherwise (on the turns people labelled), and show
    /// each rule's precision and recall against each annotator. FILES are the data.
    #[arg(long, value_name = "FILES", num_args = 1..)]
    pub with_rules: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Level {
    Turn,
    Trajectory,
    Category,
}

impl Level {
    fn at(self) -> At {
        match self {
            Level::Turn => At::Turn,
            Level::Trajectory => At::Trajectory,
            Level::Category => At::Category,
        }
    }
}

pub fn run(args: &AgreeArgs) -> Result<i32> {
    let mut replay = Replay::new();
    for path in &args.journals {
        replay
            .read_path(path)
            .with_context(|| format!("cannot read the journals at {}", path.display()))?;
    }
    print_warnings(&replay);
    if let Some(set) = &args.label_set {
        for (i, label) in set.iter().enumerate() {
            if label.is_empty() {
                bail!("--label-set has an empty label");
            }
            if set[..i].contains(label) {
                bail!("--label-set lists '{label}' twice");
            }
        }
    }
    let label_set = args.label_set.as_deref();
    let set = session::categories::configured(
        args.journals
            .iter()
            .find(|p| p.is_dir())
            .map(PathBuf::as_path),
    )?;
    if args.level == Level::Category {
        let known = |c: &str| set.contains(c);
        for w in replay.unknown_categories(&known, &set.tag()) {
            eprintln!("{}", line(&w));
        }
    }
    let (ratings, rule_scores) = if args.with_rules.is_empty() {
        (
            session::agreement::ratings_in(
                &replay,
                args.level.at(),
                label_set,
                Vec::new(),
                &set.names(),
            )?,
            None,
        )
    } else {
        if args.level != Level::Turn {
            bail!("--with-rules compares turns: use it with --level turn");
        }
        let rules = session::rules::configured(None)?;
        let (judged, resolved) = judge::judge(&replay, &args.with_rules, &rules)?;
        if let Some(notice) = resolved.notice() {
            eprintln!("trev: warning: {}", line(&notice));
        }
        let ratings = session::agreement::of_resolved(&resolved, label_set, judged.triples)?;
        (ratings, Some(judged.scores))
    };
    let agreement = agree::agreement(&ratings);
    let by_category = (args.level == Level::Category).then(|| agree::specific_agreement(&ratings));
    let upheld = session::agreement::upheld(&replay, args.level.at());
    // A judge's turn sample recorded in a directory given: the judge against each person on
    // it (turns, so at the turn level).
    let mut turn_sample = None;
    let dirs = args.journals.iter().filter(|p| p.is_dir());
    for dir in dirs.filter(|_| args.level == Level::Turn) {
        if let Some(record) = crate::sample::turns::recorded(dir)? {
            turn_sample = Some(session::turns::table(&replay, &record));
            break;
        }
    }
    let mut out = BufWriter::new(io::stdout().lock());
    if args.json {
        let report = Report {
            agreement: &agreement,
            rules: rule_scores.as_ref(),
            by_category: by_category.as_ref(),
            adjudicated: (!upheld.is_empty()).then_some(&upheld),
            turn_sample: turn_sample.as_ref(),
        };
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write_table(&mut out, &agreement, args.level)?;
        if let Some(scores) = &rule_scores {
            write_scores(&mut out, scores)?;
        }
        if let Some(by) = &by_category {
            write_specific(&mut out, by)?;
        }
        write_upheld(&mut out, &upheld)?;
        if let Some(t) = &turn_sample {
            write_judge(&mut out, t)?;
        }
    }
    out.flush()?;
    Ok(EXIT_OK)
}

/// The `--json` object: the agreement, then the keys that only some runs have.
#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    agreement: &'a Agreement,
    #[serde(skip_serializing_if = "Option::is_none")]
    rules: Option<&'a BTreeMap<String, BTreeMap<String, Score>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by_category: Option<&'a BTreeMap<String, agree::Specific>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    adjudicated: Option<&'a BTreeMap<String, session::agreement::Upheld>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    turn_sample: Option<&'a session::turns::JudgeTable>,
}

fn num(s: &Stat) -> String {
    match s {
        Ok(v) => format!("{v:.3}"),
        Err(why) => format!("undefined ({why})"),
    }
}

fn write_table(out: &mut impl Write, g: &Agreement, level: Level) -> io::Result<()> {
    let clean = |s: &str| line(s).to_string();
    let labels: Vec<String> = g.labels.iter().map(|l| clean(l)).collect();
    let what = match level {
        Level::Turn => "turns",
        Level::Trajectory => "trajectory verdicts",
        Level::Category => "the categories of turns marked wrong",
    };
    writeln!(out, "labels: {}  (on {what})", labels.join(", "))?;
    let annotators: Vec<String> = g
        .annotators
        .iter()
        .map(|a| format!("{} ({})", clean(a), g.counts.per_annotator[a]))
        .collect();
    writeln!(out, "annotators: {}", annotators.join(", "))?;
    let c = &g.counts;
    writeln!(
        out,
        "items: {} labelled, {} with two labels or more, {} labelled by every annotator; {} annotations",
        c.items, c.items_pairable, c.items_all_annotators, c.annotations
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "percent agreement   pooled {}, mean of pairs {}",
        num(&g.percent_agreement.pooled),
        num(&g.percent_agreement.mean_pairwise)
    )?;
    writeln!(
        out,
        "Fleiss' kappa       {}  (items labelled by every annotator)",
        num(&g.fleiss_kappa)
    )?;
    writeln!(
        out,
        "Krippendorff alpha  {}  (nominal, items with two labels or more)",
        num(&g.krippendorff_alpha_nominal)
    )?;
    for (a, row) in &g.pairs {
        for (b, pair) in row {
            writeln!(out)?;
            writeln!(
                out,
                "{} × {}: {} shared items, agreement {}, Cohen's kappa {}",
                clean(a),
                clean(b),
                pair.n,
                num(&pair.percent_agreement),
                num(&pair.cohen_kappa)
            )?;
            if pair.n > 0 {
                write_confusion(out, &labels, &pair.confusion, &clean(a), &clean(b))?;
            }
        }
    }
    Ok(())
}

fn write_confusion(
    out: &mut impl Write,
    labels: &[String],
    m: &[Vec<u64>],
    a: &str,
    b: &str,
) -> io::Result<()> {
    let corner = format!("{a} \\ {b}");
    let w0 = labels
        .iter()
        .map(|l| l.chars().count())
        .chain([corner.chars().count()])
        .max()
        .unwrap_or(0);
    let widths: Vec<usize> = labels
        .iter()
        .enumerate()
        .map(|(j, l)| {
            let cells = m.iter().map(|r| r[j].to_string().len());
            cells.chain([l.chars().count()]).max().unwrap_or(1)
        })
        .collect();
    let mut line = format!("  {corner:<w0$}");
    for (l, w) in labels.iter().zip(&widths) {
        line.push_str(&format!("  {l:>w$}"));
    }
    writeln!(out, "{line}")?;
    for (l, row) in labels.iter().zip(m) {
        let mut line = format!("  {l:<w0$}");
        for (n, w) in row.iter().zip(&widths) {
            line.push_str(&format!("  {n:>w$}"));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Per category: how often annotators who used it agreed.
fn write_specific(out: &mut impl Write, by: &BTreeMap<String, agree::Specific>) -> io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "per category: of its uses on a turn another annotator categorised too, the share they matched"
    )?;
    for (category, s) in by.iter().filter(|(_, s)| s.used > 0) {
        writeln!(
            out,
            "  {:<28} {}  ({} of {} uses)",
            line(category),
            num(&s.specific_agreement),
            s.agreed,
            s.used
        )?;
    }
    Ok(())
}

/// The judge against each person on the recorded turn sample: a 2×2 table each.
fn write_judge(out: &mut impl Write, t: &session::turns::JudgeTable) -> io::Result<()> {
    writeln!(out)?;
    let judge = line(&t.judge).to_string();
    writeln!(
        out,
        "{judge} against each person on the turn sample ({} turns: {} {judge} called right, {} wrong; rows {judge}, columns the person):",
        t.turns, t.judge_right, t.judge_wrong
    )?;
    if t.people.is_empty() {
        return writeln!(out, "  nobody has marked a sampled turn yet");
    }
    let labels = ["right".to_string(), "wrong".to_string()];
    for (person, p) in &t.people {
        let pct = p.percent_agreement.map_or_else(
            |why| format!("undefined ({why})"),
            |v| format!("{:.1} %", v * 100.0),
        );
        writeln!(
            out,
            "{judge} × {}: {} of {} sampled turns marked, agreement {pct}, Cohen's kappa {}",
            line(person),
            p.n,
            t.turns,
            num(&p.cohen_kappa)
        )?;
        if p.n > 0 {
            write_confusion(
                out,
                &labels,
                &p.confusion,
                &judge,
                &line(person).to_string(),
            )?;
        }
    }
    Ok(())
}

/// Each annotator's agreement with the adjudicated answers.
fn write_upheld(
    out: &mut impl Write,
    upheld: &BTreeMap<String, session::agreement::Upheld>,
) -> io::Result<()> {
    if upheld.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "upheld by adjudication (the annotator's answer was the gold one):"
    )?;
    for (annotator, u) in upheld {
        let rate = u
            .rate
            .map_or("undefined".to_string(), |r| format!("{:.1} %", r * 100.0));
        writeln!(
            out,
            "  {:<16} {rate:>9}  ({} of {} adjudicated items)",
            line(annotator),
            u.upheld,
            u.n
        )?;
    }
    Ok(())
}

/// The per-rule table: only rules that fired or that people would have wanted to fire.
fn write_scores(
    out: &mut impl Write,
    scores: &BTreeMap<String, BTreeMap<String, Score>>,
) -> io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "rules against each annotator (a rule's finding on a turn predicts \"wrong\"):"
    )?;
    let pct = |x: Option<f64>| x.map_or("undefined".to_string(), |v| format!("{:.1} %", v * 100.0));
    let mut any = false;
    for (rule, by_annotator) in scores {
        for (annotator, s) in by_annotator {
            if s.true_positive + s.false_positive == 0 {
                continue;
            }
            any = true;
            writeln!(
                out,
                "  {:<32} vs {:<12} precision {:>9}  recall {:>9}  (TP {}, FP {}, FN {}, TN {})",
                line(rule),
                line(annotator),
                pct(s.precision),
                pct(s.recall),
                s.true_positive,
                s.false_positive,
                s.false_negative,
                s.true_negative
            )?;
        }
    }
    if !any {
        writeln!(out, "  no rule fired on a labelled turn")?;
    }
    Ok(())
}
