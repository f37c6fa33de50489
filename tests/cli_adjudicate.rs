//! Categories, adjudication and gold against the real binary: `trev label --category`,
//! `--kind adjudication`, a model judge imported as an annotator, `trev adjudicate --list
//! --json`, `trev agree` (the category level and who was upheld) and `trev export --agree
//! adjudicated` with its counts by source.

mod common;

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use serde_json::Value;
use trev::labels::Replay;

fn os_data() -> PathBuf {
    common::sample_data().join("agentinstruct_os.json")
}

fn line(who: &str, id: &str, turn: Option<usize>, label: &str, category: Option<&str>) -> String {
    let category = category.map_or(String::new(), |c| format!(r#","category":"{c}""#));
    let turn = turn.map_or("null".to_string(), |t| t.to_string());
    format!(
        r#"{{"v":1,"at":"2026-11-22T10:00:00Z","annotator":"{who}","run":"agentinstruct_os","trajectory":"{id}","turn":{turn},"label":"{label}"{category}}}"#
    )
}

/// alice, bob, carol on os_1 (agent turns 5, 7) and os_2 (5, 7 and the verdict):
/// os_1 t5 split 2–1, os_1 t7 all wrong but categories differ, os_2's verdict a tie, os_2 t5
/// a 1–1 tie, os_2 t7 a 1–2 split.
fn three_journals(ann: &Path) {
    let journals = [
        (
            "alice",
            vec![
                line("alice", "os_1", Some(5), "wrong", Some("plan-error")),
                line("alice", "os_1", Some(7), "wrong", Some("hallucination")),
                line("alice", "os_2", None, "accept", None),
                line("alice", "os_2", Some(5), "wrong", None),
                line("alice", "os_2", Some(7), "wrong", None),
            ],
        ),
        (
            "bob",
            vec![
                line("bob", "os_1", Some(5), "right", None),
                line("bob", "os_1", Some(7), "wrong", Some("invalid-action")),
                line("bob", "os_2", None, "reject", None),
                line("bob", "os_2", Some(5), "right", None),
                line("bob", "os_2", Some(7), "right", None),
            ],
        ),
        (
            "carol",
            vec![
                line("carol", "os_1", Some(5), "wrong", Some("plan-error")),
                line("carol", "os_2", Some(7), "right", None),
            ],
        ),
    ];
    std::fs::create_dir_all(ann).unwrap();
    for (who, lines) in journals {
        std::fs::write(ann.join(format!("{who}.jsonl")), lines.join("\n") + "\n").unwrap();
    }
}

fn label(home: &Path, ann: &Path, who: &str, args: &[&str]) -> assert_cmd::assert::Assert {
    common::trev(home)
        .arg("label")
        .arg(os_data())
        .args(["--annotator", who, "--annotations"])
        .arg(ann)
        .args(args)
        .assert()
}

fn queue(home: &Path, ann: &Path, extra: &[&str]) -> Vec<Value> {
    let out = common::trev(home)
        .arg("adjudicate")
        .arg(os_data())
        .args(["--annotator", "dana", "--list", "--json", "--annotations"])
        .arg(ann)
        .args(extra)
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn agree(home: &Path, ann: &Path, level: &str) -> Value {
    let out = common::trev(home)
        .arg("agree")
        .arg(ann)
        .args(["--json", "--level", level])
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

#[test]
fn categories_are_saved_with_the_set_version_cleared_and_checked() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    let mark = ["--trajectory", "os_1", "--turn", "5", "--set", "wrong"];
    label(
        home.path(),
        &ann,
        "alice",
        &[
            &mark[..],
            &[
                "--category",
                "repetition-loop",
                "--severity",
                "major",
                "--decisive",
            ],
        ]
        .concat(),
    )
    .success()
    .stdout(predicate::str::contains("wrong (repetition-loop)"));
    let text = std::fs::read_to_string(ann.join("alice.jsonl")).unwrap();
    assert!(text.contains(r#""category":"repetition-loop","severity":"major","decisive":true,"categories":"default@1""#), "{text}");
    // A new label without a category clears it.
    label(home.path(), &ann, "alice", &mark).success();
    let mut r = Replay::new();
    r.read_path(&ann).unwrap();
    assert!(r.marks().values().all(|m| m.category.is_none()));
    // A category outside the set, or on a right turn, is refused.
    label(
        home.path(),
        &ann,
        "alice",
        &[&mark[..], &["--category", "nope"]].concat(),
    )
    .code(2)
    .stderr(predicate::str::contains(
        "category 'nope' is not in the category set default@1",
    ));
    label(
        home.path(),
        &ann,
        "alice",
        &[
            "--trajectory",
            "os_1",
            "--turn",
            "5",
            "--set",
            "right",
            "--category",
            "plan-error",
        ],
    )
    .code(2);
    // A team's set beside the journals replaces the default, and its version is recorded.
    std::fs::write(
        ann.join("categories.toml"),
        "name = \"acme\"\nversion = 2\n[[category]]\nname = \"tool-misuse\"\n",
    )
    .unwrap();
    label(
        home.path(),
        &ann,
        "alice",
        &[&mark[..], &["--category", "tool-misuse"]].concat(),
    )
    .success();
    let text = std::fs::read_to_string(ann.join("alice.jsonl")).unwrap();
    assert!(
        text.lines()
            .last()
            .unwrap()
            .contains(r#""categories":"acme@2""#),
        "{text}"
    );
}

#[test]
fn the_queue_lists_every_disagreement_and_adjudications_settle_them() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    three_journals(&ann);
    let items = queue(home.path(), &ann, &[]);
    let summary = items.last().unwrap();
    assert_eq!(
        (summary["items"].as_u64(), summary["settled"].as_u64()),
        (Some(5), Some(0))
    );
    let first = &items[0];
    assert_eq!(
        (first["trajectory"].as_str(), first["turn"].as_u64()),
        (Some("os_1"), Some(5))
    );
    assert_eq!(first["suggested"]["label"], "wrong");
    assert_eq!(first["suggested"]["category"], "plan-error");
    assert_eq!(first["answers"]["bob"]["label"], "right");
    assert_eq!(items[1]["differs"], "category");
    let verdict = items.iter().find(|i| i["turn"].is_null()).unwrap();
    assert_eq!(verdict["tie"], true);
    // Names hidden: annotators are numbered in name order.
    let hidden = queue(home.path(), &ann, &["--hide-names"]);
    assert!(hidden[0]["answers"]["annotator 2"].is_object());
    assert!(!serde_json::to_string(&hidden).unwrap().contains("alice"));
    // Two decisions, headless.
    label(
        home.path(),
        &ann,
        "dana",
        &[
            "--trajectory",
            "os_1",
            "--turn",
            "5",
            "--set",
            "right",
            "--kind",
            "adjudication",
            "--cause",
            "annotator-error",
            "--note",
            "the check came later",
        ],
    )
    .success()
    .stdout(predicate::str::contains("adjudicated: right"));
    label(
        home.path(),
        &ann,
        "dana",
        &[
            "--trajectory",
            "os_2",
            "--verdict",
            "accept",
            "--kind",
            "adjudication",
        ],
    )
    .success();
    let items = queue(home.path(), &ann, &[]);
    assert_eq!(items.last().unwrap()["settled"], 2);
    assert_eq!(items.last().unwrap()["causes"]["annotator-error"], 1);
    assert_eq!(items[0]["settled"]["label"], "right");
    assert_eq!(items[0]["settled"]["note"], "the check came later");
    // The human table says the same.
    common::trev(home.path())
        .arg("adjudicate")
        .arg(os_data())
        .args(["--annotator", "dana", "--list", "--annotations"])
        .arg(&ann)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("settled 2/5 disagreements"));
    // Who was upheld: on os_1 turn 5 bob; on os_2's verdict alice.
    let turns = agree(home.path(), &ann, "turn");
    assert_eq!(turns["adjudicated"]["bob"]["upheld"], 1);
    assert_eq!(turns["adjudicated"]["alice"]["upheld"], 0);
    assert_eq!(turns["adjudicated"]["carol"]["rate"], 0.0);
    assert!(turns["annotators"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a != "dana"));
    let verdicts = agree(home.path(), &ann, "trajectory");
    assert_eq!(verdicts["adjudicated"]["alice"]["rate"], 1.0);
}

#[test]
fn category_agreement_is_over_turns_both_marked_wrong() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    three_journals(&ann);
    let g = agree(home.path(), &ann, "category");
    assert_eq!(g["labels"][0], "format-error");
    // alice × bob share os_1 t7 only (os_1 t5 and os_2's turns are not both wrong).
    assert_eq!(g["pairs"]["alice"]["bob"]["n"], 1);
    assert_eq!(g["pairs"]["alice"]["bob"]["percent_agreement"], 0.0);
    assert_eq!(g["pairs"]["alice"]["carol"]["percent_agreement"], 1.0);
    assert_eq!(g["by_category"]["plan-error"]["specific_agreement"], 1.0);
    assert_eq!(g["by_category"]["hallucination"]["used"], 1);
    assert!(g["by_category"]["format-error"]["specific_agreement"].is_null());
}

#[test]
fn a_model_judge_joins_the_agreement_table_and_the_queue_like_a_person() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    three_journals(&ann);
    let judge = home.path().join("judge.jsonl");
    std::fs::write(
        &judge,
        concat!(
            r#"{"trajectory":"os_1","turn":5,"label":"wrong","category":"plan-error"}"#,
            "\n",
            r#"{"trajectory":"os_1","turn":7,"label":"right"}"#,
            "\n",
            r#"{"trajectory":"os_2","turn":5,"label":"wrong","category":"acme-thing"}"#,
            "\n",
        ),
    )
    .unwrap();
    common::trev(home.path())
        .arg("label")
        .arg(os_data())
        .args(["--annotator", "gpt-judge", "--annotations"])
        .arg(&ann)
        .arg("--import")
        .arg(&judge)
        .assert()
        .success()
        .stdout(predicate::str::contains("saved 3"))
        .stderr(predicate::str::contains("judge.jsonl:3: warning: category 'acme-thing' is not in the category set default@1; kept"));
    let g = agree(home.path(), &ann, "turn");
    assert!(g["annotators"]
        .as_array()
        .unwrap()
        .contains(&Value::from("gpt-judge")));
    // Humans vs the judge: a 2×2 table (right, wrong).
    let pair = &g["pairs"]["alice"]["gpt-judge"];
    assert_eq!(pair["n"], 3);
    assert_eq!(pair["confusion"], serde_json::json!([[0, 0], [1, 2]]));
    let items = queue(home.path(), &ann, &[]);
    let t7 = items
        .iter()
        .find(|i| i["trajectory"] == "os_1" && i["turn"] == 7)
        .unwrap();
    assert_eq!(t7["answers"]["gpt-judge"]["label"], "right");
    assert_eq!(
        t7["differs"], "label",
        "the judge's right makes it a label split"
    );
    let t5 = items
        .iter()
        .find(|i| i["trajectory"] == "os_2" && i["turn"] == 5)
        .unwrap();
    assert_eq!(
        t5["answers"]["gpt-judge"]["category"], "acme-thing",
        "kept, never dropped"
    );
    common::trev(home.path())
        .arg("agree")
        .arg(&ann)
        .args(["--level", "category"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "gpt-judge.jsonl:3: warning: category 'acme-thing'",
        ));
}

fn export(home: &Path, ann: &Path, then: &str) -> (Value, String) {
    let out = home.join(format!("gold-{then}.jsonl"));
    let report = home.join(format!("report-{then}.json"));
    let run = common::trev(home)
        .arg("export")
        .arg(os_data())
        .args(["--agree", "adjudicated", "--then", then, "--annotations"])
        .arg(ann)
        .arg("--out")
        .arg(&out)
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    let stderr = String::from_utf8(run.get_output().stderr.clone()).unwrap();
    let report = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    (report, stderr)
}

#[test]
fn export_uses_adjudicated_labels_and_counts_turns_by_source() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    three_journals(&ann);
    label(
        home.path(),
        &ann,
        "dana",
        &[
            "--trajectory",
            "os_1",
            "--turn",
            "5",
            "--set",
            "right",
            "--kind",
            "adjudication",
        ],
    )
    .success();
    label(
        home.path(),
        &ann,
        "dana",
        &[
            "--trajectory",
            "os_2",
            "--verdict",
            "accept",
            "--kind",
            "adjudication",
        ],
    )
    .success();
    let (report, stderr) = export(home.path(), &ann, "majority");
    assert_eq!(
        report["total"]["turns_by_source"],
        serde_json::json!({"adjudicated": 1, "majority": 1, "tie": 1, "unanimous": 1})
    );
    assert!(
        stderr.contains(
            "judged agent turns by source: adjudicated 1, majority 1, tie 1, unanimous 1"
        ),
        "{stderr}"
    );
    assert_eq!(report["total"]["dropped_by_reason"]["wrong agent turn"], 2);
    // Unanimous elsewhere: os_2's split turns are disputed; its adjudicated accept keeps it,
    // and the report says the disputed turns went into the gold file with their loss on.
    let (report, stderr) = export(home.path(), &ann, "unanimous");
    assert_eq!(report["total"]["turns_by_source"]["disputed"], 2);
    assert_eq!(report["total"]["kept"], 1);
    assert_eq!(report["total"]["disputed_kept"], 2);
    assert!(
        stderr.contains("warning: 2 disputed agent turns are in kept records"),
        "{stderr}"
    );
    // `--then adjudicated` makes no sense.
    common::trev(home.path())
        .arg("export")
        .arg(os_data())
        .args([
            "--agree",
            "adjudicated",
            "--then",
            "adjudicated",
            "--dry-run",
            "--out",
            "x.jsonl",
            "--annotations",
        ])
        .arg(&ann)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--then adjudicated"));
}

#[test]
fn the_screen_needs_an_annotator_and_a_terminal() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    three_journals(&ann);
    common::trev(home.path())
        .arg("adjudicate")
        .arg(os_data())
        .arg("--annotations")
        .arg(&ann)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "trev adjudicate needs --annotator NAME",
        ));
    common::trev(home.path())
        .arg("adjudicate")
        .arg(os_data())
        .args(["--annotator", "dana", "--annotations"])
        .arg(&ann)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("trev adjudicate --list"));
}
