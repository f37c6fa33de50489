//! Verifying a judge the way AgentRefine did: `trev stats --sample-turns N --by JUDGE` draws
//! a turn sample stratified by the judge's labels and records it beside the journals; `trev
//! agree` then shows the judge against each person on it (2×2, percent agreement, Cohen's κ).

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

/// A judge (`gpt4`) that labelled every agent turn of the sample data: wrong on every third
/// of them, right on the rest. Returns the annotations directory.
fn judged(home: &Path) -> PathBuf {
    let ann = home.join("ann");
    std::fs::create_dir_all(&ann).unwrap();
    let data = trev::load::Dataset::open(&[common::sample_data()], Default::default()).unwrap();
    data.wait();
    let mut lines = String::new();
    let mut n = 0;
    for i in 0..data.len() {
        let Ok((t, _)) = data.load(i) else { continue };
        for turn in t.agent_turns() {
            n += 1;
            let label = if n % 3 == 0 { "wrong" } else { "right" };
            lines.push_str(&format!(
                "{{\"annotator\":\"gpt4\",\"run\":{:?},\"trajectory\":{:?},\"turn\":{},\"label\":\"{label}\"}}\n",
                &*t.run, t.id, turn.index
            ));
        }
    }
    std::fs::write(ann.join("gpt4.jsonl"), lines).unwrap();
    ann
}

fn draw(home: &Path, ann: &Path, n: &str, seed: &str) -> assert_cmd::assert::Assert {
    common::trev(home)
        .args([
            "stats",
            "--json",
            "--sample-turns",
            n,
            "--by",
            "gpt4",
            "--seed",
            seed,
        ])
        .arg("--annotations")
        .arg(ann)
        .arg(common::sample_data())
        .assert()
}

#[test]
fn the_turn_sample_is_half_right_half_wrong_reproducible_and_recorded() {
    let home = tempfile::tempdir().unwrap();
    let ann = judged(home.path());
    let out = draw(home.path(), &ann, "20", "3").success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        (v["kind"].as_str(), v["judge"].as_str()),
        (Some("turns"), Some("gpt4"))
    );
    let turns = v["turns"].as_array().unwrap();
    let wrong = turns.iter().filter(|t| t["judge"] == "wrong").count();
    assert_eq!((turns.len(), wrong), (20, 10));
    let recorded: Value =
        serde_json::from_slice(&std::fs::read(ann.join("turn-sample.json")).unwrap()).unwrap();
    assert_eq!(recorded, v, "the record is what was printed");
    // The same options again: the same turns, and the record is kept.
    let again = draw(home.path(), &ann, "20", "3").success();
    let again: Value = serde_json::from_slice(&again.get_output().stdout).unwrap();
    assert_eq!(again, v);
    // In another directory, the same seed draws the same turns; another seed, others.
    let other = home.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::copy(ann.join("gpt4.jsonl"), other.join("gpt4.jsonl")).unwrap();
    let same = draw(home.path(), &other, "20", "3").success();
    let same: Value = serde_json::from_slice(&same.get_output().stdout).unwrap();
    assert_eq!(same["turns"], v["turns"]);
    // A different sample into the same directory is refused, naming the file.
    let refused = draw(home.path(), &ann, "20", "4").code(2);
    let err = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(
        err.contains("turn-sample.json") && err.contains("seed 3"),
        "{err}"
    );
    // The human summary.
    std::fs::remove_file(other.join("turn-sample.json")).unwrap();
    let text = common::trev(home.path())
        .args([
            "stats",
            "--sample-turns",
            "20",
            "--by",
            "gpt4",
            "--seed",
            "3",
            "--annotations",
        ])
        .arg(&other)
        .arg(common::sample_data())
        .assert()
        .success();
    let text = String::from_utf8_lossy(&text.get_output().stdout).to_string();
    assert!(
        text.contains(
            "a turn sample of 20 by gpt4 (seed 3): 10 it called right, 10 it called wrong"
        ),
        "{text}"
    );
}

