//! Parquet files (and directories of shards) as containers: each row is a record, turned into
//! the JSON object a JSON Lines line with the same fields would be, so the record readers do
//! the rest (`conversations` for ShareGPT, `messages` for OpenAI, `trajectory`/`traj`).
//!
//! The index comes from the footer alone (row counts per row group): a file of any size opens
//! at once. Reading row `r` decodes its row group from the start up to `r` (Parquet's record
//! assembly cannot jump into a row group), through a few cursors kept per file, so rows read in
//! order (the list, the scan) cost one decode each. The parquet crate can panic on damaged
//! data; every decode runs under `catch_unwind` and a panic is the row's error.

use std::fs::File;
use std::io::{self, Read};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use ::parquet::errors::ParquetError;
use ::parquet::file::reader::{FileReader, SerializedFileReader};
use ::parquet::file::serialized_reader::ReadOptionsBuilder;
use ::parquet::record::reader::RowIter;
use ::parquet::record::{Field, Row};

use super::split::RecordSpan;

/// The first (and last) bytes of a Parquet file.
pub const MAGIC: &[u8; 4] = b"PAR1";

/// The columns that hold a trajectory; a file needs one of them (unless a format is forced).
pub const COLUMNS: &[&str] = &["messages", "conversations", "trajectory", "traj"];

/// Cursors kept per file: the screen, and the sample's workers, each read in order.
const CURSORS: usize = 4;

/// Values a cursor decodes ahead per column: small, so that the first row of a row group
/// comes quickly (the scan, which reads every row, takes the crate's default).
const CURSOR_BATCH: usize = 64;

/// Whether `path` starts with the Parquet magic bytes.
pub fn is_parquet(path: &Path) -> io::Result<bool> {
    let mut magic = [0u8; 4];
    let mut file = File::open(path)?;
    let mut filled = 0;
    while filled < magic.len() {
        match file.read(&mut magic[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled == magic.len() && magic == *MAGIC)
}

/// One Parquet file, its footer read.
pub struct Rows {
    /// Every decoder opens the file anew: the parquet crate seeks the file it is given, and
    /// handles cloned from one `File` share its offset (decoders on two threads would read
    /// each other's pages).
    path: PathBuf,
    /// The first row of each row group, then the number of rows.
    starts: Vec<u64>,
    /// Decoders positioned inside a row group, for the next reads in order.
    cursors: Mutex<Vec<Cursor>>,
    /// The row read last, as JSON: read again at once (the screen reads the first row to
    /// know there is something to show, then shows it).
    last: Mutex<Option<(u64, Vec<u8>)>>,
}

/// A row group's rows being read in order: `next` is the row (in the group) `iter` gives next.
struct Cursor {
    group: usize,
    next: u64,
    iter: RowIter<'static>,
}

fn damaged(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("damaged Parquet file: {e}"),
    )
}

/// Run `f`, turning a panic of the decoder into an error.
fn guarded<T>(f: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
    panic::catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|p| Err(damaged(crate::diag::panic_message(&*p))))
}

