//! The trajectory list, second round: the id column takes the width the ids need (up to a
//! third of the screen) and cuts long ids in the middle; an outcome column; `&outcome:` and
//! `&status:` filters; the header names the run.

use std::path::Path;

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::Terminal;
use trev::load::{Dataset, LoadOptions};
use trev::tui::{view, App, Keymap, Store, Theme};

/// Six trajectories with long ids that differ only at the end, and outcomes of every kind
/// (read from the chat formats' `resolved`, `success` and `exit_status` fields).
fn write_runs(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("medagentbench_llama-3.jsonl");
    let outcome = [
        r#""resolved": true"#,
        r#""resolved": false"#,
        r#""exit_status": "exit_environment_error""#,
        r#""success": true"#,
        r#""note": "none""#,
        r#""success": false"#,
    ];
    let lines: Vec<String> = outcome
        .iter()
        .enumerate()
        .map(|(k, o)| {
            format!(
                r#"{{"id": "medagentbench_llama-3.3-70b-instruct_episode_t{k:02}", {o}, "messages": [{{"role": "user", "content": "task {k}"}}, {{"role": "assistant", "content": "answer {k}"}}]}}"#
            )
        })
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn open(path: &Path, size: (u16, u16)) -> App {
    let dataset = Dataset::open(&[path.to_path_buf()], LoadOptions::default()).unwrap();
    dataset.wait();
    let mut app = App::new(
        Store::new(dataset, None),
        Theme::builtin("dark").unwrap(),
        Keymap::default(),
        Rect::new(0, 0, size.0, size.1),
    );
    app.prepare();
    app
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(app.size().width, app.size().height)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    t.backend().to_string()
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

#[test]
fn long_ids_and_outcomes_at_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(&write_runs(dir.path()), (80, 24));
    let s = screen(&app);
    // The distinguishing end of each id stays; the outcome column says ✓ ✗ ! ·.
    for (k, glyph) in ["✓", "✗", "!", "✓", "·", "✗"].iter().enumerate() {
        let row = s
            .lines()
            .find(|l| l.starts_with("\"meda") && l.contains(&format!("_t{k:02} ")))
            .unwrap_or_else(|| panic!("no row for t{k:02}:\n{s}"));
        assert!(row.contains(&format!(" {glyph} ")), "{row}");
        assert!(row.contains('…'), "cut in the middle: {row}");
    }
    // The header has the whole id and the run, on two rows when one is too short.
    assert!(
        s.contains("│ medagentbench_llama-3.3-70b-instruct_episode_t00 ")
            && s.contains("│ run medagentbench_llama-3 · generic"),
        "{s}"
    );
    insta::assert_snapshot!(s);
}

#[test]
fn long_ids_take_their_width_at_200x50() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(&write_runs(dir.path()), (200, 50));
    let s = screen(&app);
    // The list grows to a third of the screen (66 columns, not the default 48), so more of
    // each id shows.
    let row = s
        .lines()
        .find(|l| l.starts_with("\"medagent") && l.contains("_t05 "))
        .unwrap();
    let list = row.split('│').next().unwrap().trim_start_matches('"');
    assert_eq!(unicode_width::UnicodeWidthStr::width(list), 65, "{s}");
    assert!(
        row.contains("medagentbench_llama…struct_episode_t05 "),
        "{row}"
    );
    insta::assert_snapshot!(s);
}

#[test]
fn outcome_and_status_filter_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(&write_runs(dir.path()), (200, 50));
    keys(&mut app, "&outcome:fail\n");
    let matches = app.list().filter().unwrap().matches.clone();
    assert_eq!(matches, [1, 5]);
    keys(&mut app, "&\x15status:environment\n");
    let matches = app.list().filter().unwrap().matches.clone();
    assert_eq!(matches, [2], "the error's text");
    keys(&mut app, "&\x15outcome:error status:exit_env\n");
    assert_eq!(app.list().filter().unwrap().matches, [2]);
}

#[test]
fn s_sorts_the_list_round_by_round() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(&write_runs(dir.path()), (80, 24));
    let order = |app: &App| -> Vec<usize> { (0..6).map(|p| app.list().at(p)).collect() };
    keys(&mut app, "S");
    assert!(app.message().unwrap().contains("sorting by id"));
    while app.list().scanning(6) {
        app.tick();
    }
    assert_eq!(
        order(&app),
        [0, 1, 2, 3, 4, 5],
        "the ids sort as the file has them"
    );
    keys(&mut app, "S");
    while app.list().scanning(6) {
        app.tick();
    }
    // Failed first, then the error, the unknown, the passes; file order breaks ties.
    assert_eq!(order(&app), [1, 5, 2, 4, 0, 3]);
    app.prepare();
    let s = screen(&app);
    assert!(s.contains(" 6 trajectories · by outcom"), "{s}");
    insta::assert_snapshot!(s);
    // J walks the sorted list: from the first (t01) to t05; the selection stays where it was
    // when the list was sorted.
    assert!(app.current().unwrap().trajectory.id.ends_with("_t00"));
    app.select(1);
    keys(&mut app, "J");
    assert!(app.current().unwrap().trajectory.id.ends_with("_t05"));
    // A filter keeps the sort: the failed ones, in sorted order.
    keys(&mut app, "&outcome:fail\n");
    while app.list().scanning(6) {
        app.tick();
    }
    assert_eq!((0..2).map(|p| app.list().at(p)).collect::<Vec<_>>(), [1, 5]);
    // Round to turns, findings, marked, then back to file order.
    keys(&mut app, "SSSS");
    assert_eq!(app.message(), Some("in file order"));
}
