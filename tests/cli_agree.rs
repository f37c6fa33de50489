//! `trev agree` against the real binary: the JSON contract, published values through
//! journals, levels, label sets, undefined statistics and bad lines.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use predicates::prelude::*;
use serde_json::{json, Value};

fn line(annotator: &str, trajectory: &str, turn: Option<usize>, label: Option<&str>) -> String {
    let v = json!({"v": 1, "at": "2026-11-22T10:04:05Z", "annotator": annotator,
                   "trajectory": trajectory, "turn": turn, "label": label});
    format!("{v}\n")
}

fn agree_json(home: &Path, args: &[&str]) -> Value {
    let out = common::trev(home)
        .arg("agree")
        .args(args)
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

/// Wikipedia's Cohen's kappa example (Yes/Yes 20, Yes/No 5, No/Yes 10, No/No 15) as two
/// journals in a directory: κ = 0.4.
#[test]
fn the_wikipedia_cohen_example_through_journals_gives_0_4() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("ann");
    std::fs::create_dir(&dir).unwrap();
    let (mut a, mut b) = (String::new(), String::new());
    let mut i = 0;
    for (n, x, y) in [
        (20, "right", "right"),
        (5, "right", "wrong"),
        (10, "wrong", "right"),
        (15, "wrong", "wrong"),
    ] {
        for _ in 0..n {
            a.push_str(&line("rater1", &format!("t{i}"), Some(1), Some(x)));
            b.push_str(&line("rater2", &format!("t{i}"), Some(1), Some(y)));
            i += 1;
        }
    }
    std::fs::write(dir.join("rater1.jsonl"), a).unwrap();
    std::fs::write(dir.join("rater2.jsonl"), b).unwrap();
    std::fs::write(dir.join("notes.txt"), "not a journal").unwrap();
    let v = agree_json(home.path(), &[dir.to_str().unwrap()]);
    assert_eq!(v["labels"], json!(["right", "wrong"]));
    assert_eq!(v["annotators"], json!(["rater1", "rater2"]));
    let pair = &v["pairs"]["rater1"]["rater2"];
    assert_eq!(pair["n"], 50);
    assert_eq!(pair["confusion"], json!([[20, 5], [10, 15]]));
    assert!((pair["cohen_kappa"].as_f64().unwrap() - 0.4).abs() < 1e-12);
    assert!((pair["percent_agreement"].as_f64().unwrap() - 0.7).abs() < 1e-12);
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 7);
    for key in [
        "labels",
        "annotators",
        "counts",
        "percent_agreement",
        "fleiss_kappa",
        "krippendorff_alpha_nominal",
        "pairs",
    ] {
        assert!(v.get(key).is_some(), "{key}");
    }
}

#[test]
fn later_lines_win_clears_count_and_levels_are_apart() {
    let home = tempfile::tempdir().unwrap();
    let mut a = String::new();
    a += &line("alice", "x", Some(1), Some("right"));
    a += &line("alice", "x", Some(1), Some("wrong"));
    a += &line("alice", "x", Some(2), Some("right"));
    a += &line("alice", "x", Some(2), None);
    a += &line("alice", "x", None, Some("accept"));
    let mut b = String::new();
    b += &line("bob", "x", Some(1), Some("wrong"));
    b += &line("bob", "x", Some(2), Some("wrong"));
    b += &line("bob", "x", None, Some("reject"));
    let (fa, fb) = (home.path().join("a.jsonl"), home.path().join("b.jsonl"));
    std::fs::write(&fa, a).unwrap();
    std::fs::write(&fb, b).unwrap();
    let files = [fa.to_str().unwrap(), fb.to_str().unwrap()];
    let v = agree_json(home.path(), &files);
    assert_eq!(
        v["counts"],
        json!({"items": 2, "annotations": 3, "items_all_annotators": 1,
        "items_pairable": 1, "per_annotator": {"alice": 1, "bob": 2}})
    );
    assert_eq!(
        v["pairs"]["alice"]["bob"]["confusion"],
        json!([[0, 0], [0, 1]])
    );
    // Everyone said "wrong": κ and α are 0/0, so null; raw agreement is 1.
    assert_eq!(v["pairs"]["alice"]["bob"]["cohen_kappa"], Value::Null);
    assert_eq!(v["fleiss_kappa"], Value::Null);
    assert_eq!(v["krippendorff_alpha_nominal"], Value::Null);
    assert_eq!(v["percent_agreement"]["pooled"], 1.0);
    let t = agree_json(home.path(), &[files[0], files[1], "--level", "trajectory"]);
    assert_eq!(t["labels"], json!(["accept", "reject"]));
    assert_eq!(
        t["pairs"]["alice"]["bob"]["confusion"],
        json!([[0, 1], [0, 0]])
    );
    assert_eq!(t["pairs"]["alice"]["bob"]["percent_agreement"], 0.0);
    common::trev(home.path())
        .args(["agree", files[0], files[1]])
        .assert()
        .success()
        .stdout(predicate::str::contains("undefined (only one label used"));
}

