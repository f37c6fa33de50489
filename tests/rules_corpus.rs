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
                .filter(|f| &*f.rule == "invalid-action/alfworld" && f.turn == agent.index)
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
            .filter(|f| &*f.rule == "invalid-action/alfworld")
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
        let residue: Vec<Finding> = rules
            .check(&t)
            .into_iter()
            .filter(|f| &*f.rule == "terminal-signature")
            .collect();
        for f in &residue {
            // On the environment turn, once per observation.
            assert_eq!(t.turns[f.turn].role, Role::Environment, "{} {f:?}", t.id);
            assert_eq!(residue.iter().filter(|g| g.turn == f.turn).count(), 1);
            for span in f.spans() {
                let text = &t.turns[f.turn].text[span.0..span.1];
                if text.starts_with("\x1b]") {
                    assert!(text.ends_with('\x07'));
                    got.push((t.id.clone(), f.turn, span));
                }
            }
        }
    }
    assert_eq!(expected.len(), 14);
    assert_eq!(got, expected);
}

/// Terminal residue is one finding per observation, on the environment turn, that counts what
/// it found and highlights every occurrence.
#[test]
fn terminal_residue_is_one_finding_per_observation() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let rules = RuleSet::builtin();
    let any = Regex::new(r"\x1b|\x07|\r\n").unwrap();
    let mut observations = 0;
    for t in load(&agentinstruct(&corpus, "agentinstruct_os.json")) {
        let findings = rules.check(&t);
        for turn in t.turns.iter().filter(|x| !x.demo) {
            let here: Vec<&Finding> = findings
                .iter()
                .filter(|f| &*f.rule == "terminal-signature" && f.turn == turn.index)
                .collect();
            if turn.role != Role::Environment {
                assert!(here.is_empty(), "{} turn {}", t.id, turn.index);
                continue;
            }
            let n = any.find_iter(&turn.text).count();
            if n == 0 {
                continue;
            }
            observations += 1;
            assert_eq!(here.len(), 1, "{} turn {}", t.id, turn.index);
            let f = here[0];
            assert!(
                f.spans().count() >= n,
                "{} turn {}: {f:?}",
                t.id,
                turn.index
            );
            assert!(f
                .message
                .starts_with("TTY residue left in the observation: "));
        }
    }
    assert!(observations >= 14, "{observations}");
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
            .map(|f| f.rule.to_string())
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
        .filter(|f| &*f.rule == "invalid-action/react")
        .collect();
    assert_eq!(bad.len(), 1);
    assert!(t.turns[bad[0].turn].text[bad[0].span.0..bad[0].span.1].starts_with("Action: search["));
    // Tools (SWE-Gym, OpenHands): `ERROR:` replies are attributed to the calling turn.
    let swe_gym = corpus.join("openai-chat-messages/swe_gym_openhands_sampled.json");
    let (t, f) = by_id(&swe_gym, "python__mypy-15976_0");
    let tool: Vec<&Finding> = f
        .iter()
        .filter(|f| &*f.rule == "invalid-action/tool")
        .collect();
    assert!(!tool.is_empty());
    for f in tool {
        assert_eq!(t.turns[f.turn].role, Role::Agent);
        assert!(!t.turns[f.turn].tool_calls.is_empty());
        assert!(f.message.contains("ERROR:"));
    }
}

/// A real trajectory, and a copy changed by `edit`: the rule must not fire on the first and
/// must fire on the second, on turn `turn`.
fn before_after(
    rules: &RuleSet,
    file: &Path,
    id: &str,
    rule: &str,
    edit: impl Fn(&mut Trajectory) -> usize,
) {
    let t = load(file).into_iter().find(|t| t.id == id).unwrap();
    let fires = |t: &Trajectory| -> Vec<usize> {
        rules
            .check(t)
            .into_iter()
            .filter(|f| &*f.rule == rule)
            .map(|f| f.turn)
            .collect()
    };
    assert_eq!(fires(&t), Vec::<usize>::new(), "{rule} on the real {id}");
    let mut changed = t.clone();
    let turn = edit(&mut changed);
    assert!(
        fires(&changed).contains(&turn),
        "{rule} not on turn {turn} of the edited {id}"
    );
}

fn push(t: &mut Trajectory, role: Role, text: &str) -> usize {
    let index = t.turns.len();
    let mut turn = t.turns[index - 1].clone();
    turn.index = index;
    turn.role = role;
    turn.text = text.to_string();
    turn.tool_calls.clear();
    t.turns.push(turn);
    index
}

