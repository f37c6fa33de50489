//! The agreement statistics as pure functions over count tables, computed the way the
//! reference libraries compute them (scikit-learn's `cohen_kappa_score`, statsmodels'
//! `fleiss_kappa`, the `krippendorff` package's nominal alpha), so the numbers match.

use std::fmt;

/// Why a statistic has no value (a 0/0, never a made-up number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undefined {
    FewerThanTwoAnnotators,
    /// A pair of annotators labelled no item in common.
    NoSharedItems,
    /// No item was labelled by every annotator (Fleiss' κ).
    NoCompleteItems,
    /// No item has two labels (Krippendorff's α).
    NoPairableItems,
    /// Only one label was used, so chance agreement is 1 and the statistic is 0/0.
    OneLabel,
}

impl fmt::Display for Undefined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Undefined::FewerThanTwoAnnotators => "fewer than two annotators",
            Undefined::NoSharedItems => "no item labelled by both",
            Undefined::NoCompleteItems => "no item labelled by every annotator",
            Undefined::NoPairableItems => "no item with two labels",
            Undefined::OneLabel => "only one label used: chance agreement is 1, so 0/0",
        })
    }
}

/// A statistic, or why it is undefined.
pub type Stat = Result<f64, Undefined>;

/// Cohen's κ of a confusion matrix (rows: first annotator, columns: second), as scikit-learn:
/// `1 - Σ_{i≠j} observed / Σ_{i≠j} expected`, expected from the marginals.
pub fn cohen_kappa(confusion: &[Vec<u64>]) -> Stat {
    let k = confusion.len();
    let n: u64 = confusion.iter().flatten().sum();
    if n == 0 {
        return Err(Undefined::NoSharedItems);
    }
    let rows: Vec<f64> = confusion
        .iter()
        .map(|r| r.iter().sum::<u64>() as f64)
        .collect();
    let cols: Vec<f64> = (0..k)
        .map(|j| confusion.iter().map(|r| r[j]).sum::<u64>() as f64)
        .collect();
    let n = n as f64;
    // Off-diagonal cells, flattened row by row with zeros on the diagonal, summed as numpy.
    let mut observed = Vec::with_capacity(k * k);
    let mut expected = Vec::with_capacity(k * k);
    for i in 0..k {
        for j in 0..k {
            let off = i != j;
            observed.push(if off { confusion[i][j] as f64 } else { 0.0 });
            expected.push(if off { cols[i] * rows[j] / n } else { 0.0 });
        }
    }
    let expected = numpy_sum(&expected);
    if expected == 0.0 {
        return Err(Undefined::OneLabel);
    }
    Ok(1.0 - numpy_sum(&observed) / expected)
}

/// Fleiss' κ of an items × labels count table in which every item has the same number of
/// ratings, as statsmodels' `fleiss_kappa(table, method="fleiss")`.
pub fn fleiss_kappa(table: &[Vec<u64>]) -> Stat {
    let Some(first) = table.first() else {
        return Err(Undefined::NoCompleteItems);
    };
    let raters: u64 = first.iter().sum();
    if raters < 2 {
        return Err(Undefined::FewerThanTwoAnnotators);
    }
    debug_assert!(table.iter().all(|r| r.iter().sum::<u64>() == raters));
    let m = raters as f64;
    let items = table.len() as f64;
    let total = items * m;
    let k = first.len();
    let agreement: Vec<f64> = table
        .iter()
        .map(|row| {
            let squares = row.iter().map(|&c| c * c).sum::<u64>() as f64;
            (squares - m) / (m * (m - 1.0))
        })
        .collect();
    let p_mean = numpy_sum(&agreement) / items;
    let squares: Vec<f64> = (0..k)
        .map(|j| {
            let p = table.iter().map(|r| r[j]).sum::<u64>() as f64 / total;
            p * p
        })
        .collect();
    let p_expected = numpy_sum(&squares);
    if 1.0 - p_expected == 0.0 {
        return Err(Undefined::OneLabel);
    }
    Ok((p_mean - p_expected) / (1.0 - p_expected))
}

/// Krippendorff's α (nominal) of a units × values count table (missing ratings are simply not
/// counted), as the `krippendorff` package: units with fewer than two values do not count.
pub fn krippendorff_alpha_nominal(value_counts: &[Vec<u64>]) -> Stat {
    let k = value_counts.first().map_or(0, Vec::len);
    let mut o = vec![vec![0.0f64; k]; k];
    let mut pairable = false;
    for unit in value_counts {
        let m: u64 = unit.iter().sum();
        if m < 2 {
            continue;
        }
        pairable = true;
        let scale = (m - 1) as f64;
        for c in 0..k {
            for d in 0..k {
                let pairs = unit[c] * unit[d] - if c == d { unit[c] } else { 0 };
                o[c][d] += pairs as f64 / scale;
            }
        }
    }
    if !pairable {
        return Err(Undefined::NoPairableItems);
    }
    let n_v: Vec<f64> = (0..k)
        .map(|d| (0..k).fold(0.0, |sum, c| sum + o[c][d]))
        .collect();
    let n = numpy_sum(&n_v);
    let mut observed = Vec::with_capacity(k * k);
    let mut expected = Vec::with_capacity(k * k);
    for c in 0..k {
        for d in 0..k {
            let off = c != d;
            observed.push(if off { o[c][d] } else { 0.0 });
            expected.push(if off {
                n_v[c] * n_v[d] / (n - 1.0)
            } else {
                0.0
            });
        }
    }
    let expected = numpy_sum(&expected);
    if expected == 0.0 {
        return Err(Undefined::OneLabel);
    }
    Ok(1.0 - numpy_sum(&observed) / expected)
}

