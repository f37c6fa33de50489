//! Labels: the annotation journal (one append-only JSONL file per annotator), its events,
//! replaying journals into the current marks, annotators' votes combined, and label progress
//! over a dataset.

pub mod categories;
pub mod journal;
pub mod progress;
pub mod replay;
pub mod resolve;
pub mod time;
pub mod votes;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use journal::{Journal, JournalError};
pub use replay::{Mark, MarkKey, Replay};

/// The journal format version written in every line's `v`.
pub const VERSION: u32 = 1;

/// One line of a journal: a mark set (or cleared) on a turn, or a verdict on a whole
/// trajectory (`turn: None`, label `accept`/`reject`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub v: u32,
    /// UTC, RFC 3339 with seconds (`2026-11-22T10:04:05Z`).
    pub at: String,
    pub annotator: String,
    /// The run of the trajectory (its file's name, or `NAME` of `NAME=PATH`); `None` in lines
    /// written before runs or by tools that do not know them (see [`resolve`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    pub trajectory: String,
    /// The turn index, or `None` for a verdict on the whole trajectory.
    pub turn: Option<usize>,
    /// `right`/`wrong` on turns, `accept`/`reject` on trajectories; `None` clears.
    pub label: Option<String>,
    /// Why a `wrong` turn is wrong: a name from the category set ([`categories`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// `minor`, `major` or `critical` (on `wrong` turns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// The first wrong turn that made the trajectory fail.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub decisive: bool,
    /// The category set the `category` is from, as `NAME@VERSION` (`default@1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Hex SHA-256 of the turn text when the mark was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_hash: Option<String>,
    /// `adjudication` on a line written while settling disagreements (its label, category
    /// and note are the gold answer); `None` on ordinary marks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// On adjudication lines: why the annotators disagreed (`guideline-gap`, `ambiguous`,
    /// `annotator-error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

/// The `kind` of an adjudication line.
pub const ADJUDICATION: &str = "adjudication";

/// Severities of a wrong turn, mildest first.
pub const SEVERITIES: [&str; 3] = ["minor", "major", "critical"];

/// Why annotators disagreed, as an adjudicator records it.
pub const CAUSES: [&str; 3] = ["guideline-gap", "ambiguous", "annotator-error"];

impl Event {
    /// An event stamped now.
    pub fn now(
        annotator: &str,
        trajectory: &str,
        turn: Option<usize>,
        label: Option<&str>,
    ) -> Event {
        Event {
            v: VERSION,
            at: time::now_rfc3339(),
            annotator: annotator.to_string(),
            run: None,
            trajectory: trajectory.to_string(),
            turn,
            label: label.map(str::to_string),
            category: None,
            severity: None,
            decisive: false,
            categories: None,
            note: None,
            text_hash: None,
            kind: None,
            cause: None,
        }
    }

    /// A line written while settling disagreements.
    pub fn is_adjudication(&self) -> bool {
        self.kind.as_deref() == Some(ADJUDICATION)
    }

    /// The event with the category (and the set's `NAME@VERSION`) of a wrong turn.
    pub fn with_category(mut self, category: Option<&str>, set: &str) -> Event {
        self.category = category.map(str::to_string);
        self.categories = category.map(|_| set.to_string());
        self
    }

    /// The event carrying what `mark` says besides its label (note, category, severity,
    /// decisive, cause).
    pub fn with_details_of(mut self, mark: &Mark) -> Event {
        self.note.clone_from(&mark.note);
        self.category.clone_from(&mark.category);
        self.categories.clone_from(&mark.categories);
        self.severity.clone_from(&mark.severity);
        self.decisive = mark.decisive;
        self.cause.clone_from(&mark.cause);
        self
    }

    /// The event, on the trajectory of `run`.
    pub fn in_run(mut self, run: &str) -> Event {
        self.run = Some(run.to_string());
        self
    }

    pub fn key(&self) -> MarkKey {
        MarkKey {
            annotator: self.annotator.clone(),
            run: self.run.clone(),
            trajectory: self.trajectory.clone(),
            turn: self.turn,
        }
    }
}

/// Labels a person can put on a turn.
pub const TURN_LABELS: [&str; 2] = ["right", "wrong"];
/// Verdicts a person can give a whole trajectory.
pub const VERDICTS: [&str; 2] = ["accept", "reject"];

/// Hex SHA-256 of a turn's text: lets trev see that the data changed under a label.
pub fn text_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// A safe file name for an annotator's journal: letters, digits, `-`, `_` and `.` are kept,
/// anything else becomes `_`; a name that would be empty or hidden gets a leading `_`.
pub fn journal_file_name(annotator: &str) -> String {
    let mut name: String = annotator
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.starts_with('.') {
        name.insert(0, '_');
    }
    name.push_str(".jsonl");
    name
}

/// The journal path of `annotator` in `dir`.
pub fn journal_path(dir: &Path, annotator: &str) -> PathBuf {
    dir.join(journal_file_name(annotator))
}

/// Where journals go when `--annotations` is not given: the user's data directory
/// (`$XDG_DATA_HOME/trev/annotations` on Linux), which is writable even when the data sits in a
/// read-only place.
pub fn default_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "trev").map(|d| d.data_dir().join("annotations"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_hash_is_hex_sha256() {
        assert_eq!(
            text_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn annotator_names_become_safe_file_names() {
        assert_eq!(journal_file_name("alice"), "alice.jsonl");
        assert_eq!(journal_file_name("../etc/passwd"), "_.._etc_passwd.jsonl");
        assert_eq!(journal_file_name(""), "_.jsonl");
        assert_eq!(journal_file_name("gpt-4o judge"), "gpt-4o_judge.jsonl");
    }

    #[test]
    fn events_serialise_in_the_documented_key_order() {
        let mut e = Event::now("alice", "os_42", Some(3), Some("wrong"));
        e.at = "2026-11-22T10:04:05Z".into();
        e.note = Some("answered before checking".into());
        e.text_hash = Some("9f2c".into());
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"v":1,"at":"2026-11-22T10:04:05Z","annotator":"alice","trajectory":"os_42","turn":3,"label":"wrong","note":"answered before checking","text_hash":"9f2c"}"#
        );
        let e = e.in_run("agentinstruct_os");
        assert!(serde_json::to_string(&e)
            .unwrap()
            .starts_with(r#"{"v":1,"at":"2026-11-22T10:04:05Z","annotator":"alice","run":"agentinstruct_os","trajectory":"os_42","#));
        let clear = Event::now("a", "t", None, None);
        let line = serde_json::to_string(&clear).unwrap();
        assert!(line.contains(r#""turn":null,"label":null"#), "{line}");
    }
}
