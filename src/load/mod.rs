//! Loading trajectory files: containers (JSONL, JSON array, object, dict of records, gzip,
//! Parquet, directories), record formats, task profiles, and the lazy, growing index.

mod archive;
pub mod census;
pub mod dataset;
mod envelope;
mod fast;
pub mod formats;
pub mod outcome;
pub mod parquet_rows;
pub mod profile;
pub mod source;
pub mod split;
pub mod text;

use std::path::Path;
use std::sync::Arc;

use crate::diag::{Diagnostic, Level};
use crate::model::{Format, Role, SourceRef, Task, Trajectory, Turn};
use formats::ReadError;
use split::RecordSpan;

pub use dataset::Dataset;

/// What the user forced on the command line.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    pub format: Option<Format>,
    pub profile: Option<Task>,
}

/// Where a record sits, for its id and its diagnostics.
#[derive(Debug, Clone, Copy)]
pub struct RecordCtx<'a> {
    pub file: &'a Arc<Path>,
    /// The run the file belongs to.
    pub run: &'a Arc<str>,
    /// 0-based index of the record in its file.
    pub ordinal: usize,
    pub span: &'a RecordSpan,
    /// The record is the last of a JSON Lines file that does not end with a newline.
    pub unterminated: bool,
}

/// A loaded record and the warnings it produced (invalid UTF-8 replaced, …).
pub type Loaded = (Trajectory, Vec<Diagnostic>);

/// Parse one record into a trajectory. Errors are diagnostics that name the file, the line and
/// the column, and say that the record was skipped.
pub fn parse_record(bytes: &[u8], ctx: RecordCtx, opts: LoadOptions) -> Result<Loaded, Diagnostic> {
    let mut warnings = Vec::new();
    // Validate UTF-8 once for the whole record (vector code): the JSON reader then need not
    // check each string. Only invalid text goes through the standard check, for its position.
    let valid = simdutf8::basic::from_utf8(bytes).ok();
    let mut raw = match valid.map_or_else(|| std::str::from_utf8(bytes), Ok) {
        Ok(text) => formats::read(text, opts.format).map_err(|e| read_error(ctx, e))?,
        Err(bad) => {
            // Replace invalid UTF-8 and go on; say where it was.
            let (line, column) = line_col(bytes, bad.valid_up_to());
            warnings.push(diagnostic(
                ctx,
                line,
                column,
                Level::Warning,
                "invalid UTF-8 replaced with U+FFFD".to_string(),
            ));
            let repaired = String::from_utf8_lossy(bytes);
            formats::read(&repaired, opts.format).map_err(|e| read_error(ctx, e))?
        }
    };
    for (line, message) in std::mem::take(&mut raw.notes) {
        warnings.push(diagnostic(ctx, line, 0, Level::Warning, message));
    }
    let key = ctx.span.key.as_deref().map(str::to_string);
    // An Inspect sample's key (`<id>#<epoch>`) is made from the whole log, which knows the
    // epochs; elsewhere a record's own id wins over its key.
    let id = match raw.format {
        Format::Inspect if key.is_some() => key,
        _ => raw.id.clone().or(key),
    };
    let task = opts
        .profile
        .unwrap_or_else(|| profile::detect_task(id.as_deref(), &raw));
    let id = id.unwrap_or_else(|| fallback_id(ctx));
    let follow_ups = profile::environment_has_its_own_role(&raw);
    let turns = profile::assign_roles(task, raw.turns, follow_ups);
    if !turns.iter().any(|t| t.role == Role::Agent) {
        warnings.push(diagnostic(
            ctx,
            1,
            0,
            Level::Warning,
            no_agent_turn(raw.format, &turns),
        ));
    }
    for turn in turns.iter().filter(|t| t.answers.is_some()) {
        if turn.answered(&turns).is_none() {
            let id = turn.answers.as_deref().unwrap_or_default();
            let message = format!(
                "turn {} is the result of tool call `{id}`, which no turn before it makes",
                turn.index
            );
            warnings.push(diagnostic(ctx, 1, 0, Level::Warning, message));
        }
    }
    let mut trajectory = Trajectory {
        id,
        run: ctx.run.clone(),
        source: SourceRef {
            file: ctx.file.clone(),
            record: ctx.ordinal,
            start: ctx.span.start,
            end: ctx.span.end,
            line: ctx.span.line,
        },
        format: raw.format,
        task,
        outcome: outcome::of(raw.format, &raw.meta),
        meta: raw.meta,
        tools: raw.tools,
        turns,
    };
    outcome::settle(&mut trajectory, raw.episode);
    Ok((trajectory, warnings))
}

/// The warning for a trajectory without an agent turn: every format trev reads is an agent's
/// trajectory, so this is a misreading (or an empty record), never silently fine.
fn no_agent_turn(format: Format, turns: &[Turn]) -> String {
    let n = |role| turns.iter().filter(|t| t.role == role).count();
    format!(
        "no agent turn: read as `{}` into {} turns ({} system, {} instruction, {} environment); \
         rules and marking have nothing to work on (if the format is wrong, force one with --format)",
        format.as_str(),
        turns.len(),
        n(Role::System),
        n(Role::Instruction),
        n(Role::Environment),
    )
}

/// `<file name>#<record index>`: stable whatever directory trev is started from.
fn fallback_id(ctx: RecordCtx) -> String {
    let name = ctx
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| ctx.file.display().to_string());
    format!("{name}#{}", ctx.ordinal)
}

