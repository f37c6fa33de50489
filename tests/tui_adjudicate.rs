//! Settling disagreements on the review screen (`trev adjudicate`), driven by keys without a
//! terminal: the queue from three journals, the most common answer accepted with one key,
//! another picked by a digit, reason and cause, undo, names hidden; and a snapshot.

use std::path::{Path, PathBuf};

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::Terminal;
use trev::labels::Replay;
use trev::load::{Dataset, LoadOptions};
use trev::tui::marks::Labels;
use trev::tui::{view, App, Keymap, Mode, Setup, Store, Theme};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample_data")
        .join(name)
}

fn line(who: &str, id: &str, turn: Option<usize>, label: &str, category: Option<&str>) -> String {
    let category = category.map_or(String::new(), |c| format!(r#","category":"{c}""#));
    let turn = turn.map_or("null".to_string(), |t| t.to_string());
    format!(
        r#"{{"v":1,"at":"2026-11-22T10:00:00Z","annotator":"{who}","run":"agentinstruct_os","trajectory":"{id}","turn":{turn},"label":"{label}"{category}}}"#
    )
}

/// alice, bob and carol: os_1 turn 5 split 2–1 (wrong plan-error ×2, right); os_1 turn 7
/// all wrong, categories differ; os_1 turn 3 all right (no disagreement); os_2's verdict a tie.
pub fn three_journals(dir: &Path) {
    let journals = [
        (
            "alice",
            vec![
                line("alice", "os_1", Some(3), "right", None),
                line("alice", "os_1", Some(5), "wrong", Some("plan-error")),
                line("alice", "os_1", Some(7), "wrong", Some("hallucination")),
                line("alice", "os_2", None, "accept", None),
            ],
        ),
        (
            "bob",
            vec![
                line("bob", "os_1", Some(3), "right", None),
                line("bob", "os_1", Some(5), "right", None),
                line("bob", "os_1", Some(7), "wrong", Some("invalid-action")),
                line("bob", "os_2", None, "reject", None),
            ],
        ),
        (
            "carol",
            vec![
                line("carol", "os_1", Some(3), "right", None),
                line("carol", "os_1", Some(5), "wrong", Some("plan-error")),
            ],
        ),
    ];
    std::fs::create_dir_all(dir).unwrap();
    for (who, lines) in journals {
        std::fs::write(dir.join(format!("{who}.jsonl")), lines.join("\n") + "\n").unwrap();
    }
}

fn open(dir: &Path, hide: bool) -> App {
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
        labels: Labels::new(Some(dir.to_path_buf()), Some("dana".into())),
        sample: None,
    });
    app.adjudicate(hide);
    app
}

fn keys(app: &mut App, keys: &str) {
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\x1b' => KeyCode::Esc,
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

/// dana's adjudications: (trajectory, turn, label, category, note, cause).
type Decision = (
    String,
    Option<usize>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn decisions(dir: &Path) -> Vec<Decision> {
    let mut r = Replay::new();
    r.read_file(&dir.join("dana.jsonl")).unwrap();
    assert!(r.marks().is_empty(), "adjudications are not marks");
    r.adjudications()
        .iter()
        .map(|(k, m)| {
            (
                k.trajectory.clone(),
                k.turn,
                m.label.clone(),
                m.category.clone(),
                m.note.clone(),
                m.cause.clone(),
            )
        })
        .collect()
}

#[test]
fn the_queue_is_walked_one_decision_at_a_time_and_undo_takes_one_back() {
    let dir = tempfile::tempdir().unwrap();
    three_journals(dir.path());
    let mut app = open(dir.path(), false);
    assert_eq!(app.mode(), Mode::Adjudicate);
    let s = screen(&app);
    assert!(s.contains("settled 0/3"), "{s}");
    // The first item: os_1 turn 5, the 2–1 split; the document shows that turn.
    assert_eq!(app.current().unwrap().trajectory.id, "os_1");
    assert!(s.contains("os_1 turn 5"), "{s}");
    assert!(s.contains("most common: ✗ wrong (plan-error)"), "{s}");
    // A reason and a cause, then enter accepts the most common answer.
    keys(&mut app, "eguideline says so\nw\n");
    let d = decisions(dir.path());
    assert_eq!(
        d,
        [(
            "os_1".into(),
            Some(5),
            "wrong".into(),
            Some("plan-error".into()),
            Some("guideline says so".into()),
            Some("guideline-gap".into())
        )]
    );
    // Next: os_1 turn 7 (categories differ); 2 picks invalid-action.
    let s = screen(&app);
    assert!(
        s.contains("os_1 turn 7") && s.contains("categories differ"),
        "{s}"
    );
    keys(&mut app, "2");
    assert_eq!(
        decisions(dir.path())[1].3.as_deref(),
        Some("invalid-action")
    );
    // Then os_2's verdict (a tie: reject pre-selected); y accepts the trajectory.
    let s = screen(&app);
    assert!(s.contains("os_2 verdict") && s.contains("a tie"), "{s}");
    keys(&mut app, "y");
    assert!(screen(&app).contains("settled 3/3"));
    // Undo takes the last decision back; the item is open again.
    keys(&mut app, "u");
    assert!(screen(&app).contains("settled 2/3"));
    assert_eq!(decisions(dir.path()).len(), 2);
    let text = std::fs::read_to_string(dir.path().join("dana.jsonl")).unwrap();
    assert_eq!(text.lines().count(), 4, "undo appends");
    assert!(text.lines().all(|l| l.contains(r#""kind":"adjudication""#)));
    // Reopening resumes at the unsettled item.
    drop(app);
    let app = open(dir.path(), false);
    let s = screen(&app);
    assert!(
        s.contains("settled 2/3") && s.contains("os_2 verdict"),
        "{s}"
    );
}

#[test]
fn names_can_be_hidden_while_settling() {
    let dir = tempfile::tempdir().unwrap();
    three_journals(dir.path());
    let mut app = open(dir.path(), true);
    let s = screen(&app);
    assert!(s.contains("annotator 1") && !s.contains("alice"), "{s}");
    keys(&mut app, "h");
    assert!(screen(&app).contains("alice"));
    let s = screen(&app).replace(&dir.path().display().to_string(), "[DIR]");
    insta::assert_snapshot!(s);
}
