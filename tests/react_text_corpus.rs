//! FireAct dumps whose `traj` is one string of ReAct text: the turns trev reads checked against
//! counts made here from the raw strings (serde_json and `str::matches` alone), the outcome
//! kept, and `trev check` finding the ReAct defects the text has.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;
use trev::load::{Dataset, LoadOptions};
use trev::model::{Format, Role, Task, Trajectory};

/// A FireAct-style dump of ReAct text written by `scripts/make_react_fixtures.py`.
fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/react_text_fireact.json")
}

fn load_all(path: &Path) -> Vec<Trajectory> {
    let ds = Dataset::open(&[path.to_path_buf()], LoadOptions::default()).unwrap();
    ds.wait();
    assert!(ds.diagnostics().is_empty(), "{:?}", ds.diagnostics());
    (0..ds.len())
        .map(|i| ds.load(i).unwrap_or_else(|d| panic!("{d}")).0)
        .collect()
}

/// (id, agent turns, environment turns) of each string `traj`, counted from the text: one
/// environment turn per `\nObservation`, one agent turn per `\nAction` (a Thought with no
/// Action after it is an agent turn of its own, so the Thoughts count when they are more).
fn independent(path: &Path) -> Vec<(String, usize, usize)> {
    let value: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let Value::Object(records) = value else {
        panic!("{}: a dict of id -> record", path.display())
    };
    records
        .iter()
        .filter_map(|(id, r)| {
            let traj = r.get("traj")?.as_str()?;
            let actions = traj.matches("\nAction").count();
            let thoughts = traj.matches("\nThought").count();
            let observations = traj.matches("\nObservation").count();
            Some((id.clone(), actions.max(thoughts), observations))
        })
        .collect() // in id order (serde_json's map is sorted)
}

fn counted(t: &Trajectory) -> (String, usize, usize) {
    let n = |role| t.turns.iter().filter(|x| x.role == role).count();
    (t.id.clone(), n(Role::Agent), n(Role::Environment))
}

fn check_counts(path: &Path) -> (usize, usize, usize) {
    let want = independent(path);
    let mut got: Vec<_> = load_all(path)
        .iter()
        .filter(|t| t.format == Format::FireAct && want.iter().any(|w| w.0 == t.id))
        .map(counted)
        .collect();
    got.sort();
    assert_eq!(got, want, "{}", path.display());
    let sum = |f: fn(&(String, usize, usize)) -> usize| want.iter().map(f).sum::<usize>();
    (want.len(), sum(|w| w.1), sum(|w| w.2))
}

#[test]
fn react_text_turns_match_an_independent_count() {
    let (trajectories, agent, environment) = check_counts(&fixture());
    assert_eq!(trajectories, 30);
    assert!(agent >= trajectories && environment >= trajectories);
}

#[test]
fn react_text_is_fireact_with_its_outcome_and_react_profile() {
    let all = load_all(&fixture());
    assert_eq!(all.len(), 30);
    for t in &all {
        assert_eq!(
            (t.format, t.task),
            (Format::FireAct, Task::React),
            "{}",
            t.id
        );
        let keys: Vec<&str> = t.meta.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["reward", "em", "f1"], "{}", t.id);
        assert_eq!(t.turns[0].role, Role::Instruction, "{}", t.id);
        assert!(t.turns[0].text.contains("### Instruction:"), "{}", t.id);
        assert!(t.turns.iter().all(|x| !x.demo), "{}", t.id);
    }
    let first = all.iter().find(|t| t.id == "1000").unwrap();
    assert!(first.turns[0].text.contains("When was"));
    assert!(first.turns[1].text.starts_with("Thought: "));
    assert!(first.turns[1].text.contains("\nAction: "));
    assert!(first.turns[2].text.starts_with("Observation: "));
}

#[test]
fn check_finds_the_react_defects_of_the_text() {
    let home = tempfile::tempdir().unwrap();
    let out = common::trev(home.path())
        .args(["check", "--json", "--only", "invalid-action/react"])
        .arg(fixture())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut ids: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["type"] == "finding")
        .map(|v| v["trajectory"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    // The generator gives every record whose id starts with 9 a defect, and no other.
    let all = load_all(&fixture());
    let mut defective: Vec<String> = all
        .iter()
        .map(|t| t.id.clone())
        .filter(|id| id.starts_with('9'))
        .collect();
    defective.sort();
    assert!(!defective.is_empty());
    assert_eq!(ids, defective);
}

/// Every FireAct dump of the shared corpus whose trajectories are ReAct text.
#[test]
fn corpus_react_text_turns_match_an_independent_count() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = corpus.join("fireact-trajs");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if independent(&path).is_empty() {
            continue;
        }
        let (n, agent, environment) = check_counts(&path);
        eprintln!(
            "{}: {n} trajectories, {agent} agent, {environment} environment turns",
            path.display()
        );
        files += 1;
    }
    if files == 0 {
        eprintln!("notice: no FireAct dump of ReAct text in {}", dir.display());
    }
}

/// KnowAgent-style HotpotQA records (written by `scripts/make_react_fixtures.py`): the
/// `prompt` is two worked examples, `(END OF EXAMPLES)`, and the episode.
#[test]
fn knowagent_hotpotqa_prompts_split_into_examples_and_episode() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/react_text_knowagent_hotpotqa.jsonl");
    // (demo agent, demo environment, agent, environment) per record, from the text: the last
    // `\nQuestion:` starts the episode; an Action line (`\nAction 1:`, not `\nActionPath`) per
    // agent turn, a `\nObservation` per environment turn, and the examples' questions.
    let count = |text: &str, what: &str| text.matches(what).count();
    let want: Vec<(usize, usize, usize, usize)> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).unwrap();
            let prompt = record["prompt"].as_str().unwrap();
            let (examples, episode) = prompt.split_at(prompt.rfind("\nQuestion:").unwrap());
            let actions = |t: &str| count(t, "\nAction") - count(t, "\nActionPath");
            (
                actions(examples),
                count(examples, "\nObservation") + count(examples, "\nQuestion:"),
                actions(episode),
                count(episode, "\nObservation"),
            )
        })
        .collect();
    let got: Vec<(usize, usize, usize, usize)> = load_all(&path)
        .iter()
        .map(|t| {
            assert_eq!(
                (t.format, t.task),
                (Format::KnowAgent, Task::React),
                "{}",
                t.id
            );
            let n = |role, demo| {
                t.turns
                    .iter()
                    .filter(|x| x.role == role && x.demo == demo)
                    .count()
            };
            assert_eq!(n(Role::Instruction, false), 1, "{}", t.id);
            assert_eq!(n(Role::System, false), 1, "{}", t.id);
            let keys: Vec<&str> = t.meta.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(keys, ["reward", "correct", "halted"], "{}", t.id);
            (
                n(Role::Agent, true),
                n(Role::Environment, true),
                n(Role::Agent, false),
                n(Role::Environment, false),
            )
        })
        .collect();
    assert_eq!(got, want);
    let sum = |f: fn(&(usize, usize, usize, usize)) -> usize| want.iter().map(f).sum::<usize>();
    assert_eq!(want.len(), 6);
    assert_eq!(
        sum(|w| w.0),
        24,
        "two examples of two agent steps in each of 6 records"
    );
    assert!(sum(|w| w.2) >= 6);
}
