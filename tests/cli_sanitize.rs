//! Every command in human mode over data, journals, rules and file names full of characters a
//! terminal would act on: none of them reaches stdout or stderr, and the JSON modes still carry
//! the exact strings.
//!
//! Allowed in human output: `\n`, and only as the end of one of trev's own lines (a newline in
//! the data must not start a line: `FAKE-LINE` never begins one). Forbidden: every other C0
//! control (`\t` and `\r` included), DEL, C1 controls, bidi overrides and isolates (U+202A–U+202E,
//! U+2066–U+2069), U+2028 and U+2029.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{json, Value};

/// Everything a terminal acts on, then a newline that would start a fake line.
const NASTY: &str = "\u{1b}]0;title\u{7}\u{1b}[31m\u{202e}\u{2066}\u{2028}\u{2029}\u{9b}\u{85}\u{7f}\u{1}\t\r\nFAKE-LINE";

/// What a rule id may hold (the loader refuses whitespace, so no `\t`, `\n`, U+2028…).
const NASTY_ID: &str = "nasty\u{1b}]0;title\u{7}\u{1b}[31m\u{202e}\u{2066}\u{9b}\u{7f}\u{1}";

fn forbidden(c: char) -> bool {
    (c < ' ' && c != '\n')
        || ('\u{7f}'..='\u{9f}').contains(&c)
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
        || c == '\u{2028}'
        || c == '\u{2029}'
}

/// `bytes` (stdout or stderr of `what`) as text, and what is wrong with it: a forbidden
/// character, or a line that the data started.
fn check_stream(what: &str, stream: &str, bytes: &[u8]) -> (String, Option<String>) {
    let text = match String::from_utf8(bytes.to_vec()) {
        Ok(text) => text,
        Err(e) => {
            return (
                String::new(),
                Some(format!("{what}: {stream} is not UTF-8: {e}")),
            )
        }
    };
    let problem = if let Some(c) = text.chars().find(|&c| forbidden(c)) {
        Some(format!(
            "{what}: {stream} holds {c:?}: {}",
            text.escape_debug()
        ))
    } else {
        text.lines()
            .find(|l| l.starts_with("FAKE-LINE"))
            .map(|l| format!("{what}: a newline from the data started a line in {stream}: {l:?}"))
    };
    (text, problem)
}

/// The test's files: data, journals, rules and an import file, all with nasty names.
struct Setup {
    _home: tempfile::TempDir,
    /// What [`check_stream`] found, reported all at once by [`Setup::finish`].
    problems: std::cell::RefCell<Vec<String>>,
    home: PathBuf,
    data: PathBuf,
    broken: PathBuf,
    ann: PathBuf,
    rules: PathBuf,
    bad_rules: PathBuf,
    import: PathBuf,
}

fn id(n: usize) -> String {
    format!("os_{n}{NASTY}")
}

fn alice() -> String {
    format!("alice{NASTY}")
}

fn bob() -> String {
    format!("bob{NASTY}")
}

/// An OS trajectory: a terminal title and colours in the observation (terminal residue), an
/// action that is not one (invalid-action), `FAKE-LINE` for the user rule.
fn record(n: usize) -> Value {
    json!({
        "id": id(n),
        "conversations": [
            {"from": "human", "value": format!("How many files are in /tmp? {NASTY}")},
            {"from": "gpt", "value": format!("Think: look {NASTY}.\n\nAct: bash\n\n```bash\nls /tmp\n```")},
            {"from": "human", "value": format!("The output of the OS:\n{NASTY}\r\nroot@host:/# ")},
            {"from": "gpt", "value": format!("Act: shrug {NASTY}")},
        ]
    })
}

/// A TOML basic string holding `s` exactly.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

fn jsonl(values: &[Value]) -> String {
    values.iter().map(|v| format!("{v}\n")).collect()
}

