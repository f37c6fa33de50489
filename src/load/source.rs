//! Input files: finding them (directories are walked), opening them (gzip is decompressed on
//! the fly), reading them in chunks, and reading one record's bytes back by offset.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;

use super::split::{RecordSpan, Splitter};

/// Bytes read at a time while splitting.
pub const CHUNK: usize = 2 << 20;

/// File name endings trev reads when it walks a directory.
const DATA_ENDINGS: &[&str] = &[".json", ".jsonl", ".ndjson", ".traj", ".eval", ".parquet"];

/// An input file and the run it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFile {
    pub path: PathBuf,
    /// The run's name: `NAME` of a `NAME=PATH` argument, else the file's name without its
    /// extensions, or the shortest end of the path that tells apart files of the same name.
    pub run: Arc<str>,
}

/// Expand the command line's paths: files as given, directories walked recursively (sorted,
/// hidden entries skipped, only data files). A path that does not exist is an error.
pub fn expand(paths: &[PathBuf]) -> io::Result<Vec<PathBuf>> {
    Ok(expand_runs(paths)?.into_iter().map(|f| f.path).collect())
}

/// [`expand`], each file with its run (see [`RunFile::run`]). An argument `NAME=PATH` (that is
/// not itself an existing path) names the run of every file under `PATH`.
pub fn expand_runs(args: &[PathBuf]) -> io::Result<Vec<RunFile>> {
    let mut found: Vec<(PathBuf, Option<Arc<str>>)> = Vec::new();
    for arg in args {
        let (name, path) = named(arg);
        let meta = std::fs::metadata(&path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        let mut files = Vec::new();
        if meta.is_dir() {
            walk(&path, &mut files)?;
        } else {
            files.push(path);
        }
        found.extend(files.into_iter().map(|f| (f, name.clone())));
    }
    let names = run_names(&found);
    Ok(found
        .into_iter()
        .zip(names)
        .map(|((path, _), run)| RunFile { path, run })
        .collect())
}

/// `NAME=PATH` split into its name and path, when the argument is not an existing path itself,
/// the name is not empty and has no path separator, and the path exists.
fn named(arg: &Path) -> (Option<Arc<str>>, PathBuf) {
    if arg.exists() {
        return (None, arg.to_path_buf());
    }
    if let Some((name, path)) = arg.to_str().and_then(|a| a.split_once('=')) {
        let name = name.trim();
        if !name.is_empty() && !name.contains(['/', '\\']) && Path::new(path).exists() {
            return (Some(Arc::from(name)), PathBuf::from(path));
        }
    }
    (None, arg.to_path_buf())
}

/// The run of each file: its given name, else its file name without extensions; files that
/// would share a name take the shortest end of their paths that tells them apart
/// (`a/run1/runs.jsonl` and `a/run2/runs.jsonl` are `run1/runs` and `run2/runs`).
fn run_names(files: &[(PathBuf, Option<Arc<str>>)]) -> Vec<Arc<str>> {
    // The last `k` names of a path (never its root), the file's extensions dropped.
    fn tail(path: &Path, k: usize) -> String {
        let parts: Vec<String> = path
            .components()
            .filter(|c| matches!(c, std::path::Component::Normal(_)))
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let from = parts.len().saturating_sub(k);
        let mut tail = parts[from..].to_vec();
        if let Some(last) = tail.last_mut() {
            *last = without_extensions(last).to_string();
        }
        tail.join("/")
    }
    let mut names: Vec<Option<String>> = files
        .iter()
        .map(|(path, given)| match given {
            Some(_) => None,
            None => Some(tail(path, 1)),
        })
        .collect();
    let mut k = 1;
    loop {
        let mut count: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for name in names.iter().flatten() {
            *count.entry(name.as_str()).or_default() += 1;
        }
        let clashing: Vec<usize> = (0..files.len())
            .filter(|&i| names[i].as_deref().is_some_and(|n| count[n] > 1))
            .collect();
        let longest = clashing
            .iter()
            .map(|&i| files[i].0.components().count())
            .max()
            .unwrap_or(0);
        if clashing.is_empty() {
            break;
        }
        if k >= longest {
            // The whole paths differ only in their extensions (`a.json`, `a.jsonl`): keep them.
            for i in clashing {
                let parts: Vec<String> = files[i]
                    .0
                    .components()
                    .filter(|c| matches!(c, std::path::Component::Normal(_)))
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                names[i] = Some(parts.join("/"));
            }
            break;
        }
        k += 1;
        for i in clashing {
            names[i] = Some(tail(&files[i].0, k));
        }
    }
    files
        .iter()
        .zip(names)
        .map(|((_, given), name)| match given {
            Some(given) => given.clone(),
            None => Arc::from(name.unwrap_or_default()),
        })
        .collect()
}

/// A file name without the extensions that say what kind of file it is (`.jsonl`, `.json`,
/// `.gz`, `.traj`, ATIF's `.trajectory`, …, any number of them); a dot inside the name stays
/// (`llama-3.3_runs`, `gpt-3.5-turbo`).
fn without_extensions(name: &str) -> &str {
    const KNOWN: &[&str] = &[
        "jsonl",
        "json",
        "ndjson",
        "gz",
        "traj",
        "trajectory",
        "eval",
        "parquet",
        "txt",
        "zip",
    ];
    let mut stem = name;
    while let Some((rest, ext)) = stem.rsplit_once('.') {
        if rest.is_empty() || !KNOWN.contains(&ext.to_ascii_lowercase().as_str()) {
            break;
        }
        stem = rest;
    }
    stem
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

/// An opened input: plain, gzip-compressed, or the samples of an `.eval` archive.
pub struct Input {
    pub gzip: bool,
    /// What is read is not the file's bytes (gzip, an archive): records are read back from a
    /// decoded copy.
    pub decoded: bool,
    reader: Box<dyn Read + Send>,
}

impl Input {
    pub fn open(path: &Path) -> io::Result<Input> {
        let mut file = File::open(path)?;
        let mut magic = [0u8; 4];
        let n = read_full(&mut file, &mut magic)?;
        // Back to the start rather than chaining the peeked bytes: reads at aligned offsets let
        // the kernel copy from the page cache several times faster.
        file.seek(SeekFrom::Start(0))?;
        let gzip = n >= 2 && magic[..2] == [0x1f, 0x8b];
        if n == 4 && magic == *super::archive::MAGIC {
            let samples = super::archive::Samples::open(file)?;
            return Ok(Input {
                gzip: false,
                decoded: true,
                reader: Box::new(samples),
            });
        }
        let reader: Box<dyn Read + Send> = if gzip {
            Box::new(MultiGzDecoder::new(io::BufReader::with_capacity(
                CHUNK, file,
            )))
        } else {
            Box::new(file)
        };
        Ok(Input {
            gzip,
            decoded: gzip,
            reader,
        })
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

    #[test]
    fn runs_are_named_by_file_or_by_the_end_of_the_path_that_tells_them_apart() {
        let files = |paths: &[&str]| -> Vec<(PathBuf, Option<Arc<str>>)> {
            paths.iter().map(|p| (PathBuf::from(p), None)).collect()
        };
        let names = |f: Vec<(PathBuf, Option<Arc<str>>)>| -> Vec<String> {
            run_names(&f).iter().map(|n| n.to_string()).collect()
        };
        assert_eq!(
            names(files(&[
                "data/agentinstruct_os.json",
                "x/atif.trajectory.json.gz"
            ])),
            ["agentinstruct_os", "atif"]
        );
        assert_eq!(
            names(files(&[
                "runs/a/run1/runs.jsonl",
                "runs/b/run2/runs.jsonl",
                "other.jsonl"
            ])),
            ["run1/runs", "run2/runs", "other"]
        );
        assert_eq!(
            names(files(&["m1/x/runs.jsonl", "m2/x/runs.jsonl"])),
            ["m1/x/runs", "m2/x/runs"]
        );
        // A dot inside a name is not an extension; a root is not a name.
        assert_eq!(
            names(files(&[
                "/c/medagentbench_llama-3.3_runs.jsonl",
                "/c/medagentbench_llama-3.3_overall.json",
                "/c/hotpotqa_gpt-3.5-turbo.json",
            ])),
            [
                "medagentbench_llama-3.3_runs",
                "medagentbench_llama-3.3_overall",
                "hotpotqa_gpt-3.5-turbo"
            ]
        );
        assert_eq!(
            names(files(&["/d/a.json", "/d/a.jsonl"])),
            ["d/a.json", "d/a.jsonl"],
            "names that differ only in their extensions keep them"
        );
        let mut given = files(&["a/runs.jsonl", "b/runs.jsonl"]);
        given[0].1 = Some(Arc::from("gpt"));
        assert_eq!(names(given), ["gpt", "runs"]);
    }

    #[test]
    fn name_equals_path_names_the_run_of_every_file_under_it() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("run");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("a.jsonl"), "{}\n").unwrap();
        std::fs::write(sub.join("b.jsonl"), "{}\n").unwrap();
        let arg = PathBuf::from(format!("model-x={}", sub.display()));
        let found = expand_runs(&[arg]).unwrap();
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|f| &*f.run == "model-x"));
        // An existing path with `=` in its name is a path.
        let odd = dir.path().join("k=v.jsonl");
        std::fs::write(&odd, "{}\n").unwrap();
        assert_eq!(&*expand_runs(&[odd]).unwrap()[0].run, "k=v");
    }
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
