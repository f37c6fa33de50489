//! Writing a kept record: byte for byte as in the source, edited in place (loss masks,
//! truncation) with every other byte of each message kept, or converted to ShareGPT or OpenAI
//! messages for fine-tuning tools.

use indexmap::IndexMap;
use serde_json::value::RawValue;
use serde_json::{json, Value};

use crate::model::{Format, Role, Trajectory, Turn};

/// The output format of kept records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// As in the source: byte for byte, or edited in place where masks or truncation apply.
    Same,
    /// ShareGPT `conversations` of `from`/`value`, with `loss` on the agent's turns.
    Sharegpt,
    /// OpenAI chat `messages`, with `weight` on assistant messages.
    Openai,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(
        "{0} records cannot be masked or truncated in their own format; use --to sharegpt or --to openai"
    )]
    CannotEdit(Format),
    #[error("the record is not the JSON object it was when loaded: {0}")]
    Json(#[from] serde_json::Error),
}

/// The edits a kept record needs.
#[derive(Debug, Clone, Copy)]
pub struct Edits<'a> {
    /// Turn indices whose loss is switched off.
    pub masked: &'a [usize],
    /// Keep only the turns before this index.
    pub truncate_at: Option<usize>,
}

impl Edits<'_> {
    fn is_none(&self) -> bool {
        self.masked.is_empty() && self.truncate_at.is_none()
    }
}

/// Render one kept record as one JSON value (no trailing newline).
pub fn render(
    bytes: &[u8],
    t: &Trajectory,
    edits: Edits,
    target: Target,
) -> Result<Vec<u8>, RenderError> {
    match target {
        Target::Same if edits.is_none() => Ok(bytes.to_vec()),
        Target::Same => edit_in_place(bytes, t.format, edits),
        Target::Sharegpt => Ok(serde_json::to_vec(&to_sharegpt(t, edits))?),
        Target::Openai => Ok(serde_json::to_vec(&to_openai(t, edits))?),
    }
}

type RawObject = IndexMap<String, Box<RawValue>>;

/// Set loss flags and cut the message list, keeping every key and value of the record and its
/// messages as they were (key order included); whitespace between tokens is not kept.
fn edit_in_place(bytes: &[u8], format: Format, edits: Edits) -> Result<Vec<u8>, RenderError> {
    let (list_keys, mask_key, mask_value): (&[&str], &str, &str) = match format {
        Format::ShareGpt | Format::RoleContent => {
            (&["conversations", "conversation"], "loss", "false")
        }
        Format::OpenAi | Format::MiniSweAgent => (&["messages"], "weight", "0"),
        Format::FireAct => (&["traj"], "weight", "0"),
        other => return Err(RenderError::CannotEdit(other)),
    };
    let mut record: RawObject = serde_json::from_slice(bytes)?;
    let Some(key) = list_keys.iter().find(|k| record.contains_key(**k)) else {
        return Err(RenderError::CannotEdit(format));
    };
    let mut messages: Vec<RawObject> = serde_json::from_str(record[*key].get())?;
    if let Some(k) = edits.truncate_at {
        messages.truncate(k);
    }
    let flag = RawValue::from_string(mask_value.to_string())?;
    for &i in edits.masked {
        if let Some(m) = messages.get_mut(i) {
            m.insert(mask_key.to_string(), flag.clone());
        }
    }
    let list = serde_json::to_string(&messages)?;
    record.insert(key.to_string(), RawValue::from_string(list)?);
    Ok(serde_json::to_vec(&record)?)
}

fn kept_turns<'a>(t: &'a Trajectory, edits: &Edits) -> &'a [Turn] {
    let end = edits
        .truncate_at
        .unwrap_or(t.turns.len())
        .min(t.turns.len());
    &t.turns[..end]
}

fn is_tool_reply(turn: &Turn) -> bool {
    matches!(
        &*turn.source_role,
        "tool" | "function" | "observation" | "ipython" | "tool_response"
    )
}

