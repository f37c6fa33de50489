//! Marking on the review screen, driven by keys without a terminal: marks, clearing, undo,
//! notes, verdicts, the next unmarked turn, resuming, others' marks, a journal that cannot be
//! written; and screen snapshots of marked turns and of disagreements.

use std::path::{Path, PathBuf};

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::Terminal;
use trev::labels::{Event, Replay};
use trev::load::{Dataset, LoadOptions};
use trev::tui::marks::Labels;
use trev::tui::{view, App, Keymap, Mode, Setup, Store, Theme};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample_data")
        .join(name)
}

fn open(path: &Path, dir: &Path, annotator: Option<&str>, size: (u16, u16)) -> App {
    let dataset = Dataset::open(&[path.to_path_buf()], LoadOptions::default()).unwrap();
    dataset.wait();
    let mut app = App::new(
        Store::new(dataset, None),
        Theme::builtin("dark").unwrap(),
        Keymap::default(),
        Rect::new(0, 0, size.0, size.1),
    );
    app.start(Setup {
        labels: Labels::new(Some(dir.to_path_buf()), annotator.map(str::to_string)),
        sample: None,
    });
    app
}

fn keys(app: &mut App, keys: &str) {
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\x1b' => KeyCode::Esc,
            '\x15' => {
                app.key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
                continue;
            }
            c => KeyCode::Char(c),
        };
        app.key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(app.size().width, app.size().height)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    t.backend().to_string()
}

/// The journal's marks as `(trajectory, turn, label)`.
fn journal(dir: &Path, annotator: &str) -> Vec<(String, Option<usize>, String)> {
    let mut r = Replay::new();
    r.read_file(&dir.join(format!("{annotator}.jsonl")))
        .unwrap();
    r.marks()
        .iter()
        .map(|(k, m)| (k.trajectory.clone(), k.turn, m.label.clone()))
        .collect()
}

fn id(app: &App) -> String {
    app.current().unwrap().trajectory.id.clone()
}

/// Write a journal line as another process would have.
fn write(dir: &Path, annotator: &str, events: &[Event]) {
    std::fs::create_dir_all(dir).unwrap();
    let mut text = String::new();
    for e in events {
        text.push_str(&serde_json::to_string(e).unwrap());
        text.push('\n');
    }
    std::fs::write(dir.join(format!("{annotator}.jsonl")), text).unwrap();
}

fn event(annotator: &str, turn: Option<usize>, label: &str, text: Option<&str>) -> Event {
    let mut e = Event::now(annotator, "os_1", turn, Some(label));
    e.at = "2026-11-22T10:00:00Z".into();
    e.text_hash = text.map(trev::labels::text_hash);
    e
}

/// The current text of os_1's turn `turn`.
fn text(turn: usize) -> String {
    let dataset =
        Dataset::open(&[sample("agentinstruct_os.json")], LoadOptions::default()).unwrap();
    dataset.wait();
    dataset.load(0).unwrap().0.turns[turn].text.clone()
}

/// The screen with the temporary directory's path replaced.
fn screen_in(app: &App, dir: &Path) -> String {
    screen(app).replace(&dir.display().to_string(), "[DIR]")
}

