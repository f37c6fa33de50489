//! The turn under the cursor, outside the screen: in `$PAGER` (default `less`) on its standard
//! input, or in `$VISUAL`/`$EDITOR` (default `vi`) on a read-only temporary file that is
//! removed after. The text is sanitised like everything trev prints; the screen is left while
//! the program runs and drawn again after (see [`super::terminal::Guard::outside`]).

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Which program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    Pager,
    Editor,
}

/// A turn to open outside.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub program: Program,
    /// A file name for it (`os_1-turn-5.txt`), made of safe characters.
    pub name: String,
    /// The sanitised text, with a heading line.
    pub text: String,
}

/// The command line the user set for `program`, and where it came from.
fn command(program: Program) -> String {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    match program {
        Program::Pager => var("PAGER").unwrap_or_else(|| "less".into()),
        Program::Editor => var("VISUAL")
            .or_else(|| var("EDITOR"))
            .unwrap_or_else(|| "vi".into()),
    }
}

/// Run the program on the request's text and wait for it; what to say after.
pub fn run(request: &Request) -> io::Result<String> {
    let line = command(request.program);
    match request.program {
        Program::Pager => {
            // As git does: the pager's command line through the shell, the text on its input.
            let mut child = Command::new("sh")
                .arg("-c")
                .arg(&line)
                .stdin(Stdio::piped())
                .spawn()?;
            if let Some(mut stdin) = child.stdin.take() {
                // A pager that quits early closes the pipe: not an error.
                let _ = stdin.write_all(request.text.as_bytes());
            }
            let status = child.wait()?;
            Ok(format!("pager `{line}` ended ({status})"))
        }
        Program::Editor => {
            let path = temporary(&request.name)?;
            std::fs::write(&path, &request.text)?;
            read_only(&path)?;
            let status = Command::new("sh")
                .arg("-c")
                .arg(format!("{line} \"$1\""))
                .arg("sh")
                .arg(&path)
                .status();
            let _ = std::fs::remove_file(&path);
            Ok(format!(
                "editor `{line}` ended ({}); the copy was read-only and is removed",
                status?
            ))
        }
    }
}

/// A new file in the temporary directory for `name`.
fn temporary(name: &str) -> io::Result<PathBuf> {
    let dir = std::env::temp_dir();
    for n in 0..1000 {
        let path = dir.join(format!("trev-{}-{n}-{name}", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(_) => return Ok(path),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("no free temporary file name"))
}

#[cfg(unix)]
fn read_only(path: &std::path::Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o444))
}

#[cfg(not(unix))]
fn read_only(path: &std::path::Path) -> io::Result<()> {
    let mut permissions = std::fs::metadata(path)?.permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(path, permissions)
}

/// The file name for turn `turn` of trajectory `id`: characters other than letters, digits,
/// `-`, `_` and `.` become `_`.
pub fn file_name(id: &str, turn: usize) -> String {
    let safe: String = id
        .chars()
        .take(80)
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}-turn-{turn}.txt")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe() {
        assert_eq!(file_name("os_1", 5), "os_1-turn-5.txt");
        assert_eq!(file_name("a/b\u{1b}[31m", 0), "a_b__31m-turn-0.txt");
    }
}
