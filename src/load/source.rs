//! Input files: finding them (directories are walked), opening them (gzip is decompressed on
//! the fly), reading them in chunks, and reading one record's bytes back by offset.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use super::split::{RecordSpan, Splitter};

/// Bytes read at a time while splitting.
pub const CHUNK: usize = 2 << 20;

/// File name endings trev reads when it walks a directory.
const DATA_ENDINGS: &[&str] = &[".json", ".jsonl", ".ndjson", ".traj"];

/// Expand the command line's paths: files as given, directories walked recursively (sorted,
/// hidden entries skipped, only data files). A path that does not exist is an error.
pub fn expand(paths: &[PathBuf]) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        if meta.is_dir() {
            walk(path, &mut out)?;
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out)?;
        } else if is_data_file(&path) {
            out.push(path);
        }
    }
    Ok(())
}

fn is_data_file(path: &Path) -> bool {
    let name = path.to_string_lossy().to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    DATA_ENDINGS.iter().any(|e| name.ends_with(e))
}

/// Whether a path names JSON Lines by its ending (then every line is a record, whatever the
/// first line looks like).
pub fn is_jsonl_name(path: &Path) -> bool {
    let name = path.to_string_lossy().to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.ends_with(".jsonl") || name.ends_with(".ndjson")
}

/// The splitter suited to a path.
pub fn splitter_for(path: &Path) -> Splitter {
    if is_jsonl_name(path) {
        Splitter::lines()
    } else {
        Splitter::new()
    }
}

/// An opened input: plain or gzip-compressed.
pub struct Input {
    pub gzip: bool,
    reader: Box<dyn Read + Send>,
}

impl Input {
    pub fn open(path: &Path) -> io::Result<Input> {
        let mut file = File::open(path)?;
        let mut magic = [0u8; 2];
        let n = read_full(&mut file, &mut magic)?;
        // Back to the start rather than chaining the peeked bytes: reads at aligned offsets let
        // the kernel copy from the page cache several times faster.
        file.seek(SeekFrom::Start(0))?;
        let gzip = n == 2 && magic == [0x1f, 0x8b];
        let reader: Box<dyn Read + Send> = if gzip {
            Box::new(MultiGzDecoder::new(io::BufReader::with_capacity(
                CHUNK, file,
            )))
        } else {
            Box::new(file)
        };
        Ok(Input { gzip, reader })
    }

    /// Read up to `buf.len()` bytes, retrying on interruption; 0 means the end.
    pub fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        read_full(&mut self.reader, buf)
    }
}

fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Read one record's bytes back from a file by offset.
pub fn read_span(file: &File, span: &RecordSpan) -> io::Result<Vec<u8>> {
    let len = usize::try_from(span.end - span.start)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "record too large"))?;
    let mut buf = vec![0u8; len];
    read_exact_at(file, &mut buf, span.start)?;
    Ok(buf)
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn directories_are_walked_sorted_with_data_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("sub")).unwrap();
        for name in [
            "b.jsonl",
            "a.json",
            "sub/c.traj",
            "sub/d.json.gz",
            "notes.md",
            ".hidden.json",
        ] {
            std::fs::write(root.join(name), b"{}").unwrap();
        }
        let found = expand(&[root.to_path_buf()]).unwrap();
        let names: Vec<_> = found
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.json", "b.jsonl", "sub/c.traj", "sub/d.json.gz"]);
    }

    #[test]
    fn a_missing_path_is_an_error_naming_it() {
        let err = expand(&[PathBuf::from("/no/such/file.jsonl")]).unwrap_err();
        assert!(err.to_string().contains("/no/such/file.jsonl"));
    }

    #[test]
    fn gzip_is_detected_by_its_magic_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.data");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"{\"a\":1}\n").unwrap();
        std::fs::write(&path, enc.finish().unwrap()).unwrap();
        let mut input = Input::open(&path).unwrap();
        assert!(input.gzip);
        let mut buf = vec![0; 64];
        let n = input.read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"{\"a\":1}\n");
    }
}
