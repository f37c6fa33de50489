//! The top-level keys of a record that any format reader looks at, borrowed from the record's
//! text: what the fast reader and serde both fill, and the format readers take apart.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::text::Text;

/// A JSON value kept as its text, borrowed from the record.
#[derive(Debug, Clone, Copy)]
pub(super) struct Raw<'a>(&'a str);

impl<'a> Raw<'a> {
    /// Only for text that is one valid JSON value.
    pub(super) fn new(json: &'a str) -> Raw<'a> {
        Raw(json)
    }

    pub(super) fn get(self) -> &'a str {
        self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Raw<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <&'de RawValue>::deserialize(deserializer).map(|raw| Raw(raw.get()))
    }
}

/// Every top-level key any reader looks at. The big lists of the common formats are read
/// straight into messages (one pass over their text); the rest is borrowed raw and read only
/// by the reader that needs it.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Envelope<'a> {
    #[serde(borrow)]
    pub(super) id: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) item_id: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) instance_id: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) session_id: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) trajectory_id: Option<Raw<'a>>,
    pub(super) conversations: Option<Vec<Message>>,
    pub(super) conversation: Option<Vec<Message>>,
    pub(super) messages: Option<Vec<Message>>,
    #[serde(borrow)]
    pub(super) traj: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) trajectory: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) history: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) steps: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) schema_version: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) info: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) trajectory_format: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) output: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) index: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) tools: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) agent: Option<Raw<'a>>,
    // Outcome fields kept as metadata.
    #[serde(borrow)]
    pub(super) reward: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) em: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) f1: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) resolved: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) target: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) exit_status: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) success: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) source: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) error: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) model_name: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) result: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) name: Option<Raw<'a>>,
    // Claude Code's session records.
    #[serde(borrow, rename = "sessionId")]
    pub(super) session_id_camel: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) uuid: Option<Raw<'a>>,
    #[serde(borrow, rename = "leafUuid")]
    pub(super) leaf_uuid: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) test_result: Option<Raw<'a>>,
    // Inspect AI samples.
    #[serde(borrow)]
    pub(super) epoch: Option<Raw<'a>>,
    // KnowAgent's HotpotQA records: the whole ReAct text, or its prompt and completion.
    #[serde(borrow)]
    pub(super) prompt: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) completion: Option<Raw<'a>>,
    /// A record that is a bare JSON array of OpenHands events: the array (not a key of any
    /// record; set by `formats::bare`).
    #[serde(skip)]
    pub(super) events: Option<Raw<'a>>,
}

impl<'a> Envelope<'a> {
    pub(super) fn meta(&self, out: &mut Vec<(String, Value)>) {
        let fields = [
            ("reward", self.reward),
            ("em", self.em),
            ("f1", self.f1),
            ("resolved", self.resolved),
            ("target", self.target),
            ("exit_status", self.exit_status),
            ("success", self.success),
            ("source", self.source),
            ("model_name", self.model_name),
        ];
        for (name, raw) in fields {
            if let Some(v) = raw.and_then(|r| serde_json::from_str::<Value>(r.get()).ok()) {
                if !v.is_null() {
                    out.push((name.to_string(), v));
                }
            }
        }
    }

    pub(super) fn id(&self) -> Option<String> {
        [
            self.id,
            self.item_id,
            self.instance_id,
            self.trajectory_id,
            self.session_id,
        ]
        .into_iter()
        .flatten()
        .find_map(id_text)
    }
}

pub(super) fn id_text(raw: Raw) -> Option<String> {
    match serde_json::from_str::<Value>(raw.get()).ok()? {
        Value::String(s) if !s.is_empty() => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// One message of any chat-shaped list: ShareGPT's `from`/`value`/`loss`, or `role`/`content`
/// with OpenAI's tool calls.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Message {
    pub(super) from: Option<Cow<'static, str>>,
    pub(super) value: Option<Text>,
    pub(super) role: Option<Cow<'static, str>>,
    pub(super) content: Option<Text>,
    pub(super) loss: Option<bool>,
    /// Kept as text, so the calls' arguments keep the source's key order.
    pub(super) tool_calls: Option<Box<RawValue>>,
    pub(super) function_call: Option<Box<RawValue>>,
    /// The call a `tool` message answers.
    pub(super) tool_call_id: Option<Cow<'static, str>>,
}

/// The `tools` field: a list of tool definitions, or glaive's list serialised to a string.
pub(super) fn parse_tools(raw: Option<Raw>) -> Option<Value> {
    let value: Value = serde_json::from_str(raw?.get()).ok()?;
    match value {
        // glaive stores its tool list as a JSON string.
        Value::String(s) => serde_json::from_str(&s).ok().or(Some(Value::String(s))),
        Value::Null => None,
        v => Some(v),
    }
}

/// The `exit_status` of an `info` object (SWE-agent, mini-swe-agent), unless the record has one.
pub(super) fn info_meta(raw: Raw, meta: &mut Vec<(String, Value)>) {
    #[derive(Deserialize)]
    struct Info {
        exit_status: Option<Value>,
    }
    if let Ok(Info {
        exit_status: Some(v),
    }) = serde_json::from_str(raw.get())
    {
        if !v.is_null() && !meta.iter().any(|(k, _)| k == "exit_status") {
            meta.push(("exit_status".into(), v));
        }
    }
}
