//! Claude Code session logs: one JSON object a line (`user` and `assistant` messages, `system`
//! notes, `summary` titles) linked by `uuid`/`parentUuid`. A record is one session's lines (see
//! `split::sessions`); its turns follow the `parentUuid` links.
//!
//! What each line becomes:
//! - `user` text: the instruction (the first) or the user's follow-ups; `tool_result` blocks:
//!   one environment turn each (source role `tool_result`, or `tool_result (error)` when the
//!   result has `is_error: true`);
//! - `assistant`: one agent turn, its `tool_use` blocks as tool calls (the `input` as JSON
//!   arguments); each `thinking` block is a turn of its own before it, source role
//!   `thinking`, shown as demo (dimmed, never flagged);
//! - `system`: a system turn; `summary`: a demo system turn after the line it summarises;
//! - sidechain (`isSidechain`, a sub-agent's work) and `isMeta` lines: their turns are demo and
//!   their source role says `sidechain …` / `… (meta)`;
//! - any other `type` (`file-history-snapshot`, `progress`, …) is skipped with one warning per
//!   type naming the first such line.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::reader::{Missing, RawRecord, RawTurn, ReadError, Reader, Speaker};
use crate::load::envelope::Envelope;
use crate::load::split::sessions;
use crate::model::{Format, ToolCall};

pub(super) const READER: Reader = Reader {
    format: Format::ClaudeCode,
    detects: |env| {
        (env.session_id_camel.is_some() && env.uuid.is_some()) || env.leaf_uuid.is_some()
    },
    read,
};

/// One line of the session: its 1-based line in the record and its object.
struct Entry {
    line: u32,
    map: Map<String, Value>,
    /// The `input` of each `tool_use` block, in order, as compact JSON in the source's key
    /// order (the map's values have their keys sorted).
    inputs: Vec<String>,
}

/// The `input` of each `tool_use` block of a line's message, kept in the source's key order.
fn tool_inputs(text: &str) -> Vec<String> {
    #[derive(Deserialize)]
    struct Line {
        message: Option<Message>,
    }
    #[derive(Deserialize)]
    struct Message {
        content: Option<Box<RawValue>>,
    }
    #[derive(Deserialize)]
    struct Block {
        #[serde(rename = "type")]
        kind: Option<String>,
        input: Option<Box<RawValue>>,
    }
    if memchr::memmem::find(text.as_bytes(), b"tool_use").is_none() {
        return Vec::new();
    }
    let Ok(Line {
        message: Some(Message {
            content: Some(content),
        }),
    }) = serde_json::from_str::<Line>(text)
    else {
        return Vec::new();
    };
    let Ok(blocks) = serde_json::from_str::<Vec<Block>>(content.get()) else {
        return Vec::new();
    };
    blocks
        .into_iter()
        .filter(|b| b.kind.as_deref() == Some("tool_use"))
        .map(|b| {
            b.input
                .and_then(|raw| crate::json_text::compact(raw.get()))
                .unwrap_or_default()
        })
        .collect()
}

impl Entry {
    fn str(&self, key: &str) -> Option<&str> {
        self.map.get(key).and_then(Value::as_str)
    }

    fn flag(&self, key: &str) -> bool {
        self.map.get(key).and_then(Value::as_bool) == Some(true)
    }

    /// The line it follows: its `parentUuid`, or for a summary the line it summarises.
    fn parent(&self) -> Option<&str> {
        self.str("parentUuid").or_else(|| self.str("leafUuid"))
    }
}

