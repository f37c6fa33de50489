//! Tool calls (OpenAI messages, glaive, ATIF, SWE-agent): calls to undeclared tools,
//! arguments that are not JSON or lack required parameters, and replies reporting a call
//! error.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::{quote, Checker, RuleId};
use crate::model::{Role, Task, ToolCall};

/// Replies that report a parsing or call error: OpenHands' `ERROR:` observations, Terminus'
/// `Previous response had parsing errors`, and the usual phrasings of tool runners.
static CALL_ERROR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^\s*(?:OBSERVATION:\s*)?ERROR:",
        r"|^\s*Previous response had (?:parsing )?errors",
        r"|^\s*(?:Error|ERROR)(?: parsing| executing| calling| invoking)?(?: the)? (?:tool|function|arguments?)\b",
        r"|^\s*(?:Unknown|Invalid) (?:tool|function)\b",
        r"|^\s*Failed to parse\b",
        r"|^\s*(?:Error|ERROR):?\s*(?:unknown (?:tool|function)|invalid (?:tool|arguments?|json)",
        r"|missing required|could not parse|failed to parse)"
    ))
    .unwrap()
});

/// A declared tool: its name and its required parameters.
struct Declared {
    name: String,
    required: Vec<String>,
}

/// Read the declared tool list: OpenAI `[{type, function: {name, parameters}}]`, glaive
/// `[{name, parameters}]`, ATIF tool definitions (either shape), Anthropic `input_schema`.
fn declared(tools: &Value) -> Vec<Declared> {
    let Some(items) = tools.as_array() else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let f = item
                .get("function")
                .filter(|f| f.is_object())
                .unwrap_or(item);
            let name = f.get("name")?.as_str()?.to_string();
            let schema = f
                .get("parameters")
                .or_else(|| f.get("input_schema"))
                .or_else(|| f.get("parameters_json_schema"));
            let required = schema
                .and_then(|s| s.get("required"))
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            Some(Declared { name, required })
        })
        .collect()
}

fn check_call(call: &ToolCall, tools: &[Declared]) -> Option<String> {
    let declared = if tools.is_empty() {
        None
    } else {
        match tools.iter().find(|t| t.name == call.name) {
            Some(t) => Some(t),
            None => {
                let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
                return Some(format!(
                    "call to `{}`, which is not a declared tool (declared: {})",
                    quote(&call.name),
                    names.join(", ")
                ));
            }
        }
    };
    let args = call.arguments.trim();
    let parsed: Value = if args.is_empty() {
        Value::Object(Default::default())
    } else {
        match serde_json::from_str(args) {
            Ok(v) => v,
            Err(e) => {
                return Some(format!(
                    "the arguments of `{}` are not valid JSON ({e}): `{}`",
                    quote(&call.name),
                    quote(args)
                ))
            }
        }
    };
    let decl = declared?;
    let missing: Vec<&str> = decl
        .required
        .iter()
        .filter(|r| parsed.get(r.as_str()).is_none())
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        return None;
    }
    Some(format!(
        "the call to `{}` lacks the required parameter{} {}",
        quote(&call.name),
        if missing.len() > 1 { "s" } else { "" },
        missing.join(", ")
    ))
}

/// The rules this module reports: it runs when one of them is on.
pub const RULES: &[RuleId] = &[RuleId::InvalidActionTool];

/// `invalid-action/tool`.
pub fn check(cx: &mut Checker) {
    if !cx.on(RuleId::InvalidActionTool) {
        return;
    }
    let tools = cx
        .trajectory
        .tools
        .as_ref()
        .map(declared)
        .unwrap_or_default();
    let agents: Vec<_> = cx
        .agent_turns()
        .filter(|t| !t.tool_calls.is_empty())
        .collect();
    let mut flagged = Vec::new();
    for turn in agents {
        for call in &turn.tool_calls {
            if let Some(message) = check_call(call, &tools) {
                flagged.push(turn.index);
                cx.report(RuleId::InvalidActionTool, turn.index, (0, 0), message);
            }
        }
    }
    let tool_task = matches!(cx.task(), Task::Swe | Task::Generic);
    let errors: Vec<_> = cx
        .replies()
        .filter(|(env, agent)| {
            (tool_task || agent.is_some_and(|a| !a.tool_calls.is_empty()))
                && CALL_ERROR.is_match(&env.text)
        })
        .collect();
    for (env, agent) in errors {
        let message = format!("the tool answered `{}`", quote(&env.text));
        match agent.filter(|a| a.role == Role::Agent) {
            // The call itself was already found wrong: one finding per defect.
            Some(a) if flagged.contains(&a.index) => {}
            Some(a) => cx.report(RuleId::InvalidActionTool, a.index, (0, 0), message),
            None => cx.report(RuleId::InvalidActionTool, env.index, (0, 0), message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::model::{Task, ToolCall};

    fn call(name: &str, args: &str) -> ToolCall {
        ToolCall {
            id: None,
            name: name.into(),
            arguments: args.into(),
        }
    }

    #[test]
    fn undeclared_tools_bad_json_and_missing_parameters() {
        let mut t = traj(
            Task::Generic,
            &[
                (I, "q"),
                (A, ""),
                (E, "ok"),
                (A, ""),
                (E, "ok"),
                (A, ""),
                (E, "ok"),
                (A, ""),
            ],
        );
        t.tools = Some(serde_json::json!([
            {"type": "function", "function": {"name": "view", "parameters": {"type": "object", "required": ["path"]}}},
            {"name": "search"}
        ]));
        t.turns[1].tool_calls.push(call("edit", "{}"));
        t.turns[3].tool_calls.push(call("view", "{\"path\": "));
        t.turns[5]
            .tool_calls
            .push(call("view", "{\"view_range\": [1, 2]}"));
        t.turns[7].tool_calls.push(call("search", "{\"q\": 1}"));
        let f = findings_of(&t, RuleId::InvalidActionTool);
        assert_eq!(
            f.iter().map(|f| f.turn).collect::<Vec<_>>(),
            [1, 3, 5],
            "{f:?}"
        );
        assert!(f[0].message.contains("not a declared tool"));
        assert!(f[1].message.contains("not valid JSON"));
        assert!(f[2].message.contains("required parameter path"));
    }

    #[test]
    fn error_replies_go_to_the_calling_turn() {
        let mut t = traj(
            Task::Generic,
            &[(I, "q"), (A, ""), (E, "OBSERVATION:\nERROR:\nThe `view_range` parameter is not allowed when `path` points to a directory."), (A, "done")],
        );
        t.turns[1].tool_calls.push(call("str_replace_editor", "{}"));
        let f = findings_of(&t, RuleId::InvalidActionTool);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].turn, 1);
        assert!(f[0].message.contains("view_range"));
    }
}
