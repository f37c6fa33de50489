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
    let (ann, sample) = common::reviewed_sample(home.path());
    let data = common::sample_data();
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
    let dataset = Dataset::open(std::slice::from_ref(&data), LoadOptions::default()).unwrap();
    dataset.wait();
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
        sample: Some(sample),
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
