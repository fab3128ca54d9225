"""P(top k) by a bootstrap over items: how much would the cohort change with other questions?

Each replicate draws ``m`` items with replacement from the ``m`` items of the exam (the same draw
for every candidate) and re-totals every candidate's marks on that draw. A candidate's probability
is the share of replicates in which they rank in the top k (ties across the k-th place share the
remaining places). This measures the uncertainty that comes from the choice of questions, not
from a candidate's luck on the day; the IRT model (:mod:`.irt`) gives the other view.

A replicate's totals are ``scores @ counts`` where ``counts[j]`` is how often item ``j`` was
drawn, so a batch of replicates is one matrix product.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from exam_engine.psychometrics.matrix import TOTAL_DECIMALS, ScoreMatrix
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
    done = 0
    while done < replicates:
        size = min(batch, replicates - done)
        counts = rng.multinomial(m, np.full(m, 1.0 / m), size=size).astype(np.float64)
        totals = np.round(counts @ matrix.scores.T, TOTAL_DECIMALS)
        tally.add(totals)
        done += size
    return tally.result(level)
