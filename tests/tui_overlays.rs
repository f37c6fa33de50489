//! Every panel over the review screen (help, agreement, estimate, overview) is readable at 80×24: long
//! lines wrap at words, the rest scrolls, and the border says when there is more.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::Terminal;
use trev::labels::Event;
use trev::load::{Dataset, LoadOptions};
use trev::tui::marks::Labels;
use trev::tui::{view, App, Keymap, Mode, Setup, Store, Theme};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample_data")
        .join(name)
}

fn open(dir: &Path, size: (u16, u16)) -> App {
    let path = sample("agentinstruct_os.json");
    let dataset = Dataset::open(&[path], LoadOptions::default()).unwrap();
    dataset.wait();
    let mut app = App::new(
        Store::new(dataset, None),
        Theme::builtin("dark").unwrap(),
        Keymap::default(),
        Rect::new(0, 0, size.0, size.1),
    );
    app.start(Setup {
        labels: Labels::new(Some(dir.to_path_buf()), Some("alice".into())),
        sample: None,
    });
    app
}

fn key(app: &mut App, c: char) {
    app.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
}

fn draw(app: &App) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(app.size().width, app.size().height)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    t.backend().buffer().clone()
}

/// The screen, but for the status bar (which names the temporary directory) when the panel
/// leaves it in sight.
fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(app.size().width, app.size().height)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    let text = t.backend().to_string();
    let mut rows: Vec<&str> = text.lines().collect();
    if rows.last().is_some_and(|r| !r.contains('┘')) {
        rows.pop();
    }
    rows.join("\n")
}

/// The rows inside the panel's box (found by its title), and its bottom border.
fn panel(buf: &Buffer, title: &str) -> (Vec<String>, String) {
    let area = buf.area;
    let row = |y: u16, from: u16, to: u16| -> String {
        (from..to).map(|x| buf[(x, y)].symbol()).collect::<String>()
    };
    let top = (0..area.height)
        .find(|&y| row(y, 0, area.width).contains(title))
        .unwrap_or_else(|| panic!("no panel titled {title}"));
    let left = (0..area.width)
        .find(|&x| buf[(x, top)].symbol() == "┌")
        .unwrap();
    let right = (left..area.width)
        .find(|&x| buf[(x, top)].symbol() == "┐")
        .unwrap();
    let mut rows = Vec::new();
    let mut y = top + 1;
    while buf[(left, y)].symbol() != "└" {
        rows.push(row(y, left + 1, right));
        y += 1;
    }
    (rows, row(y, left, right + 1))
}

