//! Error categories on the review screen, driven by keys without a terminal: a digit (alone,
//! or after `x`) marks wrong with a category, `v` grades, `D` marks the decisive error, undo
//! and clearing, the header row, `&category:` and another team's category kept with a warning.

use std::path::{Path, PathBuf};

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::Terminal;
use trev::labels::{Mark, Replay};
use trev::load::{Dataset, LoadOptions};
use trev::tui::marks::Labels;
use trev::tui::{view, App, Keymap, Setup, Store, Theme};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample_data")
        .join(name)
}

fn open(dir: &Path) -> App {
    let dataset =
        Dataset::open(&[sample("agentinstruct_os.json")], LoadOptions::default()).unwrap();
    dataset.wait();
    let mut app = App::new(
        Store::new(dataset, None),
        Theme::builtin("dark").unwrap(),
        Keymap::default(),
        Rect::new(0, 0, 120, 40),
    );
    app.start(Setup {
        labels: Labels::new(Some(dir.to_path_buf()), Some("alice".into())),
        sample: None,
    });
    app
}

fn keys(app: &mut App, keys: &str) {
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\x08' => KeyCode::Backspace,
            c => KeyCode::Char(c),
        };
        app.key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    t.backend().to_string()
}

/// alice's mark on os_1's turn `turn`, as replayed from the journal on disk.
fn mark(dir: &Path, turn: usize) -> Option<Mark> {
    let mut r = Replay::new();
    r.read_file(&dir.join("alice.jsonl")).unwrap();
    r.marks()
        .iter()
        .find(|(k, _)| k.trajectory == "os_1" && k.turn == Some(turn))
        .map(|(_, m)| m.clone())
}

#[test]
fn a_digit_marks_wrong_with_a_category_and_undo_and_clear_take_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    assert_eq!(app.target_turn(), Some(5));
    // x then 7: wrong, then wrong with plan-error (two lines, each saved at once).
    keys(&mut app, "x7");
    let m = mark(dir.path(), 5).unwrap();
    assert_eq!(
        (m.label.as_str(), m.category.as_deref()),
        ("wrong", Some("plan-error"))
    );
    assert_eq!(m.categories.as_deref(), Some("default@1"));
    assert!(screen(&app).contains("agent #5 · gpt  ✗ wrong · plan-error"));
    // Severity and the decisive error.
    keys(&mut app, "vvD");
    let m = mark(dir.path(), 5).unwrap();
    assert_eq!((m.severity.as_deref(), m.decisive), (Some("major"), true));
    assert!(screen(&app).contains("✗ wrong · plan-error (major) ◆ decisive"));
    // x again keeps the category; undo takes the decisive mark back.
    keys(&mut app, "xu");
    let m = mark(dir.path(), 5).unwrap();
    assert_eq!(m.category.as_deref(), Some("plan-error"));
    assert!(m.decisive, "undo of x restores the same mark");
    keys(&mut app, "u");
    assert!(!mark(dir.path(), 5).unwrap().decisive);
    // Right drops the category; clearing removes the mark.
    keys(&mut app, "y");
    assert_eq!(mark(dir.path(), 5).unwrap().category, None);
    keys(&mut app, "c");
    assert!(mark(dir.path(), 5).is_none());
    // A digit alone on the next turn; the decisive error moves there from another turn.
    keys(&mut app, "3D");
    keys(&mut app, "j1D");
    assert_eq!(app.target_turn(), Some(7));
    assert_eq!(
        mark(dir.path(), 7).unwrap().category.as_deref(),
        Some("format-error")
    );
    assert!(mark(dir.path(), 7).unwrap().decisive);
    assert!(
        !mark(dir.path(), 5).unwrap().decisive,
        "one decisive error per trajectory"
    );
    // v on a turn that is not wrong says so and writes nothing.
    keys(&mut app, "y");
    let before = std::fs::read_to_string(dir.path().join("alice.jsonl")).unwrap();
    keys(&mut app, "v");
    assert_eq!(
        before,
        std::fs::read_to_string(dir.path().join("alice.jsonl")).unwrap()
    );
    assert!(screen(&app).contains("is not marked wrong"));
}

#[test]
fn the_filter_finds_a_category_and_another_teams_category_is_kept_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bob.jsonl"),
        concat!(
            r#"{"annotator":"bob","run":"agentinstruct_os","trajectory":"os_2","turn":5,"label":"wrong","category":"acme-thing","categories":"acme@3"}"#,
            "\n"
        ),
    )
    .unwrap();
    let mut app = open(dir.path());
    let s = screen(&app);
    assert!(
        s.contains("bob.jsonl:1: warning: category 'acme-thing' is not in the"),
        "{s}"
    );
    keys(&mut app, "&category:acme-thing\n");
    let f = app.list().filter().unwrap();
    assert_eq!(f.matches, [1], "os_2 has bob's acme-thing");
    keys(&mut app, "&");
    keys(&mut app, &"\x08".repeat(20));
    keys(&mut app, "category:nosuch\n");
    assert!(screen(&app).contains("unknown category 'nosuch'"));
}

#[test]
fn the_agreement_panel_compares_categories_too() {
    let dir = tempfile::tempdir().unwrap();
    let line = |who: &str, turn: usize, category: &str| {
        format!(
            r#"{{"annotator":"{who}","run":"agentinstruct_os","trajectory":"os_1","turn":{turn},"label":"wrong","category":"{category}"}}"#
        )
    };
    std::fs::write(
        dir.path().join("bob.jsonl"),
        [
            line("bob", 5, "plan-error"),
            line("bob", 7, "hallucination"),
        ]
        .join("\n")
            + "\n",
    )
    .unwrap();
    let mut app = open(dir.path());
    keys(&mut app, "7jx6");
    keys(&mut app, "a");
    let mut seen = String::new();
    for _ in 0..30 {
        seen.push_str(&screen(&app));
        keys(&mut app, "j");
    }
    assert!(seen.contains("categories of turns marked wrong"), "{seen}");
    assert!(
        seen.contains("plan-error                 1.000  (2 of 2 uses)"),
        "{seen}"
    );
    assert!(
        seen.contains("hallucination              0.000  (0 of 1 uses)"),
        "{seen}"
    );
}
