//! Command-line conventions: completion scripts, the man page, `--color`.

mod common;

use common::trev;

const SUBCOMMANDS: [&str; 8] = [
    "check",
    "review",
    "stats",
    "label",
    "agree",
    "export",
    "completions",
    "man",
];

fn stdout_of(args: &[&str]) -> String {
    let home = tempfile::tempdir().unwrap();
    let out = trev(home.path()).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
    assert!(out.stderr.is_empty(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn bash_completions_name_trev_and_every_subcommand() {
    let script = stdout_of(&["completions", "bash"]);
    assert!(script.contains("_trev()"), "{script}");
    assert!(script.contains("complete -F _trev"), "{script}");
    for sub in SUBCOMMANDS {
        assert!(script.contains(sub), "no {sub} in the bash script");
    }
}

#[test]
fn zsh_and_fish_completions_are_written() {
    assert!(stdout_of(&["completions", "zsh"]).starts_with("#compdef trev"));
    let fish = stdout_of(&["completions", "fish"]);
    assert!(fish.contains("complete -c trev"), "{fish}");
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    trev(home.path())
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stdout("");
}

#[test]
fn the_man_page_is_roff_and_lists_the_subcommands() {
    let page = stdout_of(&["man"]);
    // clap_mangen puts its two-line quote-string preamble before the title macro.
    let first_macro = page
        .lines()
        .find(|l| !l.starts_with(".ie") && !l.starts_with(".el"))
        .unwrap();
    assert!(first_macro.starts_with(".TH trev 1"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    for sub in SUBCOMMANDS {
        assert!(
            page.contains(&format!("trev\\-{sub}")),
            "no {sub} in the man page"
        );
    }
}

fn has_escape(bytes: &[u8]) -> bool {
    bytes.contains(&0x1b)
}

#[test]
fn help_is_plain_when_piped_and_coloured_with_color_always() {
    let home = tempfile::tempdir().unwrap();
    let plain = trev(home.path()).arg("--help").output().unwrap();
    assert!(!has_escape(&plain.stdout));
    assert!(String::from_utf8_lossy(&plain.stdout).contains("--color <WHEN>"));
    let always = trev(home.path())
        .args(["--color", "always", "stats", "--help"])
        .output()
        .unwrap();
    assert!(has_escape(&always.stdout));
    let never = trev(home.path())
        .args(["--color=never", "stats", "--help"])
        .output()
        .unwrap();
    assert!(!has_escape(&never.stdout));
}

#[test]
fn color_always_wins_over_no_color_and_never_over_the_default() {
    let home = tempfile::tempdir().unwrap();
    let forced = trev(home.path())
        .env("NO_COLOR", "1")
        .args(["--color", "always", "stats", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(forced.status.code(), Some(2));
    assert!(has_escape(&forced.stderr));
    let never = trev(home.path())
        .args(["--color", "never", "stats", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(never.status.code(), Some(2));
    assert!(!has_escape(&never.stderr));
}

#[test]
fn a_bad_color_value_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    trev(home.path())
        .args(["--color", "sometimes", "stats", "x"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "possible values: auto, always, never",
        ));
}

#[test]
fn color_leaves_headless_output_as_it_is() {
    let home = tempfile::tempdir().unwrap();
    let data = common::sample_data();
    let plain = trev(home.path()).arg("stats").arg(&data).output().unwrap();
    for flag in ["--color=always", "--color=never"] {
        let with = trev(home.path())
            .arg(flag)
            .arg("stats")
            .arg(&data)
            .output()
            .unwrap();
        assert_eq!(with.stdout, plain.stdout, "{flag}");
        assert_eq!(with.stderr, plain.stderr, "{flag}");
        assert_eq!(with.status.code(), plain.status.code(), "{flag}");
    }
}
