//! KnowAgent text trajectories: `traj` is one string of `> action` lines and the
//! observations between them; the game's name is the id, `result` its outcome. KnowAgent's
//! HotpotQA records have no `traj`: their `prompt` (and `completion`, where there is one) is
//! ReAct text (`react_text`), with `reward`, `correct` and `halted` as the outcome.

use serde_json::Value;

use super::react_text::{looks_like_react_text, split};
use super::reader::{Missing, RawRecord, RawTurn, ReadError, Reader, Speaker};
use crate::load::envelope::{id_text, Envelope};
use crate::model::Format;

pub(super) const READER: Reader = Reader {
    format: Format::KnowAgent,
    // ReAct text in a `traj` string is FireAct's (`react_text`).
    detects: |env| match env.traj {
        Some(traj) => !super::fireact::is_fireact_traj(traj.get()),
        None => env.prompt.is_some_and(|p| looks_like_react_text(p.get())),
    },
    read,
};

fn read(env: &mut Envelope, record: &mut RawRecord, missing: &Missing) -> Result<(), ReadError> {
    if env.traj.is_none() {
        if let Some(prompt) = env.prompt {
            return read_hotpotqa(prompt.get(), env, record, missing);
        }
    }
    let traj = env.traj.ok_or_else(|| missing.list("traj"))?;
    read_knowagent(&serde_json::from_str::<String>(traj.get())?, record);
    if record.id.is_none() {
        record.id = env.name.and_then(id_text);
    }
    if let Some(v) = env
        .result
        .and_then(|r| serde_json::from_str::<Value>(r.get()).ok())
    {
        record.meta.push(("result".into(), v));
    }
    Ok(())
}

/// A HotpotQA record: the ReAct text of `prompt` and `completion`, the outcome beside it.
fn read_hotpotqa(
    prompt: &str,
    env: &Envelope,
    record: &mut RawRecord,
    missing: &Missing,
) -> Result<(), ReadError> {
    #[derive(serde::Deserialize)]
    struct Outcome {
        correct: Option<Value>,
        halted: Option<Value>,
    }
    let mut text = serde_json::from_str::<String>(prompt)?;
    if let Some(completion) = env.completion {
        text.push_str(&serde_json::from_str::<String>(completion.get())?);
    }
    record.turns = split(&text);
    // Fields no other format reads, taken from the record itself.
    if let Ok(outcome) = serde_json::from_slice::<Outcome>(missing.bytes) {
        for (key, value) in [("correct", outcome.correct), ("halted", outcome.halted)] {
            if let Some(v) = value.filter(|v| !v.is_null()) {
                record.meta.push((key.into(), v));
            }
        }
    }
    Ok(())
}

/// KnowAgent's one-string trajectory: lines starting with `> ` are the agent's, the lines
/// between them the environment's; the lines before the first action are the task.
fn read_knowagent(traj: &str, record: &mut RawRecord) {
    let mut pending: Vec<&str> = Vec::new();
    let flush = |pending: &mut Vec<&str>, record: &mut RawRecord| {
        if pending.is_empty() {
            return;
        }
        let speaker = if record.turns.is_empty() {
            Speaker::User
        } else {
            Speaker::Tool
        };
        let role = if speaker == Speaker::User {
            "task"
        } else {
            "observation"
        };
        record
            .turns
            .push(RawTurn::new(speaker, role, pending.join("\n")));
        pending.clear();
    };
    for line in traj.lines() {
        if let Some(action) = line.strip_prefix("> ") {
            flush(&mut pending, record);
            record
                .turns
                .push(RawTurn::new(Speaker::Agent, "action", action.to_string()));
        } else {
            pending.push(line);
        }
    }
    flush(&mut pending, record);
}

#[cfg(test)]
mod tests {
    use crate::load::formats::{read, Speaker};

    #[test]
    fn knowagent_lines_become_turns() {
        let r = read(
            r#"{"name":"g1","result":false,"traj":"You are in a room.\nYour task is: x\n> Think: go\nOK.\n> go to desk 1\nNothing happens.\nmore"}"#,
            None,
        )
        .unwrap();
        let got: Vec<(Speaker, &str)> = r
            .turns
            .iter()
            .map(|t| (t.speaker, t.text.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Speaker::User, "You are in a room.\nYour task is: x"),
                (Speaker::Agent, "Think: go"),
                (Speaker::Tool, "OK."),
                (Speaker::Agent, "go to desk 1"),
                (Speaker::Tool, "Nothing happens.\nmore"),
            ]
        );
        assert_eq!(r.id.as_deref(), Some("g1"));
    }

    #[test]
    fn a_hotpotqa_prompt_is_react_text_with_its_examples_as_demo() {
        let r = read(
            r#"{"question":"Real?","answer":"r","correct":false,"reward":0,"halted":false,"error":false,"prompt":"Answer with a graph.\nHere are some examples:\nQuestion: Ex?\nActionPath 1: Start\nThought 1: t\nAction 1: Finish[x]\n\n(END OF EXAMPLES)\nQuestion: Real?\nActionPath 1: Start\nThought 1: look\nAction 1: Search[r]\nObservation 1: r is s","completion":"\nActionPath 2: Start->Search[r]\nThought 2: so\nAction 2: Finish[s]\nObservation 2: Answer is INCORRECT"}"#,
            None,
        )
        .unwrap();
        assert_eq!(r.format, crate::model::Format::KnowAgent);
        let got: Vec<(Speaker, bool)> = r.turns.iter().map(|t| (t.speaker, t.demo)).collect();
        use Speaker::{Agent, System, Tool, User};
        assert_eq!(
            got,
            [
                (System, false),
                (User, true),
                (Agent, true),
                (User, false),
                (Agent, false),
                (Tool, false),
                (Agent, false),
                (Tool, false),
            ]
        );
        assert!(r.turns[4]
            .text
            .starts_with("ActionPath 1: Start\nThought 1: look"));
        let keys: Vec<&str> = r.meta.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["reward", "correct", "halted"]);
    }
}
