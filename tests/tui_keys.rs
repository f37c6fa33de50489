//! The review screen's behaviour, driven by keys without a terminal: list filter, type-ahead
//! jump, folding, paging, the keymap from the config file.

use std::path::{Path, PathBuf};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use trev::load::{Dataset, LoadOptions};
use trev::tui::{config::Config, App, Keymap, Mode, Store, Theme};

fn open(path: &Path, keymap: Keymap) -> App {
    let dataset = Dataset::open(&[path.to_path_buf()], LoadOptions::default()).unwrap();
    dataset.wait();
    let store = Store::new(dataset, None);
    App::new(
        store,
        Theme::builtin("dark").unwrap(),
        keymap,
        Rect::new(0, 0, 120, 40),
    )
}

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data")
}

fn keys(app: &mut App, keys: &str) {
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\x1b' => KeyCode::Esc,
            '\x08' => KeyCode::Backspace,
            '\x15' => {
                app.key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
                continue;
            }
            c => KeyCode::Char(c),
        };
        app.key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

fn id(app: &App) -> String {
    app.current().unwrap().trajectory.id.clone()
}

#[test]
fn the_filter_keeps_matching_trajectories() {
    let mut app = open(&sample_dir(), Keymap::default());
    let all = app.store().len();
    assert!(status_line(&app).contains(&format!(" trajectory 1/{all} · ")));
    keys(&mut app, "&task:db\n");
    let filter = app.list().filter().unwrap();
    assert_eq!(
        filter.scanned,
        app.store().len(),
        "a small dataset is scanned at once"
    );
    assert_eq!(filter.matches.len(), 4);
    assert!(
        id(&app).starts_with("db_"),
        "the selection moved to a match"
    );
    let line = status_line(&app);
    assert!(line.contains(" trajectory 1/4 matching · "), "{line}");
    keys(&mut app, "J");
    assert!(id(&app).starts_with("db_"));
    assert!(status_line(&app).contains(" trajectory 2/4 matching · "));
    keys(&mut app, "JJJ");
    assert_eq!(id(&app), "db_90", "J stops at the last match");
    assert!(status_line(&app).contains(" trajectory 4/4 matching · "));
    let at = app.selected() + 1;
    keys(&mut app, "&\x08\x08\x08\x08\x08\x08\x08\n");
    assert!(app.list().filter().is_none(), "an empty filter clears it");
    assert!(status_line(&app).contains(&format!(" trajectory {at}/{all} · ")));
}

/// The screen over `path` with the built-in rules' findings, as `trev review` opens it.
fn open_with_rules(path: &Path) -> App {
    let dataset = Dataset::open(&[path.to_path_buf()], LoadOptions::default()).unwrap();
    dataset.wait();
    let rules = trev::rules::RuleSet::builtin();
    let ids = rules.rules().iter().map(|r| r.id.clone()).collect();
    let store = Store::new(dataset, Some(Box::new(move |t| rules.check(t)))).with_rule_ids(ids);
    App::new(
        store,
        Theme::builtin("dark").unwrap(),
        Keymap::default(),
        Rect::new(0, 0, 160, 40),
    )
}

fn status_line(app: &App) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(
        app.size().width,
        app.size().height,
    ))
    .unwrap();
    t.draw(|f| trev::tui::view::draw(f, app)).unwrap();
    let buf = t.backend().buffer();
    let y = buf.area.height - 1;
    (0..buf.area.width)
        .map(|x| buf[(x, y)].symbol().to_string())
        .collect()
}

#[test]
fn an_unknown_rule_or_key_in_the_filter_is_an_error_on_the_input_line() {
    let mut app = open_with_rules(&sample_dir());
    keys(&mut app, "&rule:repetition\n");
    assert_eq!(app.mode(), Mode::Browse);
    // The filter scans a slice at a time: on a loaded machine the first slice may end before
    // a match, so let it finish.
    while app.busy() {
        app.tick();
    }
    let repetition = app.list().filter().unwrap().matches.clone();
    assert!(!repetition.is_empty(), "a family is a known rule");
    for query in [
        "rule:nosuch",
        "state:x",
        "sev:x",
        "task:nosuch",
        "outcome:won",
    ] {
        keys(&mut app, &format!("&\x15{query}\n"));
        assert_eq!(app.mode(), Mode::Filter, "{query}: the input line stays");
        assert_eq!(app.input(), query, "with the query to correct");
        assert_eq!(
            app.list().filter().unwrap().query,
            "rule:repetition",
            "{query} is not applied"
        );
        let line = status_line(&app);
        assert!(
            line.contains(&format!("filter: {query}▏  unknown ")),
            "{line}"
        );
        keys(&mut app, "\x1b");
    }
    keys(&mut app, "&\x15rule:nosuch\n");
    assert!(status_line(&app).contains("unknown rule 'nosuch': no rule id starts with it"));
    keys(&mut app, "\x15state:x\n");
    let line = status_line(&app);
    assert!(
        line.contains("unknown filter key 'state:' (keys: severity (sev), rule, task, text"),
        "{line}"
    );
    keys(
        &mut app,
        "\x08\x08\x08\x08\x08\x08\x08rule:invalid-action\n",
    );
    assert_eq!(app.mode(), Mode::Browse, "a corrected query is applied");
    assert_eq!(app.list().filter().unwrap().query, "rule:invalid-action");
}