#[test]
fn a_judge_without_labels_a_bad_record_and_a_missing_judge_are_errors() {
    let home = tempfile::tempdir().unwrap();
    let ann = judged(home.path());
    let out = common::trev(home.path())
        .args([
            "stats",
            "--sample-turns",
            "4",
            "--by",
            "nobody",
            "--annotations",
        ])
        .arg(&ann)
        .arg(common::sample_data())
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("labelled right or wrong by 'nobody'"), "{err}");
    common::trev(home.path())
        .args(["stats", "--sample-turns", "4"])
        .arg(common::sample_data())
        .assert()
        .code(2);
    for (args, why) in [
        (["--sample-turns", "0", "--by", "gpt4"], "at least one turn"),
        (["--sample-turns", "4", "--by", "rules"], "not by the rules"),
    ] {
        let out = common::trev(home.path())
            .arg("stats")
            .args(args)
            .arg("--annotations")
            .arg(&ann)
            .arg(common::sample_data())
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(err.contains(why), "{err}");
    }
    assert!(!ann.join("turn-sample.json").exists(), "nothing recorded");
    std::fs::write(ann.join("turn-sample.json"), "{\"v\":1,").unwrap();
    for args in [&["agree"][..], &["review", "--annotator", "alice"]] {
        let mut cmd = common::trev(home.path());
        cmd.args(args);
        if args[0] == "review" {
            cmd.arg("--annotations")
                .arg(&ann)
                .arg(common::sample_data());
        } else {
            cmd.arg(&ann);
        }
        let out = cmd.assert().code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(
            err.contains("turn-sample.json: not a sample record"),
            "{args:?}: {err}"
        );
    }
}

/// A turn sample of `right` + `wrong` turns written by hand (trajectory `t{k}`, turn 1), the
/// judge's journal, and a person's that gives `table` ([judge right: person right, wrong],
/// [judge wrong: person right, wrong]).
fn by_hand(ann: &Path, person: &str, table: [[usize; 2]; 2]) {
    std::fs::create_dir_all(ann).unwrap();
    let mut turns = Vec::new();
    let (mut judge, mut mine) = (String::new(), String::new());
    let mut k = 0;
    for (judged, row) in table.iter().enumerate() {
        for (said, &count) in row.iter().enumerate() {
            for _ in 0..count {
                let label = |wrong: usize| if wrong == 1 { "wrong" } else { "right" };
                turns.push(serde_json::json!({
                    "run": "r", "trajectory": format!("t{k}"), "turn": 1, "judge": label(judged)
                }));
                judge.push_str(&format!(
                    "{{\"annotator\":\"gpt4\",\"run\":\"r\",\"trajectory\":\"t{k}\",\"turn\":1,\"label\":\"{}\"}}\n",
                    label(judged)
                ));
                mine.push_str(&format!(
                    "{{\"annotator\":\"{person}\",\"run\":\"r\",\"trajectory\":\"t{k}\",\"turn\":1,\"label\":\"{}\"}}\n",
                    label(said)
                ));
                k += 1;
            }
        }
    }
    let record = serde_json::json!({
        "v": 1, "kind": "turns", "judge": "gpt4", "spec": {"size": k, "seed": 0},
        "records": k, "turns": turns
    });
    std::fs::write(ann.join("turn-sample.json"), record.to_string()).unwrap();
    std::fs::write(ann.join("gpt4.jsonl"), judge).unwrap();
    std::fs::write(ann.join(format!("{person}.jsonl")), mine).unwrap();
}

fn agree(home: &Path, ann: &Path) -> (Value, String) {
    let json = common::trev(home)
        .args(["agree", "--json"])
        .arg(ann)
        .assert()
        .success();
    let text = common::trev(home).arg("agree").arg(ann).assert().success();
    (
        serde_json::from_slice(&json.get_output().stdout).unwrap(),
        String::from_utf8_lossy(&text.get_output().stdout).to_string(),
    )
}

#[test]
fn agentrefines_published_table_gives_88_percent_and_kappa_0_76() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    // 50 turns the judge called right (47 right by the person, 3 wrong) and 50 it called
    // wrong (9 right by the person, 41 wrong): agreement 88/100; chance 0.5·0.56 + 0.5·0.44
    // = 0.5; κ = (0.88 − 0.5) / (1 − 0.5) = 0.76.
    by_hand(&ann, "alice", [[47, 3], [9, 41]]);
    let (v, text) = agree(home.path(), &ann);
    let t = &v["turn_sample"];
    assert_eq!(t["judge"], "gpt4");
    assert_eq!(
        (
            t["turns"].as_u64(),
            t["judge_right"].as_u64(),
            t["judge_wrong"].as_u64()
        ),
        (Some(100), Some(50), Some(50))
    );
    let alice = &t["people"]["alice"];
    assert_eq!(alice["n"], 100);
    assert_eq!(alice["confusion"], serde_json::json!([[47, 3], [9, 41]]));
    assert!((alice["percent_agreement"].as_f64().unwrap() - 0.88).abs() < 1e-12);
    assert!((alice["cohen_kappa"].as_f64().unwrap() - 0.76).abs() < 1e-12);
    assert!(
        text.contains(
            "gpt4 × alice: 100 of 100 sampled turns marked, agreement 88.0 %, Cohen's kappa 0.760"
        ),
        "{text}"
    );
    assert!(text.contains("  gpt4 \\ alice  right  wrong"), "{text}");
    assert!(text.contains("  right            47      3"), "{text}");
    assert!(text.contains("  wrong             9     41"), "{text}");
}