fn calls_json(turn: &Turn) -> Value {
    let calls: Vec<Value> = turn
        .tool_calls
        .iter()
        .map(|c| {
            let arguments = serde_json::from_str::<Value>(&c.arguments)
                .unwrap_or_else(|_| Value::String(c.arguments.clone()));
            json!({"name": c.name, "arguments": arguments})
        })
        .collect();
    match <[Value; 1]>::try_from(calls) {
        Ok([one]) => one,
        Err(calls) => Value::Array(calls),
    }
}

fn to_sharegpt(t: &Trajectory, edits: Edits) -> Value {
    let conversations: Vec<Value> = kept_turns(t, &edits)
        .iter()
        .map(|turn| {
            let trained = !edits.masked.contains(&turn.index);
            match turn.role {
                Role::System => json!({"from": "system", "value": turn.text}),
                Role::Instruction => json!({"from": "human", "value": turn.text}),
                Role::Environment if is_tool_reply(turn) => {
                    json!({"from": "observation", "value": turn.text})
                }
                Role::Environment => json!({"from": "human", "value": turn.text}),
                Role::Agent if !turn.tool_calls.is_empty() && turn.text.trim().is_empty() => {
                    json!({"from": "function_call", "value": calls_json(turn).to_string(), "loss": trained})
                }
                Role::Agent => json!({"from": "gpt", "value": turn.text, "loss": trained}),
            }
        })
        .collect();
    let mut out = json!({"id": t.id, "conversations": conversations});
    if let Some(tools) = &t.tools {
        out["tools"] = Value::String(tools.to_string());
    }
    out
}

fn to_openai(t: &Trajectory, edits: Edits) -> Value {
    let mut pending_ids: Vec<String> = Vec::new();
    let messages: Vec<Value> = kept_turns(t, &edits)
        .iter()
        .map(|turn| match turn.role {
            Role::System => json!({"role": "system", "content": turn.text}),
            Role::Instruction => json!({"role": "user", "content": turn.text}),
            Role::Environment if is_tool_reply(turn) => {
                let mut m = json!({"role": "tool", "content": turn.text});
                if !pending_ids.is_empty() {
                    m["tool_call_id"] = Value::String(pending_ids.remove(0));
                }
                m
            }
            Role::Environment => json!({"role": "user", "content": turn.text}),
            Role::Agent => {
                let weight = u8::from(!edits.masked.contains(&turn.index));
                let mut m = json!({"role": "assistant", "content": turn.text, "weight": weight});
                if !turn.tool_calls.is_empty() {
                    pending_ids.clear();
                    let calls: Vec<Value> = turn
                        .tool_calls
                        .iter()
                        .enumerate()
                        .map(|(k, c)| {
                            let id =
                                c.id.clone()
                                    .unwrap_or_else(|| format!("call_{}_{k}", turn.index));
                            pending_ids.push(id.clone());
                            json!({"id": id, "type": "function",
                                   "function": {"name": c.name, "arguments": c.arguments}})
                        })
                        .collect();
                    m["tool_calls"] = Value::Array(calls);
                }
                m
            }
        })
        .collect();
    let mut out = json!({"id": t.id, "messages": messages});
    if let Some(tools) = &t.tools {
        out["tools"] = tools.clone();
    }
    out
}