fn last_agent(t: &Trajectory) -> usize {
    t.turns.iter().rposition(|x| x.role == Role::Agent).unwrap()
}

#[test]
fn rules_without_a_natural_positive_fire_on_edited_real_turns() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let rules = RuleSet::builtin();
    let os = agentinstruct(&corpus, "agentinstruct_os.json");
    let db = agentinstruct(&corpus, "agentinstruct_db.json");
    let kg = agentinstruct(&corpus, "agentinstruct_kg.json");
    let webshop = corpus.join("sharegpt-from-value/eto_webshop_sft.json");
    let glaive = corpus.join("sharegpt-from-value/glaive_toolcall_en_demo_first200.json");
    // The OS answer without its parentheses.
    let strip_parens = |t: &mut Trajectory| {
        let i = last_agent(t);
        t.turns[i].text = t.turns[i]
            .text
            .replace("answer(", "answer ")
            .replace(')', "");
        i
    };
    before_after(&rules, &os, "os_42", "invalid-action/os", strip_parens);
    before_after(&rules, &os, "os_42", "final-answer/malformed", strip_parens);
    // The episode cut before its answer.
    before_after(&rules, &os, "os_42", "final-answer/missing", |t| {
        t.turns.truncate(last_agent(t) - 1);
        last_agent(t)
    });
    // Two bash blocks in one real OS turn.
    before_after(&rules, &os, "os_42", "format/multiple-actions", |t| {
        let i = t
            .turns
            .iter()
            .position(|x| x.role == Role::Agent && !x.demo && x.text.contains("```bash"))
            .unwrap();
        t.turns[i].text = format!("{0}\n\n{0}", t.turns[i].text);
        i
    });
    // The real demo observation, truncated by AgentBench, checked as a live turn.
    before_after(&rules, &os, "os_42", "context/truncated", |t| {
        let i = t
            .turns
            .iter()
            .position(|x| x.text.contains("[truncated because"))
            .unwrap();
        t.turns.iter_mut().for_each(|x| x.demo = false);
        i
    });
    // DB: the answer turn without `Final Answer:`; a MySQL error after the last turn.
    before_after(&rules, &db, "db_100", "invalid-action/db", |t| {
        let i = last_agent(t);
        let cut = t.turns[i].text.find("\nFinal Answer:").unwrap();
        t.turns[i].text.truncate(cut);
        i
    });
    before_after(&rules, &db, "db_100", "env-error/db", |t| {
        push(
            t,
            Role::Environment,
            "1146 (42S02): Table 'books.Books' doesn't exist",
        );
        last_agent(t)
    });
    // KG: a second Action line; the agent writing the next observation; a lost reply.
    before_after(&rules, &kg, "kg_132", "format/multiple-actions", |t| {
        let i = t
            .turns
            .iter()
            .position(|x| x.role == Role::Agent && !x.demo && x.text.contains("\nAction: "))
            .unwrap();
        let action = t.turns[i]
            .text
            .lines()
            .find(|l| l.starts_with("Action"))
            .unwrap()
            .to_string();
        t.turns[i].text.push_str(&format!("\n{action}"));
        i
    });
    before_after(
        &rules,
        &kg,
        "kg_132",
        "agent-hallucinated-observation",
        |t| {
            let i = t
                .turns
                .iter()
                .position(|x| x.role == Role::Agent && !x.demo && x.text.contains("\nAction: "))
                .unwrap();
            let observation = t.turns[i + 1].text.clone();
            t.turns[i].text.push_str(&format!("\n{observation}"));
            i
        },
    );
    before_after(&rules, &kg, "kg_132", "format/role-alternation", |t| {
        let i = t
            .turns
            .iter()
            .position(|x| x.role == Role::Environment && !x.demo)
            .unwrap();
        t.turns.remove(i);
        t.turns
            .iter_mut()
            .enumerate()
            .for_each(|(k, x)| x.index = k);
        i
    });
    before_after(&rules, &kg, "kg_132", "final-answer/missing", |t| {
        t.turns.truncate(last_agent(t));
        last_agent(t)
    });
    // WebShop: an action the parser cannot read.
    before_after(
        &rules,
        &webshop,
        "webshop_3",
        "invalid-action/webshop",
        |t| {
            let i = last_agent(t);
            t.turns[i].text = t.turns[i].text.replace("click[", "press[");
            i
        },
    );
    // glaive: the real closing turn, said twice.
    let closing = |t: &mut Trajectory| {
        let i = last_agent(t);
        let text = t.turns[i].text.clone();
        push(t, Role::Environment, "Thanks!");
        push(t, Role::Agent, &text)
    };
    let t20 = load(&glaive).into_iter().nth(20).unwrap();
    assert!(t20.turns[last_agent(&t20)]
        .text
        .starts_with("You're welcome!"));
    before_after(&rules, &glaive, &t20.id, "repetition/closing-loop", closing);
    // Tools: a call renamed to an undeclared tool, in glaive (`[{name, parameters}]`), ATIF
    // (`tool_definitions`) and OpenAI (`tools`) declarations.
    let rename = |t: &mut Trajectory| {
        let i = t
            .turns
            .iter()
            .position(|x| !x.tool_calls.is_empty())
            .unwrap();
        t.turns[i].tool_calls[0].name = "no_such_tool".into();
        i
    };
    before_after(&rules, &glaive, &t20.id, "invalid-action/tool", rename);
    let atif = corpus.join("atif/openhands__hello-world.trajectory.json");
    before_after(
        &rules,
        &atif,
        "NORMALIZED_SESSION_ID",
        "invalid-action/tool",
        rename,
    );
    let swe_gym = corpus.join("openai-chat-messages/swe_gym_openhands_sampled.json");
    before_after(
        &rules,
        &swe_gym,
        "Project-MONAI__MONAI-6849_1",
        "repetition/tool-call",
        |t| {
            let i = t
                .turns
                .iter()
                .rposition(|x| !x.tool_calls.is_empty())
                .unwrap();
            let copy = t.turns[i].clone();
            push(t, Role::Environment, "ok");
            let j = push(t, Role::Agent, "");
            t.turns[j].tool_calls = copy.tool_calls;
            // Answered as the call before it was: a call answered otherwise is progress.
            push(t, Role::Environment, "ok");
            j
        },
    );
    // A required parameter dropped from a real call.
    before_after(
        &rules,
        &atif,
        "NORMALIZED_SESSION_ID",
        "invalid-action/tool",
        |t| {
            let i = t
                .turns
                .iter()
                .position(|x| !x.tool_calls.is_empty())
                .unwrap();
            t.turns[i].tool_calls[0].arguments = "{}".into();
            i
        },
    );
    // An agent turn the harness emptied after an inference error.
    before_after(&rules, &glaive, &t20.id, "empty-turn", |t| {
        let i = last_agent(t);
        t.turns[i].text.clear();
        i
    });
}

