#!/usr/bin/env python3
"""Reference p-values for McNemar's exact test, for src/compare/mcnemar.rs.

Prints `(b, c, p)` for the discordant counts b (success on A only) and c (on B only) with
statsmodels' `mcnemar(table, exact=True)`, checked against scipy's `binomtest(b, b + c)` and an
independent sum of binomial terms with `math.comb` (exact rationals).
Usage: python3 scripts/mcnemar_reference.py
"""
from fractions import Fraction
from math import comb

import scipy
import statsmodels
from scipy.stats import binomtest
from statsmodels.stats.contingency_tables import mcnemar

CASES = [(0, 0), (1, 0), (5, 5), (0, 5), (2, 8), (3, 15), (10, 25), (40, 60), (100, 150),
         (1000, 1100), (0, 60), (150, 86)]


def by_comb(b, c):
    n, k = b + c, min(b, c)
    if n == 0:
        return 1.0
    tail = Fraction(sum(comb(n, i) for i in range(k + 1)), 2 ** n)
    return float(min(Fraction(1), 2 * tail))


print(f"# statsmodels {statsmodels.__version__}, scipy {scipy.__version__}")
for b, c in CASES:
    sm = mcnemar([[7, b], [c, 3]], exact=True).pvalue
    sp = binomtest(b, b + c).pvalue if b + c else 1.0
    ex = by_comb(b, c)
    assert abs(sm - ex) <= 1e-12 * max(ex, 1e-300) and abs(sp - ex) <= 1e-9 * max(ex, 1e-300), (b, c, sm, sp, ex)
    print(f"({b}, {c}, {float(sm)!r}),")
