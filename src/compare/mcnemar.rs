//! McNemar's exact test on paired binary outcomes: the two-sided binomial test on the
//! discordant pairs (`b`: success on the left only, `c`: on the right only),
//! p = min(1, 2·P(X ≤ min(b, c))) with X ~ Bin(b + c, ½) — what statsmodels'
//! `mcnemar(table, exact=True)` and scipy's `binomtest(b, b + c).pvalue` report for the
//! symmetric null. `scripts/mcnemar_reference.py` prints reference values.

use serde::Serialize;

/// The 2×2 table of paired outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Table {
    /// Success on both sides.
    pub both: u64,
    /// Success on the left (A) only: `b`.
    pub a_only: u64,
    /// Success on the right (B) only: `c`.
    pub b_only: u64,
    /// Success on neither side.
    pub neither: u64,
}

impl Table {
    pub fn add(&mut self, a: bool, b: bool) {
        match (a, b) {
            (true, true) => self.both += 1,
            (true, false) => self.a_only += 1,
            (false, true) => self.b_only += 1,
            (false, false) => self.neither += 1,
        }
    }

    /// The exact two-sided p-value of McNemar's test on this table.
    pub fn p_value(&self) -> f64 {
        exact_p(self.a_only, self.b_only)
    }
}

/// McNemar's exact two-sided p-value for the discordant counts `b` and `c` (1 when there are
/// none).
pub fn exact_p(b: u64, c: u64) -> f64 {
    let n = b + c;
    if n == 0 {
        return 1.0;
    }
    let k = b.min(c);
    // P(X ≤ k) summed in log space: ln pmf(0) = -n ln 2, pmf(i+1) = pmf(i)·(n-i)/(i+1).
    let mut log_pmf = -(n as f64) * std::f64::consts::LN_2;
    let mut log_sum = log_pmf;
    for i in 0..k {
        log_pmf += ((n - i) as f64).ln() - ((i + 1) as f64).ln();
        let (hi, lo) = if log_sum > log_pmf {
            (log_sum, log_pmf)
        } else {
            (log_pmf, log_sum)
        };
        log_sum = hi + (lo - hi).exp().ln_1p();
    }
    (2.0 * log_sum.exp()).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values from `python3 scripts/mcnemar_reference.py` (statsmodels 0.15.0
    /// `mcnemar(exact=True)`, scipy 1.17.1 `binomtest`).
    const REFERENCE: &[(u64, u64, f64)] = &[
        (0, 0, 1.0),
        (1, 0, 1.0),
        (5, 5, 1.0),
        (0, 5, 0.0625),
        (2, 8, 0.109375),
        (3, 15, 0.007537841796875),
        (10, 25, 0.016673847800120715),
        (40, 60, 0.05688793364098089),
        (100, 150, 0.0018833009350761602),
        (1000, 1100, 0.03072070786424249),
        (0, 60, 1.734723475976807e-18),
        (150, 86, 3.7159361395713866e-05),
    ];

    #[test]
    fn exact_p_matches_the_reference() {
        for &(b, c, want) in REFERENCE {
            let got = exact_p(b, c);
            let tol = 1e-9 * want.max(1e-300);
            assert!(
                (got - want).abs() <= tol,
                "b={b} c={c}: {got} against {want}"
            );
            assert_eq!(got, exact_p(c, b));
        }
    }

    /// A published example: Agresti's (1990) presidential-approval table has b = 150,
    /// c = 86; its exact p-value is about 3.7e-5 (the chi-square version 4.2e-5).
    #[test]
    fn agresti_example() {
        let p = exact_p(150, 86);
        assert!(p > 3.6e-5 && p < 3.8e-5, "{p}");
    }
}
