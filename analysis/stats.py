"""Small statistics: the Wilson score interval and the two-proportion z-test."""

from __future__ import annotations

import math

MIN_N = 30
Z95 = 1.959963984540054


def wilson(satisfied: int, n: int, z: float = Z95) -> tuple[float | None, float | None]:
    """Return the (low, high) bounds of the Wilson score interval of ``satisfied / n``
    at 95 % by default; (None, None) when ``n`` is 0."""
    if n <= 0:
        return None, None
    p = satisfied / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def two_proportion_test(s1: int, n1: int, s2: int, n2: int) -> tuple[float, float, float]:
    """Return (difference p1 - p2, z statistic, two-sided p-value) of the pooled
    two-proportion z-test; z = 0 and p = 1 when the pooled rate is 0 or 1."""
    p1, p2 = s1 / n1, s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return p1 - p2, 0.0, 1.0
    z = (p1 - p2) / math.sqrt(variance)
    return p1 - p2, z, math.erfc(abs(z) / math.sqrt(2))


def enough(n: int) -> bool:
    """Return True when ``n`` answers are enough to show a rate without a warning (n ≥ 30)."""
    return n >= MIN_N