#[test]
fn text_filter_searches_turns() {
    let mut app = open(&sample_dir(), Keymap::default());
    keys(&mut app, "&pwned\n");
    while app.busy() {
        app.tick();
    }
    let filter = app.list().filter().unwrap();
    assert_eq!(filter.matches.len(), 1);
    assert_eq!(id(&app), "os_escape");
}

#[test]
fn type_ahead_jumps_to_an_id_and_esc_goes_back() {
    let mut app = open(&sample_dir(), Keymap::default());
    let start = id(&app);
    keys(&mut app, ":os_");
    assert_eq!(app.mode(), Mode::Jump);
    assert_eq!(id(&app), "os_1");
    keys(&mut app, "2");
    assert_eq!(id(&app), "os_2");
    keys(&mut app, "\x1b");
    assert_eq!(id(&app), start);
    keys(&mut app, ":os_big\n");
    assert_eq!(id(&app), "os_big");
    assert_eq!(app.mode(), Mode::Browse);
}

#[test]
fn folding_a_long_observation_changes_the_document_height() {
    let mut app = open(
        &sample_dir().join("nasty/big_observation.jsonl"),
        Keymap::default(),
    );
    let folded = app.doc().unwrap().rows;
    keys(&mut app, "G");
    keys(&mut app, "k\n");
    let unfolded = app.doc().unwrap().rows;
    assert!(unfolded > folded + 10_000, "{folded} → {unfolded}");
    keys(&mut app, " ");
    assert!(app.document().position().scroll > 0, "page down scrolls");
    assert_eq!(
        app.cursor_turn(),
        Some(5),
        "inside a tall step the cursor stays on it"
    );
    keys(&mut app, "\n");
    assert_eq!(app.doc().unwrap().rows, folded);
}

#[test]
fn search_reveals_a_hit_beyond_the_fold() {
    let mut app = open(
        &sample_dir().join("nasty/big_observation.jsonl"),
        Keymap::default(),
    );
    keys(&mut app, "/line 016000\n");
    let search = app.document().search().unwrap();
    assert_eq!(search.hits.len(), 1);
    let hit = search.hits[0];
    assert!(
        app.document().position().folds.unfolded.contains(&hit.turn),
        "the turn was unfolded"
    );
    let mark = app.document().position().mark.unwrap();
    assert!(
        mark >= app.document().position().scroll && mark < app.document().position().scroll + 40
    );
}

#[test]
fn pasted_text_is_never_read_as_keys() {
    let mut app = open(&sample_dir(), Keymap::default());
    app.paste("q");
    assert!(!app.quitting());
    keys(&mut app, "/");
    app.paste("os\x1b[2J");
    assert_eq!(app.input(), "os[2J");
}

#[test]
fn config_keys_drive_the_screen() {
    let config = Config::parse(
        "[keys]\nnext_trajectory = \"w\"\nquit = \"x\"\n",
        "config.toml",
    )
    .unwrap();
    let mut app = open(&sample_dir(), config.keymap);
    keys(&mut app, "w");
    assert_eq!(app.selected(), 1);
    keys(&mut app, "q");
    assert!(!app.quitting(), "q is no longer quit");
    keys(&mut app, "x");
    assert!(app.quitting());
}

#[test]
fn the_readme_documents_every_action() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for info in trev::tui::action::ACTIONS {
        assert!(
            readme.contains(&format!("`{}`", info.name)),
            "README lacks `{}`",
            info.name
        );
    }
}

#[test]
fn the_mouse_selects_and_scrolls() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut app = open(&sample_dir(), Keymap::default());
    let list = app.areas().list.unwrap();
    let click = |column, row| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    // Row 0 is the list's title, row 1 its header, row 2 the first trajectory.
    app.mouse(click(list.x + 1, list.y + 4));
    assert_eq!(app.selected(), 2);
    let doc = app.areas().doc;
    app.mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: doc.x + 5,
        row: doc.y + 1,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(app.selected(), 2, "the wheel over the document scrolls it");
}

#[test]
fn a_resize_lays_the_document_out_again() {
    let mut app = open(
        &sample_dir().join("agentinstruct_os.json"),
        Keymap::default(),
    );
    assert!(
        app.doc().unwrap().geometry.stacked,
        "120 columns with the list is narrow"
    );
    app.resize(200, 50);
    assert!(!app.doc().unwrap().geometry.stacked);
    keys(&mut app, "G");
    let cursor = app.document().position().cursor;
    app.resize(70, 20);
    let doc = app.doc().unwrap();
    assert!(doc.geometry.stacked);
    assert_eq!(doc.geometry.width, app.areas().doc.width);
    assert_eq!(
        app.document().position().cursor,
        cursor,
        "the cursor stays on its step"
    );
}
