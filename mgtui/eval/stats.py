"""Pure statistics for the report: Wilson score intervals and the exact McNemar test.

No scipy: both are a few lines, and exact integer arithmetic keeps the p-value exact.
"""

from __future__ import annotations

import math
from fractions import Fraction

Z95 = 1.959963984540054  # the 97.5 % quantile of the standard normal distribution


def wilson(correct: int, n: int, z: float = Z95) -> tuple[float, float]:
    """95 % Wilson score interval for `correct` successes out of `n` (n > 0).

    Unlike the normal approximation it stays inside [0, 1] and is sensible at 0/n and n/n,
    which small evals hit often.
    """
    if n <= 0:
        raise ValueError("an interval needs at least one question")
    if not 0 <= correct <= n:
        raise ValueError(f"correct={correct} is not between 0 and n={n}")
    p = correct / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def mcnemar_exact(only_first: int, only_second: int) -> float:
    """Two-sided exact McNemar p-value from the discordant pairs.

    `only_first`: questions the first system got right and the second wrong; `only_second`
    the reverse. Under "no difference" each discordant pair is a fair coin, so the p-value
    is the two-sided binomial(b + c, 1/2) tail of the smaller count (1.0 with no discordant pairs).
    """
    if only_first < 0 or only_second < 0:
        raise ValueError("counts must not be negative")
    n = only_first + only_second
    if n == 0:
        return 1.0
    k = min(only_first, only_second)
    tail = Fraction(sum(math.comb(n, i) for i in range(k + 1)), 2**n)
    return float(min(Fraction(1), 2 * tail))