fn read(_env: &mut Envelope, record: &mut RawRecord, missing: &Missing) -> Result<(), ReadError> {
    let text = std::str::from_utf8(missing.bytes)
        .map_err(|e| ReadError::Shape(format!("not UTF-8: {e}")))?;
    let (session, lines) = sessions::members(text);
    let mut entries = Vec::with_capacity(lines.len());
    for (line, text) in lines {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => entries.push(Entry {
                line,
                map,
                inputs: tool_inputs(text),
            }),
            Ok(_) => record
                .notes
                .push((line, "not a JSON object; line skipped".into())),
            Err(e) => record.notes.push((line, format!("{e}; line skipped"))),
        }
    }
    if entries.is_empty() {
        return Err(ReadError::Shape(
            "a `claude-code` record needs lines that are JSON objects; none could be read".into(),
        ));
    }
    record.id = session;
    let (order, broken) = chain_order(&entries);
    if let Some(at) = broken {
        record.notes.push((
            at,
            "the `parentUuid` links here form a cycle: these lines are shown in file order".into(),
        ));
    }
    // Skipped types: how many and the first line of each.
    let mut skipped: BTreeMap<String, (usize, u32)> = BTreeMap::new();
    for i in order {
        let entry = &entries[i];
        if !turns_of(entry, &mut record.turns) {
            let kind = entry.str("type").unwrap_or("(no type)").to_string();
            skipped.entry(kind).or_insert((0, entry.line)).0 += 1;
        }
    }
    for (kind, (count, line)) in skipped {
        let s = if count == 1 { "" } else { "s" };
        record.notes.push((
            line,
            format!("{count} `{kind}` line{s} of the session skipped (not a message)"),
        ));
    }
    meta(&entries, &mut record.meta);
    Ok(())
}

/// The entries in `parentUuid` order: each after the one it follows, otherwise in file order (a
/// line whose parent is not in the session starts a chain where it is). Also the line where a
/// cycle of links was broken, if any.
fn chain_order(entries: &[Entry]) -> (Vec<usize>, Option<u32>) {
    let mut by_uuid: HashMap<&str, usize> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        if let Some(uuid) = e.str("uuid") {
            by_uuid.entry(uuid).or_insert(i);
        }
    }
    let n = entries.len();
    let mut waiting: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for (i, e) in entries.iter().enumerate() {
        match e.parent().and_then(|p| by_uuid.get(p)).copied() {
            Some(p) if p != i && !done[p] => waiting.entry(p).or_default().push(i),
            _ => emit(i, &mut waiting, &mut done, &mut order),
        }
    }
    let broken = (order.len() < n).then(|| entries[done.iter().position(|d| !d).unwrap_or(0)].line);
    for i in 0..n {
        if !done[i] {
            emit(i, &mut waiting, &mut done, &mut order);
        }
    }
    (order, broken)
}

/// Put `root` in the order, then the lines waiting for it (in file order, each followed by
/// those waiting for it).
fn emit(
    root: usize,
    waiting: &mut HashMap<usize, Vec<usize>>,
    done: &mut [bool],
    order: &mut Vec<usize>,
) {
    let mut stack = vec![root];
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut done[i], true) {
            continue;
        }
        order.push(i);
        if let Some(children) = waiting.remove(&i) {
            stack.extend(children.into_iter().rev());
        }
    }
}

/// The turns of one line; false when its type is not one that has turns.
fn turns_of(entry: &Entry, out: &mut Vec<RawTurn>) -> bool {
    let from = out.len();
    match entry.str("type") {
        Some(kind @ ("user" | "assistant")) => {
            let content = entry.map.get("message").and_then(|m| m.get("content"));
            match kind {
                "user" => user_turns(content, out),
                _ => assistant_turns(content, &entry.inputs, out),
            }
        }
        Some("system") => out.push(RawTurn::new(
            Speaker::System,
            "system",
            text_of(entry.map.get("content")),
        )),
        Some("summary") => {
            let text = entry.str("summary").unwrap_or_default().to_string();
            let mut turn = RawTurn::with_role(Speaker::System, Cow::Borrowed("summary"), text);
            turn.demo = true;
            out.push(turn);
        }
        _ => return false,
    }
    let (sidechain, meta) = (entry.flag("isSidechain"), entry.flag("isMeta"));
    for turn in &mut out[from..] {
        if sidechain {
            turn.source_role = Cow::Owned(format!("sidechain {}", turn.source_role));
        }
        if meta {
            turn.source_role = Cow::Owned(format!("{} (meta)", turn.source_role));
        }
        turn.demo |= sidechain || meta;
    }
    true
}

