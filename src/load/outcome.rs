//! A trajectory's outcome (`pass`, `fail`, `error`, `unknown`) read from the outcome fields the
//! format readers keep in `meta`, one small function per format, and an AgentBench run's
//! results file (`overall.json`), which alone says whether a finished episode was correct.
//!
//! One file with a match on the format rather than a function beside each reader: the mapping
//! reads only `meta`, which the readers already fill, so a reader added in parallel needs no
//! edit here and maps to `unknown` until it gets a line of its own.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use serde::Deserialize;
use serde_json::Value;

use crate::model::{Format, Outcome, Trajectory, Verdict};

/// The outcome of a record of `format` whose outcome fields are `meta`.
pub fn of(format: Format, meta: &[(String, Value)]) -> Outcome {
    let (verdict, keys): (Verdict, &[&str]) = match format {
        Format::AgentBench => (agentbench(meta), &["status", "error"]),
        Format::SweAgent | Format::MiniSweAgent => (swe_agent(meta), &["exit_status", "error"]),
        Format::SweAgentRows => (swe_agent_rows(meta), &["target", "exit_status"]),
        Format::FireAct => (fireact(meta), &["reward"]),
        Format::KnowAgent => (knowagent(meta), &["result"]),
        Format::OpenHandsEval => (openhands_eval(meta), &["error", "resolved"]),
        // A sample that raised an error; its scores are not read (yet).
        Format::Inspect => (inspect(meta), &["error", "scores"]),
        Format::ShareGpt | Format::RoleContent | Format::OpenAi => (
            chat(meta),
            &["error", "resolved", "success", "reward", "exit_status"],
        ),
        // No outcome field (Claude Code, OpenHands events, ATIF), or a format this file does
        // not know yet.
        _ => (Verdict::Unknown, &[]),
    };
    let fields = meta
        .iter()
        .filter(|(k, _)| keys.contains(&k.as_str()))
        .cloned()
        .collect();
    Outcome { verdict, fields }
}

fn get<'a>(meta: &'a [(String, Value)], key: &str) -> Option<&'a Value> {
    meta.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// An `error` that says something: not null, `false` or an empty string.
fn has_error(meta: &[(String, Value)]) -> bool {
    match get(meta, "error") {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(_) => true,
    }
}

/// `true`/`false`, or exactly 1/0: pass or fail. Anything else (a partial score) says nothing.
fn binary(value: Option<&Value>) -> Verdict {
    match value {
        Some(Value::Bool(true)) => Verdict::Pass,
        Some(Value::Bool(false)) => Verdict::Fail,
        Some(Value::Number(n)) if n.as_f64() == Some(1.0) => Verdict::Pass,
        Some(Value::Number(n)) if n.as_f64() == Some(0.0) => Verdict::Fail,
        _ => Verdict::Unknown,
    }
}

/// AgentBench's `SampleStatus` (`src/typings/status.py`), and the results file's
/// `completedCorrect`/`completedIncorrect`. `completed` is a finished episode, not a correct
/// one: unknown until the results say.
pub fn agentbench_status(status: &str) -> Verdict {
    match status {
        "completedCorrect" => Verdict::Pass,
        "completedIncorrect" => Verdict::Fail,
        "agent invalid action"
        | "agent validation failed"
        | "task limit reached"
        | "agent context limit" => Verdict::Fail,
        "task error" => Verdict::Error,
        // `completed`, `running`, `unknown`.
        _ => Verdict::Unknown,
    }
}

fn agentbench(meta: &[(String, Value)]) -> Verdict {
    if has_error(meta) {
        return Verdict::Error;
    }
    get(meta, "status")
        .and_then(Value::as_str)
        .map_or(Verdict::Unknown, agentbench_status)
}

/// SWE-agent's `exit_status`: `submitted` (also autosubmitted, `submitted (exit_cost)`) says a
/// patch was handed in, not that it works; a limit hit or a forfeit is a failure of the agent;
/// an API, environment or harness error is an error. mini-swe-agent writes `Submitted`,
/// `LimitsExceeded` or an exception's name.
fn swe_agent(meta: &[(String, Value)]) -> Verdict {
    if has_error(meta) {
        return Verdict::Error;
    }
    get(meta, "exit_status")
        .and_then(Value::as_str)
        .map_or(Verdict::Unknown, exit_status)
}

