//! Inspect AI eval logs as containers: a log is one JSON object (`version`, `eval`, `plan`,
//! `results`, `stats`, `samples`, …) holding many samples, and each sample is a record.
//!
//! The splitter finds the log as one whole value; once it is found, its bytes (held whole) are
//! parsed once, borrowing each sample's text (no tree is built), and the log's span is replaced
//! by one span per sample, keyed `<id>`, or `<id>#<epoch>` when the log has several epochs (or
//! only a later one). The log's other keys are not kept. A log's bytes are held in memory once
//! while it is split; each sample is then read back by its offsets.

use std::fs::File;
use std::io;

use memchr::memchr_iter;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::{Layout, RecordSpan};
use crate::load::source;

#[derive(Deserialize)]
struct Log<'a> {
    #[serde(borrow)]
    samples: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    id: Value,
    #[serde(default)]
    epoch: Value,
}

/// Whether a record's text starts as a log does: an object whose first key is `version`.
fn looks_like_log(bytes: &[u8]) -> bool {
    let text = bytes.trim_ascii_start();
    text.strip_prefix(b"{")
        .is_some_and(|rest| rest.trim_ascii_start().starts_with(b"\"version\""))
}

/// The samples of the log `bytes` (the record at `span`), or `None` when it is not a log.
pub fn samples(span: &RecordSpan, bytes: &[u8]) -> Option<Vec<RecordSpan>> {
    if !looks_like_log(bytes) {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let log: Log = serde_json::from_str(text).ok()?;
    let heads: Vec<Head> = log
        .samples
        .iter()
        .map(|raw| {
            serde_json::from_str(raw.get()).unwrap_or(Head {
                id: Value::Null,
                epoch: Value::Null,
            })
        })
        .collect();
    let epoch = |h: &Head| h.epoch.as_u64().unwrap_or(1);
    // Several epochs (or only a later one): every key names its epoch.
    let several = heads.iter().any(|h| epoch(h) != 1);
    let base = text.as_ptr() as usize;
    let spans = log
        .samples
        .iter()
        .zip(&heads)
        .map(|(raw, head)| {
            let from = raw.get().as_ptr() as usize - base;
            let to = from + raw.get().len();
            let id = match &head.id {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            };
            let key = id.map(|id| match several {
                true => format!("{id}#{}", epoch(head)),
                false => id,
            });
            let before = &bytes[..from];
            let newlines = memchr_iter(b'\n', before).count() as u32;
            let column = match before.iter().rposition(|&b| b == b'\n') {
                Some(nl) => (from - nl) as u32,
                None => span.column + from as u32,
            };
            RecordSpan {
                start: span.start + from as u64,
                end: span.start + to as u64,
                line: span.line + newlines,
                column,
                key: key.map(Box::from),
            }
        })
        .collect();
    Some(spans)
}

/// Replace each log among `spans` (whose bytes are `buf`, starting at file offset `base`) by
/// its samples. Only whole values can be logs.
pub fn expand(spans: &mut Vec<RecordSpan>, layout: Layout, base: u64, buf: &[u8]) {
    if layout != Layout::Values {
        return;
    }
    let bytes = |s: &RecordSpan| &buf[(s.start - base) as usize..(s.end - base) as usize];
    if !spans.iter().any(|s| looks_like_log(bytes(s))) {
        return;
    }
    *spans = spans
        .iter()
        .flat_map(|s| samples(s, bytes(s)).unwrap_or_else(|| vec![s.clone()]))
        .collect();
}

/// [`expand`] for spans of a file, read back from it: only a record that starts as a log is
/// read whole.
pub fn expand_file(spans: &mut Vec<RecordSpan>, layout: Layout, file: &File) -> io::Result<()> {
    if layout != Layout::Values {
        return Ok(());
    }
    let mut out = Vec::with_capacity(spans.len());
    for span in spans.drain(..) {
        let head = RecordSpan {
            end: span.end.min(span.start + 64),
            ..span.clone()
        };
        if looks_like_log(&source::read_span(file, &head)?) {
            if let Some(samples) = samples(&span, &source::read_span(file, &span)?) {
                out.extend(samples);
                continue;
            }
        }
        out.push(span);
    }
    *spans = out;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(len: usize) -> RecordSpan {
        RecordSpan {
            start: 10,
            end: 10 + len as u64,
            line: 3,
            column: 1,
            key: None,
        }
    }

    #[test]
    fn a_log_is_cut_into_its_samples_keyed_by_id_and_epoch() {
        let log = "{\"version\": 2, \"eval\": {},\n \"samples\": [{\"id\": 1, \"epoch\": 1},\n  {\"id\": \"b\", \"epoch\": 2}]}";
        let spans = samples(&whole(log.len()), log.as_bytes()).unwrap();
        let keys: Vec<_> = spans.iter().map(|s| s.key.as_deref().unwrap()).collect();
        assert_eq!(keys, ["1#1", "b#2"]);
        let text = |s: &RecordSpan| &log[(s.start - 10) as usize..(s.end - 10) as usize];
        assert_eq!(text(&spans[1]), "{\"id\": \"b\", \"epoch\": 2}");
        assert_eq!((spans[0].line, spans[0].column), (4, 14));
        assert_eq!((spans[1].line, spans[1].column), (5, 3));
    }

    #[test]
    fn one_epoch_keys_by_id_and_other_objects_are_left_alone() {
        let log = r#"{"version": 2, "samples": [{"id": 7, "epoch": 1}]}"#;
        let spans = samples(&whole(log.len()), log.as_bytes()).unwrap();
        assert_eq!(spans[0].key.as_deref(), Some("7"));
        let other = r#"{"id": 7, "messages": []}"#;
        assert!(samples(&whole(other.len()), other.as_bytes()).is_none());
        let not_samples = r#"{"version": 2, "samples": 3}"#;
        assert!(samples(&whole(not_samples.len()), not_samples.as_bytes()).is_none());
    }
}