impl Setup {
    fn new() -> Setup {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().to_path_buf();
        let data = home.join(format!("data {NASTY}.jsonl"));
        std::fs::write(&data, jsonl(&[record(1), record(2)])).unwrap();
        // A record cut short, then one whose keys say nothing of its shape.
        let broken = home.join(format!("broken {NASTY}.jsonl"));
        let unknown = json!({ NASTY: 1, "x": NASTY });
        std::fs::write(&broken, format!("{{\"id\": \"{}\n{unknown}\n", "x")).unwrap();

        let rules_text = format!(
            "[[rule]]\nid = {}\nseverity = \"error\"\nregex = \"FAKE-LINE\"\nmessage = {}\n",
            toml_string(NASTY_ID),
            toml_string(&format!("{NASTY} {{match}}"))
        );
        let rules = home.join(format!("rules {NASTY}.toml"));
        std::fs::write(&rules, &rules_text).unwrap();
        // The configured rules (agree --with-rules, stats --estimate) are the same.
        std::fs::create_dir_all(home.join("config/trev")).unwrap();
        std::fs::write(home.join("config/trev/rules.toml"), &rules_text).unwrap();
        let bad_rules = home.join(format!("bad {NASTY}.toml"));
        std::fs::write(
            &bad_rules,
            format!(
                "[[rule]]\nid = \"x\"\nseverity = {}\nregex = \"a\"\nmessage = \"m\"\n",
                toml_string(NASTY)
            ),
        )
        .unwrap();

        let ann = home.join(format!("ann {NASTY}"));
        std::fs::create_dir_all(&ann).unwrap();
        let at = "2026-11-22T10:00:00Z";
        let mark = |who: &str, traj: &str, turn: Value, label: &str| {
            json!({"v": 1, "at": at, "annotator": who, "trajectory": traj, "turn": turn,
                   "label": label, "note": format!("note {NASTY}")})
        };
        let alice_lines = jsonl(&[
            mark(&alice(), &id(1), json!(1), "wrong"),
            mark(&alice(), &id(1), json!(3), "wrong"),
            mark(&alice(), &id(2), json!(1), &format!("odd{NASTY}")),
            mark(&alice(), &id(1), Value::Null, "reject"),
        ]);
        std::fs::write(
            ann.join(format!("alice{NASTY}.jsonl")),
            // A line that is not JSON, in the middle.
            format!("{alice_lines}{{\"trajectory\": \"{NASTY}\n{}", alice_lines),
        )
        .unwrap();
        std::fs::write(
            ann.join(format!("bob{NASTY}.jsonl")),
            jsonl(&[
                mark(&bob(), &id(1), json!(1), "wrong"),
                mark(&bob(), &id(1), json!(3), "right"),
                mark(&bob(), &id(2), json!(1), "right"),
                mark(&bob(), &id(1), Value::Null, "accept"),
            ]),
        )
        .unwrap();

        let import = home.join(format!("import {NASTY}.jsonl"));
        let imports = [
            json!({"trajectory": id(2), "turn": 3, "label": "wrong", "note": NASTY}),
            json!({"trajectory": format!("nope{NASTY}"), "turn": 1, "label": "right"}),
            json!({"trajectory": id(2), "turn": 99, "label": "right"}),
            json!({"trajectory": id(2), "turn": 1, "label": "right", "text_hash": "00"}),
            json!({"trajectory": id(2), "turn": NASTY, "label": "right"}),
        ];
        std::fs::write(
            &import,
            format!(
                "{}{{\"trajectory\": \"{NASTY}\n{{\"torn\": \"{NASTY}",
                jsonl(&imports)
            ),
        )
        .unwrap();
        Setup {
            _home: tmp,
            problems: Default::default(),
            home,
            data,
            broken,
            ann,
            rules,
            bad_rules,
            import,
        }
    }

    fn trev(&self) -> assert_cmd::Command {
        let mut cmd = common::trev(&self.home);
        cmd.current_dir(&self.home);
        cmd
    }

    /// Run a human-mode command, check both streams and its exit code; return stdout and
    /// stderr.
    fn human(
        &self,
        what: &str,
        code: i32,
        build: impl FnOnce(&mut assert_cmd::Command),
    ) -> (String, String) {
        let mut cmd = self.trev();
        build(&mut cmd);
        let out: Output = cmd.output().unwrap();
        let stdout = self.clean(what, "stdout", &out.stdout);
        let stderr = self.clean(what, "stderr", &out.stderr);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{what}: exit code\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
        (stdout, stderr)
    }

