//! KnowAgent text trajectories: `traj` is one string of `> action` lines and the
//! observations between them; the game's name is the id, `result` its outcome.

use serde_json::Value;

use super::reader::{Missing, RawRecord, RawTurn, ReadError, Reader, Speaker};
use crate::load::envelope::{id_text, Envelope};
use crate::model::Format;

pub(super) const READER: Reader = Reader {
    format: Format::KnowAgent,
    // ReAct text in a string is FireAct's (`react_text`).
    detects: |env| {
        env.traj
            .is_some_and(|traj| !super::fireact::is_fireact_traj(traj.get()))
    },
    read,
};

fn read(env: &mut Envelope, record: &mut RawRecord, missing: &Missing) -> Result<(), ReadError> {
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
}
