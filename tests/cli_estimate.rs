//! Sampling recorded beside the journals, and `trev stats --estimate` over it.

mod common;

use predicates::prelude::*;
use serde_json::Value;

#[test]
fn the_sample_is_recorded_and_the_estimate_reads_it() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    let data = common::sample_data();
    common::trev(home.path())
        .args(["stats", "--sample", "6", "--seed", "3", "--annotations"])
        .arg(&ann)
        .arg(&data)
        .assert()
        .success();
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(ann.join("sample.json")).unwrap()).unwrap();
    let ids: Vec<String> = record["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 6);
    // A different sample in the same directory is refused.
    common::trev(home.path())
        .args(["stats", "--sample", "6", "--seed", "4", "--annotations"])
        .arg(&ann)
        .arg(&data)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("records another sample"));
    // Nothing reviewed yet: said plainly.
    common::trev(home.path())
        .args(["stats", "--estimate", "--annotations"])
        .arg(&ann)
        .arg(&data)
        .assert()
        .success()
        .stdout(predicate::str::contains("nothing reviewed yet"));
    // A judge marks the first agent turn of every sampled trajectory it can: wrong for one.
    let mut lines = String::new();
    let ds = trev::load::Dataset::open(std::slice::from_ref(&data), Default::default()).unwrap();
    ds.wait();
    let mut judged = 0;
    for i in 0..ds.len() {
        let Ok((t, _)) = ds.load(i) else { continue };
        if !ids.contains(&t.id) {
            continue;
        }
        if let Some(turn) = t
            .turns
            .iter()
            .find(|x| x.role == trev::model::Role::Agent && !x.demo)
        {
            let label = if judged == 0 { "wrong" } else { "right" };
            lines.push_str(&format!(
                "{{\"trajectory\": {:?}, \"turn\": {}, \"label\": \"{label}\"}}\n",
                t.id, turn.index
            ));
            judged += 1;
        }
    }
    let judge = home.path().join("judge.jsonl");
    std::fs::write(&judge, lines).unwrap();
    common::trev(home.path())
        .args(["label", "--annotator", "judge", "--import"])
        .arg(&judge)
        .arg("--annotations")
        .arg(&ann)
        .assert()
        .success();
    let out = common::trev(home.path())
        .args(["stats", "--estimate", "--json", "--annotations"])
        .arg(&ann)
        .arg(&data)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report: Value = serde_json::from_slice(&out).unwrap();
    let t = &report["overall"]["trajectories_with_wrong"];
    assert_eq!(t["count"], 1);
    assert_eq!(t["of"], judged);
    assert_eq!(t["population"], 40);
    let est = t["estimate"].as_array().unwrap();
    assert!(est[1].as_u64().unwrap() <= est[0].as_u64().unwrap());
    assert!(est[0].as_u64().unwrap() <= est[2].as_u64().unwrap());
}

#[test]
fn without_a_sample_the_estimate_describes_the_reviewed_only() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    let data = common::sample_data().join("agentinstruct_os.json");
    std::fs::create_dir_all(&ann).unwrap();
    std::fs::write(
        ann.join("alice.jsonl"),
        "{\"trajectory\": \"os_1\", \"turn\": 5, \"label\": \"wrong\", \"annotator\": \"alice\"}\n",
    )
    .unwrap();
    let out = common::trev(home.path())
        .args(["stats", "--estimate", "--annotations"])
        .arg(&ann)
        .arg(&data)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("no random sample is recorded"), "{text}");
    assert!(text.contains("not extrapolated"), "{text}");
    assert!(!text.contains("CI"), "{text}");
    let json = common::trev(home.path())
        .args(["stats", "--estimate", "--json", "--annotations"])
        .arg(&ann)
        .arg(&data)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(report["design"], "reviewed");
    assert_eq!(report["overall"]["trajectories_with_wrong"]["count"], 1);
    assert_eq!(
        report["overall"]["trajectories_with_wrong"]["estimate"],
        Value::Null
    );
}
