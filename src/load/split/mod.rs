//! The streaming splitter: finds where each record of a file begins and ends, in one pass,
//! without parsing the records. It takes the file in chunks of any size, so the same code
//! indexes a file in the background and feeds the parallel scan.
//!
//! Layouts: JSON Lines (one record a line), a JSON array (its elements), a dict of id → record
//! (its values, keyed), a single object (the whole object), and concatenated top-level values.

mod dict;
pub mod inspect;
mod json;
pub mod sessions;
mod whole;

pub use whole::{element_kind, Element};

use memchr::memchr;

/// Where one record sits in the (decompressed) file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSpan {
    pub start: u64,
    pub end: u64,
    /// 1-based line on which the record starts.
    pub line: u32,
    /// 1-based column (in bytes) at which the record starts.
    pub column: u32,
    /// The key of the record in a dict-of-records file (becomes its id).
    pub key: Option<Box<str>>,
}

/// How the records of a file are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Nothing but whitespace seen so far.
    Unknown,
    /// One record a line.
    Lines,
    /// The elements of a top-level array.
    Array,
    /// The values of a top-level object whose values are records, keyed by id.
    Dict,
    /// Whole top-level values (usually one object).
    Values,
    /// JSON Lines grouped into sessions (Claude Code): a record is a session's lines.
    Sessions,
    /// A top-level array whose first element is a message or an event: the array is one
    /// record (one trajectory), not a list of records.
    Whole,
    /// The rows of a Parquet file (`load::parquet_rows`); not produced by the splitter.
    Rows,
}

impl Layout {
    pub fn describe(self) -> &'static str {
        match self {
            Layout::Unknown => "empty",
            Layout::Lines => "JSON Lines",
            Layout::Array => "JSON array",
            Layout::Dict => "dict of id → record",
            Layout::Values => "JSON object",
            Layout::Sessions => "JSON Lines by session",
            Layout::Whole => "JSON array, one trajectory",
            Layout::Rows => "Parquet rows",
        }
    }
}

/// Problems of the file's structure, found while splitting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitProblem {
    pub line: u32,
    pub message: String,
}

/// What the JSON scanner is inside of; a chunk may end anywhere, so this is kept between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Within {
    /// Between tokens: whitespace, punctuation, numbers and literals.
    Structure,
    /// A string whose text is not kept.
    String,
    /// A top-level key, whose text is kept in `key`.
    Key,
    /// A string, just after a backslash that ended the last chunk: the next byte is escaped.
    StringEscape,
    /// A key, just after a backslash that ended the last chunk.
    KeyEscape,
}

/// Where the scanner is in a member of the top-level object. The first member of the first
/// object tells a dict of records from a single record; in a dict, each key is its record's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Member {
    /// Not before a key: in a value, past the first member of a single object, or no object.
    Elsewhere,
    /// The next string at depth 1 is a key.
    AwaitKey,
    /// The first key was not one of a record's: its value decides (an object: a dict).
    AwaitColon,
    AwaitValue,
}

/// Where the scanner is in the first element of a top-level array (see `whole`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Probe {
    /// Not in the first element of an array.
    Off,
    /// The array is open and its first element not yet begun.
    Armed,
    /// In the first element, before a key.
    Key,
    /// In the first element, in a member's value.
    Value,
}

/// The top-level array or dict. Whole values have none and leave it open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Open,
    /// Closed: anything after it but whitespace is ignored…
    Closed,
    /// … and was reported, once.
    Reported,
}

/// In JSON Lines: what the current line holds so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    /// Whitespace only, or nothing.
    Blank,
    /// Something else: the line is a record.
    Record,
}

/// The splitter's state between chunks.
#[derive(Debug)]
pub struct Splitter {
    layout: Layout,
    line: u32,
    /// Offset just after the last newline seen (start of the current line).
    line_begin: u64,
    // JSON scanning state.
    depth: u32,
    within: Within,
    /// Start offset, line and column of the record being scanned.
    open: Option<(u64, u32, u32)>,
    /// End of the last non-whitespace byte seen (for scalar records).
    last_token_end: u64,
    key: Vec<u8>,
    pending_key: Option<Box<str>>,
    member: Member,
    container: Container,
    /// Reading the keys of a top-level array's first element, to tell whether the array is
    /// one trajectory (see `whole`).
    probe: Probe,
    probe_keys: Vec<String>,
    /// Start offset, line and column of the top-level array.
    array_open: Option<(u64, u32, u32)>,
    // Lines state.
    line_start: u64,
    current_line: Line,
    /// Bytes seen so far.
    pos: u64,
    pub problems: Vec<SplitProblem>,
}

