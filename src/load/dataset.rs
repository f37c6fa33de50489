//! The lazy dataset: a background thread indexes the files (record offsets only) while the
//! caller reads records already found. Records are parsed only when asked for; memory holds the
//! index, not the data.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread::JoinHandle;

use super::source::{self, Input, RunFile, CHUNK};

/// Bytes read at a time while indexing: small enough to stay in the CPU cache while the
/// splitter runs over them.
const INDEX_CHUNK: usize = 64 << 10;

/// Bytes indexed between two publications of new records.
const PUBLISH_BYTES: usize = 4 << 20;
use super::split::{Layout, RecordSpan};
use super::{parse_record, LoadOptions, Loaded, RecordCtx};
use crate::diag::{Diagnostic, Level};

/// One input file as indexed so far.
#[derive(Debug)]
pub struct FileInfo {
    pub path: Arc<Path>,
    /// The run the file belongs to.
    pub run: Arc<str>,
    pub layout: Layout,
    pub gzip: bool,
    /// Global indices of this file's records: `first .. first + count`.
    pub first: usize,
    pub count: usize,
    /// The file's indexing is over.
    pub done: bool,
    /// The last JSON Lines record has no newline after it.
    pub unterminated: bool,
    /// What reads the records back: the file itself, or its decompressed copy.
    backing: Option<Arc<File>>,
}

struct Entry {
    file: u32,
    span: RecordSpan,
}

#[derive(Default)]
struct Shared {
    files: RwLock<Vec<FileInfo>>,
    records: RwLock<Vec<Entry>>,
    diagnostics: Mutex<Vec<Diagnostic>>,
    bytes_done: AtomicU64,
    complete: AtomicBool,
    /// Signalled when the index grows or completes.
    grown: Condvar,
    grown_lock: Mutex<()>,
    cancel: AtomicBool,
}

/// The files given on the command line, indexed in the background.
pub struct Dataset {
    shared: Arc<Shared>,
    opts: LoadOptions,
    bytes_total: u64,
    worker: Option<JoinHandle<()>>,
}

/// How far indexing has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub records: usize,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub complete: bool,
}

impl Dataset {
    /// Expand the paths and start indexing. Fails only when a path does not exist.
    pub fn open(paths: &[PathBuf], opts: LoadOptions) -> io::Result<Dataset> {
        let files = source::expand_runs(paths)?;
        let bytes_total = files
            .iter()
            .filter_map(|f| std::fs::metadata(&f.path).ok())
            .map(|m| m.len())
            .sum();
        let shared = Arc::new(Shared::default());
        let worker_shared = shared.clone();
        let worker = std::thread::Builder::new()
            .name("trev-index".into())
            .spawn(move || index_all(&worker_shared, files))?;
        Ok(Dataset {
            shared,
            opts,
            bytes_total,
            worker: Some(worker),
        })
    }

    /// Records found so far.
    pub fn len(&self) -> usize {
        self.shared.records.read().unwrap().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_complete(&self) -> bool {
        self.shared.complete.load(Ordering::Acquire)
    }

    pub fn progress(&self) -> Progress {
        Progress {
            records: self.len(),
            bytes_done: self.shared.bytes_done.load(Ordering::Relaxed),
            bytes_total: self.bytes_total,
            complete: self.is_complete(),
        }
    }

    /// Block until indexing is over.
    pub fn wait(&self) {
        let mut guard = self.shared.grown_lock.lock().unwrap();
        while !self.is_complete() {
            guard = self.shared.grown.wait(guard).unwrap();
        }
    }

    /// Block until at least `n` records are indexed or indexing is over.
    pub fn wait_for(&self, n: usize) {
        let mut guard = self.shared.grown_lock.lock().unwrap();
        while self.len() < n && !self.is_complete() {
            guard = self.shared.grown.wait(guard).unwrap();
        }
    }

    /// A snapshot of the files indexed so far.
    pub fn files(&self) -> Vec<FileSummary> {
        self.shared
            .files
            .read()
            .unwrap()
            .iter()
            .map(|f| FileSummary {
                path: f.path.clone(),
                run: f.run.clone(),
                layout: f.layout,
                gzip: f.gzip,
                first: f.first,
                count: f.count,
                done: f.done,
            })
            .collect()
    }

    /// Diagnostics of the indexing pass (structure problems, unreadable files).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.shared.diagnostics.lock().unwrap().clone()
    }

