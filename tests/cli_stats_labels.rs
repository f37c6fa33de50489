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
    assert_eq!(
        (bob["marked"].clone(), bob["unmatched"].clone()),
        (json!(1), json!(1))
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
