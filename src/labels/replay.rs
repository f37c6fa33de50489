//! Replaying journals: later lines win, `null` labels clear, a torn last line is skipped with a
//! warning. Any JSONL whose lines have `trajectory`, `turn`, `label` and `annotator` is a
//! journal (a model judge's verdicts join this way).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::Event;
use crate::diag::{Diagnostic, Level};

/// What a mark is on: an annotator's label on a turn, or (`turn: None`) their verdict on a
/// whole trajectory.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MarkKey {
    pub annotator: String,
    /// The run the line names, if any (see [`super::resolve`]).
    pub run: Option<String>,
    pub trajectory: String,
    pub turn: Option<usize>,
}

/// The current state of one item after replay (cleared items have no `Mark`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mark {
    pub label: String,
    pub at: String,
    pub note: Option<String>,
    pub text_hash: Option<String>,
    /// Why the turn is wrong (a category name, kept even when not in the set in use).
    pub category: Option<String>,
    /// The category set's `NAME@VERSION` the line recorded.
    pub categories: Option<String>,
    pub severity: Option<String>,
    pub decisive: bool,
    /// On adjudications: why the annotators disagreed.
    pub cause: Option<String>,
}

impl Mark {
    /// The state `event` leaves its item in (`None`: cleared).
    pub fn of(event: &Event) -> Option<Mark> {
        Some(Mark {
            label: event.label.clone()?,
            at: event.at.clone(),
            note: event.note.clone(),
            text_hash: event.text_hash.clone(),
            category: event.category.clone(),
            categories: event.categories.clone(),
            severity: event.severity.clone(),
            decisive: event.decisive,
            cause: event.cause.clone(),
        })
    }
}

impl Mark {
    /// The turn text changed since the mark was made (`false` when the line had no hash).
    pub fn is_stale(&self, current_hash: &str) -> bool {
        self.text_hash.as_deref().is_some_and(|h| h != current_hash)
    }
}

/// The marks of any number of journals, replayed in the order read.
#[derive(Debug, Default)]
pub struct Replay {
    marks: BTreeMap<MarkKey, Mark>,
    /// Adjudications (lines with `"kind": "adjudication"`), by adjudicator and item.
    adjudications: BTreeMap<MarkKey, Mark>,
    /// Where each category name was first seen: file and line.
    category_seen: BTreeMap<String, (Arc<Path>, usize)>,
    /// Timestamps (seconds since the epoch) of every event, per annotator, in line order.
    times: BTreeMap<String, Vec<i64>>,
    warnings: Vec<Diagnostic>,
    events: usize,
}

impl Replay {
    pub fn new() -> Replay {
        Replay::default()
    }

    /// Read a journal file, or every `*.jsonl` file of a directory (sorted by name).
    pub fn read_path(&mut self, path: &Path) -> io::Result<()> {
        if path.is_dir() {
            for file in journal_files(path)? {
                self.read_file(&file)?;
            }
            Ok(())
        } else {
            self.read_file(path)
        }
    }

