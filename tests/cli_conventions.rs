//! Command-line conventions: completion scripts, the man page.

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
