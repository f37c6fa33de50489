//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The project's own sample data.
pub fn sample_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data")
}

/// `../shared/corpus` beside the project, or `None` with a printed notice when it is absent
/// (a fresh clone without it still passes; with `TREV_REQUIRE_CORPUS=1` the test fails).
pub fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        skip(&format!("{} is absent", dir.display()));
        None
    }
}

/// A test that cannot run here (no corpus, no tmux) says so and returns, or fails when
/// `TREV_REQUIRE_CORPUS=1` (set in `.ci/run`, so CI never passes a test it did not run).
pub fn skip(why: &str) {
    if std::env::var_os("TREV_REQUIRE_CORPUS").is_some_and(|v| v == "1") {
        panic!("{why}, and TREV_REQUIRE_CORPUS=1 requires this test to run");
    }
    eprintln!("notice: {why}; test skipped");
}

/// The trev binary, hermetic: config and data directories point into `home`, and colour
/// variables are removed.
pub fn trev(home: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("trev").unwrap();
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

/// A reviewed sample of the project's sample data in `home/ann`: 12 trajectories drawn with
/// seed 5 and recorded there, and two annotators (`alice`, `bob`) who marked every agent turn
/// of them, disagreeing on some. Returns the annotations directory and the sampled records.
pub fn reviewed_sample(home: &Path) -> (PathBuf, Vec<usize>) {
    let ann = home.join("ann");
    let data = sample_data();
    trev(home)
        .args(["stats", "--sample", "12", "--seed", "5", "--annotations"])
        .arg(&ann)
        .arg(&data)
        .assert()
        .success();
    let dataset = trev::load::Dataset::open(std::slice::from_ref(&data), Default::default())
        .expect("the sample data opens");
    dataset.wait();
    let sample = trev::session::sample::for_review(&dataset, None, &ann)
        .expect("the recorded sample")
        .expect("a sample is recorded");
    let (mut alice, mut bob) = (String::new(), String::new());
    let mut n = 0;
    for &i in &sample {
        let (t, _) = dataset.load(i).expect("a sampled record loads");
        for turn in t.agent_turns() {
            n += 1;
            let line = |label: &str| {
                format!(
                    "{{\"trajectory\": {:?}, \"turn\": {}, \"label\": \"{label}\"}}\n",
                    t.id, turn.index
                )
            };
            alice.push_str(&line(if n % 3 == 0 { "wrong" } else { "right" }));
            bob.push_str(&line(if n % 4 == 0 { "wrong" } else { "right" }));
        }
    }
    assert!(n > 10, "the sample has agent turns to mark");
    for (name, lines) in [("alice", &alice), ("bob", &bob)] {
        trev(home)
            .args([
                "label",
                "--annotator",
                name,
                "--import",
                "-",
                "--annotations",
            ])
            .arg(&ann)
            .arg(&data)
            .write_stdin(lines.as_str())
            .assert()
            .success();
    }
    (ann, sample)
}
