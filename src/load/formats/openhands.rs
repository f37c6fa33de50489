//! OpenHands: an event stream (a bare JSON array of events, one trajectory) and evaluation
//! `output.jsonl` lines (the same events in `history`, with `instance_id` and `test_result`).
//!
//! An action is a turn of its source (the agent's are agent turns: their thought or message
//! as text, their `args` as the tool call's arguments); an observation is the environment's
//! reply, placed right after the action its `cause` names (by that action's `id`). The first
//! user message is the instruction. Agent-state bookkeeping events are not turns.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::bare::first_element_kind;
use super::reader::{Missing, RawRecord, RawTurn, ReadError, Reader, Speaker};
use crate::load::envelope::{Envelope, Raw};
use crate::load::split::Element;
use crate::load::text::Text;
use crate::model::{Format, ToolCall};

pub(super) const EVENTS: Reader = Reader {
    format: Format::OpenHandsEvents,
    detects: |env| env.events.is_some(),
    read: read_events,
};

pub(super) const EVAL: Reader = Reader {
    format: Format::OpenHandsEval,
    detects: |env| env.history.is_some_and(is_event_list),
    read: read_eval,
};

/// Events that only record the agent's state, not a step of the episode.
const BOOKKEEPING: &[&str] = &["change_agent_state", "agent_state_changed", "null"];

/// A list whose first element is an OpenHands event (the rest is not read).
fn is_event_list(raw: Raw) -> bool {
    raw.get()
        .trim_start()
        .strip_prefix('[')
        .and_then(first_element_kind)
        == Some(Element::Event)
}

fn read_events(
    env: &mut Envelope,
    record: &mut RawRecord,
    missing: &Missing,
) -> Result<(), ReadError> {
    let events = env.events.take().ok_or_else(|| missing.list("events"))?;
    read_list(events, record)
}

fn read_eval(
    env: &mut Envelope,
    record: &mut RawRecord,
    missing: &Missing,
) -> Result<(), ReadError> {
    let history = env.history.take().ok_or_else(|| missing.list("history"))?;
    read_list(history, record)?;
    if let Some(error) = env.error.and_then(|raw| json(raw)).filter(|v| !v.is_null()) {
        record.meta.push(("error".into(), error));
    }
    if let Some(Value::Object(mut result)) = env.test_result.and_then(json) {
        // The patch is the run's output, not its result; it would fill the header.
        result.remove("git_patch");
        let resolved = result
            .get("resolved")
            .or_else(|| result.get("report").and_then(|r| r.get("resolved")))
            .cloned();
        if let Some(resolved) =
            resolved.filter(|_| !record.meta.iter().any(|(k, _)| k == "resolved"))
        {
            record.meta.push(("resolved".into(), resolved));
        }
        if !result.is_empty() {
            record
                .meta
                .push(("test_result".into(), Value::Object(result)));
        }
    }
    Ok(())
}

fn json(raw: Raw) -> Option<Value> {
    serde_json::from_str(raw.get()).ok()
}

#[derive(Deserialize)]
struct Event<'a> {
    id: Option<i64>,
    source: Option<String>,
    action: Option<String>,
    observation: Option<String>,
    message: Option<Text>,
    #[serde(borrow)]
    args: Option<Raw<'a>>,
    content: Option<Text>,
    cause: Option<i64>,
    tool_call_metadata: Option<CallMetadata>,
}

