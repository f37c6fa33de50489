//! Reproducible samples of a dataset (uniform, stratified by task, or a fixed number per task)
//! and the statistics to extrapolate from a reviewed sample to the whole set (Wilson score
//! intervals). The generator is SplitMix64, written here so the same seed picks the same
//! trajectories on every machine and every version of every dependency.

use std::collections::{BTreeMap, HashSet};

use crate::parallel::parallel_map;

pub mod turns;

/// SplitMix64: small, fast, and fully specified.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..bound` (Lemire's method with rejection: no modulo bias).
    pub fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0);
        let threshold = bound.wrapping_neg() % bound;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(bound);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }
}

/// `k` distinct indices out of `0..n`, uniformly (Floyd's algorithm), in increasing order.
/// All of them when `k >= n`.
pub fn uniform(n: usize, k: usize, seed: u64) -> Vec<usize> {
    if k >= n {
        return (0..n).collect();
    }
    let mut rng = Rng::new(seed);
    let mut chosen = HashSet::with_capacity(k);
    for j in n - k..n {
        let t = rng.below(j as u64 + 1) as usize;
        if !chosen.insert(t) {
            chosen.insert(j);
        }
    }
    let mut out: Vec<usize> = chosen.into_iter().collect();
    out.sort_unstable();
    out
}

/// How many of `k` to take from each stratum, in proportion to its size (largest remainder;
/// ties go to the earlier stratum).
pub fn allocate(sizes: &[usize], k: usize) -> Vec<usize> {
    let total: usize = sizes.iter().sum();
    if k >= total {
        return sizes.to_vec();
    }
    let mut take: Vec<usize> = sizes.iter().map(|&s| s * k / total).collect();
    let mut left = k - take.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    // Largest remainder first: remainder of s*k/total, compared exactly as s*k mod total.
    order.sort_by_key(|&i| std::cmp::Reverse((sizes[i] * k) % total));
    for i in order {
        if left == 0 {
            break;
        }
        if take[i] < sizes[i] {
            take[i] += 1;
            left -= 1;
        }
    }
    take
}

/// A sample stratified by a key (the task): each stratum contributes in proportion to its size,
/// or `per_stratum` each when given. `keys[i]` is record `i`'s stratum. In increasing order.
pub fn stratified<K: Ord + Clone>(
    keys: &[K],
    k: usize,
    per_stratum: Option<usize>,
    seed: u64,
) -> Vec<usize> {
    let mut strata: BTreeMap<K, Vec<usize>> = BTreeMap::new();
    for (i, key) in keys.iter().enumerate() {
        strata.entry(key.clone()).or_default().push(i);
    }
    let sizes: Vec<usize> = strata.values().map(Vec::len).collect();
    let take = match per_stratum {
        Some(n) => sizes.iter().map(|&s| s.min(n)).collect(),
        None => allocate(&sizes, k),
    };
    let mut out = Vec::new();
    for (s, (members, want)) in strata.values().zip(take).enumerate() {
        // A seed per stratum, derived from the user's seed and the stratum's position.
        let sub_seed = Rng::new(seed ^ (s as u64).wrapping_mul(0xA24B_AED4_963E_E407)).next_u64();
        out.extend(
            uniform(members.len(), want, sub_seed)
                .into_iter()
                .map(|j| members[j]),
        );
    }
    out.sort_unstable();
    out
}

/// What sample a session works on (`--sample N [--seed S] [--stratify task | --per-task N]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SampleSpec {
    /// Trajectories to draw in all (ignored with `per_task`).
    pub size: usize,
    pub seed: u64,
    /// Draw from each task in proportion to its size.
    pub stratify: bool,
    /// Draw this many from each task instead.
    pub per_task: Option<usize>,
}

impl SampleSpec {
    /// What was drawn, in words: `a sample of 12 of 30 records (seed 5, by task)`.
    pub fn describe(&self, drawn: usize, of: usize) -> String {
        let by_task = if self.per_task.is_some() || self.stratify {
            ", by task"
        } else {
            ""
        };
        format!(
            "a sample of {drawn} of {of} records (seed {}{by_task})",
            self.seed
        )
    }
}

/// The records (global indices into `data`, in increasing order) a sample selects. A uniform
/// sample needs only the index; a stratified one reads every record once for its task.
pub fn select(data: &crate::load::Dataset, spec: &SampleSpec) -> Vec<usize> {
    data.wait();
    let n = data.len();
    if !spec.stratify && spec.per_task.is_none() {
        return uniform(n, spec.size, spec.seed);
    }
    // Records that do not load form their own stratum, so indices stay aligned.
    let tasks: Vec<Option<crate::model::Task>> =
        parallel_map(n, |i| data.load(i).ok().map(|(t, _)| t.task));
    stratified(&tasks, spec.size, spec.per_task, spec.seed)
}

