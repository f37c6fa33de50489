//! How findings are written out: one JSON line each (the `trev check --json` contract, written
//! field by field for speed and tested against serde), or two human lines; and the excerpt of
//! the turn around a finding's span.

use std::io::{self, Write};

use super::Finding;
use crate::model::Trajectory;
use crate::rules::text;
use crate::sanitize::line;

/// A short excerpt of the finding's turn around its span; for a tool-call turn without text,
/// the calls.
pub fn excerpt(t: &Trajectory, finding: &Finding) -> String {
    let turn = &t.turns[finding.turn];
    if text::trim(&turn.text).is_empty() && !turn.tool_calls.is_empty() {
        let calls: Vec<String> = turn
            .tool_calls
            .iter()
            .map(|c| format!("{}({})", c.name, c.arguments.trim()))
            .collect();
        text::excerpt(&calls.join("; "), (0, 0), 0, 120)
    } else {
        // From the first highlighted range to the end of the last (cut at 120 characters).
        let end = finding.spans().map(|s| s.1).max().unwrap_or(finding.span.1);
        text::excerpt(&turn.text, (finding.span.0, end), 24, 120)
    }
}

/// The start of every finding line of a trajectory: `{"type":"finding","file":…,"record":…,
/// "trajectory":…,"run":…,"task":…,"outcome":…,"turn":` (see [`write_json`]).
pub fn json_prefix(file: &str, t: &Trajectory) -> Vec<u8> {
    // Room for the keys and values as they are (escapes are rare): no growth on the way.
    let mut out = Vec::with_capacity(128 + file.len() + t.id.len() + t.run.len());
    out.extend_from_slice(br#"{"type":"finding","file":"#);
    json_string(&mut out, file);
    out.extend_from_slice(br#","record":"#);
    out.extend_from_slice(itoa::Buffer::new().format(t.source.record).as_bytes());
    out.extend_from_slice(br#","trajectory":"#);
    json_string(&mut out, &t.id);
    out.extend_from_slice(br#","run":"#);
    json_string(&mut out, &t.run);
    out.extend_from_slice(br#","task":""#);
    out.extend_from_slice(t.task.as_str().as_bytes());
    out.extend_from_slice(br#"","outcome":""#);
    out.extend_from_slice(t.outcome.verdict.as_str().as_bytes());
    out.extend_from_slice(br#"","turn":"#);
    out
}

/// One finding as a JSON line, the fields in the documented order: what `FindingLine` (the
/// tests' serde reference) serialises to, written field by field after the trajectory's
/// [`json_prefix`].
pub fn write_json(out: &mut Vec<u8>, prefix: &[u8], f: &Finding, excerpt: &str) {
    let mut n = itoa::Buffer::new();
    out.extend_from_slice(prefix);
    out.extend_from_slice(n.format(f.turn).as_bytes());
    out.extend_from_slice(br#","rule":"#);
    json_string(out, &f.rule);
    out.extend_from_slice(br#","severity":""#);
    out.extend_from_slice(f.severity.as_str().as_bytes());
    out.extend_from_slice(br#"","span":["#);
    out.extend_from_slice(n.format(f.span.0).as_bytes());
    out.push(b',');
    out.extend_from_slice(n.format(f.span.1).as_bytes());
    out.extend_from_slice(br#"],"spans":["#);
    for (i, (start, end)) in f.spans().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'[');
        out.extend_from_slice(n.format(start).as_bytes());
        out.push(b',');
        out.extend_from_slice(n.format(end).as_bytes());
        out.push(b']');
    }
    out.extend_from_slice(br#"],"message":"#);
    json_string(out, &f.message);
    out.extend_from_slice(br#","excerpt":"#);
    json_string(out, excerpt);
    out.extend_from_slice(b"}\n");
}

/// A JSON string literal, escaped as serde_json escapes it: `"`, `\\` and the C0 controls,
/// the common ones by their short escapes.
fn json_string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    while let Some(i) = next_escape(bytes, start) {
        out.extend_from_slice(&bytes[start..i]);
        let b = bytes[i];
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 15)],
            ]),
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// The first byte from `from` on that a JSON string must escape. Eight bytes at a time: a
/// word has such a byte when one of its bytes is below 0x20, `"` or `\\` (the lowest flagged
/// byte is always a true one).
fn next_escape(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    let zero_in = |w: u64| w.wrapping_sub(ONES) & !w & HIGH;
    let mut at = from;
    let mut words = bytes[from..].chunks_exact(8);
    for chunk in &mut words {
        let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let found = (w.wrapping_sub(ONES * 0x20) & !w & HIGH)
            | zero_in(w ^ (ONES * u64::from(b'"')))
            | zero_in(w ^ (ONES * u64::from(b'\\')));
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
        .map(|i| at + i)
}

/// A finding as two human lines: where and what, then the excerpt (every piece of data through
/// [`line()`]).
pub fn write_human(
    out: &mut impl Write,
    file: &str,
    t: &Trajectory,
    f: &Finding,
    excerpt: &str,
) -> io::Result<()> {
    writeln!(
        out,
        "{}:{}  {}  turn {}  {}  {}: {}",
        line(file),
        t.source.record,
        line(&t.id),
        f.turn,
        f.severity,
        line(&f.rule),
        line(&f.message)
    )?;
    writeln!(out, "    │ {}", line(excerpt))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Severity;
    use crate::model::Task;

    /// A finding line as a serde struct: the reference [`write_json`] is tested against.
    #[derive(serde::Serialize)]
    struct FindingLine<'a> {
        #[serde(rename = "type")]
        kind: &'static str,
        file: &'a str,
        record: usize,
        trajectory: &'a str,
        run: &'a str,
        task: Task,
        outcome: crate::model::Verdict,
        turn: usize,
        rule: &'a str,
        severity: Severity,
        span: [usize; 2],
        spans: Vec<[usize; 2]>,
        message: &'a str,
        excerpt: &'a str,
    }

    #[test]
    fn finding_lines_are_what_serde_writes() {
        let mut t = crate::rules::testing::traj(Task::Webshop, &[]);
        t.id = "tr\"aj\u{1b}é".into();
        t.source.record = 41;
        t.run = "runs/\"x\"".into();
        t.outcome.verdict = crate::model::Verdict::Fail;
        let f = Finding {
            rule: "user/ru\\le".into(),
            severity: Severity::Warn,
            trajectory: t.id.as_str().into(),
            turn: 12,
            span: (3, 4000),
            extra_spans: vec![(4001, 4002), (5000, 5010)],
            message: "a \"quoted\" \u{7} message\n".into(),
        };
        let excerpt = "…\r\n\u{1b}]0;x\u{7}…";
        let file = "dir/file \"1\".jsonl";
        let mut ours = Vec::new();
        write_json(&mut ours, &json_prefix(file, &t), &f, excerpt);
        let line = FindingLine {
            kind: "finding",
            file,
            record: t.source.record,
            trajectory: &t.id,
            run: &t.run,
            task: t.task,
            outcome: t.outcome.verdict,
            turn: f.turn,
            rule: &f.rule,
            severity: f.severity,
            span: [f.span.0, f.span.1],
            spans: f.spans().map(|(a, b)| [a, b]).collect(),
            message: &f.message,
            excerpt,
        };
        let mut theirs = serde_json::to_vec(&line).unwrap();
        theirs.push(b'\n');
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(theirs).unwrap()
        );
    }

    #[test]
    fn json_strings_are_escaped_as_serde_escapes_them() {
        let mut pieces: Vec<String> = (0u8..0x20).map(|b| char::from(b).to_string()).collect();
        pieces.extend(["\"", "\\", "a", "é", "\u{7f}", "😀", "abcdefgh", "/"].map(String::from));
        let pieces: Vec<&str> = pieces.iter().map(String::as_str).collect();
        for text in crate::rules::testing::random_texts(3, &pieces, 24, 20_000) {
            let mut ours = Vec::new();
            json_string(&mut ours, &text);
            assert_eq!(ours, serde_json::to_vec(&text).unwrap(), "{text:?}");
        }
    }
}