    /// Read one journal file. An unreadable file is an error; bad lines are warnings.
    pub fn read_file(&mut self, path: &Path) -> io::Result<()> {
        let bytes = std::fs::read(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        let fallback = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.read_bytes(&bytes, &Arc::from(path), &fallback);
        Ok(())
    }

    /// Replay journal text read from `file`. Lines without `annotator` are `fallback`'s.
    pub fn read_str(&mut self, text: &str, file: &Arc<Path>, fallback: &str) {
        self.read_bytes(text.as_bytes(), file, fallback);
    }

    /// Replay a journal's bytes read from `file`, line by line: a line that is not UTF-8 or
    /// not an event is a warning naming `file:line`, and the next line is read.
    pub fn read_bytes(&mut self, bytes: &[u8], file: &Arc<Path>, fallback: &str) {
        let terminated = bytes.last().is_none_or(|&b| b == b'\n');
        let mut lines = bytes
            .split_inclusive(|&b| b == b'\n')
            .enumerate()
            .peekable();
        while let Some((i, raw)) = lines.next() {
            let end = raw
                .iter()
                .rposition(|b| !matches!(b, b'\n' | b'\r'))
                .map_or(0, |p| p + 1);
            let last = lines.peek().is_none();
            let parsed = match std::str::from_utf8(&raw[..end]) {
                Ok(line) if line.trim().is_empty() => continue,
                Ok(line) => parse_line(line, fallback),
                Err(e) => Err(format!(
                    "not UTF-8 (an invalid byte at column {})",
                    e.valid_up_to() + 1
                )),
            };
            match parsed {
                Ok(event) => {
                    if let Some(c) = &event.category {
                        if !self.category_seen.contains_key(c) {
                            self.category_seen.insert(c.clone(), (file.clone(), i + 1));
                        }
                    }
                    self.apply(&event)
                }
                Err(_) if last && !terminated => self.warn(
                    file,
                    i + 1,
                    "torn last line (no newline at the end: the writer stopped mid-line); skipped"
                        .to_string(),
                ),
                Err(message) => self.warn(file, i + 1, format!("{message}; line skipped")),
            }
        }
    }

    /// Apply one event: set or clear its item.
    pub fn apply(&mut self, event: &Event) {
        if let Some(t) = super::time::parse_rfc3339(&event.at) {
            self.times
                .entry(event.annotator.clone())
                .or_default()
                .push(t);
        }
        self.events += 1;
        let map = if event.is_adjudication() {
            &mut self.adjudications
        } else {
            &mut self.marks
        };
        match Mark::of(event) {
            Some(mark) => {
                map.insert(event.key(), mark);
            }
            None => {
                map.remove(&event.key());
            }
        }
    }

    /// The current adjudications, by adjudicator and item.
    pub fn adjudications(&self) -> &BTreeMap<MarkKey, Mark> {
        &self.adjudications
    }

    /// The current state of `key`, among adjudications when `adjudication`, else marks.
    pub fn get_in(&self, key: &MarkKey, adjudication: bool) -> Option<&Mark> {
        if adjudication {
            self.adjudications.get(key)
        } else {
            self.marks.get(key)
        }
    }

    /// A warning for each category name read that `known` does not name, at the `file:line`
    /// where it was first seen (the marks keep it: another team's set is not dropped).
    pub fn unknown_categories(&self, known: &dyn Fn(&str) -> bool, set: &str) -> Vec<Diagnostic> {
        self.category_seen
            .iter()
            .filter(|(c, _)| !known(c))
            .map(|(c, (file, line))| Diagnostic {
                file: file.clone(),
                line: u32::try_from(*line).unwrap_or(u32::MAX),
                column: 0,
                level: Level::Warning,
                message: format!("category '{c}' is not in the category set {set}; kept as it is"),
            })
            .collect()
    }

    fn warn(&mut self, file: &Arc<Path>, line: usize, message: String) {
        self.warnings.push(Diagnostic {
            file: file.clone(),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: 0,
            level: Level::Warning,
            message,
        });
    }

    /// The current marks, sorted by annotator, trajectory and turn (verdicts first).
    pub fn marks(&self) -> &BTreeMap<MarkKey, Mark> {
        &self.marks
    }

    pub fn get(&self, key: &MarkKey) -> Option<&Mark> {
        self.marks.get(key)
    }

    /// Bad lines met so far, as `file:line` warnings.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Events applied (lines read and kept).
    pub fn events(&self) -> usize {
        self.events
    }

    /// Median seconds between an annotator's consecutive events (sorted by time), or `None`
    /// with fewer than two timed events.
    pub fn pace(&self, annotator: &str) -> Option<f64> {
        let mut times = self.times.get(annotator)?.clone();
        times.sort_unstable();
        let mut gaps: Vec<i64> = times.windows(2).map(|w| w[1] - w[0]).collect();
        if gaps.is_empty() {
            return None;
        }
        gaps.sort_unstable();
        let n = gaps.len();
        Some(if n % 2 == 1 {
            gaps[n / 2] as f64
        } else {
            (gaps[n / 2 - 1] + gaps[n / 2]) as f64 / 2.0
        })
    }
}

/// The `*.jsonl` files of a directory, sorted by name (hidden files skipped).
pub fn journal_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
    for entry in entries {
        let path = entry?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let hidden = name.as_deref().is_some_and(|n| n.starts_with('.'));
        if !hidden && path.is_file() && path.extension().is_some_and(|e| e == "jsonl") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The longest journal line read, in bytes (a mark with a long note is a few kilobytes).
pub const MAX_LINE: usize = 1 << 20;

/// The largest turn index read: no trajectory has more turns, and it fits every `usize`.
pub const MAX_TURN: u64 = u32::MAX as u64;

/// Read one line leniently: `trajectory` (string or integer), `turn` (integer or null),
/// `label` (string or null) are required; `annotator` defaults to `fallback`; `v`, `at`,
/// `note` and `text_hash` may be missing or null. A field of the wrong type, a timestamp that
/// is not RFC 3339 (or not a real date), a `v` other than [`super::VERSION`], an empty
/// annotator or label, NUL bytes and lines over [`MAX_LINE`] bytes are errors.
pub fn parse_line(line: &str, fallback: &str) -> Result<Event, String> {
    if line.len() > MAX_LINE {
        return Err(format!(
            "the line is {} bytes, over the {} KiB a journal line may have",
            line.len(),
            MAX_LINE >> 10
        ));
    }
    if let Some(at) = memchr::memchr(0, line.as_bytes()) {
        return Err(format!(
            "a NUL byte at column {} (a file filled with zeros by a crash?)",
            at + 1
        ));
    }
    let value: Value = serde_json::from_str(line).map_err(|e| {
        let message = e.to_string();
        match message.rfind(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        }
    })?;
    let Value::Object(obj) = value else {
        return Err("not a JSON object".to_string());
    };
    let present = |key: &str| obj.get(key).filter(|v| !v.is_null());
    let v = match present("v") {
        None => super::VERSION,
        Some(Value::Number(n)) if n.as_u64() == Some(u64::from(super::VERSION)) => super::VERSION,
        Some(other) => {
            return Err(format!(
                "`v` is {}, a journal version this trev does not know (it reads {})",
                short(other),
                super::VERSION
            ))
        }
    };
    let trajectory = match obj.get("trajectory") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) if n.is_u64() || n.is_i64() => n.to_string(),
        Some(_) => return Err("`trajectory` is not a string".to_string()),
        None => return Err("no `trajectory`".to_string()),
    };
    let turn = match obj.get("turn") {
        Some(Value::Null) => None,
        Some(Value::Number(n)) if n.is_u64() => match n.as_u64().filter(|&t| t <= MAX_TURN) {
            Some(t) => Some(usize::try_from(t).map_err(|_| "`turn` is out of range")?),
            None => return Err(format!("`turn` {n} is out of range (at most {MAX_TURN})")),
        },
        Some(_) => return Err("`turn` is not a turn index or null".to_string()),
        None => return Err("no `turn` (use null for a verdict on the trajectory)".to_string()),
    };
    let label = match obj.get("label") {
        Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => {
            return Err("`label` is empty (use null to clear)".to_string())
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("`label` is not a string or null".to_string()),
        None => return Err("no `label` (use null to clear)".to_string()),
    };
    let annotator = match obj.get("annotator") {
        Some(Value::String(s)) if s.trim().is_empty() => {
            return Err("`annotator` is empty".to_string())
        }
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => fallback.to_string(),
        Some(_) => return Err("`annotator` is not a name".to_string()),
    };
    let text = |key: &str| match present(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("`{key}` is not a string")),
    };
    let at = text("at")?.unwrap_or_default();
    if present("at").is_some() {
        if let Err(why) = super::time::parse(&at) {
            return Err(format!(
                "`at` is not an RFC 3339 timestamp like 2026-11-22T10:04:05Z: {why}"
            ));
        }
    }
    let run = text("run")?.filter(|r| !r.is_empty());
    let decisive = match present("decisive") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("`decisive` is not true or false".to_string()),
    };
    let kind = text("kind")?;
    if let Some(k) = kind.as_deref().filter(|&k| k != super::ADJUDICATION) {
        return Err(format!(
            "`kind` is '{k}', not one this trev knows (only \"adjudication\")"
        ));
    }
    Ok(Event {
        v,
        at,
        annotator,
        run,
        trajectory,
        turn,
        label,
        category: text("category")?.filter(|c| !c.is_empty()),
        severity: text("severity")?.filter(|c| !c.is_empty()),
        decisive,
        categories: text("categories")?,
        note: text("note")?,
        text_hash: text("text_hash")?,
        kind,
        cause: text("cause")?,
    })
}