#[test]
fn natural_positives_in_the_corpus() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let rules = RuleSet::builtin();
    let fired = |file: PathBuf, id: &str, rule: &str, turn: usize| {
        let t = load(&file).into_iter().find(|t| t.id == id).unwrap();
        let f = rules.check(&t);
        assert!(
            f.iter().any(|f| &*f.rule == rule && f.turn == turn),
            "{rule} not on {id} turn {turn}: {f:?}"
        );
    };
    let ai = |name: &str| agentinstruct(&corpus, name);
    // alfworld_201 takes the same spray bottle four times in a row.
    fired(
        ai("agentinstruct_alfworld_full336.json"),
        "alfworld_201",
        "repetition/exact",
        37,
    );
    fired(
        ai("agentinstruct_alfworld_full336.json"),
        "alfworld_141",
        "repetition/loop",
        35,
    );
    fired(
        ai("agentinstruct_kg.json"),
        "kg_260",
        "invalid-action/kg",
        23,
    );
    fired(
        corpus.join("openai-chat-messages/swe_gym_openhands_sampled.json"),
        "getmoto__moto-6387_0",
        "repetition/tool-call",
        4,
    );
    fired(
        corpus.join("atif/terminus_2__hello-world-invalid-json.trajectory.json"),
        "NORMALIZED_SESSION_ID",
        "invalid-action/tool",
        1,
    );
}

/// Every trajectory of the corpus, with its findings.
fn corpus_findings(corpus: &Path) -> Vec<(Trajectory, Vec<Finding>)> {
    let rules = RuleSet::builtin();
    let ds = Dataset::open(&[corpus.to_path_buf()], LoadOptions::default()).unwrap();
    ds.wait();
    (0..ds.len())
        .filter_map(|i| ds.load(i).ok().map(|(t, _)| t))
        .map(|t| {
            let f = rules.check(&t);
            (t, f)
        })
        .collect()
}

