//! `trev check` against the real binary: human output, JSON Lines, exit codes, rule
//! selection and rules files.

mod common;

use std::path::Path;

use predicates::prelude::*;
use serde_json::Value;

fn json_lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn os_sample() -> std::path::PathBuf {
    common::sample_data().join("agentinstruct_os.json")
}

const CLEAN_OS: &str = r#"{"id": "os_9", "conversations": [
 {"from": "human", "value": "You are an assistant that will act like a person, I'will play the role of linux(ubuntu) operating system."},
 {"from": "gpt", "value": "Think: look.\n\nAct: bash\n\n```bash\nls\n```"},
 {"from": "human", "value": "The output of the OS:\n\na b"},
 {"from": "gpt", "value": "Think: two.\n\nAct: answer(2)"}]}
"#;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn human_output_has_the_table_then_sanitised_findings() {
    let home = tempfile::tempdir().unwrap();
    let out = common::trev(home.path())
        .arg("check")
        .arg(os_sample())
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let table = stdout.find("task  ").unwrap();
    let listing = stdout
        .find("os_2  turn 9  error  invalid-action/os")
        .unwrap();
    assert!(table < listing, "{stdout}");
    assert!(stdout.contains("os    terminal-signature"), "{stdout}");
    assert!(stdout.contains("2/2  100.0%"), "{stdout}");
    assert!(stdout.contains("␛]0;root@4f1c2a9b7d10: /␇"), "{stdout}");
    assert!(
        !stdout.bytes().any(|b| b == 0x1b || b == 0x07 || b == b'\r'),
        "raw control bytes reached the terminal"
    );
}

#[test]
fn json_lines_have_the_documented_keys_and_a_summary() {
    let home = tempfile::tempdir().unwrap();
    let out = common::trev(home.path())
        .args(["check", "--json"])
        .arg(common::sample_data())
        .assert()
        .code(1)
        .get_output()
        .clone();
    let lines = json_lines(&out.stdout);
    let (summary, findings) = lines.split_last().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        assert_eq!(f["type"], "finding");
        for key in [
            "file",
            "record",
            "trajectory",
            "turn",
            "rule",
            "severity",
            "span",
            "message",
            "excerpt",
        ] {
            assert!(!f[key].is_null(), "{key} missing in {f}");
        }
        let span = f["span"].as_array().unwrap();
        assert!(span[0].as_u64() <= span[1].as_u64());
    }
    let title = findings
        .iter()
        .find(|f| {
            f["trajectory"] == "os_1"
                && f["rule"] == "terminal-signature"
                && f["message"].as_str().unwrap().contains("title")
        })
        .unwrap();
    assert_eq!(title["record"], 0);
    assert_eq!(title["turn"], 6);
    assert_eq!(title["severity"], "warn");
    assert!(title["excerpt"]
        .as_str()
        .unwrap()
        .contains("\u{1b}]0;root@4f1c2a9b7d10: /\u{7}"));
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["trajectories"], 40);
    assert_eq!(summary["skipped"], 3);
    assert_eq!(
        summary["findings"].as_u64().unwrap() as usize,
        findings.len()
    );
    let by_rule = summary["by_rule"].as_object().unwrap();
    let counted: u64 = by_rule
        .values()
        .map(|r| r["findings"].as_u64().unwrap())
        .sum();
    assert_eq!(counted as usize, findings.len());
    assert_eq!(summary["by_task"]["os"]["trajectories"], 5);
    assert!(
        summary["by_task"]["os"]["rules"]["terminal-signature"]["trajectories"].as_u64() > Some(0)
    );
}

#[test]
fn exit_codes_follow_fail_on() {
    let home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let clean = write(data.path(), "clean.jsonl", &CLEAN_OS.replace('\n', ""));
    common::trev(home.path())
        .arg("check")
        .arg(&clean)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 findings"));
    common::trev(home.path())
        .args(["check", "--fail-on", "never"])
        .arg(os_sample())
        .assert()
        .code(0);
    // Only warnings: 0 by default, 1 with --fail-on warn.
    common::trev(home.path())
        .args(["check", "--only", "terminal-signature"])
        .arg(os_sample())
        .assert()
        .code(0);
    common::trev(home.path())
        .args(["check", "--only", "terminal-signature", "--fail-on", "warn"])
        .arg(os_sample())
        .assert()
        .code(1);
    common::trev(home.path())
        .args(["check", "--fail-on", "loud"])
        .arg(os_sample())
        .assert()
        .code(2);
    let empty = write(data.path(), "empty.jsonl", "");
    common::trev(home.path())
        .arg("check")
        .arg(&empty)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no trajectory could be loaded"));
}

