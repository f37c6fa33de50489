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
