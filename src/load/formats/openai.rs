//! OpenAI chat records: a `messages` list of `role`/`content` with `tool_calls` (or the older
//! `function_call`), the `tools` offered, and SWE-style `info`.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::calls::{arguments_text, tool_calls_of};
use super::reader::{speaker_of, Missing, RawRecord, RawTurn, ReadError, Reader};
use crate::load::envelope::{info_meta, parse_tools, Envelope, Message};
use crate::model::{Format, ToolCall};

pub(super) const READER: Reader = Reader {
    format: Format::OpenAi,
    detects: |env| env.messages.is_some(),
    read,
};

/// Also mini-swe-agent's reader: its records are OpenAI messages with an `info`.
pub(super) fn read(
    env: &mut Envelope,
    record: &mut RawRecord,
    missing: &Missing,
) -> Result<(), ReadError> {
    let messages = env
        .messages
        .take()
        .ok_or_else(|| missing.list("messages"))?;
    read_messages(messages, record);
    record.tools = parse_tools(env.tools);
    if let Some(info) = env.info {
        info_meta(info, &mut record.meta);
    }
    Ok(())
}

/// Also FireAct's turns: its `traj` is a list of OpenAI messages.
pub(super) fn read_messages(messages: Vec<Message>, record: &mut RawRecord) {
    record.turns.reserve(messages.len());
    for m in messages {
        let role = m.role.or(m.from).unwrap_or_default();
        let text = m.content.or(m.value).unwrap_or_default().0;
        let mut turn = RawTurn::with_role(speaker_of(&role), role, text);
        turn.tool_calls = tool_calls_of(m.tool_calls.as_deref());
        turn.answers = m.tool_call_id.map(|id| id.into_owned());
        if let Some(call) = m.function_call {
            if let Ok(call) = serde_json::from_str::<OpenAiFunctionCall>(call.get()) {
                turn.tool_calls.push(ToolCall {
                    id: None,
                    name: call.name,
                    arguments: arguments_text(call.arguments.as_deref()),
                });
            }
        }
        record.turns.push(turn);
    }
}

#[derive(Deserialize)]
struct OpenAiFunctionCall {
    name: String,
    arguments: Option<Box<RawValue>>,
}

#[cfg(test)]
mod tests {
    use crate::load::formats::{read, Speaker};

    #[test]
    fn openai_tool_calls_keep_raw_argument_strings() {
        let r = read(
            r#"{"messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"ls","arguments":"{\"path\": \"/\"}"}}]},{"role":"tool","tool_call_id":"c1","content":"ok"}],"tools":[{"type":"function"}]}"#,
            None,
        )
        .unwrap();
        assert_eq!(r.turns[0].tool_calls[0].name, "ls");
        assert_eq!(r.turns[0].tool_calls[0].arguments, r#"{"path": "/"}"#);
        assert_eq!(r.turns[1].speaker, Speaker::Tool);
        assert!(r.tools.is_some());
    }
}
