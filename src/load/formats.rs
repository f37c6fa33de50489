//! The record readers: one per source format, each turning a record's JSON into raw turns.
//! Detection looks at which top-level keys a record has (order as in the corpus' FORMATS.md).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value;

use super::envelope::{id_text, Envelope, Message, Raw};
use super::text::Text;
use crate::model::{role_name, Format, ToolCall};

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
}

impl RawTurn {
    fn new(speaker: Speaker, source_role: &str, text: String) -> RawTurn {
        RawTurn::with_role(speaker, role_name(source_role), text)
    }

    fn with_role(speaker: Speaker, source_role: Cow<'static, str>, text: String) -> RawTurn {
        RawTurn {
            speaker,
            source_role,
            text,
            tool_calls: Vec::new(),
            loss: None,
            demo: false,
        }
    }
}

/// A record read by one of the format readers.
#[derive(Debug)]
pub struct RawRecord {
    pub format: Format,
    pub id: Option<String>,
    pub meta: Vec<(String, Value)>,
    pub tools: Option<Value>,
    pub turns: Vec<RawTurn>,
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

fn is_atif(env: &Envelope) -> bool {
    env.steps.is_some()
        && env.schema_version.is_some_and(|v| {
            serde_json::from_str::<&str>(v.get()).is_ok_and(|s| s.starts_with("ATIF-v"))
        })
}

/// Which format a record is, from its keys.
fn detect(env: &Envelope) -> Option<Format> {
    if is_atif(env) {
        return Some(Format::Atif);
    }
    if env.trajectory_format.is_some() && env.messages.is_some() {
        return Some(Format::MiniSweAgent);
    }
    let swe_history = env
        .history
        .is_some_and(|h| first_item_keys(h).is_some_and(|keys| keys.iter().any(|k| k == "role")));
    if env.trajectory.is_some() || swe_history {
        if env.trajectory.is_some() && (env.target.is_some() || env.exit_status.is_some()) {
            return Some(Format::SweAgentRows);
        }
        return Some(Format::SweAgent);
    }
    if env.output.is_some() && env.index.is_some() {
        return Some(Format::AgentBench);
    }
    if let Some(conv) = env.conversations.as_ref().or(env.conversation.as_ref()) {
        return Some(if conv.first().is_none_or(|m| m.from.is_some()) {
            Format::ShareGpt
        } else {
            Format::RoleContent
        });
    }
    if env.messages.is_some() {
        return Some(Format::OpenAi);
    }
    if let Some(traj) = env.traj {
        return Some(if traj.get().starts_with('"') {
            Format::KnowAgent
        } else {
            Format::FireAct
        });
    }
    None
}

/// The keys of the first element of a JSON list (the rest is skipped, not built).
fn first_item_keys(raw: Raw) -> Option<Vec<String>> {
    struct FirstKeys;
    impl<'de> serde::de::Visitor<'de> for FirstKeys {
        type Value = Option<Vec<String>>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let first = seq.next_element::<BTreeMap<String, IgnoredAny>>()?;
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(first.map(|m| m.into_keys().collect()))
        }
    }
    let mut de = serde_json::Deserializer::from_str(raw.get());
    serde::Deserializer::deserialize_seq(&mut de, FirstKeys)
        .ok()
        .flatten()
}

/// Read one record. `forced` skips detection.
pub fn read(text: &str, forced: Option<Format>) -> Result<RawRecord, ReadError> {
    let env = match super::fast::envelope(text) {
        Some(env) => env,
        None => serde_envelope(text, forced)?,
    };
    read_envelope(text, forced, env)
}

/// The envelope as serde reads it: the reader of every record the fast reader gives up on,
/// and of its errors.
pub(super) fn serde_envelope(
    text: &str,
    forced: Option<Format>,
) -> Result<Envelope<'_>, ReadError> {
    match serde_json::from_str(text) {
        Ok(env) => Ok(env),
        Err(e) if e.is_data() => Err(shape_error(text.as_bytes(), forced, Some(&e))),
        Err(e) => Err(e.into()),
    }
}

