//! Claude Code session logs from `../shared/corpus/claude-code-jsonl`: what trev reads (by the
//! index and by the scan) checked against counts taken here from the JSON itself, and
//! `trev stats` / `trev check` over the folder.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;
use trev::load::split::Layout;
use trev::load::{Dataset, LoadOptions};
use trev::model::{Format, Role, Trajectory};
use trev::scan::{self, Event};

const FILES: &[&str] = &[
    "claude-code-jsonl/representative_messages.jsonl",
    "claude-code-jsonl/todowrite_examples.jsonl",
];

/// What a file holds, counted from its JSON lines with serde_json alone.
#[derive(Debug, Default, PartialEq, Eq)]
struct Counts {
    sessions: usize,
    /// Assistant lines (each is one agent turn; these files have no thinking blocks).
    agent: usize,
    /// Tool results.
    environment: usize,
    /// The user's text messages after the first of each session: the user speaking again.
    follow_ups: usize,
    tool_calls: usize,
    tool_results: usize,
}

fn blocks(line: &Value) -> Vec<&Value> {
    match &line["message"]["content"] {
        Value::Array(items) => items.iter().collect(),
        _ => Vec::new(),
    }
}

fn independent(path: &Path) -> Counts {
    let text = std::fs::read_to_string(path).unwrap();
    let mut counts = Counts::default();
    let mut sessions = BTreeSet::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let line: Value = serde_json::from_str(line).unwrap();
        let of = |kind: &str| blocks(&line).iter().filter(|b| b["type"] == kind).count();
        match line["type"].as_str().unwrap() {
            "assistant" => {
                counts.agent += 1;
                counts.tool_calls += of("tool_use");
            }
            "user" => {
                counts.tool_results += of("tool_result");
                counts.environment += of("tool_result");
                let session = line["sessionId"].as_str().unwrap().to_string();
                let first = sessions.insert(session);
                if of("tool_result") == 0 && !first {
                    counts.follow_ups += 1;
                }
            }
            _ => {}
        }
    }
    counts.sessions = sessions.len();
    counts
}

fn counted(trajectories: &[Trajectory]) -> Counts {
    let mut counts = Counts {
        sessions: trajectories.len(),
        ..Counts::default()
    };
    for t in trajectories {
        let task = t.instruction().map(|x| x.index);
        for turn in t.turns.iter().filter(|turn| !turn.demo) {
            match turn.role {
                Role::Agent => counts.agent += 1,
                Role::Environment => counts.environment += 1,
                Role::Instruction if Some(turn.index) != task => counts.follow_ups += 1,
                _ => {}
            }
            counts.tool_calls += turn.tool_calls.len();
            counts.tool_results += usize::from(turn.source_role.starts_with("tool_result"));
        }
    }
    counts
}

fn files() -> Option<Vec<PathBuf>> {
    let corpus = common::corpus()?;
    Some(FILES.iter().map(|f| corpus.join(f)).collect())
}

#[test]
fn each_session_is_one_trajectory_with_the_counts_of_its_json() {
    let Some(files) = files() else { return };
    let mut seen = Vec::new();
    for path in &files {
        let expected = independent(path);
        let data = Dataset::open(std::slice::from_ref(path), LoadOptions::default()).unwrap();
        data.wait();
        assert!(data.diagnostics().is_empty(), "{:?}", data.diagnostics());
        assert_eq!(data.files()[0].layout, Layout::Sessions);
        let mut loaded = Vec::new();
        for i in 0..data.len() {
            let (t, warnings) = data.load(i).unwrap();
            assert!(warnings.is_empty(), "{warnings:?}");
            assert_eq!(t.format, Format::ClaudeCode);
            loaded.push(t);
        }
        assert_eq!(counted(&loaded), expected, "{}", path.display());
        // The first user message is the instruction; the summary is kept, as a demo turn.
        for t in &loaded {
            assert_eq!(t.turns[0].role, Role::Instruction);
            assert!(t.turns.iter().any(|x| x.source_role == "summary" && x.demo));
        }
        // The scan of the headless commands reads the same trajectories.
        let mut scanned = Vec::new();
        scan::scan(
            std::slice::from_ref(path),
            LoadOptions::default(),
            2,
            |r| r,
            |event| {
                if let Event::Record(r) = event {
                    scanned.push(r.unwrap().0);
                }
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(scanned, loaded);
        seen.push((loaded[0].id.clone(), expected));
    }
    assert_eq!(
        seen,
        [
            (
                "test_session".to_string(),
                Counts {
                    sessions: 1,
                    agent: 5,
                    environment: 2,
                    follow_ups: 3,
                    tool_calls: 2,
                    tool_results: 2
                }
            ),
            (
                "todowrite_session".to_string(),
                Counts {
                    sessions: 1,
                    agent: 6,
                    environment: 3,
                    follow_ups: 1,
                    tool_calls: 3,
                    tool_results: 3
                }
            ),
        ]
    );
}

#[test]
fn the_todowrite_session_follows_its_parent_links() {
    let Some(files) = files() else { return };
    let data = Dataset::open(&files[1..], LoadOptions::default()).unwrap();
    data.wait();
    let (t, _) = data.load(0).unwrap();
    let first_call = t.turns.iter().find(|x| !x.tool_calls.is_empty()).unwrap();
    assert_eq!(first_call.tool_calls[0].name, "TodoWrite");
    let args: Value = serde_json::from_str(&first_call.tool_calls[0].arguments).unwrap();
    assert!(args["todos"].is_array());
    // The user's follow-up comes after the third tool result, as its parentUuid says, and is
    // the user's turn (the environment answers in tool results).
    let follow_up = t
        .turns
        .iter()
        .position(|x| x.text.starts_with("Can you add a task for security review"))
        .unwrap();
    assert_eq!(t.turns[follow_up - 1].source_role, "tool_result");
    assert_eq!(t.turns[follow_up].role, Role::Instruction);
    assert_eq!(t.instruction().unwrap().index, 0);
}

#[test]
fn stats_and_check_run_on_the_folder() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = corpus.join("claude-code-jsonl");
    let home = tempfile::tempdir().unwrap();
    for args in [&["stats"][..], &["stats", "--json"], &["check"]] {
        let out = common::trev(home.path())
            .args(args)
            .arg(&dir)
            .assert()
            .success()
            .get_output()
            .clone();
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
