//! `trev stats --estimate --by JUDGE|rules`: a predictor's share of trajectories with a wrong
//! agent turn over the dataset, corrected for its errors against people on the reviewed sample.

mod common;

use serde_json::Value;

fn estimate(home: &std::path::Path, ann: &std::path::Path, by: &str) -> Value {
    let out = common::trev(home)
        .args(["stats", "--estimate", "--json", "--by", by, "--annotations"])
        .arg(ann)
        .arg(common::sample_data())
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

#[test]
fn a_judge_that_copies_one_person_is_corrected_against_the_people() {
    let home = tempfile::tempdir().unwrap();
    let (ann, sample) = common::reviewed_sample(home.path());
    // The judge says what alice said, on every sampled trajectory.
    let alice = std::fs::read_to_string(ann.join("alice.jsonl")).unwrap();
    let judge = alice.replace("\"annotator\":\"alice\"", "\"annotator\":\"judge\"");
    std::fs::write(ann.join("judge.jsonl"), judge).unwrap();
    let v = estimate(home.path(), &ann, "judge");
    let c = &v["corrected"];
    assert_eq!(c["by"], "judge");
    assert_eq!(c["apparent_of"].as_u64(), Some(sample.len() as u64));
    // The judge is left out of the people: alice and bob by majority (a tie is wrong), so
    // whatever alice called wrong the people did too: no false positive.
    assert_eq!(c["specificity"], 1.0, "{c}");
    assert!(v["overall"].is_object(), "the estimate is still there");
    let text = common::trev(home.path())
        .args(["stats", "--estimate", "--by", "judge", "--annotations"])
        .arg(&ann)
        .arg(common::sample_data())
        .assert()
        .success();
    let text = String::from_utf8(text.get_output().stdout.clone()).unwrap();
    assert!(text.contains("corrected by judge (Rogan–Gladen)"), "{text}");
}

#[test]
fn the_rules_are_corrected_over_every_trajectory() {
    let home = tempfile::tempdir().unwrap();
    let (ann, _) = common::reviewed_sample(home.path());
    let v = estimate(home.path(), &ann, "rules");
    let c = &v["corrected"];
    let total = v["overall"]["trajectories_with_wrong"]["population"]
        .as_u64()
        .unwrap();
    assert_eq!(c["apparent_of"].as_u64(), Some(total));
    for key in ["sensitivity", "specificity", "share", "low", "high"] {
        assert!(c.get(key).is_some(), "{key} in {c}");
    }
}

#[test]
fn environment_faults_are_left_out_of_the_agents_defect_rate() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    std::fs::create_dir_all(&ann).unwrap();
    let data = common::sample_data().join("agentinstruct_os.json");
    let run = |category: &str| {
        for who in ["alice", "bob"] {
            let lines = format!(
                concat!(
                    r#"{{"annotator":"{w}","run":"agentinstruct_os","trajectory":"os_1","turn":5,"label":"wrong","category":"{c}"}}"#,
                    "\n",
                    r#"{{"annotator":"{w}","run":"agentinstruct_os","trajectory":"os_1","turn":7,"label":"right"}}"#,
                    "\n"
                ),
                w = who,
                c = category
            );
            std::fs::write(ann.join(format!("{who}.jsonl")), lines).unwrap();
        }
        let out = common::trev(home.path())
            .args(["stats", "--estimate", "--json", "--annotations"])
            .arg(&ann)
            .arg(&data)
            .assert()
            .success();
        let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        let w = &v["overall"]["wrong_turns"];
        (w["count"].as_u64(), w["of"].as_u64())
    };
    assert_eq!(run("plan-error"), (Some(1), Some(2)));
    assert_eq!(
        run("environment-fault"),
        (Some(0), Some(1)),
        "not the agent's fault"
    );
}