/// Remove the whitespace between tokens (never inside strings), so a pretty-printed record
/// fits on one JSON Lines line with every other byte unchanged.
pub fn compact(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut in_string = false;
    let mut escape = false;
    for &b in bytes {
        if in_string {
            out.push(b);
            if escape {
                escape = false;
            } else if b == b'\\' {
                escape = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b'"' => {
                in_string = true;
                out.push(b);
            }
            _ => out.push(b),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::split::RecordSpan;
    use crate::load::{parse_record, LoadOptions, RecordCtx};
    use std::path::Path;
    use std::sync::Arc;

    fn load(json: &str) -> Trajectory {
        let file: Arc<Path> = Arc::from(Path::new("x.jsonl"));
        let span = RecordSpan {
            start: 0,
            end: json.len() as u64,
            line: 1,
            column: 1,
            key: None,
        };
        let run: Arc<str> = Arc::from("r");
        let ctx = RecordCtx {
            file: &file,
            run: &run,
            ordinal: 0,
            span: &span,
            unterminated: false,
        };
        parse_record(json.as_bytes(), ctx, LoadOptions::default())
            .unwrap()
            .0
    }

    const SHAREGPT: &str = r#"{"id": "os_1", "conversations": [{"from": "human", "loss": null, "value": "task"}, {"from": "gpt", "loss": true, "value": "Act: bash"}, {"from": "human", "value": "out"}, {"from": "gpt", "loss": true, "value": "Act: finish", "extra": [1, 2]}], "zz": 1}"#;

    #[test]
    fn unedited_records_are_byte_for_byte() {
        let t = load(SHAREGPT);
        let none = Edits {
            masked: &[],
            truncate_at: None,
        };
        assert_eq!(
            render(SHAREGPT.as_bytes(), &t, none, Target::Same).unwrap(),
            SHAREGPT.as_bytes()
        );
    }

    #[test]
    fn masks_and_cuts_in_place_keep_keys_and_order() {
        let t = load(SHAREGPT);
        let edits = Edits {
            masked: &[1],
            truncate_at: Some(3),
        };
        let out = render(SHAREGPT.as_bytes(), &t, edits, Target::Same).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"id":"os_1","conversations":[{"from":"human","loss":null,"value":"task"},{"from":"gpt","loss":false,"value":"Act: bash"},{"from":"human","value":"out"}],"zz":1}"#
        );
    }

    #[test]
    fn openai_records_get_weight_zero() {
        let json = r#"{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}"#;
        let t = load(json);
        let edits = Edits {
            masked: &[1],
            truncate_at: None,
        };
        let out = render(json.as_bytes(), &t, edits, Target::Same).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a","weight":0}]}"#
        );
    }

    #[test]
    fn formats_without_a_mask_field_ask_for_a_conversion() {
        let json = r#"{"schema_version": "ATIF-v1.5", "steps": [{"step_id": 1, "source": "agent", "message": "x"}]}"#;
        let t = load(json);
        let edits = Edits {
            masked: &[0],
            truncate_at: None,
        };
        let err = render(json.as_bytes(), &t, edits, Target::Same).unwrap_err();
        assert!(err.to_string().contains("--to sharegpt"), "{err}");
    }

    #[test]
    fn conversions_load_back_with_the_same_turns() {
        let json = r#"{"id": "c1", "tools": [{"type": "function", "function": {"name": "ls"}}], "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "q"}, {"role": "assistant", "content": "", "tool_calls": [{"id": "k", "type": "function", "function": {"name": "ls", "arguments": "{\"p\": 1}"}}]}, {"role": "tool", "tool_call_id": "k", "content": "r"}, {"role": "assistant", "content": "done"}]}"#;
        let t = load(json);
        let edits = Edits {
            masked: &[4],
            truncate_at: None,
        };
        for target in [Target::Sharegpt, Target::Openai] {
            let out = render(json.as_bytes(), &t, edits, target).unwrap();
            let back = load(std::str::from_utf8(&out).unwrap());
            assert_eq!(back.id, "c1");
            let roles: Vec<Role> = back.turns.iter().map(|x| x.role).collect();
            let want: Vec<Role> = t.turns.iter().map(|x| x.role).collect();
            assert_eq!(roles, want, "{target:?}");
            assert_eq!(back.turns[2].tool_calls[0].name, "ls");
            assert_eq!(back.turns[4].text, "done");
            let value: Value = serde_json::from_slice(&out).unwrap();
            match target {
                Target::Sharegpt => {
                    assert_eq!(value["conversations"][4]["loss"], false);
                    assert_eq!(value["conversations"][2]["from"], "function_call");
                }
                _ => {
                    assert_eq!(value["messages"][4]["weight"], 0);
                    assert_eq!(value["messages"][3]["tool_call_id"], "k");
                }
            }
        }
    }

    #[test]
    fn compact_keeps_strings_intact() {
        let pretty = b"{\n  \"a\": \"x  \\\" y\\n\",\n  \"b\": [ 1, 2 ]\n}";
        assert_eq!(
            compact(pretty),
            b"{\"a\":\"x  \\\" y\\n\",\"b\":[1,2]}".to_vec()
        );
    }
}
