//! A hand-written reader for the records most files hold: an object whose message list
//! (`conversations`, `conversation` or `messages`) has plain string fields.
//!
//! It builds the same [`Envelope`] as the serde reader, with one pass over the text and one
//! copy of each string. It is strict: on anything it does not handle (an escaped key, a
//! duplicate field, nesting deeper than its limit, a lone surrogate) and on any syntax error it
//! gives up, and the serde reader reads the record and reports what is wrong. It never accepts
//! text that serde_json rejects; a differential test holds it to that.

use std::borrow::Cow;
use std::cell::RefCell;

use memchr::memchr2;
use serde_json::Value;

use super::envelope::{Envelope, Message, Raw};
use super::text::Text;
use crate::model::role_name;

/// Deeper values are left to serde_json (whose limit is 128).
const MAX_DEPTH: u32 = 100;

/// The largest scratch buffer kept between strings.
const SCRATCH_KEPT: usize = 1 << 20;

thread_local! {
    /// Where strings with escapes are unescaped before one exact-size copy; kept per thread so
    /// that it grows only a few times in a whole scan.
    static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The envelope of `text`, or `None` when the serde reader should read it.
pub(super) fn envelope(text: &str) -> Option<Envelope<'_>> {
    SCRATCH.with_borrow_mut(|scratch| read(text, scratch))
}

fn read<'a>(text: &'a str, scratch: &mut String) -> Option<Envelope<'a>> {
    let mut c = Cursor {
        text,
        bytes: text.as_bytes(),
        at: 0,
        scratch,
        // A record without control bytes (a JSON line has no raw line breaks) needs no
        // search for them in each string: one pass over it is cheaper.
        controls: has_control(text.as_bytes()),
    };
    c.ws();
    let mut env = Envelope::default();
    let mut seen = 0u64;
    c.object(|c, key| {
        let Some((bit, slot)) = field(&mut env, key) else {
            return c.skip(2);
        };
        if seen & bit != 0 {
            return None;
        }
        seen |= bit;
        match slot {
            Slot::Raw(slot) => *slot = c.raw(2)?,
            Slot::List(slot) => *slot = c.messages()?,
        }
        Some(())
    })?;
    c.ws();
    (c.at == c.bytes.len()).then_some(env)
}

enum Slot<'e, 'a> {
    Raw(&'e mut Option<Raw<'a>>),
    List(&'e mut Option<Vec<Message>>),
}

/// The envelope field a key names, with its bit for finding duplicates.
fn field<'e, 'a>(env: &'e mut Envelope<'a>, key: &str) -> Option<(u64, Slot<'e, 'a>)> {
    let (n, slot) = match key {
        "id" => (0, Slot::Raw(&mut env.id)),
        "item_id" => (1, Slot::Raw(&mut env.item_id)),
        "instance_id" => (2, Slot::Raw(&mut env.instance_id)),
        "session_id" => (3, Slot::Raw(&mut env.session_id)),
        "trajectory_id" => (4, Slot::Raw(&mut env.trajectory_id)),
        "conversations" => (5, Slot::List(&mut env.conversations)),
        "conversation" => (6, Slot::List(&mut env.conversation)),
        "messages" => (7, Slot::List(&mut env.messages)),
        "traj" => (8, Slot::Raw(&mut env.traj)),
        "trajectory" => (9, Slot::Raw(&mut env.trajectory)),
        "history" => (10, Slot::Raw(&mut env.history)),
        "steps" => (11, Slot::Raw(&mut env.steps)),
        "schema_version" => (12, Slot::Raw(&mut env.schema_version)),
        "info" => (13, Slot::Raw(&mut env.info)),
        "trajectory_format" => (14, Slot::Raw(&mut env.trajectory_format)),
        "output" => (15, Slot::Raw(&mut env.output)),
        "index" => (16, Slot::Raw(&mut env.index)),
        "tools" => (17, Slot::Raw(&mut env.tools)),
        "agent" => (18, Slot::Raw(&mut env.agent)),
        "reward" => (19, Slot::Raw(&mut env.reward)),
        "em" => (20, Slot::Raw(&mut env.em)),
        "f1" => (21, Slot::Raw(&mut env.f1)),
        "resolved" => (22, Slot::Raw(&mut env.resolved)),
        "target" => (23, Slot::Raw(&mut env.target)),
        "exit_status" => (24, Slot::Raw(&mut env.exit_status)),
        "success" => (25, Slot::Raw(&mut env.success)),
        "source" => (26, Slot::Raw(&mut env.source)),
        "error" => (27, Slot::Raw(&mut env.error)),
        "model_name" => (28, Slot::Raw(&mut env.model_name)),
        "result" => (29, Slot::Raw(&mut env.result)),
        "name" => (30, Slot::Raw(&mut env.name)),
        _ => return None,
    };
    Some((1 << n, slot))
}

/// The fields of a message.
enum Field {
    From,
    Value,
    Role,
    Content,
    Loss,
    ToolCalls,
    FunctionCall,
}

struct Cursor<'a, 's> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    scratch: &'s mut String,
    /// Whether the record holds a control byte at all (else strings need no check for them).
    controls: bool,
}

