"""A sensitivity check, not the committee's figure: P(top k) by a bootstrap over items.

Each replicate draws ``m`` items with replacement from the ``m`` items of the exam (the same draw
for every candidate) and recomputes every candidate's score — the share of the marks available to
them on that draw — and a candidate's figure is the share of replicates in which they rank in
the top k (ties across the k-th place share the remaining places). It asks "would the cohort
change with other questions?" and nothing else: it has no model of a candidate's luck on the
day and no regression to the mean, so it is overconfident (it calls the best scorer of a test of
pure noise a near-certain pick). The figure the committee sees comes from the ability posterior
(:mod:`.plausible`); this one is shown beside it, labelled, to show how much the choice of
questions alone could move the line.

A replicate's marks and maxima are ``scores @ counts`` and ``available @ counts``, where
``counts[j]`` is how often item ``j`` was drawn, so a batch of replicates is two matrix products.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from exam_engine.psychometrics.matrix import ScoreMatrix
from exam_engine.psychometrics.numbers import rounded
from exam_engine.psychometrics.ranking import TopKResult, TopKTally


def bootstrap_top_k(
    matrix: ScoreMatrix,
    k: int,
    *,
    replicates: int = 1000,
    seed: int = 0,
    tracked: npt.ArrayLike | None = None,
    level: float = 0.9,
    batch: int = 250,
) -> TopKResult:
    """Bootstrap over items: each candidate's probability of a top-k place, and rank bands.

    :param matrix: the scores.
    :param k: size of the cohort, ``1 <= k <= n``.
    :param replicates: number of bootstrap replicates (B).
    :param seed: seed of the random generator; the same seed gives the same result.
    :param tracked: rows whose rank band (central ``level`` interval of their rank) is wanted.
    :param level: coverage of the rank bands.
    :param batch: replicates per matrix product (bounds memory at ``8 * n * batch`` bytes).
    :returns: the probabilities and rank bands.
    :raises ValueError: if ``k`` is out of range or ``replicates`` is not positive.
    """
    if replicates < 1:
        raise ValueError("replicates must be positive")
    n, m = matrix.scores.shape
    tally = TopKTally(n, k, tracked)
    rng = np.random.default_rng(seed)
    marks = np.nan_to_num(matrix.scores, nan=0.0).T
    maxima = (matrix.observed * matrix.max_marks).T
    done = 0
    while done < replicates:
        size = min(batch, replicates - done)
        counts = rng.multinomial(m, np.full(m, 1.0 / m), size=size).astype(np.float64)
        available = counts @ maxima
        got = counts @ marks
        shares = np.divide(100.0 * got, available, out=np.zeros_like(got), where=available > 0)
        tally.add(rounded(shares))
        done += size
    return tally.result(level)