/// A user message: its text (one turn), and one environment turn per tool result.
fn user_turns(content: Option<&Value>, out: &mut Vec<RawTurn>) {
    let from = out.len();
    let mut text = String::new();
    let flush = |text: &mut String, out: &mut Vec<RawTurn>| {
        if !text.is_empty() {
            out.push(RawTurn::new(Speaker::User, "user", std::mem::take(text)));
        }
    };
    for block in blocks(content) {
        if block.get("type").and_then(Value::as_str) == Some("tool_result") {
            flush(&mut text, out);
            let error = block.get("is_error").and_then(Value::as_bool) == Some(true);
            let role = if error {
                "tool_result (error)"
            } else {
                "tool_result"
            };
            let result = text_of(block.get("content"));
            let mut turn = RawTurn::with_role(Speaker::Tool, Cow::Borrowed(role), result);
            turn.answers = block
                .get("tool_use_id")
                .and_then(Value::as_str)
                .map(str::to_string);
            out.push(turn);
        } else {
            push_text(&mut text, &block_text(block));
        }
    }
    flush(&mut text, out);
    if out.len() == from {
        out.push(RawTurn::new(Speaker::User, "user", String::new()));
    }
}

/// An assistant message: a demo turn per thinking block, then one agent turn with its text and
/// tool calls.
fn assistant_turns(content: Option<&Value>, inputs: &[String], out: &mut Vec<RawTurn>) {
    let mut turn = RawTurn::new(Speaker::Agent, "assistant", String::new());
    let mut thoughts = 0;
    let mut inputs = inputs.iter();
    for block in blocks(content) {
        match block.get("type").and_then(Value::as_str) {
            Some(kind @ ("thinking" | "redacted_thinking")) => {
                let text = match block.get("thinking").and_then(Value::as_str) {
                    Some(t) => t.to_string(),
                    None => format!("[{kind}]"),
                };
                let mut thought =
                    RawTurn::with_role(Speaker::Agent, Cow::Borrowed("thinking"), text);
                thought.demo = true;
                out.push(thought);
                thoughts += 1;
            }
            Some("tool_use") => turn.tool_calls.push(ToolCall {
                id: block.get("id").and_then(Value::as_str).map(str::to_string),
                name: block
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                // The input as the source wrote it (its keys in order), else as read.
                arguments: match (inputs.next(), block.get("input")) {
                    (Some(raw), _) if !raw.is_empty() => raw.clone(),
                    (_, input) => input.map_or_else(String::new, Value::to_string),
                },
            }),
            _ => push_text(&mut turn.text, &block_text(block)),
        }
    }
    if thoughts == 0 || !turn.text.is_empty() || !turn.tool_calls.is_empty() {
        out.push(turn);
    }
}

/// A message's content as blocks: a string is one text block.
fn blocks(content: Option<&Value>) -> Vec<&Value> {
    match content {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v @ Value::String(_)) => vec![v],
        _ => Vec::new(),
    }
}

/// The text of a block: its `text`, or a placeholder naming what it is (`[image]`).
fn block_text(block: &Value) -> Cow<'_, str> {
    match block {
        Value::String(s) => Cow::Borrowed(s),
        _ => match (block.get("text").and_then(Value::as_str), block.get("type")) {
            (Some(text), _) => Cow::Borrowed(text),
            (None, Some(Value::String(kind))) => Cow::Owned(format!("[{kind}]")),
            (None, _) => Cow::Owned(block.to_string()),
        },
    }
}

/// A tool result's or system line's content: a string, or its blocks' texts one a line.
fn text_of(content: Option<&Value>) -> String {
    let mut text = String::new();
    for block in blocks(content) {
        push_text(&mut text, &block_text(block));
    }
    text
}

fn push_text(text: &mut String, more: &str) {
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(more);
}

