//! What pairs two trajectories (the task key) and what makes two steps the same (the step's
//! action key).
//!
//! The task key is the format's task id — an AgentBench episode's `index`, a record's
//! `instance_id` or `task_id` — else the trajectory id; `--key FIELD` reads a field of the
//! record instead (a dotted path into objects: `output.index`), and `--key-regex` keeps the
//! part of the key its first group (else its whole match) matches.

use std::hash::{Hash, Hasher};

use regex::Regex;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::model::{Format, Trajectory};
use crate::rules;

/// How the task key is read.
#[derive(Debug, Clone, Default)]
pub struct KeySpec {
    /// A field of the record (dotted path), instead of the format's task id.
    pub field: Option<String>,
    /// Keep the part of the key this matches (its first group, else the whole match).
    pub regex: Option<Regex>,
}

impl KeySpec {
    /// Whether the record's own text is needed (to read a field of it).
    pub fn needs_record(&self, format: Format) -> bool {
        self.field.is_some() || matches!(format, Format::AgentBench | Format::SweAgentRows)
    }

    /// The task key of `t`, whose record's text is `record` (may be empty when
    /// [`KeySpec::needs_record`] is false). `None` when `--key`'s field is absent or the
    /// regex does not match: the trajectory is then left out, with a warning.
    pub fn key(&self, t: &Trajectory, record: &[u8]) -> Option<String> {
        let base = match &self.field {
            Some(field) => field_text(record, field)?,
            None => default_key(t, record),
        };
        match &self.regex {
            None => Some(base),
            Some(re) => {
                let caps = re.captures(&base)?;
                let m = caps.get(1).or_else(|| caps.get(0))?;
                Some(m.as_str().to_string())
            }
        }
    }
}

/// The format's task id, else the trajectory id.
fn default_key(t: &Trajectory, record: &[u8]) -> String {
    let fields: &[&str] = match t.format {
        Format::AgentBench => &["index", "output.index"],
        Format::SweAgentRows => &["instance_id", "task_id"],
        _ => &[],
    };
    fields
        .iter()
        .find_map(|f| field_text(record, f))
        .unwrap_or_else(|| t.id.clone())
}

/// A scalar field of a JSON record (dotted path) as text: a string as is, a number or a
/// boolean as written.
pub fn field_text(record: &[u8], path: &str) -> Option<String> {
    let text = std::str::from_utf8(record).ok()?;
    let mut raw: &RawValue = serde_json::from_str(text.trim()).ok()?;
    for part in path.split('.') {
        let map: std::collections::HashMap<&str, &RawValue> =
            serde_json::from_str(raw.get()).ok()?;
        raw = map.get(part)?;
    }
    match serde_json::from_str::<Value>(raw.get()).ok()? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// What a step does, for the alignment: the agent turn's tool calls or the action its task's
/// parser reads (command, SQL, call), else its last non-empty line; an environment reply with
/// no agent turn is its own kind of step.
pub fn step_action(t: &Trajectory, agent: Option<usize>) -> String {
    let Some(turn) = agent.and_then(|i| t.turns.get(i)) else {
        return "\u{0}environment".into();
    };
    if let Some(key) = rules::action_key(t.task, turn) {
        return key.trim().to_string();
    }
    turn.text
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or_default()
        .to_string()
}

/// The action keys of a trajectory's steps, hashed (what the headless comparison keeps).
pub fn step_hashes(t: &Trajectory) -> Vec<u64> {
    t.steps()
        .iter()
        .map(|s| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            step_action(t, s.agent).hash(&mut h);
            h.finish()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_by_dotted_path() {
        let rec = br#"{"index": 7, "output": {"index": 8, "name": "x"}, "ok": true}"#;
        assert_eq!(field_text(rec, "index").as_deref(), Some("7"));
        assert_eq!(field_text(rec, "output.index").as_deref(), Some("8"));
        assert_eq!(field_text(rec, "output.name").as_deref(), Some("x"));
        assert_eq!(field_text(rec, "ok").as_deref(), Some("true"));
        assert_eq!(field_text(rec, "output"), None);
        assert_eq!(field_text(rec, "missing"), None);
    }

    #[test]
    fn the_regex_keeps_its_group() {
        let spec = KeySpec {
            field: Some("id".into()),
            regex: Some(Regex::new(r"^(\w+?)_run\d$").unwrap()),
        };
        let t =
            crate::model::test_trajectory(crate::model::Task::Generic, Format::OpenAi, Vec::new());
        assert_eq!(
            spec.key(&t, br#"{"id": "os_4_run2"}"#).as_deref(),
            Some("os_4")
        );
        assert_eq!(spec.key(&t, br#"{"id": "nope"}"#), None);
    }
}
