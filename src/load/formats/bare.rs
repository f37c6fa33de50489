//! A record that is a bare JSON array: the splitter makes one record of a top-level array whose
//! first element is a message or an event (see `split::whole`). Its messages become the
//! `messages` (role/content) or `conversations` (from/value) of an envelope, so the chat
//! readers read it as they read those lists; its events are kept for the OpenHands reader.

use std::collections::BTreeMap;

use serde::de::IgnoredAny;

use super::reader::ReadError;
use crate::load::envelope::{Envelope, Message, Raw};
use crate::load::split::{element_kind, Element};

/// The envelope of a record that is an array of messages or events; `None` for anything else
/// (an object, or an array of something else), which the other readers take as before.
pub(super) fn envelope(text: &str) -> Option<Result<Envelope<'_>, ReadError>> {
    let rest = text.trim_start().strip_prefix('[')?;
    let kind = first_element_kind(rest)?;
    let env = match kind {
        Element::Event => Envelope {
            events: Some(Raw::new(text)),
            ..Envelope::default()
        },
        Element::RoleContent => match serde_json::from_str::<Vec<Message>>(text) {
            Ok(messages) => Envelope {
                messages: Some(messages),
                ..Envelope::default()
            },
            Err(e) => return Some(Err(e.into())),
        },
        Element::FromValue => match serde_json::from_str::<Vec<Message>>(text) {
            Ok(messages) => Envelope {
                conversations: Some(messages),
                ..Envelope::default()
            },
            Err(e) => return Some(Err(e.into())),
        },
    };
    Some(Ok(env))
}

/// What the array's first element is, read from its keys alone: the rest of the array is not
/// touched (the stream deserializer stops after one value).
pub(super) fn first_element_kind(after_bracket: &str) -> Option<Element> {
    let first = serde_json::Deserializer::from_str(after_bracket)
        .into_iter::<BTreeMap<String, IgnoredAny>>()
        .next()?
        .ok()?;
    element_kind(first.keys().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use crate::load::formats::{read, Speaker};
    use crate::model::Format;

    #[test]
    fn a_bare_array_of_role_content_messages_reads_as_openai_messages() {
        let r = read(
            r#"[{"role":"system","content":"s"},{"role":"user","content":"task"},{"role":"assistant","content":"ls"},{"role":"user","content":"out"}]"#,
            None,
        )
        .unwrap();
        assert_eq!(r.format, Format::OpenAi);
        let speakers: Vec<Speaker> = r.turns.iter().map(|t| t.speaker).collect();
        use Speaker::*;
        assert_eq!(speakers, vec![System, User, Agent, User]);
        assert_eq!(r.turns[2].text, "ls");
    }

    #[test]
    fn a_bare_array_of_from_value_messages_reads_as_sharegpt() {
        let r = read(
            r#"[{"from":"human","value":"q"},{"from":"gpt","value":"a"}]"#,
            None,
        )
        .unwrap();
        assert_eq!(r.format, Format::ShareGpt);
        assert_eq!(r.turns.len(), 2);
    }

    #[test]
    fn an_array_of_other_things_is_not_a_trajectory() {
        assert!(read(r#"[{"a":1},{"b":2}]"#, None).is_err());
        assert!(read(r#"[{"conversations":[],"role":"x","content":"y"}]"#, None).is_err());
    }
}
