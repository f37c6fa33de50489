//! Outcomes of the files of `../shared/corpus`, checked against what the files say read with
//! serde_json alone: AgentBench with and without its run's `overall.json`, SWE-agent, FireAct,
//! KnowAgent, OpenHands evaluation output and SWE-agent rows.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use trev::load::{Dataset, LoadOptions};
use trev::model::{Format, Trajectory, Verdict};

const RUNS: &str = "agentbench-runs/medagentbench_llama-3.3_runs.jsonl";
const OVERALL: &str = "agentbench-runs/medagentbench_llama-3.3_overall.json";

fn load_all(path: &Path) -> Vec<Trajectory> {
    let ds = Dataset::open(&[path.to_path_buf()], LoadOptions::default()).unwrap();
    ds.wait();
    (0..ds.len()).map(|i| ds.load(i).unwrap().0).collect()
}

fn count(ts: &[Trajectory]) -> BTreeMap<Verdict, usize> {
    let mut counts = BTreeMap::new();
    for t in ts {
        *counts.entry(t.outcome.verdict).or_default() += 1;
    }
    counts
}

fn field<'t>(t: &'t Trajectory, key: &str) -> Option<&'t Value> {
    t.outcome
        .fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

fn json_file(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn agentbench_runs_are_settled_by_their_overall_file() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let overall = json_file(&corpus.join(OVERALL));
    let statuses: BTreeMap<u64, &str> = overall["custom"]["raw_results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["index"].as_u64().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    let ts = load_all(&corpus.join(RUNS));
    assert_eq!(ts.len(), 100);
    for t in &ts {
        let index = field(t, "index").and_then(Value::as_u64).unwrap();
        let status = statuses[&index];
        assert_eq!(field(t, "overall.status"), Some(&Value::from(status)));
        let expected = match status {
            "completedCorrect" => Verdict::Pass,
            "completedIncorrect" | "agent invalid action" => Verdict::Fail,
            other => panic!("status {other} not in the corpus when this test was written"),
        };
        assert_eq!(t.outcome.verdict, expected, "{}", t.id);
    }
    let counts = count(&ts);
    assert_eq!(counts[&Verdict::Pass], 48);
    assert_eq!(counts[&Verdict::Fail], 36 + 16);
}

#[test]
fn a_completed_agentbench_episode_without_results_is_unknown_not_pass() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let alone = dir.path().join("medagentbench_llama-3.3_runs.jsonl");
    std::fs::copy(corpus.join(RUNS), &alone).unwrap();
    let ts = load_all(&alone);
    assert_eq!(ts.len(), 100);
    for t in &ts {
        let status = field(t, "status").and_then(Value::as_str).unwrap();
        let expected = match status {
            "completed" => Verdict::Unknown,
            "agent invalid action" => Verdict::Fail,
            other => panic!("status {other} not in the corpus when this test was written"),
        };
        assert_eq!(t.outcome.verdict, expected, "{}: {status}", t.id);
        assert_eq!(field(t, "overall.status"), None);
        // meta is untouched: the status is still there.
        assert_eq!(t.meta("status"), field(t, "status"));
    }
    let counts = count(&ts);
    assert_eq!(counts[&Verdict::Unknown], 84);
    assert_eq!(counts[&Verdict::Fail], 16);
    assert_eq!(counts.get(&Verdict::Pass), None);
}

#[test]
fn stats_json_counts_outcomes_with_and_without_the_overall_file() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let alone = home.path().join("runs.jsonl");
    std::fs::copy(corpus.join(RUNS), &alone).unwrap();
    let outcomes = |path: &Path| {
        let out = common::trev(home.path())
            .args(["stats", "--json"])
            .arg(path)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        assert_eq!(last["task"], "*");
        last["outcomes"].clone()
    };
    let with = serde_json::json!({"pass": 48, "fail": 52, "error": 0, "unknown": 0});
    assert_eq!(outcomes(&corpus.join(RUNS)), with);
    let without = serde_json::json!({"pass": 0, "fail": 16, "error": 0, "unknown": 84});
    assert_eq!(outcomes(&alone), without);
}

#[test]
fn swe_agent_submitted_is_unknown() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut seen = 0;
    for entry in std::fs::read_dir(corpus.join("swe-agent-traj")).unwrap() {
        let path = entry.unwrap().path();
        let exit = json_file(&path)["info"]["exit_status"].clone();
        let ts = load_all(&path);
        assert_eq!(ts.len(), 1);
        let t = &ts[0];
        assert_eq!(t.format, Format::SweAgent);
        // Every corpus file was submitted (or says nothing): whether the patch works is not
        // in the file.
        assert!(exit.is_null() || exit == "submitted", "{}", path.display());
        assert_eq!(t.outcome.verdict, Verdict::Unknown, "{}", path.display());
        let expected: Vec<(String, Value)> = match exit {
            Value::Null => vec![],
            v => vec![("exit_status".into(), v)],
        };
        assert_eq!(t.outcome.fields, expected);
        seen += 1;
    }
    assert_eq!(seen, 5);
}

#[test]
fn fireact_rewards_pass_and_fail() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let path = corpus.join("fireact-trajs/hotpotqa_dev_ft_gpt-3.5-turbo.json");
    let dump = json_file(&path);
    let rewards: BTreeMap<&str, bool> = dump
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str(), v["reward"].as_bool().unwrap()))
        .collect();
    let ts = load_all(&path);
    assert_eq!(ts.len(), rewards.len());
    for t in &ts {
        let expected = match rewards[t.id.as_str()] {
            true => Verdict::Pass,
            false => Verdict::Fail,
        };
        assert_eq!(t.outcome.verdict, expected, "{}", t.id);
    }
    let counts = count(&ts);
    assert_eq!((counts[&Verdict::Pass], counts[&Verdict::Fail]), (200, 265));
}

