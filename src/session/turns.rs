//! Verifying a judge on a turn sample (`--sample-turns N --by JUDGE`): the sample drawn among
//! the agent turns the judge labelled, half right and half wrong (see
//! [`crate::sample::turns`]), recorded beside the journals and read back for blind review;
//! and each person's 2×2 table against the judge over the sampled turns, with percent
//! agreement and Cohen's κ (`trev agree`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use anyhow::{bail, Result};
use serde::Serialize;

use crate::agree::{stats::cohen_kappa, Pair, Undefined};
use crate::labels::Replay;
use crate::load::Dataset;
use crate::model::Role;
use crate::parallel;
use crate::sample::turns::{self, Candidate, SampledTurn, TurnSampleRecord, TurnSpec};

/// Draw a turn sample of `spec.size` among the agent turns annotator `judge` labelled right or
/// wrong in the journals of `dir`, and record it there (or check it is the one recorded).
pub fn draw(data: &Dataset, dir: &Path, judge: &str, spec: TurnSpec) -> Result<TurnSampleRecord> {
    if judge == super::judge::RULES {
        bail!("a turn sample is drawn by a judge's journal (--by NAME), not by the rules");
    }
    if spec.size == 0 {
        bail!("--sample-turns needs at least one turn");
    }
    let mut replay = Replay::new();
    if dir.exists() {
        replay.read_path(dir)?;
    }
    let census = super::estimate::census(data, &replay);
    // The judge's labels, by record: (turn, wrong).
    let by_key: HashMap<_, usize> = census
        .keys
        .iter()
        .enumerate()
        .filter_map(|(i, k)| Some((k.clone()?, i)))
        .collect();
    let mut labelled: BTreeMap<usize, Vec<(usize, bool)>> = BTreeMap::new();
    for (key, mark) in &census.marks.marks {
        let (true, Some(turn)) = (key.annotator == judge, key.turn) else {
            continue;
        };
        let wrong = match mark.label.as_str() {
            "right" => false,
            "wrong" => true,
            _ => continue,
        };
        if let Some(&i) = by_key.get(&(key.run.clone(), key.trajectory.clone())) {
            labelled.entry(i).or_default().push((turn, wrong));
        }
    }
    let records: Vec<(usize, Vec<(usize, bool)>)> = labelled.into_iter().collect();
    // Only agent turns that are not in-context examples, read from the data.
    let found = parallel::parallel_map(records.len(), |k| {
        let (i, marks) = &records[k];
        let (t, _) = data.load(*i).ok()?;
        let mut turns: Vec<(usize, bool)> = marks
            .iter()
            .copied()
            .filter(|&(turn, _)| {
                t.turns
                    .get(turn)
                    .is_some_and(|x| x.role == Role::Agent && !x.demo)
            })
            .collect();
        turns.sort_unstable();
        Some((t.run.to_string(), t.id, turns))
    });
    let mut candidates = Vec::new();
    let mut keys = Vec::new();
    for (k, (run, id, turns)) in found.into_iter().flatten().enumerate() {
        for (turn, wrong) in turns {
            candidates.push(Candidate {
                trajectory: k,
                turn,
                wrong,
            });
            keys.push((run.clone(), id.clone()));
        }
    }
    if candidates.is_empty() {
        bail!(
            "{}: no agent turn of this data is labelled right or wrong by '{judge}' (import the judge's labels with `trev label --import FILE --annotator {judge}`)",
            dir.display()
        );
    }
    let turns = turns::draw(&candidates, spec.size, spec.seed)
        .into_iter()
        .map(|k| SampledTurn {
            run: keys[k].0.clone(),
            trajectory: keys[k].1.clone(),
            turn: candidates[k].turn,
            judge: if candidates[k].wrong {
                "wrong"
            } else {
                "right"
            }
            .into(),
        })
        .collect();
    let record = TurnSampleRecord {
        v: 1,
        kind: "turns".into(),
        judge: judge.to_string(),
        spec,
        records: data.len(),
        turns,
    };
    turns::record(dir, &record)?;
    Ok(record)
}

