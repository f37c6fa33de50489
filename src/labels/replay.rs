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
    pub trajectory: String,
    pub turn: Option<usize>,
}

/// The current state of one item after replay (cleared items have no `Mark`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub label: String,
    pub at: String,
    pub note: Option<String>,
    pub text_hash: Option<String>,
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
        let text = String::from_utf8_lossy(&bytes);
        let fallback = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.read_str(&text, &Arc::from(path), &fallback);
        Ok(())
    }

    /// Replay journal text read from `file`. Lines without `annotator` are `fallback`'s.
    pub fn read_str(&mut self, text: &str, file: &Arc<Path>, fallback: &str) {
        let terminated = text.is_empty() || text.ends_with('\n');
        let mut lines = text.split_inclusive('\n').enumerate().peekable();
        while let Some((i, raw)) = lines.next() {
            let line = raw.trim_end_matches(['\n', '\r']);
            if line.trim().is_empty() {
                continue;
            }
            let last = lines.peek().is_none();
            match parse_line(line, fallback) {
                Ok(event) => self.apply(&event),
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
        match &event.label {
            Some(label) => {
                let mark = Mark {
                    label: label.clone(),
                    at: event.at.clone(),
                    note: event.note.clone(),
                    text_hash: event.text_hash.clone(),
                };
                self.marks.insert(event.key(), mark);
            }
            None => {
                self.marks.remove(&event.key());
            }
        }
    }

    fn warn(&mut self, file: &Arc<Path>, line: usize, message: String) {
        self.warnings.push(Diagnostic {
            file: file.clone(),
            line: line as u32,
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

/// Read one line leniently: `trajectory` (string or integer), `turn` (integer or null),
/// `label` (string or null) are required; `annotator` defaults to `fallback`.
pub fn parse_line(line: &str, fallback: &str) -> Result<Event, String> {
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
    let trajectory = match obj.get("trajectory") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) if n.is_u64() || n.is_i64() => n.to_string(),
        Some(_) => return Err("`trajectory` is not a string".to_string()),
        None => return Err("no `trajectory`".to_string()),
    };
    let turn = match obj.get("turn") {
        Some(Value::Null) => None,
        Some(Value::Number(n)) if n.is_u64() => Some(n.as_u64().unwrap_or(0) as usize),
        Some(_) => return Err("`turn` is not a turn index or null".to_string()),
        None => return Err("no `turn` (use null for a verdict on the trajectory)".to_string()),
    };
    let label = match obj.get("label") {
        Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("`label` is not a string or null".to_string()),
        None => return Err("no `label` (use null to clear)".to_string()),
    };
    let annotator = match obj.get("annotator") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        None | Some(Value::Null) => fallback.to_string(),
        Some(_) => return Err("`annotator` is not a name".to_string()),
    };
    let text = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_string);
    Ok(Event {
        v: obj
            .get("v")
            .and_then(Value::as_u64)
            .map_or(super::VERSION, |v| v as u32),
        at: text("at").unwrap_or_default(),
        annotator,
        trajectory,
        turn,
        label,
        note: text("note"),
        text_hash: text("text_hash"),
    })
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
