//! SWE-agent trajectories as dataset rows: a `trajectory` of `{role, text, mask}` beside a
//! `target` or an `exit_status`.

use serde::Deserialize;
use serde_json::Value;

use super::reader::{speaker_of, Missing, RawRecord, RawTurn, ReadError, Reader};
use crate::load::envelope::{Envelope, Raw};
use crate::load::text::Text;
use crate::model::Format;

pub(super) const READER: Reader = Reader {
    format: Format::SweAgentRows,
    detects: |env| env.trajectory.is_some() && (env.target.is_some() || env.exit_status.is_some()),
    read,
};

fn read(env: &mut Envelope, record: &mut RawRecord, missing: &Missing) -> Result<(), ReadError> {
    let rows = env.trajectory.ok_or_else(|| missing.list("trajectory"))?;
    read_swe_rows(rows, record)
}

fn read_swe_rows(raw: Raw, record: &mut RawRecord) -> Result<(), ReadError> {
    #[derive(Deserialize)]
    struct Row {
        role: Option<String>,
        text: Option<Text>,
        system_prompt: Option<Text>,
        mask: Option<Value>,
    }
    let rows: Vec<Row> = serde_json::from_str(raw.get())?;
    for row in rows {
        let role = row.role.unwrap_or_default();
        let text = match row.text {
            Some(t) if !t.0.is_empty() => t.0,
            _ => row.system_prompt.unwrap_or_default().0,
        };
        let mut turn = RawTurn::new(speaker_of(&role), &role, text);
        turn.loss = match row.mask {
            Some(Value::Bool(b)) => Some(b),
            _ => None,
        };
        record.turns.push(turn);
    }
    Ok(())
}
