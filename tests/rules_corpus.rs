//! The built-in rules against real AgentInstruct data (`../shared/corpus`): every invalid
//! ALFWorld action and every terminal title sequence is found, and demo turns stay clean.

mod common;

use std::path::{Path, PathBuf};

use regex::Regex;
use trev::findings::Finding;
use trev::load::{Dataset, LoadOptions};
use trev::model::{Role, Trajectory};
use trev::rules::RuleSet;

fn load(path: &Path) -> Vec<Trajectory> {
    let ds = Dataset::open(&[path.to_path_buf()], LoadOptions::default()).unwrap();
    ds.wait();
    (0..ds.len()).map(|i| ds.load(i).unwrap().0).collect()
}

fn agentinstruct(corpus: &Path, name: &str) -> PathBuf {
    corpus.join("agentinstruct-role-content").join(name)
}

#[test]
fn every_nothing_happens_is_found_on_the_agent_turn_before_it() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let rules = RuleSet::builtin();
    let nothing = Regex::new(r"^Nothing happens\.?$").unwrap();
    let mut replies = 0;
    let mut found = 0;
    for t in load(&agentinstruct(
        &corpus,
        "agentinstruct_alfworld_full336.json",
    )) {
        let findings = rules.check(&t);
        for env in t.turns.iter().filter(|x| x.role == Role::Environment) {
            if !nothing.is_match(env.text.trim()) {
                continue;
            }
            replies += 1;
            let agent = &t.turns[env.index - 1];
            assert_eq!(agent.role, Role::Agent, "{} turn {}", t.id, env.index);
            let f: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.rule == "invalid-action/alfworld" && f.turn == agent.index)
                .collect();
            assert_eq!(f.len(), 1, "{} turn {}: {f:?}", t.id, agent.index);
            assert!(
                f[0].message.contains("Nothing happens."),
                "{}",
                f[0].message
            );
            let action = &agent.text[f[0].span.0..f[0].span.1];
            assert!(
                agent.text.contains(&format!("ACTION: {action}")),
                "{action}"
            );
            found += 1;
        }
        // No other invalid-action/alfworld finding: every agent turn has `ACTION:`.
        let others = findings
            .iter()
            .filter(|f| f.rule == "invalid-action/alfworld")
            .count();
        assert!(others <= replies, "{}", t.id);
    }
    assert_eq!((replies, found), (28, 28));
}

#[test]
fn every_terminal_title_sequence_is_found_with_its_exact_span() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let rules = RuleSet::builtin();
    let osc = Regex::new(r"\x1b\][0-9]*;[^\x07]*\x07").unwrap();
    let mut expected = Vec::new();
    let mut got = Vec::new();
    for t in load(&agentinstruct(&corpus, "agentinstruct_os.json")) {
        for turn in &t.turns {
            for m in osc.find_iter(&turn.text) {
                expected.push((t.id.clone(), turn.index, (m.start(), m.end())));
            }
        }
        for f in rules.check(&t) {
            let text = &t.turns[f.turn].text[f.span.0..f.span.1];
            if f.rule == "terminal-signature" && text.starts_with("\x1b]") {
                assert!(text.ends_with('\x07'));
                got.push((t.id.clone(), f.turn, f.span));
            }
        }
    }
    assert_eq!(expected.len(), 14);
    assert_eq!(got, expected);
}

#[test]
fn no_rule_fires_on_the_in_context_example_turns() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let rules = RuleSet::builtin();
    let dir = corpus.join("agentinstruct-role-content");
    let mut demo_turns = 0;
    let mut findings = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        for t in load(&entry.unwrap().path()) {
            demo_turns += t.turns.iter().filter(|x| x.demo).count();
            for f in rules.check(&t) {
                findings += 1;
                assert!(!t.turns[f.turn].demo, "{} {f:?}", t.id);
            }
            // The demo alone (turns up to the real problem) gives no finding at all.
            if let Some(start) = t.turns.iter().rposition(|x| x.demo) {
                let mut demo = t.clone();
                demo.turns.truncate(start + 1);
                assert_eq!(rules.check(&demo), vec![], "{}", t.id);
            }
        }
    }
    assert!(demo_turns > 300, "{demo_turns}");
    assert!(findings > 0);
}

#[test]
fn real_positive_and_negative_turns_per_rule() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let rules = RuleSet::builtin();
    let by_id = |file: &Path, id: &str| {
        let t = load(file).into_iter().find(|t| t.id == id).unwrap();
        let f = rules.check(&t);
        (t, f)
    };
    let rules_of = |f: &[Finding], turn: usize| -> Vec<String> {
        f.iter()
            .filter(|f| f.turn == turn)
            .map(|f| f.rule.clone())
            .collect()
    };
    // KG: kg_221 turn 27 was rejected ("cannot be executed"); its first call (turn 3) was not.
    let (_, f) = by_id(&agentinstruct(&corpus, "agentinstruct_kg.json"), "kg_221");
    assert!(rules_of(&f, 27).contains(&"invalid-action/kg".to_string()));
    assert!(rules_of(&f, 3).is_empty());
    // OS: os_42 turn 8 carries the title sequence; the answer turn is clean.
    let (t, f) = by_id(&agentinstruct(&corpus, "agentinstruct_os.json"), "os_42");
    assert!(rules_of(&f, 8).contains(&"terminal-signature".to_string()));
    let answer = t
        .turns
        .iter()
        .rposition(|x| x.text.contains("Act: answer("))
        .unwrap();
    assert!(rules_of(&f, answer).is_empty(), "{f:?}");
    // DB: db_100 answers at once with a list literal: clean.
    let (_, f) = by_id(&agentinstruct(&corpus, "agentinstruct_db.json"), "db_100");
    assert_eq!(f, vec![]);
    // ReAct (FireAct): an unclosed `search[` is invalid; a normal `finish[...]` is not.
    let fireact = corpus.join("fireact-trajs/hotpotqa_dev_ft_gpt-3.5-turbo.json");
    let (t, f) = by_id(&fireact, "2866");
    let bad: Vec<&Finding> = f
        .iter()
        .filter(|f| f.rule == "invalid-action/react")
        .collect();
    assert_eq!(bad.len(), 1);
    assert!(t.turns[bad[0].turn].text[bad[0].span.0..bad[0].span.1].starts_with("Action: search["));
    // Tools (SWE-Gym, OpenHands): `ERROR:` replies are attributed to the calling turn.
    let swe_gym = corpus.join("openai-chat-messages/swe_gym_openhands_sampled.json");
    let (t, f) = by_id(&swe_gym, "python__mypy-15976_0");
    let tool: Vec<&Finding> = f
        .iter()
        .filter(|f| f.rule == "invalid-action/tool")
        .collect();
    assert!(!tool.is_empty());
    for f in tool {
        assert_eq!(t.turns[f.turn].role, Role::Agent);
        assert!(!t.turns[f.turn].tool_calls.is_empty());
        assert!(f.message.contains("ERROR:"));
    }
}
