"""Ranks with ties as ties, percentiles, the cut-off's tie-break, and tallies of top-k places."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from exam_engine.psychometrics.matrix import FloatArray, ScoreMatrix
from exam_engine.psychometrics.numbers import percentile_ranks, rounded

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Ranking:
    """Scores and ranks of a matrix's candidates, in row order.

    :ivar scores: the primary score, percentage of the marks available to the candidate.
    :ivar totals: total marks over the items the candidate had.
    :ivar available: the maximum of those items.
    :ivar ranks: competition ranks ("1, 2, 2, 4"): one plus the number of strictly higher scores.
    :ivar tied: whether another candidate has the same score.
    :ivar percentiles: percentile ranks (:func:`.numbers.percentile_ranks`).
    """

    scores: FloatArray
    totals: FloatArray
    available: FloatArray
    ranks: IntArray
    tied: npt.NDArray[np.bool_]
    percentiles: FloatArray


def competition_ranks(values: npt.ArrayLike) -> IntArray:
    """Standard competition ranks, highest value first: ``[9, 7, 7, 5] -> [1, 2, 2, 4]``.

    :param values: one value per candidate; compared after rounding by the one rule.
    :returns: ranks, one per value.
    """
    v = rounded(values).reshape(-1)
    ascending = np.sort(v)
    higher = v.size - np.searchsorted(ascending, v, side="right")
    return (higher + 1).astype(np.int64)


def rank(matrix: ScoreMatrix) -> Ranking:
    """Rank the candidates of ``matrix`` by their share of the marks available to them.

    Raw totals never decide a rank: candidates who drew questions worth different points are
    compared on percentages. No hidden tie-break: ties stay ties (see :func:`cutoff`).

    :param matrix: the scores.
    :returns: scores, totals, ranks, tie flags and percentiles.
    """
    scores = matrix.shares()
    ascending = np.sort(scores)
    lower = np.searchsorted(ascending, scores, side="left")
    upper = np.searchsorted(ascending, scores, side="right")
    return Ranking(
        scores=scores,
        totals=matrix.totals(),
        available=matrix.available(),
        ranks=competition_ranks(scores),
        tied=(upper - lower) > 1,
        percentiles=percentile_ranks(scores),
    )


def cutoff(scores: npt.ArrayLike, k: int, tie_break: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Who is within the cohort of ``k``, with the declared tie-break at the line.

    Everyone whose score is strictly above the k-th best is in. When candidates tie across the
    line, the places left go to the tied candidates with the higher ``tie_break`` value (the IRT
    ability: which questions they got right, not only how many marks); candidates equal on both
    stay together, so then more than ``k`` are in and the committee decides.

    :param scores: primary scores (rounded by the one rule before comparing).
    :param k: size of the cohort, ``1 <= k <= n``.
    :param tie_break: second key, higher is better (rounded likewise).
    :returns: ``(n,)`` booleans.
    :raises ValueError: if ``k`` is out of range.
    """
    s = rounded(scores).reshape(-1)
    t = rounded(tie_break).reshape(-1)
    n = s.size
    if not 1 <= k <= n:
        raise ValueError(f"k must be between 1 and the number of candidates ({n}), got {k}")
    line = np.sort(s)[n - k]
    inside = s > line
    level = np.flatnonzero(s == line)
    left = k - int(inside.sum())
    if left >= level.size:
        inside[level] = True
        return inside
    second = np.sort(t[level])[::-1]
    inside[level[t[level] >= second[left - 1]]] = True
    return inside


@dataclass(frozen=True, eq=False)
class TopKResult:
    """Probabilities of a top-k place over replicates, and rank bands of some candidates.

    :ivar p_top_k: ``(n,)`` probability of being in the top k, per candidate.
    :ivar tracked: row indices whose rank bands were computed.
    :ivar rank_low: lower end of each tracked candidate's rank band.
    :ivar rank_high: upper end of each tracked candidate's rank band.
    :ivar replicates: number of replicates behind the figures.
    """

    p_top_k: FloatArray
    tracked: IntArray
    rank_low: IntArray
    rank_high: IntArray
    replicates: int


