//! AgentBench `runs.jsonl` lines: an `index` and an `output` holding the `history`, the
//! status and the result.

use serde::Deserialize;
use serde_json::Value;

use super::reader::{speaker_of, Missing, RawRecord, RawTurn, ReadError, Reader};
use crate::load::envelope::{Envelope, Raw};
use crate::load::text::Text;
use crate::model::Format;

pub(super) const READER: Reader = Reader {
    format: Format::AgentBench,
    detects: |env| env.output.is_some() && env.index.is_some(),
    read,
};

fn read(env: &mut Envelope, record: &mut RawRecord, missing: &Missing) -> Result<(), ReadError> {
    let output = env.output.ok_or_else(|| missing.list("output.history"))?;
    read_agentbench(output, record)?;
    record.episode = env.index.and_then(|r| r.get().parse().ok());
    if let Some(e) = env
        .error
        .and_then(|r| serde_json::from_str::<Value>(r.get()).ok())
    {
        if !e.is_null() {
            record.meta.push(("error".into(), e));
        }
    }
    Ok(())
}

fn read_agentbench(raw: Raw, record: &mut RawRecord) -> Result<(), ReadError> {
    #[derive(Deserialize)]
    struct Output {
        status: Option<Value>,
        result: Option<Value>,
        history: Option<Vec<Entry>>,
    }
    #[derive(Deserialize)]
    struct Entry {
        role: Option<String>,
        content: Option<Text>,
    }
    let output: Output = serde_json::from_str(raw.get())?;
    if let Some(status) = output.status.filter(|v| !v.is_null()) {
        record.meta.push(("status".into(), status));
    }
    if let Some(result) = output.result.filter(|v| !v.is_null()) {
        record.meta.push(("result".into(), result));
    }
    let history = output.history.ok_or_else(|| {
        ReadError::Shape("an `agentbench` record needs `output.history`".to_string())
    })?;
    for entry in history {
        let role = entry.role.unwrap_or_default();
        record.turns.push(RawTurn::new(
            speaker_of(&role),
            &role,
            entry.content.unwrap_or_default().0,
        ));
    }
    Ok(())
}
