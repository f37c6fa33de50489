//! ATIF, the Agent Trajectory Interchange Format (Harbor, Terminal-Bench): `steps` with a
//! `source`, tool calls and observation results, under an `ATIF-v…` `schema_version`.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::calls::arguments_text;
use super::reader::{speaker_of, Missing, RawRecord, RawTurn, ReadError, Reader, Speaker};
use crate::load::envelope::{Envelope, Raw};
use crate::load::text::Text;
use crate::model::{Format, ToolCall};

pub(super) const READER: Reader = Reader {
    format: Format::Atif,
    detects: is_atif,
    read,
};

fn is_atif(env: &Envelope) -> bool {
    env.steps.is_some()
        && env.schema_version.is_some_and(|v| {
            serde_json::from_str::<&str>(v.get()).is_ok_and(|s| s.starts_with("ATIF-v"))
        })
}

fn read(env: &mut Envelope, record: &mut RawRecord, missing: &Missing) -> Result<(), ReadError> {
    let steps = env.steps.ok_or_else(|| missing.list("steps"))?;
    read_atif(steps, record)?;
    if let Some(agent) = env.agent {
        #[derive(Deserialize)]
        struct Agent {
            tool_definitions: Option<Value>,
        }
        record.tools = serde_json::from_str::<Agent>(agent.get())?.tool_definitions;
    }
    Ok(())
}

fn read_atif(raw: Raw, record: &mut RawRecord) -> Result<(), ReadError> {
    #[derive(Deserialize)]
    struct Step {
        source: Option<String>,
        message: Option<Text>,
        tool_calls: Option<Vec<AtifCall>>,
        observation: Option<Observation>,
        is_copied_context: Option<bool>,
    }
    #[derive(Deserialize)]
    struct AtifCall {
        tool_call_id: Option<String>,
        function_name: Option<String>,
        arguments: Option<Box<RawValue>>,
    }
    #[derive(Deserialize)]
    struct Observation {
        results: Option<Vec<ObsResult>>,
    }
    #[derive(Deserialize)]
    struct ObsResult {
        content: Option<Text>,
    }
    let steps: Vec<Step> = serde_json::from_str(raw.get())?;
    for step in steps {
        let role = step.source.unwrap_or_default();
        let mut turn = RawTurn::new(speaker_of(&role), &role, step.message.unwrap_or_default().0);
        turn.demo = step.is_copied_context.unwrap_or(false);
        turn.tool_calls = step
            .tool_calls
            .unwrap_or_default()
            .into_iter()
            .map(|c| ToolCall {
                id: c.tool_call_id,
                name: c.function_name.unwrap_or_default(),
                arguments: arguments_text(c.arguments.as_deref()),
            })
            .collect();
        let demo = turn.demo;
        record.turns.push(turn);
        if let Some(results) = step.observation.and_then(|o| o.results) {
            let text: Vec<String> = results
                .into_iter()
                .map(|r| r.content.unwrap_or_default().0)
                .collect();
            let mut obs = RawTurn::new(Speaker::Tool, "observation", text.join("\n\n"));
            obs.demo = demo;
            record.turns.push(obs);
        }
    }
    task_from_copied_context(&mut record.turns);
    Ok(())
}

/// A continuation (the trajectory after a context summary) can open on copied context alone:
/// the original prompt, the handoff, the questions and answers, all `is_copied_context`, and
/// no user step of its own before the agent's first. Its task is then the first copied user
/// step, the original prompt, which is read as the instruction rather than as context.
fn task_from_copied_context(turns: &mut [RawTurn]) {
    let first_live_agent = turns
        .iter()
        .position(|t| t.speaker == Speaker::Agent && !t.demo)
        .unwrap_or(turns.len());
    let asked = turns[..first_live_agent]
        .iter()
        .any(|t| t.speaker == Speaker::User && !t.demo);
    if asked {
        return;
    }
    if let Some(prompt) = turns[..first_live_agent]
        .iter_mut()
        .find(|t| t.speaker == Speaker::User && t.demo)
    {
        prompt.demo = false;
    }
}
