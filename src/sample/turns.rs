//! A sample of turns stratified by a judge's labels (`--sample-turns N --by JUDGE`), drawn the
//! way AgentRefine checked its GPT-4 judge: half among the turns the judge called right, half
//! among those it called wrong, one right and one wrong turn of the same trajectory where a
//! trajectory has both; recorded beside the journals as `turn-sample.json` so every annotator
//! reviews the same turns.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{RecordError, Rng};

/// The file, beside the journals, that records the turn sample a team reviews blind.
pub const TURN_RECORD_FILE: &str = "turn-sample.json";

/// A turn the judge labelled: its trajectory (any key that orders trajectories), its turn, and
/// whether the judge called it wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub trajectory: usize,
    pub turn: usize,
    pub wrong: bool,
}

/// Shuffle `v` in place (Fisher–Yates with the sample's generator).
fn shuffle<T>(v: &mut [T], rng: &mut Rng) {
    for i in (1..v.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        v.swap(i, j);
    }
}

/// Draw `size` of `candidates` (indices into it, in candidate order): ⌊size/2⌋ the judge
/// called right and the rest wrong (or every one of a kind that has fewer). First pairs: the
/// trajectories with turns of both kinds, in a random order, each giving one right and one
/// wrong turn picked at random, while both halves want more; then each half is filled one turn
/// per trajectory, round after round, trajectories with fewer sampled turns first (in random
/// order among equals), so the turns spread over as many trajectories as they can.
pub fn draw(candidates: &[Candidate], size: usize, seed: u64) -> Vec<usize> {
    let mut rng = Rng::new(seed);
    // trajectory → [right turns, wrong turns] (indices into candidates)
    let mut by: BTreeMap<usize, [Vec<usize>; 2]> = BTreeMap::new();
    for (k, c) in candidates.iter().enumerate() {
        by.entry(c.trajectory).or_default()[usize::from(c.wrong)].push(k);
    }
    let mut want = [size / 2, size - size / 2];
    let mut out = Vec::with_capacity(size);
    let mut used: BTreeMap<usize, usize> = BTreeMap::new();
    let take = |pool: &mut Vec<usize>, rng: &mut Rng, out: &mut Vec<usize>| {
        let j = rng.below(pool.len() as u64) as usize;
        out.push(pool.swap_remove(j));
    };
    let mut mixed: Vec<usize> = by
        .iter()
        .filter(|(_, p)| !p[0].is_empty() && !p[1].is_empty())
        .map(|(&t, _)| t)
        .collect();
    shuffle(&mut mixed, &mut rng);
    for t in mixed {
        if want[0] == 0 || want[1] == 0 {
            break;
        }
        let pools = by.get_mut(&t).expect("listed above");
        for (kind, w) in want.iter_mut().enumerate() {
            take(&mut pools[kind], &mut rng, &mut out);
            *w -= 1;
        }
        used.insert(t, 2);
    }
    for (kind, w) in want.iter_mut().enumerate() {
        while *w > 0 {
            let mut round: Vec<usize> = by
                .iter()
                .filter(|(_, p)| !p[kind].is_empty())
                .map(|(&t, _)| t)
                .collect();
            if round.is_empty() {
                break;
            }
            shuffle(&mut round, &mut rng);
            round.sort_by_key(|t| used.get(t).copied().unwrap_or(0));
            for t in round.into_iter().take(*w) {
                take(
                    &mut by.get_mut(&t).expect("listed")[kind],
                    &mut rng,
                    &mut out,
                );
                *used.entry(t).or_default() += 1;
                *w -= 1;
            }
        }
    }
    out.sort_unstable();
    out
}

/// How a turn sample was drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnSpec {
    /// Turns asked for (half right, half wrong by the judge).
    pub size: usize,
    pub seed: u64,
}

/// One sampled turn, and what the judge called it when the sample was drawn (its stratum).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampledTurn {
    pub run: String,
    pub trajectory: String,
    pub turn: usize,
    /// `right` or `wrong`.
    pub judge: String,
}

