//! The overview panel (`C`): findings by rule, outcomes, progress and error categories over
//! the list's rows, counted in the background; its counts against `trev check --json` read
//! independently; selecting a bar filters the list; keys are answered while it counts.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::Terminal;
use trev::labels::Event;
use trev::load::{Dataset, LoadOptions};
use trev::rules::RuleSet;
use trev::tui::marks::Labels;
use trev::tui::{view, App, Keymap, Mode, Setup, Store, Theme};

/// The screen over `data` with the built-in rules, as `trev review` opens it, with alice's
/// journal in `ann`.
fn open(data: &Path, ann: &Path, size: (u16, u16)) -> App {
    open_sample(data, ann, size, None)
}

/// [`open`], the list restricted to `sample`.
fn open_sample(data: &Path, ann: &Path, size: (u16, u16), sample: Option<Vec<usize>>) -> App {
    let dataset = Dataset::open(&[data.to_path_buf()], LoadOptions::default()).unwrap();
    dataset.wait();
    let rules = RuleSet::builtin();
    let ids = rules.rules().iter().map(|r| r.id.clone()).collect();
    let store = Store::new(dataset, Some(Box::new(move |t| rules.check(t)))).with_rule_ids(ids);
    let mut app = App::new(
        store,
        Theme::builtin("dark").unwrap(),
        Keymap::default(),
        Rect::new(0, 0, size.0, size.1),
    );
    app.start(Setup {
        labels: Labels::new(Some(ann.to_path_buf()), Some("alice".into())),
        sample,
    });
    // Every id read: the progress is counted.
    for _ in 0..50 {
        if !app.busy() {
            break;
        }
        app.tick();
    }
    app
}

fn press(app: &mut App, code: KeyCode) {
    app.key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            c => KeyCode::Char(c),
        };
        press(app, code);
    }
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(app.size().width, app.size().height)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    t.backend().to_string()
}

fn mark(who: &str, run: &str, id: &str, turn: usize, category: Option<&str>) -> Event {
    let label = if category.is_some() { "wrong" } else { "right" };
    let mut e = Event::now(who, id, Some(turn), Some(label));
    e.run = Some(run.into());
    e.category = category.map(str::to_string);
    e.at = "2026-11-22T10:00:00Z".into();
    e
}

/// Alice marked the two agent turns of os_1 and one of os_2, two wrong with a category; bob
/// marked one of db_10 wrong with another.
fn journals(ann: &Path) {
    std::fs::create_dir_all(ann).unwrap();
    let os = "agentinstruct_os";
    let alice = [
        mark("alice", os, "os_1", 5, None),
        mark("alice", os, "os_1", 7, Some("plan-error")),
        mark("alice", os, "os_2", 5, Some("plan-error")),
    ];
    let bob = [mark(
        "bob",
        "agentinstruct_db",
        "db_10",
        3,
        Some("format-error"),
    )];
    for (who, events) in [("alice", &alice[..]), ("bob", &bob[..])] {
        let text: String = events
            .iter()
            .map(|e| serde_json::to_string(e).unwrap() + "\n")
            .collect();
        std::fs::write(ann.join(format!("{who}.jsonl")), text).unwrap();
    }
}

fn overview(app: &mut App) {
    keys(app, "C");
    assert_eq!(app.mode_name(), "OVERVIEW");
    while app.busy() {
        app.tick();
    }
}

#[test]
fn the_overview_at_80x24_and_200x50() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    journals(&ann);
    let mut small = open(&common::sample_data(), &ann, (80, 24));
    overview(&mut small);
    let first = screen(&small);
    assert!(!first.contains("scanned"), "done: {first}");
    insta::assert_snapshot!("overview_80x24", first);
    // j walks the rows (the view follows); the last rows are the categories.
    keys(&mut small, &"j".repeat(60));
    insta::assert_snapshot!("overview_80x24_scrolled", screen(&small));
    small.close_journal();

    let mut wide = open(&common::sample_data(), &ann, (200, 50));
    overview(&mut wide);
    insta::assert_snapshot!("overview_200x50", screen(&wide));
}

/// The counts, read from `trev check --json` by the test itself: findings and trajectories per
/// rule from the finding lines, trajectories per outcome from the summary.
#[test]
fn the_counts_are_those_of_check_json() {
    let home = tempfile::tempdir().unwrap();
    let data = common::sample_data();
    let out = common::trev(home.path())
        .args(["check", "--json"])
        .arg(&data)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rules: BTreeMap<String, (usize, std::collections::BTreeSet<(String, String)>)> =
        BTreeMap::new();
    let mut summary = None;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        match v["type"].as_str() {
            Some("finding") => {
                let r = rules.entry(v["rule"].as_str().unwrap().into()).or_default();
                r.0 += 1;
                let key = (v["file"].to_string(), v["record"].to_string());
                r.1.insert(key);
            }
            Some("summary") => summary = Some(v),
            _ => {}
        }
    }
    let summary = summary.expect("a summary line");
    let ann = home.path().join("ann");
    let mut app = open(&data, &ann, (120, 40));
    overview(&mut app);
    let tally = app
        .overview()
        .expect("the overview is open")
        .tally()
        .clone();
    let got: BTreeMap<String, (usize, usize)> = tally
        .rules
        .iter()
        .map(|(id, c)| (id.to_string(), (c.findings, c.trajectories)))
        .collect();
    let want: BTreeMap<String, (usize, usize)> = rules
        .iter()
        .map(|(id, (n, t))| (id.clone(), (*n, t.len())))
        .collect();
    assert_eq!(got, want);
    assert!(want.len() > 10, "many rules: {want:?}");
    assert_eq!(
        tally.trajectories as u64,
        summary["trajectories"].as_u64().unwrap()
    );
    for (n, outcome) in ["pass", "fail", "error", "unknown"].iter().enumerate() {
        let want = summary["by_outcome"][outcome]["trajectories"].as_u64();
        assert_eq!(Some(tally.outcomes[n] as u64), want, "{outcome}");
    }
}

