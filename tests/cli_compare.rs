//! `trev compare A B` headless: pairing, outcomes, McNemar, findings per rule and the step
//! alignment, on runs built from the real corpus (AgentBench, SWE-agent) and on hand-made
//! runs.

mod common;

use std::path::Path;

use serde_json::{json, Value};

fn json_lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn compare(home: &Path, args: &[&str]) -> Vec<Value> {
    let out = common::trev(home)
        .arg("compare")
        .args(args)
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .clone();
    json_lines(&out.stdout)
}

fn runs_line(index: u64, status: &str, actions: &[&str]) -> String {
    let mut history = vec![json!({"role": "user", "content": "Task: find the value."})];
    for a in actions {
        history.push(json!({"role": "agent", "content": a}));
        history.push(json!({"role": "user", "content": "ok"}));
    }
    json!({"index": index, "error": null, "info": null,
           "output": {"index": index, "status": status, "result": null, "history": history}})
    .to_string()
}

fn write_run(dir: &Path, lines: &[String]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("runs.jsonl"), lines.join("\n") + "\n").unwrap();
}

fn write_overall(dir: &Path, statuses: &[(u64, &str)]) {
    let raw: Vec<Value> = statuses
        .iter()
        .map(|(i, s)| json!({"index": i, "status": s}))
        .collect();
    let overall = json!({"total": raw.len(), "validation": {}, "custom": {"raw_results": raw}});
    std::fs::write(dir.join("overall.json"), overall.to_string()).unwrap();
}

#[test]
fn hand_made_runs_pair_by_index_and_align_their_steps() {
    let home = tempfile::tempdir().unwrap();
    let (a, b) = (home.path().join("a"), home.path().join("b"));
    write_run(
        &a,
        &[
            runs_line(0, "completed", &["GET x", "GET y", "FINISH([1])"]),
            runs_line(1, "completed", &["GET x", "FINISH([2])"]),
            runs_line(2, "agent invalid action", &["oops"]),
            runs_line(3, "completed", &["FINISH([3])"]),
        ],
    );
    write_run(
        &b,
        &[
            runs_line(1, "completed", &["GET x", "GET z", "FINISH([2])"]),
            runs_line(0, "completed", &["GET x", "GET y", "FINISH([1])"]),
            runs_line(2, "completed", &["GET q", "FINISH([9])"]),
            runs_line(4, "completed", &["FINISH([4])"]),
        ],
    );
    write_overall(
        &a,
        &[
            (0, "completedCorrect"),
            (1, "completedCorrect"),
            (3, "completedIncorrect"),
        ],
    );
    write_overall(
        &b,
        &[
            (0, "completedCorrect"),
            (1, "completedIncorrect"),
            (2, "completedCorrect"),
            (4, "completedCorrect"),
        ],
    );
    let a_arg = format!("old={}", a.display());
    let b_arg = format!("new={}", b.display());
    let lines = compare(home.path(), &[&a_arg, &b_arg]);
    let task = |k: &str| lines.iter().find(|l| l["key"] == k).unwrap().clone();
    let t0 = task("0");
    assert_eq!(t0["change"], "both-pass");
    assert_eq!(t0["aligned_steps"], 3);
    assert_eq!(t0["first_divergence"], Value::Null);
    assert_eq!(t0["a"]["run"], "old");
    assert_eq!(t0["b"]["run"], "new");
    assert_eq!(t0["a"]["id"], "runs.jsonl#0");
    let t1 = task("1");
    assert_eq!(
        (t1["a"]["outcome"].as_str(), t1["b"]["outcome"].as_str()),
        (Some("pass"), Some("fail"))
    );
    assert_eq!(t1["change"], "lost");
    assert_eq!(t1["aligned_steps"], 3);
    assert_eq!(t1["first_divergence"], 1);
    assert_eq!(task("2")["change"], "won");
    assert_eq!(task("2")["first_divergence"], 0);
    assert_eq!(task("3")["change"], "a-only");
    assert_eq!(task("3")["b"], Value::Null);
    assert_eq!(task("4")["change"], "b-only");
    let s = lines.last().unwrap();
    assert_eq!(s["type"], "summary");
    assert_eq!(
        (
            s["paired"].as_u64(),
            s["a_only"].as_u64(),
            s["b_only"].as_u64()
        ),
        (Some(3), Some(1), Some(1))
    );
    assert_eq!(s["basis"], "pass");
    assert_eq!(
        s["table"],
        json!({"both": 1, "a_only": 1, "b_only": 1, "neither": 0})
    );
    assert_eq!(s["mcnemar"], json!({"b": 1, "c": 1, "p_value": 1.0}));
    assert_eq!(s["a"]["name"], "old");
}

