//! `trev stats --annotations DIR`: label progress per annotator.

mod common;

use predicates::prelude::*;
use serde_json::{json, Value};

#[test]
fn stats_reports_label_progress_per_annotator() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    let data = common::sample_data().join("agentinstruct_os.json");
    // os_1's agent turns (not demo) are 5 and 7; os_2's are 5, 7 and 9.
    for (who, turn, label) in [
        ("alice", 5, "right"),
        ("alice", 7, "wrong"),
        ("bob", 5, "wrong"),
        ("bob", 2, "right"),
    ] {
        common::trev(home.path())
            .arg("label")
            .arg(&data)
            .args([
                "--annotator",
                who,
                "--trajectory",
                "os_1",
                "--turn",
                &turn.to_string(),
            ])
            .args(["--set", label, "--annotations"])
            .arg(&ann)
            .assert()
            .success();
    }
    let out = common::trev(home.path())
        .args(["stats", "--json", "--annotations"])
        .arg(&ann)
        .arg(&data)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let alice = lines.iter().find(|l| l["annotator"] == "alice").unwrap();
    assert_eq!(alice["agent_turns"], 5);
    assert_eq!(
        (
            alice["marked"].clone(),
            alice["right"].clone(),
            alice["wrong"].clone()
        ),
        (json!(2), json!(1), json!(1))
    );
    assert_eq!(alice["trajectories_complete"], 1);
    assert!(alice["pace_seconds"].is_number());
    let bob = lines.iter().find(|l| l["annotator"] == "bob").unwrap();
    // Turn 2 is an in-context demo's environment reply: a turn os_1 has, not progress.
    assert_eq!(
        (
            bob["marked"].clone(),
            bob["on_environment"].clone(),
            bob["unmatched"].clone()
        ),
        (json!(1), json!(1), json!(0))
    );
    common::trev(home.path())
        .args(["stats", "--annotations"])
        .arg(&ann)
        .arg(&data)
        .assert()
        .success()
        .stdout(predicate::str::contains("annotator"))
        .stdout(predicate::str::contains("2/5 (40%)"));
}

#[test]
fn a_mark_on_an_environment_reply_is_on_a_turn_the_files_have() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    std::fs::create_dir_all(&ann).unwrap();
    let data = common::sample_data().join("agentinstruct_os.json");
    // What the review screen writes with `t`: os_1's turn 6 is the reply to agent turn 5.
    // Turn 0 is the prompt; os_1 has no turn 8 and the data no trajectory os_9.
    let lines = [(5, "right"), (6, "wrong"), (0, "right"), (8, "right")]
        .iter()
        .map(|(turn, label)| {
            json!({"v": 1, "at": "2026-11-22T10:00:00Z", "annotator": "carol",
               "trajectory": "os_1", "turn": turn, "label": label})
        })
        .chain([
            json!({"v": 1, "at": "2026-11-22T10:00:01Z", "annotator": "carol",
                   "trajectory": "os_9", "turn": 5, "label": "wrong"}),
        ])
        .map(|l| l.to_string() + "\n")
        .collect::<String>();
    std::fs::write(ann.join("carol.jsonl"), lines).unwrap();
    let out = common::trev(home.path())
        .args(["stats", "--json", "--annotations"])
        .arg(&ann)
        .arg(&data)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let carol: Value = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|l| l["annotator"] == "carol")
        .unwrap();
    assert_eq!(
        [
            "marked",
            "right",
            "wrong",
            "on_environment",
            "on_other_turns",
            "unmatched"
        ]
        .map(|k| carol[k].clone()),
        [1, 1, 0, 1, 1, 2].map(|n| json!(n)),
        "{carol}"
    );
    common::trev(home.path())
        .args(["stats", "--annotations"])
        .arg(&ann)
        .arg(&data)
        .assert()
        .success()
        .stdout(predicate::str::contains("1/5 (20%)"))
        .stdout(predicate::str::contains(
            "(1 mark is on environment replies, which progress does not count)",
        ))
        .stdout(predicate::str::contains(
            "(1 mark is on prompts or in-context demo turns, which progress does not count)",
        ))
        .stdout(predicate::str::contains(
            "(2 marks are on turns or trajectories these files do not have)",
        ));
}
