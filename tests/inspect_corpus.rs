//! The Inspect AI logs of `../shared/corpus` (`.json` logs and an `.eval` archive), with the
//! samples, turns, tool calls and tool results trev reads checked against a reading of the
//! samples made here with serde_json (and the zip crate for the archive) alone.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;
use trev::load::{Dataset, LoadOptions};
use trev::model::{Format, Role, Trajectory};

const DIR: &str = "inspect-ai-eval-log";
const LOGS: &[&str] = &[
    "2025-05-12T20-27-36-04-00_browser.json",
    "log_read_sample.json",
    "log_tool_call_error.json",
];
const ARCHIVE: &str = "log_formats.eval";

/// What a sample should give: (id, agent turns, tool calls, tool results, tool errors).
type Counts = (String, usize, usize, usize, usize);

fn expected(sample: &Value, several_epochs: bool) -> Counts {
    let messages = sample["messages"].as_array().unwrap();
    let role = |r: &str| messages.iter().filter(|m| m["role"] == r).count();
    let calls = messages
        .iter()
        .filter_map(|m| m["tool_calls"].as_array())
        .map(Vec::len)
        .sum();
    let errors = messages
        .iter()
        .filter(|m| m["role"] == "tool" && m["error"].is_object())
        .count();
    let id = match &sample["id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let id = match several_epochs {
        true => format!("{id}#{}", sample["epoch"]),
        false => id,
    };
    (id, role("assistant"), calls, role("tool"), errors)
}

fn got(t: &Trajectory) -> Counts {
    let agent = t.turns.iter().filter(|x| x.role == Role::Agent).count();
    let calls = t.turns.iter().map(|x| x.tool_calls.len()).sum();
    let tool = |x: &&trev::model::Turn| x.source_role.starts_with("tool");
    let results = t.turns.iter().filter(tool).count();
    let errors = t
        .turns
        .iter()
        .filter(tool)
        .filter(|x| x.source_role == "tool (error)")
        .count();
    (t.id.clone(), agent, calls, results, errors)
}

fn several_epochs(samples: &[Value]) -> bool {
    samples.iter().any(|s| s["epoch"].as_u64() != Some(1))
}

fn load_all(path: &Path) -> Vec<Trajectory> {
    let ds = Dataset::open(&[path.to_path_buf()], LoadOptions::default()).unwrap();
    ds.wait();
    assert!(ds.diagnostics().is_empty(), "{:?}", ds.diagnostics());
    (0..ds.len())
        .map(|i| ds.load(i).unwrap_or_else(|d| panic!("{d}")).0)
        .collect()
}

/// The first user message is the instruction, system messages are system turns, and every
/// trajectory keeps the sample's scores (when it has any) and reads as `inspect`.
fn check_shape(t: &Trajectory, sample: &Value) {
    assert_eq!(t.format, Format::Inspect);
    let messages = sample["messages"].as_array().unwrap();
    let first_user = messages.iter().position(|m| m["role"] == "user");
    let instruction = t.turns.iter().position(|x| x.role == Role::Instruction);
    assert_eq!(instruction, first_user, "{}", t.id);
    let system = messages.iter().filter(|m| m["role"] == "system").count();
    assert_eq!(
        t.turns.iter().filter(|x| x.role == Role::System).count(),
        system
    );
    let scores = t.meta.iter().find(|(k, _)| k == "scores").map(|(_, v)| v);
    assert_eq!(scores, sample.get("scores").filter(|v| !v.is_null()));
    // The outcome, read here from the sample: an error, else every scorer's `C` a pass and
    // any `I` a fail (the corpus has no other values), else unknown.
    let values: Vec<&str> = sample["scores"]
        .as_object()
        .map(|o| o.values().filter_map(|s| s["value"].as_str()).collect())
        .unwrap_or_default();
    let want = if !sample["error"].is_null() {
        "error"
    } else if values.contains(&"I") {
        "fail"
    } else if !values.is_empty() && values.iter().all(|v| *v == "C") {
        "pass"
    } else {
        "unknown"
    };
    assert_eq!(t.outcome.verdict.as_str(), want, "{}", t.id);
}

fn dir() -> Option<PathBuf> {
    Some(common::corpus()?.join(DIR))
}

#[test]
fn json_logs_read_one_trajectory_per_sample() {
    let Some(dir) = dir() else { return };
    for name in LOGS {
        let path = dir.join(name);
        let log: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let samples = log["samples"].as_array().unwrap();
        let several = several_epochs(samples);
        let read = load_all(&path);
        assert_eq!(read.len(), samples.len(), "{name}");
        for (t, sample) in read.iter().zip(samples) {
            assert_eq!(got(t), expected(sample, several), "{name}");
            check_shape(t, sample);
        }
    }
}

#[test]
fn the_eval_archive_reads_one_trajectory_per_sample_member() {
    let Some(dir) = dir() else { return };
    let path = dir.join(ARCHIVE);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
    let mut samples = Vec::new();
    for name in names.iter().filter(|n| n.starts_with("samples/")) {
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        samples.push(serde_json::from_str::<Value>(&text).unwrap());
    }
    assert!(!samples.is_empty());
    let several = several_epochs(&samples);
    let read = load_all(&path);
    assert_eq!(read.len(), samples.len());
    for (t, sample) in read.iter().zip(&samples) {
        assert_eq!(got(t), expected(sample, several));
        check_shape(t, sample);
    }
}

#[test]
fn a_damaged_archive_is_an_error_naming_the_file() {
    let Some(dir) = dir() else { return };
    let bytes = std::fs::read(dir.join(ARCHIVE)).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    for (name, cut) in [("torn.eval", bytes.len() / 2), ("stub.eval", 40)] {
        let path = tmp.path().join(name);
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let ds = Dataset::open(std::slice::from_ref(&path), LoadOptions::default()).unwrap();
        ds.wait();
        assert_eq!(ds.len(), 0);
        let message = ds.diagnostics()[0].to_string();
        assert!(message.contains(name), "{message}");
        assert!(message.contains("damaged .eval (zip) archive"), "{message}");
    }
}

#[test]
fn stats_and_check_read_the_folder_without_errors() {
    let Some(dir) = dir() else { return };
    let home = tempfile::tempdir().unwrap();
    for command in ["stats", "check"] {
        let out = common::trev(home.path())
            .arg(command)
            .arg(&dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        // `check` exits 1 for its findings (the failed sample's `outcome/failed`), never 2.
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{command}: {stderr}"
        );
        // A sample of tool results only is read with a warning (no agent turn), never an error.
        assert!(!stderr.contains(": error:"), "{command}: {stderr}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("4 files") || command == "stats", "{stdout}");
    }
}
