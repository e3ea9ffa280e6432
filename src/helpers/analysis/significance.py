"""Is a difference between two shares larger than chance explains? Tests and corrections for many comparisons.

Two shares x1/n1 and x2/n2 from two separate populations (two years, or a group and the rest of the organisation)
are compared with the two-sided two-proportion z-test with a pooled share; when an expected count in the 2×2
table is under 5, the normal approximation is poor and Fisher's exact test (two-sided) is used instead.
A report makes many comparisons at once, so the p-values are adjusted for their number: Holm (family-wise error
rate) or Benjamini–Hochberg (false discovery rate).
"""
from __future__ import annotations

import math

import numpy as np

Z_TEST = "z-test för två andelar"
FISHER = "Fishers exakta test"
HOLM = "holm"
BH = "bh"
METHODS = {HOLM: "Holms metod", BH: "Benjamini–Hochbergs metod"}
SMALL_EXPECTED = 5  # an expected count under this in the 2×2 table calls for Fisher's exact test


def two_proportions(x1: int, n1: int, x2: int, n2: int) -> tuple[float, str]:
    """(two-sided p-value, test name) for H0: the two shares are equal."""
    if min(n1, n2) <= 0 or not (0 <= x1 <= n1 and 0 <= x2 <= n2):
        raise ValueError(f"ogiltiga andelar: {x1}/{n1} och {x2}/{n2}")
    pooled = (x1 + x2) / (n1 + n2)
    expected = min(n1 * pooled, n1 * (1 - pooled), n2 * pooled, n2 * (1 - pooled))
    if expected < SMALL_EXPECTED:
        return fisher_exact(x1, n1, x2, n2), FISHER
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (x1 / n1 - x2 / n2) / se
    return math.erfc(abs(z) / math.sqrt(2)), Z_TEST


def fisher_exact(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided Fisher's exact test of the 2×2 table [[x1, n1 − x1], [x2, n2 − x2]]: the total probability,
    under the hypergeometric distribution with the margins fixed, of the tables no more likely than the observed
    one (the same definition as R's fisher.test and scipy.stats.fisher_exact)."""
    successes, total = x1 + x2, n1 + n2
    low, high = max(0, successes - n2), min(successes, n1)
    log_denominator = _log_comb(total, successes)
    probs = [math.exp(_log_comb(n1, k) + _log_comb(n2, successes - k) - log_denominator)
             for k in range(low, high + 1)]
    observed = probs[x1 - low]
    return min(1.0, sum(p for p in probs if p <= observed * (1 + 1e-7)))


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjustment: the k-th smallest p times (m − k + 1), made monotone, capped at 1."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    return out


def benjamini_hochberg(p_values) -> np.ndarray:
    """Benjamini–Hochberg's step-up adjustment: the k-th smallest p times m / k, made monotone, capped at 1."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    stepped = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    return out


def adjust(p_values, method: str = HOLM) -> np.ndarray:
    return benjamini_hochberg(p_values) if method == BH else holm(p_values)
