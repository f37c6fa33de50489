//! The record readers, one file per source format, and the list that tries them in turn.
//! Detection looks at which top-level keys a record has (order as in the corpus' FORMATS.md).
//! A new format is a new file here and one line in `READERS`.

mod agentbench;
mod atif;
mod bare;
mod calls;
mod claude_code;
mod fireact;
mod inspect;
mod knowagent;
mod mini_swe_agent;
mod openai;
mod openhands;
mod react_text;
mod reader;
mod sharegpt;
mod swe_agent;
mod swe_agent_rows;

use super::envelope::Envelope;
use crate::model::Format;
use reader::{describe_keys, Missing, Reader};

pub use reader::{RawRecord, RawTurn, ReadError, Speaker};

/// Every format's reader, in the order detection asks them: a record has the format of the
/// first that recognises its keys.
const READERS: &[Reader] = &[
    atif::READER,
    inspect::READER,
    mini_swe_agent::READER,
    swe_agent_rows::READER,
    swe_agent::READER,
    openhands::EVENTS,
    openhands::EVAL,
    agentbench::READER,
    claude_code::READER,
    sharegpt::SHAREGPT,
    sharegpt::ROLE_CONTENT,
    openai::READER,
    knowagent::READER,
    fireact::READER,
];

/// Read one record. `forced` skips detection.
pub fn read(text: &str, forced: Option<Format>) -> Result<RawRecord, ReadError> {
    let env = match super::fast::envelope(text) {
        Some(env) => env,
        None => match bare::envelope(text) {
            Some(env) => env?,
            None => match serde_envelope(text, forced) {
                Ok(env) => env,
                Err(e) => return read_session(text, forced).unwrap_or(Err(e)),
            },
        },
    };
    read_envelope(text, forced, env)
}

/// A record of several JSON lines is a session of a session log (Claude Code), told by its
/// first line; `None` when it is not one.
fn read_session(text: &str, forced: Option<Format>) -> Option<Result<RawRecord, ReadError>> {
    let (first, _) = text.split_once('\n')?;
    if !starts_session_log(first.as_bytes(), forced) {
        return None;
    }
    let env = first_envelope(first).unwrap_or_default();
    Some(read_envelope(text, Some(Format::ClaudeCode), env))
}

/// Whether the first record of a JSON Lines file makes it a session log, whose lines are read
/// by session (`split::sessions`) rather than one by one.
pub fn starts_session_log(first: &[u8], forced: Option<Format>) -> bool {
    match forced {
        Some(format) => format == Format::ClaudeCode,
        None => std::str::from_utf8(first)
            .ok()
            .and_then(first_envelope)
            .is_some_and(|env| (claude_code::READER.detects)(&env)),
    }
}

fn first_envelope(line: &str) -> Option<Envelope<'_>> {
    super::fast::envelope(line).or_else(|| serde_json::from_str(line).ok())
}

/// The envelope as serde reads it: the reader of every record the fast reader gives up on,
/// and of its errors.
pub(super) fn serde_envelope(
    text: &str,
    forced: Option<Format>,
) -> Result<Envelope<'_>, ReadError> {
    match serde_json::from_str(text) {
        Ok(env) => Ok(env),
        Err(e) if e.is_data() => Err(shape_error(text.as_bytes(), forced, Some(&e))),
        Err(e) => Err(e.into()),
    }
}

pub(super) fn read_envelope(
    text: &str,
    forced: Option<Format>,
    mut env: Envelope,
) -> Result<RawRecord, ReadError> {
    let bytes = text.as_bytes();
    let reader = match forced {
        Some(format) => reader_of(format),
        None => match READERS.iter().find(|reader| (reader.detects)(&env)) {
            Some(reader) => reader,
            None => return Err(shape_error(bytes, None, None)),
        },
    };
    let format = reader.format;
    let mut record = RawRecord {
        format,
        id: env.id(),
        meta: Vec::new(),
        tools: None,
        episode: None,
        turns: Vec::new(),
        notes: Vec::new(),
    };
    env.meta(&mut record.meta);
    (reader.read)(&mut env, &mut record, &Missing { format, bytes })?;
    Ok(record)
}