/// The session's working directory, branch and model, from the first line that has each.
fn meta(entries: &[Entry], out: &mut Vec<(String, Value)>) {
    let model = entries
        .iter()
        .find_map(|e| e.map.get("message")?.get("model")?.as_str());
    let fields = [
        ("cwd", entries.iter().find_map(|e| e.str("cwd"))),
        (
            "git_branch",
            entries.iter().find_map(|e| e.str("gitBranch")),
        ),
        ("model", model),
    ];
    for (name, value) in fields {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            out.push((name.to_string(), Value::String(value.to_string())));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::read;
    use super::*;

    fn line(uuid: &str, parent: Option<&str>, kind: &str, content: &str) -> String {
        let parent = parent.map_or("null".to_string(), |p| format!("\"{p}\""));
        format!(
            r#"{{"type":"{kind}","uuid":"{uuid}","parentUuid":{parent},"sessionId":"s1","isSidechain":false,"message":{{"role":"{kind}","content":{content}}}}}"#
        )
    }

    fn texts(record: &RawRecord) -> Vec<&str> {
        record.turns.iter().map(|t| t.text.as_str()).collect()
    }

    #[test]
    fn turns_follow_the_parent_links_whatever_the_file_order() {
        let lines = [
            line("c", Some("b"), "user", r#""third""#),
            line(
                "d",
                Some("c"),
                "assistant",
                r#"[{"type":"text","text":"fourth"}]"#,
            ),
            line("a", None, "user", r#""first""#),
            line(
                "b",
                Some("a"),
                "assistant",
                r#"[{"type":"text","text":"second"}]"#,
            ),
        ];
        let record = read(&lines.join("\n"), None).unwrap();
        assert_eq!(record.format, Format::ClaudeCode);
        assert_eq!(record.id.as_deref(), Some("s1"));
        assert_eq!(texts(&record), ["first", "second", "third", "fourth"]);
        assert!(record.notes.is_empty(), "{:?}", record.notes);
    }

    #[test]
    fn tool_calls_and_results_and_an_error_result() {
        let lines = [
            line("a", None, "user", r#""list the files""#),
            line(
                "b",
                Some("a"),
                "assistant",
                r#"[{"type":"thinking","thinking":"hmm"},{"type":"text","text":"Let me look."},{"type":"tool_use","id":"t1","name":"Bash","input":{"command":"ls"}}]"#,
            ),
            line(
                "c",
                Some("b"),
                "user",
                r#"[{"type":"tool_result","tool_use_id":"t1","content":"no such dir","is_error":true}]"#,
            ),
        ];
        let record = read(&lines.join("\n"), None).unwrap();
        let roles: Vec<(&str, bool)> = record
            .turns
            .iter()
            .map(|t| (&*t.source_role, t.demo))
            .collect();
        assert_eq!(
            roles,
            [
                ("user", false),
                ("thinking", true),
                ("assistant", false),
                ("tool_result (error)", false)
            ]
        );
        let agent = &record.turns[2];
        assert_eq!(agent.text, "Let me look.");
        assert_eq!(agent.tool_calls[0].name, "Bash");
        assert_eq!(agent.tool_calls[0].arguments, r#"{"command":"ls"}"#);
        assert_eq!(record.turns[3].speaker, Speaker::Tool);
        assert_eq!(record.turns[3].text, "no such dir");
    }

    #[test]
    fn sidechain_meta_summary_and_unknown_lines_are_kept_or_reported() {
        let sidechain = line("x", Some("a"), "user", r#""sub-agent prompt""#)
            .replace(r#""isSidechain":false"#, r#""isSidechain":true"#);
        let meta = line("m", Some("a"), "user", r#""<command-name>""#)
            .replace(r#""isSidechain":false"#, r#""isMeta":true"#);
        let lines = [
            line("a", None, "user", r#""task""#),
            sidechain,
            meta,
            r#"{"type":"file-history-snapshot","messageId":"a","sessionId":"s1"}"#.to_string(),
            "not json".to_string(),
            r#"{"type":"summary","summary":"Title","leafUuid":"a"}"#.to_string(),
        ];
        let record = read(&lines.join("\n"), None).unwrap();
        let roles: Vec<(&str, bool)> = record
            .turns
            .iter()
            .map(|t| (&*t.source_role, t.demo))
            .collect();
        assert_eq!(
            roles,
            [
                ("user", false),
                ("sidechain user", true),
                ("user (meta)", true),
                ("summary", true)
            ]
        );
        let notes: Vec<u32> = record.notes.iter().map(|(line, _)| *line).collect();
        assert_eq!(notes, [5, 4], "{:?}", record.notes);
        assert!(record.notes[1].1.contains("`file-history-snapshot`"));
    }

    #[test]
    fn a_cycle_of_links_keeps_every_line() {
        let lines = [
            line("a", Some("b"), "user", r#""one""#),
            line("b", Some("a"), "assistant", r#""two""#),
        ];
        let record = read(&lines.join("\n"), None).unwrap();
        assert_eq!(texts(&record), ["one", "two"]);
        assert!(record.notes[0].1.contains("cycle"));
    }

    #[test]
    fn a_single_line_is_read_and_the_format_can_be_forced() {
        let one = line("a", None, "user", r#""hi""#);
        assert_eq!(read(&one, None).unwrap().turns.len(), 1);
        let forced = read(&one, Some(Format::ClaudeCode)).unwrap();
        assert_eq!(forced.format, Format::ClaudeCode);
    }
}