/// A turn that repeats an earlier one gets one repetition finding, the most specific; and a
/// call the environment asked for again (Terminus' "Are you sure … include \"task_complete\":
/// true … again") is not repetition.
#[test]
fn one_repetition_finding_per_turn_and_confirmations_are_not_repetition() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut repetitions = 0;
    let mut confirmations = 0;
    for (t, findings) in corpus_findings(&corpus) {
        let mut turns: Vec<usize> = findings
            .iter()
            .filter(|f| f.rule.starts_with("repetition/"))
            .map(|f| f.turn)
            .collect();
        repetitions += turns.len();
        let n = turns.len();
        turns.dedup();
        assert_eq!(turns.len(), n, "{}: {findings:?}", t.id);
        for turn in &t.turns {
            let asks = turn.role == Role::Environment
                && turn
                    .text
                    .contains("Are you sure you want to mark the task as complete");
            if let Some(next) = t.turns[turn.index + 1..]
                .iter()
                .find(|x| x.role == Role::Agent)
                .filter(|_| asks)
            {
                confirmations += 1;
                assert!(
                    !findings
                        .iter()
                        .any(|f| f.turn == next.index && f.rule.starts_with("repetition/")),
                    "{} turn {}",
                    t.id,
                    next.index
                );
            }
        }
    }
    assert!(repetitions > 50, "{repetitions}");
    assert!(confirmations >= 2, "{confirmations}");
}

/// The run's own verdict is a finding: every AgentBench episode whose recorded status is
/// `agent invalid action` gets `outcome/failed` on its last agent turn, naming the status.
#[test]
fn recorded_agentbench_failures_are_findings_on_the_last_agent_turn() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut invalid = 0;
    for (t, findings) in corpus_findings(&corpus.join("agentbench-runs")) {
        let status = t
            .meta
            .iter()
            .find(|(k, _)| k == "status")
            .and_then(|(_, v)| v.as_str().map(str::to_string));
        let failed: Vec<&Finding> = findings
            .iter()
            .filter(|f| &*f.rule == "outcome/failed")
            .collect();
        if status.as_deref() == Some("agent invalid action") {
            invalid += 1;
            assert_eq!(failed.len(), 1, "{}", t.id);
            let last = t.turns.iter().rposition(|x| x.role == Role::Agent).unwrap();
            assert_eq!(failed[0].turn, last, "{}", t.id);
            assert!(failed[0].message.contains("`agent invalid action`"));
        }
        if t.outcome.verdict == trev::model::Verdict::Pass {
            assert!(failed.is_empty(), "{}", t.id);
        }
    }
    assert_eq!(invalid, 16);
}

/// The tool calls of a chat message read with serde_json: name and trimmed arguments.
fn chat_calls(m: &serde_json::Value) -> Vec<(String, String)> {
    m["tool_calls"].as_array().map_or(Vec::new(), |calls| {
        calls
            .iter()
            .map(|c| {
                let f = &c["function"];
                let name = f["name"].as_str().unwrap().to_string();
                (name, f["arguments"].as_str().unwrap().trim().to_string())
            })
            .collect()
    })
}

/// A KnowAgent record's turns, split by hand: lines starting with `> ` are the agent's, the
/// lines between them one environment turn, the lines before the first action the task.
fn knowagent_turns(line: &str) -> Vec<(bool, String)> {
    let record: serde_json::Value = serde_json::from_str(line).unwrap();
    let mut turns: Vec<(bool, String)> = Vec::new();
    for l in record["traj"].as_str().unwrap().lines() {
        match (l.strip_prefix("> "), turns.last_mut()) {
            (Some(action), _) => turns.push((true, action.to_string())),
            (None, Some((false, obs))) => {
                obs.push('\n');
                obs.push_str(l);
            }
            (None, _) => turns.push((false, l.to_string())),
        }
    }
    turns
}