/// The reader of a format given on the command line.
fn reader_of(format: Format) -> &'static Reader {
    READERS
        .iter()
        .find(|reader| reader.format == format)
        .expect("every format has a reader (a test checks it)")
}

/// The error for a record whose shape no reader knows: name its keys, suggest `--format`.
fn shape_error(
    bytes: &[u8],
    forced: Option<Format>,
    cause: Option<&serde_json::Error>,
) -> ReadError {
    let keys = describe_keys(bytes);
    let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
    let message = match (forced, cause) {
        (Some(f), Some(e)) => format!("not a valid `{}` record: {e}; {keys}", f.as_str()),
        (_, Some(e)) => format!("record of unexpected shape: {e}; {keys}"),
        _ => format!(
            "unknown record shape: {keys}; if this is a known format, force it with --format ({})",
            names.join(", ")
        ),
    };
    ReadError::Shape(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(json: &str) -> RawRecord {
        read(json, None).unwrap()
    }

    #[test]
    fn every_format_has_one_reader() {
        for format in Format::ALL {
            let readers = READERS.iter().filter(|r| r.format == format).count();
            assert_eq!(readers, 1, "{format}");
        }
        assert_eq!(READERS.len(), Format::ALL.len());
    }

    #[test]
    fn detects_each_format_by_its_keys() {
        let cases = [
            (
                r#"{"conversations":[{"from":"human","value":"x"}]}"#,
                Format::ShareGpt,
            ),
            (
                r#"{"conversations":[{"role":"user","content":"x"}]}"#,
                Format::RoleContent,
            ),
            (
                r#"{"messages":[{"role":"user","content":"x"}]}"#,
                Format::OpenAi,
            ),
            (
                r#"{"traj":[{"role":"user","content":"x"}],"reward":true}"#,
                Format::FireAct,
            ),
            (
                r#"{"history":[{"role":"user","content":"x","agent":"main"}]}"#,
                Format::SweAgent,
            ),
            (
                r#"{"trajectory":[{"role":"ai","text":"x"}],"target":true}"#,
                Format::SweAgentRows,
            ),
            (
                r#"{"info":{},"messages":[],"trajectory_format":"mini-swe-agent-1"}"#,
                Format::MiniSweAgent,
            ),
            (
                r#"{"schema_version":"ATIF-v1.5","steps":[{"step_id":1,"source":"user","message":"x"}]}"#,
                Format::Atif,
            ),
            (
                r#"{"index":1,"output":{"status":"completed","history":[]}}"#,
                Format::AgentBench,
            ),
            (
                r#"{"type":"user","sessionId":"s","uuid":"u","parentUuid":null,"message":{"role":"user","content":"x"}}"#,
                Format::ClaudeCode,
            ),
            (
                r#"{"type":"summary","summary":"s","leafUuid":"u"}"#,
                Format::ClaudeCode,
            ),
        ];
        let knowagent = (
            r#"{"name":"g1","result":true,"traj":"task\n> go to desk 1\nNothing happens."}"#,
            Format::KnowAgent,
        );
        for (json, format) in cases.into_iter().chain([knowagent]) {
            assert_eq!(read_str(json).format, format, "{json}");
        }
    }

    #[test]
    fn unknown_shape_names_the_keys_and_suggests_format() {
        let Err(ReadError::Shape(msg)) = read(r#"{"foo": 1, "bar": []}"#, None) else {
            panic!("expected a shape error")
        };
        assert!(msg.contains("`bar`, `foo`"), "{msg}");
        assert!(msg.contains("--format"), "{msg}");
    }

    #[test]
    fn forced_format_reports_the_missing_list() {
        let Err(ReadError::Shape(msg)) = read(r#"{"foo": 1}"#, Some(Format::OpenAi)) else {
            panic!("expected a shape error")
        };
        assert!(msg.contains("`messages`"), "{msg}");
    }

    #[test]
    fn numeric_ids_and_outcomes_are_kept() {
        let r = read_str(r#"{"id": 7, "reward": 1.0, "conversations": []}"#);
        assert_eq!(r.id.as_deref(), Some("7"));
        assert_eq!(r.meta, vec![("reward".to_string(), serde_json::json!(1.0))]);
    }
}