#[test]
fn marks_clear_and_undo_go_to_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(
        &sample("agentinstruct_os.json"),
        dir.path(),
        Some("alice"),
        (120, 40),
    );
    assert_eq!(id(&app), "os_1");
    assert_eq!(app.target_turn(), Some(5), "starts at the first agent turn");
    keys(&mut app, "y");
    assert_eq!(
        journal(dir.path(), "alice"),
        [("os_1".into(), Some(5), "right".into())]
    );
    assert!(screen(&app).contains("agent #5 · gpt  ✓ right"));
    keys(&mut app, "x");
    assert_eq!(
        journal(dir.path(), "alice"),
        [("os_1".into(), Some(5), "wrong".into())]
    );
    keys(&mut app, "c");
    assert!(journal(dir.path(), "alice").is_empty());
    assert!(!screen(&app).contains("✗ wrong"));
    keys(&mut app, "u");
    assert_eq!(
        journal(dir.path(), "alice"),
        [("os_1".into(), Some(5), "wrong".into())]
    );
    let lines = std::fs::read_to_string(dir.path().join("alice.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 4, "undo appends");
    assert!(lines
        .lines()
        .all(|l| l.contains(&trev::labels::text_hash(&text(5)))));
    let s = screen_in(&app, dir.path());
    assert!(s.contains("alice 1/5 turns, 0/2 done →"), "{s}");
    assert!(!s.contains("UNSAVED"));
}

#[test]
fn clearing_an_unmarked_turn_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(
        &sample("agentinstruct_os.json"),
        dir.path(),
        Some("alice"),
        (160, 40),
    );
    let file = dir.path().join("alice.jsonl");
    keys(&mut app, "yj");
    let before = std::fs::read_to_string(&file).unwrap();
    assert_eq!(before.lines().count(), 1);
    keys(&mut app, "c");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    assert_eq!(
        app.message(),
        Some("turn 7 has no mark of yours: nothing to clear")
    );
    assert!(screen(&app).contains("nothing to clear"));
    keys(&mut app, "kc");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap().lines().count(),
        2,
        "a marked turn is cleared"
    );
    keys(&mut app, "c");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap().lines().count(),
        2,
        "and only once"
    );
}

#[test]
fn the_target_can_be_the_environment_reply() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(
        &sample("agentinstruct_os.json"),
        dir.path(),
        Some("alice"),
        (120, 40),
    );
    keys(&mut app, "ty");
    assert!(screen(&app).contains("marking: environment"));
    assert_eq!(
        journal(dir.path(), "alice"),
        [("os_1".into(), Some(6), "right".into())]
    );
    assert!(screen(&app).contains("environment #6 · human  ✓ right"));
    assert!(screen(&app).contains("marked 0/2"), "replies do not count");
}

#[test]
fn notes_are_edited_on_an_input_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(
        &sample("agentinstruct_os.json"),
        dir.path(),
        Some("alice"),
        (120, 40),
    );
    keys(&mut app, "e");
    assert_eq!(app.mode(), Mode::Browse, "an unmarked turn takes no note");
    keys(&mut app, "xechecks passwd\n");
    assert!(screen(&app).contains("✎ checks passwd"));
    let mut r = Replay::new();
    r.read_file(&dir.path().join("alice.jsonl")).unwrap();
    let mark = r.marks().values().next().unwrap();
    assert_eq!(
        (mark.label.as_str(), mark.note.as_deref()),
        ("wrong", Some("checks passwd"))
    );
    keys(&mut app, "y");
    assert!(
        screen(&app).contains("✎ checks passwd"),
        "a new label keeps the note"
    );
}

#[test]
fn next_unmarked_goes_across_trajectories_and_verdicts_toggle() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(
        &sample("agentinstruct_os.json"),
        dir.path(),
        Some("alice"),
        (120, 40),
    );
    keys(&mut app, "ym");
    assert_eq!(app.target_turn(), Some(7));
    keys(&mut app, "y");
    keys(&mut app, "A");
    assert!(screen(&app).contains("verdict accept"));
    keys(&mut app, "m");
    assert_eq!(id(&app), "os_2");
    keys(&mut app, "KA");
    assert_eq!(
        journal(dir.path(), "alice"),
        [
            ("os_1".into(), Some(5), "right".into()),
            ("os_1".into(), Some(7), "right".into())
        ],
        "accept again clears the verdict"
    );
}

#[test]
fn accepting_a_trajectory_with_a_wrong_turn_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(
        &sample("agentinstruct_os.json"),
        dir.path(),
        Some("alice"),
        (160, 40),
    );
    let wrong = || ("os_1".to_string(), Some(5), "wrong".to_string());
    keys(&mut app, "xA");
    assert_eq!(app.mode(), Mode::Confirm);
    let s = screen(&app);
    assert!(
        s.contains("os_1 has 1 turn you marked ✗ wrong: accept it anyway?"),
        "{s}"
    );
    assert_eq!(journal(dir.path(), "alice"), [wrong()], "not yet");
    keys(&mut app, "n");
    assert_eq!(app.mode(), Mode::Browse);
    assert_eq!(app.message(), Some("os_1 not accepted"));
    assert_eq!(journal(dir.path(), "alice"), [wrong()], "cancelled");
    keys(&mut app, "A");
    assert_eq!(app.mode(), Mode::Browse);
    assert_eq!(journal(dir.path(), "alice"), [wrong()], "esc cancels");
    keys(&mut app, "Ay");
    assert_eq!(app.mode(), Mode::Browse);
    assert_eq!(
        journal(dir.path(), "alice"),
        [("os_1".into(), None, "accept".into()), wrong()],
        "y accepts"
    );
    assert!(screen(&app).contains("verdict accept"));
    keys(&mut app, "A");
    assert_eq!(app.mode(), Mode::Browse, "clearing the accept asks nothing");
    assert_eq!(journal(dir.path(), "alice"), [wrong()]);
    keys(&mut app, "R");
    assert_eq!(app.mode(), Mode::Browse, "reject asks nothing");
    assert_eq!(
        journal(dir.path(), "alice"),
        [("os_1".into(), None, "reject".into()), wrong()]
    );
}