fn exit_status(status: &str) -> Verdict {
    let status = status.trim();
    if status.to_ascii_lowercase().starts_with("submitted") {
        return Verdict::Unknown;
    }
    match status {
        "exit_cost"
        | "exit_context"
        | "exit_format"
        | "exit_forfeit"
        | "exit_command"
        | "exit_command_timeout"
        | "exit_total_execution_time"
        | "early_exit"
        | "LimitsExceeded"
        | "FormatError" => Verdict::Fail,
        "exit_error" | "exit_api" | "exit_environment_error" => Verdict::Error,
        // mini-swe-agent names the exception that ended the run.
        s if s.ends_with("Error") || s.ends_with("Exception") => Verdict::Error,
        _ => Verdict::Unknown,
    }
}

/// nebius' rows: `target` is whether the instance was resolved; else the exit status.
fn swe_agent_rows(meta: &[(String, Value)]) -> Verdict {
    match binary(get(meta, "target")) {
        Verdict::Unknown => swe_agent(meta),
        verdict => verdict,
    }
}

/// FireAct's `reward` (true when the answer matched exactly).
fn fireact(meta: &[(String, Value)]) -> Verdict {
    binary(get(meta, "reward"))
}

/// KnowAgent's `result`: `true`, or `false`/`0`.
fn knowagent(meta: &[(String, Value)]) -> Verdict {
    binary(get(meta, "result"))
}

/// OpenHands' `error` (the run stopped: an exception, the iteration limit) before `resolved`.
fn openhands_eval(meta: &[(String, Value)]) -> Verdict {
    if has_error(meta) {
        return Verdict::Error;
    }
    binary(get(meta, "resolved"))
}

/// Inspect AI: a sample's `error` (the sample did not finish), else its `scores`: each
/// scorer's `value` is Inspect's `C` (correct), `I` (incorrect), `P` (partial: not a pass),
/// `N` (no answer), a boolean or a number (1 correct, 0 not; a grade in between says neither).
/// Every scorer correct is a pass, any one wrong a fail.
fn inspect(meta: &[(String, Value)]) -> Verdict {
    if has_error(meta) {
        return Verdict::Error;
    }
    let Some(Value::Object(scores)) = get(meta, "scores") else {
        return Verdict::Unknown;
    };
    let verdicts: Vec<Verdict> = scores
        .values()
        .map(|score| match score.get("value") {
            Some(Value::String(v)) => match v.as_str() {
                "C" | "correct" => Verdict::Pass,
                "I" | "P" | "N" | "incorrect" | "partial" | "noanswer" => Verdict::Fail,
                _ => Verdict::Unknown,
            },
            Some(Value::Number(n)) => match n.as_f64() {
                Some(x) if x >= 1.0 => Verdict::Pass,
                Some(x) if x <= 0.0 => Verdict::Fail,
                _ => Verdict::Unknown,
            },
            other => binary(other),
        })
        .collect();
    if verdicts.contains(&Verdict::Fail) {
        Verdict::Fail
    } else if !verdicts.is_empty() && verdicts.iter().all(|v| *v == Verdict::Pass) {
        Verdict::Pass
    } else {
        Verdict::Unknown
    }
}

/// Chat-shaped records say nothing of their own; a field some sources add does.
fn chat(meta: &[(String, Value)]) -> Verdict {
    if has_error(meta) {
        return Verdict::Error;
    }
    ["resolved", "success", "reward"]
        .into_iter()
        .map(|k| binary(get(meta, k)))
        .find(|v| *v != Verdict::Unknown)
        .unwrap_or_else(|| swe_agent(meta))
}

/// The statuses of an AgentBench run's results file, by episode index.
#[derive(Debug, Default)]
pub struct RunResults {
    statuses: HashMap<u64, String>,
}

impl RunResults {
    /// Read `custom.raw_results[].{index, status}` (the histories are skipped, not built).
    pub fn parse(text: &str) -> Option<RunResults> {
        #[derive(Deserialize)]
        struct Overall {
            custom: Custom,
        }
        #[derive(Deserialize)]
        struct Custom {
            raw_results: Vec<Result>,
        }
        #[derive(Deserialize)]
        struct Result {
            index: Option<u64>,
            status: Option<String>,
        }
        let overall: Overall = serde_json::from_str(text).ok()?;
        let statuses = overall
            .custom
            .raw_results
            .into_iter()
            .filter_map(|r| Some((r.index?, r.status?)))
            .collect();
        Some(RunResults { statuses })
    }

    /// Settle an AgentBench trajectory's outcome by the results' status of its `index`.
    pub fn apply(&self, index: u64, outcome: &mut Outcome) {
        let Some(status) = self.statuses.get(&index) else {
            return;
        };
        let verdict = agentbench_status(status);
        // A harness error stays one whatever the results file counted.
        if outcome.verdict != Verdict::Error && verdict != Verdict::Unknown {
            outcome.verdict = verdict;
        }
        outcome.fields.push(("index".into(), Value::from(index)));
        outcome
            .fields
            .push(("overall.status".into(), Value::String(status.clone())));
    }
}

