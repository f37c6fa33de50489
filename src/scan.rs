//! The parallel scan behind the headless commands: one thread reads and splits the files,
//! worker threads parse (and check) records, and the caller receives the results in file
//! order. Memory stays flat: only a few chunks are in flight at any time.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};

use crate::diag::{Diagnostic, Level};
use crate::load::census::{self, Census};
use crate::load::parquet_rows::{self, Rows};
use crate::load::source::{self, Input, RunFile};
use crate::load::split::{inspect, sessions, Layout, RecordSpan};
use crate::load::{LoadOptions, Loaded};
use crate::model::Format;

/// What the caller receives, in file order.
#[derive(Debug)]
pub enum Event<T> {
    FileStart(Arc<Path>),
    /// The mapped result of one record.
    Record(T),
    FileEnd(FileEnd),
}

/// The end of one file.
#[derive(Debug)]
pub struct FileEnd {
    pub path: Arc<Path>,
    pub layout: Layout,
    pub gzip: bool,
    pub records: usize,
    pub bytes: u64,
    /// Problems of the file as a whole: structure, read errors, an empty file.
    pub diagnostics: Vec<Diagnostic>,
}

mod order;
use order::{deliver, parse_in};
mod rows;
mod selected;
pub use selected::scan_selected;

/// Bytes read at a time. On the 2-core reference machine every read costs the kernel tens of
/// microseconds beyond its copy: `check --json` on 1 GB took 3-4 % less time with 1 MB reads
/// than with 512 KB (eight alternating runs), and 128 KB reads cost it 0.2 s more in the kernel.
/// 1 MB still fits a core's cache beside the records parsed from it.
const CHUNK: usize = 1 << 20;

struct Batch {
    seq: u64,
    file: Arc<Path>,
    run: Arc<str>,
    /// Index in its file of the first record of the batch.
    first: usize,
    /// File offset of `bytes[0]`.
    base: u64,
    /// The records' bytes; what follows the last record is stale room kept for reuse.
    bytes: Vec<u8>,
    spans: Vec<RecordSpan>,
    /// The batch's last record ends a JSON Lines file without a newline.
    unterminated_last: bool,
    /// The records cannot be read back from the file by their spans (gzip, sessions): the
    /// bytes travel to the ordered stage in case one must be parsed again. Otherwise they go
    /// straight back to the reader, and a record parsed again is read from the file.
    keep_bytes: bool,
    /// A row group of a Parquet file instead of bytes: the worker decodes it (and a row parsed
    /// again is decoded again).
    group: Option<(Arc<Rows>, usize)>,
}

enum Message<T> {
    Control(Event<T>),
    /// A batch's results, each with the census key of its id, and the batch itself: a
    /// record whose id turns out repeated is parsed again from it, renamed.
    Records(Vec<(T, Option<u128>)>, Batch),
}

/// How far a scan has got, for a progress line: the bytes read so far, and the inputs' size
/// on disk (0 when unknown: what is read of a gzip file is not its size on disk).
#[derive(Debug, Default)]
pub struct Watch {
    pub read: AtomicU64,
    pub total: AtomicU64,
}

/// Scan `paths`: every record is parsed and passed to `map` on a worker thread; `sink`
/// receives the events in order on the calling thread. An error from `sink` stops the scan
/// and is returned.
pub fn scan<T, M, S>(
    paths: &[PathBuf],
    opts: LoadOptions,
    workers: usize,
    map: M,
    sink: S,
) -> io::Result<()>
where
    T: Send,
    M: Fn(Result<Loaded, Diagnostic>) -> T + Sync,
    S: FnMut(Event<T>) -> io::Result<()>,
{
    scan_watched(paths, opts, workers, map, sink, &Watch::default())
}