#[test]
fn key_field_and_key_regex_choose_what_pairs() {
    let home = tempfile::tempdir().unwrap();
    let a = home.path().join("a.jsonl");
    let b = home.path().join("b.jsonl");
    let rec = |id: &str, task: &str, answer: &str| {
        json!({"id": id, "task": {"name": task},
               "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": answer}]})
        .to_string()
    };
    std::fs::write(
        &a,
        [rec("a-1", "t1", "x"), rec("a-2", "t2", "y")].join("\n"),
    )
    .unwrap();
    std::fs::write(
        &b,
        [rec("b-2", "t2", "y"), rec("b-1", "t1", "z")].join("\n"),
    )
    .unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let by_id = compare(home.path(), &[a, b]);
    assert_eq!(by_id.last().unwrap()["paired"], 0);
    let by_field = compare(home.path(), &[a, b, "--key", "task.name"]);
    assert_eq!(by_field.last().unwrap()["paired"], 2);
    let t1 = by_field.iter().find(|l| l["key"] == "t1").unwrap();
    assert_eq!(
        (t1["a"]["id"].as_str(), t1["b"]["id"].as_str()),
        (Some("a-1"), Some("b-1"))
    );
    assert_eq!(t1["first_divergence"], 0);
    let by_regex = compare(home.path(), &[a, b, r"--key-regex=-(\d)$"]);
    assert_eq!(by_regex.last().unwrap()["paired"], 2);
    assert!(by_regex
        .iter()
        .any(|l| l["key"] == "2" && l["first_divergence"].is_null()));
}

#[test]
fn the_human_table_shows_the_summary() {
    let home = tempfile::tempdir().unwrap();
    let data = common::sample_data().join("agentbench_runs.jsonl");
    let data = data.to_str().unwrap();
    let a = format!("one={data}");
    let b = format!("two={data}");
    let out = common::trev(home.path())
        .args(["compare", &a, &b])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("A = one"), "{text}");
    assert!(text.contains("in A only"), "{text}");
    assert!(
        text.contains("McNemar's exact test: b = 0, c = 0, p = 1.0000"),
        "{text}"
    );
    assert!(text.contains("same "), "{text}");
}

/// Two runs of MedAgentBench built from the corpus: the real run (graded by its results file)
/// and a second "model" that differs on every fourth episode — another first action, and the
/// grade flipped — graded by a results file of its own. And the real run against itself
/// without its results file: correctness unknown on one side, so finished vs failed.
#[test]
fn two_agentbench_runs_built_from_the_corpus() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = corpus.join("agentbench-runs");
    let runs = dir.join("medagentbench_llama-3.3_runs.jsonl");
    let overall: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("medagentbench_llama-3.3_overall.json")).unwrap(),
    )
    .unwrap();
    let statuses: Vec<(u64, String)> = overall["custom"]["raw_results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["index"].as_u64().unwrap(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let home = tempfile::tempdir().unwrap();
    let b = home.path().join("model-b");
    let mut lines = Vec::new();
    for l in std::fs::read_to_string(&runs).unwrap().lines() {
        let mut rec: Value = serde_json::from_str(l).unwrap();
        let index = rec["index"].as_u64().unwrap();
        if index.is_multiple_of(4) {
            let history = rec["output"]["history"].as_array_mut().unwrap();
            let first_agent = history.iter_mut().find(|m| m["role"] == "agent").unwrap();
            first_agent["content"] = json!("GET http://example/fhir/Patient?name=other");
        }
        lines.push(rec.to_string());
    }
    write_run(&b, &lines);
    fn flip(s: &str) -> &str {
        match s {
            "completedCorrect" => "completedIncorrect",
            "completedIncorrect" => "completedCorrect",
            other => other,
        }
    }
    let b_statuses: Vec<(u64, &str)> = statuses
        .iter()
        .map(|(i, s)| {
            (
                *i,
                if i.is_multiple_of(4) {
                    flip(s)
                } else {
                    s.as_str()
                },
            )
        })
        .collect();
    write_overall(&b, &b_statuses);
    let (mut won, mut lost) = (0u64, 0u64);
    for (i, s) in &statuses {
        if i.is_multiple_of(4) {
            match s.as_str() {
                "completedIncorrect" => won += 1,
                "completedCorrect" => lost += 1,
                _ => {}
            }
        }
    }
    let a_arg = format!("llama={}", runs.display());
    let b_arg = format!("other={}", b.display());
    let out = compare(home.path(), &[&a_arg, &b_arg]);
    let s = out.last().unwrap();
    assert_eq!(s["paired"], 100);
    assert_eq!(s["basis"], "pass");
    assert_eq!(s["mcnemar"]["b"], lost);
    assert_eq!(s["mcnemar"]["c"], won);
    assert!(won + lost > 0);
    let p = s["mcnemar"]["p_value"].as_f64().unwrap();
    assert!((p - trev::compare::mcnemar::exact_p(lost, won)).abs() < 1e-12);
    let won_rows = out.iter().filter(|l| l["change"] == "won").count() as u64;
    assert_eq!(won_rows, won);
    for l in &out[..out.len() - 1] {
        let index: u64 = l["key"].as_str().unwrap().parse().unwrap();
        let diverges = l["first_divergence"].as_u64();
        if index.is_multiple_of(4) {
            assert_eq!(diverges, Some(0), "{l}");
        } else {
            assert_eq!(diverges, None, "{l}");
        }
    }
    // The same run without its results file: `completed` is unknown there.
    let bare = home.path().join("bare");
    std::fs::create_dir_all(&bare).unwrap();
    std::fs::copy(&runs, bare.join("runs.jsonl")).unwrap();
    let out = compare(home.path(), &[&a_arg, bare.to_str().unwrap()]);
    let s = out.last().unwrap();
    assert_eq!(s["basis"], "finished");
    assert_eq!(s["paired"], 100);
    // Under finished vs failed, both succeeding says what is known: both finished.
    let changes: Vec<&str> = out[..out.len() - 1]
        .iter()
        .map(|l| l["change"].as_str().unwrap())
        .collect();
    assert!(changes.contains(&"both-finished"), "{changes:?}");
    assert!(!changes.contains(&"both-pass"), "{changes:?}");
    assert_eq!(s["table"]["a_only"], 0);
    assert_eq!(s["table"]["b_only"], 0);
    let failed = statuses
        .iter()
        .filter(|(_, s)| !s.starts_with("completed"))
        .count();
    assert_eq!(s["table"]["neither"], failed as u64);
}