/// What a drawn turn sample holds, as text.
pub fn summary(r: &TurnSampleRecord) -> String {
    let trajectories: HashSet<(&str, &str)> = r
        .turns
        .iter()
        .map(|t| (t.run.as_str(), t.trajectory.as_str()))
        .collect();
    let (right, wrong) = (r.count(false), r.count(true));
    let mut s = format!(
        "a turn sample of {} by {} (seed {}): {right} it called right, {wrong} it called wrong, in {} trajectories",
        r.turns.len(),
        r.judge,
        r.spec.seed,
        trajectories.len()
    );
    if right < r.spec.size / 2 || wrong < r.spec.size - r.spec.size / 2 {
        s.push_str(&format!(
            "; {} asked for, and the judge has fewer turns of a kind",
            r.spec.size
        ));
    }
    s
}

/// The recorded turn sample's turns found in `data`: (record index, the turn's position in
/// `r.turns`), in the record's order. A recorded sample none of whose trajectories are in
/// `data` is an error.
pub fn in_data(data: &Dataset, dir: &Path, r: &TurnSampleRecord) -> Result<Vec<(usize, usize)>> {
    data.wait();
    let keys = parallel::parallel_map(data.len(), |i| {
        data.load(i).ok().map(|(t, _)| (t.run.to_string(), t.id))
    });
    let index: HashMap<(&str, &str), usize> = keys
        .iter()
        .enumerate()
        .filter_map(|(i, k)| k.as_ref().map(|(run, id)| ((run.as_str(), id.as_str()), i)))
        .collect();
    let found: Vec<(usize, usize)> = r
        .turns
        .iter()
        .enumerate()
        .filter_map(|(k, t)| Some((*index.get(&(t.run.as_str(), t.trajectory.as_str()))?, k)))
        .collect();
    if found.is_empty() && !r.turns.is_empty() {
        bail!(
            "{}: the recorded turn sample's trajectories are not in this data; review the data it was drawn from, or remove the file to draw a new sample",
            dir.join(turns::TURN_RECORD_FILE).display()
        );
    }
    Ok(found)
}

/// The judge against every person on a recorded turn sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JudgeTable {
    pub judge: String,
    /// Sampled turns, and of them the judge called right and wrong (as recorded).
    pub turns: usize,
    pub judge_right: usize,
    pub judge_wrong: usize,
    /// Per person (every annotator but the judge with a label on a sampled turn): `n` sampled
    /// turns they marked right or wrong, percent agreement, Cohen's κ, and the 2×2 `confusion`
    /// (rows: the judge's label, right then wrong; columns: the person's).
    pub people: BTreeMap<String, Pair>,
}

