//! On the review screen a mark belongs to its run's trajectory: two runs with the same ids
//! keep their marks apart, and journal lines without a run apply only when the data is one run.

use std::path::Path;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use trev::load::{Dataset, LoadOptions};
use trev::tui::marks::Labels;
use trev::tui::{App, Keymap, Setup, Store, Theme};

fn open(data: &[&Path], ann: &Path, unnamed_apply: bool) -> App {
    let files: Vec<_> = data.iter().map(|p| p.to_path_buf()).collect();
    let dataset = Dataset::open(&files, LoadOptions::default()).unwrap();
    dataset.wait();
    let mut app = App::new(
        Store::new(dataset, None),
        Theme::builtin("dark").unwrap(),
        Keymap::default(),
        Rect::new(0, 0, 160, 40),
    );
    let mut labels = Labels::new(Some(ann.to_path_buf()), Some("alice".into()));
    labels.unnamed_apply = unnamed_apply;
    app.start(Setup {
        labels,
        sample: None,
    });
    app
}

fn key(app: &mut App, c: char) {
    app.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
}

fn marks_on_screen(app: &App) -> usize {
    app.current()
        .map(|e| {
            app.marking()
                .labels()
                .mine_in(&e.trajectory.run, &e.trajectory.id)
                .len()
        })
        .unwrap_or(0)
}

#[test]
fn two_runs_with_the_same_ids_keep_their_marks_apart() {
    let home = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/agentinstruct_os.json");
    let (a, b) = (home.path().join("a"), home.path().join("b"));
    for dir in [&a, &b] {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::copy(&sample, dir.join("os.json")).unwrap();
    }
    let ann = home.path().join("ann");
    {
        let mut app = open(&[&a.join("os.json"), &b.join("os.json")], &ann, false);
        let first = app.current().unwrap().trajectory.clone();
        key(&mut app, 'y');
        assert_eq!(marks_on_screen(&app), 1, "marked in {}", first.run);
        let journal = std::fs::read_to_string(ann.join("alice.jsonl")).unwrap();
        assert!(
            journal.contains(&format!("\"run\":\"{}\"", first.run)),
            "{journal}"
        );
    }
    // Reopened: the same id in run b shows no mark.
    let mut app = open(&[&b.join("os.json"), &a.join("os.json")], &ann, false);
    let t = app.current().unwrap().trajectory.clone();
    assert_eq!(&*t.run, "b/os");
    assert_eq!(
        app.marking().labels().mine_in("b/os", &t.id).len(),
        0,
        "a mark of run a/os does not show on run b/os"
    );
    assert_eq!(app.marking().labels().mine_in("a/os", &t.id).len(), 1);
    key(&mut app, 'q');
}

#[test]
fn lines_without_a_run_apply_only_when_the_data_is_one_run() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    std::fs::create_dir_all(&ann).unwrap();
    std::fs::write(
        ann.join("alice.jsonl"),
        "{\"annotator\":\"alice\",\"trajectory\":\"os_1\",\"turn\":5,\"label\":\"wrong\"}\n",
    )
    .unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/agentinstruct_os.json");
    let app = open(&[&sample], &ann, true);
    assert!(app
        .marking()
        .labels()
        .mine("agentinstruct_os", "os_1", Some(5))
        .is_some());
    drop(app);
    let app = open(&[&sample], &ann, false);
    assert!(app
        .marking()
        .labels()
        .mine("agentinstruct_os", "os_1", Some(5))
        .is_none());
}

#[test]
fn marks_of_a_renamed_file_find_their_trajectory_again() {
    let home = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/agentinstruct_os.json");
    let before = home.path().join("os.json");
    std::fs::copy(&sample, &before).unwrap();
    let ann = home.path().join("ann");
    let marked = {
        let mut app = open(&[&before], &ann, true);
        key(&mut app, 'y');
        let t = app.current().unwrap().trajectory.clone();
        assert_eq!(marks_on_screen(&app), 1);
        t
    };
    // The file is renamed: its run is `renamed` now, and the journal line says `os`. Another
    // run with the same ids but other texts is loaded beside it.
    let after = home.path().join("renamed.json");
    std::fs::rename(&before, &after).unwrap();
    let other = home.path().join("other.json");
    let text = std::fs::read_to_string(&sample).unwrap();
    std::fs::write(&other, text.replace("ls", "ls -la")).unwrap();
    let mut app = open(&[&after, &other], &ann, false);
    for _ in 0..500 {
        if app.store().dataset().ids_final() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    app.tick();
    let notice = app.message().unwrap_or_default().to_string();
    assert!(
        notice.contains("under another run name") && notice.contains("renamed"),
        "{notice}"
    );
    let labels = app.marking().labels();
    let turns = labels.mine_in("renamed", &marked.id);
    assert_eq!(
        turns.len(),
        1,
        "the mark shows on the renamed file's trajectory"
    );
    assert!(labels.mine_in("other", &marked.id).is_empty());
}