/// The file, beside the journals, that records the sample a team reviews.
pub const RECORD_FILE: &str = "sample.json";

/// A sample as recorded beside the annotations, so every annotator reviews the same one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SampleRecord {
    pub v: u32,
    pub spec: SampleSpec,
    /// Records in the dataset when the sample was drawn.
    pub records: usize,
    /// The sampled trajectories' ids, in dataset order.
    pub ids: Vec<String>,
    /// Their runs, in the same order (absent in records written before runs: then a recorded
    /// id stands for every loaded trajectory with that id).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<String>,
}

impl SampleRecord {
    /// The recorded trajectories: (run, id), the run `None` in records written before runs.
    pub fn keys(&self) -> impl Iterator<Item = (Option<&str>, &str)> {
        self.ids
            .iter()
            .enumerate()
            .map(|(i, id)| (self.runs.get(i).map(String::as_str), id.as_str()))
    }

    /// The same sample: spec, size and ids (the runs are compared when both records have them).
    fn same(&self, other: &SampleRecord) -> bool {
        self.v == other.v
            && self.spec == other.spec
            && self.records == other.records
            && self.ids == other.ids
            && (self.runs.is_empty() || other.runs.is_empty() || self.runs == other.runs)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a sample record: {source}")]
    Json {
        path: std::path::PathBuf,
        source: serde_json::Error,
    },
    #[error(transparent)]
    Write(#[from] crate::safe_write::WriteError),
    #[error("{path}: sample record version {v}, which this trev does not know (it reads 1)")]
    Version { path: std::path::PathBuf, v: u32 },
    #[error(
        "{path} records another sample (size {}, seed {}, {} of {} records); use the same options, or remove the file to draw a new sample",
        recorded.spec.size, recorded.spec.seed, recorded.ids.len(), recorded.records
    )]
    Differs {
        path: std::path::PathBuf,
        recorded: Box<SampleRecord>,
    },
    #[error("{path}: a record of kind '{kind}', which this trev does not know (it reads turns)")]
    Kind {
        path: std::path::PathBuf,
        kind: String,
    },
    #[error("{path}: a sampled turn's judge label is '{label}' (right or wrong expected)")]
    Stratum {
        path: std::path::PathBuf,
        label: String,
    },
    #[error(
        "{path} records another turn sample (by {judge}, size {size}, seed {seed}, {turns} turns); use the same options, or remove the file to draw a new sample"
    )]
    DiffersTurns {
        path: std::path::PathBuf,
        judge: String,
        size: usize,
        seed: u64,
        turns: usize,
    },
}

/// The sample recorded in `dir`, if any. A file that is not a sample record of a known
/// version is an error naming it.
pub fn recorded(dir: &std::path::Path) -> Result<Option<SampleRecord>, RecordError> {
    let path = dir.join(RECORD_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(RecordError::Io { path, source }),
    };
    let record: SampleRecord = match serde_json::from_slice(&bytes) {
        Ok(record) => record,
        Err(source) => return Err(RecordError::Json { path, source }),
    };
    if record.v != 1 {
        return Err(RecordError::Version { path, v: record.v });
    }
    Ok(Some(record))
}

