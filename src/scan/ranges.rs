//! Reading a plain JSON Lines file in parallel. Once the reader has split the first chunk of a
//! `.jsonl` file (and knows it is not a session log), it hands the rest out as byte ranges: each
//! worker reads its range itself, into a buffer of its own, finds the lines that start in it and
//! parses them while they are still in its cache. The kernel's copy from the page cache then
//! lands in memory the copying core already holds, and no thread copies bytes for another.
//!
//! A range owns the lines that start in it, and reads the last of them on past its end to the
//! newline. A ledger of each range's newlines and records gives every range, in order, the line
//! number and the record ordinal it starts at. A range whose read fails ends the file there, as
//! the sequential reader does: the ranges after it give no records.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use memchr::memchr;

use super::{Batch, Job};
use crate::diag::{Diagnostic, Level};
use crate::load::source;
use crate::load::split::RecordSpan;

/// Bytes a range covers: larger than the reader's chunks, since a worker parses what it has
/// read itself and no one waits for it. On the 2-core reference machine each read costs the
/// kernel tens of microseconds beyond its copy: with ranges of 512 KB, `check` on 1 GB spends
/// 0.2-0.5 s more in the kernel than with 2 MB.
pub(super) const RANGE: u64 = 2 << 20;

/// A file is handed out by ranges only when at least this much of it is left.
pub(super) const MIN_REST: u64 = 2 * RANGE;

/// One range of a file, for one worker.
pub(super) struct Ticket {
    pub seq: u64,
    index: usize,
    start: u64,
    end: u64,
    file: Arc<Path>,
    run: Arc<str>,
    shared: Arc<Shared>,
}

/// What the ranges of one file share.
struct Shared {
    handle: File,
    ledger: Mutex<Ledger>,
    moved: Condvar,
}

/// Where a range starts: the number of the line it starts in, and the ordinal of its first
/// record. `failed`: a read before it failed, so the file ends there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Start {
    pub line: u32,
    pub record: usize,
    pub failed: bool,
}

/// What one range found: its newlines (those inside the range), its records, and whether its
/// read failed.
#[derive(Debug, Clone, Copy)]
struct Count {
    newlines: u32,
    records: usize,
    failed: bool,
}

