//! JSON text laid out again without being parsed into a map: compact or indented, with the
//! keys in the order the source wrote them and every string and number exactly as written
//! (serde_json's `Value` keeps keys sorted, so a round trip through it would reorder them).

use serde::de::IgnoredAny;

/// `text` (one JSON value) without the whitespace between its tokens; `None` when it is not
/// valid JSON.
pub fn compact(text: &str) -> Option<String> {
    layout(text, None)
}

/// `text` (one JSON value) indented by two spaces a level, as `serde_json::to_string_pretty`
/// lays out a value, but with the source's key order; `None` when it is not valid JSON.
pub fn pretty(text: &str) -> Option<String> {
    layout(text, Some("  "))
}

fn layout(text: &str, indent: Option<&str>) -> Option<String> {
    serde_json::from_str::<IgnoredAny>(text).ok()?;
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut depth = 0usize;
    let newline = |out: &mut String, depth: usize| {
        if let Some(unit) = indent {
            out.push('\n');
            for _ in 0..depth {
                out.push_str(unit);
            }
        }
    };
    let mut i = 0;
    // Copy runs of bytes between structural characters whole (they are ASCII, so every cut
    // is on a character boundary).
    let mut run = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' => {
                // A string: copied as written, escapes and all.
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                i = j + 1;
                continue;
            }
            b' ' | b'\t' | b'\n' | b'\r' | b'{' | b'[' | b'}' | b']' | b',' | b':' => {
                out.push_str(&text[run..i]);
                run = i + 1;
            }
            _ => {
                i += 1;
                continue;
            }
        }
        match b {
            b'{' | b'[' => {
                out.push(b as char);
                let close = if b == b'{' { b'}' } else { b']' };
                // An empty object or list stays on one line: `{}`, `[]`.
                let next = bytes[i + 1..]
                    .iter()
                    .position(|c| !c.is_ascii_whitespace())
                    .map(|k| i + 1 + k);
                match next {
                    Some(k) if bytes[k] == close => {
                        out.push(close as char);
                        i = k + 1;
                        run = i;
                        continue;
                    }
                    _ => {
                        depth += 1;
                        newline(&mut out, depth);
                    }
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(b as char);
            }
            b',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            b':' => out.push_str(if indent.is_some() { ": " } else { ":" }),
            _ => {}
        }
        i += 1;
    }
    out.push_str(&text[run.min(text.len())..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_order_and_values_their_spelling() {
        let src = r#" {"query": "a b", "numResults": 3, "x": 1.50, "e": 1e5, "u": "\u00e9\"}"} "#;
        assert_eq!(
            compact(src).unwrap(),
            r#"{"query":"a b","numResults":3,"x":1.50,"e":1e5,"u":"\u00e9\"}"}"#
        );
        assert_eq!(
            pretty(src).unwrap(),
            "{\n  \"query\": \"a b\",\n  \"numResults\": 3,\n  \"x\": 1.50,\n  \"e\": 1e5,\n  \"u\": \"\\u00e9\\\"}\"\n}"
        );
    }

    #[test]
    fn nesting_and_empty_containers_lay_out_as_serde_json_does() {
        let src = r#"{"b":[1,{"z":null,"a":[]}],"a":{ },"s":"[,:{]"}"#;
        let sorted_free = r#"{"a":{},"b":[1,{"a":[],"z":null}],"s":"[,:{]"}"#;
        // Same layout as serde_json's pretty printer, keys apart.
        let ours = pretty(src).unwrap();
        let theirs =
            serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(src).unwrap())
                .unwrap();
        assert_eq!(ours.len(), theirs.len());
        assert!(ours.starts_with("{\n  \"b\": [\n    1,\n    {\n      \"z\": null,"));
        assert_eq!(
            compact(src).unwrap(),
            r#"{"b":[1,{"z":null,"a":[]}],"a":{},"s":"[,:{]"}"#
        );
        assert_eq!(
            compact(
                &serde_json::to_string_pretty(
                    &serde_json::from_str::<serde_json::Value>(src).unwrap()
                )
                .unwrap()
            )
            .unwrap(),
            sorted_free
        );
        assert_eq!(pretty("7").unwrap(), "7");
        assert_eq!(pretty("\"x y\"").unwrap(), "\"x y\"");
    }

    #[test]
    fn text_that_is_not_json_is_refused() {
        assert_eq!(pretty("{\"a\": "), None);
        assert_eq!(compact("ls -la"), None);
        assert_eq!(compact(""), None);
    }
}
