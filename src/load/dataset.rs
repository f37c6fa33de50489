//! The lazy dataset: a background thread indexes the files (record offsets only) while the
//! caller reads records already found. Records are parsed only when asked for; memory holds the
//! index, not the data. A panic while indexing a file (a bug) is an error the caller can show:
//! the file's records found before it stay readable, and the next file is indexed.

use std::fs::File;
use std::io::{self, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{
    Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard,
};
use std::thread::JoinHandle;

mod backing;

use super::parquet_rows;
use super::source::{self, Input, RunFile, CHUNK};
use backing::Backing;

/// Bytes read at a time while indexing: small enough to stay in the CPU cache while the
/// splitter runs over them.
const INDEX_CHUNK: usize = 64 << 10;

/// Bytes indexed between two publications of new records.
const PUBLISH_BYTES: usize = 4 << 20;
use super::census::Ledger;
use super::split::{inspect, sessions, Layout, RecordSpan};
use super::{LoadOptions, Loaded};
use crate::diag::{Diagnostic, Level};
use crate::model::Format;

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
    /// What reads the records back: the file, its decompressed copy, or its rows.
    backing: Option<Backing>,
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
    /// Why indexing stopped before the end of a file: the indexer panicked, saying this.
    failure: Mutex<Option<String>>,
    /// The format forced on the command line (a forced `claude-code` groups lines by session).
    forced: Option<Format>,
    /// Which records' ids are final, and those renamed for repeating an earlier id.
    ledger: Ledger,
}

mod ids;
mod read;

use read::{load_raw, read_record, take_census};

/// The indexer thread's name.
pub const INDEXER_THREAD: &str = "trev-index";

/// The name of the thread that reads every id in file order (see [`super::census`]).
pub const CENSUS_THREAD: &str = "trev-census";

