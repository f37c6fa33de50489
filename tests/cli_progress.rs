//! The progress line of a long scan goes to stderr only when stderr is a terminal: piped (as
//! here), `check`, `stats` and `export` write nothing there but their own lines, however
//! large the input.

mod common;

use common::{sample_data, trev};

/// A clean JSON Lines file of about `mb` megabytes: the sample AgentBench runs, repeated.
fn big_input(dir: &std::path::Path, mb: usize) -> std::path::PathBuf {
    let one = std::fs::read(sample_data().join("agentbench_runs.jsonl")).unwrap();
    let mut data = Vec::with_capacity(mb << 20);
    while data.len() < mb << 20 {
        data.extend_from_slice(&one);
    }
    let path = dir.join("big.jsonl");
    std::fs::write(&path, data).unwrap();
    path
}

#[test]
fn nothing_reaches_a_piped_stderr() {
    let home = tempfile::tempdir().unwrap();
    let input = big_input(home.path(), 24);
    for args in [
        vec!["stats"],
        vec!["stats", "--json"],
        vec!["check", "--fail-on", "never"],
        vec!["check", "--json", "--fail-on", "never"],
    ] {
        let out = trev(home.path()).args(&args).arg(&input).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert!(!out.stdout.is_empty(), "{args:?}");
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn export_writes_only_its_report_to_a_piped_stderr() {
    let home = tempfile::tempdir().unwrap();
    let input = big_input(home.path(), 24);
    let annotations = home.path().join("ann");
    std::fs::create_dir(&annotations).unwrap();
    let out = trev(home.path())
        .arg("export")
        .arg(&input)
        .arg("--annotations")
        .arg(&annotations)
        .arg("--out")
        .arg(home.path().join("gold.jsonl"))
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("trev export: wrote 0 trajectories"),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\r') && !stderr.contains('\u{1b}'),
        "{stderr}"
    );
}
