//! Blind review of a judge's turn sample on the review screen: each sampled turn is shown with
//! only the turns before it (later turns, their findings and the outcome left out), the judge's
//! marks stay hidden (from `o` and from `&disagree` too), the list holds the sampled
//! trajectories, and the status bar counts the sampled turns marked.

use std::path::{Path, PathBuf};

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::Terminal;
use trev::labels::Replay;
use trev::load::{Dataset, LoadOptions};
use trev::tui::blind::{Blind, SampledAt};
use trev::tui::marks::Labels;
use trev::tui::{view, App, Keymap, Setup, Store, Theme};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/agentinstruct_os.json")
}

fn line(annotator: &str, id: &str, turn: usize, label: &str) -> String {
    format!(
        "{{\"at\":\"2026-11-22T10:00:00Z\",\"annotator\":\"{annotator}\",\"run\":\"agentinstruct_os\",\"trajectory\":\"{id}\",\"turn\":{turn},\"label\":\"{label}\"}}\n"
    )
}

fn sampled(record: usize, id: &str, turn: usize) -> SampledAt {
    SampledAt {
        record,
        run: "agentinstruct_os".into(),
        trajectory: id.into(),
        turn,
    }
}

/// The screen on os_1 and os_2, alice reviewing gpt4's sample of three turns blind; gpt4
/// labelled them (and os_2's turn 5), bob marked turn 5 of both wrong.
fn open(dir: &Path) -> App {
    write_journals(dir);
    reopen(dir)
}

fn write_journals(dir: &Path) {
    let gpt4 = [
        line("gpt4", "os_1", 5, "right"),
        line("gpt4", "os_1", 7, "wrong"),
        line("gpt4", "os_2", 5, "right"),
        line("gpt4", "os_2", 7, "wrong"),
    ];
    std::fs::write(dir.join("gpt4.jsonl"), gpt4.concat()).unwrap();
    let bob = [
        line("bob", "os_1", 5, "wrong"),
        line("bob", "os_2", 5, "wrong"),
    ];
    std::fs::write(dir.join("bob.jsonl"), bob.concat()).unwrap();
}

/// The screen as [`open`] sets it up, on the journals as they are.
fn reopen(dir: &Path) -> App {
    let dataset = Dataset::open(&[data()], LoadOptions::default()).unwrap();
    dataset.wait();
    let mut app = App::new(
        Store::new(dataset, None),
        Theme::builtin("dark").unwrap(),
        Keymap::default(),
        Rect::new(0, 0, 80, 24),
    );
    let mut labels = Labels::new(Some(dir.to_path_buf()), Some("alice".into()));
    labels.blind = Some(Blind {
        judge: "gpt4".into(),
        turns: vec![
            sampled(0, "os_1", 5),
            sampled(0, "os_1", 7),
            sampled(1, "os_2", 7),
        ],
    });
    app.start(Setup {
        labels,
        sample: None,
    });
    app
}

fn keys(app: &mut App, keys: &str) {
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            c => KeyCode::Char(c),
        };
        app.key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

fn screen(app: &App, dir: &Path) -> String {
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    t.backend()
        .to_string()
        .replace(&dir.display().to_string(), "[DIR]")
}

fn shown(app: &App) -> (String, usize) {
    let t = &app.current().unwrap().trajectory;
    (t.id.clone(), t.turns.len())
}

#[test]
fn later_turns_and_the_judges_marks_are_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    // os_1 up to its first sampled turn, the cursor on it.
    assert_eq!(shown(&app), ("os_1".into(), 6));
    assert_eq!(app.target_turn(), Some(5));
    keys(&mut app, "o");
    let s = screen(&app, dir.path());
    assert!(
        s.contains("blind: turn sample of 3 by gpt4, 0/3 marked"),
        "{s}"
    );
    assert!(s.contains("outcome hidden (blind)"), "{s}");
    assert!(s.contains("bob:✗"), "a person's marks may be revealed: {s}");
    assert!(!s.contains("gpt4:"), "never the judge's: {s}");
    assert!(
        !s.contains("Two users use bash"),
        "turn 7 is after the sampled turn: {s}"
    );
    assert!(
        !s.contains("The output of the OS:"),
        "nor turn 6, its reply: {s}"
    );
    insta::assert_snapshot!(s);
    // alice and bob differ on os_1; on os_2 only gpt4 differs from bob, which does not count.
    keys(&mut app, "y&disagree\n");
    assert_eq!(app.list().filter().unwrap().matches, [0]);
    keys(&mut app, "&\n");
    // The agreement and estimate panels stay closed.
    for key in ["a", "E"] {
        keys(&mut app, key);
        assert!(app.panel().is_none());
        let message = app.message().unwrap_or_default();
        assert!(message.contains("blind review"), "{message}");
    }
}

#[test]
fn marking_a_sampled_turn_shows_the_next_and_marks_go_to_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    keys(&mut app, "y");
    // os_1's next sampled turn is now shown, up to it.
    assert_eq!(shown(&app), ("os_1".into(), 8));
    keys(&mut app, "m");
    assert_eq!(app.target_turn(), Some(7));
    keys(&mut app, "x");
    keys(&mut app, "m");
    // os_2 up to its sampled turn 7, the cursor on it: its turns 8 and 9 never loaded.
    assert_eq!(shown(&app), ("os_2".into(), 8));
    assert_eq!(app.target_turn(), Some(7));
    let s = screen(&app, dir.path());
    assert!(
        s.contains("blind: turn sample of 3 by gpt4, 2/3 marked"),
        "{s}"
    );
    assert!(!s.contains("answer 4120"), "{s}");
    assert!(s.contains("(reply hidden: blind review)"), "{s}");
    keys(&mut app, "y");
    let mut r = Replay::new();
    r.read_file(&dir.path().join("alice.jsonl")).unwrap();
    let marks: Vec<(String, Option<usize>, String)> = r
        .marks()
        .iter()
        .map(|(k, m)| (k.trajectory.clone(), k.turn, m.label.clone()))
        .collect();
    assert_eq!(
        marks,
        [
            ("os_1".into(), Some(5), "right".into()),
            ("os_1".into(), Some(7), "wrong".into()),
            ("os_2".into(), Some(7), "right".into()),
        ]
    );
    // The list holds the two sampled trajectories only; K goes back.
    keys(&mut app, "K");
    assert_eq!(shown(&app), ("os_1".into(), 8));
    assert!(screen(&app, dir.path()).contains("3/3 marked"));
    // Undone, os_2's sampled turn waits again; reopening resumes there.
    keys(&mut app, "u");
    app.close_journal();
    drop(app);
    let app = reopen(dir.path());
    assert_eq!(shown(&app), ("os_2".into(), 8));
    assert_eq!(app.target_turn(), Some(7));
    assert!(screen(&app, dir.path()).contains("2/3 marked"));
}
