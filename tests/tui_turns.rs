//! Turns shown once and as written, on the review screen (TestBackend + insta) at 80×24 and
//! 200×50: a tool call as its name and its arguments in the source's key order (not also as
//! the raw JSON it was read from), a user's follow-up as the user's turn, and an ATIF
//! continuation whose task is only in its copied context opening on that task.

use std::path::{Path, PathBuf};

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::Terminal;
use trev::load::{Dataset, LoadOptions};
use trev::tui::{view, App, Keymap, Store, Theme};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn open(path: &Path, size: (u16, u16)) -> App {
    let dataset = Dataset::open(&[path.to_path_buf()], LoadOptions::default()).unwrap();
    dataset.wait();
    App::new(
        Store::new(dataset, None),
        Theme::builtin("dark").unwrap(),
        Keymap::default(),
        Rect::new(0, 0, size.0, size.1),
    )
}

fn screen(app: &App) -> String {
    let size = app.size();
    let mut t = Terminal::new(TestBackend::new(size.width, size.height)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    t.backend().to_string()
}

fn press(app: &mut App, keys: &str) {
    for c in keys.chars() {
        app.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

/// The call turn shows `→ web_search` and its arguments, `query` before `numResults` before
/// `filters` as the source has them, and not the raw `{"name": …}` text as well.
fn assert_call_once(screen: &str) {
    assert!(screen.contains("→ web_search"), "{screen}");
    assert!(!screen.contains(r#""name": "web_search""#), "{screen}");
    assert_eq!(screen.matches("\"query\"").count(), 1, "{screen}");
    let at = |key: &str| {
        screen
            .find(key)
            .unwrap_or_else(|| panic!("{key}: {screen}"))
    };
    assert!(at("\"query\"") < at("\"numResults\""));
    assert!(at("\"numResults\"") < at("\"filters\""));
}

#[test]
fn a_call_and_a_follow_up_at_200x50() {
    let app = open(&fixture("chat_call_and_follow_up.json"), (200, 50));
    let s = screen(&app);
    assert_call_once(&s);
    assert!(s.contains("instruction #4 · human"), "{s}");
    assert!(!s.contains("environment #4"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn a_call_and_a_follow_up_at_80x24() {
    let mut app = open(&fixture("chat_call_and_follow_up.json"), (80, 24));
    let top = screen(&app);
    assert_call_once(&top);
    insta::assert_snapshot!("a_call_and_a_follow_up_at_80x24_top", top);
    // Down to the follow-up: its own block, the user's, between the two steps.
    press(&mut app, "jjj");
    let s = screen(&app);
    assert!(s.contains("instruction #4 · human"), "{s}");
    assert!(s.contains("user · 3 steps"), "{s}");
    insta::assert_snapshot!("a_call_and_a_follow_up_at_80x24_follow_up", s);
}

#[test]
fn an_atif_continuation_opens_on_its_task_at_200x50() {
    let app = open(&fixture("atif_continuation.trajectory.json"), (200, 50));
    let s = screen(&app);
    assert!(s.contains("instruction #0 · user"), "{s}");
    assert!(s.contains("3 in-context demo turns hidden"), "{s}");
    assert!(s.contains("→ bash_command"), "{s}");
    let at = |key: &str| s.find(key).unwrap_or_else(|| panic!("{key}: {s}"));
    assert!(at("\"keystrokes\"") < at("\"duration\""));
    insta::assert_snapshot!(s);
}

#[test]
fn an_atif_continuation_opens_on_its_task_at_80x24() {
    let app = open(&fixture("atif_continuation.trajectory.json"), (80, 24));
    let s = screen(&app);
    assert!(s.contains("instruction #0 · user"), "{s}");
    assert!(s.contains("instruction · 2 steps"), "{s}");
    insta::assert_snapshot!(s);
}