/// [`scan`], counting into `watch` how far it has read.
pub fn scan_watched<T, M, S>(
    paths: &[PathBuf],
    opts: LoadOptions,
    workers: usize,
    map: M,
    sink: S,
    watch: &Watch,
) -> io::Result<()>
where
    T: Send,
    M: Fn(Result<Loaded, Diagnostic>) -> T + Sync,
    S: FnMut(Event<T>) -> io::Result<()>,
{
    scan_records(paths, opts, workers, |r, _| map(r), sink, watch)
}

/// [`scan_watched`], `map` also given the record's own bytes (to read a field no reader
/// keeps).
pub fn scan_records<T, M, S>(
    paths: &[PathBuf],
    opts: LoadOptions,
    workers: usize,
    map: M,
    mut sink: S,
    watch: &Watch,
) -> io::Result<()>
where
    T: Send,
    M: Fn(Result<Loaded, Diagnostic>, &[u8]) -> T + Sync,
    S: FnMut(Event<T>) -> io::Result<()>,
{
    let files = source::expand_runs(paths)?;
    let gzip = |f: &RunFile| f.path.extension().is_some_and(|e| e == "gz");
    if !files.iter().any(gzip) {
        let size = |f: &RunFile| std::fs::metadata(&f.path).map_or(0, |m| m.len());
        watch
            .total
            .store(files.iter().map(size).sum(), Ordering::Relaxed);
    }
    let stop = AtomicBool::new(false);
    let workers = workers.max(1);
    std::thread::scope(|scope| {
        let (work_tx, work_rx) = mpsc::sync_channel::<Batch>(workers * 2);
        let work_rx = Arc::new(Mutex::new(work_rx));
        // Workers hand the batch buffers back, so the reader reuses memory that is already
        // mapped instead of faulting in fresh pages for every chunk.
        let (recycle_tx, recycle_rx) = mpsc::channel::<Vec<u8>>();
        let (result_tx, result_rx) = mpsc::channel::<(u64, Message<T>)>();
        for _ in 0..workers {
            let rx = work_rx.clone();
            let tx = result_tx.clone();
            let recycle = recycle_tx.clone();
            let map = &map;
            scope.spawn(move || work(&rx, &tx, &recycle, map, opts));
        }
        drop(work_rx);
        let reader_tx = result_tx.clone();
        drop(result_tx);
        let stop = &stop;
        let files = &files;
        let forced = opts.format;
        let read = &watch.read;
        scope.spawn(move || read_files(files, work_tx, reader_tx, &recycle_rx, stop, forced, read));
        let again = |batch: &Batch, k: usize, census: &mut Census| {
            let (mut loaded, bytes) = parse_in(batch, k, opts);
            if let Ok(loaded) = &mut loaded {
                census.rename(loaded);
            }
            map(loaded, &bytes)
        };
        let result = deliver(result_rx, &mut sink, &recycle_tx, again);
        if result.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        result
    })
}

fn work<T, M>(
    rx: &Mutex<Receiver<Batch>>,
    tx: &Sender<(u64, Message<T>)>,
    recycle: &Sender<Vec<u8>>,
    map: &M,
    opts: LoadOptions,
) where
    M: Fn(Result<Loaded, Diagnostic>, &[u8]) -> T,
{
    loop {
        let batch = match rx.lock().unwrap_or_else(PoisonError::into_inner).recv() {
            Ok(batch) => batch,
            Err(_) => return,
        };
        if let Some((rows, group)) = &batch.group {
            let results = rows::row_results(rows, *group, &batch, map, opts);
            if tx
                .send((batch.seq, Message::Records(results, batch)))
                .is_err()
            {
                return;
            }
            continue;
        }
        let results = (0..batch.spans.len())
            .map(|k| {
                let (loaded, bytes) = parse_in(&batch, k, opts);
                let key = loaded.as_ref().ok().map(|(t, _)| census::key(&t.id));
                (map(loaded, &bytes), key)
            })
            .collect();
        let mut batch = batch;
        if !batch.keep_bytes {
            let _ = recycle.send(std::mem::take(&mut batch.bytes));
        }
        if tx
            .send((batch.seq, Message::Records(results, batch)))
            .is_err()
        {
            return;
        }
    }
}