fn read_error(ctx: RecordCtx, error: ReadError) -> Diagnostic {
    match error {
        ReadError::Json(e) => {
            let mut message = strip_position(&e.to_string());
            if e.is_eof() && ctx.unterminated {
                message.push_str(" (the last line has no newline: a torn write?)");
            } else if e.is_eof() {
                message.push_str(" (truncated record?)");
            }
            message.push_str("; record skipped");
            let (line, column) = if e.line() == 0 {
                (1, 0)
            } else {
                (e.line() as u32, e.column() as u32)
            };
            diagnostic(ctx, line, column, Level::Error, message)
        }
        ReadError::Shape(message) => diagnostic(
            ctx,
            1,
            1,
            Level::Error,
            format!("{message}; record skipped"),
        ),
    }
}

/// A diagnostic at a position given relative to the record (1-based line and column).
fn diagnostic(ctx: RecordCtx, line: u32, column: u32, level: Level, message: String) -> Diagnostic {
    let abs_line = ctx.span.line + line.saturating_sub(1);
    let abs_column = match (line, column) {
        (_, 0) => 0,
        (1, c) => ctx.span.column + c - 1,
        (_, c) => c,
    };
    Diagnostic {
        file: ctx.file.clone(),
        line: abs_line,
        column: abs_column,
        level,
        message,
    }
}

/// serde_json ends its messages with " at line L column C" (the diagnostic says it better),
/// and quotes whole strings in them: keep the message to a readable length.
fn strip_position(message: &str) -> String {
    let message = match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    shorten(message, 200)
}

/// At most `max` characters: the head and the tail, joined by an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max * 2 / 3).collect();
    let tail: String = text.chars().skip(count - max / 3).collect();
    format!("{head}…{tail}")
}

/// 1-based line and column of a byte offset.
fn line_col(bytes: &[u8], offset: usize) -> (u32, u32) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = memchr::memchr_iter(b'\n', before).count() as u32 + 1;
    let column = match memchr::memrchr(b'\n', before) {
        Some(nl) => offset - nl,
        None => offset + 1,
    };
    (line, column as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx_for<'a>(file: &'a Arc<Path>, span: &'a RecordSpan) -> RecordCtx<'a> {
        static RUN: std::sync::LazyLock<Arc<str>> = std::sync::LazyLock::new(|| Arc::from("f"));
        RecordCtx {
            file,
            run: &RUN,
            ordinal: 3,
            span,
            unterminated: false,
        }
    }

    fn span(line: u32, column: u32) -> RecordSpan {
        RecordSpan {
            start: 0,
            end: 0,
            line,
            column,
            key: None,
        }
    }

    #[test]
    fn a_malformed_record_names_file_line_and_column() {
        let file: Arc<Path> = Arc::from(Path::new("data.jsonl"));
        let span = span(1042, 1);
        let err = parse_record(
            b"{\"messages\": [}",
            ctx_for(&file, &span),
            LoadOptions::default(),
        )
        .unwrap_err();
        assert_eq!(err.line, 1042);
        assert_eq!(err.column, 15);
        let text = err.to_string();
        assert!(text.starts_with("data.jsonl:1042:15: error: "), "{text}");
        assert!(text.ends_with("record skipped"), "{text}");
    }

    #[test]
    fn columns_are_offset_by_the_record_start_on_its_first_line_only() {
        let file: Arc<Path> = Arc::from(Path::new("a.json"));
        let span = span(10, 5);
        let err = parse_record(
            b"{\"x\": tru}",
            ctx_for(&file, &span),
            LoadOptions::default(),
        )
        .unwrap_err();
        assert_eq!((err.line, err.column), (10, 5 + 10 - 1));
        let err = parse_record(
            b"{\n \"x\": tru}",
            ctx_for(&file, &span),
            LoadOptions::default(),
        )
        .unwrap_err();
        assert_eq!(err.line, 11);
    }

    #[test]
    fn invalid_utf8_is_replaced_and_reported() {
        let file: Arc<Path> = Arc::from(Path::new("a.jsonl"));
        let span = span(7, 1);
        let bytes = b"{\"messages\": [{\"role\": \"user\", \"content\": \"caf\xe9!\"}, {\"role\": \"assistant\", \"content\": \"ok\"}]}";
        let (t, warnings) =
            parse_record(bytes, ctx_for(&file, &span), LoadOptions::default()).unwrap();
        assert_eq!(t.turns[0].text, "caf\u{fffd}!");
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].line, 7);
        assert_eq!(warnings[0].column, 47);
        assert!(warnings[0].message.contains("invalid UTF-8"));
    }

    #[test]
    fn records_without_an_id_get_file_and_index() {
        let file: Arc<Path> = Arc::from(Path::new("/some/dir/x.jsonl"));
        let span = span(1, 1);
        let (t, _) = parse_record(
            b"{\"messages\": []}",
            ctx_for(&file, &span),
            LoadOptions::default(),
        )
        .unwrap();
        assert_eq!(t.id, "x.jsonl#3");
    }

    #[test]
    fn long_messages_are_shortened() {
        let long = format!(
            "invalid type: string \"{}\", expected a sequence",
            "x".repeat(5000)
        );
        let short = strip_position(&format!("{long} at line 1 column 9"));
        assert!(short.chars().count() <= 201);
        assert!(short.ends_with("expected a sequence"));
    }

    #[test]
    fn the_profile_can_be_forced() {
        let file: Arc<Path> = Arc::from(Path::new("x.jsonl"));
        let span = span(1, 1);
        let opts = LoadOptions {
            format: None,
            profile: Some(Task::Db),
        };
        let (t, _) = parse_record(b"{\"messages\": []}", ctx_for(&file, &span), opts).unwrap();
        assert_eq!(t.task, Task::Db);
    }
}
