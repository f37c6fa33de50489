//! What reads a file's records back: the file itself or its decoded copy (records are byte
//! ranges), or a Parquet file (records are rows), whose index is made here from its footer.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{lock, notify, read, write, Entry, FileInfo, Shared};
use crate::diag::{Diagnostic, Level};
use crate::load::parquet_rows::{row_span, Rows};
use crate::load::source;
use crate::load::split::{Layout, RecordSpan};

#[derive(Clone)]
pub(super) enum Backing {
    Bytes(Arc<File>),
    Rows(Arc<Rows>),
}

impl std::fmt::Debug for Backing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Backing::Bytes(file) => f.debug_tuple("Bytes").field(file).finish(),
            Backing::Rows(rows) => write!(f, "Rows({} rows)", rows.len()),
        }
    }
}

impl Backing {
    /// The bytes of the record at `span`: the range of the file, or the row as JSON text.
    pub(super) fn read(&self, span: &RecordSpan) -> io::Result<Vec<u8>> {
        match self {
            Backing::Bytes(file) => source::read_span(file, span),
            Backing::Rows(rows) => rows.read(span.start),
        }
    }
}

/// Index a Parquet file: one record a row, from the row counts in its footer, published a row
/// group at a time (the first rows are readable before the other spans are made).
pub(super) fn index_rows(shared: &Shared, path: &Arc<Path>, run: Arc<str>) -> io::Result<()> {
    let rows = Arc::new(Rows::open(path, shared.forced.is_some())?);
    let file = {
        let mut files = write(&shared.files);
        files.push(FileInfo {
            path: path.clone(),
            run,
            layout: Layout::Rows,
            gzip: false,
            first: read(&shared.records).len(),
            count: 0,
            done: false,
            unterminated: false,
            backing: Some(Backing::Rows(rows.clone())),
        });
        files.len() - 1
    };
    for group in 0..rows.groups() {
        let spans = rows.group_rows(group).map(row_span);
        let mut records = write(&shared.records);
        let before = records.len();
        records.extend(spans.map(|span| Entry {
            file: file as u32,
            span,
        }));
        let added = records.len() - before;
        drop(records);
        write(&shared.files)[file].count += added;
        notify(shared);
    }
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    shared.bytes_done.fetch_add(size, Ordering::Relaxed);
    write(&shared.files)[file].done = true;
    if rows.is_empty() {
        lock(&shared.diagnostics).push(Diagnostic {
            file: path.clone(),
            line: 0,
            column: 0,
            level: Level::Warning,
            message: "no rows in this file".into(),
        });
    }
    notify(shared);
    Ok(())
}