/// A turn sample as recorded beside the annotations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnSampleRecord {
    pub v: u32,
    /// Always `turns`: what this record is.
    pub kind: String,
    /// The annotator whose labels the sample is stratified by (a model judge's journal).
    pub judge: String,
    pub spec: TurnSpec,
    /// Records in the dataset when the sample was drawn.
    pub records: usize,
    /// The sampled turns, in review order (dataset order, then turn).
    pub turns: Vec<SampledTurn>,
}

impl TurnSampleRecord {
    /// The sampled turns the judge called `wrong` (`true`) or right.
    pub fn count(&self, wrong: bool) -> usize {
        self.turns
            .iter()
            .filter(|t| (t.judge == "wrong") == wrong)
            .count()
    }
}

fn path_in(dir: &Path) -> PathBuf {
    dir.join(TURN_RECORD_FILE)
}

/// The turn sample recorded in `dir`, if any. A file that is not a turn sample record of a
/// known version is an error naming it.
pub fn recorded(dir: &Path) -> Result<Option<TurnSampleRecord>, RecordError> {
    let path = path_in(dir);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(RecordError::Io { path, source }),
    };
    let record: TurnSampleRecord = match serde_json::from_slice(&bytes) {
        Ok(record) => record,
        Err(source) => return Err(RecordError::Json { path, source }),
    };
    if record.v != 1 {
        return Err(RecordError::Version { path, v: record.v });
    }
    if record.kind != "turns" {
        return Err(RecordError::Kind {
            path,
            kind: record.kind,
        });
    }
    if let Some(t) = record
        .turns
        .iter()
        .find(|t| t.judge != "right" && t.judge != "wrong")
    {
        return Err(RecordError::Stratum {
            path,
            label: t.judge.clone(),
        });
    }
    Ok(Some(record))
}

