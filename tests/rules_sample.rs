//! Every built-in rule on the project's own sample data (`scripts/make_sample_data.py`): each
//! fires where a defect was planted, and clean trajectories stay clean.

mod common;

use std::collections::BTreeSet;

use trev::load::{Dataset, LoadOptions};
use trev::rules::RuleSet;

/// (trajectory, rule, turn) for every finding over `sample_data/`.
fn findings() -> BTreeSet<(String, String, usize)> {
    let ds = Dataset::open(&[common::sample_data()], LoadOptions::default()).unwrap();
    ds.wait();
    let rules = RuleSet::builtin();
    (0..ds.len())
        .filter_map(|i| ds.load(i).ok())
        .flat_map(|(t, _)| rules.check(&t))
        .map(|f| (f.trajectory.to_string(), f.rule.to_string(), f.turn))
        .collect()
}

#[test]
fn every_planted_defect_is_found_on_its_turn() {
    let got = findings();
    let expected = [
        ("os_2", "invalid-action/os", 9),
        ("os_90", "invalid-action/os", 7),
        ("os_1", "terminal-signature", 6),
        ("os_90", "agent-hallucinated-observation", 5),
        ("os_90", "format/multiple-actions", 9),
        ("os_90", "final-answer/missing", 9),
        ("os_2", "final-answer/malformed", 9),
        ("os_90", "context/truncated", 10),
        ("db_90", "env-error/db", 3),
        ("db_90", "format/multiple-actions", 3),
        ("db_90", "invalid-action/db", 5),
        ("db_90", "agent-hallucinated-observation", 7),
        ("db_90", "final-answer/malformed", 9),
        ("kg_90", "format/multiple-actions", 3),
        ("kg_90", "invalid-action/kg", 5),
        ("kg_90", "repetition/loop", 7),
        ("kg_90", "agent-hallucinated-observation", 9),
        ("kg_90", "final-answer/malformed", 11),
        ("alfworld_7", "invalid-action/alfworld", 5),
        ("alfworld_90", "invalid-action/alfworld", 3),
        ("alfworld_90", "invalid-action/alfworld", 5),
        ("alfworld_90", "repetition/exact", 11),
        ("alfworld_90", "format/role-alternation", 12),
        ("webshop_90", "invalid-action/webshop", 5),
        ("webshop_90", "invalid-action/webshop", 7),
        ("webshop_90", "final-answer/missing", 7),
        ("mind2web_90", "invalid-action/mind2web", 1),
        ("mind2web_90", "invalid-action/mind2web", 3),
        ("react_90", "invalid-action/react", 1),
        ("react_90", "agent-hallucinated-observation", 3),
        ("react_90", "final-answer/missing", 3),
        ("react_91", "invalid-action/react", 1),
        ("chat_90", "repetition/closing-loop", 5),
        ("chat_90", "empty-turn", 7),
        ("tools-2", "invalid-action/tool", 1),
        ("tools-2", "invalid-action/tool", 3),
        ("tools-2", "invalid-action/tool", 5),
        ("tools_90", "invalid-action/tool", 1),
        ("tools_90", "repetition/tool-call", 3),
    ];
    for (t, rule, turn) in expected {
        assert!(
            got.contains(&(t.to_string(), rule.to_string(), turn)),
            "{rule} not found on {t} turn {turn}"
        );
    }
    let rules: BTreeSet<&str> = got.iter().map(|(_, r, _)| r.as_str()).collect();
    for r in RuleSet::builtin().rules() {
        assert!(
            rules.contains(&*r.id),
            "{} never fires on sample_data",
            r.id
        );
    }
}

#[test]
fn clean_sample_trajectories_have_no_findings() {
    let got = findings();
    for clean in ["tools-1", "react-1", "q17", "swe_agent.traj#0"] {
        let f: Vec<_> = got.iter().filter(|(t, _, _)| t == clean).collect();
        assert!(f.is_empty(), "{clean}: {f:?}");
    }
    // os_1 only carries terminal residue.
    assert!(got
        .iter()
        .filter(|(t, _, _)| t == "os_1")
        .all(|(_, r, _)| r == "terminal-signature"));
}