/// The words of `rows`, without the drawing characters of borders, bars and gauges (a bar is
/// as long as the screen is wide: it is drawn, not cut).
fn words(rows: &[String]) -> BTreeSet<String> {
    let drawn = |c: char| ('\u{2500}'..='\u{259f}').contains(&c);
    rows.iter()
        .flat_map(|r| r.split_whitespace())
        .map(|w| w.chars().filter(|c| !drawn(*c)).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The panel opened by `open_key` shows the same words at 80×24, scrolled through, as on a
/// screen wide and tall enough for all of it: nothing is cut, nothing is out of reach.
fn readable_at_80x24(dir: &Path, open_key: char, title: &str) -> App {
    readable_with(|size| open(dir, size), open_key, title)
}

/// [`readable_at_80x24`] for screens that `open` makes at a size.
fn readable_with(open: impl Fn((u16, u16)) -> App, open_key: char, title: &str) -> App {
    let mut wide = open((250, 70));
    key(&mut wide, open_key);
    assert_eq!(wide.mode(), Mode::Panel);
    let (all, bottom) = panel(&draw(&wide), title);
    assert!(!bottom.contains('/'), "no scroll hint when it all fits");
    let expected = words(&all);
    // The journal's lock goes with the screen.
    wide.close_journal();

    let mut app = open((80, 24));
    key(&mut app, open_key);
    let (first, bottom) = panel(&draw(&app), title);
    let mut seen = words(&first);
    let more = bottom.contains('↓');
    let mut last = first;
    for _ in 0..80 {
        key(&mut app, 'j');
        let (rows, _) = panel(&draw(&app), title);
        seen.extend(words(&rows));
        last = rows;
    }
    assert_eq!(app.mode(), Mode::Panel, "j scrolls, it does not close");
    let extra: Vec<_> = seen.difference(&expected).collect();
    assert!(extra.is_empty(), "cut words at 80×24: {extra:?}");
    let missing: Vec<_> = expected.difference(&seen).collect();
    assert!(missing.is_empty(), "out of reach at 80×24: {missing:?}");
    // Scrolling stops at the last page: one step back shows something else at once.
    if more {
        key(&mut app, 'k');
        let (back, bottom) = panel(&draw(&app), title);
        assert_ne!(back, last, "k scrolls back from the end");
        // (Back on the first page when the panel is one row too tall for the screen.)
        let top = bottom.contains(" 1-");
        assert!(bottom.contains('↑') || top, "{bottom}");
        assert!(bottom.contains('↓'), "{bottom}");
        for _ in 0..80 {
            key(&mut app, 'k');
        }
    }
    app
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

/// Two annotators who marked both trajectories, turns and verdicts, and disagree on some.
fn journals(dir: &Path) {
    let (alice, bob): (Vec<_>, Vec<_>) = [("os_1", 5), ("os_1", 7), ("os_2", 1), ("os_2", 3)]
        .iter()
        .enumerate()
        .map(|(n, &(id, turn))| {
            (
                event("alice", id, Some(turn), "right"),
                event(
                    "bob",
                    id,
                    Some(turn),
                    if n % 2 == 0 { "wrong" } else { "right" },
                ),
            )
        })
        .unzip();
    let verdicts = |who: &str, label: &str| {
        vec![
            event(who, "os_1", None, label),
            event(who, "os_2", None, "accept"),
        ]
    };
    write(dir, "alice", &[alice, verdicts("alice", "accept")].concat());
    write(dir, "bob", &[bob, verdicts("bob", "reject")].concat());
}

#[test]
fn help_is_readable_at_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let app = readable_at_80x24(dir.path(), '?', " keys (");
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn agreement_is_readable_at_80x24() {
    let dir = tempfile::tempdir().unwrap();
    journals(dir.path());
    let app = readable_at_80x24(dir.path(), 'a', " agreement (");
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn estimate_is_readable_at_80x24() {
    let dir = tempfile::tempdir().unwrap();
    journals(dir.path());
    let app = readable_at_80x24(dir.path(), 'E', " estimate (");
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn overview_is_readable_at_80x24() {
    let dir = tempfile::tempdir().unwrap();
    journals(dir.path());
    let app = readable_at_80x24(dir.path(), 'C', " overview (");
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn a_tiny_screen_still_scrolls_every_panel() {
    let dir = tempfile::tempdir().unwrap();
    journals(dir.path());
    for size in [(20, 6), (1, 1), (44, 10)] {
        for k in ['?', 'a', 'E', 'C'] {
            let mut app = open(dir.path(), size);
            key(&mut app, k);
            for c in "jjjjjjjjkkk".chars() {
                key(&mut app, c);
                draw(&app);
            }
        }
    }
}

/// The estimate of a recorded sample, with its intervals, over the sample data: two annotators
/// marked every agent turn of the sampled trajectories.
#[test]
fn the_estimate_of_a_sample_is_readable_at_80x24() {
    let home = tempfile::tempdir().unwrap();
    let (ann, sample) = common::reviewed_sample(home.path());
    let sample = Some(sample);
    let data = common::sample_data();
    let open = |size: (u16, u16)| {
        let dataset = Dataset::open(std::slice::from_ref(&data), LoadOptions::default()).unwrap();
        dataset.wait();
        let mut app = App::new(
            Store::new(dataset, None),
            Theme::builtin("dark").unwrap(),
            Keymap::default(),
            Rect::new(0, 0, size.0, size.1),
        );
        app.start(Setup {
            labels: Labels::new(Some(ann.clone()), Some("carol".into())),
            sample: sample.clone(),
        });
        app
    };
    let app = readable_with(open, 'E', " estimate (");
    let (rows, _) = panel(&draw(&app), " estimate (");
    assert!(rows.iter().any(|r| r.contains("CI")), "intervals: {rows:?}");
    insta::assert_snapshot!(screen(&app));
}