pub(super) fn read_envelope(
    text: &str,
    forced: Option<Format>,
    mut env: Envelope,
) -> Result<RawRecord, ReadError> {
    let bytes = text.as_bytes();
    let format = match forced.or_else(|| detect(&env)) {
        Some(f) => f,
        None => return Err(shape_error(bytes, None, None)),
    };
    let mut record = RawRecord {
        format,
        id: env.id(),
        meta: Vec::new(),
        tools: None,
        turns: Vec::new(),
    };
    env.meta(&mut record.meta);
    let missing = |key: &str| {
        ReadError::Shape(format!(
            "a `{}` record needs a `{key}` list; {}",
            format.as_str(),
            describe_keys(bytes)
        ))
    };
    match format {
        Format::ShareGpt | Format::RoleContent => {
            let conv = env
                .conversations
                .take()
                .or(env.conversation.take())
                .ok_or_else(|| missing("conversations"))?;
            read_conversations(conv, &mut record);
            record.tools = parse_tools(env.tools);
        }
        Format::OpenAi | Format::MiniSweAgent => {
            let messages = env.messages.take().ok_or_else(|| missing("messages"))?;
            read_messages(messages, &mut record);
            record.tools = parse_tools(env.tools);
            if let Some(info) = env.info {
                info_meta(info, &mut record.meta);
            }
        }
        Format::FireAct => {
            let traj = env.traj.ok_or_else(|| missing("traj"))?;
            read_messages(serde_json::from_str(traj.get())?, &mut record);
        }
        Format::SweAgent => {
            if let Some(history) = env.history {
                read_swe_history(history, &mut record)?;
            } else {
                let steps = env.trajectory.ok_or_else(|| missing("history"))?;
                read_swe_steps(steps, &mut record)?;
            }
            if let Some(info) = env.info {
                info_meta(info, &mut record.meta);
            }
        }
        Format::SweAgentRows => {
            let rows = env.trajectory.ok_or_else(|| missing("trajectory"))?;
            read_swe_rows(rows, &mut record)?;
        }
        Format::Atif => {
            let steps = env.steps.ok_or_else(|| missing("steps"))?;
            read_atif(steps, &mut record)?;
            if let Some(agent) = env.agent {
                #[derive(Deserialize)]
                struct Agent {
                    tool_definitions: Option<Value>,
                }
                record.tools = serde_json::from_str::<Agent>(agent.get())?.tool_definitions;
            }
        }
        Format::KnowAgent => {
            let traj = env.traj.ok_or_else(|| missing("traj"))?;
            read_knowagent(&serde_json::from_str::<String>(traj.get())?, &mut record);
            if record.id.is_none() {
                record.id = env.name.and_then(id_text);
            }
            if let Some(v) = env
                .result
                .and_then(|r| serde_json::from_str::<Value>(r.get()).ok())
            {
                record.meta.push(("result".into(), v));
            }
        }
        Format::AgentBench => {
            let output = env.output.ok_or_else(|| missing("output.history"))?;
            read_agentbench(output, &mut record)?;
            if let Some(e) = env
                .error
                .and_then(|r| serde_json::from_str::<Value>(r.get()).ok())
            {
                if !e.is_null() {
                    record.meta.push(("error".into(), e));
                }
            }
        }
    }
    Ok(record)
}

/// The error for a record whose shape no reader knows: name its keys, suggest `--format`.
fn shape_error(
    bytes: &[u8],
    forced: Option<Format>,
    cause: Option<&serde_json::Error>,
) -> ReadError {
    let keys = describe_keys(bytes);
    let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
    let message = match (forced, cause) {
        (Some(f), Some(e)) => format!("not a valid `{}` record: {e}; {keys}", f.as_str()),
        (_, Some(e)) => format!("record of unexpected shape: {e}; {keys}"),
        _ => format!(
            "unknown record shape: {keys}; if this is a known format, force it with --format ({})",
            names.join(", ")
        ),
    };
    ReadError::Shape(message)
}

