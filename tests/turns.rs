//! Turns as written, checked against the corpus read with serde_json alone (keys in order
//! through indexmap): a tool call's arguments keep the source's key order, in the model and on
//! the screen; a user's follow-up in a chat whose environment has a role of its own is the
//! user's (an instruction), while AgentInstruct-style observations in user turns stay the
//! environment's; an ATIF continuation's task, only in its copied context, is its instruction.

mod common;

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;
use trev::load::{Dataset, LoadOptions};
use trev::model::{Role, Trajectory};

/// JSON with every object's keys in the order written.
#[derive(Deserialize, Debug)]
#[serde(untagged)]
enum Ordered {
    List(Vec<Ordered>),
    Object(IndexMap<String, Ordered>),
    String(String),
    /// A number, a boolean or null.
    Scalar(serde::de::IgnoredAny),
}

/// Every key of `v`, depth first, in the order written.
fn keys(v: &Ordered, out: &mut Vec<String>) {
    match v {
        Ordered::List(items) => items.iter().for_each(|x| keys(x, out)),
        Ordered::Object(map) => {
            for (k, x) in map {
                out.push(k.clone());
                keys(x, out);
            }
        }
        _ => {}
    }
}

fn key_order(text: &str) -> Vec<String> {
    let v: Ordered = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let mut out = Vec::new();
    keys(&v, &mut out);
    out
}

fn load(path: &Path) -> Vec<Trajectory> {
    let ds = Dataset::open(&[path.to_path_buf()], LoadOptions::default()).unwrap();
    ds.wait();
    (0..ds.len()).map(|i| ds.load(i).unwrap().0).collect()
}

fn read(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The key order of every call's arguments as trev read them, in turn order, and as shown on
/// the screen (`→ name` and the arguments laid out).
fn trev_orders(ts: &[Trajectory]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for t in ts {
        for call in t.turns.iter().flat_map(|x| &x.tool_calls) {
            let order = key_order(&call.arguments);
            let shown = trev::tui::render::arguments_pretty(&call.arguments);
            assert_eq!(key_order(&shown), order, "{shown}");
            out.push(order);
        }
    }
    out
}

fn corpus_file(corpus: &Path, name: &str) -> PathBuf {
    corpus.join(name)
}

#[test]
fn call_arguments_keep_the_source_key_order() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    // glaive: the `function_call` turn's value is `{"name", "arguments": {…}}` as a string.
    let glaive = corpus_file(
        &corpus,
        "sharegpt-from-value/glaive_toolcall_en_demo_first200.json",
    );
    let mut want = Vec::new();
    for record in read(&glaive).as_array().unwrap() {
        for m in record["conversations"].as_array().unwrap() {
            if m["from"] == "function_call" {
                let call: IndexMap<String, Ordered> =
                    serde_json::from_str(m["value"].as_str().unwrap()).unwrap();
                let mut order = Vec::new();
                keys(&call["arguments"], &mut order);
                want.push(order);
            }
        }
    }
    let got = trev_orders(&load(&glaive));
    assert_eq!(got.len(), want.len());
    assert_eq!(got, want);
    // Some call has its keys out of alphabetical order, so the test can tell.
    assert!(want.iter().any(|o| o.windows(2).any(|w| w[0] > w[1])));

    // ATIF: `steps[].tool_calls[].arguments` are objects.
    for name in [
        "atif/openhands__hello-world.trajectory.json",
        "atif/terminus_2__hello-world-context-summarization.trajectory.json",
        "atif/terminus_2__hello-world-invalid-json.trajectory.json",
    ] {
        let path = corpus_file(&corpus, name);
        let text = std::fs::read_to_string(&path).unwrap();
        let v: IndexMap<String, Ordered> = serde_json::from_str(&text).unwrap();
        let Ordered::List(steps) = &v["steps"] else {
            panic!("{name}: steps")
        };
        let mut want = Vec::new();
        for step in steps {
            let Ordered::Object(step) = step else {
                continue;
            };
            if let Some(Ordered::List(calls)) = step.get("tool_calls") {
                for call in calls {
                    let Ordered::Object(call) = call else {
                        continue;
                    };
                    let mut order = Vec::new();
                    if let Some(args) = call.get("arguments") {
                        keys(args, &mut order);
                    }
                    want.push(order);
                }
            }
        }
        assert!(!want.is_empty(), "{name}");
        assert_eq!(trev_orders(&load(&path)), want, "{name}");
    }

    // Inspect: `samples[].messages[].tool_calls[].arguments` are objects.
    let path = corpus_file(
        &corpus,
        "inspect-ai-eval-log/2025-05-12T20-27-36-04-00_browser.json",
    );
    let v: IndexMap<String, Ordered> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let Ordered::List(samples) = &v["samples"] else {
        panic!("samples")
    };
    let mut want = Vec::new();
    for sample in samples {
        let Ordered::Object(sample) = sample else {
            continue;
        };
        let Some(Ordered::List(messages)) = sample.get("messages") else {
            continue;
        };
        for m in messages {
            let Ordered::Object(m) = m else { continue };
            if let Some(Ordered::List(calls)) = m.get("tool_calls") {
                for call in calls {
                    let Ordered::Object(call) = call else {
                        continue;
                    };
                    let mut order = Vec::new();
                    keys(&call["arguments"], &mut order);
                    want.push(order);
                }
            }
        }
    }
    assert!(!want.is_empty());
    assert_eq!(trev_orders(&load(&path)), want);

    // OpenAI: arguments are a JSON-encoded string, kept exactly.
    let path = corpus_file(
        &corpus,
        "openai-chat-messages/swe_gym_openhands_sampled.json",
    );
    let mut want = Vec::new();
    for record in read(&path).as_array().unwrap() {
        for m in record["messages"].as_array().unwrap() {
            for call in m["tool_calls"].as_array().into_iter().flatten() {
                want.push(call["function"]["arguments"].as_str().unwrap().to_string());
            }
        }
    }
    let got: Vec<String> = load(&path)
        .iter()
        .flat_map(|t| t.turns.iter().flat_map(|x| &x.tool_calls))
        .map(|c| c.arguments.clone())
        .collect();
    assert_eq!(got, want);
}

