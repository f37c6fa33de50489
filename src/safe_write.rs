//! Whole files trev writes (the gold set, its report, the labels table, the recorded sample):
//! never over an input of the command, never over an existing file unless replacing was asked
//! for, always through a temporary file beside the target that is flushed, synced, read back and
//! only then renamed into place. New files get the permissions the umask gives (0644 under 022).

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{} is an input of this command: choose another path", .0.display())]
    IsInput(PathBuf),
    #[error("{} is named as two outputs of this command: choose another path for one", .0.display())]
    Twice(PathBuf),
    #[error("{} is a directory: choose a file path", .0.display())]
    IsDirectory(PathBuf),
    /// The target exists and replacing was not asked for (a front-end names its flag).
    #[error("{} exists (not replaced)", .0.display())]
    Exists(PathBuf),
    #[error("{}: the directory {} does not exist: create it or choose another path", .path.display(), .dir.display())]
    NoDirectory { path: PathBuf, dir: PathBuf },
    #[error("{}: cannot create a file in {}: permission denied (choose a directory you can write to)", .path.display(), .dir.display())]
    NotWritable { path: PathBuf, dir: PathBuf },
    #[error("{}: {action}: {source} (nothing was replaced)", .path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        source: io::Error,
    },
    #[error("{}: the written file does not read back: {problem} (nothing was replaced)", .path.display())]
    Check { path: PathBuf, problem: String },
}

/// A file as the file system knows it: its canonical path and, where cheap, its device and
/// inode (so a hard link or a symbolic link to an input is that input).
#[derive(Debug, Clone)]
struct Identity {
    path: PathBuf,
    file: Option<(u64, u64)>,
}

impl Identity {
    fn of(path: &Path) -> Identity {
        Identity {
            path: resolve(path),
            file: file_id(path),
        }
    }

    fn same(&self, other: &Identity) -> bool {
        self.path == other.path || (self.file.is_some() && self.file == other.file)
    }
}

/// The canonical path; for a file that does not exist yet, its canonical directory joined with
/// its name.
fn resolve(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    match (parent(path).canonicalize(), path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}

#[cfg(unix)]
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(_: &Path) -> Option<(u64, u64)> {
    None
}

/// The directory a path is in (`.` for a bare name).
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The outputs of one command, checked against its inputs and each other.
#[derive(Debug)]
pub struct Outputs {
    inputs: Vec<Identity>,
    claimed: Vec<Identity>,
    replace: bool,
}

impl Outputs {
    /// `inputs` are every file the command reads; `replace` allows replacing existing files.
    pub fn new(inputs: &[PathBuf], replace: bool) -> Outputs {
        Outputs {
            inputs: inputs.iter().map(|p| Identity::of(p)).collect(),
            claimed: Vec::new(),
            replace,
        }
    }

    /// Whether `path` is one of the inputs.
    pub fn is_input(&self, path: &Path) -> bool {
        let id = Identity::of(path);
        self.inputs.iter().any(|i| i.same(&id))
    }

    /// Check that `path` may be written: not an input, not another output, not a directory,
    /// and not an existing file unless replacing is allowed. Nothing is written yet.
    pub fn claim(&mut self, path: &Path) -> Result<Destination, WriteError> {
        let id = Identity::of(path);
        if self.inputs.iter().any(|i| i.same(&id)) {
            return Err(WriteError::IsInput(path.to_path_buf()));
        }
        if self.claimed.iter().any(|c| c.same(&id)) {
            return Err(WriteError::Twice(path.to_path_buf()));
        }
        if fs::metadata(path).is_ok_and(|m| m.is_dir()) {
            return Err(WriteError::IsDirectory(path.to_path_buf()));
        }
        if fs::symlink_metadata(path).is_ok() && !self.replace {
            return Err(WriteError::Exists(path.to_path_buf()));
        }
        self.claimed.push(id);
        Ok(Destination {
            path: path.to_path_buf(),
            replace: self.replace,
        })
    }
}

/// A path that may be written, as checked by [`Outputs::claim`].
#[derive(Debug)]
#[must_use]
pub struct Destination {
    path: PathBuf,
    replace: bool,
}

impl Destination {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Open a temporary file beside the destination.
    pub fn open(self) -> Result<Pending, WriteError> {
        let dir = parent(&self.path);
        let name: String = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().chars().take(64).collect())
            .unwrap_or_default();
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // As any new file: 0666 less the umask (tempfile's own default is 0600).
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
        let temp = builder
            .tempfile_in(dir)
            .map_err(|source| match source.kind() {
                io::ErrorKind::NotFound => WriteError::NoDirectory {
                    path: self.path.clone(),
                    dir: dir.to_path_buf(),
                },
                io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
                    WriteError::NotWritable {
                        path: self.path.clone(),
                        dir: dir.to_path_buf(),
                    }
                }
                _ => WriteError::Io {
                    path: self.path.clone(),
                    action: "cannot create a temporary file beside it",
                    source,
                },
            })?;
        Ok(Pending {
            out: BufWriter::new(temp),
            destination: self,
        })
    }

    /// Write `bytes` as the whole file (see [`Pending::put`]).
    pub fn write(self, bytes: &[u8]) -> Result<(), WriteError> {
        self.open()?.put(bytes)
    }
}