impl Splitter {
    /// A splitter that works out the layout from the first bytes.
    pub fn new() -> Splitter {
        Splitter {
            layout: Layout::Unknown,
            line: 1,
            line_begin: 0,
            depth: 0,
            within: Within::Structure,
            open: None,
            last_token_end: 0,
            key: Vec::new(),
            pending_key: None,
            member: Member::Elsewhere,
            container: Container::Open,
            probe: Probe::Off,
            probe_keys: Vec::new(),
            array_open: None,
            line_start: 0,
            current_line: Line::Blank,
            pos: 0,
            problems: Vec::new(),
        }
    }

    /// A splitter that treats every non-blank line as a record (`.jsonl` files).
    pub fn lines() -> Splitter {
        Splitter {
            layout: Layout::Lines,
            ..Splitter::new()
        }
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Start of the earliest record not yet emitted: bytes before it are no longer needed.
    pub fn keep_from(&self) -> u64 {
        match self.layout {
            Layout::Lines => self.line_start,
            _ => self.open.map_or(self.pos, |(start, _, _)| start),
        }
    }

    /// Feed the next chunk of the file; completed records are pushed to `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<RecordSpan>) {
        let mut i = 0;
        while i < chunk.len() {
            i = match self.layout {
                Layout::Lines => self.feed_lines(chunk, i, out),
                _ => self.feed_json(chunk, i, out),
            };
        }
        self.pos += chunk.len() as u64;
    }

    /// The file ended: emit what is still open and report an unfinished structure.
    pub fn finish(&mut self, out: &mut Vec<RecordSpan>) {
        match self.layout {
            Layout::Lines => {
                if self.current_line == Line::Record && self.line_start < self.pos {
                    out.push(RecordSpan {
                        start: self.line_start,
                        end: self.pos,
                        line: self.line,
                        column: 1,
                        key: None,
                    });
                }
            }
            Layout::Unknown => {}
            _ => {
                let end = self.pos;
                self.close_record(end, out);
                if self.within != Within::Structure || self.depth > 0 {
                    let what = match self.layout {
                        Layout::Array | Layout::Whole => "the JSON array",
                        Layout::Dict => "the top-level object",
                        _ => "a JSON value",
                    };
                    self.problems.push(SplitProblem {
                        line: self.line,
                        message: format!("the file ends inside {what} (truncated?)"),
                    });
                }
            }
        }
    }

    fn feed_lines(&mut self, chunk: &[u8], mut i: usize, out: &mut Vec<RecordSpan>) -> usize {
        let base = self.pos;
        loop {
            if self.current_line == Line::Blank {
                while i < chunk.len() && matches!(chunk[i], b' ' | b'\t' | b'\r') {
                    i += 1;
                }
                if i < chunk.len() && chunk[i] != b'\n' {
                    self.current_line = Line::Record;
                }
            }
            match memchr(b'\n', &chunk[i..]) {
                None => return chunk.len(),
                Some(j) => {
                    let nl = base + (i + j) as u64;
                    if self.current_line == Line::Record {
                        out.push(RecordSpan {
                            start: self.line_start,
                            end: nl,
                            line: self.line,
                            column: 1,
                            key: None,
                        });
                    }
                    self.line += 1;
                    self.line_start = nl + 1;
                    self.current_line = Line::Blank;
                    i += j + 1;
                }
            }
        }
    }
}

