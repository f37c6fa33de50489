//! FireAct evaluation dumps: `traj` is a list of chat messages, beside `reward`, `em` and `f1`.

use super::openai::read_messages;
use super::reader::{Missing, RawRecord, ReadError, Reader};
use crate::load::envelope::Envelope;
use crate::model::Format;

pub(super) const READER: Reader = Reader {
    format: Format::FireAct,
    // A `traj` that is a string is KnowAgent's.
    detects: |env| env.traj.is_some_and(|traj| !traj.get().starts_with('"')),
    read,
};

fn read(env: &mut Envelope, record: &mut RawRecord, missing: &Missing) -> Result<(), ReadError> {
    let traj = env.traj.ok_or_else(|| missing.list("traj"))?;
    read_messages(serde_json::from_str(traj.get())?, record);
    Ok(())
}
