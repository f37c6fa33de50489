//! Whether a top-level object is a dict of id → record or a single record, told by its first
//! member; and each dict record's key, kept as its id.

use super::{Layout, Member, Probe, Splitter};

/// Keys that mark an object as a record, not as a dict of records.
const RECORD_KEYS: &[&str] = &[
    "agent",
    "conversation",
    "conversations",
    "environment",
    "eval",
    "history",
    "id",
    "index",
    "info",
    "instance_id",
    "item_id",
    "messages",
    "metadata",
    "output",
    "reward",
    "samples",
    "schema_version",
    "session_id",
    "steps",
    "tools",
    "traj",
    "trajectory",
    "trajectory_format",
    "version",
];

impl Splitter {
    /// A top-level key was read (its raw text is in `key`).
    pub(super) fn end_key(&mut self) {
        if self.probe == Probe::Key {
            return self.probe_key();
        }
        let key = decode_key(&self.key);
        if self.layout == Layout::Dict {
            // The id of the record that follows.
            self.pending_key = Some(key.into_boxed_str());
            self.member = Member::Elsewhere;
        } else if RECORD_KEYS.contains(&key.as_str()) {
            // The first key of the first object is a record's: the object is a record.
            self.member = Member::Elsewhere;
        } else {
            // Perhaps an id: its value decides.
            self.member = Member::AwaitColon;
            self.pending_key = Some(key.into_boxed_str());
        }
    }

    /// The first member of the first object decides whether the object is a dict of records.
    pub(super) fn decide_dict(&mut self, value_is_object: bool) {
        self.member = Member::Elsewhere;
        if value_is_object && self.layout == Layout::Values {
            // The object's values are the records: forget the whole-object record.
            self.layout = Layout::Dict;
            self.open = None;
        } else {
            self.pending_key = None;
        }
    }
}

/// A key's text with its escapes decoded (kept as it is when they are broken).
pub(super) fn decode_key(raw: &[u8]) -> String {
    if !raw.contains(&b'\\') {
        return String::from_utf8_lossy(raw).into_owned();
    }
    let mut quoted = Vec::with_capacity(raw.len() + 2);
    quoted.push(b'"');
    quoted.extend_from_slice(raw);
    quoted.push(b'"');
    serde_json::from_slice::<String>(&quoted)
        .unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned())
}