    /// Read and parse record `i` (global index, in file order).
    pub fn load(&self, i: usize) -> Result<Loaded, Diagnostic> {
        self.load_with_bytes(i).map(|(loaded, _)| loaded)
    }

    /// Read record `i`, parse it, and hand back its bytes as they are in the file too.
    pub fn load_with_bytes(&self, i: usize) -> Result<(Loaded, Vec<u8>), Diagnostic> {
        let (located, bytes) = self.read(i)?;
        let ctx = RecordCtx {
            file: &located.path,
            run: &located.run,
            ordinal: located.ordinal,
            span: &located.span,
            unterminated: located.unterminated,
        };
        parse_record(&bytes, ctx, self.opts).map(|loaded| (loaded, bytes))
    }

    /// The bytes of record `i` exactly as they are in the (decompressed) file.
    pub fn record_bytes(&self, i: usize) -> Result<Vec<u8>, Diagnostic> {
        self.read(i).map(|(_, bytes)| bytes)
    }

    fn read(&self, i: usize) -> Result<(Located, Vec<u8>), Diagnostic> {
        let (file_idx, span) = {
            let records = self.shared.records.read().unwrap();
            let entry = records.get(i).ok_or_else(|| Diagnostic {
                file: Arc::from(Path::new("")),
                line: 0,
                column: 0,
                level: Level::Error,
                message: format!("no record {i}: {} indexed", records.len()),
            })?;
            (entry.file as usize, entry.span.clone())
        };
        let (path, run, backing, ordinal, unterminated) = {
            let files = self.shared.files.read().unwrap();
            let f = &files[file_idx];
            let ordinal = i - f.first;
            let last = f.done && ordinal + 1 == f.count;
            (
                f.path.clone(),
                f.run.clone(),
                f.backing.clone(),
                ordinal,
                f.unterminated && last,
            )
        };
        let backing =
            backing.ok_or_else(|| Diagnostic::file_error(&path, "file is not readable"))?;
        let bytes = source::read_span(&backing, &span).map_err(|e| Diagnostic {
            file: path.clone(),
            line: span.line,
            column: span.column,
            level: Level::Error,
            message: format!("cannot read the record: {e}"),
        })?;
        let located = Located {
            path,
            run,
            span,
            ordinal,
            unterminated,
        };
        Ok((located, bytes))
    }
}

/// Where a record is, as read back.
struct Located {
    path: Arc<Path>,
    run: Arc<str>,
    span: RecordSpan,
    ordinal: usize,
    unterminated: bool,
}