#[test]
fn the_label_set_orders_labels_and_a_stranger_is_an_error() {
    let home = tempfile::tempdir().unwrap();
    let f = home.path().join("judge.jsonl");
    let mut text = String::new();
    text += &line("judge", "x", Some(1), Some("unsure"));
    text += &line("alice", "x", Some(1), Some("right"));
    std::fs::write(&f, text).unwrap();
    let f = f.to_str().unwrap();
    let v = agree_json(home.path(), &[f]);
    assert_eq!(v["labels"], json!(["right", "wrong", "unsure"]));
    let v = agree_json(home.path(), &[f, "--label-set", "unsure,wrong,right"]);
    assert_eq!(v["labels"], json!(["unsure", "wrong", "right"]));
    assert_eq!(
        v["pairs"]["alice"]["judge"]["confusion"],
        json!([[0, 0, 0], [0, 0, 0], [1, 0, 0]])
    );
    common::trev(home.path())
        .args(["agree", f, "--label-set", "right,wrong"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "label 'unsure' (judge on x turn 1) is not in the label set",
        ));
}

#[test]
fn bad_lines_are_warnings_with_file_and_line() {
    let home = tempfile::tempdir().unwrap();
    let f = home.path().join("alice.jsonl");
    let mut text = line("alice", "x", Some(1), Some("right"));
    text += "{oops\n";
    let _ = write!(
        text,
        "{}",
        line("alice", "x", Some(2), Some("right")).trim_end()
    );
    text += "\n{\"trajectory\":\"x\",\"tu";
    std::fs::write(&f, text).unwrap();
    common::trev(home.path())
        .args(["agree", "--json"])
        .arg(&f)
        .assert()
        .success()
        .stderr(predicate::str::contains("alice.jsonl:2: warning:"))
        .stderr(predicate::str::contains(
            "alice.jsonl:4: warning: torn last line",
        ))
        .stdout(predicate::str::contains("\"annotations\":2"));
}

#[test]
fn a_file_that_is_not_a_journal_gives_a_bounded_number_of_warnings() {
    let home = tempfile::tempdir().unwrap();
    let f = home.path().join("data.jsonl");
    std::fs::write(&f, "{\"messages\": []}\n".repeat(100)).unwrap();
    let out = common::trev(home.path())
        .args(["agree"])
        .arg(&f)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "data.jsonl:1: warning: no `trajectory`; line skipped",
        ))
        .stderr(predicate::str::contains("… and 80 more diagnostics"))
        .get_output()
        .stderr
        .clone();
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 21);
}

#[test]
fn a_missing_journal_exits_2() {
    let home = tempfile::tempdir().unwrap();
    common::trev(home.path())
        .args(["agree", "no/such.jsonl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such.jsonl"));
}

#[test]
fn the_rules_join_as_an_annotator_with_per_rule_precision_and_recall() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("ann");
    std::fs::create_dir_all(&dir).unwrap();
    // alfworld_7: turn 5 ("pick up pen 1") is answered "Nothing happens."; turn 3 is fine.
    std::fs::write(
        dir.join("alice.jsonl"),
        "{\"annotator\": \"alice\", \"trajectory\": \"alfworld_7\", \"turn\": 3, \"label\": \"right\"}\n\
         {\"annotator\": \"alice\", \"trajectory\": \"alfworld_7\", \"turn\": 5, \"label\": \"wrong\"}\n",
    )
    .unwrap();
    let data = common::sample_data().join("alfworld.json");
    let out = common::trev(home.path())
        .arg("agree")
        .arg(&dir)
        .arg("--json")
        .arg("--with-rules")
        .arg(&data)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["annotators"], serde_json::json!(["alice", "rules"]));
    assert_eq!(
        v["pairs"]["alice"]["rules"]["confusion"],
        serde_json::json!([[1, 0], [0, 1]])
    );
    let score = &v["rules"]["invalid-action/alfworld"]["alice"];
    assert_eq!(score["true_positive"], 1);
    assert_eq!(score["precision"], 1.0);
    assert_eq!(score["recall"], 1.0);
    common::trev(home.path())
        .arg("agree")
        .arg(&dir)
        .args(["--level", "trajectory", "--with-rules"])
        .arg(&data)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--level turn"));
}

/// Without data, a line that names no run is on the one run the other journals name for its
/// id (so an old journal and a new one compare); where they name several runs, it is apart.
#[test]
fn a_line_without_a_run_joins_the_one_run_the_journals_name() {
    let home = tempfile::tempdir().unwrap();
    let named = |annotator: &str, run: &str, trajectory: &str| {
        let v = json!({"v": 1, "at": "2026-11-22T10:04:05Z", "annotator": annotator,
                       "run": run, "trajectory": trajectory, "turn": 1, "label": "wrong"});
        format!("{v}\n")
    };
    let old =
        line("alice", "x", Some(1), Some("wrong")) + &line("alice", "y", Some(1), Some("right"));
    let new = named("bob", "gpt", "x") + &named("bob", "gpt", "y") + &named("bob", "llama", "y");
    let (fa, fb) = (home.path().join("a.jsonl"), home.path().join("b.jsonl"));
    std::fs::write(&fa, old).unwrap();
    std::fs::write(&fb, new).unwrap();
    let v = agree_json(home.path(), &[fa.to_str().unwrap(), fb.to_str().unwrap()]);
    // x: one item (alice's line joins run gpt); y: alice's line stays apart from both runs.
    assert_eq!(v["counts"]["items"], 4, "{v}");
    assert_eq!(v["counts"]["items_pairable"], 1, "{v}");
    assert_eq!(v["pairs"]["alice"]["bob"]["n"], 1, "{v}");
}