impl Default for Splitter {
    fn default() -> Self {
        Splitter::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Spans = Vec<(String, Option<String>, u32)>;

    /// Split `data` in chunks of `size` bytes, return (spans as text, key, line), layout.
    fn split(data: &str, size: usize) -> (Spans, Layout, Vec<String>) {
        let mut s = Splitter::new();
        let mut out = Vec::new();
        for chunk in data.as_bytes().chunks(size.max(1)) {
            s.feed(chunk, &mut out);
        }
        s.finish(&mut out);
        let spans = out
            .into_iter()
            .map(|r| {
                (
                    data[r.start as usize..r.end as usize].to_string(),
                    r.key.map(|k| k.to_string()),
                    r.line,
                )
            })
            .collect();
        let problems = s.problems.iter().map(|p| p.message.clone()).collect();
        (spans, s.layout, problems)
    }

    fn texts(data: &str, size: usize) -> Vec<String> {
        split(data, size).0.into_iter().map(|(t, _, _)| t).collect()
    }

    #[test]
    fn jsonl_lines_are_records_and_blank_lines_are_skipped() {
        let data = "{\"a\":1}\n\n  \n{\"b\":\"x\\ny\"}\r\n{\"c\":[1,2]}";
        for size in [1, 2, 3, 7, 1000] {
            let (spans, layout, problems) = split(data, size);
            assert_eq!(layout, Layout::Lines, "chunk {size}");
            assert!(problems.is_empty());
            let got: Vec<_> = spans.iter().map(|(t, _, l)| (t.as_str(), *l)).collect();
            assert_eq!(
                got,
                vec![
                    ("{\"a\":1}", 1),
                    ("{\"b\":\"x\\ny\"}\r", 4),
                    ("{\"c\":[1,2]}", 5)
                ],
                "chunk {size}"
            );
        }
    }

    #[test]
    fn array_elements_are_records_with_lines() {
        let data = "[\n  {\"a\": \"[}\\\"\"},\n  {\"b\": [1, {\"c\": 2}]}\n,3, \"s\" ]\n";
        for size in [1, 2, 5, 1000] {
            let (spans, layout, problems) = split(data, size);
            assert_eq!(layout, Layout::Array);
            assert!(problems.is_empty(), "{problems:?}");
            let got: Vec<_> = spans.iter().map(|(t, _, l)| (t.as_str(), *l)).collect();
            assert_eq!(
                got,
                vec![
                    ("{\"a\": \"[}\\\"\"}", 2),
                    ("{\"b\": [1, {\"c\": 2}]}", 3),
                    ("3", 4),
                    ("\"s\"", 4)
                ],
                "chunk {size}"
            );
        }
    }

    #[test]
    fn a_pretty_single_object_is_one_record() {
        let data = "{\n  \"messages\": [ {\"role\": \"user\"} ],\n  \"info\": {}\n}\n";
        for size in [1, 3, 1000] {
            let (spans, layout, _) = split(data, size);
            assert_eq!(layout, Layout::Values);
            assert_eq!(spans.len(), 1);
            assert_eq!(spans[0].0, data.trim_end());
            assert_eq!(spans[0].1, None);
        }
    }

    #[test]
    fn escaped_quotes_and_backslash_runs_split_across_chunks() {
        let data = r#"[{"a": "x\\"}, {"b": "q\"\\\"}\\"}, {"c\"d": 1}]"#;
        for size in 1..12 {
            let (spans, _, problems) = split(data, size);
            assert!(problems.is_empty(), "chunk {size}: {problems:?}");
            let got: Vec<&str> = spans.iter().map(|(t, _, _)| t.as_str()).collect();
            assert_eq!(
                got,
                vec![
                    r#"{"a": "x\\"}"#,
                    r#"{"b": "q\"\\\"}\\"}"#,
                    r#"{"c\"d": 1}"#
                ],
                "chunk {size}"
            );
        }
        let dict = r#"{"k\"1\\": {"traj": []}}"#;
        for size in 1..8 {
            let (spans, layout, _) = split(dict, size);
            assert_eq!(layout, Layout::Dict);
            assert_eq!(spans[0].1.as_deref(), Some("k\"1\\"), "chunk {size}");
        }
    }

    #[test]
    fn a_dict_of_records_is_keyed() {
        let data = "{\"6238\": {\"traj\": []},\n \"a\\\"b\": {\"traj\": [1]}}";
        for size in [1, 4, 1000] {
            let (spans, layout, problems) = split(data, size);
            assert_eq!(layout, Layout::Dict, "chunk {size}");
            assert!(problems.is_empty());
            assert_eq!(
                spans,
                vec![
                    ("{\"traj\": []}".into(), Some("6238".into()), 1),
                    ("{\"traj\": [1]}".into(), Some("a\"b".into()), 2)
                ]
            );
        }
    }

    #[test]
    fn an_object_whose_first_member_is_a_record_key_is_one_record() {
        let data = "{\"info\": {\"x\": 1},\n \"messages\": []}";
        let (spans, layout, _) = split(data, 1000);
        assert_eq!(layout, Layout::Values);
        assert_eq!(spans.len(), 1);
    }

    #[test]
    fn a_one_line_first_object_then_more_lines_is_jsonl() {
        let data = "{\"id\": 1}\n{\"id\": 2\n{\"id\": 3}\n";
        for size in [1, 1000] {
            assert_eq!(
                texts(data, size),
                vec!["{\"id\": 1}", "{\"id\": 2", "{\"id\": 3}"]
            );
        }
    }

    #[test]
    fn a_torn_array_reports_and_emits_the_partial_record() {
        let data = "[{\"a\": 1}, {\"b\": \"unfinished";
        let (spans, _, problems) = split(data, 1000);
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[1].0, "{\"b\": \"unfinished");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("ends inside the JSON array"));
    }

    #[test]
    fn empty_and_whitespace_files_have_no_records() {
        assert!(texts("", 10).is_empty());
        assert!(texts("  \n\n ", 10).is_empty());
        assert_eq!(split("\n \n", 1).1, Layout::Unknown);
    }

    #[test]
    fn trailing_content_after_an_array_is_reported() {
        let (spans, _, problems) = split("[1]\n[2]", 1000);
        assert_eq!(spans.len(), 1);
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn forced_lines_mode_survives_a_broken_first_line() {
        let mut s = Splitter::lines();
        let mut out = Vec::new();
        s.feed(b"{\"a\": [\n{\"b\": 1}\n", &mut out);
        s.finish(&mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].line, 2);
    }
}