/// Each person's table against the judge on the turns of `r`. The judge's label is the one
/// recorded (its stratum, what it said when the sample was drawn); a person's is their latest
/// mark on the turn, a line naming the turn's run before one naming none (which applies only
/// where the sample has that trajectory id in one run). Labels other than right and wrong are
/// left out.
pub fn table(replay: &Replay, r: &TurnSampleRecord) -> JudgeTable {
    let wanted: HashMap<(&str, &str, usize), bool> = r
        .turns
        .iter()
        .map(|t| {
            (
                (t.run.as_str(), t.trajectory.as_str(), t.turn),
                t.judge == "wrong",
            )
        })
        .collect();
    // (annotator, run, trajectory, turn) → (names the run, at, wrong): a line naming the run
    // wins over one naming none; else the later.
    type Said<'a> = HashMap<(&'a str, &'a str, &'a str, usize), (bool, &'a str, bool)>;
    let mut said: Said = HashMap::new();
    for (key, mark) in replay.marks() {
        let Some(turn) = key.turn else { continue };
        if key.annotator == r.judge {
            continue;
        }
        let wrong = match mark.label.as_str() {
            "right" => false,
            "wrong" => true,
            _ => continue,
        };
        let run = match &key.run {
            Some(run) => run.as_str(),
            // A line naming no run: on the one run sampled with that id (several: ambiguous).
            None => {
                let runs: BTreeSet<&str> = r
                    .turns
                    .iter()
                    .filter(|t| t.trajectory == key.trajectory)
                    .map(|t| t.run.as_str())
                    .collect();
                match (runs.len(), runs.first()) {
                    (1, Some(&run)) => run,
                    _ => continue,
                }
            }
        };
        if !wanted.contains_key(&(run, key.trajectory.as_str(), turn)) {
            continue;
        }
        let slot = (key.annotator.as_str(), run, key.trajectory.as_str(), turn);
        let new = (key.run.is_some(), mark.at.as_str(), wrong);
        if said
            .get(&slot)
            .is_none_or(|old| (old.0, old.1) <= (new.0, new.1))
        {
            said.insert(slot, new);
        }
    }
    let mut people: BTreeMap<String, [[u64; 2]; 2]> = BTreeMap::new();
    for ((annotator, run, trajectory, turn), (_, _, wrong)) in said {
        let judge = wanted[&(run, trajectory, turn)];
        people.entry(annotator.to_string()).or_default()[usize::from(judge)][usize::from(wrong)] +=
            1;
    }
    let people = people
        .into_iter()
        .map(|(name, m)| {
            let n: u64 = m.iter().flatten().sum();
            let confusion: Vec<Vec<u64>> = m.iter().map(|r| r.to_vec()).collect();
            let pair = Pair {
                n,
                percent_agreement: match n {
                    0 => Err(Undefined::NoSharedItems),
                    _ => Ok((m[0][0] + m[1][1]) as f64 / n as f64),
                },
                cohen_kappa: cohen_kappa(&confusion),
                confusion,
            };
            (name, pair)
        })
        .collect();
    JudgeTable {
        judge: r.judge.clone(),
        turns: r.turns.len(),
        judge_right: r.count(false),
        judge_wrong: r.count(true),
        people,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn turn(run: &str, id: &str, judge: &str) -> SampledTurn {
        SampledTurn {
            run: run.into(),
            trajectory: id.into(),
            turn: 1,
            judge: judge.into(),
        }
    }

    #[test]
    fn a_line_naming_no_run_counts_only_where_the_sample_has_its_id_in_one_run() {
        let record = TurnSampleRecord {
            v: 1,
            kind: "turns".into(),
            judge: "gpt4".into(),
            spec: TurnSpec { size: 3, seed: 0 },
            records: 3,
            turns: vec![
                turn("a", "x", "right"),
                turn("b", "x", "wrong"),
                turn("a", "y", "wrong"),
            ],
        };
        let lines = [
            // Two runs sampled x: ambiguous, left out.
            r#"{"annotator":"bob","trajectory":"x","turn":1,"label":"right"}"#,
            // y only in run a.
            r#"{"annotator":"bob","trajectory":"y","turn":1,"label":"wrong"}"#,
            // Named: counts, and wins over an unnamed line on the same turn.
            r#"{"at":"2026-01-01T00:00:00Z","annotator":"bob","run":"b","trajectory":"x","turn":1,"label":"right"}"#,
            r#"{"at":"2026-01-02T00:00:00Z","annotator":"carol","trajectory":"y","turn":1,"label":"right"}"#,
            r#"{"at":"2026-01-01T00:00:00Z","annotator":"carol","run":"a","trajectory":"y","turn":1,"label":"wrong"}"#,
            // Not sampled, or the judge's own, or another label: left out.
            r#"{"annotator":"bob","run":"a","trajectory":"x","turn":2,"label":"wrong"}"#,
            r#"{"annotator":"gpt4","run":"a","trajectory":"x","turn":1,"label":"right"}"#,
            r#"{"annotator":"dan","run":"a","trajectory":"x","turn":1,"label":"unsure"}"#,
        ];
        let mut replay = Replay::new();
        let file: Arc<Path> = Arc::from(Path::new("j.jsonl"));
        replay.read_str(&(lines.join("\n") + "\n"), &file, "j");
        let t = table(&replay, &record);
        assert_eq!((t.judge_right, t.judge_wrong), (1, 2));
        assert_eq!(t.people.keys().collect::<Vec<_>>(), ["bob", "carol"]);
        // bob: x@b judged wrong, said right; y@a judged wrong, said wrong.
        assert_eq!(t.people["bob"].confusion, [[0, 0], [1, 1]]);
        assert_eq!(t.people["bob"].percent_agreement, Ok(0.5));
        // carol: the named line, though older.
        assert_eq!(t.people["carol"].confusion, [[0, 0], [0, 1]]);
    }
}