/// The results file of an AgentBench runs file: `<prefix>_overall.json` beside
/// `<prefix>_runs.jsonl`, else `overall.json` in the same folder (AgentBench writes both into
/// the run's folder).
pub fn results_path(runs: &Path) -> Option<PathBuf> {
    let name = runs.file_name()?.to_str()?;
    let overall = match name.strip_suffix("runs.jsonl") {
        Some(prefix) => format!("{prefix}overall.json"),
        None => "overall.json".to_string(),
    };
    Some(runs.with_file_name(overall))
}

/// The results beside `runs`, read once per file per process (and only when it exists).
fn results_beside(runs: &Path) -> Option<Arc<RunResults>> {
    type Cache = Mutex<HashMap<PathBuf, Option<Arc<RunResults>>>>;
    static CACHE: LazyLock<Cache> = LazyLock::new(Cache::default);
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    cache
        .entry(runs.to_path_buf())
        .or_insert_with(|| {
            let path = results_path(runs)?;
            let text = std::fs::read_to_string(path).ok()?;
            RunResults::parse(&text).map(Arc::new)
        })
        .clone()
}

/// Settle an AgentBench trajectory of episode `index` by its run's results file, if any.
pub(super) fn settle(trajectory: &mut Trajectory, index: Option<u64>) {
    if trajectory.format != Format::AgentBench {
        return;
    }
    let Some(index) = index else { return };
    if let Some(results) = results_beside(&trajectory.source.file) {
        results.apply(index, &mut trajectory.outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn verdict(format: Format, meta: Value) -> Verdict {
        let meta: Vec<(String, Value)> = meta
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        of(format, &meta).verdict
    }

    use Verdict::*;

    #[test]
    fn agentbench_completed_is_unknown_and_failures_fail() {
        let f = Format::AgentBench;
        assert_eq!(verdict(f, json!({"status": "completed"})), Unknown);
        for s in [
            "agent invalid action",
            "agent validation failed",
            "task limit reached",
            "agent context limit",
        ] {
            assert_eq!(verdict(f, json!({ "status": s })), Fail, "{s}");
        }
        assert_eq!(verdict(f, json!({"status": "task error"})), Error);
        assert_eq!(verdict(f, json!({"status": "running"})), Unknown);
        let errored = json!({"status": "completed", "error": "AGENT_FAILED"});
        assert_eq!(verdict(f, errored), Error);
    }

    #[test]
    fn agentbench_results_settle_a_completed_episode() {
        let text = r#"{"total":2,"validation":{},"custom":{"accuracy":0.5,"raw_results":[
            {"index":3,"status":"completedCorrect","result":"x","history":[{"role":"user","content":"q"}]},
            {"index":4,"status":"completedIncorrect","result":null,"history":[]}]}}"#;
        let results = RunResults::parse(text).unwrap();
        let meta = vec![("status".to_string(), json!("completed"))];
        let mut outcome = of(Format::AgentBench, &meta);
        results.apply(3, &mut outcome);
        assert_eq!(outcome.verdict, Pass);
        assert_eq!(
            outcome.fields[2],
            ("overall.status".into(), json!("completedCorrect"))
        );
        let mut outcome = of(Format::AgentBench, &meta);
        results.apply(4, &mut outcome);
        assert_eq!(outcome.verdict, Fail);
        let mut outcome = of(Format::AgentBench, &meta);
        results.apply(5, &mut outcome);
        assert_eq!(outcome.verdict, Unknown);
        assert_eq!(outcome.fields, meta);
    }

    #[test]
    fn results_sit_beside_the_runs_file() {
        let p = |s: &str| results_path(Path::new(s)).unwrap();
        assert_eq!(p("a/x_runs.jsonl"), Path::new("a/x_overall.json"));
        assert_eq!(p("a/runs.jsonl"), Path::new("a/overall.json"));
        assert_eq!(p("a/error.jsonl"), Path::new("a/overall.json"));
    }

    #[test]
    fn swe_agent_submitted_is_unknown_and_exits_fail_or_error() {
        let f = Format::SweAgent;
        assert_eq!(verdict(f, json!({"exit_status": "submitted"})), Unknown);
        let auto = json!({"exit_status": "submitted (exit_cost)"});
        assert_eq!(verdict(f, auto), Unknown);
        assert_eq!(verdict(f, json!({"exit_status": "exit_cost"})), Fail);
        assert_eq!(verdict(f, json!({"exit_status": "exit_forfeit"})), Fail);
        assert_eq!(verdict(f, json!({"exit_status": "exit_api"})), Error);
        assert_eq!(verdict(f, json!({})), Unknown);
        let mini = Format::MiniSweAgent;
        assert_eq!(verdict(mini, json!({"exit_status": "Submitted"})), Unknown);
        assert_eq!(
            verdict(mini, json!({"exit_status": "LimitsExceeded"})),
            Fail
        );
        assert_eq!(verdict(mini, json!({"exit_status": "TimeoutError"})), Error);
    }

    #[test]
    fn swe_agent_rows_read_target_as_resolved() {
        let f = Format::SweAgentRows;
        let row = |t: bool| json!({"target": t, "exit_status": "submitted"});
        assert_eq!(verdict(f, row(true)), Pass);
        assert_eq!(verdict(f, row(false)), Fail);
        assert_eq!(verdict(f, json!({"exit_status": "exit_context"})), Fail);
    }

    #[test]
    fn rewards_of_one_and_zero_pass_and_fail() {
        let f = Format::FireAct;
        assert_eq!(verdict(f, json!({"reward": true, "em": true})), Pass);
        assert_eq!(verdict(f, json!({"reward": false})), Fail);
        assert_eq!(verdict(f, json!({"reward": 1})), Pass);
        assert_eq!(verdict(f, json!({"reward": 0.0})), Fail);
        assert_eq!(verdict(f, json!({"reward": 0.4})), Unknown);
        let k = Format::KnowAgent;
        assert_eq!(verdict(k, json!({"result": true})), Pass);
        assert_eq!(verdict(k, json!({"result": 0})), Fail);
        assert_eq!(verdict(k, json!({"result": false})), Fail);
    }

    #[test]
    fn openhands_errors_before_resolved() {
        let f = Format::OpenHandsEval;
        assert_eq!(verdict(f, json!({"resolved": true})), Pass);
        assert_eq!(verdict(f, json!({"resolved": false})), Fail);
        let both = json!({"error": "max iterations", "resolved": false});
        assert_eq!(verdict(f, both), Error);
        assert_eq!(verdict(f, json!({"error": null})), Unknown);
    }

    #[test]
    fn chat_formats_read_the_common_fields() {
        let f = Format::OpenAi;
        assert_eq!(verdict(f, json!({})), Unknown);
        assert_eq!(verdict(f, json!({"resolved": true})), Pass);
        assert_eq!(verdict(f, json!({"success": false})), Fail);
        assert_eq!(verdict(f, json!({"exit_status": "exit_cost"})), Fail);
        assert_eq!(verdict(Format::ShareGpt, json!({"reward": 1.0})), Pass);
        assert_eq!(verdict(Format::RoleContent, json!({"error": "x"})), Error);
    }

    #[test]
    fn inspect_reads_every_scorer() {
        let f = Format::Inspect;
        let score = |v: Value| json!({"scores": {"match": {"value": v}}});
        assert_eq!(verdict(f, score(json!("C"))), Pass);
        assert_eq!(verdict(f, score(json!("I"))), Fail);
        assert_eq!(verdict(f, score(json!("P"))), Fail);
        assert_eq!(verdict(f, score(json!(1))), Pass);
        assert_eq!(verdict(f, score(json!(0.5))), Unknown);
        assert_eq!(verdict(f, score(json!(true))), Pass);
        let two = json!({"scores": {"a": {"value": "C"}, "b": {"value": "I"}}});
        assert_eq!(verdict(f, two), Fail);
        assert_eq!(verdict(f, json!({"scores": null})), Unknown);
        assert_eq!(
            verdict(f, json!({"error": "boom", "scores": {"a": {"value": "C"}}})),
            Error
        );
    }

    #[test]
    fn formats_without_outcome_fields_are_unknown() {
        for f in [Format::ClaudeCode, Format::OpenHandsEvents, Format::Atif] {
            assert_eq!(verdict(f, json!({"resolved": true})), Unknown, "{f}");
        }
    }

    #[test]
    fn the_fields_are_the_ones_read() {
        let meta = vec![
            ("reward".to_string(), json!(true)),
            ("em".to_string(), json!(true)),
            ("f1".to_string(), json!(1.0)),
        ];
        let outcome = of(Format::FireAct, &meta);
        assert_eq!(outcome.fields, vec![("reward".to_string(), json!(true))]);
    }
}