// The locks' data stays whole when a thread panics holding one (the indexer only appends
// complete entries and counts), so a poisoned lock is taken as it is.
fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The files given on the command line, indexed in the background.
pub struct Dataset {
    shared: Arc<Shared>,
    opts: LoadOptions,
    bytes_total: u64,
    worker: Option<JoinHandle<()>>,
    census: Option<JoinHandle<()>>,
    /// The runs of the input files, in order, each once.
    runs: Vec<Arc<str>>,
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
        let mut runs: Vec<Arc<str>> = Vec::new();
        for f in &files {
            if !runs.contains(&f.run) {
                runs.push(f.run.clone());
            }
        }
        let bytes_total = files
            .iter()
            .filter_map(|f| std::fs::metadata(&f.path).ok())
            .map(|m| m.len())
            .sum();
        let shared = Arc::new(Shared {
            forced: opts.format,
            ..Shared::default()
        });
        let worker_shared = shared.clone();
        let worker = std::thread::Builder::new()
            .name(INDEXER_THREAD.into())
            .spawn(move || index_all(&worker_shared, files))?;
        let census_shared = shared.clone();
        let census = std::thread::Builder::new()
            .name(CENSUS_THREAD.into())
            .spawn(move || take_census(&census_shared, opts))?;
        Ok(Dataset {
            shared,
            opts,
            bytes_total,
            worker: Some(worker),
            census: Some(census),
            runs,
        })
    }

    /// Records found so far.
    pub fn len(&self) -> usize {
        read(&self.shared.records).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_complete(&self) -> bool {
        self.shared.complete.load(Ordering::Acquire)
    }

    /// Why indexing stopped before the end of a file (the indexer panicked: a bug), if it
    /// did; the first such file's. The file's records found before stay readable.
    pub fn failure(&self) -> Option<String> {
        lock(&self.shared.failure).clone()
    }

    pub fn progress(&self) -> Progress {
        Progress {
            records: self.len(),
            bytes_done: self.shared.bytes_done.load(Ordering::Relaxed),
            bytes_total: self.bytes_total,
            complete: self.is_complete(),
        }
    }

    /// Block until indexing is over and every record's id is final (the census is over).
    pub fn wait(&self) {
        {
            let mut guard = lock(&self.shared.grown_lock);
            while !self.is_complete() {
                guard = self
                    .shared
                    .grown
                    .wait(guard)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }
        self.shared.ledger.wait_past(usize::MAX - 1, || {
            self.shared.cancel.load(Ordering::Relaxed)
        });
    }

    /// Block until at least `n` records are indexed or indexing is over.
    pub fn wait_for(&self, n: usize) {
        let mut guard = lock(&self.shared.grown_lock);
        while self.len() < n && !self.is_complete() {
            guard = self
                .shared
                .grown
                .wait(guard)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// A snapshot of the files indexed so far.
    pub fn files(&self) -> Vec<FileSummary> {
        read(&self.shared.files)
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
        lock(&self.shared.diagnostics).clone()
    }

    /// Read and parse record `i` (global index, in file order), with its final id: this waits
    /// until the census has seen the records before it.
    pub fn load(&self, i: usize) -> Result<Loaded, Diagnostic> {
        self.load_with_bytes(i).map(|(loaded, _)| loaded)
    }

    /// Read record `i`, parse it, and hand back its bytes as they are in the file too.
    pub fn load_with_bytes(&self, i: usize) -> Result<(Loaded, Vec<u8>), Diagnostic> {
        self.shared
            .ledger
            .wait_past(i, || self.shared.cancel.load(Ordering::Relaxed));
        self.load_now(i).0
    }

    /// Record `i` without waiting for the census, and whether its id is final (the screen
    /// shows it at once and asks again later).
    pub fn load_now(&self, i: usize) -> (Result<(Loaded, Vec<u8>), Diagnostic>, bool) {
        let settled = self.id_settled(i);
        let mut result = load_raw(&self.shared, self.opts, i);
        if let Ok((loaded, _)) = &mut result {
            self.shared.ledger.apply(i, loaded);
        }
        (result, settled)
    }

    /// The bytes of record `i` exactly as they are in the (decompressed) file.
    pub fn record_bytes(&self, i: usize) -> Result<Vec<u8>, Diagnostic> {
        read_record(&self.shared, i).map(|(_, bytes)| bytes)
    }
}

impl Drop for Dataset {
    fn drop(&mut self) {
        self.shared.cancel.store(true, Ordering::Relaxed);
        notify(&self.shared);
        self.shared.ledger.wake();
        for thread in [self.worker.take(), self.census.take()]
            .into_iter()
            .flatten()
        {
            let _ = thread.join();
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
        let run = file.run;
        match panic::catch_unwind(AssertUnwindSafe(|| index_file(shared, &path, run))) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => lock(&shared.diagnostics)
                .push(Diagnostic::file_error(&path, format!("cannot read: {e}"))),
            Err(payload) => failed(shared, &path, payload.as_ref()),
        }
    }
    shared.complete.store(true, Ordering::Release);
    notify(shared);
}

/// Indexing `path` panicked: end the file where it stopped, report it there, and keep the
/// message for [`Dataset::failure`].
fn failed(shared: &Shared, path: &Arc<Path>, payload: &(dyn std::any::Any + Send)) {
    let message = crate::diag::panic_message(payload);
    let count = match write(&shared.files).iter_mut().rfind(|f| f.path == *path) {
        Some(info) => {
            info.done = true;
            info.count
        }
        None => 0,
    };
    lock(&shared.diagnostics).push(Diagnostic::file_error(
        path,
        format!(
            "indexing stopped after {count} records (a bug in trev: {message}); the rest of the file is not loaded"
        ),
    ));
    let name = path
        .file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy();
    lock(&shared.failure)
        .get_or_insert_with(|| format!("indexing {name} stopped (a bug in trev): {message}"));
    notify(shared);
}

fn index_file(shared: &Shared, path: &Arc<Path>, run: Arc<str>) -> io::Result<()> {
    if parquet_rows::is_parquet(path)? {
        return backing::index_rows(shared, path, run);
    }
    let mut input = Input::open(path)?;
    let backing = if input.decoded {
        tempfile::tempfile()?
    } else {
        File::open(path)?
    };
    let mut copy = match input.decoded {
        true => Some(io::BufWriter::with_capacity(CHUNK, backing.try_clone()?)),
        false => None,
    };
    let file_idx = {
        let mut files = write(&shared.files);
        files.push(FileInfo {
            path: path.clone(),
            run,
            layout: Layout::Unknown,
            gzip: input.gzip,
            first: read(&shared.records).len(),
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
    // Whether the lines are grouped by session (Claude Code), once the first record tells.
    let mut log = None;
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
            if sessions::grouped(&mut log, &spans, splitter.layout(), shared.forced, &backing)? {
                spans.clear();
            }
            publish(shared, file_idx, &mut spans, splitter.layout(), &backing)?;
        }
    }
    splitter.finish(&mut spans);
    if let Some(copy) = copy.as_mut() {
        copy.flush()?;
    }
    let mut layout = splitter.layout();
    if sessions::grouped(&mut log, &spans, layout, shared.forced, &backing)? {
        let whole = source::read_span(&backing, &sessions::whole(splitter.position()))?;
        (spans, layout) = (sessions::spans(&whole), Layout::Sessions);
    }
    publish(shared, file_idx, &mut spans, layout, &backing)?;
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
    let mut files = write(&shared.files);
    let info = &mut files[file_idx];
    info.done = true;
    info.layout = layout;
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
    lock(&shared.diagnostics).extend(diagnostics);
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
    inspect::expand_file(spans, layout, backing)?;
    {
        let mut files = write(&shared.files);
        let info = &mut files[file_idx];
        if info.backing.is_none() {
            info.backing = Some(Backing::Bytes(Arc::new(backing.try_clone()?)));
        }
        info.layout = layout;
        #[cfg(test)]
        tests::maybe_panic(info);
        info.count += spans.len();
    }
    let mut records = write(&shared.records);
    records.extend(spans.drain(..).map(|span| Entry {
        file: file_idx as u32,
        span,
    }));
    drop(records);
    notify(shared);
    Ok(())
}

fn notify(shared: &Shared) {
    let _guard = lock(&shared.grown_lock);
    shared.grown.notify_all();
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A file of this name makes the indexer panic when it publishes records a second time,
    /// holding the files' lock (so the lock is poisoned).
    pub(crate) const PANICS: &str = "the-indexer-panics-here.jsonl";

    pub(super) fn maybe_panic(info: &FileInfo) {
        if info.count > 0 && info.path.file_name().is_some_and(|n| n == PANICS) {
            panic!("injected for a test");
        }
    }

    #[test]
    fn a_panicking_indexer_leaves_an_error_and_the_records_found_before() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(PANICS);
        // The first chunk's records are published at once; the rest (after the chunk) later.
        let line = "{\"id\":\"t\",\"conversations\":[]}\n";
        let first_chunk = INDEX_CHUNK / line.len();
        std::fs::write(&path, line.repeat(first_chunk + 50)).unwrap();
        let next = dir.path().join("next.jsonl");
        std::fs::write(&next, "{\"id\":\"n\",\"conversations\":[]}\n").unwrap();
        let data = Dataset::open(&[path, next], LoadOptions::default()).unwrap();
        data.wait(); // returns: the dataset is complete, not waiting forever
        assert!(data.is_complete());
        assert!(data.shared.files.is_poisoned(), "the panic held the lock");
        let failure = data.failure().expect("the panic is reported");
        assert_eq!(
            failure,
            format!("indexing {PANICS} stopped (a bug in trev): injected for a test")
        );
        // Every call still answers: the poisoned lock is not a second panic.
        for _ in 0..2 {
            let n = data.len();
            assert!(n > 1 && n <= first_chunk + 1, "{n}");
            assert!(data.load(0).is_ok());
            assert_eq!(
                data.load(n - 1).unwrap().0.id,
                "n",
                "the next file is indexed"
            );
            let files = data.files();
            assert!(files.len() == 2 && files.iter().all(|f| f.done));
            data.wait_for(usize::MAX);
            let progress = data.progress();
            assert!(progress.complete && progress.records == n);
            let d = data.diagnostics();
            assert_eq!(d.len(), 1, "{d:?}");
            let message = d[0].to_string();
            assert!(message.contains(PANICS), "{message}");
            let stopped = format!(
                "indexing stopped after {} records (a bug in trev: injected for a test)",
                n - 1
            );
            assert!(message.contains(&stopped), "{message}");
        }
        assert!(data.load(data.len()).is_err());
    }

    #[test]
    fn an_indexer_that_does_not_panic_reports_no_failure() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fine.jsonl");
        std::fs::write(&path, "{\"id\":\"t\",\"conversations\":[]}\n").unwrap();
        let data = Dataset::open(&[path], LoadOptions::default()).unwrap();
        data.wait();
        assert_eq!((data.len(), data.failure()), (1, None));
    }
}
