//! An id repeated inside one file: the second record is `id#2` (the third `id#3`) in every
//! command and on the screen, with a warning naming the file and both lines, so a mark on one
//! never lands on the other. The same id in two files is two runs, not a repeat.

mod common;

use std::path::{Path, PathBuf};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use trev::load::{Dataset, LoadOptions};
use trev::tui::marks::Labels;
use trev::tui::{App, Keymap, Setup, Store, Theme};

fn record(id: &str, answer: &str) -> String {
    format!(
        r#"{{"id": "{id}", "messages": [{{"role": "user", "content": "list the files"}}, {{"role": "assistant", "content": "{answer}"}}]}}"#
    )
}

/// `runs.jsonl` with ids a, b, a, a (lines 1 to 4).
fn write_runs(dir: &Path) -> PathBuf {
    let path = dir.join("runs.jsonl");
    let lines = [
        record("a", "ls"),
        record("b", "ls -l"),
        record("a", "ls -a"),
        record("a", "ls -la"),
    ];
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

#[test]
fn the_dataset_numbers_repeats_in_file_order() {
    let home = tempfile::tempdir().unwrap();
    let runs = write_runs(home.path());
    let other = home.path().join("other.jsonl");
    std::fs::write(&other, record("a", "pwd") + "\n").unwrap();
    let data = Dataset::open(&[runs, other], LoadOptions::default()).unwrap();
    // Read backwards: a record's id does not depend on which was read first.
    let ids: Vec<(String, Vec<String>)> = (0..5)
        .rev()
        .map(|i| {
            let (t, warnings) = data.load(i).unwrap();
            (t.id, warnings.iter().map(|w| w.to_string()).collect())
        })
        .collect();
    let names: Vec<&str> = ids.iter().rev().map(|(id, _)| id.as_str()).collect();
    assert_eq!(names, ["a", "b", "a#2", "a#3", "a"]);
    let third = &ids[2].1;
    assert_eq!(third.len(), 1, "{third:?}");
    assert!(
        third[0].contains("runs.jsonl:3") && third[0].contains("first at line 1"),
        "{third:?}"
    );
    assert!(
        ids[0].1.is_empty(),
        "the same id in another file is no repeat"
    );
    assert!(data.id_settled(4));
}

#[test]
fn headless_commands_use_the_numbered_ids() {
    let home = tempfile::tempdir().unwrap();
    let runs = write_runs(home.path());
    let ann = home.path().join("ann");
    let out = common::trev(home.path())
        .args(["label", "--annotator", "al", "--annotations"])
        .arg(&ann)
        .args(["--trajectory", "a#2", "--turn", "1", "--set", "wrong"])
        .arg(&runs)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let journal = std::fs::read_to_string(ann.join("al.jsonl")).unwrap();
    assert!(journal.contains(r#""trajectory":"a#2""#), "{journal}");

    // check and stats say which lines repeat which.
    for command in ["check", "stats"] {
        let out = common::trev(home.path())
            .arg(command)
            .arg(&runs)
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains(
                "runs.jsonl:3: warning: id `a` repeated (first at line 1): read as `a#2`"
            ) && stderr.contains(
                "runs.jsonl:4: warning: id `a` repeated (first at line 1): read as `a#3`"
            ),
            "{command}: {stderr}"
        );
    }

    // The export keeps the record marked on (a#2), and no other: the first `a` and `a#3`
    // have no marks.
    let gold = home.path().join("gold.jsonl");
    let out = common::trev(home.path())
        .args(["export", "--annotations"])
        .arg(&ann)
        .args(["--keep-unreviewed", "--out"])
        .arg(&gold)
        .arg(&runs)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    {
        let written = std::fs::read_to_string(&gold).unwrap();
        assert!(
            !written.contains("\"ls -a\""),
            "the wrong a#2 is dropped: {written}"
        );
        assert!(written.contains("\"ls -la\""), "a#3 is kept: {written}");
        assert!(written.contains("\"ls\""), "the first a is kept: {written}");
    }
}

#[test]
fn the_screen_marks_the_numbered_trajectory() {
    let home = tempfile::tempdir().unwrap();
    let runs = write_runs(home.path());
    let ann = home.path().join("ann");
    let dataset = Dataset::open(&[runs], LoadOptions::default()).unwrap();
    dataset.wait();
    let mut app = App::new(
        Store::new(dataset, None),
        Theme::builtin("dark").unwrap(),
        Keymap::default(),
        Rect::new(0, 0, 120, 30),
    );
    app.start(Setup {
        labels: Labels::new(Some(ann.clone()), Some("alice".into())),
        sample: None,
    });
    // Wait for the census to reach the third record, then show it.
    for _ in 0..500 {
        if app.store().dataset().id_settled(3) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    app.select(2);
    assert_eq!(app.current().unwrap().trajectory.id, "a#2");
    // Down to the agent's step, and mark it wrong.
    app.key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE));
    app.key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE));
    let journal = std::fs::read_to_string(ann.join("alice.jsonl")).unwrap();
    assert!(
        journal.contains(r#""trajectory":"a#2""#),
        "{journal} {:?}",
        app.message()
    );
    assert!(!journal.contains(r#""trajectory":"a""#), "{journal}");
}

#[test]
fn a_gzip_file_numbers_its_repeats_too() {
    use std::io::Write as _;
    let home = tempfile::tempdir().unwrap();
    let plain = std::fs::read(write_runs(home.path())).unwrap();
    let gz = home.path().join("runs.jsonl.gz");
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    encoder.write_all(&plain).unwrap();
    encoder.finish().unwrap();
    let out = common::trev(home.path())
        .arg("stats")
        .arg(&gz)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr
            .contains("runs.jsonl.gz:3: warning: id `a` repeated (first at line 1): read as `a#2`")
            && stderr.contains("read as `a#3`"),
        "{stderr}"
    );
}