#[test]
fn only_the_sampled_turns_count_and_each_person_has_a_table() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    // Hand-computed: 6 right by the judge (bob: 4 right, 2 wrong), 4 wrong (bob: 1 right, 3
    // wrong): agreement 7/10; chance (6·5 + 4·5)/100 = 0.5; κ = (0.7 − 0.5)/0.5 = 0.4.
    by_hand(&ann, "bob", [[4, 2], [1, 3]]);
    // Marks off the sample (another turn, another run, a verdict) and carol's one mark.
    let mut bob = std::fs::read_to_string(ann.join("bob.jsonl")).unwrap();
    bob.push_str("{\"annotator\":\"bob\",\"run\":\"r\",\"trajectory\":\"t0\",\"turn\":3,\"label\":\"wrong\"}\n");
    bob.push_str("{\"annotator\":\"bob\",\"run\":\"q\",\"trajectory\":\"t0\",\"turn\":1,\"label\":\"wrong\"}\n");
    bob.push_str("{\"annotator\":\"bob\",\"run\":\"r\",\"trajectory\":\"t0\",\"turn\":null,\"label\":\"reject\"}\n");
    std::fs::write(ann.join("bob.jsonl"), bob).unwrap();
    std::fs::write(
        ann.join("carol.jsonl"),
        "{\"annotator\":\"carol\",\"trajectory\":\"t9\",\"turn\":1,\"label\":\"wrong\"}\n",
    )
    .unwrap();
    let (v, text) = agree(home.path(), &ann);
    let people = &v["turn_sample"]["people"];
    assert_eq!(
        people["bob"]["confusion"],
        serde_json::json!([[4, 2], [1, 3]])
    );
    assert!((people["bob"]["cohen_kappa"].as_f64().unwrap() - 0.4).abs() < 1e-12);
    assert!((people["bob"]["percent_agreement"].as_f64().unwrap() - 0.7).abs() < 1e-12);
    // carol's line names no run: it is on the one sampled turn with that id. t9 is judged
    // wrong and so is carol's: one agreement, κ undefined (one label each).
    assert_eq!(
        people["carol"]["confusion"],
        serde_json::json!([[0, 0], [0, 1]])
    );
    assert_eq!(people["carol"]["cohen_kappa"], Value::Null);
    assert!(people.get("gpt4").is_none(), "the judge is not a person");
    assert!(
        text.contains("gpt4 × carol: 1 of 10 sampled turns marked"),
        "{text}"
    );
    // Verdicts and categories are not turns: no such table there.
    let out = common::trev(home.path())
        .args(["agree", "--json", "--level", "trajectory"])
        .arg(&ann)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(v.get("turn_sample").is_none());
    // Without a turn sample, no such table.
    std::fs::remove_file(ann.join("turn-sample.json")).unwrap();
    let (v, _) = agree(home.path(), &ann);
    assert!(v.get("turn_sample").is_none());
}

#[test]
fn review_draws_the_turn_sample_and_the_judge_cannot_review_it() {
    let home = tempfile::tempdir().unwrap();
    let ann = judged(home.path());
    let review = |extra: &[&str]| {
        let out = common::trev(home.path())
            .arg("review")
            .args(extra)
            .arg("--annotations")
            .arg(&ann)
            .arg(common::sample_data())
            .assert()
            .code(2);
        String::from_utf8_lossy(&out.get_output().stderr).to_string()
    };
    // Drawn and recorded before the screen is found missing.
    let err = review(&[
        "--annotator",
        "alice",
        "--sample-turns",
        "6",
        "--by",
        "gpt4",
    ]);
    assert!(err.contains("needs a terminal"), "{err}");
    let record = trev::sample::turns::recorded(&ann).unwrap().unwrap();
    assert_eq!((record.count(false), record.count(true)), (3, 3));
    let err = review(&["--annotator", "gpt4"]);
    assert!(
        err.contains("gpt4 is the judge of the turn sample"),
        "{err}"
    );
    let err = review(&["--annotator", "alice", "--sample-turns", "6"]);
    assert!(err.contains("--by"), "{err}");
    let out = common::trev(home.path())
        .args([
            "adjudicate",
            "--annotator",
            "carol",
            "--sample-turns",
            "6",
            "--by",
            "gpt4",
        ])
        .arg("--annotations")
        .arg(&ann)
        .arg(common::sample_data())
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("never blind"), "{err}");
    // A recorded turn sample of other data.
    let elsewhere = common::sample_data().join("agentinstruct_db.jsonl");
    let out = common::trev(home.path())
        .args(["review", "--annotator", "alice", "--annotations"])
        .arg(&ann)
        .arg(elsewhere)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains(
            "turn-sample.json: the recorded turn sample's trajectories are not in this data"
        ),
        "{err}"
    );
}