#[test]
fn knowagent_openhands_and_swe_rows_follow_their_fields() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let knowagent = load_all(
        &corpus.join("knowagent-text-traj/KnowAgentALFWorld_llama-2-13b_D0_first150.jsonl"),
    );
    for t in &knowagent {
        let expected = match t.meta("result") {
            Some(Value::Bool(true)) => Verdict::Pass,
            Some(v) if v == &Value::Bool(false) || v == &Value::from(0) => Verdict::Fail,
            other => panic!("{}: result {other:?}", t.id),
        };
        assert_eq!(t.outcome.verdict, expected, "{}", t.id);
    }
    let openhands =
        load_all(&corpus.join("openhands-eval-output-jsonl/multi_swe_bench_output.jsonl"));
    let verdicts: Vec<Verdict> = openhands.iter().map(|t| t.outcome.verdict).collect();
    // The third instance stopped at the iteration limit (`error`); the others say nothing of
    // whether they resolved the issue.
    assert_eq!(
        verdicts,
        [Verdict::Unknown, Verdict::Unknown, Verdict::Error]
    );
    let rows = load_all(&corpus.join("swe-agent-hf-rows/nebius_swe_agent_rows_0-2.json"));
    for t in &rows {
        let resolved = t.meta("target").and_then(Value::as_bool).unwrap();
        let expected = if resolved {
            Verdict::Pass
        } else {
            Verdict::Fail
        };
        assert_eq!(t.outcome.verdict, expected, "{}", t.id);
    }
}

/// The outcome each record of the corpus' AgentBench run and SWE-agent `.traj` files records,
/// read with serde_json alone: AgentBench by the run's `custom.raw_results[].status` for the
/// record's `index` (else `fail` for a failing `output.status`), SWE-agent by `info.exit_status`
/// (`submitted`, or none, says only that the episode ended: `unknown`).
fn recorded_outcomes(corpus: &Path, swe: &[std::path::PathBuf]) -> Vec<(String, usize, String)> {
    let overall = json_file(&corpus.join(OVERALL));
    let by_index: BTreeMap<u64, &str> = overall["custom"]["raw_results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["index"].as_u64().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    let mut want = Vec::new();
    let runs = corpus.join(RUNS);
    for (k, line) in std::fs::read_to_string(&runs).unwrap().lines().enumerate() {
        let v: Value = serde_json::from_str(line).unwrap();
        let verdict = match by_index.get(&v["index"].as_u64().unwrap()).copied() {
            Some("completedCorrect") => "pass",
            Some("completedIncorrect") => "fail",
            _ if v["output"]["status"] == "agent invalid action" => "fail",
            other => panic!("a status this test does not know: {other:?}"),
        };
        want.push((runs.display().to_string(), k, verdict.to_string()));
    }
    for path in swe {
        let v = json_file(path);
        let verdict = match v["info"]["exit_status"].as_str() {
            None | Some("submitted") => "unknown",
            Some(other) => panic!("an exit status this test does not know: {other}"),
        };
        want.push((path.display().to_string(), 0, verdict.to_string()));
    }
    want
}

#[test]
fn check_json_gives_each_finding_its_run_and_outcome() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // A rule that fires on every agent turn: every trajectory has finding lines.
    let rules = dir.path().join("every.toml");
    std::fs::write(
        &rules,
        "[[rule]]\nid = \"any\"\nseverity = \"info\"\nrole = \"agent\"\nregex = \"\\\\S\"\nmessage = \"a turn\"\n",
    )
    .unwrap();
    let mut swe: Vec<_> = std::fs::read_dir(corpus.join("swe-agent-traj"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "traj"))
        .collect();
    swe.sort();
    let want = recorded_outcomes(&corpus, &swe);
    let out = common::trev(dir.path())
        .args(["check", "--json", "--fail-on", "never", "--rules"])
        .arg(&rules)
        .arg(corpus.join(RUNS))
        .args(&swe)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (summary, findings) = lines.split_last().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for f in findings {
        let key = (
            f["file"].as_str().unwrap(),
            f["record"].as_u64().unwrap() as usize,
        );
        let (_, _, verdict) = want
            .iter()
            .find(|(file, record, _)| (file.as_str(), *record) == key)
            .unwrap_or_else(|| panic!("a finding in no file checked: {f}"));
        assert_eq!(f["outcome"], verdict.as_str(), "{f}");
        // The run: the file's name without its extension (a dot inside the name stays:
        // `medagentbench_llama-3.3_runs`).
        let stem = Path::new(key.0).file_stem().unwrap().to_str().unwrap();
        assert_eq!(f["run"], stem, "{f}");
        // Every key the contract names is still there.
        for k in [
            "type",
            "file",
            "record",
            "trajectory",
            "task",
            "turn",
            "rule",
            "severity",
        ] {
            assert!(f.get(k).is_some(), "{k} missing: {f}");
        }
        for k in ["span", "message", "excerpt"] {
            assert!(f.get(k).is_some(), "{k} missing: {f}");
        }
        seen.insert(key);
    }
    assert_eq!(seen.len(), want.len(), "every trajectory has findings");
    // The summary counts trajectories by outcome.
    for verdict in ["pass", "fail", "error", "unknown"] {
        let n = want.iter().filter(|(_, _, v)| v == verdict).count();
        assert_eq!(
            summary["by_outcome"][verdict]["trajectories"], n,
            "{verdict}: {summary}"
        );
        assert_eq!(summary["by_outcome"][verdict]["affected"], n);
    }
    assert_eq!(summary["by_outcome"]["pass"]["trajectories"], 48);
}