#[test]
fn claude_code_tool_inputs_keep_the_source_key_order() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    for name in ["representative_messages.jsonl", "todowrite_examples.jsonl"] {
        let path = corpus.join("claude-code-jsonl").join(name);
        let mut want = Vec::new();
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let Ok(entry) = serde_json::from_str::<IndexMap<String, Ordered>>(line) else {
                continue;
            };
            let Some(Ordered::Object(message)) = entry.get("message") else {
                continue;
            };
            let Some(Ordered::List(blocks)) = message.get("content") else {
                continue;
            };
            for block in blocks {
                let Ordered::Object(block) = block else {
                    continue;
                };
                if matches!(block.get("type"), Some(Ordered::String(t)) if t == "tool_use") {
                    let mut order = Vec::new();
                    keys(&block["input"], &mut order);
                    want.push(order);
                }
            }
        }
        // Turns follow the session's links, not the file: compare as sorted lists.
        let mut got = trev_orders(&load(&path));
        got.sort();
        want.sort();
        assert!(!want.is_empty(), "{name}");
        assert_eq!(got, want, "{name}");
    }
}

/// The roles trev gives the turns of `path`'s records, by record.
fn roles(path: &Path) -> Vec<Vec<Role>> {
    load(path)
        .iter()
        .map(|t| t.turns.iter().map(|x| x.role).collect())
        .collect()
}

#[test]
fn a_follow_up_is_the_users_turn_where_the_environment_has_its_own_role() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    // glaive: a `human` turn is the user's when the chat has observations or declares tools;
    // in a chat with neither the first is the task and the rest read as before.
    let glaive = corpus.join("sharegpt-from-value/glaive_toolcall_en_demo_first200.json");
    let records = read(&glaive);
    let got = roles(&glaive);
    let mut follow_ups = 0;
    for (record, roles) in records.as_array().unwrap().iter().zip(&got) {
        let conv = record["conversations"].as_array().unwrap();
        let tools: Value = serde_json::from_str(record["tools"].as_str().unwrap_or("[]")).unwrap();
        let own_role = conv.iter().any(|m| m["from"] == "observation")
            || tools.as_array().is_some_and(|t| !t.is_empty());
        let mut first = true;
        for (m, role) in conv.iter().zip(roles) {
            let want = match m["from"].as_str().unwrap() {
                "human" if first || own_role => Role::Instruction,
                "human" => Role::Environment,
                "gpt" | "function_call" => Role::Agent,
                _ => Role::Environment,
            };
            if m["from"] == "human" {
                follow_ups += usize::from(!first && own_role);
                first = false;
            }
            assert_eq!(*role, want, "{}", m["value"]);
        }
    }
    assert_eq!(follow_ups, 106);

    // OpenAI messages with `tool` replies (OpenHands on SWE-Gym): every `user` message is the
    // user's, the harness's "Please continue" included.
    let path = corpus.join("openai-chat-messages/swe_gym_openhands_sampled.json");
    let records = read(&path);
    for (record, roles) in records.as_array().unwrap().iter().zip(roles(&path)) {
        for (m, role) in record["messages"].as_array().unwrap().iter().zip(roles) {
            if m["role"] == "user" {
                assert_eq!(role, Role::Instruction);
            }
        }
    }

    // OpenHands events name who speaks: every message the user sends is the user's, in a
    // chat without a single tool call too.
    for name in ["basic.json", "basic_interactions.json"] {
        let path = corpus.join("openhands-event-stream").join(name);
        let events = read(&path);
        let said: Vec<&str> = events
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["source"] == "user" && e["action"] == "message")
            .map(|e| e["args"]["content"].as_str().unwrap())
            .collect();
        let t = &load(&path)[0];
        let users: Vec<&str> = t
            .turns
            .iter()
            .filter(|x| x.role == Role::Instruction)
            .map(|x| x.text.as_str())
            .collect();
        assert_eq!(users, said, "{name}");
        assert_eq!(t.instruction().unwrap().text, said[0]);
    }

    // AgentInstruct (observations in user turns): unchanged, every user turn after the
    // example's is the environment's.
    let mut users = 0;
    for name in [
        "agentinstruct_os.json",
        "agentinstruct_db.json",
        "agentinstruct_kg.json",
        "agentinstruct_alfworld_full336.json",
    ] {
        let path = corpus.join("agentinstruct-role-content").join(name);
        let records = read(&path);
        for (record, roles) in records.as_array().unwrap().iter().zip(roles(&path)) {
            let conv = record["conversations"].as_array().unwrap();
            // The task is stated at the latest after the one-shot example (the OS example runs
            // to `Now, I will start a new problem`, KG's to `A new question:`, the others to
            // the acknowledgement).
            let start = conv
                .iter()
                .position(|m| {
                    m["content"].as_str().is_some_and(|s| {
                        let s = s.trim_start();
                        s.starts_with("Now, I will start a new problem")
                            || s.starts_with("A new question:")
                    })
                })
                .unwrap_or(2);
            for (i, (m, role)) in conv.iter().zip(&roles).enumerate() {
                if m["role"] == "user" && i > start {
                    users += 1;
                    assert_eq!(*role, Role::Environment, "{name} turn {i}");
                }
            }
        }
    }
    assert!(users > 100, "{users}");
    // ETO's ShareGPT WebShop: the same.
    let path = corpus.join("sharegpt-from-value/eto_webshop_sft.json");
    let records = read(&path);
    for (record, roles) in records.as_array().unwrap().iter().zip(roles(&path)) {
        let conv = record["conversations"].as_array().unwrap();
        for (i, (m, role)) in conv.iter().zip(&roles).enumerate() {
            if m["from"] == "human" && i > 2 {
                assert_eq!(*role, Role::Environment, "turn {i}");
            }
        }
    }
}

