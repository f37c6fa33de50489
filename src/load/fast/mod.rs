//! A hand-written reader for the records most files hold: an object whose message list
//! (`conversations`, `conversation` or `messages`) has plain string fields.
//!
//! It builds the same [`Envelope`] as the serde reader, with one pass over the text and one
//! copy of each string. It is strict: on anything it does not handle (an escaped key, a
//! duplicate field, nesting deeper than its limit, a lone surrogate) and on any syntax error it
//! gives up, and the serde reader reads the record and reports what is wrong. It never accepts
//! text that serde_json rejects; a differential test holds it to that.

mod cursor;

use std::borrow::Cow;
use std::cell::RefCell;

use serde_json::value::RawValue;

use super::envelope::{Envelope, Message, Raw};
use super::text::Text;
use crate::model::role_name;
use cursor::Cursor;

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
    let mut c = Cursor::new(text, scratch);
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
    c.at_end().then_some(env)
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
        "sessionId" => (31, Slot::Raw(&mut env.session_id_camel)),
        "uuid" => (32, Slot::Raw(&mut env.uuid)),
        "leafUuid" => (33, Slot::Raw(&mut env.leaf_uuid)),
        "test_result" => (34, Slot::Raw(&mut env.test_result)),
        "epoch" => (35, Slot::Raw(&mut env.epoch)),
        "prompt" => (36, Slot::Raw(&mut env.prompt)),
        "completion" => (37, Slot::Raw(&mut env.completion)),
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
    ToolCallId,
}

impl<'a> Cursor<'a, '_> {
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
                "tool_call_id" => (128, Field::ToolCallId),
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
                Field::ToolCalls => m.tool_calls = c.owned_raw(DEPTH)?,
                Field::FunctionCall => m.function_call = c.owned_raw(DEPTH)?,
                Field::ToolCallId => m.tool_call_id = c.name()?,
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
        if let Some(role) = self.known_role() {
            return Some(Some(Cow::Borrowed(role)));
        }
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
    /// A value kept as its text (`null` as none, as serde reads an `Option`).
    fn owned_raw(&mut self, depth: u32) -> Option<Option<Box<RawValue>>> {
        match self.raw(depth)? {
            None => Some(None),
            Some(raw) => RawValue::from_string(raw.get().to_string()).ok().map(Some),
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
        } else if std::env::var_os("TREV_REQUIRE_CORPUS").is_some_and(|v| v == "1") {
            panic!("../shared/corpus is absent, and TREV_REQUIRE_CORPUS=1 requires it");
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

    /// The role names read whole are the names [`role_name`] shares, and only those.
    #[test]
    fn known_roles_are_shared_names_read_whole() {
        let mut scratch = String::new();
        for role in ["human", "gpt", "user", "assistant", "system", "tool"] {
            let json = format!("\"{role}\"");
            let mut c = Cursor::new(&json, &mut scratch);
            assert_eq!(c.known_role(), Some(role));
            assert!(c.at_end());
            assert!(matches!(role_name(role), Cow::Borrowed(r) if r == role));
        }
        for other in ["\"humans\"", "\"gp\"", "\"tool_call\"", "null", "\"\""] {
            let mut c = Cursor::new(other, &mut scratch);
            assert_eq!(c.known_role(), None, "{other}");
            assert_eq!(c.at, 0);
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
