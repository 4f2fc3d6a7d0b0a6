"""Exact acceptance regions for the hidden tests' statistical checks, and their power.

A statistical check counts events in independent trials (calls, draws) whose
probabilities a correct implementation fixes, possibly a different one per trial
(a Poisson-binomial count). It passes when each group's count lies in an acceptance
interval whose tails hold at most the check's false-fail rate; its power against a
plausible mistake is the chance that the mistake's counts fall outside.
"""

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Acceptance:
    """Counts from ``low`` to ``high`` pass; ``false_fail`` is the chance a correct sampler fails."""

    low: int
    high: int
    false_fail: float

    def __contains__(self, count):
        return self.low <= count <= self.high

    def probability_inside(self, pmf):
        """The chance that a count with this distribution passes."""
        return float(np.sum(pmf[self.low : self.high + 1]))


def binomial_pmf(n, p):
    return [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]


def poisson_binomial_pmf(probabilities):
    """The distribution of the number of successes in independent trials with these success probabilities."""
    pmf = np.ones(1)
    for p in probabilities:
        pmf = np.convolve(pmf, [1.0 - p, p])
    return pmf


def acceptance(pmf, max_false_fail):
    """The narrowest interval whose two tails each hold at most half of ``max_false_fail``."""
    low, below = 0, 0.0
    while below + pmf[low] <= max_false_fail / 2:
        below += pmf[low]
        low += 1
    high, above = len(pmf) - 1, 0.0
    while above + pmf[high] <= max_false_fail / 2:
        above += pmf[high]
        high -= 1
    return Acceptance(low, high, below + above)


def binomial_acceptance(n, p, max_false_fail):
    """``acceptance`` for a Binomial(n, p) count."""
    return acceptance(binomial_pmf(n, p), max_false_fail)


@dataclass(frozen=True)
class CountCheck:
    """Counts in groups of trials; the check passes when every group's count is in its group's interval.

    Build it with ``of``, from each group's success probabilities under a correct
    implementation; the false-fail rate is split evenly between the groups.
    """

    acceptances: tuple

    @classmethod
    def of(cls, groups, max_false_fail):
        share = max_false_fail / len(groups)
        return cls(tuple(acceptance(poisson_binomial_pmf(group), share) for group in groups))

    @property
    def false_fail(self):
        """At most this (the union bound over the groups, which holds whether or not their counts are
        independent)."""
        return sum(accepted.false_fail for accepted in self.acceptances)

    def passes(self, counts):
        return len(counts) == len(self.acceptances) and all(
            count in accepted for count, accepted in zip(counts, self.acceptances)
        )

    def power(self, groups):
        """At least this chance that counts made with these per-group success probabilities fail the check (that
        of the group likeliest to fail, which holds whether or not the groups' counts are independent)."""
        return max(
            1.0 - accepted.probability_inside(poisson_binomial_pmf(group))
            for accepted, group in zip(self.acceptances, groups)
        )

    def describe(self):
        """The intervals, for feedback."""
        return " and ".join(f"between {accepted.low} and {accepted.high}" for accepted in self.acceptances)


def t_quantile(p, df):
    """The ``p``-quantile (0.5 < p < 1) of Student's t distribution with ``df`` degrees of freedom: its density
    integrated by Simpson's rule, inverted by bisection (to about 1e-9)."""
    log_scale = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)

    def cdf(x):
        points = np.linspace(0.0, x, 2001)
        density = np.exp(log_scale - (df + 1) / 2 * np.log1p(points * points / df))
        return 0.5 + x / 6000 * (density[0] + density[-1] + 4 * density[1:-1:2].sum() + 2 * density[2:-1:2].sum())

    low, high = 0.0, 1.0
    while cdf(high) < p:
        low, high = high, 2 * high
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if cdf(middle) < p else (low, middle)
    return (low + high) / 2


def mean_interval(values, level=0.95):
    """The mean of ``values`` and its two-sided ``level`` confidence interval (Student's t); the ends are None for
    fewer than two values."""
    values = np.asarray(values, dtype=np.float64)
    mean = float(values.mean())
    if len(values) < 2:
        return mean, None, None
    half = t_quantile(0.5 + level / 2, len(values) - 1) * float(values.std(ddof=1)) / math.sqrt(len(values))
    return mean, mean - half, mean + half
