//! The progress line of a long scan goes to stderr only when stderr is a terminal: piped (as
//! here), `check` and `stats` write nothing there over clean input, however large.

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
