//! FireAct evaluation dumps: `traj` is a list of chat messages, or one string of ReAct text
//! (`Thought:`/`Action:`/`Observation:` lines, see `react_text`), beside `reward`, `em` and `f1`.

use super::openai::read_messages;
use super::react_text::{looks_like_react_text, split};
use super::reader::{Missing, RawRecord, ReadError, Reader};
use crate::load::envelope::Envelope;
use crate::model::Format;

pub(super) const READER: Reader = Reader {
    format: Format::FireAct,
    // A `traj` string that is not ReAct text is KnowAgent's.
    detects: |env| env.traj.is_some_and(|traj| is_fireact_traj(traj.get())),
    read,
};

/// A list of messages, or a string of ReAct text (its raw JSON text).
pub(super) fn is_fireact_traj(raw: &str) -> bool {
    !raw.starts_with('"') || looks_like_react_text(raw)
}

fn read(env: &mut Envelope, record: &mut RawRecord, missing: &Missing) -> Result<(), ReadError> {
    let traj = env.traj.ok_or_else(|| missing.list("traj"))?;
    if traj.get().starts_with('"') {
        record.turns = split(&serde_json::from_str::<String>(traj.get())?);
    } else {
        read_messages(serde_json::from_str(traj.get())?, record);
    }
    Ok(())
}
