//! A turn's tool calls as rows: `→ name`, then the arguments as indented JSON in the source's
//! key order. A turn whose text is nothing but its call written out (glaive's `function_call`
//! turns) shows the call once, as a call, not also as the text it was read from.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use serde::Deserialize;

use super::super::highlight;
use super::super::text::{self, Layers};
use super::super::theme::Theme;
use crate::model::Turn;
use crate::sanitize::{sanitize, sanitize_line};

/// Rows a call's arguments take at most beside the turn's own text when the turn is folded
/// (a turn that is only its calls gives them the turn's rows).
const FOLDED_CALL_ROWS: usize = 6;

/// Whether the turn's text is its one tool call as JSON (`{"name": …, "arguments": …}` and
/// nothing else), so the rows of the call say all the text says.
pub fn text_is_call(turn: &Turn) -> bool {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Named {
        name: String,
        #[serde(default, rename = "arguments")]
        _arguments: Option<serde::de::IgnoredAny>,
    }
    let [call] = turn.tool_calls.as_slice() else {
        return false;
    };
    let text = turn.text.trim();
    text.starts_with('{')
        && serde_json::from_str::<Named>(text).is_ok_and(|named| named.name == call.name)
}

/// The rows of every call of `turn` at `width` cells, the arguments cut to a few rows when
/// the turn is folded to `limit` rows.
pub fn call_rows(
    turn: &Turn,
    theme: &Theme,
    base: Style,
    highlight_on: bool,
    width: usize,
    limit: Option<usize>,
) -> Vec<Line<'static>> {
    let calls_only = turn.text.trim().is_empty() || text_is_call(turn);
    let mut rows = Vec::new();
    for call in &turn.tool_calls {
        rows.push(Line::from(vec![
            Span::styled("→ ", theme.muted),
            Span::styled(sanitize_line(&call.name), theme.agent),
        ]));
        if call.arguments.trim().is_empty() {
            continue;
        }
        let args = arguments_pretty(&call.arguments);
        let clean = sanitize(&args);
        let mut layers = Layers::default();
        if let (true, Some(syntax)) = (highlight_on, &theme.syntax) {
            layers.push(highlight::runs_as(&clean.text, "json", syntax));
        }
        let max_rows = match limit {
            None => usize::MAX,
            Some(n) if calls_only => n,
            Some(n) => n.min(FOLDED_CALL_ROWS),
        };
        let w = text::wrap(
            &clean.text,
            &layers,
            base,
            width.saturating_sub(2),
            max_rows,
        );
        let cut = w.consumed < clean.text.len();
        rows.extend(w.rows.into_iter().map(|mut l| {
            l.spans.insert(0, Span::raw("  "));
            l
        }));
        if cut {
            rows.push(Line::styled("  …", theme.muted));
        }
    }
    rows
}

/// Arguments indented, keys in the order the source wrote them; text that is not JSON as it
/// is.
pub fn arguments_pretty(arguments: &str) -> String {
    crate::json_text::pretty(arguments.trim()).unwrap_or_else(|| arguments.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Role, ToolCall};

    fn turn(text: &str, calls: &[(&str, &str)]) -> Turn {
        let mut t = Turn::new(1, Role::Agent, "function_call", text.to_string());
        t.tool_calls = calls
            .iter()
            .map(|(name, arguments)| ToolCall {
                id: None,
                name: name.to_string(),
                arguments: arguments.to_string(),
            })
            .collect();
        t
    }

    #[test]
    fn a_text_that_is_its_call_is_known() {
        let call = r#"{"name": "search", "arguments": {"query": "x", "numResults": 3}}"#;
        assert!(text_is_call(&turn(call, &[("search", "{}")])));
        // Another name, prose, or two calls: the text says something of its own.
        assert!(!text_is_call(&turn(call, &[("find", "{}")])));
        assert!(!text_is_call(&turn("I will search.", &[("search", "{}")])));
        assert!(!text_is_call(&turn(
            call,
            &[("search", "{}"), ("search", "{}")]
        )));
        assert!(!text_is_call(&turn(call, &[])));
        // A key beside the call would be hidden: the text shows.
        let more = r#"{"name": "search", "arguments": {}, "thought": "look it up"}"#;
        assert!(!text_is_call(&turn(more, &[("search", "{}")])));
    }

    #[test]
    fn arguments_are_indented_in_the_source_order() {
        assert_eq!(
            arguments_pretty(r#"{"query":"x","numResults":3}"#),
            "{\n  \"query\": \"x\",\n  \"numResults\": 3\n}"
        );
        assert_eq!(arguments_pretty("ls -la"), "ls -la");
    }
}
