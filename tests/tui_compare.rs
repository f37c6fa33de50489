//! The comparison screen of `trev compare A B`: the task list with its summary and filter, the
//! pair screen (side by side at 200 columns, stacked at 80), its keys, and marks made on
//! either side, driven by keys on ratatui's `TestBackend`.

use std::path::Path;
use std::sync::Arc;

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::Terminal;
use serde_json::{json, Value};
use trev::compare::KeySpec;
use trev::labels::Event;
use trev::rules::RuleSet;
use trev::scan::Watch;
use trev::session::compare::{compare, Options};
use trev::tui::compare::{self, CompareScreen, Mode};
use trev::tui::marks::Labels;
use trev::tui::{Keymap, Theme};

fn sample() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/agentinstruct_os.json")
}

/// Run B of the sample's OS tasks: os_1 with one more step, os_2 with another command at its
/// second step, and os_3 that run A does not have.
fn run_b(dir: &Path) -> std::path::PathBuf {
    let mut data: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(sample()).unwrap()).unwrap();
    let conv = data[0]["conversations"].as_array_mut().unwrap();
    conv.insert(
        7,
        json!({"from": "gpt", "loss": true, "value": "Think: check the file first.\n\nAct: bash\n\n```bash\nhead -3 /etc/passwd\n```"}),
    );
    conv.insert(
        8,
        json!({"from": "human", "loss": null, "value": "The output of the OS:\nroot:x:0:0:root:/root:/bin/bash"}),
    );
    data[1]["conversations"][7]["value"] =
        json!("Think: try human units.\n\nAct: bash\n\n```bash\ndu -sh /var/log\n```");
    let mut extra = data[0].clone();
    extra["id"] = json!("os_3");
    data.push(extra);
    let path = dir.join("run_b.json");
    std::fs::write(&path, serde_json::to_string(&data).unwrap()).unwrap();
    path
}

fn open(home: &Path, size: (u16, u16)) -> CompareScreen {
    let b = run_b(home);
    open_runs(home, &sample(), &b, size)
}

/// The comparison screen of `base=a` against `other=b`, marks by alice in `home/ann`.
fn open_runs(home: &Path, a: &Path, b: &Path, size: (u16, u16)) -> CompareScreen {
    let a = format!("base={}", a.display());
    let b = format!("other={}", b.display());
    let rules = RuleSet::builtin();
    let opts = Options {
        key: KeySpec::default(),
        load: Default::default(),
        workers: 2,
    };
    let c = compare(
        a.as_ref(),
        b.as_ref(),
        &rules,
        &opts,
        &Watch::default(),
        |_| {},
    )
    .unwrap();
    let stores = compare::stores(&c, Default::default(), Arc::new(rules)).unwrap();
    let labels = Labels::new(Some(home.join("ann")), Some("alice".into()));
    CompareScreen::new(
        c,
        stores,
        Theme::builtin("dark").unwrap(),
        Keymap::default(),
        labels,
        Rect::new(0, 0, size.0, size.1),
    )
}

fn screen(s: &CompareScreen) -> String {
    let size = s.size();
    let mut t = Terminal::new(TestBackend::new(size.width, size.height)).unwrap();
    t.draw(|f| s.draw(f)).unwrap();
    t.backend().to_string()
}

fn keys(s: &mut CompareScreen, keys: &str) {
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\x1b' => KeyCode::Esc,
            '\t' => KeyCode::Tab,
            '\x08' => KeyCode::Backspace,
            c => KeyCode::Char(c),
        };
        s.key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

#[test]
fn the_task_list_at_80x24() {
    let home = tempfile::tempdir().unwrap();
    let s = open(home.path(), (80, 24));
    insta::assert_snapshot!(screen(&s));
}

