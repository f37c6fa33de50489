//! Tool results paired to their calls: an OpenAI `tool` message by its `tool_call_id`, a Claude
//! Code `tool_result` block by its `tool_use_id`. Checked against the corpus read with
//! serde_json alone, and a result whose call is missing is a warning.

mod common;

use std::path::Path;

use serde_json::Value;
use trev::load::{Dataset, LoadOptions};
use trev::model::Trajectory;

fn load_all(path: &Path) -> Vec<(Trajectory, Vec<String>)> {
    let ds = Dataset::open(&[path.to_path_buf()], LoadOptions::default()).unwrap();
    ds.wait();
    (0..ds.len())
        .map(|i| {
            let (t, w) = ds.load(i).unwrap();
            (t, w.iter().map(|d| d.to_string()).collect())
        })
        .collect()
}

/// Every turn that answers a call, as (its call id, the name of the call it answers).
fn answered(ts: &[(Trajectory, Vec<String>)]) -> Vec<(String, Option<String>)> {
    ts.iter()
        .flat_map(|(t, _)| {
            t.turns.iter().filter_map(|turn| {
                let id = turn.answers.clone()?;
                let call = turn.answered(&t.turns).map(|(_, c)| c.name.clone());
                Some((id, call))
            })
        })
        .collect()
}

#[test]
fn openai_tool_messages_answer_the_call_their_id_names() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let path = corpus.join("openai-chat-messages/swe_gym_openhands_sampled.json");
    // Read independently: each tool message's id and the name of the call with that id.
    let records: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let records = match records {
        Value::Array(a) => a,
        one => vec![one],
    };
    let mut want = Vec::new();
    for r in &records {
        let mut calls = Vec::new();
        for m in r["messages"].as_array().unwrap() {
            for c in m["tool_calls"].as_array().into_iter().flatten() {
                calls.push((c["id"].clone(), c["function"]["name"].clone()));
            }
            if let Some(id) = m["tool_call_id"].as_str() {
                let name = calls
                    .iter()
                    .rev()
                    .find(|(c, _)| c == id)
                    .and_then(|(_, n)| n.as_str().map(str::to_string));
                want.push((id.to_string(), name));
            }
        }
    }
    assert!(want.len() > 50, "the file has tool results: {}", want.len());
    assert!(want.iter().all(|(_, name)| name.is_some()));
    let loaded = load_all(&path);
    assert_eq!(answered(&loaded), want);
    assert!(loaded.iter().all(|(_, w)| w.is_empty()), "no warnings");
}

#[test]
fn claude_code_tool_results_answer_their_tool_use() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    for name in ["representative_messages.jsonl", "todowrite_examples.jsonl"] {
        let path = corpus.join("claude-code-jsonl").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let (mut uses, mut results) = (Vec::new(), Vec::new());
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: Value = serde_json::from_str(line).unwrap();
            for block in v["message"]["content"].as_array().into_iter().flatten() {
                match block["type"].as_str() {
                    Some("tool_use") => uses.push(block["id"].as_str().unwrap().to_string()),
                    Some("tool_result") => {
                        results.push(block["tool_use_id"].as_str().unwrap().to_string())
                    }
                    _ => {}
                }
            }
        }
        assert!(!results.is_empty(), "{name}");
        let loaded = load_all(&path);
        let got = answered(&loaded);
        let ids: Vec<&String> = got.iter().map(|(id, _)| id).collect();
        assert_eq!(ids, results.iter().collect::<Vec<_>>(), "{name}");
        for (id, call) in &got {
            assert_eq!(call.is_some(), uses.contains(id), "{name}: {id}");
        }
    }
}

#[test]
fn a_result_whose_call_is_missing_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calls.jsonl");
    let record = r#"{"id": "t", "messages": [
        {"role": "user", "content": "list it"},
        {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "ls", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "a b"},
        {"role": "tool", "tool_call_id": "c9", "content": "?"},
        {"role": "assistant", "content": "done"}]}"#;
    std::fs::write(&path, record.replace('\n', " ") + "\n").unwrap();
    let loaded = load_all(&path);
    let (t, warnings) = &loaded[0];
    let (at, call) = t.turns[2].answered(&t.turns).unwrap();
    assert_eq!((at, call.name.as_str()), (1, "ls"));
    assert!(t.turns[3].answered(&t.turns).is_none());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].ends_with(
            "warning: turn 3 is the result of tool call `c9`, which no turn before it makes"
        ),
        "{warnings:?}"
    );
    // The headless commands report it too.
    let out = common::trev(dir.path())
        .arg("stats")
        .arg(&path)
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("tool call `c9`"), "{err}");
}
