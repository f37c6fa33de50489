//! From a reviewed sample to the whole dataset: the share of trajectories with a wrong agent
//! turn and the share of wrong agent turns, overall and per task, with 95 % intervals, scaled
//! to the dataset's counts; and how well the rules predicted the human verdict.
//!
//! The estimators follow the design the sample was drawn with. Within a task, the reviewed
//! trajectories are a simple random sample of the task (finite-population corrected). Overall,
//! a uniform sample is one such sample of the whole dataset; a sample drawn per task (in
//! proportion to each task's size, or a fixed number from each) is stratified, each task
//! weighted by its share of the dataset. The share of wrong turns is a ratio estimator with
//! trajectories as clusters (turns of one trajectory are not independent draws). Intervals are
//! Wilson score intervals at the design's effective sample size. Reviewed trajectories that are
//! not a random sample are described, never extrapolated.

pub mod corrected;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::Task;
use crate::numbers::grouped as group;

/// A proportion with its 95 % Wilson score interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Proportion {
    pub count: u64,
    pub of: u64,
    /// `None` when `of` is 0.
    pub share: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

impl Proportion {
    /// `count` of `of` draws, with the Wilson interval at `of` draws.
    pub fn simple(count: u64, of: u64) -> Proportion {
        let r = ratio(count, of);
        proportion(count, of, r.map(|r| (r, 0.0)))
    }

    /// Scale to a population of `total`: (estimate, low, high), rounded.
    pub fn extrapolate(&self, total: u64) -> Option<(u64, u64, u64)> {
        let t = total as f64;
        Some((
            (self.share? * t).round() as u64,
            (self.low? * t).round() as u64,
            (self.high? * t).round() as u64,
        ))
    }
}

/// What the review found in one sampled trajectory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reviewed {
    pub task: Task,
    /// Agent turns with a combined judgement.
    pub judged_turns: u64,
    pub wrong_turns: u64,
    /// The rules found an error-level defect in it.
    pub flagged: bool,
}

/// The whole dataset's size, to scale to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Population {
    pub trajectories: u64,
    pub agent_turns: u64,
}

/// How the reviewed trajectories were chosen: it decides how they are weighted, and whether
/// anything can be said of the trajectories nobody reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Design {
    /// Not a random sample (whatever was reviewed): the shares describe those trajectories
    /// only.
    Reviewed,
    /// A uniform random sample of the dataset.
    Uniform,
    /// A random sample within each task (in proportion to its size, or a fixed number each):
    /// each task weighs by its share of the dataset.
    ByTask,
}

/// A share and its extrapolation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scaled {
    /// `count` and `of` are raw counts of the reviewed; `share` is the design's estimate (the
    /// weighted share, or the ratio of wrong to judged turns) with its interval.
    #[serde(flatten)]
    pub share: Proportion,
    /// Of how many in the whole dataset (in the tasks the estimate covers).
    pub population: u64,
    /// `[estimate, low, high]`; `None` when nothing was reviewed, or the reviewed are not a
    /// random sample.
    pub estimate: Option<[u64; 3]>,
}

/// The estimate for one group (a task, or everything).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Trajectories with at least one wrong agent turn.
    pub trajectories_with_wrong: Scaled,
    /// Wrong agent turns among judged agent turns (trajectories as clusters).
    pub wrong_turns: Scaled,
}

/// How the rules' error findings predicted "has a wrong agent turn" on the reviewed sample.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct RulePrediction {
    pub true_positive: u64,
    pub false_positive: u64,
    pub false_negative: u64,
    pub true_negative: u64,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub accuracy: Option<f64>,
}