#[test]
fn the_task_list_at_200x50_filtered_and_ordered() {
    let home = tempfile::tempdir().unwrap();
    let mut s = open(home.path(), (200, 50));
    keys(&mut s, "&b-only\n");
    let text = screen(&s);
    assert!(text.contains("os_3"), "{text}");
    assert!(!text.contains("os_2 "), "{text}");
    keys(&mut s, "&\x08\x08\x08\x08\x08\x08rule:terminal\n");
    keys(&mut s, "oo");
    let text = screen(&s);
    assert!(text.contains("by findings B-A"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn under_finished_vs_failed_both_succeeding_is_both_finished() {
    let home = tempfile::tempdir().unwrap();
    let mut s = open(home.path(), (80, 24));
    keys(&mut s, "&both-pass\n");
    let text = screen(&s);
    assert!(
        text.contains("both-pass: under finished vs failed it is both-finished"),
        "{text}"
    );
    keys(
        &mut s,
        "&\x08\x08\x08\x08\x08\x08\x08\x08\x08both-finished\n",
    );
    let text = screen(&s);
    assert!(text.contains("2 of 3 tasks shown"), "{text}");
    assert!(
        !text.contains("both-pass") && !text.contains("os_3"),
        "{text}"
    );
}

#[test]
fn the_pair_opens_at_the_first_divergence_side_by_side_at_200x50() {
    let home = tempfile::tempdir().unwrap();
    let mut s = open(home.path(), (200, 50));
    keys(&mut s, "\n");
    assert_eq!(s.mode(), Mode::Pair);
    let p = s.pair().unwrap();
    assert_eq!(Some(p.cursor), p.alignment.first_divergence());
    let text = screen(&s);
    assert!(!text.contains('\x1b'), "no escape byte reaches the screen");
    insta::assert_snapshot!(text);
}

#[test]
fn the_pair_is_stacked_at_80x24_and_keys_move_through_it() {
    let home = tempfile::tempdir().unwrap();
    let mut s = open(home.path(), (80, 24));
    keys(&mut s, "J"); // the list's next task: os_2
    keys(&mut s, "\n");
    let p = s.pair().unwrap();
    assert!(p.is_stacked(80));
    insta::assert_snapshot!(screen(&s));
    // K: the previous task (os_1), at its first divergence; g: the first row; d: the next
    // divergence from there.
    keys(&mut s, "K");
    let first = s.pair().unwrap().cursor;
    keys(&mut s, "g");
    assert_eq!(s.pair().unwrap().cursor, 0);
    keys(&mut s, "d");
    assert_eq!(s.pair().unwrap().cursor, first);
    keys(&mut s, "s");
    assert!(!s.pair().unwrap().is_stacked(80));
    keys(&mut s, "\x1b");
    assert_eq!(s.mode(), Mode::List);
}

#[test]
fn marks_go_to_the_trajectory_of_the_side_they_are_made_on() {
    let home = tempfile::tempdir().unwrap();
    let mut s = open(home.path(), (200, 50));
    keys(&mut s, "\n"); // os_1 at its first divergence
    keys(&mut s, "\ty"); // side B: right
    keys(&mut s, "j\tx"); // the next row, side A: wrong
    let journal = std::fs::read_to_string(home.path().join("ann/alice.jsonl")).unwrap();
    let lines: Vec<Value> = journal
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{journal}");
    assert_eq!(lines[0]["run"], "other");
    assert_eq!(lines[0]["trajectory"], "os_1");
    assert_eq!(lines[0]["label"], "right");
    assert_eq!(lines[1]["run"], "base");
    assert_eq!(lines[1]["label"], "wrong");
    let text = screen(&s);
    assert!(text.contains('✓') && text.contains('✗'), "{text}");
    // A note on the mark just made (side A), typed after `e`; as on the review screen.
    keys(&mut s, "eno count\n");
    assert_eq!(s.mode(), Mode::Pair);
    let journal = std::fs::read_to_string(home.path().join("ann/alice.jsonl")).unwrap();
    let last: Value = serde_json::from_str(journal.lines().last().unwrap()).unwrap();
    assert_eq!(
        (&last["run"], &last["label"], &last["note"]),
        (&json!("base"), &json!("wrong"), &json!("no count"))
    );
    let text = screen(&s);
    assert!(text.contains("✎ no count"), "{text}");
}

#[test]
fn the_full_row_at_80x24_is_wrapped_and_sanitised() {
    let home = tempfile::tempdir().unwrap();
    let mut s = open(home.path(), (80, 24));
    keys(&mut s, "J\n\n"); // os_2, at its first divergence, in full
    assert!(s.pair().unwrap().detail);
    let text = screen(&s);
    assert!(
        text.contains("du -sk /var/log") && text.contains("du -sh /var/log"),
        "{text}"
    );
    insta::assert_snapshot!(text);
    keys(&mut s, "jjjjjjj"); // scrolled to the replies
    let text = screen(&s);
    assert!(!text.contains('\x1b') && text.contains('␛'), "{text}");
    assert!(text.contains("environment #8 · human"), "{text}");
    keys(&mut s, "\x1b");
    assert!(!s.pair().unwrap().detail);
    assert_eq!(s.mode(), Mode::Pair);
}

/// A journal line of alice's on `run`'s trajectory `id`, made when turn `turn` read `text`.
fn event(run: &str, id: &str, turn: usize, label: &str, text: &str) -> Event {
    let mut e = Event::now("alice", id, Some(turn), Some(label));
    e.at = "2026-11-22T10:00:00Z".into();
    e.run = Some(run.into());
    e.text_hash = Some(trev::labels::text_hash(text));
    e
}

#[test]
fn findings_are_highlighted_in_the_text_and_marks_show_as_badges() {
    let home = tempfile::tempdir().unwrap();
    // Alice marked A's step 3 right, and B's wrong (with a note) when its text was another.
    let data: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(sample()).unwrap()).unwrap();
    let agent5 = data[0]["conversations"][5]["value"].as_str().unwrap();
    let mut stale = event("other", "os_1", 5, "wrong", "an older text");
    stale.note = Some("counted the wrong shell".into());
    let dir = home.path().join("ann");
    std::fs::create_dir_all(&dir).unwrap();
    let lines = [event("base", "os_1", 5, "right", agent5), stale]
        .iter()
        .map(|e| serde_json::to_string(e).unwrap() + "\n")
        .collect::<String>();
    std::fs::write(dir.join("alice.jsonl"), lines).unwrap();
    let mut s = open(home.path(), (200, 50));
    s.open_journal();
    keys(&mut s, "\nk"); // os_1, the row before its first divergence: step 3
    let size = s.size();
    let mut t = Terminal::new(TestBackend::new(size.width, size.height)).unwrap();
    t.draw(|f| s.draw(f)).unwrap();
    let text = t.backend().to_string();
    assert!(text.contains("agent #5 · gpt  ✓ right"), "{text}");
    assert!(
        text.contains("agent #5 · gpt  ✗ wrong (stale: text changed)"),
        "{text}"
    );
    assert!(text.contains("✎ counted the wrong shell"), "{text}");
    // The terminal title sequence in the reply is drawn in the warning's style, on both
    // sides, and the turn has its mark in each side's gutter.
    let warn = Theme::builtin("dark").unwrap().finding_warn;
    let buf = t.backend().buffer();
    let width = size.width as usize;
    let mut highlighted = Vec::new();
    for (y, row) in buf.content().chunks(width).enumerate() {
        let line: String = row.iter().map(|c| c.symbol()).collect();
        for (x, _) in line.match_indices("␛]0;") {
            let x = line[..x].chars().count();
            if row[x..x + 4].iter().all(|c| Some(c.bg) == warn.bg) {
                highlighted.push((x, y));
            }
        }
    }
    assert_eq!(highlighted.len(), 2, "{highlighted:?}\n{text}");
    let marks: Vec<usize> = text
        .lines()
        .filter(|l| l.contains("environment #6"))
        .flat_map(|l| l.match_indices('●').map(|(i, _)| l[..i].chars().count()))
        .collect();
    assert_eq!(marks, [2, 102], "the gutter beside each side's reply");
    insta::assert_snapshot!(text);
}

/// A run of one OS task with `steps` steps, the command of step `differs` (if any) another.
fn long_run(dir: &Path, name: &str, steps: usize, differs: Option<usize>) -> std::path::PathBuf {
    let data: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(sample()).unwrap()).unwrap();
    let mut t = data[0].clone();
    let conv = t["conversations"].as_array_mut().unwrap();
    conv.truncate(5);
    for i in 0..steps {
        let cmd = match differs == Some(i) {
            true => "echo another".to_string(),
            false => format!("echo {i}"),
        };
        conv.push(json!({"from": "gpt", "loss": true,
            "value": format!("Think: step {i}.\n\nAct: bash\n\n```bash\n{cmd}\n```")}));
        conv.push(json!({"from": "human", "loss": null,
            "value": format!("The output of the OS:\n{i}\n{}", "line\n".repeat(i % 30))}));
    }
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string(&[t]).unwrap()).unwrap();
    path
}

