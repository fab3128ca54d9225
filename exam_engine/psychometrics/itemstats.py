"""Item analysis by Moodle's quiz statistics definitions, with missing-by-design data.

Moodle shows most of these as percentages; here they are fractions (multiply by 100 to compare).
Every question's figures use **the candidates who saw it** (a pool question is computed on those
who drew it, as Moodle does for the questions behind a random slot) and **its own maximum**. With
``x`` a question's marks, ``T`` the candidates' totals over what they had and ``X = T - x`` the
rest-of-test marks, every variance and covariance with the ``n - 1`` divisor, as Moodle:

* facility = mean(x) / max mark
* sd = sd(x) / max mark (``None`` for fewer than two candidates)
* random guess score = the expected fraction of a random guesser (given with the matrix)
* intended weight = max mark / the mean maximum available to those who saw it (for a question
  everyone had: max mark / sum of max marks, Moodle's definition)
* effective weight = sqrt(cov(x, T)) / sum over slots of sqrt(cov(slot, T)), on the candidates
  who had every slot; ``None`` for a question with negative covariance (left out of the sum) and
  for a pool question — Moodle shows none for the questions behind a random slot
* discrimination index = corr(x, X)
* discriminative efficiency = cov(x, X) / cov(sorted x, sorted X)
* near-zero variance: a question whose marks do not vary (to 1e-9 of its maximum) has sd exactly
  0, no discrimination and the ``no_variance`` flag

Test statistics (:class:`TestStats`): the mean, median, sd, skewness and kurtosis are those of the
primary score (percentage of the marks available), which for an exam without pools is Moodle's
"percentage of the quiz's total"; skewness and kurtosis are Moodle's k-statistic forms,
``k3 / k2^1.5`` (more than two candidates) and ``k4 / k2^2`` (more than three). Cronbach's alpha
is computed on the slot marks (a slot is one question place of a section, whichever question the
candidate drew there) of the candidates who had every slot, as Moodle does with random slots:
``p / (p - 1) * (1 - sum var(slot) / var(sum of slots))``; error ratio = sqrt(1 - alpha);
standard error = error ratio × sd, in percentage points. Like Moodle, alpha, the error ratio and
the standard error are blank (``None``) for two candidates or fewer.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from exam_engine.psychometrics.matrix import FloatArray, ScoreMatrix

#: Items whose discrimination index is below this are flagged ``low_discrimination``.
MIN_DISCRIMINATION = 0.2
#: Items with a facility below this are flagged ``too_hard``.
MIN_FACILITY = 0.1
#: Items with a facility above this are flagged ``too_easy``.
MAX_FACILITY = 0.95
#: A question whose marks spread by less than this fraction of its maximum has no variance.
NO_VARIANCE = 1e-9
#: Alpha, error ratio, standard error and skewness need more candidates than this.
MIN_TEST_CANDIDATES = 2


@dataclass(frozen=True)
class ItemStats:
    """Moodle's statistics for one question (fractions, not percentages; see the module docstring).

    :ivar n: candidates who saw the question (and on whom every figure is computed).
    :ivar flags: reasons to review the item: ``no_variance``, ``negative_discrimination``,
        ``low_discrimination``, ``too_hard``, ``too_easy``; empty for a sound item.
    """

    item_id: str
    n: int
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
    """Whole-test statistics: scores in percentage points; alpha and error ratio as fractions."""

    n_candidates: int
    n_items: int
    n_slots: int
    mean: float
    median: float
    sd: float | None
    skewness: float | None
    kurtosis: float | None
    cronbach_alpha: float | None
    error_ratio: float | None
    standard_error: float | None


@dataclass(frozen=True)
class ItemAnalysis:
    """Item statistics in column order, and the test statistics."""

    items: list[ItemStats]
    test: TestStats


def _cov(a: FloatArray, b: FloatArray) -> float:
    return float(((a - a.mean()) * (b - b.mean())).sum() / (a.size - 1))


def _flags(facility: float, discrimination: float | None, sd: float | None) -> tuple[str, ...]:
    flags: list[str] = []
    if sd == 0:
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


def _complete_slots(slots: FloatArray) -> FloatArray:
    """Slot marks of the candidates who had every slot (slots nobody had are left out)."""
    kept = slots[:, ~np.isnan(slots).all(axis=0)]
    return kept[~np.isnan(kept).any(axis=1)]


def _effective_weights(
    matrix: ScoreMatrix, slots: FloatArray
) -> tuple[npt.NDArray[np.bool_], FloatArray]:
    """Which items get an effective weight, and the weights (``nan`` where none)."""
    m = matrix.n_items
    weights = np.full(m, np.nan)
    full: npt.NDArray[np.bool_] = np.asarray(matrix.observed.all(axis=0))
    rows = ~np.isnan(slots).any(axis=1)
    if rows.sum() < 2 or not full.any():
        return full, weights
    complete = slots[rows]
    total = complete.sum(axis=1)
    slot_cov = np.array([_cov(complete[:, s], total) for s in range(complete.shape[1])])
    denominator = float(np.sqrt(slot_cov[slot_cov >= 0]).sum())
    if denominator <= 0:
        return full, weights
    for j in np.flatnonzero(full):
        c = _cov(matrix.scores[rows, j], total)
        if c >= 0:
            weights[j] = math.sqrt(c) / denominator
    return full, weights


def _item(matrix: ScoreMatrix, j: int, totals: FloatArray, available: FloatArray) -> ItemStats:
    rows = matrix.observed[:, j]
    top = float(matrix.max_marks[j])
    x = matrix.scores[rows, j]
    n = int(x.size)
    guess = None if matrix.random_guess is None else matrix.random_guess[j]
    facility = float(x.mean() / top) if n else 0.0
    sd = discrimination = efficiency = None
    if n >= 2:
        rest = totals[rows] - x
        var_x = _cov(x, x)
        if math.sqrt(max(var_x, 0.0)) <= NO_VARIANCE * top:
            sd = 0.0
        else:
            sd = math.sqrt(var_x) / top
            var_rest = _cov(rest, rest)
            cov = _cov(x, rest)
            if var_rest > 0:
                discrimination = cov / math.sqrt(var_x * var_rest)
                best = _cov(np.sort(x), np.sort(rest))
                efficiency = cov / best if best > 0 else None
    return ItemStats(
        item_id=matrix.item_ids[j],
        n=n,
        max_mark=top,
        mean=float(x.mean()) if n else 0.0,
        facility=facility,
        random_guess_score=None if guess is None or math.isnan(guess) else float(guess),
        intended_weight=float(top / available[rows].mean()) if n else 0.0,
        sd=sd,
        effective_weight=None,
        discrimination_index=discrimination,
        discriminative_efficiency=efficiency,
        flags=_flags(facility, discrimination, sd),
    )


def analyse_items(matrix: ScoreMatrix, slots: npt.ArrayLike | None = None) -> ItemAnalysis:
    """Compute Moodle's item and test statistics for ``matrix``.

    :param matrix: the scores (``nan`` where a candidate did not have a question).
    :param slots: ``(n, p)`` slot marks (``nan`` where missing) for alpha and effective weights;
        by default every question is its own slot.
    :returns: per-item statistics with weak items flagged, and the test statistics.
    :raises ValueError: if ``slots`` has the wrong number of rows.
    """
    slot_marks = matrix.scores if slots is None else np.asarray(slots, dtype=np.float64)
    if slot_marks.ndim != 2 or slot_marks.shape[0] != matrix.n_candidates:
        raise ValueError("slots needs one row per candidate")
    totals = np.nansum(matrix.scores, axis=1)
    available = matrix.available()
    full, weights = _effective_weights(matrix, slot_marks)
    items = []
    for j in range(matrix.n_items):
        stats = _item(matrix, j, totals, available)
        if full[j] and not math.isnan(weights[j]):
            stats = dataclasses.replace(stats, effective_weight=float(weights[j]))
        items.append(stats)
    return ItemAnalysis(items=items, test=score_stats(matrix, slot_marks))


def _moments(scores: FloatArray) -> tuple[float | None, float | None, float | None]:
    """Moodle's sd, skewness and kurtosis of the scores."""
    s = scores.size
    if s < 2:
        return None, None, None
    d = scores - scores.mean()
    m2, m3, m4 = (d**2).mean(), (d**3).mean(), (d**4).mean()
    sd = math.sqrt(float((d**2).sum()) / (s - 1))
    k2 = s * m2 / (s - 1)
    if s <= MIN_TEST_CANDIDATES or k2 <= 0:
        return sd, None, None
    k3 = s * s * m3 / ((s - 1) * (s - 2))
    skewness = float(k3 / k2**1.5)
    if s <= 3:
        return sd, skewness, None
    k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
    return sd, skewness, float(k4 / k2**2)


