//! `trev stats` against the real binary, over the sample data and the nasty inputs.

mod common;

use predicates::prelude::*;
use serde_json::Value;

fn json_lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn stats_over_the_sample_data_succeeds_with_every_format() {
    let home = tempfile::tempdir().unwrap();
    let out = common::trev(home.path())
        .args(["stats", "--json"])
        .arg(common::sample_data())
        .assert()
        .success()
        .get_output()
        .clone();
    let lines = json_lines(&out.stdout);
    let totals: Vec<&Value> = lines.iter().filter(|l| l["task"] == "*").collect();
    assert_eq!(totals.len(), 22);
    let mut formats: Vec<String> = totals
        .iter()
        .flat_map(|l| l["formats"].as_array().unwrap().iter())
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    formats.sort();
    formats.dedup();
    assert_eq!(
        formats,
        [
            "agentbench",
            "atif",
            "fireact",
            "knowagent",
            "mini-swe-agent",
            "openai",
            "role-content",
            "sharegpt",
            "swe-agent",
            "swe-agent-rows"
        ]
    );
    let trajectories: u64 = totals
        .iter()
        .map(|l| l["trajectories"].as_u64().unwrap())
        .sum();
    assert_eq!(trajectories, 40);
    let skipped: u64 = totals.iter().map(|l| l["skipped"].as_u64().unwrap()).sum();
    assert_eq!(skipped, 3);
}

#[test]
fn stats_json_lines_have_the_documented_keys() {
    let home = tempfile::tempdir().unwrap();
    let out = common::trev(home.path())
        .args(["stats", "--json"])
        .arg(common::sample_data().join("agentinstruct_os.json"))
        .assert()
        .success()
        .get_output()
        .clone();
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), 2);
    let os = &lines[0];
    assert_eq!(os["task"], "os");
    assert_eq!(os["formats"], serde_json::json!(["sharegpt"]));
    assert_eq!(os["trajectories"], 2);
    assert_eq!(
        os["turns"],
        serde_json::json!({"system": 0, "instruction": 4, "agent": 9, "environment": 5})
    );
    assert_eq!(os["mean_turns"], 9.0);
    assert_eq!(os["max_turns"], 10);
    assert_eq!(os["skipped"], 0);
    assert!(os["file"]
        .as_str()
        .unwrap()
        .ends_with("agentinstruct_os.json"));
    assert_eq!(lines[1]["task"], "*");
}

#[test]
fn a_malformed_record_is_reported_with_file_line_column_and_skipped() {
    let home = tempfile::tempdir().unwrap();
    common::trev(home.path())
        .arg("stats")
        .arg(common::sample_data().join("nasty/malformed_middle.jsonl"))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "malformed_middle.jsonl:3:74: error: EOF while parsing a string",
        ))
        .stderr(predicate::str::contains(
            "malformed_middle.jsonl:4:1: error: unknown record shape: it has keys `bar`, `foo`",
        ))
        .stdout(predicate::str::contains("3 trajectories, 2 skipped"));
}

#[test]
fn strict_turns_any_error_into_exit_2() {
    let home = tempfile::tempdir().unwrap();
    common::trev(home.path())
        .args(["stats", "--strict"])
        .arg(common::sample_data().join("nasty/torn_last_line.jsonl"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("torn write"));
}

#[test]
fn nothing_loadable_exits_2() {
    let home = tempfile::tempdir().unwrap();
    common::trev(home.path())
        .arg("stats")
        .arg(common::sample_data().join("nasty/empty.jsonl"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty file"))
        .stderr(predicate::str::contains("no trajectory could be loaded"));
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let home = tempfile::tempdir().unwrap();
    common::trev(home.path())
        .args(["stats", "no/such/file.jsonl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/file.jsonl"));
}

#[test]
fn invalid_utf8_is_repaired_and_reported() {
    let home = tempfile::tempdir().unwrap();
    common::trev(home.path())
        .arg("stats")
        .arg(common::sample_data().join("nasty/invalid_utf8.jsonl"))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "invalid_utf8.jsonl:1:63: warning: invalid UTF-8 replaced with U+FFFD",
        ));
}

#[test]
fn a_forced_format_that_does_not_fit_says_what_is_missing() {
    let home = tempfile::tempdir().unwrap();
    common::trev(home.path())
        .args(["stats", "--format", "atif"])
        .arg(common::sample_data().join("agentinstruct_db.jsonl"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "an `atif` record needs a `steps` list",
        ));
    common::trev(home.path())
        .args(["stats", "--format", "nope"])
        .arg(common::sample_data())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown format 'nope'"));
}

#[test]
fn gzip_and_dict_containers_load() {
    let home = tempfile::tempdir().unwrap();
    common::trev(home.path())
        .arg("stats")
        .arg(common::sample_data().join("nasty/compressed.json.gz"))
        .arg(common::sample_data().join("fireact_dump.json"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "(JSON array, gzip, 2 trajectories)",
        ))
        .stdout(predicate::str::contains(
            "(dict of id → record, 2 trajectories)",
        ));
}

#[test]
fn escape_sequences_never_reach_the_terminal_raw() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let evil = dir.path().join("bad\x1b]0;title\x07.jsonl");
    std::fs::write(&evil, "{\"messages\": [}\n").unwrap();
    let out = common::trev(home.path())
        .arg("stats")
        .arg(&evil)
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(!out.stdout.contains(&0x1b), "raw ESC on stdout");
    assert!(!out.stderr.contains(&0x1b), "raw ESC on stderr");
}

#[test]
fn a_closed_pipe_exits_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("trev"))
        .args(["stats", "--json"])
        .arg(common::sample_data())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        status.code() == Some(0) || status.code() == Some(2),
        "{status:?}"
    );
}

#[test]
fn a_sample_is_reproducible_and_sized() {
    let home = tempfile::tempdir().unwrap();
    let run = |seed: &str| {
        common::trev(home.path())
            .args(["stats", "--json", "--sample", "7", "--seed", seed])
            .arg(common::sample_data())
            .assert()
            .success()
            .stderr(predicate::str::contains("a sample of 7 of 43 records"))
            .get_output()
            .stdout
            .clone()
    };
    let first = run("11");
    assert_eq!(first, run("11"));
    let lines = json_lines(&first);
    let total: u64 = lines
        .iter()
        .filter(|l| l["task"] == "*")
        .map(|l| l["trajectories"].as_u64().unwrap() + l["skipped"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 7);
    common::trev(home.path())
        .args(["stats", "--per-task", "1", "--seed", "5"])
        .arg(common::sample_data())
        .assert()
        .success()
        .stderr(predicate::str::contains(", by task"));
}