/// Record a turn sample in `dir` (a temporary file, synced, read back and renamed). A
/// different sample already there is an error; the same one is left as it is.
pub fn record(dir: &Path, sample: &TurnSampleRecord) -> Result<(), RecordError> {
    let path = path_in(dir);
    if let Some(old) = recorded(dir)? {
        if old == *sample {
            return Ok(());
        }
        return Err(RecordError::DiffersTurns {
            path,
            judge: old.judge,
            size: old.spec.size,
            seed: old.spec.seed,
            turns: old.turns.len(),
        });
    }
    std::fs::create_dir_all(dir).map_err(|source| RecordError::Io {
        path: path.clone(),
        source,
    })?;
    let json = serde_json::to_vec_pretty(sample).expect("a sample serialises");
    crate::safe_write::Outputs::new(&[], false)
        .claim(&path)?
        .write(&json)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 40 trajectories: the first 20 with 3 right and 2 wrong turns, the next 10 only right
    /// (4), the last 10 only wrong (1).
    fn candidates() -> Vec<Candidate> {
        let mut out = Vec::new();
        for t in 0..40 {
            let (right, wrong) = match t {
                0..20 => (3, 2),
                20..30 => (4, 0),
                _ => (0, 1),
            };
            for turn in 0..right + wrong {
                out.push(Candidate {
                    trajectory: t,
                    turn: turn * 2 + 1,
                    wrong: turn >= right,
                });
            }
        }
        out
    }

    #[test]
    fn halves_are_right_and_wrong_and_pairs_come_from_one_trajectory() {
        let c = candidates();
        let s = draw(&c, 20, 7);
        assert_eq!(s.len(), 20);
        assert!(s.windows(2).all(|w| w[0] < w[1]), "distinct, in order");
        let wrong = s.iter().filter(|&&k| c[k].wrong).count();
        assert_eq!((20 - wrong, wrong), (10, 10));
        // Ten mixed trajectories, each one right and one wrong.
        let mut per: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
        for &k in &s {
            let e = per.entry(c[k].trajectory).or_default();
            if c[k].wrong {
                e.1 += 1
            } else {
                e.0 += 1
            }
        }
        assert_eq!(per.len(), 10);
        assert!(per.iter().all(|(&t, &n)| t < 20 && n == (1, 1)), "{per:?}");
        assert_eq!(draw(&c, 20, 7), s, "the same seed draws the same turns");
        assert_ne!(draw(&c, 20, 8), s);
    }

    #[test]
    fn past_the_pairs_each_half_spreads_over_trajectories_and_odd_sizes_favour_wrong() {
        let c = candidates();
        // 70 wrong exist: 40 of the mixed trajectories' and 10 alone; 100 right.
        let s = draw(&c, 61, 3);
        let wrong: Vec<usize> = s.iter().copied().filter(|&k| c[k].wrong).collect();
        assert_eq!((s.len() - wrong.len(), wrong.len()), (30, 31));
        // The 20 pairs, then the 10 trajectories with only a wrong turn, then one more.
        let lone = wrong.iter().filter(|&&k| c[k].trajectory >= 30).count();
        assert_eq!(lone, 10);
        // More than there is: all of a kind.
        let all = draw(&c, 1000, 3);
        assert_eq!(all.len(), c.len());
        assert!(draw(&[], 10, 1).is_empty());
        let only_right = [Candidate {
            trajectory: 0,
            turn: 1,
            wrong: false,
        }];
        assert_eq!(draw(&only_right, 4, 1), [0]);
    }

    fn rec() -> TurnSampleRecord {
        TurnSampleRecord {
            v: 1,
            kind: "turns".into(),
            judge: "gpt4".into(),
            spec: TurnSpec { size: 2, seed: 5 },
            records: 3,
            turns: vec![
                SampledTurn {
                    run: "os".into(),
                    trajectory: "a".into(),
                    turn: 1,
                    judge: "right".into(),
                },
                SampledTurn {
                    run: "os".into(),
                    trajectory: "a".into(),
                    turn: 3,
                    judge: "wrong".into(),
                },
            ],
        }
    }

    #[test]
    fn the_record_round_trips_and_a_different_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(recorded(dir.path()).unwrap(), None);
        record(dir.path(), &rec()).unwrap();
        record(dir.path(), &rec()).unwrap();
        assert_eq!(recorded(dir.path()).unwrap(), Some(rec()));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [TURN_RECORD_FILE], "no temporary file is left");
        let other = TurnSampleRecord {
            spec: TurnSpec { size: 2, seed: 6 },
            ..rec()
        };
        let err = record(dir.path(), &other).unwrap_err().to_string();
        assert!(
            err.contains("turn-sample.json") && err.contains("seed 5"),
            "{err}"
        );
        assert!(err.contains("gpt4"), "{err}");
    }

    #[test]
    fn a_malformed_record_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let good = serde_json::to_string(&rec()).unwrap();
        let cases: [(String, &str); 7] = [
            (String::new(), "not a sample record: EOF"),
            ("{\"v\":1,\"kind\":".into(), "not a sample record"),
            (
                good.replace("\"v\":1", "\"v\":2"),
                "sample record version 2",
            ),
            (
                good.replace("\"kind\":\"turns\"", "\"kind\":\"pages\""),
                "kind 'pages'",
            ),
            (
                good.replace("\"turn\":3", "\"turn\":-3"),
                "invalid value: integer `-3`",
            ),
            (
                good.replace("\"judge\":\"wrong\"", "\"judge\":\"maybe\""),
                "'maybe'",
            ),
            (
                good.replace("\"judge\":\"gpt4\",", ""),
                "missing field `judge`",
            ),
        ];
        for (text, why) in cases {
            std::fs::write(dir.path().join(TURN_RECORD_FILE), text.as_bytes()).unwrap();
            let err = recorded(dir.path()).unwrap_err().to_string();
            assert!(err.contains(TURN_RECORD_FILE) && err.contains(why), "{err}");
        }
        std::fs::write(dir.path().join(TURN_RECORD_FILE), b"\xff\xfe{}").unwrap();
        assert!(recorded(dir.path()).is_err());
        std::fs::write(dir.path().join(TURN_RECORD_FILE), good).unwrap();
        assert_eq!(recorded(dir.path()).unwrap(), Some(rec()));
    }
}
