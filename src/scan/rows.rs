//! The scan of a Parquet file: the reading thread sends each row group as a batch, and a
//! worker decodes its rows in order and parses each (see `load::parquet_rows`).

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::Arc;

use super::{Batch, FileEnd};
use crate::diag::{Diagnostic, Level};
use crate::load::census;
use crate::load::parquet_rows::{self, Rows};
use crate::load::split::Layout;
use crate::load::{parse_record, LoadOptions, Loaded, RecordCtx};
use crate::model::Format;

/// Decode the rows of a Parquet row group, parse and map each; with the census key of each
/// row's id.
pub(super) fn row_results<T, M>(
    rows: &Rows,
    group: usize,
    batch: &Batch,
    map: &M,
    opts: LoadOptions,
) -> Vec<(T, Option<u128>)>
where
    M: Fn(Result<Loaded, Diagnostic>, &[u8]) -> T,
{
    let mut results = Vec::with_capacity(rows.group_rows(group).count());
    rows.each_row(group, |row, json| {
        let bytes: &[u8] = json.as_ref().map_or(&[], |j| j);
        let loaded = parse_row(batch, row, json.as_deref().map_err(|e| e.to_string()), opts);
        let key = loaded.as_ref().ok().map(|(t, _)| census::key(&t.id));
        results.push((map(loaded, bytes), key));
    });
    results
}

/// Row `k` of the batch's row group, decoded and parsed again (its id repeats an earlier one:
/// rare, so the group is decoded once more rather than kept).
pub(super) fn row_again(
    rows: &Rows,
    group: usize,
    batch: &Batch,
    k: usize,
    opts: LoadOptions,
) -> (Result<Loaded, Diagnostic>, Vec<u8>) {
    let wanted = (batch.first + k) as u64;
    let mut found = None;
    rows.each_row(group, |row, json| {
        if row == wanted {
            let bytes = json.as_ref().map_or_else(|_| Vec::new(), |j| j.to_vec());
            let loaded = parse_row(batch, row, json.map_err(|e| e.to_string()), opts);
            found = Some((loaded, bytes));
        }
    });
    found.unwrap_or_else(|| {
        let d = Diagnostic {
            file: batch.file.clone(),
            line: parquet_rows::row_span(wanted).line,
            column: 0,
            level: Level::Error,
            message: "cannot read the row again".into(),
        };
        (Err(d), Vec::new())
    })
}

fn parse_row<E: std::fmt::Display>(
    batch: &Batch,
    row: u64,
    json: Result<&[u8], E>,
    opts: LoadOptions,
) -> Result<Loaded, Diagnostic> {
    let span = parquet_rows::row_span(row);
    let ctx = RecordCtx {
        file: &batch.file,
        run: &batch.run,
        ordinal: row as usize,
        span: &span,
        unterminated: false,
    };
    match json {
        Ok(json) => parse_record(json, ctx, opts),
        Err(e) => Err(Diagnostic {
            file: batch.file.clone(),
            line: span.line,
            column: 0,
            level: Level::Error,
            message: format!("cannot read the record: {e}"),
        }),
    }
}

/// Send the row groups of a Parquet file to the workers. `None` when the scan stops.
pub(super) fn read_rows(
    path: &Arc<Path>,
    run: &Arc<str>,
    work: &SyncSender<Batch>,
    seq: &mut u64,
    stop: &AtomicBool,
    forced: Option<Format>,
    read: &AtomicU64,
) -> Option<FileEnd> {
    let mut end = FileEnd {
        path: path.clone(),
        layout: Layout::Rows,
        gzip: false,
        records: 0,
        bytes: std::fs::metadata(path).map_or(0, |m| m.len()),
        diagnostics: Vec::new(),
    };
    let rows = match Rows::open(path, forced.is_some()) {
        Ok(rows) => Arc::new(rows),
        Err(e) => {
            end.diagnostics
                .push(Diagnostic::file_error(path, format!("cannot read: {e}")));
            return Some(end);
        }
    };
    for group in 0..rows.groups() {
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        let range = rows.group_rows(group);
        // Progress in bytes: the file's share of the rows sent.
        let share = |row: u64| end.bytes * row / rows.len().max(1);
        read.fetch_add(share(range.end) - share(range.start), Ordering::Relaxed);
        let batch = Batch {
            seq: *seq,
            file: path.clone(),
            run: run.clone(),
            first: range.start as usize,
            base: 0,
            bytes: Vec::new(),
            spans: Vec::new(),
            unterminated_last: false,
            keep_bytes: false,
            group: Some((rows.clone(), group)),
        };
        *seq += 1;
        end.records += (range.end - range.start) as usize;
        if work.send(batch).is_err() {
            return None;
        }
    }
    if end.records == 0 {
        end.diagnostics.push(Diagnostic {
            file: path.clone(),
            line: 0,
            column: 0,
            level: Level::Warning,
            message: "no rows in this file".into(),
        });
    }
    Some(end)
}