/// A sum in numpy's order (`np.sum` of a contiguous float64 array: pairwise summation, eight
/// accumulators per block of up to 128), so results match the reference libraries bit for bit
/// rather than only to rounding.
pub fn numpy_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        a.iter().fold(0.0, |sum, x| sum + x)
    } else if n <= 128 {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&a[..8]);
        let whole = n - n % 8;
        for block in a[8..whole].chunks_exact(8) {
            for (acc, x) in r.iter_mut().zip(block) {
                *acc += x;
            }
        }
        let mut sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for x in &a[whole..] {
            sum += x;
        }
        sum
    } else {
        let half = n / 2;
        let half = half - half % 8;
        numpy_sum(&a[..half]) + numpy_sum(&a[half..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Stat, b: f64) -> bool {
        a.is_ok_and(|a| (a - b).abs() < 1e-12)
    }

    /// Wikipedia, "Cohen's kappa", worked example: 50 proposals, Yes/Yes 20, Yes/No 5,
    /// No/Yes 10, No/No 15; p_o = 0.7, p_e = 0.5, κ = 0.4.
    #[test]
    fn cohen_kappa_of_the_wikipedia_example_is_0_4() {
        let k = cohen_kappa(&[vec![20, 5], vec![10, 15]]);
        assert!(close(k, 0.4), "{k:?}");
    }

    /// Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories;
    /// P̄ = 0.378, P̄e = 0.213, κ = 0.210.
    #[test]
    fn fleiss_kappa_of_the_wikipedia_example_is_0_210() {
        let table: Vec<Vec<u64>> = [
            [0, 0, 0, 0, 14],
            [0, 2, 6, 4, 2],
            [0, 0, 3, 5, 6],
            [0, 3, 9, 2, 0],
            [2, 2, 8, 1, 1],
            [7, 7, 0, 0, 0],
            [3, 2, 6, 3, 0],
            [2, 5, 3, 2, 2],
            [6, 5, 2, 1, 0],
            [0, 2, 2, 3, 7],
        ]
        .iter()
        .map(|r| r.to_vec())
        .collect();
        let k = fleiss_kappa(&table).unwrap();
        assert_eq!(format!("{k:.3}"), "0.210");
        // statsmodels.stats.inter_rater.fleiss_kappa gives 0.20993070442195522: to the bit.
        assert_eq!(k, 0.209_930_704_421_955_22);
    }

    /// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 coders,
    /// 12 units, values 1..5, missing values; nominal α = 0.743.
    #[test]
    fn krippendorff_alpha_of_the_2011_nominal_example_is_0_743() {
        let data: [[u8; 12]; 4] = [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3],
            [0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0],
        ];
        let counts: Vec<Vec<u64>> = (0..12)
            .map(|u| {
                let mut row = vec![0; 5];
                for coder in &data {
                    if coder[u] > 0 {
                        row[coder[u] as usize - 1] += 1;
                    }
                }
                row
            })
            .collect();
        let a = krippendorff_alpha_nominal(&counts).unwrap();
        assert_eq!(format!("{a:.3}"), "0.743");
        // krippendorff.alpha(..., level_of_measurement="nominal") gives 0.743421052631579: to
        // the bit.
        assert_eq!(a, 0.743_421_052_631_579);
    }

    #[test]
    fn undefined_cases_are_errors_not_numbers() {
        assert_eq!(
            cohen_kappa(&[vec![0, 0], vec![0, 0]]),
            Err(Undefined::NoSharedItems)
        );
        assert_eq!(
            cohen_kappa(&[vec![7, 0], vec![0, 0]]),
            Err(Undefined::OneLabel)
        );
        assert_eq!(fleiss_kappa(&[]), Err(Undefined::NoCompleteItems));
        assert_eq!(
            fleiss_kappa(&[vec![1, 0]]),
            Err(Undefined::FewerThanTwoAnnotators)
        );
        assert_eq!(
            fleiss_kappa(&[vec![3, 0], vec![3, 0]]),
            Err(Undefined::OneLabel)
        );
        assert_eq!(
            krippendorff_alpha_nominal(&[vec![1, 0], vec![0, 1]]),
            Err(Undefined::NoPairableItems)
        );
        assert_eq!(
            krippendorff_alpha_nominal(&[vec![2, 0], vec![3, 0]]),
            Err(Undefined::OneLabel)
        );
    }

    #[test]
    fn sums_follow_numpy_pairwise_order() {
        // np.sum([0.1] * 10) is 1.0; a left-to-right sum gives 0.9999999999999999.
        assert_eq!(numpy_sum(&[0.1; 10]), 1.0);
        let a = [1e16, 1.0, -1e16, 1.0, 3.0, 1e-3, 7.0, 2.0, 5.0];
        assert_eq!(numpy_sum(&a), 17.000_999_999_999_998);
        let b: Vec<f64> = (0..300).map(|i| 0.1 * i as f64).collect();
        assert_eq!(numpy_sum(&b), 4485.0);
        assert_eq!(numpy_sum(&[]), 0.0);
    }

    #[test]
    fn an_annotator_who_always_says_the_same_gets_kappa_zero() {
        // A always "right"; B says right 9 times, wrong once: 90 % raw agreement, κ = 0.
        assert!(close(cohen_kappa(&[vec![9, 1], vec![0, 0]]), 0.0));
    }
}
