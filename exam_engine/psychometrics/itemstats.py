"""Item analysis with the definitions of Moodle's quiz statistics report.

Moodle shows most of these as percentages; here they are fractions (multiply by 100 to compare).
With ``x`` an item's marks, ``T`` the totals and ``X = T - x`` the rest-of-test marks, and every
variance and covariance taken with the ``n - 1`` divisor, as Moodle does:

* facility = mean(x) / max mark
* sd = sd(x) / max mark
* random guess score = the expected fraction of a random guesser (given with the matrix)
* intended weight = max mark / sum of max marks
* effective weight = sqrt(cov(x, T)) / sum over items of sqrt(cov(x_j, T)), undefined (``None``)
  for an item with negative covariance, which is left out of the sum
* discrimination index = corr(x, X)
* discriminative efficiency = cov(x, X) / cov(sorted x, sorted X), the covariance divided by the
  largest covariance those two sets of marks could have
* Cronbach's alpha = m / (m - 1) * (1 - sum of var(x_j) / var(T))
* error ratio = sqrt(1 - alpha), standard error = error ratio * sd(T) (in marks)

A statistic that is undefined (no variance, fewer than two candidates or items) is ``None``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from exam_engine.psychometrics.matrix import FloatArray, ScoreMatrix

#: Items whose discrimination index is below this are flagged ``low_discrimination``.
MIN_DISCRIMINATION = 0.2
#: Items with a facility below this are flagged ``too_hard``.
MIN_FACILITY = 0.1
#: Items with a facility above this are flagged ``too_easy``.
MAX_FACILITY = 0.95


@dataclass(frozen=True)
class ItemStats:
    """Moodle's statistics for one item (fractions, not percentages; see the module docstring).

    :ivar flags: reasons to review the item: ``no_variance``, ``negative_discrimination``,
        ``low_discrimination``, ``too_hard``, ``too_easy``; empty for a sound item.
    """

    item_id: str
    max_mark: float
    mean: float
    facility: float
    sd: float | None
    random_guess_score: float | None
    intended_weight: float
    effective_weight: float | None
    discrimination_index: float | None
    discriminative_efficiency: float | None
    flags: tuple[str, ...]


@dataclass(frozen=True)
class TestStats:
    """Whole-test statistics (in marks, except alpha and the error ratio, which are fractions)."""

    n_candidates: int
    n_items: int
    max_total: float
    mean: float
    median: float
    sd: float | None
    cronbach_alpha: float | None
    error_ratio: float | None
    standard_error: float | None


@dataclass(frozen=True)
class ItemAnalysis:
    """Item statistics in column order, and the test statistics."""

    items: list[ItemStats]
    test: TestStats


def _optional(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _safe_ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    out = np.full(num.shape, np.nan)
    ok = den > 1e-12 * max(float(np.max(np.abs(den), initial=0.0)), 1.0)
    np.divide(num, den, out=out, where=ok)
    return out


def _flags(facility: float, discrimination: float | None, sd: float | None) -> tuple[str, ...]:
    flags: list[str] = []
    if not sd:
        flags.append("no_variance")
    elif discrimination is not None and discrimination < 0:
        flags.append("negative_discrimination")
    elif discrimination is not None and discrimination < MIN_DISCRIMINATION:
        flags.append("low_discrimination")
    if facility < MIN_FACILITY:
        flags.append("too_hard")
    elif facility > MAX_FACILITY:
        flags.append("too_easy")
    return tuple(flags)


def analyse_items(matrix: ScoreMatrix) -> ItemAnalysis:
    """Compute Moodle's item and test statistics for ``matrix``.

    :param matrix: the scores (zero marks for missing responses).
    :returns: per-item statistics with weak items flagged, and the test statistics.
    """
    x = matrix.scores
    n, m = x.shape
    total = x.sum(axis=1)
    rest = total[:, None] - x
    maxima = matrix.max_marks
    intended = maxima / maxima.sum()
    facility = x.mean(axis=0) / maxima

    if n > 1:
        dx = x - x.mean(axis=0)
        drest = rest - rest.mean(axis=0)
        dtotal = total - total.mean()
        var_x = (dx**2).sum(axis=0) / (n - 1)
        var_rest = (drest**2).sum(axis=0) / (n - 1)
        cov_rest = (dx * drest).sum(axis=0) / (n - 1)
        cov_total = (dx * dtotal[:, None]).sum(axis=0) / (n - 1)
        sorted_x = np.sort(x, axis=0)
        sorted_rest = np.sort(rest, axis=0)
        cov_max = (
            (sorted_x - sorted_x.mean(axis=0)) * (sorted_rest - sorted_rest.mean(axis=0))
        ).sum(axis=0) / (n - 1)
        sd = np.sqrt(var_x) / maxima
        discrimination = _safe_ratio(cov_rest, np.sqrt(var_x * var_rest))
        efficiency = _safe_ratio(cov_rest, cov_max)
        root_cov = np.sqrt(np.where(cov_total >= 0, cov_total, 0.0))
        weight_sum = float(root_cov[cov_total >= 0].sum())
        effective = np.where(cov_total >= 0, root_cov, np.nan)
        effective = effective / weight_sum if weight_sum > 0 else np.full(m, np.nan)
        var_total = float((dtotal**2).sum() / (n - 1))
    else:
        sd = discrimination = efficiency = effective = np.full(m, np.nan)
        var_x = np.full(m, np.nan)
        var_total = math.nan

    guess = matrix.random_guess if matrix.random_guess is not None else np.full(m, np.nan)
    items = []
    for j in range(m):
        item_sd = _optional(sd[j])
        item_discrimination = _optional(discrimination[j])
        items.append(
            ItemStats(
                item_id=matrix.item_ids[j],
                max_mark=float(maxima[j]),
                mean=float(facility[j] * maxima[j]),
                facility=float(facility[j]),
                sd=item_sd,
                random_guess_score=_optional(guess[j]),
                intended_weight=float(intended[j]),
                effective_weight=_optional(effective[j]),
                discrimination_index=item_discrimination,
                discriminative_efficiency=_optional(efficiency[j]),
                flags=_flags(float(facility[j]), item_discrimination, item_sd),
            )
        )
    return ItemAnalysis(items=items, test=_test_stats(matrix, total, var_x, var_total))


def _test_stats(
    matrix: ScoreMatrix, total: FloatArray, var_x: FloatArray, var_total: float
) -> TestStats:
    n, m = matrix.scores.shape
    alpha = error_ratio = standard_error = None
    sd = None if math.isnan(var_total) else math.sqrt(var_total)
    if m > 1 and sd:
        alpha = m / (m - 1) * (1 - float(var_x.sum()) / var_total)
        if alpha <= 1:
            # A negative alpha (items that disagree) leaves the error ratio above 1, as Moodle does.
            error_ratio = math.sqrt(1 - alpha)
            standard_error = error_ratio * sd
    return TestStats(
        n_candidates=n,
        n_items=m,
        max_total=float(matrix.max_marks.sum()),
        mean=float(total.mean()),
        median=float(np.median(total)),
        sd=sd,
        cronbach_alpha=alpha,
        error_ratio=error_ratio,
        standard_error=standard_error,
    )