fn describe_keys(bytes: &[u8]) -> String {
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

fn parse_tools(raw: Option<Raw>) -> Option<Value> {
    let value: Value = serde_json::from_str(raw?.get()).ok()?;
    match value {
        // glaive stores its tool list as a JSON string.
        Value::String(s) => serde_json::from_str(&s).ok().or(Some(Value::String(s))),
        Value::Null => None,
        v => Some(v),
    }
}

fn info_meta(raw: Raw, meta: &mut Vec<(String, Value)>) {
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

fn speaker_of(role: &str) -> Speaker {
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

fn read_conversations(turns: Vec<Message>, record: &mut RawRecord) {
    record.turns.reserve(turns.len());
    for c in turns {
        let role = c.from.or(c.role).unwrap_or_default();
        let text = c.value.or(c.content).unwrap_or_default().0;
        let is_call = role == "function_call";
        let mut turn = RawTurn::with_role(speaker_of(&role), role, text);
        turn.loss = c.loss;
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
        arguments: Option<Value>,
    }
    let call: Call = serde_json::from_str(text).ok()?;
    Some(ToolCall {
        id: None,
        name: call.name,
        arguments: arguments_text(call.arguments),
    })
}

fn arguments_text(arguments: Option<Value>) -> String {
    match arguments {
        Some(Value::String(s)) => s,
        Some(Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    }
}

#[derive(Deserialize)]
struct OpenAiCall {
    id: Option<String>,
    function: Option<OpenAiFunction>,
    // Inspect-style calls: `function` is the name and `arguments` sits beside it.
    name: Option<String>,
    arguments: Option<Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OpenAiFunction {
    Call {
        name: String,
        arguments: Option<Value>,
    },
    Name(String),
}

impl OpenAiCall {
    fn into_tool_call(self) -> ToolCall {
        let (name, arguments) = match self.function {
            Some(OpenAiFunction::Call { name, arguments }) => (name, arguments),
            Some(OpenAiFunction::Name(name)) => (name, self.arguments),
            None => (self.name.unwrap_or_default(), self.arguments),
        };
        ToolCall {
            id: self.id,
            name,
            arguments: arguments_text(arguments),
        }
    }
}

/// `tool_calls` as a list, or (in some SWE-agent files) as that list serialised to a string.
fn tool_calls_of(value: Option<Value>) -> Vec<ToolCall> {
    let list = match value {
        Some(Value::Array(list)) => list,
        Some(Value::String(s)) => match serde_json::from_str::<Vec<Value>>(&s) {
            Ok(list) => list,
            Err(_) => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    list.into_iter()
        .filter_map(|v| serde_json::from_value::<OpenAiCall>(v).ok())
        .map(OpenAiCall::into_tool_call)
        .collect()
}

fn read_messages(messages: Vec<Message>, record: &mut RawRecord) {
    record.turns.reserve(messages.len());
    for m in messages {
        let role = m.role.or(m.from).unwrap_or_default();
        let text = m.content.or(m.value).unwrap_or_default().0;
        let mut turn = RawTurn::with_role(speaker_of(&role), role, text);
        turn.tool_calls = tool_calls_of(m.tool_calls);
        if let Some(call) = m.function_call.filter(|v| !v.is_null()) {
            if let Ok(call) = serde_json::from_value::<OpenAiFunctionCall>(call) {
                turn.tool_calls.push(ToolCall {
                    id: None,
                    name: call.name,
                    arguments: arguments_text(call.arguments),
                });
            }
        }
        record.turns.push(turn);
    }
}

#[derive(Deserialize)]
struct OpenAiFunctionCall {
    name: String,
    arguments: Option<Value>,
}

fn read_swe_history(raw: Raw, record: &mut RawRecord) -> Result<(), ReadError> {
    #[derive(Deserialize)]
    struct Item {
        role: Option<String>,
        content: Option<Text>,
        is_demo: Option<bool>,
        tool_calls: Option<Value>,
    }
    let items: Vec<Item> = serde_json::from_str(raw.get())?;
    for item in items {
        let role = item.role.unwrap_or_default();
        let mut turn = RawTurn::new(speaker_of(&role), &role, item.content.unwrap_or_default().0);
        turn.demo = item.is_demo.unwrap_or(false);
        turn.tool_calls = tool_calls_of(item.tool_calls);
        record.turns.push(turn);
    }
    Ok(())
}

fn read_swe_steps(raw: Raw, record: &mut RawRecord) -> Result<(), ReadError> {
    #[derive(Deserialize)]
    struct Step {
        response: Option<Text>,
        thought: Option<Text>,
        action: Option<Text>,
        observation: Option<Text>,
    }
    let steps: Vec<Step> = serde_json::from_str(raw.get())?;
    for step in steps {
        let text = match step.response {
            Some(r) if !r.0.is_empty() => r.0,
            _ => {
                let thought = step.thought.unwrap_or_default().0;
                let action = step.action.unwrap_or_default().0;
                format!("{thought}\n```\n{action}\n```")
            }
        };
        record
            .turns
            .push(RawTurn::new(Speaker::Agent, "response", text));
        if let Some(obs) = step.observation {
            record
                .turns
                .push(RawTurn::new(Speaker::Tool, "observation", obs.0));
        }
    }
    Ok(())
}

fn read_swe_rows(raw: Raw, record: &mut RawRecord) -> Result<(), ReadError> {
    #[derive(Deserialize)]
    struct Row {
        role: Option<String>,
        text: Option<Text>,
        system_prompt: Option<Text>,
        mask: Option<Value>,
    }
    let rows: Vec<Row> = serde_json::from_str(raw.get())?;
    for row in rows {
        let role = row.role.unwrap_or_default();
        let text = match row.text {
            Some(t) if !t.0.is_empty() => t.0,
            _ => row.system_prompt.unwrap_or_default().0,
        };
        let mut turn = RawTurn::new(speaker_of(&role), &role, text);
        turn.loss = match row.mask {
            Some(Value::Bool(b)) => Some(b),
            _ => None,
        };
        record.turns.push(turn);
    }
    Ok(())
}

fn read_atif(raw: Raw, record: &mut RawRecord) -> Result<(), ReadError> {
    #[derive(Deserialize)]
    struct Step {
        source: Option<String>,
        message: Option<Text>,
        tool_calls: Option<Vec<AtifCall>>,
        observation: Option<Observation>,
        is_copied_context: Option<bool>,
    }
    #[derive(Deserialize)]
    struct AtifCall {
        tool_call_id: Option<String>,
        function_name: Option<String>,
        arguments: Option<Value>,
    }
    #[derive(Deserialize)]
    struct Observation {
        results: Option<Vec<ObsResult>>,
    }
    #[derive(Deserialize)]
    struct ObsResult {
        content: Option<Text>,
    }
    let steps: Vec<Step> = serde_json::from_str(raw.get())?;
    for step in steps {
        let role = step.source.unwrap_or_default();
        let mut turn = RawTurn::new(speaker_of(&role), &role, step.message.unwrap_or_default().0);
        turn.demo = step.is_copied_context.unwrap_or(false);
        turn.tool_calls = step
            .tool_calls
            .unwrap_or_default()
            .into_iter()
            .map(|c| ToolCall {
                id: c.tool_call_id,
                name: c.function_name.unwrap_or_default(),
                arguments: arguments_text(c.arguments),
            })
            .collect();
        let demo = turn.demo;
        record.turns.push(turn);
        if let Some(results) = step.observation.and_then(|o| o.results) {
            let text: Vec<String> = results
                .into_iter()
                .map(|r| r.content.unwrap_or_default().0)
                .collect();
            let mut obs = RawTurn::new(Speaker::Tool, "observation", text.join("\n\n"));
            obs.demo = demo;
            record.turns.push(obs);
        }
    }
    Ok(())
}

/// KnowAgent's one-string trajectory: lines starting with `> ` are the agent's, the lines
/// between them the environment's; the lines before the first action are the task.
fn read_knowagent(traj: &str, record: &mut RawRecord) {
    let mut pending: Vec<&str> = Vec::new();
    let flush = |pending: &mut Vec<&str>, record: &mut RawRecord| {
        if pending.is_empty() {
            return;
        }
        let speaker = if record.turns.is_empty() {
            Speaker::User
        } else {
            Speaker::Tool
        };
        let role = if speaker == Speaker::User {
            "task"
        } else {
            "observation"
        };
        record
            .turns
            .push(RawTurn::new(speaker, role, pending.join("\n")));
        pending.clear();
    };
    for line in traj.lines() {
        if let Some(action) = line.strip_prefix("> ") {
            flush(&mut pending, record);
            record
                .turns
                .push(RawTurn::new(Speaker::Agent, "action", action.to_string()));
        } else {
            pending.push(line);
        }
    }
    flush(&mut pending, record);
}

fn read_agentbench(raw: Raw, record: &mut RawRecord) -> Result<(), ReadError> {
    #[derive(Deserialize)]
    struct Output {
        status: Option<Value>,
        result: Option<Value>,
        history: Option<Vec<Entry>>,
    }
    #[derive(Deserialize)]
    struct Entry {
        role: Option<String>,
        content: Option<Text>,
    }
    let output: Output = serde_json::from_str(raw.get())?;
    if let Some(status) = output.status.filter(|v| !v.is_null()) {
        record.meta.push(("status".into(), status));
    }
    if let Some(result) = output.result.filter(|v| !v.is_null()) {
        record.meta.push(("result".into(), result));
    }
    let history = output.history.ok_or_else(|| {
        ReadError::Shape("an `agentbench` record needs `output.history`".to_string())
    })?;
    for entry in history {
        let role = entry.role.unwrap_or_default();
        record.turns.push(RawTurn::new(
            speaker_of(&role),
            &role,
            entry.content.unwrap_or_default().0,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(json: &str) -> RawRecord {
        read(json, None).unwrap()
    }

    #[test]
    fn detects_each_format_by_its_keys() {
        let cases = [
            (
                r#"{"conversations":[{"from":"human","value":"x"}]}"#,
                Format::ShareGpt,
            ),
            (
                r#"{"conversations":[{"role":"user","content":"x"}]}"#,
                Format::RoleContent,
            ),
            (
                r#"{"messages":[{"role":"user","content":"x"}]}"#,
                Format::OpenAi,
            ),
            (
                r#"{"traj":[{"role":"user","content":"x"}],"reward":true}"#,
                Format::FireAct,
            ),
            (
                r#"{"history":[{"role":"user","content":"x","agent":"main"}]}"#,
                Format::SweAgent,
            ),
            (
                r#"{"trajectory":[{"role":"ai","text":"x"}],"target":true}"#,
                Format::SweAgentRows,
            ),
            (
                r#"{"info":{},"messages":[],"trajectory_format":"mini-swe-agent-1"}"#,
                Format::MiniSweAgent,
            ),
            (
                r#"{"schema_version":"ATIF-v1.5","steps":[{"step_id":1,"source":"user","message":"x"}]}"#,
                Format::Atif,
            ),
            (
                r#"{"index":1,"output":{"status":"completed","history":[]}}"#,
                Format::AgentBench,
            ),
        ];
        let knowagent = (
            r#"{"name":"g1","result":true,"traj":"task\n> go to desk 1\nNothing happens."}"#,
            Format::KnowAgent,
        );
        for (json, format) in cases.into_iter().chain([knowagent]) {
            assert_eq!(read_str(json).format, format, "{json}");
        }
    }

    #[test]
    fn unknown_shape_names_the_keys_and_suggests_format() {
        let Err(ReadError::Shape(msg)) = read(r#"{"foo": 1, "bar": []}"#, None) else {
            panic!("expected a shape error")
        };
        assert!(msg.contains("`bar`, `foo`"), "{msg}");
        assert!(msg.contains("--format"), "{msg}");
    }

    #[test]
    fn forced_format_reports_the_missing_list() {
        let Err(ReadError::Shape(msg)) = read(r#"{"foo": 1}"#, Some(Format::OpenAi)) else {
            panic!("expected a shape error")
        };
        assert!(msg.contains("`messages`"), "{msg}");
    }

    #[test]
    fn openai_tool_calls_keep_raw_argument_strings() {
        let r = read_str(
            r#"{"messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"ls","arguments":"{\"path\": \"/\"}"}}]},{"role":"tool","tool_call_id":"c1","content":"ok"}],"tools":[{"type":"function"}]}"#,
        );
        assert_eq!(r.turns[0].tool_calls[0].name, "ls");
        assert_eq!(r.turns[0].tool_calls[0].arguments, r#"{"path": "/"}"#);
        assert_eq!(r.turns[1].speaker, Speaker::Tool);
        assert!(r.tools.is_some());
    }

    #[test]
    fn glaive_tools_string_is_parsed_and_function_call_becomes_a_tool_call() {
        let r = read_str(
            r#"{"conversations":[{"from":"function_call","value":"{\"name\": \"f\", \"arguments\": {\"a\": 1}}"}],"tools":"[{\"name\": \"f\"}]"}"#,
        );
        assert_eq!(r.turns[0].speaker, Speaker::Agent);
        assert_eq!(r.turns[0].tool_calls[0].arguments, r#"{"a":1}"#);
        assert_eq!(r.tools, Some(serde_json::json!([{"name": "f"}])));
    }

    #[test]
    fn knowagent_lines_become_turns() {
        let r = read_str(
            r#"{"name":"g1","result":false,"traj":"You are in a room.\nYour task is: x\n> Think: go\nOK.\n> go to desk 1\nNothing happens.\nmore"}"#,
        );
        let got: Vec<(Speaker, &str)> = r
            .turns
            .iter()
            .map(|t| (t.speaker, t.text.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Speaker::User, "You are in a room.\nYour task is: x"),
                (Speaker::Agent, "Think: go"),
                (Speaker::Tool, "OK."),
                (Speaker::Agent, "go to desk 1"),
                (Speaker::Tool, "Nothing happens.\nmore"),
            ]
        );
        assert_eq!(r.id.as_deref(), Some("g1"));
    }

    #[test]
    fn numeric_ids_and_outcomes_are_kept() {
        let r = read_str(r#"{"id": 7, "reward": 1.0, "conversations": []}"#);
        assert_eq!(r.id.as_deref(), Some("7"));
        assert_eq!(r.meta, vec![("reward".to_string(), serde_json::json!(1.0))]);
    }
}
