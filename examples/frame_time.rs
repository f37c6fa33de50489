//! How long the review screen takes to handle a key and draw a frame (and to save a mark), on
//! the 1 MB observation fixture and on a generated 2 000-turn trajectory. Run it in release
//! mode:
//!
//! ```sh
//! cargo run --release --example frame_time
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::Terminal;
use trev::load::{Dataset, LoadOptions};
use trev::tui::marks::Labels;
use trev::tui::{view, App, Keymap, Setup, Store, Theme};

fn main() {
    let big = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/nasty/big_observation.jsonl");
    let dir = tempfile::tempdir().unwrap();
    let long = generate(dir.path(), 2000);
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "case (160x48)", "mean", "p95", "max"
    );
    measure("1 MB observation, folded: j/k", &big, "", &['j', 'k']);
    measure("1 MB observation: unfold/fold (z)", &big, "Gk", &['z']);
    measure("1 MB observation, unfolded: pgdn", &big, "Gkz", &['\u{3}']);
    measure(
        "1 MB observation, unfolded: search n",
        &big,
        "Gkz/line 01\n",
        &['n'],
    );
    measure("2 000 turns: j", &long, "", &['j']);
    measure("2 000 turns: pgdn", &long, "", &['\u{3}']);
    measure("2 000 turns: G then g", &long, "", &['G', 'g']);
    // Marking appends to the journal (flushed and fsynced) and lays the trajectory out again.
    measure(
        "2 000 turns: mark y/x (journal fsync)",
        &long,
        "+",
        &['y', 'x'],
    );
    measure(
        "1 MB observation: mark y/x (journal fsync)",
        &big,
        "+",
        &['y', 'x'],
    );
}

/// An OpenAI-messages trajectory with `turns` turns: commands and their outputs.
fn generate(dir: &Path, turns: usize) -> PathBuf {
    let mut messages = vec![serde_json::json!({"role": "user", "content": "Fix the build."})];
    for i in 0..turns / 2 {
        messages.push(serde_json::json!({"role": "assistant", "content": format!("Step {i}: let me look.\n\n```bash\nls -la src/ && grep -rn 'fn main' src/ | head -n {i}\n```")}));
        let output: String = (0..(i % 30))
            .map(|j| format!("src/file_{j}.rs:{i}: fn main() {{}}\n"))
            .collect();
        messages.push(serde_json::json!({"role": "user", "content": output}));
    }
    let path = dir.join("long.jsonl");
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(
        f,
        "{}",
        serde_json::json!({"id": "long", "messages": messages})
    )
    .unwrap();
    path
}

fn key(c: char) -> KeyEvent {
    let code = match c {
        '\n' => KeyCode::Enter,
        '\u{3}' => KeyCode::PageDown,
        c => KeyCode::Char(c),
    };
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn measure(name: &str, path: &Path, setup: &str, keys: &[char]) {
    let start = Instant::now();
    let dataset = Dataset::open(&[path.to_path_buf()], LoadOptions::default()).unwrap();
    let store = Store::new(dataset, None);
    let mut app = App::new(
        store,
        Theme::builtin("dark").unwrap(),
        Keymap::default(),
        Rect::new(0, 0, 160, 48),
    );
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    while app.current().is_none() {
        app.tick();
    }
    terminal.draw(|f| view::draw(f, &app)).unwrap();
    let first = start.elapsed();
    // `+` in the setup: mark as annotator `bench`, journal in a temporary directory.
    let annotations = tempfile::tempdir().unwrap();
    if setup.starts_with('+') {
        app.start(Setup {
            labels: Labels::new(Some(annotations.path().to_path_buf()), Some("bench".into())),
            sample: None,
        });
    }
    for c in setup.chars().filter(|&c| c != '+') {
        if c == '/' && app.mode() == trev::tui::Mode::Browse {
            app.key(key('/'));
            continue;
        }
        app.key(key(c));
    }
    terminal.draw(|f| view::draw(f, &app)).unwrap();
    let mut times: Vec<Duration> = Vec::new();
    for i in 0..200 {
        let t = Instant::now();
        app.key(key(keys[i % keys.len()]));
        terminal.draw(|f| view::draw(f, &app)).unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    let p95 = times[times.len() * 95 / 100];
    let max = *times.last().unwrap();
    println!("{name:<44} {mean:>10.2?} {p95:>10.2?} {max:>10.2?}   (first screen {first:.2?})");
}
