//! The sample a session works on: drawn with a seed and recorded beside the journals (so every
//! annotator reviews the same one), or read back from that record.

use std::collections::HashSet;
use std::path::Path;

use anyhow::{bail, Result};

use crate::load::Dataset;
use crate::parallel;
use crate::sample::{self, SampleRecord, SampleSpec};

/// Draw a sample and, when there is an annotations directory, record it there (or check it is
/// the one already recorded). Returns the sampled records' global indices.
pub fn draw(data: &Dataset, spec: &SampleSpec, dir: Option<&Path>) -> Result<Vec<usize>> {
    let selected = sample::select(data, spec);
    if let Some(dir) = dir {
        let (runs, ids) = selected
            .iter()
            .map(|&i| match data.load(i) {
                Ok((t, _)) => (t.run.to_string(), t.id),
                Err(d) => (String::new(), d.to_string()),
            })
            .unzip();
        let record = SampleRecord {
            v: 1,
            spec: *spec,
            records: data.len(),
            ids,
            runs,
        };
        sample::record(dir, &record)?;
    }
    Ok(selected)
}

/// The sample to review: drawn (and recorded in `dir`) when `spec` is given, else the one
/// recorded in `dir`, else none (the whole dataset). A recorded sample none of whose
/// trajectories are in `data` is an error: it was drawn from other data.
pub fn for_review(
    data: &Dataset,
    spec: Option<&SampleSpec>,
    dir: &Path,
) -> Result<Option<Vec<usize>>> {
    if let Some(spec) = spec {
        return Ok(Some(draw(data, spec, Some(dir))?));
    }
    let Some(record) = sample::recorded(dir)? else {
        return Ok(None);
    };
    data.wait();
    let keys = parallel::parallel_map(data.len(), |i| {
        data.load(i).ok().map(|(t, _)| (t.run.to_string(), t.id))
    });
    let found: Vec<usize> = matches(&record, &keys);
    if found.is_empty() && !record.ids.is_empty() {
        bail!(
            "{}: the recorded sample's {} trajectories are not in this data; review the data it was drawn from, or remove the file to draw a new sample",
            dir.join(sample::RECORD_FILE).display(),
            record.ids.len()
        );
    }
    Ok(Some(found))
}

/// The records of `keys` (each loaded record's run and id) that `record` sampled: by run and
/// id, or by id alone for a record written before runs.
pub fn matches(record: &SampleRecord, keys: &[Option<(String, String)>]) -> Vec<usize> {
    let by_key: HashSet<(Option<&str>, &str)> = record.keys().collect();
    keys.iter()
        .enumerate()
        .filter(|(_, key)| {
            key.as_ref().is_some_and(|(run, id)| {
                by_key.contains(&(Some(run.as_str()), id.as_str()))
                    || by_key.contains(&(None, id.as_str()))
            })
        })
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn open() -> Dataset {
        let data = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/sample_data/agentinstruct_os.json"
        ));
        Dataset::open(&[data], Default::default()).unwrap()
    }

    #[test]
    fn a_recorded_sample_is_reviewed_without_sample_options() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(for_review(&open(), None, dir.path()).unwrap(), None);
        let spec = SampleSpec {
            size: 1,
            seed: 7,
            stratify: false,
            per_task: None,
        };
        let first = for_review(&open(), Some(&spec), dir.path())
            .unwrap()
            .unwrap();
        assert_eq!(first.len(), 1);
        let again = for_review(&open(), None, dir.path()).unwrap();
        assert_eq!(again, Some(first), "the recorded sample, found by id");
    }
}