fn read_files<T>(
    files: &[RunFile],
    work: SyncSender<Batch>,
    control: Sender<(u64, Message<T>)>,
    recycle: &Receiver<Vec<u8>>,
    stop: &AtomicBool,
    forced: Option<Format>,
    read: &AtomicU64,
) {
    let mut seq = 0u64;
    for file in files {
        let path: Arc<Path> = Arc::from(file.path.as_path());
        let start = Message::Control(Event::FileStart(path.clone()));
        if control.send((seq, start)).is_err() {
            return;
        }
        seq += 1;
        let end = read_file(
            &path, &file.run, &work, recycle, &mut seq, stop, forced, read,
        );
        let Some(end) = end else { return };
        if control
            .send((seq, Message::Control(Event::FileEnd(end))))
            .is_err()
        {
            return;
        }
        seq += 1;
    }
}

/// Read and split one file, sending its records in batches, and count what it reads into
/// `read`. `None` when the scan stops.
#[allow(clippy::too_many_arguments)] // the reader's channels and flags, each used once
fn read_file(
    path: &Arc<Path>,
    run: &Arc<str>,
    work: &SyncSender<Batch>,
    recycle: &Receiver<Vec<u8>>,
    seq: &mut u64,
    stop: &AtomicBool,
    forced: Option<Format>,
    read: &AtomicU64,
) -> Option<FileEnd> {
    let mut end = FileEnd {
        path: path.clone(),
        layout: Layout::Unknown,
        gzip: false,
        records: 0,
        bytes: 0,
        diagnostics: Vec::new(),
    };
    if parquet_rows::is_parquet(path).unwrap_or(false) {
        return rows::read_rows(path, run, work, seq, stop, forced, read);
    }
    let mut input = match Input::open(path) {
        Ok(input) => input,
        Err(e) => {
            end.diagnostics
                .push(Diagnostic::file_error(path, format!("cannot read: {e}")));
            return Some(end);
        }
    };
    end.gzip = input.gzip;
    let mut splitter = source::splitter_for(path);
    // `buf[..filled]` is data; the rest of `buf` is initialised room that is read into without
    // zeroing it again. Recycled buffers keep their length for the same reason.
    let mut buf: Vec<u8> = Vec::new();
    let mut filled = 0usize;
    let mut base = 0u64;
    let mut spans = Vec::new();
    let mut last_byte = b'\n';
    // Whether the lines are grouped by session (Claude Code), once the first record tells:
    // then the whole file is held and split into sessions at its end.
    let mut log = None;
    let grouped = |log: &mut Option<bool>, spans: &[RecordSpan], layout, buf: &[u8]| {
        if let (None, Some(first)) = (*log, spans.first()) {
            // No batch was sent before the first record: `buf` starts at the file's start.
            let record = &buf[first.start as usize..first.end as usize];
            *log = Some(sessions::is_log(layout, record, forced));
        }
        *log == Some(true)
    };
    loop {
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        if buf.len() < filled + CHUNK {
            buf.resize(filled + CHUNK, 0);
        }
        let n = match input.read(&mut buf[filled..filled + CHUNK]) {
            Ok(n) => n,
            Err(e) => {
                end.diagnostics.push(Diagnostic {
                    file: path.clone(),
                    line: 0,
                    column: 0,
                    level: Level::Error,
                    message: format!("read error after {} bytes: {e}", base + filled as u64),
                });
                break;
            }
        };
        if n == 0 {
            break;
        }
        read.fetch_add(n as u64, Ordering::Relaxed);
        let old = filled;
        filled += n;
        last_byte = buf[filled - 1];
        splitter.feed(&buf[old..filled], &mut spans);
        if grouped(&mut log, &spans, splitter.layout(), &buf) {
            spans.clear();
        }
        inspect::expand(&mut spans, splitter.layout(), base, &buf[..filled]);
        if !spans.is_empty() {
            let keep = splitter.keep_from();
            let cut = (keep - base) as usize;
            let rest = filled - cut;
            let mut tail = recycle.try_recv().unwrap_or_default();
            // Room for the next read too: growing the buffer then would fault in fresh pages.
            if tail.len() < rest + CHUNK {
                tail.resize(rest + CHUNK, 0);
            }
            tail[..rest].copy_from_slice(&buf[cut..filled]);
            end.records += spans.len();
            let batch = Batch {
                seq: *seq,
                file: path.clone(),
                run: run.clone(),
                first: end.records - spans.len(),
                base,
                bytes: std::mem::replace(&mut buf, tail),
                spans: std::mem::take(&mut spans),
                unterminated_last: false,
                keep_bytes: end.gzip,
                group: None,
            };
            filled = rest;
            *seq += 1;
            if work.send(batch).is_err() {
                return None;
            }
            base = keep;
        }
    }
    buf.truncate(filled);
    splitter.finish(&mut spans);
    end.layout = splitter.layout();
    end.bytes = splitter.position();
    if grouped(&mut log, &spans, end.layout, &buf) {
        (spans, end.layout) = (sessions::spans(&buf), Layout::Sessions);
    }
    inspect::expand(&mut spans, end.layout, base, &buf);
    if !spans.is_empty() {
        end.records += spans.len();
        let batch = Batch {
            seq: *seq,
            file: path.clone(),
            run: run.clone(),
            first: end.records - spans.len(),
            base,
            bytes: buf,
            spans,
            unterminated_last: end.layout == Layout::Lines && last_byte != b'\n',
            keep_bytes: end.gzip || end.layout == Layout::Sessions,
            group: None,
        };
        *seq += 1;
        if work.send(batch).is_err() {
            return None;
        }
    }
    end.diagnostics
        .extend(splitter.problems.iter().map(|p| Diagnostic {
            file: path.clone(),
            line: p.line,
            column: 0,
            level: Level::Error,
            message: p.message.clone(),
        }));
    if end.records == 0 {
        let what = if end.bytes == 0 {
            "empty file"
        } else {
            "no records in this file"
        };
        end.diagnostics.push(Diagnostic {
            file: path.clone(),
            line: 0,
            column: 0,
            level: Level::Warning,
            message: what.into(),
        });
    }
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_arrive_in_file_order_across_workers() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.jsonl");
        let mut text = String::new();
        for i in 0..5000 {
            text.push_str(&format!(
                "{{\"id\": \"r{i}\", \"messages\": [{{\"role\": \"user\", \"content\": \"{}\"}}]}}\n",
                "x".repeat(i % 700)
            ));
        }
        text.push_str("{\"id\": \"torn\", \"messages\": [");
        std::fs::write(&a, text).unwrap();
        let mut ids = Vec::new();
        let mut errors = Vec::new();
        let mut ends = Vec::new();
        scan(
            &[a],
            LoadOptions::default(),
            3,
            |r| r.map(|(t, _)| t.id),
            |event| {
                match event {
                    Event::Record(Ok(id)) => ids.push(id),
                    Event::Record(Err(d)) => errors.push(d),
                    Event::FileEnd(end) => ends.push(end),
                    Event::FileStart(_) => {}
                }
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(ids.len(), 5000);
        assert!(ids.iter().enumerate().all(|(i, id)| *id == format!("r{i}")));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 5001);
        assert!(errors[0].message.contains("torn write"), "{}", errors[0]);
        assert_eq!(ends[0].records, 5001);
    }

    #[test]
    fn a_sink_error_stops_the_scan() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.jsonl");
        std::fs::write(&a, "{\"messages\": []}\n".repeat(100_000)).unwrap();
        let mut seen = 0;
        let result = scan(
            &[a],
            LoadOptions::default(),
            2,
            |_| (),
            |event| {
                if let Event::Record(()) = event {
                    seen += 1;
                    if seen == 10 {
                        return Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"));
                    }
                }
                Ok(())
            },
        );
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::BrokenPipe);
        assert_eq!(seen, 10);
    }
}
