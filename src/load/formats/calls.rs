//! Tool calls as the sources write them: OpenAI's `tool_calls` list (or that list serialised to
//! a string), Inspect's variant of it, and arguments kept as text.

use serde::Deserialize;
use serde_json::Value;

use crate::model::ToolCall;

pub(super) fn arguments_text(arguments: Option<Value>) -> String {
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
pub(super) fn tool_calls_of(value: Option<Value>) -> Vec<ToolCall> {
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
