//! Tool calls as the sources write them: OpenAI's `tool_calls` list (or that list serialised to
//! a string), Inspect's variant of it, and arguments kept as text.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::model::ToolCall;

/// The arguments as text: a JSON-encoded string as the source encoded it, an object (or any
/// other value) compact with its keys in the source's order, `null` or none as nothing.
pub(super) fn arguments_text(arguments: Option<&RawValue>) -> String {
    let Some(raw) = arguments.map(RawValue::get) else {
        return String::new();
    };
    match raw.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<String>(raw).unwrap_or_default(),
        Some(b'n') if raw == "null" => String::new(),
        _ => crate::json_text::compact(raw).unwrap_or_else(|| raw.to_string()),
    }
}

#[derive(Deserialize)]
struct OpenAiCall {
    id: Option<String>,
    /// `{name, arguments}`, or (Inspect-style) the name, with `arguments` beside it. Kept as
    /// text: serde's untagged enums cannot hold raw values.
    function: Option<Box<RawValue>>,
    name: Option<String>,
    arguments: Option<Box<RawValue>>,
}

#[derive(Deserialize)]
struct OpenAiFunction {
    name: String,
    arguments: Option<Box<RawValue>>,
}

impl OpenAiCall {
    fn into_tool_call(self) -> Option<ToolCall> {
        let (name, arguments) = match self.function.as_deref().map(RawValue::get) {
            Some(raw) if raw.starts_with('{') => {
                let f: OpenAiFunction = serde_json::from_str(raw).ok()?;
                (f.name, f.arguments)
            }
            Some(raw) if raw.starts_with('"') => (serde_json::from_str(raw).ok()?, self.arguments),
            Some(raw) if raw != "null" => return None,
            _ => (self.name.unwrap_or_default(), self.arguments),
        };
        Some(ToolCall {
            id: self.id,
            name,
            arguments: arguments_text(arguments.as_deref()),
        })
    }
}

/// `tool_calls` as a list, or (in some SWE-agent files) as that list serialised to a string.
pub(super) fn tool_calls_of(raw: Option<&RawValue>) -> Vec<ToolCall> {
    let Some(raw) = raw.map(RawValue::get) else {
        return Vec::new();
    };
    let encoded;
    let list = match raw.as_bytes().first() {
        Some(b'[') => raw,
        Some(b'"') => match serde_json::from_str::<String>(raw) {
            Ok(s) => {
                encoded = s;
                &encoded
            }
            Err(_) => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    let Ok(list) = serde_json::from_str::<Vec<Box<RawValue>>>(list) else {
        return Vec::new();
    };
    list.into_iter()
        .filter_map(|v| {
            serde_json::from_str::<OpenAiCall>(v.get())
                .ok()?
                .into_tool_call()
        })
        .collect()
}