#[test]
fn enter_on_a_bar_filters_the_list() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    journals(&ann);
    let mut app = open(&common::sample_data(), &ann, (120, 40));
    overview(&mut app);
    // The first rows are the outcomes: pass, fail.
    keys(&mut app, "j\n");
    assert_eq!(app.mode(), Mode::Browse, "enter closes the panel");
    let f = app.list().filter().expect("a filter");
    assert_eq!(f.query, "outcome:fail");
    while app.busy() {
        app.tick();
    }
    assert_eq!(app.list().filter().unwrap().matches.len(), 4);
    // Over the filtered list, a rule's bar narrows it further.
    overview(&mut app);
    let screen = screen(&app);
    assert!(
        screen.contains("Counted over the list filtered by &outcome:fail: 4 trajectories"),
        "{screen}"
    );
    let tally = app.overview().unwrap().tally().clone();
    assert_eq!(tally.outcomes, [0, 4, 0, 0]);
    let (rule, count) = tally
        .rules
        .iter()
        .max_by_key(|(id, c)| (c.findings, std::cmp::Reverse((*id).clone())))
        .map(|(id, c)| (id.to_string(), c.trajectories))
        .unwrap();
    // Past the four outcomes to the first rule (the most findings).
    keys(&mut app, "jjjj\n");
    let f = app.list().filter().expect("a filter");
    assert_eq!(f.query, format!("outcome:fail rule:{rule}"));
    while app.busy() {
        app.tick();
    }
    assert_eq!(app.list().filter().unwrap().matches.len(), count);
    // A category's bar: category:NAME.
    keys(&mut app, "&");
    app.key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    keys(&mut app, "\n");
    assert!(app.list().filter().is_none());
    overview(&mut app);
    keys(&mut app, "G\n");
    assert_eq!(app.list().filter().unwrap().query, "category:format-error");
    while app.busy() {
        app.tick();
    }
    assert_eq!(app.list().filter().unwrap().matches.len(), 1);
}

/// With a sample, the list's rows are the sample's: the overview counts those, and the
/// progress is over the sample as in the status bar.
#[test]
fn the_overview_of_a_sample_counts_its_rows() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    journals(&ann);
    let mut app = open_sample(
        &common::sample_data(),
        &ann,
        (200, 50),
        Some(vec![0, 1, 2, 5]),
    );
    overview(&mut app);
    let text = screen(&app);
    assert!(
        text.contains("Counted over the sample: 4 trajectories"),
        "{text}"
    );
    assert!(
        text.contains("progress: your marks over the sample"),
        "{text}"
    );
    let tally = app.overview().unwrap().tally();
    assert_eq!(tally.trajectories + tally.unreadable, 4);
}

#[test]
fn keys_are_answered_while_the_scan_runs() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    let mut app = open(&common::sample_data(), &ann, (80, 24));
    // Five records a slice: the panel opens before it has counted them all.
    trev::tui::overview::limit_slice(5);
    keys(&mut app, "C");
    let first = screen(&app);
    assert!(first.contains("overview · scanned 11%"), "{first}");
    // The moving keys work meanwhile, and the count goes on between them.
    keys(&mut app, "j");
    assert_eq!(app.mode(), Mode::Panel);
    assert!(app.busy());
    let mut ticks = 0;
    while app.busy() {
        app.tick();
        ticks += 1;
        assert!(ticks < 100, "the scan ends");
    }
    let done = screen(&app);
    assert!(!done.contains("scanned"), "{done}");
    assert!(done.contains("every trajectory of the data: 40"), "{done}");
    // A key closes it at any time.
    keys(&mut app, "C");
    trev::tui::overview::limit_slice(2);
    keys(&mut app, "C");
    assert!(screen(&app).contains("scanned"));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Browse);
    assert!(!app.busy(), "closing the panel ends its count");
}

/// Over the benchmark file (`bench-data/`, not in the repository): how long the count takes
/// between keys and the longest a key waits. Run by hand:
/// `TREV_BENCH_FILE=agentinstruct_200m.json cargo test --release --test tui_overview --
/// --ignored --nocapture`.
#[test]
#[ignore]
fn the_count_over_the_benchmark_file() {
    let name = std::env::var("TREV_BENCH_FILE").unwrap_or("bench_40m.jsonl".into());
    let data = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("bench-data")
        .join(name);
    if !data.exists() {
        return common::skip(&format!("{} is absent", data.display()));
    }
    let home = tempfile::tempdir().unwrap();
    let start = std::time::Instant::now();
    let mut app = open(&data, &home.path().join("ann"), (200, 50));
    let opened = start.elapsed();
    let start = std::time::Instant::now();
    keys(&mut app, "C");
    let (mut ticks, mut longest_key) = (0, std::time::Duration::ZERO);
    while app.busy() {
        app.tick();
        ticks += 1;
        if ticks % 20 == 0 {
            let key = std::time::Instant::now();
            keys(&mut app, "j");
            screen(&app);
            longest_key = longest_key.max(key.elapsed());
        }
    }
    let tally = app.overview().unwrap().tally();
    eprintln!(
        "opened in {opened:?}; counted {} trajectories in {:?} over {ticks} slices; \
         longest key with a frame {longest_key:?}",
        tally.trajectories,
        start.elapsed()
    );
}