/// Two versions of one SWE-agent task in the corpus (marshmallow-1867, the default agent and
/// the function-calling one), paired by the instance id in their file names.
#[test]
fn two_swe_agent_versions_of_one_task() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = corpus.join("swe-agent-traj");
    let a = dir.join("replay_default__t-0.20__p-0.95__c-2.00__install-1___install_from_source__marshmallow-code__marshmallow-1867.traj");
    let b = dir.join(
        "replay_function_calling_replace__install-1__marshmallow-code__marshmallow-1867.traj",
    );
    let home = tempfile::tempdir().unwrap();
    let out = compare(
        home.path(),
        &[
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--key-regex",
            r"marshmallow-code__marshmallow-\d+",
        ],
    );
    assert_eq!(out.len(), 2);
    let t = &out[0];
    assert_eq!(t["key"], "marshmallow-code__marshmallow-1867");
    let (sa, sb) = (
        t["a"]["steps"].as_u64().unwrap(),
        t["b"]["steps"].as_u64().unwrap(),
    );
    let aligned = t["aligned_steps"].as_u64().unwrap();
    assert!(aligned >= sa.max(sb) && aligned <= sa + sb, "{t}");
    assert!(t["first_divergence"].is_u64());
    assert_eq!(out[1]["paired"], 1);
}

#[test]
fn findings_are_counted_per_rule_per_100_agent_turns() {
    let home = tempfile::tempdir().unwrap();
    let data = common::sample_data().join("rule_defects.jsonl");
    let data = data.to_str().unwrap();
    let lines = compare(home.path(), &[&format!("x={data}"), &format!("y={data}")]);
    let s = lines.last().unwrap();
    let rules = s["rules"].as_array().unwrap();
    assert!(!rules.is_empty(), "{s}");
    let turns = s["a"]["agent_turns"].as_f64().unwrap();
    for r in rules {
        assert_eq!(r["a"], r["b"]);
        assert_eq!(r["difference"], 0.0);
        let per_100 = 100.0 * r["a"].as_f64().unwrap() / turns;
        assert!((r["a_per_100"].as_f64().unwrap() - per_100).abs() < 1e-9);
    }
    let task = &lines[0];
    assert!(task["a"]["findings"].is_object());
}

#[test]
fn bad_input_is_reported_and_never_printed_raw() {
    let home = tempfile::tempdir().unwrap();
    let nasty = common::sample_data().join("nasty");
    let out = common::trev(home.path())
        .arg("compare")
        .arg(&nasty)
        .arg(&nasty)
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(!out.stdout.contains(&0x1b), "no escape byte on stdout");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("record skipped"), "{stderr}");
    common::trev(home.path())
        .args(["compare", "/nonexistent/run", "x"])
        .assert()
        .code(2);
}
