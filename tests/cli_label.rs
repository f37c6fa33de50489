//! `trev label` against the real binary: marks, clears, verdicts, bad ids and turns, import,
//! the lock, and a SIGKILL in the middle of an import.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use predicates::prelude::*;
use trev::labels::{Journal, MarkKey, Replay};

fn os_data() -> std::path::PathBuf {
    common::sample_data().join("agentinstruct_os.json")
}

fn replay(path: &Path) -> Replay {
    let mut r = Replay::new();
    r.read_path(path).unwrap();
    r
}

fn key(annotator: &str, turn: Option<usize>) -> MarkKey {
    MarkKey {
        annotator: annotator.into(),
        run: Some("agentinstruct_os".into()),
        trajectory: "os_1".into(),
        turn,
    }
}

fn label(home: &Path, ann: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    common::trev(home)
        .arg("label")
        .arg(os_data())
        .args([
            "--annotator",
            "alice",
            "--trajectory",
            "os_1",
            "--annotations",
        ])
        .arg(ann)
        .args(extra)
        .assert()
}

#[test]
fn set_then_clear_a_turn_and_give_a_verdict() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    label(
        home.path(),
        &ann,
        &["--turn", "3", "--set", "wrong", "--note", "too early"],
    )
    .success()
    .stdout(predicate::str::contains("saved alice os_1 turn 3: wrong"));
    let r = replay(&ann);
    let mark = r.get(&key("alice", Some(3))).unwrap();
    assert_eq!(mark.label, "wrong");
    assert_eq!(mark.note.as_deref(), Some("too early"));
    assert_eq!(mark.text_hash.as_ref().map(String::len), Some(64));
    label(home.path(), &ann, &["--turn", "3", "--set", "clear"]).success();
    label(home.path(), &ann, &["--verdict", "reject"]).success();
    let r = replay(&ann);
    assert!(r.get(&key("alice", Some(3))).is_none());
    assert_eq!(r.get(&key("alice", None)).unwrap().label, "reject");
    let text = std::fs::read_to_string(ann.join("alice.jsonl")).unwrap();
    assert_eq!(text.lines().count(), 3);
    assert!(text
        .lines()
        .nth(1)
        .unwrap()
        .contains(r#""turn":3,"label":null"#));
    assert!(text
        .lines()
        .nth(2)
        .unwrap()
        .contains(r#""turn":null,"label":"reject""#));
}

#[test]
fn an_unknown_trajectory_exits_2_naming_it() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    common::trev(home.path())
        .arg("label")
        .arg(os_data())
        .args([
            "--annotator",
            "alice",
            "--trajectory",
            "os_404",
            "--turn",
            "1",
        ])
        .args(["--set", "right", "--annotations"])
        .arg(&ann)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "trajectory 'os_404' is not in the files given",
        ));
    assert!(!ann.join("alice.jsonl").exists());
}

#[test]
fn a_turn_out_of_range_exits_2_naming_it() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    label(home.path(), &ann, &["--turn", "8", "--set", "right"])
        .code(2)
        .stderr(predicate::str::contains(
            "turn 8 is out of range: trajectory 'os_1' has 8 turns",
        ));
}

#[test]
fn without_annotations_the_journal_goes_to_the_user_data_directory() {
    let home = tempfile::tempdir().unwrap();
    common::trev(home.path())
        .arg("label")
        .arg(os_data())
        .args(["--annotator", "bob", "--trajectory", "os_1", "--turn", "3"])
        .args(["--set", "right"])
        .assert()
        .success();
    let journal = home.path().join("data/trev/annotations/bob.jsonl");
    assert!(journal.is_file(), "{}", journal.display());
}

#[test]
fn a_journal_held_by_another_process_is_a_clear_error() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    let _held = Journal::open(&ann, "alice").unwrap();
    label(home.path(), &ann, &["--turn", "3", "--set", "right"])
        .code(2)
        .stderr(predicate::str::contains("alice.jsonl"))
        .stderr(predicate::str::contains("open in another trev process"));
}

