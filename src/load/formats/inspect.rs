//! Inspect AI samples: one sample of an eval log (an element of a `.json` log's `samples`, or a
//! `samples/*.json` member of an `.eval` archive; `split::inspect` and `source` cut them out).
//!
//! Each message is a turn of its role: `system` a system turn, `user` the instruction (the first)
//! or the environment, `assistant` an agent turn with its `tool_calls` (function and arguments
//! as JSON), `tool` the environment's reply (source role `tool (error)` when it has an `error`,
//! whose type and message are added to its text). The sample's `scores`, `error` and `epoch`
//! are kept in the trajectory's meta (and `target`, as for every format).

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::calls::arguments_text;
use super::reader::{speaker_of, Missing, RawRecord, RawTurn, ReadError, Reader, Speaker};
use crate::load::envelope::Envelope;
use crate::load::text::Text;
use crate::model::{Format, ToolCall};

pub(super) const READER: Reader = Reader {
    format: Format::Inspect,
    detects: |env| env.epoch.is_some() && env.messages.is_some(),
    read,
};

#[derive(Deserialize)]
struct Sample {
    messages: Option<Vec<Message>>,
    #[serde(default)]
    epoch: Value,
    #[serde(default)]
    scores: Value,
    #[serde(default)]
    error: Value,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    role: String,
    #[serde(default)]
    content: Text,
    #[serde(default)]
    tool_calls: Option<Vec<Call>>,
    #[serde(default)]
    error: Option<CallError>,
}

#[derive(Deserialize)]
struct Call {
    id: Option<String>,
    #[serde(default)]
    function: String,
    #[serde(default)]
    arguments: Option<Box<RawValue>>,
}

#[derive(Deserialize)]
struct CallError {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

fn read(_env: &mut Envelope, record: &mut RawRecord, missing: &Missing) -> Result<(), ReadError> {
    // The envelope's messages lack the fields read here (tool calls as objects, `error`).
    let sample: Sample = serde_json::from_slice(missing.bytes)?;
    let messages = sample.messages.ok_or_else(|| missing.list("messages"))?;
    record.turns = messages.into_iter().map(turn).collect();
    for (key, value) in [
        ("epoch", sample.epoch),
        ("scores", sample.scores),
        ("error", sample.error),
    ] {
        if !value.is_null() && !record.meta.iter().any(|(k, _)| k == key) {
            record.meta.push((key.to_string(), value));
        }
    }
    Ok(())
}

fn turn(message: Message) -> RawTurn {
    let speaker = speaker_of(&message.role);
    let mut text = message.content.0;
    let mut turn = match (speaker, message.error) {
        (Speaker::Tool, Some(error)) => {
            let kind = error.kind.unwrap_or_else(|| "error".to_string());
            let what = error.message.unwrap_or_default();
            if !text.contains(what.as_str()) || text.is_empty() {
                if !text.is_empty() {
                    text.push_str("\n\n");
                }
                text.push_str(&format!("[{kind} error] {what}"));
            }
            RawTurn::with_role(speaker, Cow::Borrowed("tool (error)"), text)
        }
        _ => RawTurn::new(speaker, &message.role, text),
    };
    turn.tool_calls = message
        .tool_calls
        .unwrap_or_default()
        .into_iter()
        .map(|call| ToolCall {
            id: call.id,
            name: call.function,
            arguments: arguments_text(call.arguments.as_deref()),
        })
        .collect();
    turn
}

#[cfg(test)]
mod tests {
    use super::super::read;
    use crate::model::Format;

    #[test]
    fn a_sample_reads_calls_errors_and_scores() {
        let json = r#"{"id": 3, "epoch": 1, "target": "x", "scores": {"match": {"value": "C"}},
            "messages": [
              {"role": "system", "content": "be brief"},
              {"role": "user", "content": [{"type": "text", "text": "do it"}]},
              {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "function": "bash", "arguments": {"cmd": "ls"}}]},
              {"role": "tool", "content": "", "tool_call_id": "c1", "error": {"type": "parsing", "message": "bad json"}}
            ]}"#;
        let r = read(json, None).unwrap();
        assert_eq!(r.format, Format::Inspect);
        assert_eq!(r.id.as_deref(), Some("3"));
        let roles: Vec<&str> = r.turns.iter().map(|t| &*t.source_role).collect();
        assert_eq!(roles, ["system", "user", "assistant", "tool (error)"]);
        assert_eq!(r.turns[1].text, "do it");
        assert_eq!(r.turns[2].tool_calls[0].name, "bash");
        assert_eq!(r.turns[2].tool_calls[0].arguments, r#"{"cmd":"ls"}"#);
        assert_eq!(r.turns[3].text, "[parsing error] bad json");
        let keys: Vec<&str> = r.meta.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["target", "epoch", "scores"]);
    }
}