class TopKTally:
    """Accumulates, over replicate columns of scores, each candidate's share of the top k.

    Where candidates tie across the k-th place in a replicate, the remaining places are shared
    equally among them, so the shares of a replicate always add up to exactly ``k``. Optionally
    also records the competition rank of some candidates in every replicate, for rank bands.

    :param n: number of candidates.
    :param k: size of the cohort.
    :param tracked: row indices whose ranks are recorded (none by default).
    :raises ValueError: unless ``1 <= k <= n``.
    """

    def __init__(self, n: int, k: int, tracked: npt.ArrayLike | None = None) -> None:
        if not 1 <= k <= n:
            raise ValueError(f"k must be between 1 and the number of candidates ({n}), got {k}")
        self.n, self.k = n, k
        self.tracked: IntArray = np.asarray([] if tracked is None else tracked, dtype=np.int64)
        self.shares: FloatArray = np.zeros(n)
        self.replicates = 0
        self._ranks: list[IntArray] = []

    def add(self, samples: FloatArray) -> None:
        """Add a batch of replicates.

        :param samples: ``(b, n)`` scores (higher is better), one row per replicate.
        :raises ValueError: on a wrong number of columns.
        """
        if samples.ndim != 2 or samples.shape[1] != self.n:
            raise ValueError("samples must have one column per candidate")
        n, k = self.n, self.k
        # The k-th highest value of each replicate; everything above it is in, ties share the rest.
        cut = np.partition(samples, n - k, axis=1)[:, n - k, None]
        above = samples > cut
        rows, cols = np.nonzero(samples == cut)
        share = (k - above.sum(axis=1)) / np.bincount(rows, minlength=samples.shape[0])
        self.shares += above.sum(axis=0)
        np.add.at(self.shares, cols, share[rows])
        self.replicates += samples.shape[0]
        if self.tracked.size:
            self._ranks.append(self._tracked_ranks(samples))

    def _tracked_ranks(self, samples: FloatArray) -> IntArray:
        values = samples[:, self.tracked]
        floor = values.min(axis=1)
        ranks = np.empty(values.shape, dtype=np.int64)
        for b in range(samples.shape[0]):
            # Only values at or above the lowest tracked one can outrank a tracked candidate.
            row = samples[b]
            top = np.sort(row[row >= floor[b]])
            ranks[b] = top.size - np.searchsorted(top, values[b], side="right") + 1
        return ranks

    def probabilities(self) -> FloatArray:
        """Each candidate's estimated probability of belonging in the top k.

        :returns: ``(n,)`` probabilities (zeros before any replicate is added).
        """
        return self.shares / max(self.replicates, 1)

    def rank_band(self, level: float = 0.9) -> tuple[IntArray, IntArray]:
        """Central interval of the tracked candidates' ranks over the replicates.

        :param level: coverage of the interval, e.g. 0.9 for the 5th to 95th percentile.
        :returns: lower and upper rank bounds (``lower <= upper``), one per tracked candidate.
        :raises ValueError: if no ranks were recorded.
        """
        if not self._ranks:
            raise ValueError("no tracked ranks were recorded")
        ranks = np.concatenate(self._ranks, axis=0)
        tail = 100 * (1 - level) / 2
        low = np.percentile(ranks, tail, axis=0, method="lower")
        high = np.percentile(ranks, 100 - tail, axis=0, method="higher")
        return low.astype(np.int64), high.astype(np.int64)

    def result(self, level: float = 0.9) -> TopKResult:
        """The probabilities and, for tracked candidates, their rank bands.

        :param level: coverage of the rank bands.
        :returns: the tallied result.
        """
        if self.tracked.size and self._ranks:
            low, high = self.rank_band(level)
        else:
            low = high = np.zeros(0, dtype=np.int64)
        return TopKResult(self.probabilities(), self.tracked, low, high, self.replicates)
