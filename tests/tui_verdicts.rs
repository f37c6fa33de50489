//! Others' verdicts on the review screen: with `o` the header shows other annotators' accept /
//! reject beside the annotator's own, with `≠` when they differ, and the `disagree` filter
//! counts verdicts that differ as a disagreement.

use std::path::{Path, PathBuf};

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::Terminal;
use trev::labels::Event;
use trev::load::{Dataset, LoadOptions};
use trev::tui::marks::Labels;
use trev::tui::{view, App, Keymap, Setup, Store, Theme};

fn open(dir: &Path) -> App {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample_data")
        .join("agentinstruct_os.json");
    let dataset = Dataset::open(&[path], LoadOptions::default()).unwrap();
    dataset.wait();
    let mut app = App::new(
        Store::new(dataset, None),
        Theme::builtin("dark").unwrap(),
        Keymap::default(),
        Rect::new(0, 0, 170, 40),
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
            '\x15' => {
                app.key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
                continue;
            }
            c => KeyCode::Char(c),
        };
        app.key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

/// The header's second row (outcome, turns, marked, verdict).
fn header(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(app.size().width, app.size().height)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    let text = t.backend().to_string();
    let row = text.lines().find(|l| l.contains("outcome ")).unwrap();
    row.split('│')
        .nth(1)
        .unwrap()
        .trim_end_matches([' ', '"'])
        .to_string()
}

fn event(annotator: &str, id: &str, turn: Option<usize>, label: &str) -> Event {
    let mut e = Event::now(annotator, id, turn, Some(label));
    e.at = "2026-11-22T10:00:00Z".into();
    e
}

fn write(dir: &Path, annotator: &str, events: &[Event]) {
    let mut text = String::new();
    for e in events {
        text.push_str(&serde_json::to_string(e).unwrap());
        text.push('\n');
    }
    std::fs::write(dir.join(format!("{annotator}.jsonl")), text).unwrap();
}

/// os_1: alice accepts, bob rejects, their turn marks agree. os_2: alice gives no verdict,
/// bob and carol accept.
fn journals(dir: &Path) {
    write(
        dir,
        "alice",
        &[
            event("alice", "os_1", Some(5), "right"),
            event("alice", "os_1", None, "accept"),
        ],
    );
    write(
        dir,
        "bob",
        &[
            event("bob", "os_1", Some(5), "right"),
            event("bob", "os_1", None, "reject"),
            event("bob", "os_2", None, "accept"),
        ],
    );
    write(dir, "carol", &[event("carol", "os_2", None, "accept")]);
}

fn id(app: &App) -> &str {
    &app.current().unwrap().trajectory.id
}

#[test]
fn others_verdicts_show_beside_mine_once_revealed() {
    let dir = tempfile::tempdir().unwrap();
    journals(dir.path());
    let mut app = open(dir.path());
    keys(&mut app, "K");
    assert_eq!(id(&app), "os_1");
    let h = header(&app);
    assert!(
        h.trim_start().starts_with("verdict accept  marked"),
        "blind by default: {h}"
    );
    keys(&mut app, "o");
    let h = header(&app);
    assert!(
        h.trim_start()
            .starts_with("verdict accept ≠ · bob: reject  marked"),
        "{h}"
    );
    keys(&mut app, "J");
    assert_eq!(id(&app), "os_2");
    let h = header(&app);
    assert!(
        h.trim_start()
            .starts_with("verdict none · bob: accept · carol: accept  marked"),
        "{h}"
    );
    keys(&mut app, "o");
    assert!(!header(&app).contains("verdict"), "hidden again");
}

#[test]
fn differing_verdicts_are_a_disagreement() {
    let dir = tempfile::tempdir().unwrap();
    journals(dir.path());
    let mut app = open(dir.path());
    keys(&mut app, "&disagree\n");
    assert_eq!(
        app.list().filter().unwrap().matches,
        [0],
        "os_1's verdicts differ; os_2's agree"
    );
    // Once alice rejects os_1 too, nobody disagrees.
    keys(&mut app, "&\x15\n");
    keys(&mut app, "K");
    assert_eq!(id(&app), "os_1");
    keys(&mut app, "R");
    keys(&mut app, "&disagree\n");
    assert_eq!(app.list().filter().unwrap().matches, Vec::<usize>::new());
}