    fn clean(&self, what: &str, stream: &str, bytes: &[u8]) -> String {
        let (text, problem) = check_stream(what, stream, bytes);
        self.problems.borrow_mut().extend(problem);
        text
    }

    /// Records a problem unless `text` (what `what` printed) shows `visible`.
    fn shows(&self, what: &str, text: &str, visible: &str) {
        if !text.contains(visible) {
            let problem = format!("{what}: {visible:?} is not in {}", text.escape_debug());
            self.problems.borrow_mut().push(problem);
        }
    }

    /// Panics with every problem found.
    fn finish(&self) {
        let problems = self.problems.borrow();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// Run a JSON-mode command: its stderr is human and checked; stdout is returned raw.
    fn json(&self, what: &str, build: impl FnOnce(&mut assert_cmd::Command)) -> Vec<Value> {
        let mut cmd = self.trev();
        build(&mut cmd);
        let out = cmd.output().unwrap();
        self.clean(what, "stderr", &out.stderr);
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{what}: {e}: {l}")))
            .collect()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.home.join(name)
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn check_shows_every_piece_of_data_through_the_sanitiser() {
    let t = Setup::new();
    let (out, err) = t.human("check", 1, |c| {
        c.arg("check")
            .arg(&t.data)
            .arg(&t.broken)
            .arg("--rules")
            .arg(&t.rules);
    });
    t.shows("check", &out, "␛]0;title␇␛[31m⍰⍰⏎⏎⍰⍰␡␁␉␍␊FAKE-LINE");
    t.shows(
        "check (the user rule's id)",
        &out,
        "nasty␛]0;title␇␛[31m⍰⍰⍰␡␁",
    );
    t.shows("check (a diagnostic)", &err, "broken ␛]0;title␇");
    t.human("check --sample", 1, |c| {
        c.arg("check")
            .arg(&t.data)
            .args(["--sample", "1", "--annotations"]);
        c.arg(t.path("sampled"));
    });
    t.human("check, a missing file", 2, |c| {
        c.arg("check")
            .arg(t.path(&format!("missing {NASTY}.jsonl")));
    });
    t.human("check, a bad rules file", 2, |c| {
        c.arg("check").arg(&t.data).arg("--rules").arg(&t.bad_rules);
    });
    t.human("check, an unknown rule", 2, |c| {
        c.arg("check").arg(&t.data).args(["--only", NASTY]);
    });
    t.human("check, a bad argument", 2, |c| {
        c.arg("check").arg(&t.data).args(["--format", NASTY]);
    });

    t.finish();
    let lines = t.json("check --json", |c| {
        c.args(["check", "--json", "--rules"])
            .arg(&t.rules)
            .arg(&t.data);
    });
    let findings: Vec<&Value> = lines.iter().filter(|l| l["type"] == "finding").collect();
    assert!(findings.iter().all(|f| f["file"] == s(&t.data)));
    assert!(findings.iter().any(|f| f["trajectory"] == id(1).as_str()));
    let user = findings.iter().find(|f| f["rule"] == NASTY_ID).unwrap();
    assert_eq!(user["message"], format!("{NASTY} FAKE-LINE"));
    assert!(findings.iter().any(|f| f["excerpt"]
        .as_str()
        .unwrap()
        .contains("\u{1b}]0;title\u{7}")));
    t.finish();
}

#[test]
fn stats_in_every_mode() {
    let t = Setup::new();
    let (out, _) = t.human("stats", 0, |c| {
        c.arg("stats").arg(&t.data).arg(&t.broken);
    });
    t.shows("stats", &out, "data ␛]0;title␇");
    let (out, err) = t.human("stats --annotations", 0, |c| {
        c.arg("stats").arg(&t.data).arg("--annotations").arg(&t.ann);
    });
    t.shows("stats --annotations", &out, "alice␛]0;title␇");
    t.shows(
        "stats --annotations (a journal warning)",
        &err,
        "alice␛]0;title␇",
    );
    t.human("stats --sample", 0, |c| {
        c.arg("stats").arg(&t.data).args(["--sample", "1"]);
    });
    t.human("stats --estimate", 0, |c| {
        c.arg("stats")
            .arg(&t.data)
            .args(["--estimate", "--sample", "2", "--annotations"]);
        c.arg(&t.ann);
    });
    t.human("stats, a missing file", 2, |c| {
        c.arg("stats")
            .arg(t.path(&format!("missing {NASTY}.jsonl")));
    });
    t.human("stats --annotations, missing", 2, |c| {
        c.arg("stats").arg(&t.data).arg("--annotations");
        c.arg(t.path(&format!("missing {NASTY}")));
    });

    t.finish();
    let lines = t.json("stats --json --annotations", |c| {
        c.args(["stats", "--json"])
            .arg(&t.data)
            .arg("--annotations")
            .arg(&t.ann);
    });
    assert!(lines.iter().any(|l| l["file"] == s(&t.data)));
    assert!(lines.iter().any(|l| l["annotator"] == alice().as_str()));
    assert!(lines.iter().any(|l| l["annotator"] == bob().as_str()));
    t.finish();
}

#[test]
fn label_and_import() {
    let t = Setup::new();
    let annotator = "carol\u{202e}\u{2066}\u{2028}";
    let dir = t.path("labels");
    let label = |c: &mut assert_cmd::Command| {
        c.arg("label")
            .arg(&t.data)
            .args(["--annotator", annotator, "--annotations"]);
        c.arg(&dir);
    };
    let (out, _) = t.human("label", 0, |c| {
        label(c);
        c.args([
            "--trajectory",
            &id(1),
            "--turn",
            "1",
            "--set",
            "wrong",
            "--note",
            NASTY,
        ]);
    });
    t.shows("label", &out, "saved carol⍰⍰⏎ os_1␛]0;title␇");
    t.human("label, an unknown trajectory", 2, |c| {
        label(c);
        c.args([
            "--trajectory",
            &format!("nope{NASTY}"),
            "--turn",
            "1",
            "--set",
            "right",
        ]);
    });
    t.human("label, a turn out of range", 2, |c| {
        label(c);
        c.args(["--trajectory", &id(1), "--turn", "99", "--set", "right"]);
    });
    t.human("label, a bad annotator", 2, |c| {
        c.arg("label")
            .arg(&t.data)
            .args(["--annotator", NASTY, "--trajectory", "x"]);
        c.args(["--verdict", "accept"]);
    });
    let (out, err) = t.human("label --import", 2, |c| {
        label(c);
        c.arg("--import").arg(&t.import);
    });
    assert_eq!(out, "saved 1\nsaved 2\n");
    t.shows("label --import", &err, "import ␛]0;title␇");
    t.human("label --import -", 2, |c| {
        c.args(["label", "--annotator", annotator, "--annotations"])
            .arg(&dir);
        c.args(["--import", "-"])
            .write_stdin(std::fs::read(&t.import).unwrap());
    });
    t.human("label --import, a missing file", 2, |c| {
        label(c);
        c.arg("--import")
            .arg(t.path(&format!("missing {NASTY}.jsonl")));
    });

    t.finish();
    let mut replay = trev::labels::Replay::new();
    replay.read_path(&dir).unwrap();
    // The marks, whatever the run (the data file's nasty name).
    let mark = |trajectory: String, turn| {
        replay
            .marks()
            .iter()
            .find(|(k, _)| k.annotator == annotator && k.trajectory == trajectory && k.turn == turn)
            .map(|(_, m)| m.clone())
            .unwrap()
    };
    assert_eq!(mark(id(1), Some(1)).note.as_deref(), Some(NASTY));
    assert_eq!(mark(id(2), Some(3)).note.as_deref(), Some(NASTY));
}

#[test]
fn agree_in_every_mode() {
    let t = Setup::new();
    let (out, err) = t.human("agree", 0, |c| {
        c.arg("agree").arg(&t.ann);
    });
    t.shows("agree", &out, "alice␛]0;title␇");
    t.shows("agree (a label)", &out, "odd␛]0;title␇");
    t.shows("agree (a journal warning)", &err, "alice␛]0;title␇");
    t.human("agree --level trajectory", 0, |c| {
        c.args(["agree", "--level", "trajectory"]).arg(&t.ann);
    });
    let (out, _) = t.human("agree --with-rules", 0, |c| {
        c.arg("agree").arg(&t.ann).arg("--with-rules").arg(&t.data);
    });
    t.shows("agree --with-rules", &out, "nasty␛]0;title␇");
    t.human("agree, a label listed twice", 2, |c| {
        c.arg("agree")
            .arg(&t.ann)
            .args(["--label-set", &format!("{NASTY},{NASTY}")]);
    });
    t.human("agree, a missing journal", 2, |c| {
        c.arg("agree")
            .arg(t.path(&format!("missing {NASTY}.jsonl")));
    });

    t.finish();
    let lines = t.json("agree --json --with-rules", |c| {
        c.args(["agree", "--json"])
            .arg(&t.ann)
            .arg("--with-rules")
            .arg(&t.data);
    });
    let annotators = &lines[0]["annotators"];
    assert!(annotators.as_array().unwrap().contains(&json!(alice())));
    assert!(lines[0]["labels"]
        .as_array()
        .unwrap()
        .contains(&json!(format!("odd{NASTY}"))));
    assert!(
        lines[0]["rules"].get(NASTY_ID).is_some(),
        "{}",
        lines[0]["rules"]
    );
    t.finish();
}

#[test]
fn export_and_review() {
    let t = Setup::new();
    let out = t.path(&format!("gold {NASTY}.jsonl"));
    let labels = t.path("labels.jsonl");
    let (_, err) = t.human("export", 0, |c| {
        c.arg("export")
            .arg(&t.data)
            .arg("--annotations")
            .arg(&t.ann);
        c.args(["--keep-unreviewed", "--out"]).arg(&out);
        c.arg("--labels-out").arg(&labels);
    });
    t.shows("export", &err, "gold ␛]0;title␇");
    t.human("export --dry-run --drop-findings", 0, |c| {
        c.arg("export")
            .arg(&t.data)
            .arg(&t.broken)
            .arg("--annotations")
            .arg(&t.ann);
        c.args([
            "--keep-unreviewed",
            "--dry-run",
            "--drop-findings",
            "error",
            "--rules",
        ]);
        c.arg(&t.rules).arg("--out").arg(t.path("dry.jsonl"));
    });
    t.human("export, an existing output", 2, |c| {
        c.arg("export")
            .arg(&t.data)
            .arg("--annotations")
            .arg(&t.ann);
        c.arg("--out").arg(&out);
    });
    t.human("review without a terminal", 2, |c| {
        c.arg("review").arg(&t.data);
    });
    t.human("review, a missing file", 2, |c| {
        c.arg(t.path(&format!("missing {NASTY}.jsonl")));
    });
    t.human("review, an unknown theme", 2, |c| {
        c.arg("review").arg(&t.data).args(["--theme", NASTY]);
    });
    t.human("review, a bad rules file", 2, |c| {
        c.arg("review")
            .arg(&t.data)
            .arg("--rules")
            .arg(&t.bad_rules);
    });
    t.finish();

    // The kept records are the source's bytes; the labels file keeps the notes exactly.
    let source = std::fs::read_to_string(&t.data).unwrap();
    let gold = std::fs::read_to_string(&out).unwrap();
    assert!(
        gold.lines().all(|l| source.lines().any(|s| s == l)),
        "{gold}"
    );
    assert!(!gold.is_empty());
    let rows: Vec<Value> = std::fs::read_to_string(&labels)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let note = format!("{}: note {NASTY}", alice());
    assert!(rows
        .iter()
        .any(|r| r["notes"].as_array().unwrap().contains(&json!(note))));
}
