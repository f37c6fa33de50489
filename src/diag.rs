//! Diagnostics: what went wrong in an input file, and where (`file:line:column: message`).

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Something was repaired or looks wrong, but the data loaded.
    Warning,
    /// A record (or a whole file) could not be loaded.
    Error,
}

/// One problem in one input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub file: Arc<Path>,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: u32,
    /// 1-based; 0 when unknown.
    pub column: u32,
    pub level: Level,
    pub message: String,
}

impl Diagnostic {
    pub fn file_error(file: &Arc<Path>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: file.clone(),
            line: 0,
            column: 0,
            level: Level::Error,
            message: message.into(),
        }
    }
}

/// What a caught panic said (its `&str` or `String` payload).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string())
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        let level = match self.level {
            Level::Warning => "warning",
            Level::Error => "error",
        };
        write!(f, ": {level}: {}", self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_and_column() {
        let file: Arc<Path> = Arc::from(Path::new("data.jsonl"));
        let mut d = Diagnostic::file_error(&file, "boom");
        assert_eq!(d.to_string(), "data.jsonl: error: boom");
        d.line = 1042;
        d.column = 17;
        d.level = Level::Warning;
        assert_eq!(d.to_string(), "data.jsonl:1042:17: warning: boom");
    }
}