def score_stats(matrix: ScoreMatrix, slots: FloatArray) -> TestStats:
    """Whole-test statistics (see the module docstring).

    :param matrix: the scores.
    :param slots: ``(n, p)`` slot marks.
    :returns: the statistics; undefined ones are ``None``.
    """
    scores = matrix.shares()
    sd, skewness, kurtosis = _moments(scores)
    complete = _complete_slots(slots)
    p = complete.shape[1]
    alpha = error_ratio = standard_error = None
    if p > 1 and complete.shape[0] > MIN_TEST_CANDIDATES:
        var_total = float(np.var(complete.sum(axis=1), ddof=1))
        if var_total > 0:
            item_vars = float(np.var(complete, axis=0, ddof=1).sum())
            alpha = p / (p - 1) * (1 - item_vars / var_total)
            if alpha <= 1:
                # A negative alpha (items that disagree) leaves the error ratio above 1, as Moodle.
                error_ratio = math.sqrt(1 - alpha)
                standard_error = None if sd is None else error_ratio * sd
    return TestStats(
        n_candidates=matrix.n_candidates,
        n_items=matrix.n_items,
        n_slots=p,
        mean=float(scores.mean()),
        median=float(np.median(scores)),
        sd=sd,
        skewness=skewness,
        kurtosis=kurtosis,
        cronbach_alpha=alpha,
        error_ratio=error_ratio,
        standard_error=standard_error,
    )
