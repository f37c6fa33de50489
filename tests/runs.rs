//! A mark belongs to one trajectory: its run and its id. Two runs of one benchmark share task
//! ids, and files of one harness share a session id; journals written before runs still apply
//! where they are not ambiguous; a renamed file finds its marks again.

mod common;

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use serde_json::Value;
use trev::load::{Dataset, LoadOptions};

/// The first agent turn (not a demo) of trajectory `id` in `file`.
fn first_agent_turn(file: &Path, id: &str) -> usize {
    let data = Dataset::open(&[file.to_path_buf()], LoadOptions::default()).unwrap();
    data.wait();
    (0..data.len())
        .filter_map(|i| data.load(i).ok())
        .find(|(t, _)| t.id == id)
        .and_then(|(t, _)| t.agent_turns().next().map(|x| x.index))
        .unwrap()
}

/// Two copies of the OS sample: runs `a/os` and `b/os`.
fn two_runs(home: &Path) -> PathBuf {
    let data = home.join("data");
    for run in ["a", "b"] {
        std::fs::create_dir_all(data.join(run)).unwrap();
        std::fs::copy(
            common::sample_data().join("agentinstruct_os.json"),
            data.join(run).join("os.json"),
        )
        .unwrap();
    }
    data
}

fn export_report(home: &Path, data: &Path, ann: &Path) -> (Value, String) {
    let out = home.join(format!("gold{}.jsonl", rand_suffix()));
    let report = home.join(format!("report{}.json", rand_suffix()));
    let run = common::trev(home)
        .arg("export")
        .arg(data)
        .arg("--annotations")
        .arg(ann)
        .arg("--out")
        .arg(&out)
        .arg("--report")
        .arg(&report)
        .arg("--keep-unreviewed")
        .assert()
        .success();
    let stderr = String::from_utf8(run.get_output().stderr.clone()).unwrap();
    let report: Value = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    (report, stderr)
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

#[test]
fn two_runs_of_one_benchmark_keep_their_marks_apart() {
    let home = tempfile::tempdir().unwrap();
    let data = two_runs(home.path());
    let ann = home.path().join("ann");
    let turn = first_agent_turn(&data.join("a/os.json"), "os_1").to_string();
    let label = |extra: &[&str]| {
        common::trev(home.path())
            .arg("label")
            .arg(&data)
            .args([
                "--annotator",
                "alice",
                "--trajectory",
                "os_1",
                "--turn",
                &turn,
            ])
            .args(["--set", "wrong", "--annotations"])
            .arg(&ann)
            .args(extra)
            .assert()
    };
    label(&[]).code(2).stderr(predicate::str::contains(
        "in several runs (a/os, b/os): give --run NAME",
    ));
    label(&["--run", "a/os"]).success();
    let journal = std::fs::read_to_string(ann.join("alice.jsonl")).unwrap();
    assert!(journal.contains(r#""run":"a/os""#), "{journal}");

    // Only run a/os's os_1 is judged wrong: the export drops it and keeps b/os's.
    let (report, _) = export_report(home.path(), &data, &ann);
    assert_eq!(
        report["total"]["dropped_by_reason"]["wrong agent turn"], 1,
        "{report}"
    );

    // Progress: one trajectory of the two has a marked turn.
    let out = common::trev(home.path())
        .args(["stats", "--json", "--annotations"])
        .arg(&ann)
        .arg(&data)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let alice: Value = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["annotator"] == "alice")
        .unwrap();
    assert_eq!(alice["marked"], 1);
    assert_eq!(alice["unmatched"], 0);
}

#[test]
fn a_journal_without_runs_applies_where_it_is_not_ambiguous() {
    let home = tempfile::tempdir().unwrap();
    let data = two_runs(home.path());
    let ann = home.path().join("ann");
    std::fs::create_dir_all(&ann).unwrap();
    let turn = first_agent_turn(&data.join("a/os.json"), "os_1");
    std::fs::write(
        ann.join("old.jsonl"),
        format!("{{\"annotator\":\"old\",\"trajectory\":\"os_1\",\"turn\":{turn},\"label\":\"wrong\"}}\n"),
    )
    .unwrap();
    // Both runs have os_1: the old line cannot say which; it applies to none, and says so.
    let (report, stderr) = export_report(home.path(), &data, &ann);
    assert!(
        report["total"]["dropped_by_reason"]["wrong agent turn"].is_null(),
        "{report}"
    );
    assert!(stderr.contains("in several runs"), "{stderr}");
    // One run loaded: the id is unique, the old line applies.
    let (report, _) = export_report(home.path(), &data.join("a"), &ann);
    assert_eq!(
        report["total"]["dropped_by_reason"]["wrong agent turn"], 1,
        "{report}"
    );
}

#[test]
fn a_renamed_file_finds_its_marks_again() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("data");
    std::fs::create_dir_all(&dir).unwrap();
    let before = dir.join("os.json");
    std::fs::copy(common::sample_data().join("agentinstruct_os.json"), &before).unwrap();
    let ann = home.path().join("ann");
    let turn = first_agent_turn(&before, "os_1").to_string();
    common::trev(home.path())
        .arg("label")
        .arg(&before)
        .args([
            "--annotator",
            "alice",
            "--trajectory",
            "os_1",
            "--turn",
            &turn,
        ])
        .args(["--set", "wrong", "--annotations"])
        .arg(&ann)
        .assert()
        .success();
    let after = dir.join("os_v2.json");
    std::fs::rename(&before, &after).unwrap();
    let (report, stderr) = export_report(home.path(), &after, &ann);
    assert_eq!(
        report["total"]["dropped_by_reason"]["wrong agent turn"], 1,
        "{report}"
    );
    assert!(stderr.contains("renamed or moved"), "{stderr}");
}

#[test]
fn files_of_one_harness_sharing_a_session_id_keep_their_marks_apart() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let atif = corpus.join("atif");
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    let file = atif.join("openhands__hello-world.trajectory.json");
    let turn = first_agent_turn(&file, "NORMALIZED_SESSION_ID").to_string();
    let label = |extra: &[&str]| {
        common::trev(home.path())
            .arg("label")
            .arg(&atif)
            .args([
                "--annotator",
                "alice",
                "--trajectory",
                "NORMALIZED_SESSION_ID",
            ])
            .args(["--turn", &turn, "--set", "wrong", "--annotations"])
            .arg(&ann)
            .args(extra)
            .assert()
    };
    label(&[])
        .code(2)
        .stderr(predicate::str::contains("in several runs"));
    label(&["--run", "openhands__hello-world"]).success();
    let (report, _) = export_report(home.path(), &atif, &ann);
    assert_eq!(
        report["total"]["dropped_by_reason"]["wrong agent turn"], 1,
        "{report}"
    );
    let trajectories =
        report["total"]["kept"].as_u64().unwrap() + report["total"]["dropped"].as_u64().unwrap();
    assert!(
        trajectories >= 3,
        "every file is its own trajectory: {report}"
    );
}
