//! A record is never misread silently: a trajectory without an agent turn is a warning at its
//! `file:line` and a count in `trev stats`; a record's own `loss` flags decide its demo turns.

mod common;

use std::path::Path;

use serde_json::Value;
use trev::diag::Level;
use trev::load::{Dataset, LoadOptions};

const NO_AGENT: &str = concat!(
    r#"{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}"#,
    "\n",
    r#"{"messages":[{"role":"user","content":"only a question"}]}"#,
    "\n",
);

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_trajectory_without_an_agent_turn_is_a_warning_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "no_agent.jsonl", NO_AGENT);
    let ds = Dataset::open(std::slice::from_ref(&path), LoadOptions::default()).unwrap();
    ds.wait();
    let (_, first) = ds.load(0).unwrap();
    assert!(first.is_empty(), "{first:?}");
    let (t, warnings) = ds.load(1).unwrap();
    assert_eq!(t.turns.len(), 1);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let w = &warnings[0];
    assert_eq!((w.level, w.line), (Level::Warning, 2));
    assert!(
        w.message.starts_with("no agent turn: read as `openai`"),
        "{}",
        w.message
    );
}

#[test]
fn stats_counts_trajectories_without_an_agent_turn() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "no_agent.jsonl", NO_AGENT);
    let out = common::trev(dir.path())
        .arg("stats")
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stdout.contains("(JSON Lines, 2 trajectories, 1 with no agent turns)"),
        "{stdout}"
    );
    assert!(!stdout.contains("repaired"), "{stdout}");
    assert!(
        stderr.contains("no_agent.jsonl:2: warning: no agent turn"),
        "{stderr}"
    );

    let out = common::trev(dir.path())
        .args(["stats", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|l| l["no_agent_turns"] == 1), "{lines:?}");
}

#[test]
fn stats_json_leaves_the_count_out_when_every_trajectory_has_agent_turns() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "fine.jsonl", NO_AGENT.lines().next().unwrap());
    let out = common::trev(dir.path())
        .args(["stats", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains("no_agent_turns"), "{stdout}");
}

#[test]
fn a_records_loss_flags_decide_its_demo_turns() {
    // AgentInstruct OS without the one-shot example: its first agent turn is trained.
    let record = r#"{"id":"os_9","conversations":[{"from":"human","loss":false,"value":"You are an assistant that will act like a person, I'will play the role of linux operating system. My problem is: count files."},{"from":"gpt","loss":true,"value":"Think: list them.\n\nAct: bash\n\n```bash\nls | wc -l\n```"},{"from":"human","loss":false,"value":"The output of the OS:\n3"},{"from":"gpt","loss":true,"value":"Think: done.\n\nAct: answer(3)"}]}"#;
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "os.jsonl", &format!("{record}\n"));
    let ds = Dataset::open(std::slice::from_ref(&path), LoadOptions::default()).unwrap();
    ds.wait();
    let (t, warnings) = ds.load(0).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let got: Vec<(&str, bool)> = t.turns.iter().map(|x| (x.role.as_str(), x.demo)).collect();
    assert_eq!(
        got,
        [
            ("instruction", false),
            ("agent", false),
            ("environment", false),
            ("agent", false),
        ]
    );
}