#[test]
fn only_and_skip_choose_rules_by_id_or_family() {
    let home = tempfile::tempdir().unwrap();
    let rules_of = |args: &[&str]| -> Vec<String> {
        let out = common::trev(home.path())
            .args(["check", "--json", "--fail-on", "never"])
            .args(args)
            .arg(os_sample())
            .assert()
            .code(0)
            .get_output()
            .clone();
        let mut rules: Vec<String> = json_lines(&out.stdout)
            .iter()
            .filter(|l| l["type"] == "finding")
            .map(|l| l["rule"].as_str().unwrap().to_string())
            .collect();
        rules.dedup();
        rules
    };
    let all = rules_of(&[]);
    assert!(all.contains(&"terminal-signature".to_string()));
    assert!(all.contains(&"invalid-action/os".to_string()));
    assert_eq!(
        rules_of(&["--only", "terminal-signature"]),
        ["terminal-signature"]
    );
    let families = rules_of(&["--only", "invalid-action,final-answer"]);
    assert!(families
        .iter()
        .all(|r| r.starts_with("invalid-action/") || r.starts_with("final-answer/")));
    assert!(
        !rules_of(&["--skip", "terminal-signature"]).contains(&"terminal-signature".to_string())
    );
    common::trev(home.path())
        .args(["check", "--only", "no-such-rule"])
        .arg(os_sample())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule 'no-such-rule'"));
}

#[test]
fn a_rules_file_adds_rules_and_changes_built_in_ones() {
    let home = tempfile::tempdir().unwrap();
    let rules = write(
        home.path(),
        "mine.toml",
        "[builtin]\n\"terminal-signature\" = \"off\"\n\"invalid-action/os\" = \"info\"\n\n[[rule]]\nid = \"du\"\nseverity = \"error\"\nrole = \"agent\"\nregex = \"du -sk\"\ntask = \"os\"\nmessage = \"uses {match}\"\n",
    );
    let out = common::trev(home.path())
        .args(["check", "--json", "--rules"])
        .arg(&rules)
        .arg(os_sample())
        .assert()
        .code(1)
        .get_output()
        .clone();
    let lines = json_lines(&out.stdout);
    assert!(lines.iter().all(|l| l["rule"] != "terminal-signature"));
    let du: Vec<&Value> = lines.iter().filter(|l| l["rule"] == "du").collect();
    assert_eq!(du.len(), 2, "the demo turn is not checked");
    assert_eq!(du[0]["message"], "uses du -sk");
    assert_eq!(du[0]["severity"], "error");
    let os = lines
        .iter()
        .find(|l| l["rule"] == "invalid-action/os")
        .unwrap();
    assert_eq!(os["severity"], "info");
}

#[test]
fn the_default_rules_file_in_the_config_directory_is_read() {
    let home = tempfile::tempdir().unwrap();
    write(
        &home.path().join("config/trev"),
        "rules.toml",
        "[builtin]\n\"terminal-signature\" = \"off\"\n",
    );
    let out = common::trev(home.path())
        .args(["check", "--json", "--fail-on", "never"])
        .arg(os_sample())
        .assert()
        .code(0)
        .get_output()
        .clone();
    assert!(json_lines(&out.stdout)
        .iter()
        .all(|l| l["rule"] != "terminal-signature"));
}

#[test]
fn a_bad_rules_file_names_the_file_line_and_fix() {
    let home = tempfile::tempdir().unwrap();
    let rules = write(
        home.path(),
        "bad.toml",
        "[[rule]]\nid = \"x\"\nregex = \"(unclosed\"\nmessage = \"m\"\n",
    );
    common::trev(home.path())
        .args(["check", "--rules"])
        .arg(&rules)
        .arg(os_sample())
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("bad.toml:3:9: invalid regex"));
    let unknown = write(
        home.path(),
        "unknown.toml",
        "[[rule]]\nid = \"x\"\nregex = \"a\"\nmessage = \"m\"\nseverty = \"warn\"\n",
    );
    common::trev(home.path())
        .args(["check", "--rules"])
        .arg(&unknown)
        .arg(os_sample())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown.toml:5:1: unknown field `severty`",
        ));
}

#[test]
fn a_sample_checks_only_the_sampled_trajectories_the_same_way_twice() {
    let home = tempfile::tempdir().unwrap();
    let run = || {
        common::trev(home.path())
            .args([
                "check",
                "--json",
                "--fail-on",
                "never",
                "--sample",
                "5",
                "--seed",
                "8",
            ])
            .arg(common::sample_data())
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };
    let first = run();
    assert_eq!(first, run());
    let text = String::from_utf8(first).unwrap();
    let summary: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    let checked = summary["trajectories"].as_u64().unwrap() + summary["skipped"].as_u64().unwrap();
    assert_eq!(checked, 5);
}
