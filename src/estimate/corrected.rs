//! A predictor's apparent defect rate corrected for its errors (Rogan & Gladen 1978): a model
//! judge (or the rules) labels many trajectories, people review a sample of them, and the
//! sample tells the predictor's sensitivity and specificity against people. The true share is
//! then `(apparent + specificity − 1) / (sensitivity + specificity − 1)`, with a 95 % interval
//! by the delta method over the three estimated proportions (clipped to [0, 1]).

use serde::Serialize;

use super::{RulePrediction, Z95};

/// The corrected share and what it was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Corrected {
    /// Trajectories the predictor says have a wrong agent turn, of those it judged.
    pub apparent_count: u64,
    pub apparent_of: u64,
    pub apparent: Option<f64>,
    /// Against people, on the reviewed trajectories: TP / (TP + FN) and TN / (TN + FP).
    pub sensitivity: Option<f64>,
    pub specificity: Option<f64>,
    /// The corrected share, clipped to [0, 1]; `None` when undefined (nothing judged, no
    /// reviewed trajectory of either kind, or sensitivity + specificity ≤ 1: a predictor no
    /// better than chance cannot be corrected).
    pub share: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// Correct the apparent share `flagged / judged` with the predictor's errors `v` on the
/// reviewed trajectories (people's verdict as the truth).
pub fn rogan_gladen(flagged: u64, judged: u64, v: &RulePrediction) -> Corrected {
    let positives = v.true_positive + v.false_negative;
    let negatives = v.true_negative + v.false_positive;
    let apparent = ratio(flagged, judged);
    let se = ratio(v.true_positive, positives);
    let sp = ratio(v.true_negative, negatives);
    let mut out = Corrected {
        apparent_count: flagged,
        apparent_of: judged,
        apparent,
        sensitivity: se,
        specificity: sp,
        share: None,
        low: None,
        high: None,
    };
    let (Some(p), Some(se), Some(sp)) = (apparent, se, sp) else {
        return out;
    };
    let j = se + sp - 1.0;
    if j <= 0.0 {
        return out;
    }
    let pi = ((p + sp - 1.0) / j).clamp(0.0, 1.0);
    // Delta method: d/dp = 1/J, d/dSe = −π/J, d/dSp = (1 − π)/J.
    let var = (p * (1.0 - p) / judged as f64
        + pi * pi * se * (1.0 - se) / positives as f64
        + (1.0 - pi) * (1.0 - pi) * sp * (1.0 - sp) / negatives as f64)
        / (j * j);
    let half = Z95 * var.sqrt();
    out.share = Some(pi);
    out.low = Some((pi - half).clamp(0.0, 1.0));
    out.high = Some((pi + half).clamp(0.0, 1.0));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(tp: u64, fp: u64, fn_: u64, tn: u64) -> RulePrediction {
        RulePrediction {
            true_positive: tp,
            false_positive: fp,
            false_negative: fn_,
            true_negative: tn,
            ..RulePrediction::default()
        }
    }

    #[test]
    fn a_perfect_predictor_needs_no_correction_and_chance_cannot_be_corrected() {
        let c = rogan_gladen(300, 1000, &counts(30, 0, 0, 70));
        assert!((c.share.unwrap() - 0.3).abs() < 1e-12);
        let c = rogan_gladen(300, 1000, &counts(10, 10, 10, 10));
        assert_eq!(
            (c.sensitivity, c.specificity, c.share),
            (Some(0.5), Some(0.5), None)
        );
        assert_eq!(rogan_gladen(0, 0, &counts(1, 1, 1, 1)).share, None);
        assert_eq!(
            rogan_gladen(5, 10, &counts(0, 0, 0, 4)).share,
            None,
            "no positives"
        );
    }

    #[test]
    fn the_textbook_example() {
        // Se 0.9, Sp 0.8, apparent 0.34: (0.34 + 0.8 − 1) / 0.7 = 0.2.
        let c = rogan_gladen(340, 1000, &counts(90, 20, 10, 80));
        assert!((c.share.unwrap() - 0.2).abs() < 1e-12);
        assert!(c.low.unwrap() < 0.2 && c.high.unwrap() > 0.2);
    }

    /// SplitMix64: a small reproducible generator for the simulation.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// A population with a known share of defective trajectories, a judge with a given
    /// sensitivity and specificity that labels all of it, and people who review a uniform
    /// sample: how often does the 95 % interval cover the population's true share?
    fn coverage(seed: u64, share: f64, se: f64, sp: f64, reviewed: usize) -> f64 {
        let mut rng = Rng(seed);
        let (population, runs) = (20_000, 1_000);
        let mut covered = 0;
        for _ in 0..runs {
            let truth: Vec<bool> = (0..population).map(|_| rng.next() < share).collect();
            let judged: Vec<bool> = truth
                .iter()
                .map(|&t| if t { rng.next() < se } else { rng.next() >= sp })
                .collect();
            let flagged = judged.iter().filter(|&&j| j).count() as u64;
            let real = truth.iter().filter(|&&t| t).count() as f64 / population as f64;
            let mut v = RulePrediction::default();
            for _ in 0..reviewed {
                let i = (rng.next() * population as f64) as usize;
                match (judged[i], truth[i]) {
                    (true, true) => v.true_positive += 1,
                    (true, false) => v.false_positive += 1,
                    (false, true) => v.false_negative += 1,
                    (false, false) => v.true_negative += 1,
                }
            }
            let c = rogan_gladen(flagged, population as u64, &v);
            if c.low.is_some_and(|l| l <= real) && c.high.is_some_and(|h| h >= real) {
                covered += 1;
            }
        }
        covered as f64 / runs as f64
    }

    #[test]
    fn the_interval_covers_the_truth_about_95_percent_of_the_time() {
        for (seed, share, se, sp, n) in [
            (1, 0.3, 0.85, 0.9, 300),
            (2, 0.1, 0.9, 0.95, 400),
            (3, 0.5, 0.75, 0.8, 250),
        ] {
            let c = coverage(seed, share, se, sp, n);
            eprintln!(
                "Rogan–Gladen coverage: share {share}, Se {se}, Sp {sp}, {n} reviewed: {c:.3}"
            );
            assert!((0.93..=0.97).contains(&c), "coverage {c}");
        }
    }
}