#[test]
fn a_long_pair_renders_only_the_rows_on_screen() {
    let home = tempfile::tempdir().unwrap();
    let a = long_run(home.path(), "a.json", 2000, None);
    let b = long_run(home.path(), "b.json", 2000, Some(1500));
    let mut s = open_runs(home.path(), &a, &b, (200, 50));
    keys(&mut s, "\n");
    let p = s.pair().unwrap();
    // The two in-context demo steps, then the 2 000.
    assert_eq!(p.alignment.rows.len(), 2002);
    assert_eq!(p.cursor, 1502, "opens at the divergence");
    let rendered = p.rendered_turns();
    assert!(rendered < 60, "{rendered} turns rendered");
    let text = screen(&s);
    assert!(
        text.contains("echo another") && text.contains("echo 1500"),
        "{text}"
    );
    // To the end and back: still only what was on screen.
    keys(&mut s, "Ggdjjj");
    let p = s.pair().unwrap();
    assert_eq!(p.cursor, 1505);
    assert!(p.rendered_turns() < 200, "{}", p.rendered_turns());
    // Paging by lines keeps the cursor on screen.
    for _ in 0..40 {
        keys(&mut s, " ");
        let p = s.pair().unwrap();
        let row = p.shown().iter().find(|r| r.row == p.cursor).unwrap();
        assert!(
            row.y + row.composed.height as isize > 0 && row.y < 43,
            "{row:?}"
        );
    }
    assert!(s.pair().unwrap().cursor > 1505);
}

#[test]
fn the_screen_draws_on_tiny_screens() {
    let home = tempfile::tempdir().unwrap();
    let mut s = open(home.path(), (200, 50));
    keys(&mut s, "\n");
    for (w, h) in [
        (1, 1),
        (2, 3),
        (4, 4),
        (5, 8),
        (9, 9),
        (12, 6),
        (30, 5),
        (101, 7),
    ] {
        s.resize(w, h);
        for k in [
            "", "j", "s", "\n", "j", "\n", " ", "G", "s", "\x1b", "&x", "\n", "\n",
        ] {
            keys(&mut s, k);
            let _ = screen(&s);
        }
    }
}
