//! `trev export` through the real binary: byte identity, masks, truncation, conversions, the
//! fallback, the refusals, the report and a round trip back through the loader.

mod common;

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use serde_json::Value;
use trev::load::split::Splitter;
use trev::load::{Dataset, LoadOptions};

struct Setup {
    _home: tempfile::TempDir,
    home: PathBuf,
    dir: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().to_path_buf();
        Setup {
            dir: path.join("work"),
            home: path,
            _home: home,
        }
    }

    fn trev(&self) -> assert_cmd::Command {
        let mut cmd = common::trev(&self.home);
        std::fs::create_dir_all(&self.dir).unwrap();
        cmd.current_dir(&self.dir);
        cmd
    }

    fn mark(&self, data: &Path, who: &str, traj: &str, turn: usize, label: &str) {
        self.trev()
            .arg("label")
            .arg(data)
            .args([
                "--annotations",
                "ann",
                "--annotator",
                who,
                "--trajectory",
                traj,
            ])
            .args(["--turn", &turn.to_string(), "--set", label])
            .assert()
            .success();
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

fn os_data() -> PathBuf {
    common::sample_data().join("agentinstruct_os.json")
}

fn db_data() -> PathBuf {
    common::sample_data().join("agentinstruct_db.jsonl")
}

/// The records of a written file, as byte strings.
fn records(path: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(path).unwrap();
    let mut splitter = if path.extension().is_some_and(|e| e == "jsonl") {
        Splitter::lines()
    } else {
        Splitter::new()
    };
    let mut spans = Vec::new();
    splitter.feed(&bytes, &mut spans);
    splitter.finish(&mut spans);
    spans
        .iter()
        .map(|s| bytes[s.start as usize..s.end as usize].to_vec())
        .collect()
}

/// The source bytes of the record with this id.
fn source_record(data: &Path, id: &str) -> Vec<u8> {
    let ds = Dataset::open(&[data.to_path_buf()], LoadOptions::default()).unwrap();
    ds.wait();
    (0..ds.len())
        .find(|&i| ds.load(i).unwrap().0.id == id)
        .map(|i| ds.record_bytes(i).unwrap())
        .unwrap()
}

#[test]
fn kept_records_are_byte_for_byte_from_json_arrays_and_jsonl() {
    let s = Setup::new();
    s.mark(&os_data(), "alice", "os_1", 5, "right");
    s.mark(&os_data(), "alice", "os_2", 7, "wrong");
    s.mark(&db_data(), "alice", "db_10", 3, "right");
    s.trev()
        .arg("export")
        .arg(os_data())
        .arg(db_data())
        .args(["--annotations", "ann", "--out", "gold.json"])
        .assert()
        .success()
        .stderr(predicate::str::contains("wrote 2 trajectories"))
        .stderr(predicate::str::contains("wrong agent turn: 1"))
        .stderr(predicate::str::contains("unreviewed: 2"));
    let got = records(&s.path("gold.json"));
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[0],
        source_record(&os_data(), "os_1"),
        "pretty record kept as is"
    );
    assert_eq!(got[1], source_record(&db_data(), "db_10"));
    // JSON Lines output: single-line records stay byte for byte.
    s.trev()
        .arg("export")
        .arg(db_data())
        .args(["--annotations", "ann", "--out", "gold.jsonl"])
        .assert()
        .success();
    assert_eq!(
        records(&s.path("gold.jsonl")),
        vec![source_record(&db_data(), "db_10")]
    );
}

#[test]
fn masks_and_truncation_in_every_output_format() {
    let s = Setup::new();
    s.mark(&os_data(), "alice", "os_2", 5, "right");
    s.mark(&os_data(), "alice", "os_2", 7, "wrong");
    for to in ["same", "sharegpt", "openai"] {
        let out = format!("masked-{to}.jsonl");
        s.trev()
            .arg("export")
            .arg(os_data())
            .args([
                "--annotations",
                "ann",
                "--out",
                &out,
                "--mask-wrong",
                "--to",
                to,
            ])
            .assert()
            .success()
            .stderr(predicate::str::contains("wrote 1 trajectories"));
        let rec: Value = serde_json::from_slice(&records(&s.path(&out))[0]).unwrap();
        match to {
            "openai" => {
                assert_eq!(rec["messages"][7]["weight"], 0, "{to}");
                assert_eq!(rec["messages"][5]["weight"], 1, "{to}");
            }
            _ => {
                assert_eq!(rec["conversations"][7]["loss"], false, "{to}");
                assert_eq!(rec["conversations"][5]["loss"], true, "{to}");
            }
        }
        let out = format!("cut-{to}.jsonl");
        s.trev()
            .arg("export")
            .arg(os_data())
            .args([
                "--annotations",
                "ann",
                "--out",
                &out,
                "--truncate-at-first-wrong",
            ])
            .args(["--to", to])
            .assert()
            .success()
            .stderr(predicate::str::contains("truncated"));
        let rec: Value = serde_json::from_slice(&records(&s.path(&out))[0]).unwrap();
        let list = rec
            .get("conversations")
            .or(rec.get("messages"))
            .and_then(Value::as_array)
            .unwrap();
        assert_eq!(list.len(), 7, "{to}: the prefix before turn 7");
    }
}

