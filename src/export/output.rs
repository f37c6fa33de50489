//! The gold file, written safely: never over an input, never over an existing file without
//! `--force`, always to a temporary file first that is read back and checked before it is
//! renamed into place.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tempfile::NamedTempFile;

use super::render::compact;
use crate::load::split::Splitter;
use crate::load::{parse_record, LoadOptions, RecordCtx};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{0}: refusing to write over an input file")]
    IsInput(PathBuf),
    #[error("{0}: the file exists (use --force to replace it)")]
    Exists(PathBuf),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: the written file does not read back: {problem} (nothing was replaced)")]
    Check { path: PathBuf, problem: String },
}

/// How records are laid out in the output, chosen by its name: `.json` is a JSON array (every
/// record byte for byte, pretty or not), anything else JSON Lines (a multi-line record has the
/// whitespace between its tokens removed so that it fits on one line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Lines,
    Array,
}

impl Container {
    pub fn for_path(path: &Path) -> Container {
        let name = path.to_string_lossy().to_ascii_lowercase();
        if name.ends_with(".json") {
            Container::Array
        } else {
            Container::Lines
        }
    }
}

/// The output being written.
pub struct GoldFile {
    path: PathBuf,
    container: Container,
    /// `None` for a dry run.
    temp: Option<(NamedTempFile, BufWriter<File>)>,
    count: u64,
}

impl GoldFile {
    /// Check that `path` may be written, and open a temporary file beside it (none for a dry
    /// run, which writes nothing).
    pub fn create(
        path: &Path,
        inputs: &[PathBuf],
        force: bool,
        dry_run: bool,
    ) -> Result<GoldFile, OutputError> {
        let io_err = |source| OutputError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Ok(out) = path.canonicalize() {
            for input in inputs {
                if input.canonicalize().is_ok_and(|i| i == out) {
                    return Err(OutputError::IsInput(path.to_path_buf()));
                }
            }
            if !force {
                return Err(OutputError::Exists(path.to_path_buf()));
            }
        }
        let temp = if dry_run {
            None
        } else {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            let temp = tempfile::Builder::new()
                .prefix(".trev-export-")
                .tempfile_in(dir)
                .map_err(io_err)?;
            let writer = BufWriter::new(temp.reopen().map_err(io_err)?);
            Some((temp, writer))
        };
        Ok(GoldFile {
            path: path.to_path_buf(),
            container: Container::for_path(path),
            temp,
            count: 0,
        })
    }

    pub fn is_dry_run(&self) -> bool {
        self.temp.is_none()
    }

    /// Append one record (a JSON value, without a newline).
    pub fn write_record(&mut self, bytes: &[u8]) -> io::Result<()> {
        let first = self.count == 0;
        self.count += 1;
        let Some((_, w)) = self.temp.as_mut() else {
            return Ok(());
        };
        match self.container {
            Container::Lines => {
                if bytes.contains(&b'\n') || bytes.contains(&b'\r') {
                    w.write_all(&compact(bytes))?;
                } else {
                    w.write_all(bytes)?;
                }
                w.write_all(b"\n")
            }
            Container::Array => {
                w.write_all(if first { b"[\n" } else { b",\n" })?;
                w.write_all(bytes)
            }
        }
    }

    /// Close the file, read it back, check every record loads, and rename it into place.
    /// Returns the number of records written.
    pub fn finish(self) -> Result<u64, OutputError> {
        let io_err = |source| OutputError::Io {
            path: self.path.clone(),
            source,
        };
        let Some((temp, mut w)) = self.temp else {
            return Ok(self.count);
        };
        if self.container == Container::Array {
            w.write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })
                .map_err(io_err)?;
        }
        w.flush().map_err(io_err)?;
        w.get_ref().sync_all().map_err(io_err)?;
        drop(w);
        let found = check(temp.path()).map_err(|problem| OutputError::Check {
            path: self.path.clone(),
            problem,
        })?;
        if found != self.count {
            return Err(OutputError::Check {
                path: self.path.clone(),
                problem: format!("{found} records read back, {} written", self.count),
            });
        }
        temp.persist(&self.path).map_err(|e| io_err(e.error))?;
        Ok(self.count)
    }
}

/// Read a written file back: every record must load. Returns the number of records.
fn check(path: &Path) -> Result<u64, String> {
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    let mut splitter = Splitter::new();
    let mut spans = Vec::new();
    splitter.feed(&bytes, &mut spans);
    splitter.finish(&mut spans);
    if let Some(p) = splitter.problems.first() {
        return Err(format!("line {}: {}", p.line, p.message));
    }
    let file: Arc<Path> = Arc::from(path);
    for (ordinal, span) in spans.iter().enumerate() {
        let ctx = RecordCtx {
            file: &file,
            ordinal,
            span,
            unterminated: false,
        };
        let record = &bytes[span.start as usize..span.end as usize];
        parse_record(record, ctx, LoadOptions::default())
            .map_err(|d| format!("record {ordinal}: {}", d.message))?;
    }
    Ok(spans.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &[u8] =
        b"{\n  \"id\": \"a\",\n  \"messages\": [{\"role\": \"user\", \"content\": \"x  y\"}]\n}";

    #[test]
    fn array_output_keeps_records_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("gold.json");
        let mut gold = GoldFile::create(&out, &[], false, false).unwrap();
        gold.write_record(RECORD).unwrap();
        gold.write_record(RECORD).unwrap();
        assert_eq!(gold.finish().unwrap(), 2);
        let text = std::fs::read(&out).unwrap();
        let want = [&b"[\n"[..], RECORD, b",\n", RECORD, b"\n]\n"].concat();
        assert_eq!(text, want);
    }

    #[test]
    fn lines_output_puts_each_record_on_one_line() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("gold.jsonl");
        let mut gold = GoldFile::create(&out, &[], false, false).unwrap();
        gold.write_record(RECORD).unwrap();
        gold.finish().unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "{\"id\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":\"x  y\"}]}\n"
        );
    }

    #[test]
    fn refuses_inputs_and_existing_files_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.jsonl");
        std::fs::write(&input, "{}\n").unwrap();
        let err = GoldFile::create(&input, std::slice::from_ref(&input), true, false)
            .err()
            .unwrap();
        assert!(matches!(err, OutputError::IsInput(_)), "{err}");
        let existing = dir.path().join("old.jsonl");
        std::fs::write(&existing, "keep me\n").unwrap();
        let err = GoldFile::create(&existing, &[], false, false)
            .err()
            .unwrap();
        assert!(err.to_string().contains("--force"), "{err}");
        let mut gold = GoldFile::create(&existing, &[], true, false).unwrap();
        gold.write_record(b"{\"messages\": []}").unwrap();
        gold.finish().unwrap();
        assert_eq!(
            std::fs::read_to_string(&existing).unwrap(),
            "{\"messages\": []}\n"
        );
    }

    #[test]
    fn a_record_that_does_not_load_back_replaces_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("gold.jsonl");
        std::fs::write(&out, "old\n").unwrap();
        let mut gold = GoldFile::create(&out, &[], true, false).unwrap();
        gold.write_record(b"{\"not\": \"a trajectory\"}").unwrap();
        let err = gold.finish().err().unwrap();
        assert!(err.to_string().contains("does not read back"), "{err}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "old\n");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "the temporary file is removed");
    }

    #[test]
    fn a_dry_run_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("gold.jsonl");
        let mut gold = GoldFile::create(&out, &[], false, true).unwrap();
        gold.write_record(b"{}").unwrap();
        assert_eq!(gold.finish().unwrap(), 1);
        assert!(!out.exists());
    }
}
