//! What a format reader is (how it recognises a record and how it reads it), what it makes (the
//! raw record and its turns) and why a record could not be read.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::de::IgnoredAny;
use serde_json::Value;

use crate::load::envelope::Envelope;
use crate::model::{role_name, Format, ToolCall};

/// One source format: which records have it, and how one is read.
pub(super) struct Reader {
    pub(super) format: Format,
    /// Whether a record has this format's keys. Asked only when every reader listed before this
    /// one said no (see `READERS`).
    pub(super) detects: fn(&Envelope<'_>) -> bool,
    /// Reads the turns (and whatever else the format has) into the record, which already holds
    /// the envelope's id and outcome fields.
    pub(super) read: fn(&mut Envelope<'_>, &mut RawRecord, &Missing<'_>) -> Result<(), ReadError>,
}

/// What a source turn is before the task profile decides between instruction and environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    System,
    /// A human or user turn: the task prompt, or (later in the episode) an observation.
    User,
    Agent,
    /// A tool or function reply, always the environment.
    Tool,
}

#[derive(Debug, Clone)]
pub struct RawTurn {
    pub speaker: Speaker,
    pub source_role: Cow<'static, str>,
    pub text: String,
    pub tool_calls: Vec<ToolCall>,
    /// ShareGPT's per-turn `loss` flag, where the source has one.
    pub loss: Option<bool>,
    /// The source marks this turn as an in-context example (`is_demo`).
    pub demo: bool,
    /// The id of the tool call this turn is the result of.
    pub answers: Option<String>,
}

impl RawTurn {
    pub(super) fn new(speaker: Speaker, source_role: &str, text: String) -> RawTurn {
        RawTurn::with_role(speaker, role_name(source_role), text)
    }

    pub(super) fn with_role(
        speaker: Speaker,
        source_role: Cow<'static, str>,
        text: String,
    ) -> RawTurn {
        RawTurn {
            speaker,
            source_role,
            text,
            tool_calls: Vec::new(),
            loss: None,
            demo: false,
            answers: None,
        }
    }
}

pub(super) fn speaker_of(role: &str) -> Speaker {
    match role {
        "system" => Speaker::System,
        "gpt" | "assistant" | "ai" | "agent" | "model" | "bot" | "function_call" | "tool_call" => {
            Speaker::Agent
        }
        "observation" | "tool" | "function" | "ipython" | "environment" | "tool_response" => {
            Speaker::Tool
        }
        _ => Speaker::User,
    }
}

/// A record read by one of the format readers.
#[derive(Debug)]
pub struct RawRecord {
    pub format: Format,
    pub id: Option<String>,
    pub meta: Vec<(String, Value)>,
    pub tools: Option<Value>,
    /// AgentBench's episode `index`, by which its run's results file names it.
    pub episode: Option<u64>,
    pub turns: Vec<RawTurn>,
    /// Warnings about parts of the record that were skipped or could not be read: (1-based line
    /// in the record, message).
    pub notes: Vec<(u32, String)>,
}

/// Why a record could not be read. `offset` is a byte offset into the record when known.
#[derive(Debug)]
pub enum ReadError {
    Json(serde_json::Error),
    Shape(String),
}

impl From<serde_json::Error> for ReadError {
    fn from(e: serde_json::Error) -> Self {
        ReadError::Json(e)
    }
}

/// The record being read, for the error a reader gives when the list it needs is not there.
pub(super) struct Missing<'t> {
    pub(super) format: Format,
    pub(super) bytes: &'t [u8],
}

impl Missing<'_> {
    /// "an `openai` record needs a `messages` list; it has keys …"
    pub(super) fn list(&self, key: &str) -> ReadError {
        let name = self.format.as_str();
        // The article as the name is read aloud: "an `openai`", "an `atif`", "a `sharegpt`".
        let article = match name.as_bytes().first() {
            Some(b'a' | b'e' | b'i' | b'o' | b'u') => "an",
            _ => "a",
        };
        ReadError::Shape(format!(
            "{article} `{name}` record needs a `{key}` list; {}",
            describe_keys(self.bytes)
        ))
    }
}

/// The record's keys (or what it is instead of an object), for error messages.
pub(super) fn describe_keys(bytes: &[u8]) -> String {
    match serde_json::from_slice::<BTreeMap<String, IgnoredAny>>(bytes) {
        Ok(map) if map.is_empty() => "it is an empty object".to_string(),
        Ok(map) => {
            let keys: Vec<String> = map.keys().take(12).map(|k| format!("`{k}`")).collect();
            let more = if map.len() > 12 { ", …" } else { "" };
            format!("it has keys {}{more}", keys.join(", "))
        }
        Err(_) => match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Array(_)) => "it is a JSON array, not an object".into(),
            Ok(Value::String(_)) => "it is a JSON string, not an object".into(),
            Ok(Value::Number(_)) => "it is a number, not an object".into(),
            Ok(_) => "it is not an object".into(),
            Err(_) => "it is not a JSON object".into(),
        },
    }
}
