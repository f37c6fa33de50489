//! The scan's events over a sample: the selected records of an indexed dataset.

use std::io;

use super::{Event, FileEnd};
use crate::diag::Diagnostic;
use crate::load::{Dataset, Loaded};
use crate::parallel::parallel_map;

/// The same events as [`scan`], for the `selected` records (global indices, increasing) of an
/// indexed dataset: a sample. Records are parsed and mapped on every core.
pub fn scan_selected<T, M, S>(
    data: &Dataset,
    selected: &[usize],
    map: M,
    mut sink: S,
) -> io::Result<()>
where
    T: Send,
    M: Fn(Result<Loaded, Diagnostic>) -> T + Sync,
    S: FnMut(Event<T>) -> io::Result<()>,
{
    data.wait();
    let results = parallel_map(selected.len(), |k| map(data.load(selected[k])));
    let mut results = selected.iter().zip(results).peekable();
    let diagnostics = data.diagnostics();
    for file in data.files() {
        sink(Event::FileStart(file.path.clone()))?;
        let mut records = 0;
        while let Some((_, r)) = results.next_if(|(&i, _)| i < file.first + file.count) {
            records += 1;
            sink(Event::Record(r))?;
        }
        sink(Event::FileEnd(FileEnd {
            path: file.path.clone(),
            layout: file.layout,
            gzip: file.gzip,
            records,
            bytes: 0,
            diagnostics: diagnostics
                .iter()
                .filter(|d| d.file == file.path)
                .cloned()
                .collect(),
        }))?;
    }
    Ok(())
}
