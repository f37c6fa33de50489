//! The OpenHands files of `../shared/corpus` (event streams and evaluation output), with the
//! turns trev reads checked against a reading of the events made here with serde_json alone.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;
use trev::load::{Dataset, LoadOptions};
use trev::model::{Format, Role, Trajectory};

const EVENT_STREAMS: &[&str] = &[
    "openhands-event-stream/basic.json",
    "openhands-event-stream/basic_interactions.json",
];
const EVAL_OUTPUT: &str = "openhands-eval-output-jsonl/multi_swe_bench_output.jsonl";

/// Turns by role, counted from the events: (system, instruction, agent, environment).
#[derive(Debug, PartialEq, Default)]
struct Counts {
    system: usize,
    instruction: usize,
    agent: usize,
    environment: usize,
}

fn str_of<'v>(event: &'v Value, key: &str) -> Option<&'v str> {
    event.get(key).and_then(Value::as_str)
}

/// What the events should give: agent-state events are not turns; the system action is the
/// system turn; the user's actions are instructions (the first the task, later ones the user
/// speaking again), but for `recall` (the harness fetching context); the agent's other
/// actions are its turns; observations, recalls and the environment's actions are the
/// environment.
fn expected(events: &[Value]) -> Counts {
    let mut c = Counts::default();
    for e in events {
        let action = str_of(e, "action");
        let observation = str_of(e, "observation");
        match (action, observation) {
            (Some("change_agent_state"), _) | (_, Some("agent_state_changed" | "null")) => {}
            (Some("system"), _) => c.system += 1,
            (Some(_), _) if str_of(e, "source") == Some("agent") => c.agent += 1,
            (Some(a), _) if str_of(e, "source") == Some("user") && a != "recall" => {
                c.instruction += 1
            }
            (Some(_), _) | (None, Some(_)) => c.environment += 1,
            (None, None) => {}
        }
    }
    c
}

fn got(t: &Trajectory) -> Counts {
    let n = |role| t.turns.iter().filter(|x| x.role == role).count();
    Counts {
        system: n(Role::System),
        instruction: n(Role::Instruction),
        agent: n(Role::Agent),
        environment: n(Role::Environment),
    }
}

fn load_all(path: &Path) -> Vec<Trajectory> {
    let ds = Dataset::open(&[path.to_path_buf()], LoadOptions::default()).unwrap();
    ds.wait();
    assert!(ds.diagnostics().is_empty(), "{:?}", ds.diagnostics());
    (0..ds.len())
        .map(|i| ds.load(i).unwrap_or_else(|d| panic!("{d}")).0)
        .collect()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn an_event_stream_is_one_trajectory_with_the_events_turns() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    for file in EVENT_STREAMS {
        let path = corpus.join(file);
        let events = read_json(&path);
        let events = events.as_array().unwrap();
        let trajectories = load_all(&path);
        assert_eq!(trajectories.len(), 1, "{file}");
        let t = &trajectories[0];
        assert_eq!(t.format, Format::OpenHandsEvents, "{file}");
        assert_eq!(got(t), expected(events), "{file}");
        // The instruction is the first user message.
        let first_user = events
            .iter()
            .find(|e| str_of(e, "source") == Some("user"))
            .unwrap();
        let instruction = t
            .turns
            .iter()
            .find(|x| x.role == Role::Instruction)
            .unwrap();
        assert_eq!(
            Some(instruction.text.as_str()),
            first_user["args"]["content"].as_str(),
            "{file}"
        );
    }
}

#[test]
fn eval_output_is_one_trajectory_per_line_with_its_test_result() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let path = corpus.join(EVAL_OUTPUT);
    let lines: Vec<Value> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let trajectories = load_all(&path);
    assert_eq!(trajectories.len(), lines.len());
    for (line, t) in lines.iter().zip(&trajectories) {
        let id = line["instance_id"].as_str().unwrap();
        assert_eq!(t.id, id);
        assert_eq!(t.format, Format::OpenHandsEval, "{id}");
        let events = line["history"].as_array().unwrap();
        assert_eq!(got(t), expected(events), "{id}");
        // Each agent action that called a tool keeps its call, arguments as the source wrote
        // them (compared as JSON values).
        let calls: Vec<&Value> = events
            .iter()
            .filter(|e| str_of(e, "source") == Some("agent") && e.get("action").is_some())
            .filter(|e| !matches!(str_of(e, "action"), Some("system" | "message")))
            .map(|e| &e["args"])
            .collect();
        let ours: Vec<Value> = t
            .turns
            .iter()
            .flat_map(|x| &x.tool_calls)
            .map(|c| serde_json::from_str(&c.arguments).unwrap())
            .collect();
        assert_eq!(ours.len(), calls.len(), "{id}");
        assert!(ours.iter().zip(&calls).all(|(a, b)| a == *b), "{id}");
        let meta = |key: &str| t.meta.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        assert_eq!(
            meta("error"),
            line.get("error").filter(|v| !v.is_null()),
            "{id}"
        );
    }
}

#[test]
fn stats_and_check_read_the_openhands_folders_without_errors() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let folders: Vec<PathBuf> = ["openhands-event-stream", "openhands-eval-output-jsonl"]
        .iter()
        .map(|d| corpus.join(d))
        .collect();
    for folder in &folders {
        let out = common::trev(home.path())
            .arg("stats")
            .arg(folder)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert!(!stderr.contains("error"), "{stderr}");
        let out = common::trev(home.path())
            .arg("check")
            .arg(folder)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
        assert!(!stderr.contains("skipped"), "{stderr}");
    }
}