impl Rows {
    /// Read the footer. A damaged or truncated file is an error; so is a file without a
    /// trajectory column (it names the columns it has), unless a format is `forced`.
    pub fn open(path: &Path, forced: bool) -> io::Result<Rows> {
        let file = File::open(path)?;
        guarded(|| {
            let reader = SerializedFileReader::new(file).map_err(|e| match e {
                ParquetError::EOF(_) => damaged(format!("{e} (truncated?)")),
                e => damaged(e),
            })?;
            let meta = reader.metadata();
            let schema = meta.file_metadata().schema_descr();
            let columns: Vec<&str> = schema
                .root_schema()
                .get_fields()
                .iter()
                .map(|f| f.name())
                .collect();
            if !forced && !columns.iter().any(|c| COLUMNS.contains(c)) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "no column to read trajectories from: a Parquet file needs `messages`, \
                         `conversations`, `trajectory` or `traj`, and this one has {} \
                         (to read its rows anyway, force a format with --format)",
                        match columns.is_empty() {
                            true => "none".to_string(),
                            false => columns
                                .iter()
                                .map(|c| format!("`{c}`"))
                                .collect::<Vec<_>>()
                                .join(", "),
                        }
                    ),
                ));
            }
            let mut starts = vec![0u64];
            for group in meta.row_groups() {
                let rows = u64::try_from(group.num_rows()).map_err(damaged)?;
                starts.push(starts[starts.len() - 1] + rows);
            }
            Ok(Rows {
                path: path.to_path_buf(),
                starts,
                cursors: Mutex::new(Vec::new()),
                last: Mutex::new(None),
            })
        })
    }

    /// Rows in the file.
    pub fn len(&self) -> u64 {
        self.starts[self.starts.len() - 1]
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn groups(&self) -> usize {
        self.starts.len() - 1
    }

    /// The rows of `group`: global row numbers `range.start..range.end` of the file.
    pub fn group_rows(&self, group: usize) -> std::ops::Range<u64> {
        self.starts[group]..self.starts[group + 1]
    }

    /// A decoder of `group` from its first row, decoding `batch` values ahead.
    fn cursor(&self, group: usize, batch: Option<usize>) -> io::Result<Cursor> {
        let options = ReadOptionsBuilder::new()
            .with_predicate(Box::new(move |_, i| i == group))
            .build();
        let file = File::open(&self.path)?;
        let reader = SerializedFileReader::new_with_options(file, options).map_err(damaged)?;
        Ok(Cursor {
            group,
            next: 0,
            iter: match batch {
                Some(n) => RowIter::from_file_into(Box::new(reader)).with_batch_size(n),
                None => RowIter::from_file_into(Box::new(reader)),
            },
        })
    }

    /// Row `row` (of the file) as JSON text.
    pub fn read(&self, row: u64) -> io::Result<Vec<u8>> {
        if row >= self.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("no row {row}: the file has {}", self.len()),
            ));
        }
        if let Some((_, json)) = lock(&self.last).as_ref().filter(|(r, _)| *r == row) {
            return Ok(json.clone());
        }
        let group = self.starts.partition_point(|&s| s <= row) - 1;
        let within = row - self.starts[group];
        // The cursor of this group that is furthest along without having passed the row.
        let reuse = {
            let mut cursors = lock(&self.cursors);
            let best = (0..cursors.len())
                .filter(|&k| cursors[k].group == group && cursors[k].next <= within)
                .max_by_key(|&k| cursors[k].next);
            best.map(|k| cursors.swap_remove(k))
        };
        let mut cursor = match reuse {
            Some(cursor) => cursor,
            None => guarded(|| self.cursor(group, Some(CURSOR_BATCH)))?,
        };
        let json = guarded(|| {
            while cursor.next < within {
                next_row(&mut cursor)?;
            }
            let row = next_row(&mut cursor)?;
            Ok(to_json(&row))
        })?;
        let mut cursors = lock(&self.cursors);
        if cursors.len() >= CURSORS {
            cursors.remove(0);
        }
        cursors.push(cursor);
        *lock(&self.last) = Some((row, json.clone()));
        Ok(json)
    }

    /// Every row of `group` in order, as JSON text, handed to `each` with its row number in
    /// the file. A row that cannot be decoded is an error, and so is every row after it in the
    /// group (the decoder cannot go on past damaged data).
    pub fn each_row(&self, group: usize, mut each: impl FnMut(u64, io::Result<&[u8]>)) {
        let rows = self.group_rows(group);
        let mut json = Vec::new();
        let mut cursor = match guarded(|| self.cursor(group, None)) {
            Ok(cursor) => cursor,
            Err(e) => return fail_from(rows.start, rows, &e, each),
        };
        for row in rows.clone() {
            json.clear();
            let decoded = guarded(|| next_row(&mut cursor).map(|r| write_row(&r, &mut json)));
            match decoded {
                Ok(()) => each(row, Ok(&json)),
                Err(e) => return fail_from(row, rows, &e, each),
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Rows `from..rows.end` could not be decoded: each gets the error.
fn fail_from(
    from: u64,
    rows: std::ops::Range<u64>,
    e: &io::Error,
    mut each: impl FnMut(u64, io::Result<&[u8]>),
) {
    for row in from..rows.end {
        each(row, Err(io::Error::new(e.kind(), e.to_string())));
    }
}

/// The span of row `row` in the index: its row number (`start`, and `end` one past it), on
/// "line" row + 1, so that a diagnostic names the row.
pub fn row_span(row: u64) -> RecordSpan {
    RecordSpan {
        start: row,
        end: row + 1,
        line: u32::try_from(row + 1).unwrap_or(u32::MAX),
        column: 1,
        key: None,
    }
}

fn next_row(cursor: &mut Cursor) -> io::Result<Row> {
    let row = match cursor.iter.next() {
        Some(row) => row.map_err(damaged)?,
        None => return Err(damaged("the row group ends before its row count")),
    };
    cursor.next += 1;
    Ok(row)
}

/// A row as the JSON object of its columns.
pub fn to_json(row: &Row) -> Vec<u8> {
    let mut out = Vec::new();
    write_row(row, &mut out);
    out
}

/// Parquet cannot tell a missing field from a null one (a column missing from some records
/// is null in their rows): null members are left out, as the JSON they came from had them.
fn write_row(row: &Row, out: &mut Vec<u8>) {
    out.push(b'{');
    let mut first = true;
    for (name, field) in row.get_column_iter() {
        if matches!(field, Field::Null) {
            continue;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        write_str(name, out);
        out.push(b':');
        write_field(field, out);
    }
    out.push(b'}');
}

fn write_str(text: &str, out: &mut Vec<u8>) {
    // Writing a string into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

fn write_number(value: impl serde::Serialize, out: &mut Vec<u8>) {
    // Non-finite floats are written as `null`.
    let _ = serde_json::to_writer(&mut *out, &value);
}

fn write_field(field: &Field, out: &mut Vec<u8>) {
    match field {
        Field::Null => out.extend_from_slice(b"null"),
        Field::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Field::Byte(n) => write_number(n, out),
        Field::Short(n) => write_number(n, out),
        Field::Int(n) => write_number(n, out),
        Field::Long(n) => write_number(n, out),
        Field::UByte(n) => write_number(n, out),
        Field::UShort(n) => write_number(n, out),
        Field::UInt(n) => write_number(n, out),
        Field::ULong(n) => write_number(n, out),
        Field::Float16(n) => write_number(f32::from(*n), out),
        Field::Float(n) => write_number(n, out),
        Field::Double(n) => write_number(n, out),
        Field::Str(s) => write_str(s, out),
        Field::Bytes(b) => write_str(&String::from_utf8_lossy(b.data()), out),
        Field::Group(row) => write_row(row, out),
        Field::ListInternal(list) => {
            out.push(b'[');
            for (k, element) in list.elements().iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                write_field(element, out);
            }
            out.push(b']');
        }
        Field::MapInternal(map) => {
            out.push(b'{');
            let mut first = true;
            for (key, value) in map.entries() {
                if matches!(value, Field::Null) {
                    continue;
                }
                if !first {
                    out.push(b',');
                }
                first = false;
                match key {
                    Field::Str(s) => write_str(s, out),
                    other => write_str(&other.to_string(), out),
                }
                out.push(b':');
                write_field(value, out);
            }
            out.push(b'}');
        }
        // Decimals, dates and times: as the text Parquet's own display gives them.
        other => write_str(other.to_string().trim_matches('"'), out),
    }
}