#[test]
fn import_validates_against_the_data_and_reports_each_saved_line() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    let input = home.path().join("judge.jsonl");
    std::fs::write(
        &input,
        concat!(
            "{\"trajectory\":\"os_1\",\"turn\":3,\"label\":\"right\"}\n",
            "{\"trajectory\":\"os_1\",\"turn\":5,\"label\":\"wrong\",\"note\":\"n\"}\n",
            "{\"trajectory\":\"os_9\",\"turn\":5,\"label\":\"wrong\"}\n",
            "{\"trajectory\":\"os_1\",\"turn\":50,\"label\":\"wrong\"}\n",
            "{\"trajectory\":\"os_1\",\"turn\":null,\"label\":\"accept\"}\n",
        ),
    )
    .unwrap();
    common::trev(home.path())
        .arg("label")
        .arg(os_data())
        .args(["--annotator", "judge", "--annotations"])
        .arg(&ann)
        .arg("--import")
        .arg(&input)
        .assert()
        .code(2)
        .stdout("saved 1\nsaved 2\nsaved 3\n")
        .stderr(predicate::str::contains(
            "judge.jsonl:3: error: trajectory 'os_9'",
        ))
        .stderr(predicate::str::contains(
            "judge.jsonl:4: error: turn 50 is out of range",
        ));
    let r = replay(&ann);
    assert_eq!(r.marks().len(), 3);
    let m = r.get(&key("judge", Some(3))).unwrap();
    assert_eq!(m.text_hash.as_ref().map(String::len), Some(64));
    assert_eq!(r.get(&key("judge", None)).unwrap().label, "accept");
}

#[test]
fn import_without_files_takes_the_lines_as_they_are() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    common::trev(home.path())
        .args(["label", "--annotator", "judge", "--import", "-", "--annotations"])
        .arg(&ann)
        .write_stdin("{\"trajectory\":\"x\",\"turn\":1,\"label\":\"right\",\"at\":\"2026-01-02T03:04:05Z\"}\n")
        .assert()
        .success()
        .stdout("saved 1\n");
    let text = std::fs::read_to_string(ann.join("judge.jsonl")).unwrap();
    assert_eq!(
        text,
        "{\"v\":1,\"at\":\"2026-01-02T03:04:05Z\",\"annotator\":\"judge\",\"trajectory\":\"x\",\"turn\":1,\"label\":\"right\"}\n"
    );
}

/// Kill -9 a real `trev label --import -` in the middle of a stream: every line it reported
/// saved is in the journal, and no line is torn but possibly the last.
#[test]
fn every_line_reported_saved_survives_a_sigkill() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("trev"))
        .args([
            "label",
            "--annotator",
            "alice",
            "--import",
            "-",
            "--annotations",
        ])
        .arg(&ann)
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let line = |i: usize| {
        format!(
            "{{\"trajectory\":\"t{i}\",\"turn\":{},\"label\":\"right\",\"note\":\"{}\"}}\n",
            i % 7,
            "x".repeat(i % 300)
        )
    };
    // Slowly at first: each line is acknowledged before the next is sent.
    let mut reported = 0;
    for i in 0..20 {
        stdin.write_all(line(i).as_bytes()).unwrap();
        stdin.flush().unwrap();
        let mut ack = String::new();
        stdout.read_line(&mut ack).unwrap();
        assert_eq!(ack, format!("saved {}\n", i + 1));
        reported = i + 1;
    }
    // Then a burst, and the kill while it is being written.
    let burst: String = (20..400).map(line).collect();
    stdin.write_all(burst.as_bytes()).unwrap();
    stdin.write_all(b"{\"trajectory\":\"half").unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(Duration::from_millis(30));
    child.kill().unwrap();
    child.wait().unwrap();
    for ack in stdout.lines() {
        let ack = ack.unwrap();
        reported = ack.strip_prefix("saved ").unwrap().parse().unwrap();
    }
    assert!(reported >= 20);
    let path = ann.join("alice.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    for (i, l) in lines.iter().enumerate() {
        let last = i + 1 == lines.len();
        if !last {
            assert!(l.ends_with('\n'));
            serde_json::from_str::<serde_json::Value>(l).unwrap();
        }
    }
    let r = replay(&path);
    assert!(
        r.events() >= reported,
        "{} lines in the journal, {reported} reported saved",
        r.events()
    );
    assert!(r.warnings().len() <= 1, "{:?}", r.warnings());
    eprintln!(
        "killed after {reported} reported saved, {} in the journal",
        r.events()
    );
}
