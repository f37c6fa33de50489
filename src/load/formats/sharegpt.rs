//! ShareGPT and role-content records: a `conversations` (or `conversation`) list whose
//! messages have `from`/`value` (ShareGPT, with glaive's function calls) or `role`/`content`.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::calls::arguments_text;
use super::reader::{speaker_of, Missing, RawRecord, RawTurn, ReadError, Reader};
use crate::load::envelope::{parse_tools, Envelope, Message};
use crate::model::{Format, ToolCall};

pub(super) const SHAREGPT: Reader = Reader {
    format: Format::ShareGpt,
    detects: is_sharegpt,
    read,
};

pub(super) const ROLE_CONTENT: Reader = Reader {
    format: Format::RoleContent,
    detects: is_role_content,
    read,
};

fn conversation<'e>(env: &'e Envelope) -> Option<&'e Vec<Message>> {
    env.conversations.as_ref().or(env.conversation.as_ref())
}

/// ShareGPT when the first message has `from` (or there is none).
fn is_sharegpt(env: &Envelope) -> bool {
    conversation(env).is_some_and(|conv| conv.first().is_none_or(|m| m.from.is_some()))
}

fn is_role_content(env: &Envelope) -> bool {
    conversation(env).is_some_and(|conv| conv.first().is_some_and(|m| m.from.is_none()))
}

fn read(env: &mut Envelope, record: &mut RawRecord, missing: &Missing) -> Result<(), ReadError> {
    let conv = env
        .conversations
        .take()
        .or(env.conversation.take())
        .ok_or_else(|| missing.list("conversations"))?;
    read_conversations(conv, record);
    record.tools = parse_tools(env.tools);
    Ok(())
}

fn read_conversations(turns: Vec<Message>, record: &mut RawRecord) {
    record.turns.reserve(turns.len());
    // Fields taken by the pattern: one copy of the whole message less per turn.
    for Message {
        from,
        value,
        role,
        content,
        loss,
        ..
    } in turns
    {
        let role = from.or(role).unwrap_or_default();
        let text = value.or(content).unwrap_or_default().0;
        let is_call = role == "function_call";
        let mut turn = RawTurn::with_role(speaker_of(&role), role, text);
        turn.loss = loss;
        if is_call {
            if let Some(call) = function_call_text(&turn.text) {
                turn.tool_calls.push(call);
            }
        }
        record.turns.push(turn);
    }
}

/// glaive's `function_call` turn: `{"name": …, "arguments": {…}}` as a string.
fn function_call_text(text: &str) -> Option<ToolCall> {
    #[derive(Deserialize)]
    struct Call {
        name: String,
        arguments: Option<Box<RawValue>>,
    }
    let call: Call = serde_json::from_str(text).ok()?;
    Some(ToolCall {
        id: None,
        name: call.name,
        arguments: arguments_text(call.arguments.as_deref()),
    })
}

#[cfg(test)]
mod tests {
    use crate::load::formats::{read, Speaker};

    #[test]
    fn glaive_tools_string_is_parsed_and_function_call_becomes_a_tool_call() {
        let r = read(
            r#"{"conversations":[{"from":"function_call","value":"{\"name\": \"f\", \"arguments\": {\"a\": 1}}"}],"tools":"[{\"name\": \"f\"}]"}"#,
            None,
        )
        .unwrap();
        assert_eq!(r.turns[0].speaker, Speaker::Agent);
        assert_eq!(r.turns[0].tool_calls[0].arguments, r#"{"a":1}"#);
        assert_eq!(r.tools, Some(serde_json::json!([{"name": "f"}])));
    }
}