struct Ledger {
    /// `starts[i]` is known once every range before `i` has counted; `starts[n]` is the end.
    starts: Vec<Option<Start>>,
    counts: Vec<Option<Count>>,
    /// The furthest offset read.
    reached: u64,
    diagnostics: Vec<Diagnostic>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The end of a file read by ranges.
pub(super) struct Handed {
    /// Records found in the ranges.
    pub records: usize,
    /// The furthest offset read.
    pub reached: u64,
    pub diagnostics: Vec<Diagnostic>,
}

/// Hand `handle` from `from` (where a line starts, at `start`) to its end out as ranges of
/// about `chunk` bytes, numbered from `seq`, and wait until all are counted. `Ok(None)` when
/// less than `min_rest` is left (the caller reads on itself); `Err(())` when the scan stops.
#[allow(clippy::too_many_arguments)] // the file's names, where to start, and the scan's channel
pub(super) fn hand_out(
    handle: &File,
    file: &Arc<Path>,
    run: &Arc<str>,
    from: u64,
    start: Start,
    (chunk, min_rest): (u64, u64),
    work: &SyncSender<Job>,
    seq: &mut u64,
    stop: &AtomicBool,
) -> Result<Option<Handed>, ()> {
    let Ok(len) = handle.metadata().map(|m| m.len()) else {
        return Ok(None);
    };
    if len < from.saturating_add(min_rest) {
        return Ok(None);
    }
    let Ok(handle) = handle.try_clone() else {
        return Ok(None);
    };
    // Ranges end at multiples of `chunk`, so that their reads start aligned.
    let mut bounds = vec![from];
    bounds.extend(
        (from / chunk + 1..)
            .map(|k| k * chunk)
            .take_while(|&b| b < len),
    );
    bounds.push(len);
    let n = bounds.len() - 1;
    let mut starts = vec![None; n + 1];
    starts[0] = Some(start);
    let shared = Arc::new(Shared {
        handle,
        ledger: Mutex::new(Ledger {
            starts,
            counts: vec![None; n],
            reached: from,
            diagnostics: Vec::new(),
        }),
        moved: Condvar::new(),
    });
    for (index, range) in bounds.windows(2).enumerate() {
        if stop.load(Ordering::Relaxed) {
            return Err(());
        }
        let ticket = Ticket {
            seq: *seq,
            index,
            start: range[0],
            end: range[1],
            file: file.clone(),
            run: run.clone(),
            shared: shared.clone(),
        };
        *seq += 1;
        if work.send(Job::Read(ticket)).is_err() {
            return Err(());
        }
    }
    let end = wait(&shared, n, stop).ok_or(())?;
    let mut ledger = lock(&shared.ledger);
    Ok(Some(Handed {
        records: end.record,
        reached: ledger.reached,
        diagnostics: std::mem::take(&mut ledger.diagnostics),
    }))
}

/// Read the ticket's range into `buf` (kept between tickets) and split it into the lines that
/// start in it: their batch, once the ranges before it have counted theirs. `None` when the
/// scan stops first. The batch's bytes are `buf`'s: the caller takes them back.
pub(super) fn take(
    ticket: Ticket,
    buf: &mut Vec<u8>,
    stop: &AtomicBool,
    read: &AtomicU64,
) -> Option<Batch> {
    let shared = &ticket.shared;
    // From before the range: the byte before it tells whether a line starts at its first
    // byte. A cache line before, so that the read keeps the page cache's alignment (an
    // unaligned copy costs the kernel more).
    let from = if ticket.index == 0 {
        ticket.start
    } else {
        ticket.start - ticket.start.min(64)
    };
    let split = split_range(&shared.handle, buf, from, ticket.start, ticket.end);
    read.fetch_add(ticket.end - ticket.start, Ordering::Relaxed);
    let count = Count {
        newlines: split.newlines,
        records: split.spans.len(),
        failed: split.error.is_some(),
    };
    let diagnostic = split.error.map(|(at, e)| Diagnostic {
        file: ticket.file.clone(),
        line: 0,
        column: 0,
        level: Level::Error,
        message: format!("read error after {at} bytes: {e}"),
    });
    publish(shared, ticket.index, count, split.reached, diagnostic);
    let start = wait(shared, ticket.index, stop)?;
    let mut spans = split.spans;
    if start.failed {
        spans.clear();
    }
    for span in &mut spans {
        span.line += start.line;
    }
    Some(Batch {
        seq: ticket.seq,
        file: ticket.file,
        run: ticket.run,
        first: start.record,
        base: from,
        bytes: std::mem::take(buf),
        unterminated_last: split.unterminated && !spans.is_empty(),
        spans,
        keep_bytes: false,
        group: None,
    })
}

/// The lines that start in a range, their line numbers counted from the range's start.
struct Split {
    spans: Vec<RecordSpan>,
    newlines: u32,
    /// The last record runs to the end of the file without a newline.
    unterminated: bool,
    reached: u64,
    error: Option<(u64, io::Error)>,
}

/// Read `[from, end)` of `handle` into `buf` (and on past `end` to the newline of the last
/// line that starts before it), and split the lines that start in `[start, end)`. `from` is
/// `start` (known to start a line) or before it.
fn split_range(handle: &File, buf: &mut Vec<u8>, from: u64, start: u64, end: u64) -> Split {
    let mut split = Split {
        spans: Vec::new(),
        newlines: 0,
        unterminated: false,
        reached: from,
        error: None,
    };
    let own = (end - from) as usize;
    let mut n = 0usize;
    let mut eof = false;
    // Read `want` more bytes after `n`; false on an error (kept in `split`).
    let mut more = |buf: &mut Vec<u8>, n: &mut usize, eof: &mut bool, want: usize| {
        if buf.len() < *n + want {
            buf.resize(*n + want, 0);
        }
        match source::read_at(handle, &mut buf[*n..*n + want], from + *n as u64) {
            Ok(k) => {
                *n += k;
                *eof = k < want;
                true
            }
            Err(e) => {
                split.error = Some((from + *n as u64, e));
                false
            }
        }
    };
    let first = (start - from) as usize;
    let read_ok = more(buf, &mut n, &mut eof, own);
    let mut newlines = 0u32;
    let mut spans = Vec::new();
    let mut unterminated = false;
    if read_ok && n > first {
        // Where the first line of the range starts: at its first byte when the byte before
        // is a newline (or when the range starts the hand-out), else after its first newline.
        let mut p = if first == 0 || buf[first - 1] == b'\n' {
            first
        } else {
            match memchr(b'\n', &buf[first..n]) {
                Some(j) => {
                    newlines += 1;
                    first + j + 1
                }
                None => n,
            }
        };
        while p < own.min(n) {
            let mut search = p;
            let newline = loop {
                if let Some(j) = memchr(b'\n', &buf[search..n]) {
                    break Some(search + j);
                }
                if eof {
                    break None;
                }
                search = n;
                if !more(buf, &mut n, &mut eof, RANGE as usize) {
                    break None;
                }
            };
            if newline.is_none() && !eof {
                break; // the read failed: this line is not whole
            }
            let line_end = newline.unwrap_or(n);
            let line = &buf[p..line_end];
            if line.iter().any(|b| !matches!(b, b' ' | b'\t' | b'\r')) {
                spans.push(RecordSpan {
                    start: from + p as u64,
                    end: from + line_end as u64,
                    line: newlines,
                    column: 1,
                    key: None,
                });
                unterminated = newline.is_none();
            }
            match newline {
                Some(i) => {
                    if i < own {
                        newlines += 1;
                    }
                    p = i + 1;
                }
                None => break,
            }
        }
    }
    split.spans = spans;
    split.newlines = newlines;
    split.unterminated = unterminated;
    split.reached = from + n as u64;
    split
}

/// Count range `index` in, and give the ranges after it their start where now known.
fn publish(
    shared: &Shared,
    index: usize,
    count: Count,
    reached: u64,
    diagnostic: Option<Diagnostic>,
) {
    let mut ledger = lock(&shared.ledger);
    ledger.counts[index] = Some(count);
    ledger.reached = ledger.reached.max(reached);
    ledger.diagnostics.extend(diagnostic);
    let mut i = index;
    while let (Some(start), Some(count)) = (ledger.starts[i], ledger.counts[i]) {
        if ledger.starts[i + 1].is_some() {
            break;
        }
        ledger.starts[i + 1] = Some(Start {
            line: start.line + count.newlines,
            record: start.record + count.records,
            failed: start.failed || count.failed,
        });
        i += 1;
        if i == ledger.counts.len() {
            break;
        }
    }
    shared.moved.notify_all();
}

/// The start of range `index` (`index` = the number of ranges: the end), once known. `None`
/// when the scan stops first.
fn wait(shared: &Shared, index: usize, stop: &AtomicBool) -> Option<Start> {
    let mut ledger = lock(&shared.ledger);
    loop {
        if let Some(start) = ledger.starts[index] {
            return Some(start);
        }
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        // A stop is not signalled on the condition variable: look again now and then.
        ledger = shared
            .moved
            .wait_timeout(ledger, Duration::from_millis(20))
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::split::Splitter;
    use crate::sample::Rng;
    use std::sync::mpsc;

    /// What the ranges found: each batch's first ordinal, spans, and unterminated flag, in
    /// order; and the hand-out's end.
    type Found = (Vec<(usize, Vec<RecordSpan>, bool)>, Option<Handed>);

    /// Hand `text` out by ranges of `chunk` bytes from `from` (where `start` says), to three
    /// workers.
    fn by_ranges(text: &[u8], from: u64, start: Start, chunk: u64) -> Found {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        std::fs::write(&path, text).unwrap();
        let handle = File::open(&path).unwrap();
        let (file, run): (Arc<Path>, Arc<str>) = (Arc::from(path.as_path()), Arc::from("t"));
        let (tx, rx) = mpsc::sync_channel::<Job>(4);
        let rx = Mutex::new(rx);
        let (stop, read) = (AtomicBool::new(false), AtomicU64::new(0));
        let (mut batches, handed) = std::thread::scope(|s| {
            let workers: Vec<_> = (0..3)
                .map(|_| {
                    s.spawn(|| {
                        let (mut buf, mut out) = (Vec::new(), Vec::new());
                        while let Ok(job) = rx.lock().unwrap().recv() {
                            let Job::Read(ticket) = job else {
                                panic!("not a range")
                            };
                            let mut batch = take(ticket, &mut buf, &stop, &read).unwrap();
                            buf = std::mem::take(&mut batch.bytes);
                            let found = (batch.first, batch.spans, batch.unterminated_last);
                            out.push((batch.seq, found));
                        }
                        out
                    })
                })
                .collect();
            let mut seq = 0;
            let handed = hand_out(
                &handle,
                &file,
                &run,
                from,
                start,
                (chunk, 0),
                &tx,
                &mut seq,
                &stop,
            )
            .unwrap();
            drop(tx);
            let batches: Vec<_> = workers
                .into_iter()
                .flat_map(|w| w.join().unwrap())
                .collect();
            (batches, handed)
        });
        if handed.is_some() {
            assert_eq!(read.load(Ordering::Relaxed), text.len() as u64 - from);
        }
        batches.sort_by_key(|(seq, _)| *seq);
        (batches.into_iter().map(|(_, b)| b).collect(), handed)
    }

    /// The splitter's spans of `text`, and whether the last is unterminated.
    fn by_splitter(text: &[u8]) -> (Vec<RecordSpan>, bool) {
        let mut splitter = Splitter::lines();
        let mut spans = Vec::new();
        splitter.feed(text, &mut spans);
        let before = spans.len();
        splitter.finish(&mut spans);
        (spans.clone(), spans.len() > before)
    }

    /// The splitter's spans of `text` split by hand-out at `cut`: what it emits from the
    /// first `cut` bytes, then the ranges' from where it would keep reading.
    fn check_against_splitter(text: &[u8], cut: usize, chunk: u64) {
        let mut splitter = Splitter::lines();
        let mut spans = Vec::new();
        splitter.feed(&text[..cut], &mut spans);
        let from = splitter.keep_from();
        let start = Start {
            line: splitter.line(),
            record: spans.len(),
            failed: false,
        };
        let (batches, handed) = by_ranges(text, from, start, chunk);
        let handed = handed.expect("handed out");
        let mut ordinal = spans.len();
        let mut last_unterminated = false;
        for (first, batch, unterminated) in batches {
            assert_eq!(first, ordinal, "{text:?} cut {cut} chunk {chunk}");
            ordinal += batch.len();
            if !batch.is_empty() {
                last_unterminated = unterminated;
            }
            spans.extend(batch);
        }
        let (expected, unterminated) = by_splitter(text);
        let shown = String::from_utf8_lossy(text);
        assert_eq!(spans, expected, "{shown:?} cut {cut} chunk {chunk}");
        assert_eq!(last_unterminated, unterminated, "{shown:?} cut {cut}");
        assert_eq!(handed.records, expected.len());
        assert_eq!(handed.reached, text.len() as u64);
        assert!(handed.diagnostics.is_empty());
    }

    #[test]
    fn ranges_find_the_lines_the_splitter_finds() {
        let texts: [&[u8]; 8] = [
            b"{\"a\": 1}\n{\"b\": 2}\n",
            b"{\"a\": 1}\n\n  \n{\"b\": 2}\r\n\t\n{\"c\": 3}",
            b"{\"a\": 1}\n{\"long\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n{}\n",
            b"\n\n\n\n\n\n\n\n\n\n",
            b"{}\n   ",
            b"  {\"indented\": true}\n\r\n{}",
            b"{}",
            b"",
        ];
        for text in texts {
            for chunk in [1, 2, 3, 5, 8, 13, 64] {
                for cut in 0..=text.len() {
                    check_against_splitter(text, cut, chunk);
                }
            }
        }
    }

    #[test]
    fn ranges_find_the_lines_of_random_texts() {
        let mut rng = Rng::new(17);
        let alphabet = b"{}a \t\r\n\n";
        for _ in 0..400 {
            let len = rng.below(120) as usize;
            let text: Vec<u8> = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
                .collect();
            let cut = rng.below(len as u64 + 1) as usize;
            let chunk = 1 + rng.below(24);
            check_against_splitter(&text, cut, chunk);
        }
    }

    #[test]
    fn too_little_left_is_not_handed_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        std::fs::write(&path, "{}\n".repeat(10)).unwrap();
        let handle = File::open(&path).unwrap();
        let (tx, _rx) = mpsc::sync_channel::<Job>(1);
        let start = Start {
            line: 1,
            record: 0,
            failed: false,
        };
        let mut seq = 7;
        let (file, run) = (Arc::from(path.as_path()), Arc::from("t"));
        let stop = AtomicBool::new(false);
        let handed = hand_out(
            &handle,
            &file,
            &run,
            0,
            start,
            (4, 31),
            &tx,
            &mut seq,
            &stop,
        );
        assert!(matches!(handed, Ok(None)));
        assert_eq!(seq, 7);
    }

    #[test]
    fn a_failed_range_ends_the_file_there() {
        let mut ledger = Ledger {
            starts: vec![
                Some(Start {
                    line: 1,
                    record: 0,
                    failed: false,
                }),
                None,
                None,
                None,
            ],
            counts: vec![None; 3],
            reached: 0,
            diagnostics: Vec::new(),
        };
        let count = |newlines, records, failed| Count {
            newlines,
            records,
            failed,
        };
        let shared = Shared {
            handle: File::open(std::env::current_exe().unwrap()).unwrap(),
            ledger: Mutex::new(std::mem::replace(
                &mut ledger,
                Ledger {
                    starts: Vec::new(),
                    counts: Vec::new(),
                    reached: 0,
                    diagnostics: Vec::new(),
                },
            )),
            moved: Condvar::new(),
        };
        // Counted out of order: the starts follow once the ranges before are in.
        publish(&shared, 2, count(4, 4, false), 30, None);
        publish(&shared, 1, count(2, 1, true), 20, None);
        assert_eq!(lock(&shared.ledger).starts[1], None);
        publish(&shared, 0, count(3, 2, false), 10, None);
        let stop = AtomicBool::new(false);
        let at = |i| wait(&shared, i, &stop).unwrap();
        assert_eq!((at(1).line, at(1).record, at(1).failed), (4, 2, false));
        assert_eq!((at(2).line, at(2).record, at(2).failed), (6, 3, true));
        assert_eq!((at(3).line, at(3).record, at(3).failed), (10, 7, true));
        assert_eq!(lock(&shared.ledger).reached, 30);
    }
}