#[test]
fn a_round_trip_keeps_ids_and_turns() {
    let s = Setup::new();
    for (traj, turn) in [("os_1", 5), ("os_1", 7), ("os_2", 5)] {
        s.mark(&os_data(), "alice", traj, turn, "right");
    }
    let original = Dataset::open(&[os_data()], LoadOptions::default()).unwrap();
    original.wait();
    let want: Vec<_> = (0..original.len())
        .map(|i| original.load(i).unwrap().0)
        .map(|t| {
            (
                t.id.clone(),
                t.turns
                    .iter()
                    .map(|x| (x.role, x.text.clone()))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    for to in ["same", "sharegpt", "openai"] {
        let out = s.path(&format!("rt-{to}.jsonl"));
        s.trev()
            .arg("export")
            .arg(os_data())
            .args(["--annotations", "ann", "--out"])
            .arg(&out)
            .args(["--to", to])
            .assert()
            .success();
        let back = Dataset::open(&[out], LoadOptions::default()).unwrap();
        back.wait();
        let got: Vec<_> = (0..back.len())
            .map(|i| back.load(i).unwrap().0)
            .map(|t| {
                (
                    t.id.clone(),
                    t.turns
                        .iter()
                        .map(|x| (x.role, x.text.clone()))
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        assert_eq!(got, want, "{to}");
    }
}

#[test]
fn dropped_trajectories_are_replaced_from_the_fallback() {
    let s = Setup::new();
    s.mark(&os_data(), "alice", "os_2", 7, "wrong");
    let fallback = s.path("originals.jsonl");
    std::fs::create_dir_all(&s.dir).unwrap();
    std::fs::write(
        &fallback,
        "{\"id\": \"os_2\", \"conversations\": [{\"from\": \"human\", \"value\": \"original\"}]}\n",
    )
    .unwrap();
    s.trev()
        .arg("export")
        .arg(os_data())
        .args(["--annotations", "ann", "--out", "gold.jsonl", "--fallback"])
        .arg(&fallback)
        .args(["--report", "report.json"])
        .assert()
        .success()
        .stderr(predicate::str::contains("wrote 1 trajectories"));
    let got = records(&s.path("gold.jsonl"));
    assert_eq!(got.len(), 1);
    assert!(String::from_utf8_lossy(&got[0]).contains("original"));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(s.path("report.json")).unwrap()).unwrap();
    assert_eq!(report["total"]["replaced"], 1);
    assert_eq!(report["total"]["dropped"], 2);
    assert_eq!(
        report["by_task"]["os"]["dropped_by_reason"]["unreviewed"],
        1
    );
}

#[test]
fn refusals_and_dry_runs_write_nothing() {
    let s = Setup::new();
    s.mark(&db_data(), "alice", "db_10", 3, "right");
    let copy = s.path("data.jsonl");
    std::fs::copy(db_data(), &copy).unwrap();
    s.trev()
        .arg("export")
        .arg(&copy)
        .args(["--annotations", "ann", "--force", "--out"])
        .arg(&copy)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "data.jsonl is an input of this command: choose another path",
        ));
    std::fs::write(s.path("old.jsonl"), "precious\n").unwrap();
    s.trev()
        .arg("export")
        .arg(&copy)
        .args(["--annotations", "ann", "--out", "old.jsonl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    assert_eq!(
        std::fs::read_to_string(s.path("old.jsonl")).unwrap(),
        "precious\n"
    );
    s.trev()
        .arg("export")
        .arg(&copy)
        .args(["--annotations", "ann", "--out", "new.jsonl", "--dry-run"])
        .assert()
        .success()
        .stderr(predicate::str::contains("would write 1 trajectories"));
    assert!(!s.path("new.jsonl").exists());
    // A format without a loss field cannot be masked in place.
    let atif = common::sample_data().join("atif.trajectory.json");
    s.trev()
        .arg("export")
        .arg(&atif)
        .args([
            "--annotations",
            "ann",
            "--out",
            "atif.jsonl",
            "--keep-unreviewed",
        ])
        .args(["--mask-demo"])
        .assert()
        .success();
}

#[test]
fn the_labels_table_lists_every_annotator() {
    let s = Setup::new();
    s.mark(&os_data(), "alice", "os_2", 7, "wrong");
    s.mark(&os_data(), "bob", "os_2", 7, "right");
    s.trev()
        .arg("export")
        .arg(os_data())
        .args([
            "--annotations",
            "ann",
            "--out",
            "g.jsonl",
            "--agree",
            "unanimous",
        ])
        .args(["--labels-out", "labels.csv"])
        .assert()
        .success();
    let csv = std::fs::read_to_string(s.path("labels.csv")).unwrap();
    assert_eq!(
        csv,
        "run,trajectory,turn,role,alice,bob,combined,notes\nagentinstruct_os,os_2,7,agent,wrong,right,disputed,\n"
    ); // As JSON Lines, each row also gives the trajectory's outcome.
    s.trev()
        .arg("export")
        .arg(os_data())
        .args(["--annotations", "ann", "--out", "g2.jsonl"])
        .args(["--labels-out", "labels.jsonl"])
        .assert()
        .success();
    let row: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.path("labels.jsonl")).unwrap()).unwrap();
    assert_eq!(row["run"], "agentinstruct_os");
    assert_eq!(row["trajectory"], "os_2");
    assert_eq!(
        row["outcome"], "unknown",
        "AgentInstruct rows record no outcome"
    );
    assert_eq!(row["turn"], 7);
}