/// `repetition/loop` is an action answered the same way again. SWE-Gym's agents re-run their
/// reproduction script after each edit and get a new answer each time: no loop. KnowAgent's
/// stuck runs get `Nothing happens.` for the same action three times: a repetition finding on
/// the third. Both are read here from the files with serde_json, the KnowAgent string split
/// by hand; and AgentInstruct's last action, the one that solved the task, is not a loop.
#[test]
fn a_rerun_after_an_edit_is_not_a_loop_and_a_stuck_action_is() {
    use serde_json::Value;
    let Some(corpus) = common::corpus() else {
        return;
    };
    let rules = RuleSet::builtin();
    let rule_on = |f: &[Finding], turn: usize, prefix: &str| {
        f.iter()
            .any(|f| f.turn == turn && f.rule.starts_with(prefix))
    };

    // SWE-Gym: an `execute_bash` command issued the third time or later, with an edit
    // (`str_replace_editor` create/str_replace/insert) since its previous issue and a tool
    // reply none of its earlier issues got. Turn index = message index.
    let file = corpus.join("openai-chat-messages/swe_gym_openhands_sampled.json");
    let records: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let trajectories = load(&file);
    assert_eq!(records.len(), trajectories.len());
    let mut reruns = 0;
    for (record, t) in records.iter().zip(&trajectories) {
        let findings = rules.check(t);
        let messages = record["messages"].as_array().unwrap();
        let is_edit = |m: &Value| {
            chat_calls(m).iter().any(|(name, args)| {
                let args: Value = serde_json::from_str(args).unwrap();
                name == "str_replace_editor"
                    && matches!(
                        args["command"].as_str(),
                        Some("create" | "str_replace" | "insert")
                    )
            })
        };
        let mut issues: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
        for (k, m) in messages.iter().enumerate() {
            for (name, args) in chat_calls(m) {
                if name == "execute_bash" {
                    issues.entry(args).or_default().push(k);
                }
            }
        }
        for ks in issues.values() {
            let reply = |k: usize| messages[k + 1]["content"].as_str().unwrap_or("");
            for n in 2..ks.len() {
                let edited = messages[ks[n - 1] + 1..ks[n]].iter().any(is_edit);
                let new_reply = ks[..n].iter().all(|&e| reply(e) != reply(ks[n]));
                if !(edited && new_reply) {
                    continue;
                }
                reruns += 1;
                assert_eq!(t.turns[ks[n]].role, Role::Agent);
                assert!(
                    !rule_on(&findings, ks[n], "repetition/"),
                    "{} turn {}: {findings:?}",
                    t.id,
                    ks[n]
                );
            }
        }
    }
    // getmoto (turns 22, 26, 32) and MONAI (22, 28, 34, 40).
    assert_eq!(reruns, 7);

    // KnowAgent: lines starting with `> ` are the agent's turns, the lines between them one
    // environment turn, the lines before the first action the task.
    let file = corpus.join("knowagent-text-traj/KnowAgentALFWorld_llama-2-13b_D0_first150.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    let trajectories = load(&file);
    let mut stuck = 0;
    for (line, t) in text.lines().zip(&trajectories) {
        let turns = knowagent_turns(line);
        assert_eq!(turns.len(), t.turns.len(), "{}", t.id);
        let findings = rules.check(t);
        let mut issues: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
        for (k, (agent, text)) in turns.iter().enumerate() {
            assert_eq!(&t.turns[k].text, text);
            // Thoughts and plans are not actions; `go to` is how ALFWorld is searched.
            let action = *agent
                && !["Think:", "ActionPath:", "go to "]
                    .iter()
                    .any(|p| text.starts_with(p));
            if action {
                issues.entry(text).or_default().push(k);
            }
        }
        for ks in issues.values().filter(|ks| ks.len() >= 3) {
            let nothing =
                |k: &usize| turns.get(k + 1).map(|(_, o)| o.as_str()) == Some("Nothing happens.");
            if ks[..3].iter().all(nothing) {
                stuck += 1;
                assert!(
                    rule_on(&findings, ks[2], "repetition/"),
                    "{} turn {}: {findings:?}",
                    t.id,
                    ks[2]
                );
            }
        }
    }
    assert_eq!(stuck, 18);
    // A stuck `put` between other tries is the loop itself.
    let mug = trajectories
        .iter()
        .find(|t| {
            t.id.starts_with("pick_cool_then_place_in_recep-Mug-None-Cabinet-6/")
        })
        .unwrap();
    assert!(rule_on(&rules.check(mug), 59, "repetition/loop"));

    // AgentInstruct ends on the action that solved the task; its earlier issues had been
    // answered with something else (`You pick up the cellphone 1 …`).
    let alfworld = load(&agentinstruct(
        &corpus,
        "agentinstruct_alfworld_full336.json",
    ));
    for (id, turn) in [("alfworld_294", 55), ("alfworld_209", 57)] {
        let t = alfworld.iter().find(|t| t.id == id).unwrap();
        assert_eq!(t.turns.len(), turn + 1, "{id} ends on the action");
        assert!(!rule_on(&rules.check(t), turn, "repetition/"), "{id}");
    }
}

/// Outside ALFWorld, an identical call the environment answers differently from the issue
/// before it is progress: SWE-Gym's `Project-MONAI__MONAI-3715_4` undoes six edits one by one
/// (turns 46–56), each answered with the file one edit further back, and gets no repetition
/// finding; getmoto's `view` of the same directory, answered the same way four times, keeps
/// its. KnowAgent (ALFWorld) keeps the benchmark's rule: every agent line equal to the two
/// before it is `repetition/exact` (`open fridge 1` 47 times, answered `Nothing happens.`).
/// Both files are read here with serde_json, the KnowAgent string split by hand.
#[test]
fn an_identical_call_answered_differently_is_progress_and_a_stuck_line_is_not() {
    use serde_json::Value;
    let Some(corpus) = common::corpus() else {
        return;
    };
    let rules = RuleSet::builtin();
    let rules_on = |f: &[Finding], turn: usize, prefix: &str| {
        f.iter()
            .filter(|f| f.turn == turn && f.rule.starts_with(prefix))
            .count()
    };

    // SWE-Gym: assistant messages with tool calls; a re-issue is one whose calls (name and
    // trimmed arguments) equal those of the assistant message before it. Its answer is the
    // tool messages right after it. Turn index = message index.
    let file = corpus.join("openai-chat-messages/swe_gym_openhands_sampled.json");
    let records: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let trajectories = load(&file);
    assert_eq!(records.len(), trajectories.len());
    let (mut progress, mut repeats) = (Vec::new(), Vec::new());
    for (record, t) in records.iter().zip(&trajectories) {
        let findings = rules.check(t);
        let messages = record["messages"].as_array().unwrap();
        let answer = |k: usize| -> Vec<&str> {
            messages[k + 1..]
                .iter()
                .take_while(|m| m["role"] == "tool")
                .map(|m| m["content"].as_str().unwrap_or("").trim())
                .collect()
        };
        let assistants: Vec<usize> = (0..messages.len())
            .filter(|&k| messages[k]["role"] == "assistant")
            .collect();
        for pair in assistants.windows(2) {
            let (before, k) = (pair[0], pair[1]);
            if chat_calls(&messages[k]).is_empty()
                || chat_calls(&messages[k]) != chat_calls(&messages[before])
            {
                continue;
            }
            assert_eq!(t.turns[k].role, Role::Agent);
            if answer(k) == answer(before) {
                repeats.push((t.id.clone(), k));
                assert_eq!(rules_on(&findings, k, "repetition/"), 1, "{} {k}", t.id);
            } else {
                progress.push((t.id.clone(), k));
                assert_eq!(rules_on(&findings, k, "repetition/"), 0, "{} {k}", t.id);
            }
        }
    }
    let monai = |turns: &[usize]| -> Vec<(String, usize)> {
        turns
            .iter()
            .map(|&k| ("Project-MONAI__MONAI-3715_4".to_string(), k))
            .collect()
    };
    assert_eq!(progress, monai(&[48, 50, 52, 54, 56]));
    let moto: Vec<(String, usize)> = [4, 6, 8]
        .iter()
        .map(|&k| ("getmoto__moto-6387_0".to_string(), k))
        .collect();
    assert_eq!(repeats, moto);

    // KnowAgent: the agent's lines and the environment's between them.
    let file = corpus.join("knowagent-text-traj/KnowAgentALFWorld_llama-2-13b_D0_first150.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    let trajectories = load(&file);
    let (mut stuck, mut fridge) = (0, 0);
    for (line, t) in text.lines().zip(&trajectories) {
        let turns = knowagent_turns(line);
        assert_eq!(turns.len(), t.turns.len(), "{}", t.id);
        let findings = rules.check(t);
        let agents: Vec<usize> = (0..turns.len()).filter(|&k| turns[k].0).collect();
        for w in agents.windows(3) {
            if turns[w[0]].1 != turns[w[1]].1 || turns[w[1]].1 != turns[w[2]].1 {
                continue;
            }
            stuck += 1;
            let answer = turns.get(w[2] + 1).filter(|(agent, _)| !agent);
            if turns[w[2]].1 == "open fridge 1" {
                assert_eq!(answer.unwrap().1, "Nothing happens.");
                fridge += 1;
            }
            assert_eq!(
                rules_on(&findings, w[2], "repetition/exact"),
                1,
                "{} turn {}: {findings:?}",
                t.id,
                w[2]
            );
        }
    }
    // 45 `open fridge 1` in one run (47 in a row) and 1 in each of two others; 10 `Think:` in a
    // row; 3 more lines of the run that opened the fridge three times.
    assert_eq!((stuck, fridge), (60, 47));
}
