//! Screen snapshots of the review screen: the real `App` driven by keys on ratatui's
//! `TestBackend`.

use std::path::{Path, PathBuf};

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::Terminal;
use trev::findings::{Finding, Severity};
use trev::load::{Dataset, LoadOptions};
use trev::tui::{view, App, FindingsProvider, Keymap, Store, Theme};

fn open(path: &Path, size: (u16, u16), theme: Theme, provider: Option<FindingsProvider>) -> App {
    let dataset = Dataset::open(&[path.to_path_buf()], LoadOptions::default()).unwrap();
    dataset.wait();
    let store = Store::new(dataset, provider);
    App::new(
        store,
        theme,
        Keymap::default(),
        Rect::new(0, 0, size.0, size.1),
    )
}

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample_data")
        .join(name)
}

fn dark() -> Theme {
    Theme::builtin("dark").unwrap()
}

fn terminal(app: &App) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(app.size().width, app.size().height)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    t
}

fn screen(app: &App) -> String {
    terminal(app).backend().to_string()
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

#[test]
fn sample_os_side_by_side() {
    let app = open(&sample("agentinstruct_os.json"), (160, 48), dark(), None);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn sample_os_stacked_at_80x24() {
    let mut app = open(&sample("agentinstruct_os.json"), (80, 24), dark(), None);
    keys(&mut app, "jj");
    insta::assert_snapshot!(screen(&app));
}

/// Findings on the sample OS row: an error span in the agent's command, a warning span in the
/// reply and a whole-turn note.
fn sample_findings() -> FindingsProvider {
    Box::new(|t: &trev::model::Trajectory| {
        let mut out = Vec::new();
        for turn in &t.turns {
            if turn.demo {
                continue;
            }
            if let Some(at) = turn.text.find("grep") {
                out.push(Finding {
                    rule: "invalid-action/os".into(),
                    severity: Severity::Error,
                    trajectory: t.id.as_str().into(),
                    turn: turn.index,
                    span: (at, at + 4),
                    extra_spans: Vec::new(),
                    message: "grep is not allowed here (test finding)".into(),
                });
            }
            if let Some(at) = turn.text.find("root@") {
                out.push(Finding {
                    rule: "terminal-signature".into(),
                    severity: Severity::Warn,
                    trajectory: t.id.as_str().into(),
                    turn: turn.index,
                    span: (at, at + 5),
                    extra_spans: Vec::new(),
                    message: "a shell prompt leaked into the observation".into(),
                });
            }
            if turn.text.contains("answer(") {
                out.push(Finding {
                    rule: "final-answer/unchecked".into(),
                    severity: Severity::Info,
                    trajectory: t.id.as_str().into(),
                    turn: turn.index,
                    span: (0, 0),
                    extra_spans: Vec::new(),
                    message: "answered after one command".into(),
                });
            }
        }
        out
    })
}

#[test]
fn findings_in_place() {
    let mut app = open(
        &sample("agentinstruct_os.json"),
        (140, 40),
        dark(),
        Some(sample_findings()),
    );
    keys(&mut app, "f");
    let t = terminal(&app);
    // The error span is drawn in the error style.
    let buf = t.backend().buffer();
    let error_bg = Theme::builtin("dark").unwrap().finding_error.bg;
    let found = buf.content().windows(4).any(|w| {
        w.iter().map(|c| c.symbol()).collect::<String>() == "grep"
            && w.iter().all(|c| c.bg == error_bg.unwrap())
    });
    assert!(found, "the span 'grep' is highlighted as an error");
    insta::assert_snapshot!(t.backend().to_string());
}

#[test]
fn next_finding_crosses_trajectories() {
    let mut app = open(
        &sample("agentinstruct_os.json"),
        (140, 40),
        dark(),
        Some(sample_findings()),
    );
    let first = app.current().unwrap().findings.len();
    for _ in 0..first + 1 {
        keys(&mut app, "f");
    }
    assert_eq!(app.selected(), 1, "the jump went on to the next trajectory");
    keys(&mut app, "F");
    assert_eq!(app.selected(), 0, "and back");
}

#[test]
fn escape_sequences_never_reach_the_screen() {
    let mut app = open(
        &sample("nasty/escape_sequences.jsonl"),
        (160, 40),
        dark(),
        None,
    );
    keys(&mut app, "G");
    let t = terminal(&app);
    for cell in t.backend().buffer().content() {
        for c in cell.symbol().chars() {
            assert!(
                !(c.is_control() || ('\u{80}'..='\u{9f}').contains(&c)),
                "control character {c:?} reached the buffer"
            );
        }
    }
    let text = t.backend().to_string();
    assert!(
        text.contains("␛]0;pwned title␇"),
        "escapes are shown as glyphs:\n{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn search_hits_are_highlighted() {
    let mut app = open(&sample("agentinstruct_os.json"), (120, 30), dark(), None);
    keys(&mut app, "/bash\n");
    let search = app.document().search().unwrap();
    assert!(search.hits.len() >= 3);
    keys(&mut app, "n");
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn help_overlay_lists_every_action() {
    let mut app = open(&sample("agentinstruct_os.json"), (100, 46), dark(), None);
    keys(&mut app, "?");
    let text = screen(&app);
    for info in trev::tui::action::ACTIONS {
        assert!(text.contains(info.help), "help shows '{}'", info.help);
    }
    insta::assert_snapshot!(text);
    keys(&mut app, "x");
    assert_eq!(app.mode(), trev::tui::Mode::Browse);
}

#[test]
fn light_theme_styles() {
    let app = open(
        &sample("agentinstruct_os.json"),
        (100, 20),
        Theme::builtin("light").unwrap(),
        Some(sample_findings()),
    );
    insta::assert_debug_snapshot!(terminal(&app).backend().buffer());
}

#[test]
fn monochrome_shows_severity_by_attributes() {
    use ratatui::style::Modifier;
    let mut app = open(
        &sample("agentinstruct_os.json"),
        (140, 40),
        Theme::monochrome(),
        Some(sample_findings()),
    );
    keys(&mut app, "f");
    let t = terminal(&app);
    let buf = t.backend().buffer();
    assert!(buf
        .content()
        .iter()
        .all(|c| c.fg == ratatui::style::Color::Reset && c.bg == ratatui::style::Color::Reset));
    let grep = buf.content().windows(4).find(|w| {
        w.iter().map(|c| c.symbol()).collect::<String>() == "grep"
            && w[0].modifier.contains(Modifier::REVERSED)
    });
    assert!(grep.is_some(), "the error span is reversed");
}

#[test]
fn real_agentinstruct_os_row() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/agentinstruct-role-content/agentinstruct_os.json");
    if !path.exists() {
        skip(&format!("{} is absent", path.display()));
        return;
    }
    let app = open(&path, (160, 48), dark(), None);
    insta::assert_snapshot!("real_os_side_by_side", screen(&app));
    let mut app = open(&path, (80, 24), dark(), None);
    keys(&mut app, "jjj");
    insta::assert_snapshot!("real_os_stacked", screen(&app));
}

#[test]
fn tiny_and_odd_sizes_do_not_panic() {
    for (w, h) in [
        (1, 1),
        (10, 3),
        (20, 5),
        (59, 12),
        (61, 7),
        (99, 30),
        (100, 4),
        (300, 90),
    ] {
        let mut app = open(
            &sample("agentinstruct_os.json"),
            (w, h),
            dark(),
            Some(sample_findings()),
        );
        terminal(&app);
        for k in [
            "j", "G", "f", "?", "x", "/bash\n", "n", " ", "s", "d", "\n", "J",
        ] {
            keys(&mut app, k);
            terminal(&app);
        }
    }
}

#[test]
fn every_sample_file_renders_safely() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
    let mut app = open(&dir, (120, 40), dark(), Some(sample_findings()));
    for _ in 0..app.store().len() {
        for k in ["d", "G", "i", "\n"] {
            keys(&mut app, k);
            let t = terminal(&app);
            for cell in t.backend().buffer().content() {
                assert!(
                    trev::sanitize::is_safe(cell.symbol()),
                    "unsafe cell {:?} in {}",
                    cell.symbol(),
                    app.current()
                        .map_or("?".into(), |e| e.trajectory.id.clone())
                );
            }
        }
        keys(&mut app, "J");
    }
}

#[test]
fn code_is_highlighted() {
    use ratatui::style::Color;
    let app = open(&sample("agentinstruct_os.json"), (140, 40), dark(), None);
    let t = terminal(&app);
    let buf = t.backend().buffer();
    let cells = buf.content();
    let at = cells
        .windows(4)
        .position(|w| w.iter().map(|c| c.symbol()).collect::<String>() == "grep")
        .expect("the command is on screen");
    assert!(
        matches!(cells[at].fg, Color::Rgb(..)),
        "bash is coloured by syntect"
    );
    let prose = cells
        .windows(5)
        .position(|w| w.iter().map(|c| c.symbol()).collect::<String>() == "Think")
        .unwrap();
    assert_ne!(cells[prose].fg, cells[at].fg, "prose is not");
}

#[test]
fn a_hit_deep_in_a_long_turn_is_on_screen() {
    let mut app = open(
        &sample("nasty/big_observation.jsonl"),
        (160, 48),
        dark(),
        None,
    );
    keys(&mut app, "/line 012345\n");
    let text = screen(&app);
    assert!(text.contains("line 012345:"), "{text}");
    keys(&mut app, "g");
    assert!(!screen(&app).contains("line 012345:"));
}

#[test]
fn help_scrolls_when_it_does_not_fit() {
    let mut app = open(&sample("agentinstruct_os.json"), (80, 24), dark(), None);
    keys(&mut app, "?");
    assert!(
        !screen(&app).contains("quit"),
        "the last line is below the fold"
    );
    keys(&mut app, "jjjjjjjjjjjjjjjjjjjjjjjjj");
    assert_eq!(app.mode(), trev::tui::Mode::Panel);
    assert_eq!(app.mode_name(), "HELP");
    assert!(screen(&app).contains("quit"), "scrolled to the end");
    keys(&mut app, "x");
    assert_eq!(app.mode(), trev::tui::Mode::Browse);
}

#[test]
fn real_corpus_renders_safely() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !dir.exists() {
        skip(&format!("{} is absent", dir.display()));
        return;
    }
    let mut app = open(&dir, (120, 36), dark(), None);
    let n = app.store().len();
    eprintln!("{n} trajectories in the corpus");
    // Every trajectory, with the demo shown, unfolded, at the bottom.
    for _ in 0..n {
        for k in ["d", "G", "\n", "k"] {
            keys(&mut app, k);
        }
        let t = terminal(&app);
        for cell in t.backend().buffer().content() {
            assert!(
                trev::sanitize::is_safe(cell.symbol()),
                "unsafe cell {:?} in {}",
                cell.symbol(),
                app.current()
                    .map_or("?".into(), |e| e.trajectory.id.clone())
            );
        }
        keys(&mut app, "J");
    }
}

#[test]
fn input_problems_are_counted_in_the_list() {
    let app = open(
        &sample("nasty/torn_last_line.jsonl"),
        (120, 20),
        dark(),
        None,
    );
    let problems = app.store().dataset().diagnostics().len();
    let text = screen(&app);
    if problems > 0 {
        assert!(
            text.contains(&format!("{problems} input problems")),
            "{text}"
        );
    }
    insta::assert_snapshot!(text);
}

/// Say why a test cannot run here and return, or fail when `TREV_REQUIRE_CORPUS=1` (as in CI).
fn skip(why: &str) {
    if std::env::var_os("TREV_REQUIRE_CORPUS").is_some_and(|v| v == "1") {
        panic!("{why}, and TREV_REQUIRE_CORPUS=1 requires this test to run");
    }
    eprintln!("notice: {why}; test skipped");
}

#[test]
fn a_skipped_record_shows_its_whole_reason_wrapped() {
    // Record 4 has an unknown shape: its diagnostic (which lists every format name) is far
    // wider than the pane.
    // A relative path, so that the diagnostic (which names the file) is the same everywhere.
    let mut app = open(
        Path::new("sample_data/nasty/malformed_middle.jsonl"),
        (80, 24),
        dark(),
        None,
    );
    keys(&mut app, "JJJ");
    let text = screen(&app);
    assert!(text.contains("inspect); record skipped"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_tool_result_names_the_call_it_answers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calls.jsonl");
    let record = r#"{"id": "t", "messages": [{"role": "user", "content": "list it"}, {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "ls", "arguments": "{}"}}]}, {"role": "tool", "tool_call_id": "c1", "content": "a b"}, {"role": "tool", "tool_call_id": "c9", "content": "?"}, {"role": "assistant", "content": "done"}]}"#;
    std::fs::write(&path, format!("{record}\n")).unwrap();
    let app = open(&path, (160, 30), dark(), None);
    let text = screen(&app);
    assert!(
        text.contains("environment #2 · tool · answers ls (#1)"),
        "{text}"
    );
    assert!(
        text.contains("environment #3 · tool · answers c9: no such call"),
        "{text}"
    );
}

/// Only the environment's reply is flagged (the rules' terminal residue, on the environment
/// turn): its mark is drawn beside the environment turn, on the divider side by side and in
/// the gutter of the environment's own rows when stacked, never beside the agent.
fn env_only_findings() -> FindingsProvider {
    Box::new(|t: &trev::model::Trajectory| {
        t.turns
            .iter()
            .filter(|turn| !turn.demo && turn.role == trev::model::Role::Environment)
            .filter_map(|turn| {
                let at = turn.text.find("root@")?;
                Some(Finding {
                    rule: "terminal-signature".into(),
                    severity: Severity::Warn,
                    trajectory: t.id.as_str().into(),
                    turn: turn.index,
                    span: (at, at + 5),
                    extra_spans: Vec::new(),
                    message: "TTY residue left in the observation (test finding)".into(),
                })
            })
            .collect()
    })
}

#[test]
fn environment_findings_are_marked_beside_the_environment() {
    let path = sample("agentinstruct_os.json");
    let app = open(&path, (140, 40), dark(), Some(env_only_findings()));
    let text = screen(&app);
    let row = text
        .lines()
        .find(|l| l.contains("environment #6"))
        .expect("the step is on screen");
    // Side by side: the mark is on the divider before the environment column, the agent's
    // gutter is clear.
    assert!(row.contains("●environment #6"), "{row}");
    assert!(!row.contains("●agent"), "{row}");
    insta::assert_snapshot!("env_mark_side_by_side", text);
    let mut app = open(&path, (80, 30), dark(), Some(env_only_findings()));
    keys(&mut app, "f");
    let text = screen(&app);
    let agent = text.lines().find(|l| l.contains("agent #5")).unwrap();
    let env = text.lines().find(|l| l.contains("environment #6")).unwrap();
    assert!(!agent.contains('●'), "{agent}");
    assert!(env.contains("●environment #6"), "{env}");
    insta::assert_snapshot!("env_mark_stacked", text);
}