#[test]
fn the_follow_up_never_takes_the_tasks_place() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    // Claude Code: the session's first user text is the task, the later ones are follow-ups.
    let path = corpus.join("claude-code-jsonl/representative_messages.jsonl");
    let ts = load(&path);
    let t = &ts[0];
    let task = t.instruction().unwrap();
    assert!(task.text.starts_with("Hello Claude!"), "{}", task.text);
    let follow_ups: Vec<&str> = t
        .turns
        .iter()
        .filter(|x| x.role == Role::Instruction && x.index != task.index)
        .map(|x| x.text.as_str())
        .collect();
    assert_eq!(
        follow_ups,
        [
            "Great! Can you also show me how to create a decorator that takes parameters?",
            "Can you run that example to show the output?",
            "This is really helpful! Let me try to implement a timing decorator myself. Can you help me if I get stuck?"
        ]
    );
}

#[test]
fn an_atif_continuation_reads_its_copied_task_as_the_instruction() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/atif_continuation.trajectory.json");
    let source = read(&path);
    let steps = source["steps"].as_array().unwrap();
    // Independently: the steps before the agent's first own step are all copied context, and
    // the first of them is the prompt with the task description.
    let first_own = steps
        .iter()
        .position(|s| s["is_copied_context"] != true)
        .unwrap();
    assert!(steps[..first_own]
        .iter()
        .all(|s| s["source"] != "user" || s["is_copied_context"] == true));
    let t = &load(&path)[0];
    let task = t.instruction().expect("an instruction");
    assert_eq!(task.index, 0);
    assert_eq!(task.text, steps[0]["message"].as_str().unwrap());
    assert!(!task.demo);
    // The rest of the copied context stays an example (shown dimmed, never counted).
    let demo: Vec<usize> = t.turns.iter().filter(|x| x.demo).map(|x| x.index).collect();
    assert_eq!(demo, (1..first_own).collect::<Vec<_>>());
    assert_eq!(t.agent_turns().next().unwrap().index, first_own);

    // A trajectory that states its task in a step of its own keeps it (the corpus' files).
    let Some(corpus) = common::corpus() else {
        return;
    };
    let path = corpus.join("atif/terminus_2__hello-world-context-summarization.trajectory.json");
    let t = &load(&path)[0];
    assert_eq!(t.instruction().unwrap().index, 0);
    // Its handoff after the summary (`Here are the answers…`, a user step after the agent's
    // steps) is the user's turn; its index counts one observation turn per step that has one.
    let source = read(&path);
    let steps = source["steps"].as_array().unwrap();
    let step = steps
        .iter()
        .position(|s| {
            s["source"] == "user"
                && s["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("Here are the answers")
        })
        .unwrap();
    let index = step
        + steps[..step]
            .iter()
            .filter(|s| s["observation"]["results"].is_array())
            .count();
    assert_eq!(t.turns[index].role, Role::Instruction);
    assert_eq!(
        t.turns[index].text,
        steps[step]["message"].as_str().unwrap()
    );
}