impl Drop for Dataset {
    fn drop(&mut self) {
        self.shared.cancel.store(true, Ordering::Relaxed);
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// What callers see of a file.
#[derive(Debug, Clone)]
pub struct FileSummary {
    pub path: Arc<Path>,
    pub run: Arc<str>,
    pub layout: Layout,
    pub gzip: bool,
    pub first: usize,
    pub count: usize,
    pub done: bool,
}

fn index_all(shared: &Shared, files: Vec<RunFile>) {
    for file in files {
        if shared.cancel.load(Ordering::Relaxed) {
            break;
        }
        let path: Arc<Path> = Arc::from(file.path.as_path());
        if let Err(e) = index_file(shared, &path, file.run) {
            shared
                .diagnostics
                .lock()
                .unwrap()
                .push(Diagnostic::file_error(&path, format!("cannot read: {e}")));
        }
    }
    shared.complete.store(true, Ordering::Release);
    let _guard = shared.grown_lock.lock().unwrap();
    shared.grown.notify_all();
}

fn index_file(shared: &Shared, path: &Arc<Path>, run: Arc<str>) -> io::Result<()> {
    let mut input = Input::open(path)?;
    let backing = if input.gzip {
        tempfile::tempfile()?
    } else {
        File::open(path)?
    };
    let mut copy = match input.gzip {
        true => Some(io::BufWriter::with_capacity(CHUNK, backing.try_clone()?)),
        false => None,
    };
    let file_idx = {
        let mut files = shared.files.write().unwrap();
        files.push(FileInfo {
            path: path.clone(),
            run,
            layout: Layout::Unknown,
            gzip: input.gzip,
            first: shared.records.read().unwrap().len(),
            count: 0,
            done: false,
            unterminated: false,
            backing: None,
        });
        files.len() - 1
    };
    let mut splitter = source::splitter_for(path);
    let mut buf = vec![0u8; INDEX_CHUNK];
    let mut spans = Vec::new();
    let mut last_byte = b'\n';
    let mut unpublished = 0usize;
    let mut published_any = false;
    loop {
        if shared.cancel.load(Ordering::Relaxed) {
            return Ok(());
        }
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        last_byte = buf[n - 1];
        if let Some(copy) = copy.as_mut() {
            copy.write_all(&buf[..n])?;
        }
        splitter.feed(&buf[..n], &mut spans);
        shared.bytes_done.fetch_add(n as u64, Ordering::Relaxed);
        unpublished += n;
        // Publish the first records at once (the caller is waiting to show them), then in
        // batches: every publication takes the locks and wakes the waiters.
        if !spans.is_empty() && (!published_any || unpublished >= PUBLISH_BYTES) {
            unpublished = 0;
            published_any = true;
            // The records must be readable before they are published.
            if let Some(copy) = copy.as_mut() {
                copy.flush()?;
            }
            publish(shared, file_idx, &mut spans, splitter.layout(), &backing)?;
        }
    }
    splitter.finish(&mut spans);
    if let Some(copy) = copy.as_mut() {
        copy.flush()?;
    }
    publish(shared, file_idx, &mut spans, splitter.layout(), &backing)?;
    let mut diagnostics: Vec<Diagnostic> = splitter
        .problems
        .iter()
        .map(|p| Diagnostic {
            file: path.clone(),
            line: p.line,
            column: 0,
            level: Level::Error,
            message: p.message.clone(),
        })
        .collect();
    let mut files = shared.files.write().unwrap();
    let info = &mut files[file_idx];
    info.done = true;
    info.layout = splitter.layout();
    info.unterminated = info.layout == Layout::Lines && last_byte != b'\n';
    if info.count == 0 {
        let what = if splitter.position() == 0 {
            "empty file"
        } else {
            "no records in this file"
        };
        diagnostics.push(Diagnostic {
            file: path.clone(),
            line: 0,
            column: 0,
            level: Level::Warning,
            message: what.to_string(),
        });
    }
    drop(files);
    shared.diagnostics.lock().unwrap().extend(diagnostics);
    notify(shared);
    Ok(())
}

fn publish(
    shared: &Shared,
    file_idx: usize,
    spans: &mut Vec<RecordSpan>,
    layout: Layout,
    backing: &File,
) -> io::Result<()> {
    {
        let mut files = shared.files.write().unwrap();
        let info = &mut files[file_idx];
        if info.backing.is_none() {
            info.backing = Some(Arc::new(backing.try_clone()?));
        }
        info.layout = layout;
        info.count += spans.len();
    }
    let mut records = shared.records.write().unwrap();
    records.extend(spans.drain(..).map(|span| Entry {
        file: file_idx as u32,
        span,
    }));
    drop(records);
    notify(shared);
    Ok(())
}

fn notify(shared: &Shared) {
    let _guard = shared.grown_lock.lock().unwrap();
    shared.grown.notify_all();
}
