//! The gold file: its records laid out as JSON Lines or a JSON array, written through
//! [`crate::safe_write`] and loaded back record by record before it is renamed into place.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::render::compact;
use crate::load::split::Splitter;
use crate::load::{parse_record, LoadOptions, RecordCtx};
use crate::safe_write::{Destination, Pending, WriteError};

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
    temp: Option<Pending>,
    count: u64,
}

impl GoldFile {
    /// Open a temporary file beside the checked destination (none for a dry run, which writes
    /// nothing).
    pub fn create(destination: Destination, dry_run: bool) -> Result<GoldFile, WriteError> {
        let path = destination.path().to_path_buf();
        let temp = if dry_run {
            None
        } else {
            Some(destination.open()?)
        };
        Ok(GoldFile {
            container: Container::for_path(&path),
            path,
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
        let Some(w) = self.temp.as_mut() else {
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
    pub fn finish(self) -> Result<u64, WriteError> {
        let Some(mut w) = self.temp else {
            return Ok(self.count);
        };
        if self.container == Container::Array {
            w.write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })
                .map_err(|source| WriteError::Io {
                    path: self.path.clone(),
                    action: "cannot write",
                    source,
                })?;
        }
        let count = self.count;
        w.commit(|temp| match check(temp)? {
            found if found == count => Ok(()),
            found => Err(format!("{found} records read back, {count} written")),
        })?;
        Ok(count)
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
    let run: Arc<str> = Arc::from("");
    for (ordinal, span) in spans.iter().enumerate() {
        let ctx = RecordCtx {
            file: &file,
            run: &run,
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
    use crate::safe_write::Outputs;

    fn gold(path: &Path, replace: bool, dry_run: bool) -> GoldFile {
        let destination = Outputs::new(&[], replace).claim(path).unwrap();
        GoldFile::create(destination, dry_run).unwrap()
    }

    const RECORD: &[u8] =
        b"{\n  \"id\": \"a\",\n  \"messages\": [{\"role\": \"user\", \"content\": \"x  y\"}]\n}";

    #[test]
    fn array_output_keeps_records_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("gold.json");
        let mut gold = gold(&out, false, false);
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
        let mut gold = gold(&out, false, false);
        gold.write_record(RECORD).unwrap();
        gold.finish().unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "{\"id\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":\"x  y\"}]}\n"
        );
    }

    #[test]
    fn replacing_an_existing_file_when_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("old.jsonl");
        std::fs::write(&out, "keep me\n").unwrap();
        let mut gold = gold(&out, true, false);
        gold.write_record(b"{\"messages\": []}").unwrap();
        gold.finish().unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "{\"messages\": []}\n"
        );
    }

    #[test]
    fn a_record_that_does_not_load_back_replaces_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("gold.jsonl");
        std::fs::write(&out, "old\n").unwrap();
        let mut gold = gold(&out, true, false);
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
        let mut gold = gold(&out, false, true);
        gold.write_record(b"{}").unwrap();
        assert_eq!(gold.finish().unwrap(), 1);
        assert!(!out.exists());
    }
}