/// The full report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub design: Design,
    pub overall: Estimate,
    pub by_task: BTreeMap<String, Estimate>,
    /// Tasks of the dataset with no reviewed trajectory: the overall estimate of a sample
    /// drawn per task leaves them out (its population says how many it covers).
    pub tasks_not_covered: Vec<String>,
    pub rules: RulePrediction,
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// The 97.5th percentile of the standard normal distribution.
const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval at 95 % of a share `p` observed on `n` (not necessarily whole)
/// draws.
fn wilson(p: f64, n: f64) -> (f64, f64) {
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// One stratum: its population and each reviewed trajectory's `(y, m)` — for the share of
/// trajectories `(has a wrong turn, 1)`, for the share of turns `(wrong turns, judged turns)`.
struct Stratum {
    population: f64,
    units: Vec<(f64, f64)>,
}

/// The combined ratio estimate `Σ N_h ȳ_h / Σ N_h m̄_h` over strata that were each sampled at
/// random, with its linearised variance (finite-population corrected; a stratum of one unit
/// contributes that unit's squared residual). `None` when no stratum has a unit.
fn ratio_estimate(strata: &[Stratum]) -> Option<(f64, f64)> {
    let sampled = || strata.iter().filter(|s| !s.units.is_empty());
    let mean = |s: &Stratum, f: fn(&(f64, f64)) -> f64| {
        s.units.iter().map(f).sum::<f64>() / s.units.len() as f64
    };
    let y: f64 = sampled().map(|s| s.population * mean(s, |u| u.0)).sum();
    let x: f64 = sampled().map(|s| s.population * mean(s, |u| u.1)).sum();
    if x <= 0.0 {
        return None;
    }
    let r = y / x;
    let mut var = 0.0;
    for s in sampled() {
        let n = s.units.len() as f64;
        let d: Vec<f64> = s.units.iter().map(|(y, m)| y - r * m).collect();
        let s2 = if d.len() < 2 {
            d[0] * d[0]
        } else {
            let mean = d.iter().sum::<f64>() / n;
            d.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
        };
        let fpc = (1.0 - n / s.population).max(0.0);
        var += s.population * s.population * fpc * s2 / n;
    }
    Some((r, var / (x * x)))
}

/// A share from `count` of `of` raw draws, estimated at `r` with variance `var`: the interval
/// is Wilson's at the effective number of draws `r(1 − r)/var` (the raw number when that is
/// undefined: `r` at 0 or 1, or no variance).
fn proportion(count: u64, of: u64, estimate: Option<(f64, f64)>) -> Proportion {
    let Some((r, var)) = estimate.filter(|_| of > 0) else {
        return Proportion {
            count,
            of,
            share: None,
            low: None,
            high: None,
        };
    };
    let n = if var > 0.0 && r > 0.0 && r < 1.0 {
        r * (1.0 - r) / var
    } else {
        of as f64
    };
    let (low, high) = wilson(r, n);
    Proportion {
        count,
        of,
        share: Some(r),
        low: Some(low),
        high: Some(high),
    }
}

fn scaled(share: Proportion, population: u64, extrapolate: bool) -> Scaled {
    let share = if extrapolate {
        share
    } else {
        Proportion {
            low: None,
            high: None,
            ..share
        }
    };
    Scaled {
        share,
        population,
        estimate: if extrapolate {
            share.extrapolate(population).map(|(e, l, h)| [e, l, h])
        } else {
            None
        },
    }
}

/// The estimate for one group from `strata`: each stratum's population and its reviewed
/// trajectories (one stratum for a simple random sample). With `pooled`, the reviewed are not
/// a random sample: their shares as they are. Without `extrapolate`, no interval and no count
/// for the dataset.
fn estimate_of(
    strata: &[(Population, Vec<&Reviewed>)],
    extrapolate: bool,
    pooled: bool,
) -> Estimate {
    // Strata without a reviewed trajectory are left out of the population the estimate
    // speaks for (unless none has one: then it is the whole, with nothing reviewed yet).
    let any = strata.iter().any(|(_, r)| !r.is_empty());
    let counted = || strata.iter().filter(move |(_, r)| !any || !r.is_empty());
    let population = Population {
        trajectories: counted().map(|(p, _)| p.trajectories).sum(),
        agent_turns: counted().map(|(p, _)| p.agent_turns).sum(),
    };
    let all = || strata.iter().flat_map(|(_, r)| r.iter());
    let trajs = all().count() as u64;
    let with_wrong = all().filter(|r| r.wrong_turns > 0).count() as u64;
    let turns: u64 = all().map(|r| r.judged_turns).sum();
    let wrong: u64 = all().map(|r| r.wrong_turns).sum();
    let (traj_estimate, turn_estimate) = if pooled {
        // Not a random sample: the shares of what was reviewed, as they are.
        (
            ratio(with_wrong, trajs).map(|p| (p, 0.0)),
            ratio(wrong, turns).map(|p| (p, 0.0)),
        )
    } else {
        let stratum = |f: fn(&Reviewed) -> (f64, f64)| -> Vec<Stratum> {
            strata
                .iter()
                .map(|(p, r)| Stratum {
                    population: p.trajectories as f64,
                    units: r.iter().map(|r| f(r)).collect(),
                })
                .collect()
        };
        (
            ratio_estimate(&stratum(|r| (f64::from(u8::from(r.wrong_turns > 0)), 1.0))),
            ratio_estimate(&stratum(|r| (r.wrong_turns as f64, r.judged_turns as f64))),
        )
    };
    Estimate {
        trajectories_with_wrong: scaled(
            proportion(with_wrong, trajs, traj_estimate),
            population.trajectories,
            extrapolate,
        ),
        wrong_turns: scaled(
            proportion(wrong, turns, turn_estimate),
            population.agent_turns,
            extrapolate,
        ),
    }
}

/// Estimate from the reviewed trajectories (those with no judged agent turn are left out),
/// drawn with `design` from a dataset of `total`, `by_task`.
pub fn estimate(
    reviewed: &[Reviewed],
    design: Design,
    total: Population,
    by_task: &BTreeMap<Task, Population>,
) -> Report {
    let judged: Vec<&Reviewed> = reviewed.iter().filter(|r| r.judged_turns > 0).collect();
    let mut rules = RulePrediction::default();
    for r in &judged {
        match (r.flagged, r.wrong_turns > 0) {
            (true, true) => rules.true_positive += 1,
            (true, false) => rules.false_positive += 1,
            (false, true) => rules.false_negative += 1,
            (false, false) => rules.true_negative += 1,
        }
    }
    let all =
        rules.true_positive + rules.false_positive + rules.false_negative + rules.true_negative;
    rules.precision = ratio(
        rules.true_positive,
        rules.true_positive + rules.false_positive,
    );
    rules.recall = ratio(
        rules.true_positive,
        rules.true_positive + rules.false_negative,
    );
    rules.accuracy = ratio(rules.true_positive + rules.true_negative, all);
    let of_task = |task: Task| -> Vec<&Reviewed> {
        judged.iter().copied().filter(|r| r.task == task).collect()
    };
    let random = design != Design::Reviewed;
    let overall = match design {
        Design::ByTask => {
            let strata: Vec<_> = by_task.iter().map(|(t, p)| (*p, of_task(*t))).collect();
            estimate_of(&strata, true, false)
        }
        Design::Uniform | Design::Reviewed => {
            estimate_of(&[(total, judged.clone())], random, !random)
        }
    };
    Report {
        design,
        overall,
        by_task: by_task
            .iter()
            .map(|(task, pop)| {
                let e = estimate_of(&[(*pop, of_task(*task))], random, !random);
                (task.as_str().to_string(), e)
            })
            .collect(),
        tasks_not_covered: match design {
            Design::ByTask => by_task
                .keys()
                .filter(|t| of_task(**t).is_empty())
                .map(|t| t.as_str().to_string())
                .collect(),
            _ => Vec::new(),
        },
        rules,
    }
}

/// "10.0 % (10 of 100 reviewed): about 6 400 of 64 000 trajectories, 95 % CI 3 500–11 100";
/// without extrapolation, the share of the reviewed only.
pub fn describe(s: &Scaled, what: &str) -> String {
    match (s.estimate, s.share.share) {
        (Some([e, l, h]), Some(p)) => format!(
            "{:.1} % ({} of {} reviewed): about {} of {} {what}, 95 % CI {}–{}",
            p * 100.0,
            s.share.count,
            s.share.of,
            group(e),
            group(s.population),
            group(l),
            group(h)
        ),
        (None, Some(p)) => format!(
            "{:.1} % of the reviewed ({} of {}); not extrapolated to the {} {what}",
            p * 100.0,
            s.share.count,
            s.share.of,
            group(s.population)
        ),
        _ => format!("nothing reviewed yet (0 of {} {what})", group(s.population)),
    }
}

#[cfg(test)]
mod tests;
