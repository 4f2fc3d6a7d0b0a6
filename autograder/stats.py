"""Exact acceptance regions for the hidden tests' statistical checks."""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Acceptance:
    """Counts from ``low`` to ``high`` pass; ``false_fail`` is the chance a correct sampler fails."""

    low: int
    high: int
    false_fail: float

    def __contains__(self, count):
        return self.low <= count <= self.high


def binomial_pmf(n, p):
    return [math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(n + 1)]


def binomial_acceptance(n, p, max_false_fail):
    """The narrowest interval whose two tails each hold at most half of ``max_false_fail``."""
    pmf = binomial_pmf(n, p)
    low, below = 0, 0.0
    while below + pmf[low] <= max_false_fail / 2:
        below += pmf[low]
        low += 1
    high, above = n, 0.0
    while above + pmf[high] <= max_false_fail / 2:
        above += pmf[high]
        high -= 1
    return Acceptance(low, high, below + above)