#[test]
fn reopening_resumes_at_the_first_unmarked_turn() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(
        &sample("agentinstruct_os.json"),
        dir.path(),
        Some("alice"),
        (120, 40),
    );
    keys(&mut app, "yjx");
    drop(app);
    let app = open(
        &sample("agentinstruct_os.json"),
        dir.path(),
        Some("alice"),
        (120, 40),
    );
    assert_eq!(id(&app), "os_2");
    let s = screen(&app);
    assert!(s.contains("os_1          ·     8     2/2"), "{s}");
}

#[test]
fn the_annotator_is_asked_for_when_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(
        &sample("agentinstruct_os.json"),
        dir.path(),
        None,
        (120, 40),
    );
    assert_eq!(app.mode(), Mode::Annotator);
    assert!(screen(&app).contains("annotator name"));
    keys(&mut app, "\x1b");
    assert_eq!(app.mode(), Mode::Browse);
    keys(&mut app, "x");
    assert_eq!(app.mode(), Mode::Annotator, "a marking key asks");
    keys(&mut app, "bob\n");
    assert_eq!(
        journal(dir.path(), "bob"),
        [("os_1".into(), Some(5), "wrong".into())]
    );
}

#[test]
fn a_journal_that_cannot_be_written_shows_unsaved() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "not a directory").unwrap();
    let annotations = file.join("annotations");
    let mut app = open(
        &sample("agentinstruct_os.json"),
        &annotations,
        Some("alice"),
        (160, 40),
    );
    keys(&mut app, "y");
    let s = screen(&app);
    assert!(s.contains("UNSAVED turn 5 right:"), "{s}");
    assert!(s.contains("cannot create the annotations directory"), "{s}");
    assert!(!s.contains("saved ·") && !s.contains("· saved"), "{s}");
    assert!(!s.contains("✓ right"), "no badge for an unsaved mark");
}

#[test]
fn marked_turns_right_wrong_note_stale() {
    let dir = tempfile::tempdir().unwrap();
    let mut wrong = event("alice", Some(7), "wrong", Some("an older text"));
    wrong.note = Some("answered without counting".into());
    write(
        dir.path(),
        "alice",
        &[event("alice", Some(5), "right", Some(&text(5))), wrong],
    );
    let mut app = open(
        &sample("agentinstruct_os.json"),
        dir.path(),
        Some("alice"),
        (120, 40),
    );
    assert_eq!(id(&app), "os_2", "os_1 is complete");
    keys(&mut app, "K");
    insta::assert_snapshot!(screen_in(&app, dir.path()));
}

#[test]
fn others_marks_are_hidden_until_revealed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bob",
        &[
            event("bob", Some(5), "wrong", Some(&text(5))),
            event("bob", Some(7), "right", Some(&text(7))),
        ],
    );
    write(
        dir.path(),
        "alice",
        &[event("alice", Some(5), "right", Some(&text(5)))],
    );
    let mut app = open(
        &sample("agentinstruct_os.json"),
        dir.path(),
        Some("alice"),
        (170, 40),
    );
    assert!(!screen(&app).contains("bob"), "blind by default");
    keys(&mut app, "o");
    let s = screen_in(&app, dir.path());
    assert!(s.contains("bob:✗") && s.contains("≠"), "{s}");
    insta::assert_snapshot!(s);
    keys(&mut app, "&disagree\n");
    assert_eq!(app.list().filter().unwrap().matches, [0]);
    keys(&mut app, "&\x15unmarked\n");
    assert_eq!(app.list().filter().unwrap().matches, [0, 1]);
    keys(&mut app, "o");
    assert!(!screen(&app).contains("bob:"));
}

