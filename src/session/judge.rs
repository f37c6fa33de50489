//! The rules as an annotator (`trev agree --with-rules`): on every agent turn people labelled,
//! `rules` says wrong when an error-level finding is on it and right otherwise; and each rule's
//! precision and recall against each person ("does this rule fire where people say wrong?").

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use anyhow::Result;
use serde::Serialize;

use super::agreement::item;
use crate::agree::Item;
use crate::findings::Severity;
use crate::labels::resolve::{resolve, Index, Resolved};
use crate::labels::Replay;
use crate::load::LoadOptions;
use crate::parallel;
use crate::rules::RuleSet;
use crate::scan::{self, Event};

/// The name the rules annotate under.
pub const RULES: &str = "rules";

/// How one rule does against one annotator, over the agent turns that annotator labelled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Score {
    /// Turns the rule flagged that the annotator called wrong.
    pub true_positive: u64,
    pub false_positive: u64,
    pub false_negative: u64,
    pub true_negative: u64,
    /// `null` when the rule never fired on these turns.
    pub precision: Option<f64>,
    /// `null` when the annotator called no turn wrong.
    pub recall: Option<f64>,
}

/// What the rules said: their labels, and the scores per rule and annotator.
pub struct Judged {
    pub triples: Vec<(String, Item, String)>,
    pub scores: BTreeMap<String, BTreeMap<String, Score>>,
}

/// Judge the agent turns people labelled in `replay`, reading them from `files`; the marks are
/// resolved to the trajectories of `files` by run and id first (returned with the result, so
/// that people's ratings are compared on the same items).
pub fn judge(replay: &Replay, files: &[PathBuf], rules: &RuleSet) -> Result<(Judged, Resolved)> {
    let marked = super::marks::marked_ids(replay);
    // The marked trajectories, in file order: key, turn hashes, agent turns, findings.
    let mut found = Vec::new();
    scan::scan(
        files,
        LoadOptions::default(),
        parallel::default_workers(),
        |r| {
            let (t, _) = r.ok()?;
            if !marked.contains(&t.id) {
                return None;
            }
            let entry = super::marks::entry(&t, &marked);
            let findings = rules.check(&t);
            let agent: Vec<usize> = t.agent_turns().map(|x| x.index).collect();
            Some((entry, agent, findings))
        },
        |event| {
            if let Event::Record(Some(x)) = event {
                found.push(x);
            }
            Ok(())
        },
    )?;
    Ok(judge_found(replay, found, rules))
}

/// One labelled trajectory as the rules judge it: its index entry, its agent turns and its
/// findings.
pub type Found = (
    super::marks::Entry,
    Vec<usize>,
    Vec<crate::findings::Finding>,
);

/// [`judge`] over trajectories already read: those of `found` (every loaded trajectory whose
/// id the journals mark).
pub fn judge_found(replay: &Replay, mut found: Vec<Found>, rules: &RuleSet) -> (Judged, Resolved) {
    let rule_ids: Vec<String> = rules.rules().iter().map(|r| r.id.to_string()).collect();
    let mut index = Index::default();
    for ((run, id, hashes), _, _) in &mut found {
        index.add(run.clone(), id.clone(), std::mem::take(hashes));
    }
    let resolved = resolve(replay.marks(), &index);
    // What people labelled: (run, trajectory) → turn → annotator → label.
    type ByTurn<'a> = BTreeMap<usize, BTreeMap<&'a str, &'a str>>;
    let mut labelled: HashMap<(&str, &str), ByTurn> = HashMap::new();
    for (key, mark) in &resolved.marks {
        if let Some(turn) = key.turn {
            labelled
                .entry((&key.run, &key.trajectory))
                .or_default()
                .entry(turn)
                .or_default()
                .insert(&key.annotator, &mark.label);
        }
    }
    let mut triples = Vec::new();
    // rule → annotator → score
    let mut scores: BTreeMap<String, BTreeMap<String, Score>> = BTreeMap::new();
    for ((run, id, _), agent, findings) in &found {
        let Some(turns) = labelled.get(&(&**run, id.as_str())) else {
            continue;
        };
        for (&turn, by_annotator) in turns {
            if !agent.contains(&turn) {
                continue;
            }
            let on_turn = || findings.iter().filter(move |f| f.turn == turn);
            let wrong = on_turn().any(|f| f.severity == Severity::Error);
            let label = if wrong { "wrong" } else { "right" };
            triples.push((
                RULES.to_string(),
                (item(Some(run), id), Some(turn)),
                label.to_string(),
            ));
            let fired: BTreeSet<&str> = on_turn().map(|f| &*f.rule).collect();
            for (&annotator, &human) in by_annotator {
                if annotator == RULES {
                    continue;
                }
                let said_wrong = human == "wrong";
                for rule in &rule_ids {
                    let s = scores
                        .entry(rule.clone())
                        .or_default()
                        .entry(annotator.to_string())
                        .or_default();
                    match (fired.contains(rule.as_str()), said_wrong) {
                        (true, true) => s.true_positive += 1,
                        (true, false) => s.false_positive += 1,
                        (false, true) => s.false_negative += 1,
                        (false, false) => s.true_negative += 1,
                    }
                }
            }
        }
    }
    for s in scores.values_mut().flat_map(|m| m.values_mut()) {
        let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
        s.precision = ratio(s.true_positive, s.true_positive + s.false_positive);
        s.recall = ratio(s.true_positive, s.true_positive + s.false_negative);
    }
    (Judged { triples, scores }, resolved)
}
