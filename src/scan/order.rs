//! The scan's ordered stage: results reach the sink in file order, and a record whose id
//! repeats an earlier one of its file is parsed again and renamed (see `load::census`).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io;
use std::sync::mpsc::{Receiver, Sender};

use super::{rows, Batch, Event, Message};
use crate::diag::{Diagnostic, Level};
use crate::load::census::Census;
use crate::load::parquet_rows;
use crate::load::{parse_record, source, LoadOptions, Loaded, RecordCtx};

/// Hand the results to `sink` in file order. The census of the file being delivered tells
/// which ids are repeated; those records are parsed `again`, renamed. The batches' buffers go
/// back to the reader.
pub(super) fn deliver<T, S, A>(
    rx: Receiver<(u64, Message<T>)>,
    sink: &mut S,
    recycle: &Sender<Vec<u8>>,
    again: A,
) -> io::Result<()>
where
    S: FnMut(Event<T>) -> io::Result<()>,
    A: Fn(&Batch, usize, &mut Census) -> T,
{
    let mut next = 0u64;
    let mut pending = BTreeMap::new();
    let mut census = Census::default();
    for (seq, message) in rx {
        pending.insert(seq, message);
        while let Some(message) = pending.remove(&next) {
            next += 1;
            match message {
                Message::Control(event) => {
                    if let Event::FileStart(_) = event {
                        census.clear();
                    }
                    sink(event)?;
                }
                Message::Records(results, batch) => {
                    for (k, (r, key)) in results.into_iter().enumerate() {
                        let line = line_of(&batch, k);
                        let r = match key {
                            Some(key) if !census.admit(key, line) => again(&batch, k, &mut census),
                            _ => r,
                        };
                        sink(Event::Record(r))?;
                    }
                    if batch.keep_bytes {
                        let _ = recycle.send(batch.bytes);
                    }
                }
            }
        }
    }
    Ok(())
}

/// The line (for a Parquet row, the row's number) of record `k` of `batch`.
fn line_of(batch: &Batch, k: usize) -> u32 {
    match &batch.group {
        Some(_) => parquet_rows::row_span((batch.first + k) as u64).line,
        None => batch.spans[k].line,
    }
}

/// Parse record `k` of `batch` (read back from the file when the batch's bytes went back to
/// the reader; decoded again from its row group for a Parquet row).
pub(super) fn parse_in(
    batch: &Batch,
    k: usize,
    opts: LoadOptions,
) -> (Result<Loaded, Diagnostic>, Cow<'_, [u8]>) {
    if let Some((rows, group)) = &batch.group {
        let (loaded, bytes) = rows::row_again(rows, *group, batch, k, opts);
        return (loaded, Cow::Owned(bytes));
    }
    let span = &batch.spans[k];
    let bytes = if batch.bytes.is_empty() && span.end > span.start {
        let reread = std::fs::File::open(&*batch.file).and_then(|f| source::read_span(&f, span));
        match reread {
            Ok(bytes) => Cow::Owned(bytes),
            Err(e) => {
                let d = Diagnostic {
                    file: batch.file.clone(),
                    line: span.line,
                    column: span.column,
                    level: Level::Error,
                    message: format!("cannot read the record again: {e}"),
                };
                return (Err(d), Cow::Borrowed(&[]));
            }
        }
    } else {
        let from = (span.start - batch.base) as usize;
        let to = (span.end - batch.base) as usize;
        Cow::Borrowed(&batch.bytes[from..to])
    };
    let ctx = RecordCtx {
        file: &batch.file,
        run: &batch.run,
        ordinal: batch.first + k,
        span,
        unterminated: batch.unterminated_last && k + 1 == batch.spans.len(),
    };
    (parse_record(&bytes, ctx, opts), bytes)
}
