//! The estimate panel of the review screen and `trev stats --estimate` say the same thing for
//! the same data, sample and journals: both come from one use-case.

mod common;

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::Terminal;
use trev::load::{Dataset, LoadOptions};
use trev::rules::RuleSet;
use trev::tui::marks::Labels;
use trev::tui::{view, App, Keymap, Setup, Store, Theme};

#[test]
fn the_panel_prints_what_stats_estimate_prints() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    let data = common::sample_data();
    common::trev(home.path())
        .args(["stats", "--sample", "12", "--seed", "5", "--annotations"])
        .arg(&ann)
        .arg(&data)
        .assert()
        .success();
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ann.join("sample.json")).unwrap()).unwrap();
    let ids: Vec<&str> = record["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    // Two annotators mark every agent turn of the sampled trajectories; they disagree on some.
    let dataset = Dataset::open(std::slice::from_ref(&data), LoadOptions::default()).unwrap();
    dataset.wait();
    let (mut alice, mut bob) = (String::new(), String::new());
    let mut n = 0;
    for i in 0..dataset.len() {
        let Ok((t, _)) = dataset.load(i) else {
            continue;
        };
        if !ids.contains(&t.id.as_str()) {
            continue;
        }
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
        common::trev(home.path())
            .args([
                "label",
                "--annotator",
                name,
                "--import",
                "-",
                "--annotations",
            ])
            .arg(&ann)
            .write_stdin(lines.as_str())
            .assert()
            .success();
    }
    let out = common::trev(home.path())
        .args(["stats", "--estimate", "--annotations"])
        .arg(&ann)
        .arg(&data)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let printed = String::from_utf8(out).unwrap();
    assert!(
        printed.contains("CI"),
        "an estimate with intervals: {printed}"
    );

    // The screen over the same data, sample and journals, with the same rules.
    let sample = trev::session::sample::for_review(&dataset, None, &ann).unwrap();
    let rules = RuleSet::builtin();
    let store = Store::new(dataset, Some(Box::new(move |t| rules.check(t))));
    let mut app = App::new(
        store,
        Theme::builtin("dark").unwrap(),
        Keymap::default(),
        Rect::new(0, 0, 250, 70),
    );
    app.start(Setup {
        labels: Labels::new(Some(ann.clone()), Some("carol".into())),
        sample,
    });
    app.key(KeyEvent::new(KeyCode::Char('E'), KeyModifiers::NONE));
    assert_eq!(app.mode_name(), "ESTIMATE");
    let mut t = Terminal::new(TestBackend::new(250, 70)).unwrap();
    t.draw(|f| view::draw(f, &app)).unwrap();
    let screen = t.backend().to_string();
    for line in printed.lines() {
        assert!(
            screen.contains(line.trim_end()),
            "the panel lacks `{line}`:\n{screen}"
        );
    }
}
