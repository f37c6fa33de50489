//! `trev review` on the command line: themes and config errors name the file and line, and
//! without a terminal it says so instead of drawing.

use assert_cmd::Command;
use predicates::prelude::*;

fn trev(config: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("trev").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("TREV_CONFIG_DIR", config)
        .env_remove("NO_COLOR");
    cmd
}

#[test]
fn an_unknown_theme_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    trev(dir.path())
        .args([
            "review",
            "--theme",
            "nope",
            "sample_data/agentinstruct_os.json",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "nope: no such theme (built-in: dark, light, high-contrast",
        ));
}

#[test]
fn a_bad_user_theme_names_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("themes")).unwrap();
    std::fs::write(
        dir.path().join("themes/mine.toml"),
        "agent = \"red\"\nagnet = \"blue\"\n",
    )
    .unwrap();
    trev(dir.path())
        .args(["--theme", "mine", "sample_data/agentinstruct_os.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "mine.toml:2: unknown field `agnet`",
        ));
}

#[test]
fn a_bad_config_names_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "theme = \"dark\"\n[keys]\nfly = \"w\"\n",
    )
    .unwrap();
    trev(dir.path())
        .args(["sample_data/agentinstruct_os.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "config.toml:3: unknown action 'fly' in [keys]",
        ));
}

#[test]
fn without_a_terminal_review_says_so() {
    let dir = tempfile::tempdir().unwrap();
    trev(dir.path())
        .args(["sample_data"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs a terminal"));
}

#[test]
fn a_missing_file_is_an_error_before_the_screen() {
    let dir = tempfile::tempdir().unwrap();
    trev(dir.path())
        .args(["no/such/file.jsonl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot open the input"));
}

#[test]
fn a_journal_open_elsewhere_is_a_clear_error() {
    let config = tempfile::tempdir().unwrap();
    let annotations = tempfile::tempdir().unwrap();
    let _held = trev::labels::Journal::open(annotations.path(), "alice").unwrap();
    trev(config.path())
        .args(["review", "sample_data/agentinstruct_os.json", "--annotator"])
        .arg("alice")
        .arg("--annotations")
        .arg(annotations.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "alice.jsonl: the journal is open in another trev process",
        ));
}

#[test]
fn a_sample_is_drawn_and_recorded_beside_the_journals() {
    let config = tempfile::tempdir().unwrap();
    let annotations = tempfile::tempdir().unwrap();
    trev(config.path())
        .args([
            "review",
            "sample_data/agentinstruct_os.json",
            "--sample",
            "1",
        ])
        .arg("--annotations")
        .arg(annotations.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs a terminal"));
    let record = trev::sample::recorded(annotations.path()).unwrap().unwrap();
    assert_eq!(record.ids.len(), 1);
    assert_eq!(record.records, 2);
}

#[test]
fn a_recorded_sample_of_other_data_is_a_clear_error() {
    let config = tempfile::tempdir().unwrap();
    let annotations = tempfile::tempdir().unwrap();
    std::fs::write(
        annotations.path().join("sample.json"),
        r#"{"v":1,"spec":{"size":1,"seed":0,"stratify":false,"per_task":null},"records":9,"ids":["elsewhere_1"]}"#,
    )
    .unwrap();
    trev(config.path())
        .args([
            "review",
            "sample_data/agentinstruct_os.json",
            "--annotations",
        ])
        .arg(annotations.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the recorded sample's 1 trajectories are not in this data",
        ));
}

#[test]
fn a_file_whose_records_all_fail_is_an_error_as_in_stats() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("all_bad.jsonl");
    std::fs::write(&bad, "{\"id\": 1, \"messages\": [}\n{\"foo\": 2}\n").unwrap();
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    for args in [&["review"][..], &["stats"]] {
        let out = trev(dir.path()).args(args).arg(&bad).output().unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("all_bad.jsonl:1:24: error: expected value"),
            "{err}"
        );
        assert!(
            err.contains("all_bad.jsonl:2:1: error: unknown record shape"),
            "{err}"
        );
        assert!(
            err.contains("trev: error: no trajectory could be loaded"),
            "{err}"
        );
        assert!(!err.contains("needs a terminal"), "{err}");
    }
    trev(dir.path())
        .arg(&empty)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty.jsonl: warning: empty file"))
        .stderr(predicate::str::contains("no trajectory could be loaded"));
    // One readable record is enough for the screen.
    trev(dir.path())
        .args(["sample_data/nasty/malformed_middle.jsonl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs a terminal"));
}