/// A JSON value in a message: short, and its type when it is not a number.
fn short(value: &Value) -> String {
    match value {
        Value::Number(n) => n.to_string(),
        Value::String(_) => "a string".to_string(),
        Value::Bool(_) => "a boolean".to_string(),
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
        Value::Null => "null".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replay(text: &str) -> Replay {
        let mut r = Replay::new();
        r.read_str(text, &Arc::from(Path::new("alice.jsonl")), "alice");
        r
    }

    fn key(annotator: &str, trajectory: &str, turn: Option<usize>) -> MarkKey {
        MarkKey {
            annotator: annotator.into(),
            run: None,
            trajectory: trajectory.into(),
            turn,
        }
    }

    #[test]
    fn later_lines_win_and_null_clears() {
        let r = replay(concat!(
            r#"{"v":1,"at":"2026-11-22T10:00:00Z","annotator":"alice","trajectory":"t","turn":1,"label":"right"}"#,
            "\n",
            r#"{"v":1,"at":"2026-11-22T10:00:05Z","annotator":"alice","trajectory":"t","turn":1,"label":"wrong","note":"n"}"#,
            "\n",
            r#"{"v":1,"at":"2026-11-22T10:00:09Z","annotator":"alice","trajectory":"t","turn":2,"label":"right"}"#,
            "\n",
            r#"{"v":1,"at":"2026-11-22T10:00:10Z","annotator":"alice","trajectory":"t","turn":2,"label":null}"#,
            "\n",
            r#"{"v":1,"at":"2026-11-22T10:00:20Z","annotator":"alice","trajectory":"t","turn":null,"label":"accept"}"#,
            "\n",
        ));
        assert!(r.warnings().is_empty());
        assert_eq!(r.marks().len(), 2);
        let m = r.get(&key("alice", "t", Some(1))).unwrap();
        assert_eq!((m.label.as_str(), m.note.as_deref()), ("wrong", Some("n")));
        assert!(r.get(&key("alice", "t", Some(2))).is_none());
        assert_eq!(r.get(&key("alice", "t", None)).unwrap().label, "accept");
        // Gaps 5, 4, 1, 10 → median 4.5.
        assert_eq!(r.pace("alice"), Some(4.5));
    }

    #[test]
    fn old_lines_read_as_before_and_unknown_categories_are_kept_with_a_warning() {
        let r = replay(concat!(
            r#"{"trajectory":"t","turn":1,"label":"right"}"#,
            "\n",
            r#"{"trajectory":"t","turn":2,"label":"wrong","category":"acme-thing","categories":"acme@2"}"#,
            "\n",
            r#"{"trajectory":"t","turn":3,"label":"wrong","kind":"review"}"#,
            "\n",
            r#"{"trajectory":"t","turn":4,"label":"wrong","decisive":"yes"}"#,
            "\n",
        ));
        assert_eq!(r.marks().len(), 2);
        assert_eq!(
            r.get(&key("alice", "t", Some(2)))
                .unwrap()
                .category
                .as_deref(),
            Some("acme-thing")
        );
        let w: Vec<String> = r.warnings().iter().map(|d| d.to_string()).collect();
        assert!(w[0].starts_with("alice.jsonl:3: warning: `kind`"), "{w:?}");
        assert!(
            w[1].starts_with("alice.jsonl:4: warning: `decisive`"),
            "{w:?}"
        );
        let set = super::super::categories::CategorySet::default();
        let unknown = r.unknown_categories(&|c| set.contains(c), &set.tag());
        assert_eq!(unknown.len(), 1);
        let u = unknown[0].to_string();
        assert!(
            u.starts_with("alice.jsonl:2: warning: category 'acme-thing'"),
            "{u}"
        );
    }

    #[test]
    fn a_torn_last_line_is_skipped_with_a_warning() {
        let r = replay(concat!(
            r#"{"trajectory":"t","turn":1,"label":"right","annotator":"alice"}"#,
            "\n",
            r#"{"trajectory":"t","turn":2,"lab"#,
        ));
        assert_eq!(r.marks().len(), 1);
        assert_eq!(r.warnings().len(), 1);
        let w = r.warnings()[0].to_string();
        assert!(
            w.starts_with("alice.jsonl:2: warning: torn last line"),
            "{w}"
        );
    }

    #[test]
    fn a_complete_last_line_without_newline_is_kept() {
        let r = replay(r#"{"trajectory":"t","turn":1,"label":"right","annotator":"alice"}"#);
        assert_eq!(r.marks().len(), 1);
        assert!(r.warnings().is_empty());
    }

    #[test]
    fn malformed_lines_elsewhere_are_warnings_with_file_and_line() {
        let r = replay(concat!(
            "{not json\n",
            "\n",
            r#"{"trajectory":"t","label":"right"}"#,
            "\n",
            r#"{"trajectory":"t","turn":"x","label":"right"}"#,
            "\n",
            r#"{"trajectory":7,"turn":0,"label":"right"}"#,
            "\n",
        ));
        let w: Vec<String> = r.warnings().iter().map(|d| d.to_string()).collect();
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(w[0].starts_with("alice.jsonl:1: warning: "), "{w:?}");
        assert!(
            w[1].starts_with("alice.jsonl:3: warning: no `turn`"),
            "{w:?}"
        );
        assert!(w[2].starts_with("alice.jsonl:4: warning: `turn`"), "{w:?}");
        // A judge's file without `annotator` is the file's; numeric ids are read as text.
        assert_eq!(r.get(&key("alice", "7", Some(0))).unwrap().label, "right");
    }

    #[test]
    fn every_unreadable_line_is_skipped_with_its_line_and_the_rest_is_read() {
        let good = |turn: usize| {
            format!(
                r#"{{"v":1,"at":"2026-11-22T10:04:05Z","annotator":"alice","trajectory":"t","turn":{turn},"label":"right"}}"#
            )
        };
        let huge_note = format!(
            r#"{{"trajectory":"t","turn":1,"label":"right","note":"{}"}}"#,
            "x".repeat(10 << 20)
        );
        let bad: Vec<(Vec<u8>, &str)> = vec![
            (b"{\"trajectory\":".to_vec(), "EOF while parsing"),
            (
                br#"{"trajectory":"t","turn":1,"label":"right","at":"2026-11-22T10:04:05\u00e9abcd"}"#.to_vec(),
                "`at` is not an RFC 3339 timestamp",
            ),
            (
                br#"{"trajectory":"t","turn":1,"label":"right","at":"2026-02-31T10:04:05Z"}"#.to_vec(),
                "2026-02 has no day 31",
            ),
            (
                br#"{"trajectory":"t","turn":1,"label":"right","at":7}"#.to_vec(),
                "`at` is not a string",
            ),
            (
                br#"{"trajectory":"t","turn":1,"label":"right","note":["n"]}"#.to_vec(),
                "`note` is not a string",
            ),
            (
                br#"{"trajectory":"t","turn":1,"label":"right","text_hash":false}"#.to_vec(),
                "`text_hash` is not a string",
            ),
            (
                br#"{"trajectory":{},"turn":1,"label":"right"}"#.to_vec(),
                "`trajectory` is not a string",
            ),
            (
                br#"{"trajectory":"t","turn":-1,"label":"right"}"#.to_vec(),
                "`turn` is not a turn index",
            ),
            (
                br#"{"trajectory":"t","turn":18446744073709551615,"label":"right"}"#.to_vec(),
                "`turn` 18446744073709551615 is out of range",
            ),
            (
                br#"{"trajectory":"t","turn":1e400,"label":"right"}"#.to_vec(),
                "number out of range",
            ),
            (
                br#"{"trajectory":"t","turn":1.5,"label":"right"}"#.to_vec(),
                "`turn` is not a turn index",
            ),
            (
                br#"{"trajectory":"t","turn":1,"label":true}"#.to_vec(),
                "`label` is not a string",
            ),
            (
                br#"{"trajectory":"t","turn":1,"label":""}"#.to_vec(),
                "`label` is empty",
            ),
            (
                br#"{"trajectory":"t","turn":1,"label":"right","annotator":""}"#.to_vec(),
                "`annotator` is empty",
            ),
            (
                br#"{"trajectory":"t","turn":1,"label":"right","annotator":7}"#.to_vec(),
                "`annotator` is not a name",
            ),
            (
                br#"{"v":2,"trajectory":"t","turn":1,"label":"right"}"#.to_vec(),
                "`v` is 2, a journal version this trev does not know",
            ),
            (
                br#"{"v":"1","trajectory":"t","turn":1,"label":"right"}"#.to_vec(),
                "`v` is a string",
            ),
            (b"\0\0\0\0\0\0".to_vec(), "a NUL byte at column 1"),
            (
                b"{\"trajectory\":\"t\xff\",\"turn\":1,\"label\":\"right\"}".to_vec(),
                "not UTF-8 (an invalid byte at column 17)",
            ),
            (huge_note.into_bytes(), "over the 1024 KiB a journal line may have"),
            (b"[1,2]".to_vec(), "not a JSON object"),
            (
                format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
                "recursion limit exceeded",
            ),
        ];
        let mut text = Vec::new();
        for (i, (line, _)) in bad.iter().enumerate() {
            text.extend_from_slice(good(i).as_bytes());
            text.push(b'\n');
            text.extend_from_slice(line);
            text.push(b'\n');
        }
        let mut r = Replay::new();
        r.read_bytes(&text, &Arc::from(Path::new("alice.jsonl")), "alice");
        let w: Vec<String> = r.warnings().iter().map(|d| d.to_string()).collect();
        assert_eq!(w.len(), bad.len(), "{w:#?}");
        for (i, (_, why)) in bad.iter().enumerate() {
            let at = format!("alice.jsonl:{}: warning: ", 2 * i + 2);
            assert!(
                w[i].starts_with(&at) && w[i].contains(why),
                "{at} {why}: {}",
                w[i]
            );
            assert!(w[i].ends_with("; line skipped"), "{}", w[i]);
            assert!(w[i].len() < 300, "short messages: {}", w[i]);
        }
        assert_eq!(r.events(), bad.len(), "every good line between is read");
        assert_eq!(r.marks().len(), bad.len());
    }

    #[test]
    fn a_line_torn_inside_a_character_is_a_torn_line() {
        let mut text = br#"{"trajectory":"t","turn":1,"label":"right"}"#.to_vec();
        text.extend_from_slice(b"\n{\"trajectory\":\"\xc3");
        let mut r = Replay::new();
        r.read_bytes(&text, &Arc::from(Path::new("a.jsonl")), "a");
        assert_eq!(r.events(), 1);
        let w = r.warnings()[0].to_string();
        assert!(w.starts_with("a.jsonl:2: warning: torn last line"), "{w}");
    }

    #[test]
    fn what_was_accepted_still_is() {
        let r = replay(concat!(
            r#"{"trajectory":"t","turn":1,"label":"right","at":"2026-11-22T11:04:05.123+01:00"}"#,
            "\n",
            r#"{"trajectory":"t","turn":2,"label":"right","at":null,"v":null,"note":null}"#,
            "\n",
            r#"{"trajectory":-3,"turn":4294967295,"label":"wrong","annotator":null,"v":1}"#,
            "\n",
            r#"{"trajectory":"t","turn":3,"label":"right","at":"2026-11-22 10:04:05z"}"#,
            "\r\n",
        ));
        assert!(r.warnings().is_empty(), "{:?}", r.warnings());
        assert_eq!(r.events(), 4);
        assert_eq!(
            r.get(&key("alice", "-3", Some(4_294_967_295)))
                .unwrap()
                .label,
            "wrong"
        );
        assert_eq!(r.pace("alice"), Some(0.0));
    }

    #[test]
    fn stale_marks_are_detected_by_hash() {
        let hash = super::super::text_hash("ls -la");
        let line = format!(
            r#"{{"trajectory":"t","turn":1,"label":"right","annotator":"a","text_hash":"{hash}"}}"#
        );
        let r = replay(&line);
        let m = r.get(&key("a", "t", Some(1))).unwrap();
        assert!(!m.is_stale(&super::super::text_hash("ls -la")));
        assert!(m.is_stale(&super::super::text_hash("ls -l")));
    }
}