#[test]
fn a_sample_restricts_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let dataset =
        Dataset::open(&[sample("agentinstruct_os.json")], LoadOptions::default()).unwrap();
    dataset.wait();
    let mut app = App::new(
        Store::new(dataset, None),
        Theme::builtin("dark").unwrap(),
        Keymap::default(),
        Rect::new(0, 0, 160, 40),
    );
    app.start(Setup {
        labels: Labels::new(Some(dir.path().to_path_buf()), Some("alice".into())),
        sample: Some(vec![1]),
    });
    assert_eq!(id(&app), "os_2");
    keys(&mut app, "K");
    assert_eq!(id(&app), "os_2", "os_1 is not in the sample");
    let s = screen(&app);
    assert!(s.contains("sample of 1"), "{s}");
    assert!(!s.contains("os_1 "), "{s}");
}

#[test]
fn the_agreement_panel_compares_the_journals() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bob",
        &[
            event("bob", Some(5), "wrong", None),
            event("bob", Some(7), "right", None),
        ],
    );
    write(
        dir.path(),
        "alice",
        &[
            event("alice", Some(5), "right", None),
            event("alice", Some(7), "right", None),
        ],
    );
    let mut app = open(
        &sample("agentinstruct_os.json"),
        dir.path(),
        Some("alice"),
        (120, 40),
    );
    keys(&mut app, "a");
    assert_eq!(app.mode(), Mode::Panel);
    assert_eq!(app.mode_name(), "AGREEMENT");
    let s = screen_in(&app, dir.path());
    assert!(s.contains("alice × bob: 2 shared, agreement 0.500"), "{s}");
    insta::assert_snapshot!(s);
    keys(&mut app, "q");
    assert_eq!(app.mode(), Mode::Browse);
    assert!(!app.quitting(), "q closes the panel first");
}

#[test]
fn a_torn_journal_line_is_reported_and_marking_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("alice.jsonl"),
        "{\"trajectory\":\"os_1\",\"turn\":5,\"label\":\"right\",\"annotator\":\"alice\"}\n{\"traj",
    )
    .unwrap();
    let mut app = open(
        &sample("agentinstruct_os.json"),
        dir.path(),
        Some("alice"),
        (200, 40),
    );
    assert!(screen(&app).contains("torn last line"), "{}", screen(&app));
    assert_eq!(app.target_turn(), Some(7), "resumed after the kept mark");
    keys(&mut app, "x");
    assert_eq!(
        journal(dir.path(), "alice"),
        [
            ("os_1".into(), Some(5), "right".into()),
            ("os_1".into(), Some(7), "wrong".into())
        ]
    );
}

#[test]
fn the_estimate_panel_without_a_sample_describes_the_reviewed_only() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "alice",
        &[
            event("alice", Some(5), "wrong", None),
            event("alice", Some(7), "right", None),
        ],
    );
    let mut app = open(
        &sample("agentinstruct_os.json"),
        dir.path(),
        Some("alice"),
        (160, 40),
    );
    keys(&mut app, "E");
    assert_eq!(app.mode(), Mode::Panel);
    assert_eq!(app.mode_name(), "ESTIMATE");
    // The panel as drawn (its lines fit at this size).
    let panel = screen(&app);
    assert!(
        panel.contains(" ESTIMATE "),
        "the status bar names the panel"
    );
    assert!(!panel.contains("AGREEMENT"), "{panel}");
    assert!(
        panel.contains("the 1 reviewed of 2 trajectories"),
        "{panel}"
    );
    assert!(panel.contains("no random sample is recorded"), "{panel}");
    assert!(
        panel.contains("100.0 % of the reviewed (1 of 1); not extrapolated to the 2 trajectories"),
        "{panel}"
    );
    assert!(panel.contains("50.0 % of the reviewed (1 of 2)"), "{panel}");
    assert!(
        !panel.contains("CI"),
        "no interval without a random sample: {panel}"
    );
    keys(&mut app, "q");
    assert_eq!(app.mode(), Mode::Browse);
}
