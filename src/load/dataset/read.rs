//! Reading records back by their index, and the census thread that reads every id once in
//! file order (see [`crate::load::census`]).

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};

use super::{lock, read, LoadOptions, Loaded, RecordSpan, Shared};
use crate::diag::{Diagnostic, Level};
use crate::load::census::{self, Census};
use crate::load::{parse_record, RecordCtx};
use crate::parallel::parallel_map;

/// Records the census reads at a time, on every core.
const CENSUS_BATCH: usize = 1024;

/// Read every record's id in file order, renaming the ones that repeat an earlier id of their
/// file. A panic here (a bug) ends the census: ids stay as in the file from there.
pub(super) fn take_census(shared: &Shared, opts: LoadOptions) {
    let _ = panic::catch_unwind(AssertUnwindSafe(|| census_pass(shared, opts)));
    shared.ledger.finish();
}

fn census_pass(shared: &Shared, opts: LoadOptions) {
    let mut census = Census::default();
    let mut current = u32::MAX;
    let mut next = 0;
    loop {
        {
            let mut guard = lock(&shared.grown_lock);
            loop {
                if shared.cancel.load(Ordering::Relaxed) {
                    return;
                }
                // Read `complete` first: once it is set, the length is final.
                let complete = shared.complete.load(Ordering::Acquire);
                if read(&shared.records).len() > next {
                    break;
                }
                if complete {
                    return;
                }
                guard = shared
                    .grown
                    .wait(guard)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }
        let files: Vec<u32> = {
            let records = read(&shared.records);
            let end = (next + CENSUS_BATCH).min(records.len());
            records[next..end].iter().map(|e| e.file).collect()
        };
        let read = parallel_map(files.len(), |k| {
            let ((t, _), _) = load_raw(shared, opts, next + k).ok()?;
            let agent: Box<[u32]> = t.agent_turns().map(|x| x.index as u32).collect();
            Some((census::key(&t.id), t.source.line, agent))
        });
        let mut agent = Vec::with_capacity(files.len());
        let mut places = Vec::with_capacity(files.len());
        for (k, (file, found)) in files.iter().zip(read).enumerate() {
            if *file != current {
                census.clear();
                current = *file;
            }
            let Some((key, line, turns)) = found else {
                agent.push(Box::default());
                continue;
            };
            agent.push(turns);
            let i = next + k;
            if census.admit(key, line) {
                places.push((key, i as u32));
            } else if let Ok((mut loaded, _)) = load_raw(shared, opts, i) {
                census.rename(&mut loaded);
                places.push((census::key(&loaded.0.id), i as u32));
                shared.ledger.renamed(i, loaded);
            }
        }
        shared.ledger.place(&places, agent);
        next += files.len();
        shared.ledger.settle(next);
    }
}

/// Read and parse record `i` with the id it has in the file.
pub(super) fn load_raw(
    shared: &Shared,
    opts: LoadOptions,
    i: usize,
) -> Result<(Loaded, Vec<u8>), Diagnostic> {
    let (located, bytes) = read_record(shared, i)?;
    let ctx = RecordCtx {
        file: &located.path,
        run: &located.run,
        ordinal: located.ordinal,
        span: &located.span,
        unterminated: located.unterminated,
    };
    parse_record(&bytes, ctx, opts).map(|loaded| (loaded, bytes))
}

/// The bytes of record `i` and where it is.
pub(super) fn read_record(shared: &Shared, i: usize) -> Result<(Located, Vec<u8>), Diagnostic> {
    let (file_idx, span) = {
        let records = read(&shared.records);
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
        let files = read(&shared.files);
        let f = files.get(file_idx).ok_or_else(|| Diagnostic {
            file: Arc::from(Path::new("")),
            line: 0,
            column: 0,
            level: Level::Error,
            message: format!("record {i} is in no indexed file"),
        })?;
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
    let backing = backing.ok_or_else(|| Diagnostic::file_error(&path, "file is not readable"))?;
    let bytes = backing.read(&span).map_err(|e| Diagnostic {
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

/// Where a record is, as read back.
pub(super) struct Located {
    pub path: Arc<Path>,
    pub run: Arc<str>,
    pub span: RecordSpan,
    pub ordinal: usize,
    pub unterminated: bool,
}
