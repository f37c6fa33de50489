//! Whether a top-level JSON array is one trajectory (a bare list of chat messages, an
//! OpenHands event stream) or a list of records, told by the keys of its first element. The
//! splitter reads those keys as it passes them, so the array is not parsed twice.

use super::{Layout, Probe, Splitter};

/// What the first element of a top-level array says the array is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element {
    /// A chat message with `role` and `content`.
    RoleContent,
    /// A ShareGPT message with `from` and `value`.
    FromValue,
    /// An OpenHands event: `source` and `action` or `observation`.
    Event,
}

/// Keys of a record that holds a list of turns: an element with one is a record, whatever
/// else it has.
const LIST_KEYS: &[&str] = &[
    "conversation",
    "conversations",
    "history",
    "messages",
    "steps",
    "traj",
    "trajectory",
];

/// The first element's keys read this far into it; more say nothing new.
const MAX_KEYS: usize = 64;

/// What an element with these top-level keys is, when it is one turn of a trajectory.
pub fn element_kind<'k>(keys: impl IntoIterator<Item = &'k str>) -> Option<Element> {
    let keys: Vec<&str> = keys.into_iter().collect();
    let has_key = |k: &str| keys.contains(&k);
    if keys.iter().any(|k| LIST_KEYS.contains(k)) {
        return None;
    }
    if has_key("source") && (has_key("action") || has_key("observation")) {
        Some(Element::Event)
    } else if has_key("role") && has_key("content") {
        Some(Element::RoleContent)
    } else if has_key("from") && has_key("value") {
        Some(Element::FromValue)
    } else {
        None
    }
}

impl Splitter {
    /// A top-level key of the array's first element was read (its raw text is in `key`).
    pub(super) fn probe_key(&mut self) {
        if self.probe_keys.len() < MAX_KEYS {
            self.probe_keys.push(super::dict::decode_key(&self.key));
        }
        self.probe = Probe::Value;
    }

    /// The array's first element closed: when it is a turn, the whole array is the record,
    /// open since the `[`. Returns whether it is.
    pub(super) fn decide_whole(&mut self) -> bool {
        self.probe = Probe::Off;
        let keys = std::mem::take(&mut self.probe_keys);
        if element_kind(keys.iter().map(String::as_str)).is_none() {
            return false;
        }
        self.layout = Layout::Whole;
        self.open = self.array_open;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Layout, RecordSpan, Splitter};

    fn split(data: &str, size: usize) -> (Vec<RecordSpan>, Layout, usize) {
        let mut s = Splitter::new();
        let mut out = Vec::new();
        for chunk in data.as_bytes().chunks(size) {
            s.feed(chunk, &mut out);
        }
        s.finish(&mut out);
        (out, s.layout(), s.problems.len())
    }

    #[test]
    fn an_array_of_messages_is_one_record_in_any_chunking() {
        let data = "\n[\n {\"role\": \"user\", \"content\": \"a [ \\\" ]\"},\n {\"role\": \"assistant\", \"content\": {\"x\": [1]}}\n]\n";
        for size in 1..20 {
            let (spans, layout, problems) = split(data, size);
            assert_eq!(layout, Layout::Whole, "chunk {size}");
            assert_eq!(problems, 0);
            assert_eq!(spans.len(), 1, "chunk {size}");
            let s = &spans[0];
            assert_eq!(&data[s.start as usize..s.end as usize], data.trim());
            assert_eq!((s.line, s.column), (2, 1));
        }
    }

    #[test]
    fn event_streams_and_sharegpt_lists_are_one_record() {
        let events = r#"[{"id": 0, "source": "user", "action": "message", "args": {"content": "hi"}}, {"id": 1, "source": "agent", "observation": "run", "cause": 0}]"#;
        let sharegpt = r#"[{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}]"#;
        for data in [events, sharegpt] {
            for size in [1, 3, 1000] {
                // One line: like a one-line object, the file reads on as JSON Lines.
                let (spans, layout, _) = split(data, size);
                assert_eq!(layout, Layout::Lines);
                assert_eq!(spans.len(), 1);
                assert_eq!(spans[0].end as usize, data.len());
            }
        }
    }

    #[test]
    fn arrays_of_records_stay_lists_of_records() {
        let cases = [
            r#"[{"id": 1, "conversations": [{"role": "user", "content": "x"}]}, {"id": 2}]"#,
            r#"[{"messages": [], "role": "user", "content": "x"}, {"id": 2}]"#,
            r#"[{"a": {"role": "user", "content": "x"}}, {"b": 1}]"#,
            r#"[1, {"role": "user", "content": "x"}]"#,
            r#"[[{"role": "user", "content": "x"}], {"b": 1}]"#,
        ];
        for data in cases {
            for size in [1, 1000] {
                let (spans, layout, _) = split(data, size);
                assert_eq!(layout, Layout::Array, "{data}");
                assert_eq!(spans.len(), 2, "{data}");
            }
        }
    }

    #[test]
    fn a_torn_array_of_messages_is_one_torn_record() {
        let data = r#"[{"role": "user", "content": "x"}, {"role": "assis"#;
        let (spans, layout, problems) = split(data, 7);
        assert_eq!(layout, Layout::Whole);
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].start, 0);
        assert_eq!(problems, 1);
    }
}
