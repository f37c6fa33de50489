//! Session logs (Claude Code) as a container: a JSON Lines file whose lines are the records of
//! a few sessions, read as one record per session instead of one per line.
//!
//! A session's record is the span from its first line to its last; lines of other sessions
//! inside it are skipped when it is read ([`members`]). A line without a session (a `summary`, a
//! line that is not JSON) belongs to the session of the nearest line above it that has one, or
//! to the first session when none is above. The file is grouped once it is indexed, from its
//! bytes held whole ([`spans`]); a session is read back from its span alone, by the same rule.

use std::collections::HashMap;
use std::fs::File;
use std::io;

use serde::Deserialize;
use serde_json::Value;

use super::{Layout, RecordSpan};
use crate::load::{formats, source};
use crate::model::Format;

/// Whether a file's lines are grouped into sessions: it is JSON Lines and its first record is a
/// session record (or the format is forced to one that is read by session).
pub fn is_log(layout: Layout, first: &[u8], forced: Option<Format>) -> bool {
    layout == Layout::Lines && formats::starts_session_log(first, forced)
}

/// Whether a file being indexed is a session log: decided (into `log`) by [`is_log`] once its
/// first record is found, read back from `file`.
pub fn grouped(
    log: &mut Option<bool>,
    spans: &[RecordSpan],
    layout: Layout,
    forced: Option<Format>,
    file: &File,
) -> io::Result<bool> {
    if let (None, Some(first)) = (*log, spans.first()) {
        let lines = layout == Layout::Lines;
        *log = Some(lines && is_log(layout, &source::read_span(file, first)?, forced));
    }
    Ok(*log == Some(true))
}

/// The span of a whole file of `len` bytes, to read it back for [`spans`].
pub fn whole(len: u64) -> RecordSpan {
    RecordSpan {
        start: 0,
        end: len,
        line: 1,
        column: 1,
        key: None,
    }
}

/// The sessions of a whole log (the file's bytes), in the order they first appear, each keyed by
/// its session id (`None` only when no line of the file has one).
pub fn spans(bytes: &[u8]) -> Vec<RecordSpan> {
    let mut out: Vec<RecordSpan> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    // The session of the nearest line above that has one.
    let mut current: Option<usize> = None;
    // Lines before the first session's first line: (start, line), end.
    let mut leading: Option<((u64, u32), u64)> = None;
    for (number, start, end) in lines(bytes) {
        let (start, end) = (start as u64, end as u64);
        let i = match session_of(&bytes[start as usize..end as usize]) {
            Some(session) => *index.entry(session).or_insert_with_key(|key| {
                let (start, line) = match (out.is_empty(), leading) {
                    (true, Some((first, _))) => first,
                    _ => (start, number),
                };
                out.push(RecordSpan {
                    start,
                    end,
                    line,
                    column: 1,
                    key: Some(key.as_str().into()),
                });
                out.len() - 1
            }),
            None => match current {
                Some(i) => i,
                None => {
                    let first = leading.map_or((start, number), |(first, _)| first);
                    leading = Some((first, end));
                    continue;
                }
            },
        };
        out[i].end = end;
        current = Some(i);
    }
    if let (true, Some(((start, line), end))) = (out.is_empty(), leading) {
        out.push(RecordSpan {
            start,
            end,
            line,
            column: 1,
            key: None,
        });
    }
    out
}

/// The lines of one session's record (the span [`spans`] gave it): its session id and its own
/// lines (1-based line in the record, text), blank lines and other sessions' lines left out.
pub fn members(text: &str) -> (Option<String>, Vec<(u32, &str)>) {
    let mut session: Option<String> = None;
    let mut current: Option<String> = None;
    let mut out = Vec::new();
    for (number, start, end) in lines(text.as_bytes()) {
        let line = &text[start..end];
        let ours = match session_of(line.as_bytes()) {
            Some(s) => {
                let ours = session.get_or_insert_with(|| s.clone()) == &s;
                current = Some(s);
                ours
            }
            None => current.is_none() || current == session,
        };
        if ours {
            out.push((number, line));
        }
    }
    (session, out)
}

/// The non-blank lines: (1-based number, start, end), the newline left out.
fn lines(bytes: &[u8]) -> impl Iterator<Item = (u32, usize, usize)> + '_ {
    let mut start = 0;
    let mut number = 0u32;
    std::iter::from_fn(move || loop {
        if start >= bytes.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |j| start + j);
        let line = (number + 1, start, end);
        number += 1;
        start = end + 1;
        if !bytes[line.1..end].iter().all(u8::is_ascii_whitespace) {
            return Some(line);
        }
    })
}

/// The `sessionId` of a line: a string in a JSON object, else none.
fn session_of(line: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Key {
        #[serde(rename = "sessionId", default)]
        session: Option<Value>,
    }
    match serde_json::from_slice::<Key>(line).ok()?.session? {
        Value::String(s) => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(session: Option<&str>, n: u32) -> String {
        match session {
            Some(s) => format!("{{\"sessionId\":\"{s}\",\"uuid\":\"u{n}\"}}"),
            None => format!("{{\"type\":\"summary\",\"leafUuid\":\"u{n}\"}}"),
        }
    }

    /// Each session's span, read back by `members`, gives exactly the lines assigned to it.
    fn check(lines: &[Option<&str>], expected: &[(Option<&str>, &[usize])]) {
        let text: String = lines
            .iter()
            .enumerate()
            .map(|(n, s)| line(*s, n as u32) + "\n")
            .collect();
        let spans = spans(text.as_bytes());
        assert_eq!(spans.len(), expected.len(), "{spans:?}");
        for (span, (key, numbers)) in spans.iter().zip(expected) {
            assert_eq!(span.key.as_deref(), *key);
            let record = &text[span.start as usize..span.end as usize];
            let (session, got) = members(record);
            assert_eq!(session.as_deref(), *key);
            let got: Vec<usize> = got
                .iter()
                .map(|(n, _)| (*n + span.line - 2) as usize)
                .collect();
            assert_eq!(got, *numbers, "{key:?}");
        }
    }

    #[test]
    fn one_session_is_one_record_with_its_summaries() {
        check(
            &[None, Some("a"), Some("a"), None],
            &[(Some("a"), &[0, 1, 2, 3])],
        );
    }

    #[test]
    fn interleaved_sessions_each_keep_their_own_lines() {
        check(
            &[Some("a"), Some("b"), None, Some("a"), None, Some("b")],
            &[(Some("a"), &[0, 3, 4]), (Some("b"), &[1, 2, 5])],
        );
    }

    #[test]
    fn a_log_without_sessions_is_one_record() {
        check(&[None, None], &[(None, &[0, 1])]);
    }

    #[test]
    fn blank_lines_and_broken_lines_are_placed_by_the_rule() {
        let text = "{\"sessionId\":\"a\"}\n\n  \nnot json\n{\"sessionId\":\"b\"}\n";
        let spans = spans(text.as_bytes());
        assert_eq!(spans.len(), 2);
        assert_eq!((spans[0].line, spans[1].line), (1, 5));
        let (_, lines) = members(&text[spans[0].start as usize..spans[0].end as usize]);
        assert_eq!(lines, vec![(1, "{\"sessionId\":\"a\"}"), (4, "not json")]);
    }
}