/// Record a sample in `dir` (through [`crate::safe_write`]: a temporary file, synced, read back
/// and renamed). A different sample already there is an error; the same one is left as it is.
pub fn record(dir: &std::path::Path, sample: &SampleRecord) -> Result<(), RecordError> {
    let path = dir.join(RECORD_FILE);
    if let Some(old) = recorded(dir)? {
        if old.same(sample) {
            return Ok(());
        }
        return Err(RecordError::Differs {
            path,
            recorded: Box::new(old),
        });
    }
    let io = |source| RecordError::Io {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let json = serde_json::to_vec_pretty(sample).expect("a sample serialises");
    // Absent a moment ago: a record that appears meanwhile is not replaced.
    crate::safe_write::Outputs::new(&[], false)
        .claim(&path)?
        .write(&json)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_fixed_forever() {
        // SplitMix64's published first outputs for seed 0.
        let mut rng = Rng::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(uniform(1000, 5, 42), uniform(1000, 5, 42));
        assert_ne!(uniform(1000, 5, 42), uniform(1000, 5, 43));
    }

    #[test]
    fn samples_are_distinct_sorted_and_complete_when_asked_for_all() {
        let s = uniform(100, 30, 7);
        assert_eq!(s.len(), 30);
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        assert!(s.iter().all(|&i| i < 100));
        assert_eq!(uniform(5, 10, 1), vec![0, 1, 2, 3, 4]);
        assert!(uniform(0, 3, 1).is_empty());
    }

    #[test]
    fn sampling_is_uniform_by_chi_square() {
        // 20 000 samples of 10 out of 50: each index expected 4 000 times.
        let (n, k, runs) = (50usize, 10usize, 20_000u64);
        let mut counts = vec![0u64; n];
        for seed in 0..runs {
            for i in uniform(n, k, seed.wrapping_mul(0x9E37_79B9)) {
                counts[i] += 1;
            }
        }
        let expected = (runs as f64) * (k as f64) / (n as f64);
        let chi2: f64 = counts
            .iter()
            .map(|&c| (c as f64 - expected).powi(2) / expected)
            .sum();
        // 49 degrees of freedom: the 99.9th percentile is 85.35.
        assert!(chi2 < 85.35, "chi-square {chi2}");
    }

    #[test]
    fn stratified_samples_follow_the_strata_sizes() {
        let keys: Vec<&str> = std::iter::repeat_n("a", 600)
            .chain(std::iter::repeat_n("b", 300))
            .chain(std::iter::repeat_n("c", 100))
            .collect();
        let s = stratified(&keys, 50, None, 3);
        let count = |k: &str| s.iter().filter(|&&i| keys[i] == k).count();
        assert_eq!((count("a"), count("b"), count("c")), (30, 15, 5));
        let per = stratified(&keys, 0, Some(20), 3);
        assert_eq!(
            (per.len(), per.iter().filter(|&&i| keys[i] == "c").count()),
            (60, 20)
        );
        assert_eq!(stratified(&keys, 50, None, 3), s);
        assert_eq!(allocate(&[1, 1, 1], 2), vec![1, 1, 0]);
        assert_eq!(allocate(&[5, 3], 10), vec![5, 3]);
    }

    #[test]
    fn a_recorded_sample_is_kept_and_a_different_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let spec = SampleSpec {
            size: 2,
            seed: 9,
            stratify: false,
            per_task: None,
        };
        let rec = SampleRecord {
            runs: Vec::new(),
            v: 1,
            spec,
            records: 10,
            ids: vec!["a".into(), "b".into()],
        };
        assert_eq!(recorded(dir.path()).unwrap(), None);
        record(dir.path(), &rec).unwrap();
        record(dir.path(), &rec).unwrap();
        assert_eq!(recorded(dir.path()).unwrap(), Some(rec.clone()));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [RECORD_FILE], "no temporary file is left");
        let other = SampleRecord {
            runs: Vec::new(),
            spec: SampleSpec { seed: 10, ..spec },
            ..rec
        };
        let err = record(dir.path(), &other).unwrap_err();
        assert!(err.to_string().contains("seed 9"), "{err}");
    }

    #[test]
    fn a_malformed_record_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let good = r#"{"v":1,"spec":{"size":2,"seed":9,"stratify":false,"per_task":null},"records":10,"ids":["a","b"]}"#;
        let cases: [(&[u8], &str); 6] = [
            (b"", "not a sample record: EOF"),
            (b"{\"v\":1,\"spec\":", "not a sample record"),
            (b"\xff\xfe{}", "not a sample record"),
            (
                br#"{"v":1,"spec":{"size":-2,"seed":9,"stratify":false,"per_task":null},"records":10,"ids":[]}"#,
                "not a sample record: invalid value: integer `-2`",
            ),
            (
                br#"{"v":1,"spec":{"size":2,"seed":9,"stratify":false,"per_task":null},"records":10,"ids":[1]}"#,
                "not a sample record: invalid type: integer `1`",
            ),
            (
                br#"{"v":7,"spec":{"size":2,"seed":9,"stratify":false,"per_task":null},"records":10,"ids":[]}"#,
                "sample record version 7",
            ),
        ];
        for (bytes, why) in cases {
            std::fs::write(dir.path().join(RECORD_FILE), bytes).unwrap();
            let err = recorded(dir.path()).unwrap_err().to_string();
            assert!(err.contains("sample.json") && err.contains(why), "{err}");
        }
        std::fs::write(dir.path().join(RECORD_FILE), good).unwrap();
        assert_eq!(recorded(dir.path()).unwrap().unwrap().ids, ["a", "b"]);
    }
}