#[derive(Deserialize)]
struct CallMetadata {
    function_name: Option<String>,
    tool_call_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Args {
    content: Option<Text>,
    thought: Option<Text>,
}

/// The events as turns, each observation after the action that caused it.
fn read_list(list: Raw, record: &mut RawRecord) -> Result<(), ReadError> {
    let events: Vec<Event> = serde_json::from_str(list.get())?;
    // Each action opens a group; an observation joins the group of its cause.
    let mut groups: Vec<Vec<RawTurn>> = Vec::new();
    let mut group_of: HashMap<i64, usize> = HashMap::new();
    for event in events {
        let (id, cause) = (event.id, event.cause);
        let is_action = event.action.is_some();
        let Some(turn) = turn_of(event) else { continue };
        let joins = match (is_action, cause) {
            (false, Some(cause)) => group_of.get(&cause).copied(),
            _ => None,
        };
        match joins {
            Some(g) => groups[g].push(turn),
            None => {
                if let (true, Some(id)) = (is_action, id) {
                    group_of.insert(id, groups.len());
                }
                groups.push(vec![turn]);
            }
        }
    }
    record.turns = groups.into_iter().flatten().collect();
    Ok(())
}

fn turn_of(event: Event) -> Option<RawTurn> {
    let message = event.message.map(|t| t.0).unwrap_or_default();
    if let Some(observation) = event.observation {
        if BOOKKEEPING.contains(&observation.as_str()) {
            return None;
        }
        let text = event.content.map(|t| t.0).unwrap_or(message);
        return Some(RawTurn::new(Speaker::Tool, &observation, text));
    }
    let action = event.action?;
    if BOOKKEEPING.contains(&action.as_str()) {
        return None;
    }
    let speaker = match (action.as_str(), event.source.as_deref()) {
        ("system", _) => Speaker::System,
        (_, Some("agent")) => Speaker::Agent,
        // `recall` is the harness fetching context for the user's message, not the user.
        ("recall", Some("user")) => Speaker::Tool,
        (_, Some("user")) => Speaker::User,
        _ => Speaker::Tool,
    };
    let args: Args = event
        .args
        .and_then(|raw| serde_json::from_str(raw.get()).ok())
        .unwrap_or_default();
    let said = matches!(action.as_str(), "message" | "system");
    let text = match (said, args.content, args.thought) {
        (true, Some(content), _) if !content.0.is_empty() => content.0,
        (false, _, Some(thought)) if !thought.0.trim().is_empty() => thought.0,
        _ => message,
    };
    let mut turn = RawTurn::new(speaker, &action, text);
    if speaker == Speaker::Agent && !said {
        let (id, name) = match event.tool_call_metadata {
            Some(m) => (m.tool_call_id, m.function_name.unwrap_or(action)),
            None => (None, action),
        };
        turn.tool_calls.push(ToolCall {
            id,
            name,
            arguments: event
                .args
                .map(|raw| raw.get().to_string())
                .unwrap_or_default(),
        });
    }
    Some(turn)
}

#[cfg(test)]
mod tests {
    use crate::load::formats::{read, Speaker};
    use crate::model::Format;

    #[test]
    fn observations_follow_the_action_their_cause_names() {
        // Two calls in one response, then their observations in the other order.
        let r = read(
            r#"[{"id":0,"source":"user","action":"message","args":{"content":"task"}},
            {"id":1,"source":"agent","action":"run","args":{"command":"ls","thought":"look"},"tool_call_metadata":{"function_name":"execute_bash","tool_call_id":"c1"}},
            {"id":2,"source":"agent","action":"read","args":{"path":"/a"}},
            {"id":3,"source":"agent","observation":"read","cause":2,"content":"A"},
            {"id":4,"source":"agent","observation":"run","cause":1,"content":"ls out"},
            {"id":5,"source":"environment","observation":"agent_state_changed","content":""},
            {"id":6,"source":"agent","observation":"error","content":"oops"}]"#,
            None,
        )
        .unwrap();
        assert_eq!(r.format, Format::OpenHandsEvents);
        let got: Vec<(Speaker, &str)> = r
            .turns
            .iter()
            .map(|t| (t.speaker, t.text.as_str()))
            .collect();
        use Speaker::*;
        assert_eq!(
            got,
            vec![
                (User, "task"),
                (Agent, "look"),
                (Tool, "ls out"),
                (Agent, ""),
                (Tool, "A"),
                (Tool, "oops")
            ]
        );
        let call = &r.turns[1].tool_calls[0];
        assert_eq!(
            (call.id.as_deref(), call.name.as_str()),
            (Some("c1"), "execute_bash")
        );
        assert_eq!(call.arguments, r#"{"command":"ls","thought":"look"}"#);
        assert_eq!(r.turns[3].tool_calls[0].name, "read");
    }

    #[test]
    fn eval_lines_keep_id_error_and_test_result_without_the_patch() {
        let r = read(
            r#"{"instance_id":"x__y-1","history":[{"id":0,"source":"user","action":"message","message":"fix it","args":{}}],"error":"max iterations","test_result":{"git_patch":"diff","report":{"resolved":false}}}"#,
            None,
        )
        .unwrap();
        assert_eq!(r.format, Format::OpenHandsEval);
        assert_eq!(r.id.as_deref(), Some("x__y-1"));
        assert_eq!(r.turns[0].text, "fix it");
        let meta = |k: &str| {
            r.meta
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(meta("error"), Some(serde_json::json!("max iterations")));
        assert_eq!(meta("resolved"), Some(serde_json::json!(false)));
        assert_eq!(
            meta("test_result"),
            Some(serde_json::json!({"report": {"resolved": false}}))
        );
    }
}
