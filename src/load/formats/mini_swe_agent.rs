//! mini-swe-agent's native trajectories: OpenAI `messages` marked by a `trajectory_format`.

use super::openai;
use super::reader::Reader;
use crate::model::Format;

/// Read as OpenAI messages (with `info`'s exit status); only the format's name differs.
pub(super) const READER: Reader = Reader {
    format: Format::MiniSweAgent,
    detects: |env| env.trajectory_format.is_some() && env.messages.is_some(),
    read: openai::read,
};