/// A file being written: a temporary file beside its destination until [`Pending::commit`].
/// Dropped without a commit, it is removed and the destination is left as it was.
#[derive(Debug)]
pub struct Pending {
    destination: Destination,
    out: BufWriter<NamedTempFile>,
}

impl Write for Pending {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.out.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl Pending {
    /// Write `bytes` as the whole file and commit it, checking that it reads back as exactly
    /// these bytes.
    pub fn put(mut self, bytes: &[u8]) -> Result<(), WriteError> {
        if let Err(source) = self.out.write_all(bytes) {
            return Err(WriteError::Io {
                path: self.destination.path,
                action: "cannot write",
                source,
            });
        }
        self.commit(|temp| {
            let back = fs::read(temp).map_err(|e| e.to_string())?;
            if back == bytes {
                Ok(())
            } else {
                Err(format!(
                    "{} bytes read back, {} written",
                    back.len(),
                    bytes.len()
                ))
            }
        })
    }

    /// Flush and sync the temporary file, let `check` read it back (by its path), and rename it
    /// into place. When `check` fails, or anything else does, nothing is replaced.
    pub fn commit(self, check: impl FnOnce(&Path) -> Result<(), String>) -> Result<(), WriteError> {
        let path = self.destination.path.clone();
        let io_error = |action| {
            let path = path.clone();
            move |source| WriteError::Io {
                path,
                action,
                source,
            }
        };
        let temp = self
            .out
            .into_inner()
            .map_err(|e| io_error("cannot write")(e.into_error()))?;
        temp.as_file()
            .sync_all()
            .map_err(io_error("cannot sync to disk"))?;
        check(temp.path()).map_err(|problem| WriteError::Check {
            path: path.clone(),
            problem,
        })?;
        let placed = if self.destination.replace {
            temp.persist(&path)
        } else {
            match temp.persist_noclobber(&path) {
                // A file system with neither a no-replace rename nor hard links: the target was
                // absent a moment ago, and still is.
                Err(e)
                    if e.error.kind() != io::ErrorKind::AlreadyExists
                        && fs::symlink_metadata(&path).is_err() =>
                {
                    e.file.persist(&path)
                }
                placed => placed,
            }
        };
        placed.map_err(|e| match e.error.kind() {
            io::ErrorKind::AlreadyExists if !self.destination.replace => {
                WriteError::Exists(path.clone())
            }
            _ => io_error("cannot rename the temporary file into place")(e.error),
        })?;
        sync_dir(parent(&path));
        Ok(())
    }
}

/// Make the rename durable. Best effort: the file's own contents are already synced, and some
/// file systems cannot sync a directory.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_a_new_file_through_a_temporary_one() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.json");
        let mut outputs = Outputs::new(&[], false);
        outputs.claim(&out).unwrap().write(b"{}\n").unwrap();
        assert_eq!(fs::read(&out).unwrap(), b"{}\n");
        assert_eq!(names(dir.path()), ["out.json"]);
    }

    #[test]
    fn refuses_inputs_twice_named_outputs_and_existing_files() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.jsonl");
        fs::write(&input, "{}\n").unwrap();
        let mut outputs = Outputs::new(std::slice::from_ref(&input), true);
        let err = outputs.claim(&input).unwrap_err();
        assert!(matches!(err, WriteError::IsInput(_)), "{err}");
        assert!(err.to_string().ends_with("choose another path"), "{err}");
        // The same file by another name is the same input.
        let dotted = dir.path().join(".").join("in.jsonl");
        assert!(matches!(
            outputs.claim(&dotted),
            Err(WriteError::IsInput(_))
        ));
        assert!(outputs.is_input(&dotted));
        let out = dir.path().join("out.jsonl");
        let _ = outputs.claim(&out).unwrap();
        assert!(matches!(outputs.claim(&out), Err(WriteError::Twice(_))));
        assert!(matches!(
            outputs.claim(dir.path()),
            Err(WriteError::IsDirectory(_))
        ));
        let existing = dir.path().join("old.jsonl");
        fs::write(&existing, "keep me\n").unwrap();
        let mut careful = Outputs::new(&[], false);
        let err = careful.claim(&existing).unwrap_err();
        assert!(matches!(err, WriteError::Exists(_)), "{err}");
        outputs.claim(&existing).unwrap().write(b"new\n").unwrap();
        assert_eq!(fs::read_to_string(&existing).unwrap(), "new\n");
    }

    #[cfg(unix)]
    #[test]
    fn links_to_an_input_are_the_input() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.jsonl");
        fs::write(&input, "{}\n").unwrap();
        let hard = dir.path().join("hard.jsonl");
        fs::hard_link(&input, &hard).unwrap();
        let soft = dir.path().join("soft.jsonl");
        std::os::unix::fs::symlink(&input, &soft).unwrap();
        let mut outputs = Outputs::new(std::slice::from_ref(&input), true);
        for link in [&hard, &soft] {
            let err = outputs.claim(link).unwrap_err();
            assert!(matches!(err, WriteError::IsInput(_)), "{err}");
        }
    }

    #[test]
    fn a_file_that_appears_meanwhile_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.json");
        let mut pending = Outputs::new(&[], false)
            .claim(&out)
            .unwrap()
            .open()
            .unwrap();
        pending.write_all(b"mine\n").unwrap();
        fs::write(&out, "theirs\n").unwrap();
        let err = pending.commit(|_| Ok(())).unwrap_err();
        assert!(matches!(err, WriteError::Exists(_)), "{err}");
        assert_eq!(fs::read_to_string(&out).unwrap(), "theirs\n");
        assert_eq!(names(dir.path()), ["out.json"]);
    }

    #[test]
    fn a_failed_check_replaces_nothing_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.json");
        fs::write(&out, "old\n").unwrap();
        let mut pending = Outputs::new(&[], true).claim(&out).unwrap().open().unwrap();
        pending.write_all(b"new\n").unwrap();
        let err = pending.commit(|_| Err("bad".into())).unwrap_err();
        assert!(err.to_string().contains("nothing was replaced"), "{err}");
        assert_eq!(fs::read_to_string(&out).unwrap(), "old\n");
        assert_eq!(names(dir.path()), ["out.json"]);
    }

    #[test]
    fn a_missing_directory_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("nowhere").join("out.json");
        let err = Outputs::new(&[], false)
            .claim(&out)
            .unwrap()
            .write(b"x")
            .unwrap_err();
        assert!(matches!(err, WriteError::NoDirectory { .. }), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn new_files_follow_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.json");
        Outputs::new(&[], false)
            .claim(&out)
            .unwrap()
            .write(b"x")
            .unwrap();
        // Whatever the umask, group and others get what it allows, not 0600's nothing: compare
        // with a file created the ordinary way.
        let plain = dir.path().join("plain");
        fs::write(&plain, "x").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&out), mode(&plain));
    }
}
