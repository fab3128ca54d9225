"""The one rounding rule and the one percentile definition, for every page, export and plot.

**Rounding.** Every mark, total and score is rounded half-to-even to :data:`DECIMALS` decimals
when it is computed, and only the rounded number is stored, compared, ranked, exported and
drawn. Two candidates are tied exactly when their rounded scores are equal, so a page that shows
fewer digits never hides a difference that decided a rank: 10.0 and 10.0000004 are the same
number everywhere (one millionth of a mark is below any mark a grader can give), while 1/3 + 2/3
and 1.0 tie as they should. Pages show :data:`SHOWN_DECIMALS` decimals of the same stored number.

**Percentile.** The percentile rank of a score is the percentage of candidates below it plus
half of those level with it (the candidate included): ``100 * (below + equal / 2) / n``. The
best of ten distinct scores is at 95, the worst at 5; ten candidates who all tie are at 50.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: Decimals kept of every mark, total and score (percentage points for a score).
DECIMALS = 6
#: Decimals a page shows of a mark or a score; probabilities are shown with two as well.
SHOWN_DECIMALS = 2

FloatArray = npt.NDArray[np.float64]


def rounded(values: npt.ArrayLike) -> FloatArray:
    """Values rounded by the one rule (half-to-even, :data:`DECIMALS` decimals).

    :param values: numbers (a scalar gives a 0-d array).
    :returns: the rounded numbers, with ``-0.0`` made ``0.0``.
    """
    out: FloatArray = np.round(np.asarray(values, dtype=np.float64), DECIMALS).astype(np.float64)
    out += 0.0  # no -0.0
    return out


def round_value(value: float) -> float:
    """One number rounded by the one rule.

    :param value: a mark, total or score.
    :returns: the rounded number.
    """
    # numpy rounds to decimals by scaling, rounding half-to-even to an integer, and scaling back;
    # the same three steps in plain Python give the same bits, fifty times faster for a scalar.
    return round(float(value) * 10.0**DECIMALS) / 10.0**DECIMALS + 0.0


def percentile_ranks(values: npt.ArrayLike) -> FloatArray:
    """Percentile rank of each value among all of them (see the module docstring).

    :param values: one score per candidate (compared after rounding by the one rule).
    :returns: ``(n,)`` percentile ranks in (0, 100).
    """
    v = rounded(values).reshape(-1)
    if v.size == 0:
        return np.zeros(0)
    ascending = np.sort(v)
    below = np.searchsorted(ascending, v, side="left")
    equal = np.searchsorted(ascending, v, side="right") - below
    return 100.0 * (below + 0.5 * equal) / v.size


def percentile_rank(below: int, equal: int, n: int) -> float:
    """The same definition from counts, for callers that have them already.

    :param below: candidates with a strictly lower score.
    :param equal: candidates with the same score, this one included (at least 1).
    :param n: all candidates.
    :returns: the percentile rank.
    """
    return 100.0 * (below + 0.5 * equal) / max(n, 1)


def plain(value: float | None) -> str:
    """A number as exports write it: the rounded value, no exponent, no trailing zeros.

    :param value: a number, or ``None`` for a blank.
    :returns: e.g. ``"66.666667"``, ``"10"``, ``""``.
    """
    if value is None:
        return ""
    text = f"{round_value(value):.{DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