/// Whether any byte is a control character, which JSON strings may not hold raw. The least
/// byte is a reduction the compiler turns into vector code.
fn has_control(bytes: &[u8]) -> bool {
    bytes.iter().copied().min().is_some_and(|b| b < 0x20)
}

impl<'a> Cursor<'a, '_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        (self.next()? == b).then_some(())
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.at += 1;
        }
    }

    /// A string without escapes or control bytes, borrowed: a key or a role name (others are
    /// left to [`Cursor::string`] or to serde). These are short: a plain loop beats a vector
    /// search here.
    fn plain(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        loop {
            match self.next()? {
                b'"' => return Some(&self.text[start..self.at - 1]),
                b'\\' | 0..=0x1f => return None,
                _ => {}
            }
        }
    }

    /// The key at the cursor when it is one of the usual message keys, read by comparing it
    /// whole instead of byte by byte; `None` leaves the cursor where it was.
    #[inline]
    fn known_key(&mut self) -> Option<&'static str> {
        /// Whether `rest` starts with `quoted` (fixed size, so compared as a few words).
        fn starts<const N: usize>(rest: &[u8], quoted: &[u8; N]) -> bool {
            rest.get(..N) == Some(quoted.as_slice())
        }
        let rest = &self.bytes[self.at..];
        let key = match rest.get(1)? {
            b'f' if starts(rest, b"\"from\"") => "from",
            b'v' if starts(rest, b"\"value\"") => "value",
            b'l' if starts(rest, b"\"loss\"") => "loss",
            b'r' if starts(rest, b"\"role\"") => "role",
            b'c' if starts(rest, b"\"content\"") => "content",
            _ => return None,
        };
        self.at += key.len() + 2;
        Some(key)
    }

    /// A string, unescaped. Allocated once, at its size.
    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let rest = &self.bytes[self.at..];
        let len = memchr2(b'"', b'\\', rest)?;
        if self.controls && has_control(&rest[..len]) {
            return None;
        }
        // `"` and `\` are ASCII, so both ends are character boundaries.
        let first = &self.text[self.at..self.at + len];
        self.at += len + 1;
        if rest[len] == b'"' {
            return Some(first.to_string());
        }
        let mut out = std::mem::take(self.scratch);
        out.clear();
        out.push_str(first);
        let done = self.unescape(&mut out);
        let string = done.map(|()| out.as_str().to_string());
        // Keep the buffer for the next string, unless one huge turn grew it.
        if out.capacity() <= SCRATCH_KEPT {
            *self.scratch = out;
        }
        string
    }

    /// The rest of a string whose first escape's `\` was just read, appended to `out`.
    fn unescape(&mut self, out: &mut String) -> Option<()> {
        loop {
            let c = match self.next()? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => self.unicode()?,
                _ => return None,
            };
            out.push(c);
            let rest = &self.bytes[self.at..];
            let len = memchr2(b'"', b'\\', rest)?;
            if self.controls && has_control(&rest[..len]) {
                return None;
            }
            out.push_str(&self.text[self.at..self.at + len]);
            self.at += len + 1;
            if rest[len] == b'"' {
                return Some(());
            }
        }
    }

    /// The character of a `\u` escape (its `\u` read), joining a surrogate pair. A lone
    /// surrogate gives up.
    fn unicode(&mut self) -> Option<char> {
        let high = self.hex4()?;
        match high {
            0xD800..=0xDBFF => {
                self.eat(b'\\')?;
                self.eat(b'u')?;
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return None;
                }
                char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
            }
            0xDC00..=0xDFFF => None,
            _ => char::from_u32(high),
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes.get(self.at..self.at + 4)?;
        let mut n = 0;
        for &d in digits {
            n = n * 16 + char::from(d).to_digit(16)?;
        }
        self.at += 4;
        Some(n)
    }

    /// Skip a string, checking it as serde_json does when it ignores one.
    fn skip_string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            let rest = &self.bytes[self.at..];
            let len = memchr2(b'"', b'\\', rest)?;
            if self.controls && has_control(&rest[..len]) {
                return None;
            }
            self.at += len + 1;
            if rest[len] == b'"' {
                return Some(());
            }
            match self.next()? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                b'u' => {
                    self.hex4()?;
                }
                _ => return None,
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| self.at = end)
    }

    fn digits(&mut self) -> Option<()> {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        (self.at > start).then_some(())
    }

    /// A number, by JSON's grammar (a leading zero stands alone).
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits()?,
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            self.digits()?;
        }
        Some(())
    }

    /// Skip any value, `depth` being the nesting of the value itself.
    fn skip(&mut self, depth: u32) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            open @ (b'[' | b'{') => {
                if depth > MAX_DEPTH {
                    return None;
                }
                let close = open + 2; // `]` and `}` follow `[` and `{` by two.
                self.at += 1;
                self.ws();
                if self.peek()? == close {
                    self.at += 1;
                    return Some(());
                }
                loop {
                    self.ws();
                    if open == b'{' {
                        self.skip_string()?;
                        self.ws();
                        self.eat(b':')?;
                        self.ws();
                    }
                    self.skip(depth + 1)?;
                    self.ws();
                    match self.next()? {
                        b',' => {}
                        b if b == close => return Some(()),
                        _ => return None,
                    }
                }
            }
            _ => None,
        }
    }

    /// Whether the next value is `null` (then read).
    fn null(&mut self) -> bool {
        self.peek() == Some(b'n') && self.literal(b"null").is_some()
    }

    /// A value kept as its text (`null` as none), as serde's `Option<&RawValue>` reads it.
    fn raw(&mut self, depth: u32) -> Option<Option<Raw<'a>>> {
        if self.null() {
            return Some(None);
        }
        let start = self.at;
        self.skip(depth)?;
        Some(Some(Raw::new(&self.text[start..self.at])))
    }

    fn messages(&mut self) -> Option<Option<Vec<Message>>> {
        if self.null() {
            return Some(None);
        }
        self.eat(b'[')?;
        // Most conversations are a few dozen messages: start there rather than grow to it.
        let mut out = Vec::with_capacity(16);
        self.ws();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(Some(out));
        }
        loop {
            self.ws();
            // Filled in place: returning a filled message and pushing it cost two more
            // copies of it (a third of the reader's memcpy calls, under callgrind).
            out.push(Message::default());
            self.message(out.last_mut().expect("just pushed"))?;
            self.ws();
            match self.next()? {
                b',' => {}
                b']' => return Some(Some(out)),
                _ => return None,
            }
        }
    }

    /// An object whose keys have no escapes: `value` reads the value of each key.
    fn object(&mut self, mut value: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(());
        }
        loop {
            self.ws();
            let key = match self.known_key() {
                Some(key) => key,
                None => self.plain()?,
            };
            self.ws();
            self.eat(b':')?;
            self.ws();
            value(self, key)?;
            self.ws();
            match self.next()? {
                b',' => {}
                b'}' => return Some(()),
                _ => return None,
            }
        }
    }

    fn message(&mut self, m: &mut Message) -> Option<()> {
        const DEPTH: u32 = 4;
        let mut seen = 0u8;
        self.object(|c, key| {
            let (bit, field) = match key {
                "from" => (1, Field::From),
                "value" => (2, Field::Value),
                "role" => (4, Field::Role),
                "content" => (8, Field::Content),
                "loss" => (16, Field::Loss),
                "tool_calls" => (32, Field::ToolCalls),
                "function_call" => (64, Field::FunctionCall),
                _ => return c.skip(DEPTH),
            };
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            match field {
                Field::From => m.from = c.name()?,
                Field::Role => m.role = c.name()?,
                Field::Value => m.value = c.text(DEPTH)?,
                Field::Content => m.content = c.text(DEPTH)?,
                Field::Loss => m.loss = c.bool_or_null()?,
                Field::ToolCalls => m.tool_calls = c.value(DEPTH)?,
                Field::FunctionCall => m.function_call = c.value(DEPTH)?,
            }
            Some(())
        })
    }

    /// `true`, `false` or `null`, as serde's `Option<bool>` reads it.
    fn bool_or_null(&mut self) -> Option<Option<bool>> {
        match self.peek()? {
            b't' => self.literal(b"true").map(|()| Some(true)),
            b'f' => self.literal(b"false").map(|()| Some(false)),
            _ => self.literal(b"null").map(|()| None),
        }
    }

    /// A role name or `null`, as serde's `Option<Cow<str>>` reads it; the usual names are
    /// shared (see [`role_name`]).
    fn name(&mut self) -> Option<Option<Cow<'static, str>>> {
        if self.null() {
            return Some(None);
        }
        let start = self.at;
        if let Some(plain) = self.plain() {
            return Some(Some(role_name(plain)));
        }
        // Escapes (or worse): the full string reader decides.
        self.at = start;
        self.string().map(|s| Some(Cow::Owned(s)))
    }

    /// Message content: strings here, other shapes through [`Text`]'s serde reader.
    fn text(&mut self, depth: u32) -> Option<Option<Text>> {
        if self.peek()? == b'"' {
            return self.string().map(|s| Some(Text(s)));
        }
        match self.raw(depth)? {
            None => Some(None),
            Some(raw) => serde_json::from_str(raw.get()).ok().map(Some),
        }
    }

    /// Any value, through serde (`null` as none).
    fn value(&mut self, depth: u32) -> Option<Option<Value>> {
        match self.raw(depth)? {
            None => Some(None),
            Some(raw) => serde_json::from_str(raw.get()).ok().map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::load::formats::{read_envelope, serde_envelope};
    use crate::load::{Dataset, LoadOptions};
    use crate::sample::Rng;

    /// The record as the fast reader reads it (`None`: it gave up) and as serde reads it.
    fn both(text: &str) -> (Option<Result<String, String>>, Result<String, String>) {
        let fast = envelope(text).map(|env| {
            read_envelope(text, None, env)
                .map(|r| format!("{r:?}"))
                .map_err(|e| format!("{e:?}"))
        });
        let serde = serde_envelope(text, None)
            .and_then(|env| read_envelope(text, None, env))
            .map(|r| format!("{r:?}"))
            .map_err(|e| format!("{e:?}"));
        (fast, serde)
    }

    /// Every record of the sample data and, when it is beside the project, the corpus.
    fn records() -> Vec<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = vec![root.join("sample_data")];
        let corpus = root.join("../shared/corpus");
        if corpus.is_dir() {
            paths.push(corpus);
        } else {
            eprintln!("notice: ../shared/corpus is absent; only sample_data is read");
        }
        let paths: Vec<PathBuf> = paths;
        let data = Dataset::open(&paths, LoadOptions::default()).unwrap();
        data.wait();
        (0..data.len())
            .filter_map(|i| data.record_bytes(i).ok())
            .filter_map(|b| String::from_utf8(b).ok())
            .collect()
    }

    #[test]
    fn reads_real_records_exactly_as_serde_does() {
        let mut read = 0;
        let all = records();
        for text in &all {
            let (fast, serde) = both(text);
            if let Some(fast) = fast {
                assert_eq!(fast, serde, "{}", &text[..text.len().min(300)]);
                read += 1;
            }
        }
        // The chat-shaped sample files alone hold more than a hundred records.
        assert!(
            read > 100,
            "the fast reader read only {read} of {}",
            all.len()
        );
    }

    /// Damaged records: whatever the fast reader accepts, serde accepts and reads the same.
    #[test]
    fn never_accepts_what_serde_rejects() {
        const EDITS: &[&str] = &[
            "\"",
            "\\",
            "\\u",
            "\\ud800",
            "\\udc00",
            "\\ud83d\\ude00",
            "\\n",
            ",",
            ":",
            "{",
            "}",
            "[",
            "]",
            "0",
            "-",
            "01",
            "1e",
            "1.",
            ".5",
            "\t",
            "\u{1}",
            " ",
            "null",
            "true",
            "tru",
            "\"id\": 1, ",
            "\"loss\": 1, ",
            "\"role\": \"a\", ",
            "é",
        ];
        let mut rng = Rng::new(7);
        let mut accepted = 0;
        let mut rejected = 0;
        for text in records().iter().filter(|t| t.len() < 20_000) {
            for _ in 0..40 {
                let mut mutant = text.clone();
                for _ in 0..1 + rng.below(2) {
                    let mut at = rng.below(mutant.len() as u64 + 1) as usize;
                    while !mutant.is_char_boundary(at) {
                        at -= 1;
                    }
                    if rng.below(3) == 0 {
                        let mut end = (at + 1 + rng.below(3) as usize).min(mutant.len());
                        while !mutant.is_char_boundary(end) {
                            end += 1;
                        }
                        mutant.replace_range(at..end, "");
                    } else {
                        let edit = EDITS[rng.below(EDITS.len() as u64) as usize];
                        mutant.insert_str(at, edit);
                    }
                }
                let (fast, serde) = both(&mutant);
                match fast {
                    Some(fast) => {
                        assert_eq!(fast, serde, "{mutant}");
                        accepted += 1;
                    }
                    None => rejected += 1,
                }
            }
        }
        assert!(
            accepted > 1000 && rejected > 1000,
            "{accepted} accepted, {rejected} rejected"
        );
    }

    fn messages_of(json: &str) -> Option<Vec<(Option<String>, Option<String>)>> {
        let env = envelope(json)?;
        Some(
            env.conversations
                .or(env.messages)
                .unwrap_or_default()
                .into_iter()
                .map(|m| {
                    let role = m.from.or(m.role).map(String::from);
                    (role, m.value.or(m.content).map(|t| t.0))
                })
                .collect(),
        )
    }

    /// The field names serde's derive gives a struct, caught from its `deserialize_struct`.
    fn serde_fields<'de, T: serde::Deserialize<'de>>() -> &'static [&'static str] {
        struct Names(&'static [&'static str]);
        impl<'de> serde::Deserializer<'de> for &mut Names {
            type Error = serde::de::value::Error;
            fn deserialize_struct<V: serde::de::Visitor<'de>>(
                self,
                _name: &'static str,
                fields: &'static [&'static str],
                _visitor: V,
            ) -> Result<V::Value, Self::Error> {
                self.0 = fields;
                Err(serde::de::Error::custom("only the names"))
            }
            fn deserialize_any<V: serde::de::Visitor<'de>>(
                self,
                _visitor: V,
            ) -> Result<V::Value, Self::Error> {
                Err(serde::de::Error::custom("not a struct"))
            }
            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
                byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
                identifier ignored_any
            }
        }
        let mut names = Names(&[]);
        let _ = T::deserialize(&mut names);
        names.0
    }

    /// A field added to the serde envelope or message must be read here too, or the two
    /// readers would part ways on records that have it.
    #[test]
    fn knows_every_field_serde_knows() {
        let envelope_fields = serde_fields::<Envelope>();
        assert!(envelope_fields.len() > 20);
        for name in envelope_fields {
            assert!(
                field(&mut Envelope::default(), name).is_some(),
                "envelope field `{name}`"
            );
        }
        for name in serde_fields::<Message>() {
            let json = format!(r#"{{"messages": [{{"{name}": null, "{name}": null}}]}}"#);
            // A known field given twice makes the fast reader give up, as serde fails.
            assert!(envelope(&json).is_none(), "message field `{name}`");
        }
    }

    #[test]
    fn reads_strings_with_every_escape() {
        let json = r#"{"conversations": [{"from": "human", "value": "a\"b\\c\/d\be\ff\ng\rh\ti\u00e9\ud83d\ude00"}]}"#;
        let got = messages_of(json).unwrap();
        assert_eq!(
            got,
            vec![(
                Some("human".into()),
                Some("a\"b\\c/d\u{8}e\u{c}f\ng\rh\ti\u{e9}\u{1F600}".into())
            )]
        );
    }

    #[test]
    fn gives_up_on_what_serde_should_judge() {
        for bad in [
            "{\"messages\": [{\"role\": \"a\tb\"}]}", // raw control character
            r#"{"messages": [{"role": "\ud800"}]}"#,  // lone surrogate
            r#"{"messages": [{"role": "\udc00x"}]}"#, // lone trailing surrogate
            r#"{"messages": [], "messages": []}"#,    // duplicate field
            r#"{"messages": [{"role": "a", "role": "b"}]}"#, // duplicate message field
            r#"{"mess\u0061ges": []}"#,               // escaped key
            r#"{"messages": [],}"#,                   // trailing comma
            r#"{"messages": [1,]}"#,                  // not a message
            r#"{"x": [1,]}"#,                         // trailing comma in skipped value
            r#"{"x": 01}"#,                           // leading zero
            r#"{"x": 1.}"#,                           // no fraction digits
            r#"{"x": tru}"#,                          // bad literal
            r#"{"x": "\q"}"#,                         // bad escape
            r#"{"x": "\u12"}"#,                       // short escape
            r#"{"x": 1} x"#,                          // trailing text
            r#"{"messages": {}}"#,                    // not a list
            r#"{"messages": [{"loss": 1}]}"#,         // not a bool
            r#"[]"#,                                  // not an object
        ] {
            assert!(envelope(bad).is_none(), "{bad}");
        }
        let deep = format!("{{\"x\": {}{}}}", "[".repeat(120), "]".repeat(120));
        assert!(envelope(&deep).is_none());
    }

    #[test]
    fn keeps_raw_fields_and_null_as_none() {
        let env = envelope(r#" { "id" : 12 , "traj": null, "tools": [ {"a": -1.5e3} ], "z": {"q": [true, false, null]} } "#)
            .unwrap();
        assert_eq!(env.id.unwrap().get(), "12");
        assert!(env.traj.is_none());
        assert_eq!(env.tools.unwrap().get(), r#"[ {"a": -1.5e3} ]"#);
    }
}
