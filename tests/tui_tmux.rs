//! End to end: the real binary in tmux opens a file, moves, searches and quits (and is killed
//! with SIGTERM), and the terminal is restored each time; when the terminal goes away, the
//! journal is released at once. Skipped when tmux is absent.

use std::path::Path;
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
    session: &'static str,
}

impl Tmux {
    fn start(name: &'static str, command: &str) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            skip("tmux is not installed");
            return None;
        }
        let t = Tmux {
            socket: format!("trev-test-{}-{name}", std::process::id()),
            session: name,
        };
        t.run(&[
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "140",
            "-y",
            "40",
            command,
        ]);
        t.run(&["set-option", "-t", name, "remain-on-exit", "on"]);
        Some(t)
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", self.session, k]);
            sleep(Duration::from_millis(60));
        }
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", self.session])
    }

    fn var(&self, name: &str) -> String {
        self.run(&[
            "display-message",
            "-p",
            "-t",
            self.session,
            &format!("#{{{name}}}"),
        ])
        .trim()
        .to_string()
    }

    /// Wait until `check` holds, or fail with the screen.
    fn wait(&self, what: &str, check: impl Fn(&Tmux) -> bool) {
        let start = Instant::now();
        while !check(self) {
            if start.elapsed() > Duration::from_secs(10) {
                panic!("timed out waiting for {what}; screen:\n{}", self.screen());
            }
            sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

fn command(file: &str) -> String {
    let annotations = tempfile::tempdir().unwrap().keep();
    command_in(file, &annotations)
}

/// The review command on a sample file, as annotator `tester` with journals in `annotations`.
fn command_in(file: &str, annotations: &Path) -> String {
    let bin = env!("CARGO_BIN_EXE_trev");
    let data = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample_data")
        .join(file);
    let config = tempfile::tempdir().unwrap().keep();
    format!(
        "env -u NO_COLOR TREV_CONFIG_DIR={} TERM=xterm-256color {bin} {} --annotator tester --annotations {}",
        config.display(),
        data.display(),
        annotations.display()
    )
}

#[test]
fn open_move_search_quit_restores_the_terminal() {
    let shell = format!(
        "sh -c '{}; echo EXITED:$?; sleep 30'",
        command("agentinstruct_os.json")
    );
    let Some(t) = Tmux::start("keys", &shell) else {
        return;
    };
    t.wait("the review screen", |t| t.screen().contains("trajectories"));
    assert_eq!(t.var("alternate_on"), "1");
    t.keys(&["j", "J", "/", "bash", "Enter"]);
    t.wait("the search", |t| t.screen().contains("/bash/"));
    assert!(
        t.screen().contains("os_2"),
        "moved to the second trajectory"
    );
    t.keys(&["q"]);
    t.wait("the exit", |t| t.screen().contains("EXITED:0"));
    assert_eq!(t.var("alternate_on"), "0", "the alternate screen was left");
    assert_eq!(t.var("mouse_any_flag"), "0", "mouse capture is off");
    assert_eq!(t.var("cursor_flag"), "1", "the cursor is visible");
}

#[test]
fn sigterm_restores_the_terminal() {
    let Some(t) = Tmux::start("term", &command("nasty/escape_sequences.jsonl")) else {
        return;
    };
    t.wait("the review screen", |t| t.screen().contains("trajectories"));
    let pid = t.var("pane_pid");
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    t.wait("the exit", |t| t.var("pane_dead") == "1");
    assert_eq!(t.var("alternate_on"), "0", "the alternate screen was left");
    assert_eq!(t.var("mouse_any_flag"), "0", "mouse capture is off");
    // The escape sequences in the data never changed the window title.
    assert!(!t.var("pane_title").contains("pwned"));
}

#[test]
fn marks_made_with_keys_are_there_after_reopening() {
    let annotations = tempfile::tempdir().unwrap();
    let shell = format!(
        "sh -c '{}; echo EXITED:$?; sleep 30'",
        command_in("agentinstruct_os.json", annotations.path())
    );
    let Some(t) = Tmux::start("marks", &shell) else {
        return;
    };
    t.wait("the review screen", |t| t.screen().contains("trajectories"));
    t.wait("the first agent turn", |t| {
        let s = t.screen();
        s.contains("tester.jsonl") && s.contains("· turn 5")
    });
    // Right on the first agent turn, a note, then wrong on the next one.
    t.keys(&["y"]);
    t.wait("the first mark", |t| t.screen().contains("✓ right"));
    t.keys(&["e", "checked passwd", "Enter"]);
    t.wait("the note", |t| t.screen().contains("✎ checked passwd"));
    t.keys(&["m", "x"]);
    t.wait("the second mark", |t| t.screen().contains("✗ wrong"));
    t.keys(&["q"]);
    t.wait("the exit", |t| t.screen().contains("EXITED:0"));
    let journal = std::fs::read_to_string(annotations.path().join("tester.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = journal
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{journal}");
    let field = |i: usize, k: &str| lines[i][k].clone();
    assert_eq!(field(0, "turn"), 5);
    assert_eq!(field(0, "label"), "right");
    assert_eq!(field(1, "note"), "checked passwd");
    assert_eq!(field(2, "turn"), 7);
    assert_eq!(field(2, "label"), "wrong");
    assert!(lines.iter().all(|l| l["annotator"] == "tester"));
    drop(t);

    // Reopened: the marks are there, and the screen starts at the next unmarked turn.
    let shell = format!(
        "sh -c '{}; echo EXITED:$?; sleep 30'",
        command_in("agentinstruct_os.json", annotations.path())
    );
    let t = Tmux::start("again", &shell).unwrap();
    t.wait("the reopened screen", |t| {
        t.screen().contains("trajectories")
    });
    t.wait("os_1 complete in the list", |t| t.screen().contains("2/2"));
    assert!(t.screen().contains("os_2  run "), "starts at os_2");
    t.keys(&["K"]);
    t.wait("the marks", |t| {
        let s = t.screen();
        s.contains("✓ right") && s.contains("✗ wrong") && s.contains("✎ checked passwd")
    });
    t.keys(&["q"]);
    t.wait("the exit", |t| t.screen().contains("EXITED:0"));
}

#[test]
fn the_journal_is_released_as_soon_as_the_terminal_goes_away() {
    let annotations = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    // trev is the pane's process itself: killing the session hangs its terminal up.
    let Some(t) = Tmux::start(
        "hangup",
        &command_in("agentinstruct_os.json", annotations.path()),
    ) else {
        return;
    };
    t.wait("the journal open", |t| t.screen().contains("tester.jsonl"));
    let data = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample_data")
        .join("agentinstruct_os.json");
    let label = || {
        Command::new(env!("CARGO_BIN_EXE_trev"))
            .arg("label")
            .arg(&data)
            .args(["--annotator", "tester", "--trajectory", "os_1"])
            .args(["--turn", "5", "--set", "right", "--annotations"])
            .arg(annotations.path())
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("TREV_CONFIG_DIR", home.path().join("config"))
            .output()
            .unwrap()
    };
    let locked = |out: &std::process::Output| {
        String::from_utf8_lossy(&out.stderr).contains("the journal is open in another trev process")
    };
    let out = label();
    assert!(
        !out.status.success() && locked(&out),
        "the journal is locked while the screen runs: {out:?}"
    );
    let start = Instant::now();
    t.run(&["kill-session", "-t", "hangup"]);
    loop {
        let out = label();
        if out.status.success() {
            break;
        }
        assert!(locked(&out), "only the lock stops it: {out:?}");
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the journal is still locked 5 s after the terminal went away"
        );
        sleep(Duration::from_millis(10));
    }
    let took = start.elapsed();
    eprintln!(
        "the journal was free {} ms after the kill",
        took.as_millis()
    );
    // It used to take about a second (a signal was noticed on the next 250 ms poll, and the
    // watchdog gave the loop a second); now it is the time `trev label` takes to start.
    assert!(
        took < Duration::from_millis(500),
        "the journal was released only after {took:?}"
    );
    let journal = std::fs::read_to_string(annotations.path().join("tester.jsonl")).unwrap();
    assert_eq!(journal.lines().count(), 1, "{journal}");
}

/// Three annotators' journals in `dir` disagreeing on three items of agentinstruct_os: os_1
/// turn 5 (a 2–1 split), os_1 turn 7 (categories differ), os_2's verdict (a tie).
fn three_journals(dir: &Path) {
    let line = |who: &str, id: &str, turn: &str, label: &str, category: &str| {
        format!(
            r#"{{"annotator":"{who}","run":"agentinstruct_os","trajectory":"{id}","turn":{turn},"label":"{label}"{category}}}"#
        )
    };
    let cat = |c: &str| format!(r#","category":"{c}""#);
    let journals = [
        (
            "alice",
            vec![
                line("alice", "os_1", "5", "wrong", &cat("plan-error")),
                line("alice", "os_1", "7", "wrong", &cat("hallucination")),
                line("alice", "os_2", "null", "accept", ""),
            ],
        ),
        (
            "bob",
            vec![
                line("bob", "os_1", "5", "right", ""),
                line("bob", "os_1", "7", "wrong", &cat("invalid-action")),
                line("bob", "os_2", "null", "reject", ""),
            ],
        ),
        (
            "carol",
            vec![line("carol", "os_1", "5", "wrong", &cat("plan-error"))],
        ),
    ];
    for (who, lines) in journals {
        std::fs::write(dir.join(format!("{who}.jsonl")), lines.join("\n") + "\n").unwrap();
    }
}

#[test]
fn an_adjudication_survives_kill_9_and_reopening_resumes_after_it() {
    let annotations = tempfile::tempdir().unwrap();
    three_journals(annotations.path());
    let bin = env!("CARGO_BIN_EXE_trev");
    // trev is the pane's process itself, so its pid is the pane's.
    let command = command_in("agentinstruct_os.json", annotations.path()).replacen(
        &format!("{bin} "),
        &format!("{bin} adjudicate "),
        1,
    );
    let Some(t) = Tmux::start("adjudicate", &command) else {
        return;
    };
    t.wait("the queue", |t| {
        let s = t.screen();
        s.contains("settled 0/3") && s.contains("os_1 turn 5")
    });
    t.keys(&["Enter"]);
    t.wait("the decision on screen", |t| {
        t.screen().contains("settled 1/3")
    });
    let pid = t.var("pane_pid");
    Command::new("kill").args(["-KILL", &pid]).status().unwrap();
    t.wait("the kill", |t| t.var("pane_dead") == "1");
    drop(t);
    // The decision shown as saved is on disk, whole, as an adjudication.
    let journal = std::fs::read_to_string(annotations.path().join("tester.jsonl")).unwrap();
    assert!(journal.ends_with('\n'), "{journal}");
    let lines: Vec<serde_json::Value> = journal
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{journal}");
    assert_eq!(lines[0]["kind"], "adjudication");
    assert_eq!(
        (lines[0]["turn"].clone(), lines[0]["label"].clone()),
        (5.into(), "wrong".into())
    );
    assert_eq!(lines[0]["category"], "plan-error");
    // Reopened (the lock went with the process): it resumes at the next unsettled item.
    let t = Tmux::start("adjudicate-again", &command).unwrap();
    t.wait("the resumed queue", |t| {
        let s = t.screen();
        s.contains("settled 1/3") && s.contains("os_1 turn 7")
    });
    t.keys(&["q"]);
}

/// Say why a test cannot run here and return, or fail when `TREV_REQUIRE_CORPUS=1` (as in CI).
#[test]
fn a_judges_turn_sample_is_drawn_and_reviewed_blind() {
    let annotations = tempfile::tempdir().unwrap();
    let judge = |id: &str, turn: usize, label: &str| {
        format!(
            "{{\"annotator\":\"gpt4\",\"run\":\"agentinstruct_os\",\"trajectory\":\"{id}\",\"turn\":{turn},\"label\":\"{label}\"}}\n"
        )
    };
    let lines = [judge("os_1", 5, "right"), judge("os_1", 7, "wrong")];
    std::fs::write(annotations.path().join("gpt4.jsonl"), lines.concat()).unwrap();
    let shell = format!(
        "sh -c '{} --sample-turns 2 --by gpt4; echo EXITED:$?; sleep 30'",
        command_in("agentinstruct_os.json", annotations.path())
    );
    let Some(t) = Tmux::start("blind", &shell) else {
        return;
    };
    t.wait("blind review", |t| {
        t.screen()
            .contains("blind: turn sample of 2 by gpt4, 0/2 marked")
    });
    let s = t.screen();
    assert!(s.contains("outcome hidden (blind)"), "{s}");
    assert!(!s.contains("Two users use bash"), "turn 7 waits: {s}");
    t.keys(&["y"]);
    t.wait("the next sampled turn", |t| {
        t.screen().contains("1/2 marked") && t.screen().contains("Two users use bash")
    });
    t.keys(&["q"]);
    t.wait("the exit", |t| t.screen().contains("EXITED:0"));
    assert!(annotations.path().join("turn-sample.json").exists());
}

fn skip(why: &str) {
    if std::env::var_os("TREV_REQUIRE_CORPUS").is_some_and(|v| v == "1") {
        panic!("{why}, and TREV_REQUIRE_CORPUS=1 requires this test to run");
    }
    eprintln!("notice: {why}; test skipped");
}

/// An executable shell script `name` in `dir` running `body`.
fn script(dir: &Path, name: &str, body: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// `O` hands the turn under the cursor to `$PAGER` on its input (sanitised: no escape byte of
/// the data reaches it), with the screen left for it and taken back after; `V` gives `$EDITOR`
/// a read-only copy that is removed after.
#[test]
fn the_pager_and_the_editor_get_the_turn_and_the_screen_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let got = dir.path().join("pager.txt");
    let edited = dir.path().join("editor.txt");
    // The pager records what it got, says it ran, and waits for a key like a real pager; the
    // editor copies its file and records the file's mode and path.
    let pager = script(
        dir.path(),
        "pager.sh",
        &format!(
            "cat > {}\necho PAGER-RAN\nread answer < /dev/tty",
            got.display()
        ),
    );
    let editor = script(
        dir.path(),
        "editor.sh",
        &format!(
            "cp \"$1\" {e}\nstat -c %a \"$1\" >> {e}.mode\necho \"$1\" > {e}.path",
            e = edited.display()
        ),
    );
    let annotations = tempfile::tempdir().unwrap();
    let shell = format!(
        "sh -c 'PAGER={} EDITOR={} {}; echo EXITED:$?; sleep 30'",
        pager.display(),
        editor.display(),
        command_in("agentinstruct_os.json", annotations.path())
    );
    let Some(t) = Tmux::start("pager", &shell) else {
        return;
    };
    t.wait("the review screen", |t| t.screen().contains("trajectories"));
    // To the step whose reply holds the terminal's escape sequences, its reply under the cursor.
    t.keys(&["O"]);
    t.wait("the pager", |t| t.screen().contains("PAGER-RAN"));
    assert_eq!(
        t.var("alternate_on"),
        "0",
        "the screen was left for the pager"
    );
    t.keys(&["Enter"]);
    t.wait("the screen again", |t| t.screen().contains("pager `"));
    assert_eq!(t.var("alternate_on"), "1");
    let text = std::fs::read_to_string(&got).unwrap();
    assert!(
        text.starts_with("# os_1 · run agentinstruct_os · turn "),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    t.keys(&["V"]);
    t.wait("the editor's end", |t| t.screen().contains("editor `"));
    let copy = std::fs::read_to_string(&edited).unwrap();
    assert_eq!(copy, text, "the same turn, the same text");
    let mode = std::fs::read_to_string(edited.with_extension("txt.mode")).unwrap();
    assert_eq!(mode.trim(), "444", "read-only");
    let path = std::fs::read_to_string(edited.with_extension("txt.path")).unwrap();
    assert!(!Path::new(path.trim()).exists(), "the copy is removed");
    // Still the review screen: keys work.
    t.keys(&["J"]);
    t.wait("the next trajectory", |t| t.screen().contains("os_2"));
    t.keys(&["q"]);
    t.wait("the exit", |t| t.screen().contains("EXITED:0"));
}
