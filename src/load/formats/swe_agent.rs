//! SWE-agent `.traj` files: a `history` of role/content messages (with demos and tool calls),
//! or a `trajectory` of steps (response or thought and action, then observation).

use std::collections::BTreeMap;

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::calls::tool_calls_of;
use super::reader::{speaker_of, Missing, RawRecord, RawTurn, ReadError, Reader, Speaker};
use crate::load::envelope::{info_meta, Envelope, Raw};
use crate::load::text::Text;
use crate::model::Format;

pub(super) const READER: Reader = Reader {
    format: Format::SweAgent,
    detects,
    read,
};

/// A `trajectory`, or a `history` whose first item has a `role`.
fn detects(env: &Envelope) -> bool {
    env.trajectory.is_some()
        || env.history.is_some_and(|h| {
            first_item_keys(h).is_some_and(|keys| keys.iter().any(|k| k == "role"))
        })
}

/// The keys of the first element of a JSON list (the rest is skipped, not built).
fn first_item_keys(raw: Raw) -> Option<Vec<String>> {
    struct FirstKeys;
    impl<'de> serde::de::Visitor<'de> for FirstKeys {
        type Value = Option<Vec<String>>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let first = seq.next_element::<BTreeMap<String, IgnoredAny>>()?;
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(first.map(|m| m.into_keys().collect()))
        }
    }
    let mut de = serde_json::Deserializer::from_str(raw.get());
    serde::Deserializer::deserialize_seq(&mut de, FirstKeys)
        .ok()
        .flatten()
}

fn read(env: &mut Envelope, record: &mut RawRecord, missing: &Missing) -> Result<(), ReadError> {
    if let Some(history) = env.history {
        read_swe_history(history, record)?;
    } else {
        let steps = env.trajectory.ok_or_else(|| missing.list("history"))?;
        read_swe_steps(steps, record)?;
    }
    if let Some(info) = env.info {
        info_meta(info, &mut record.meta);
    }
    Ok(())
}

fn read_swe_history(raw: Raw, record: &mut RawRecord) -> Result<(), ReadError> {
    #[derive(Deserialize)]
    struct Item {
        role: Option<String>,
        content: Option<Text>,
        is_demo: Option<bool>,
        tool_calls: Option<Box<RawValue>>,
    }
    let items: Vec<Item> = serde_json::from_str(raw.get())?;
    for item in items {
        let role = item.role.unwrap_or_default();
        let mut turn = RawTurn::new(speaker_of(&role), &role, item.content.unwrap_or_default().0);
        turn.demo = item.is_demo.unwrap_or(false);
        turn.tool_calls = tool_calls_of(item.tool_calls.as_deref());
        record.turns.push(turn);
    }
    Ok(())
}

fn read_swe_steps(raw: Raw, record: &mut RawRecord) -> Result<(), ReadError> {
    #[derive(Deserialize)]
    struct Step {
        response: Option<Text>,
        thought: Option<Text>,
        action: Option<Text>,
        observation: Option<Text>,
    }
    let steps: Vec<Step> = serde_json::from_str(raw.get())?;
    for step in steps {
        let text = match step.response {
            Some(r) if !r.0.is_empty() => r.0,
            _ => {
                let thought = step.thought.unwrap_or_default().0;
                let action = step.action.unwrap_or_default().0;
                format!("{thought}\n```\n{action}\n```")
            }
        };
        record
            .turns
            .push(RawTurn::new(Speaker::Agent, "response", text));
        if let Some(obs) = step.observation {
            record
                .turns
                .push(RawTurn::new(Speaker::Tool, "observation", obs.0));
        }
    }
    Ok(())
}
