//! `--only RULE` runs only the modules that report RULE: its findings must be exactly RULE's
//! findings in a full run, for every built-in rule, over the sample data and (when present)
//! the corpus.

mod common;

use std::path::PathBuf;

use trev::findings::Finding;
use trev::load::{Dataset, LoadOptions};
use trev::model::Trajectory;
use trev::rules::RuleSet;

fn load(path: PathBuf) -> Vec<Trajectory> {
    let ds = Dataset::open(&[path], LoadOptions::default()).unwrap();
    ds.wait();
    (0..ds.len())
        .filter_map(|i| ds.load(i).ok())
        .map(|(t, _)| t)
        .collect()
}

/// Every rule alone finds what it finds with all the others on.
fn each_rule_alone_matches_the_full_run(trajectories: &[Trajectory]) {
    let all = RuleSet::builtin();
    let full: Vec<Finding> = trajectories.iter().flat_map(|t| all.check(t)).collect();
    let mut fired = 0;
    for rule in all.rules() {
        let mut alone = RuleSet::builtin();
        alone.select(&[rule.id.to_string()], &[]).unwrap();
        let got: Vec<Finding> = trajectories.iter().flat_map(|t| alone.check(t)).collect();
        let want: Vec<Finding> = full.iter().filter(|f| f.rule == rule.id).cloned().collect();
        assert_eq!(got, want, "--only {}", rule.id);
        fired += usize::from(!want.is_empty());
    }
    assert!(
        fired > 5,
        "only {fired} rules fired: the data exercises too little"
    );
}

#[test]
fn each_rule_alone_on_the_sample_data() {
    each_rule_alone_matches_the_full_run(&load(common::sample_data()));
}

#[test]
fn each_rule_alone_on_the_corpus() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    each_rule_alone_matches_the_full_run(&load(corpus));
}
