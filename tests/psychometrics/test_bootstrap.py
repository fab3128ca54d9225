"""P(top k) by bootstrap over items, against an exact enumeration of every resample."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from exam_engine.psychometrics import bootstrap_top_k, score_matrix
from exam_engine.psychometrics.simulate import simulate_sitting

SMALL = [[1, 0, 1], [0, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 1]]


def _exact(scores: list[list[int]], k: int) -> list[float]:
    """Average top-k share over all m^m equally likely ordered draws, tied places shared."""
    n, m = len(scores), len(scores[0])
    shares = [0.0] * n
    draws = list(itertools.product(range(m), repeat=m))
    for draw in draws:
        totals = [sum(row[j] for j in draw) for row in scores]
        cut = sorted(totals, reverse=True)[k - 1]
        above = [t > cut for t in totals]
        at = [t == cut for t in totals]
        free = k - sum(above)
        for i in range(n):
            shares[i] += 1.0 if above[i] else (free / sum(at) if at[i] else 0.0)
    return [s / len(draws) for s in shares]


@pytest.mark.parametrize("k", [1, 2, 3])
def test_matches_exact_enumeration(k):
    result = bootstrap_top_k(score_matrix(SMALL, 1), k, replicates=20000, seed=3)
    assert result.p_top_k.tolist() == pytest.approx(_exact(SMALL, k), abs=0.015)


def test_probabilities_add_up_to_k_and_respect_order():
    sitting = simulate_sitting(400, 20, seed=2)
    p = bootstrap_top_k(sitting.matrix, 20, replicates=300, seed=1).p_top_k
    assert p.sum() == pytest.approx(20)
    totals = sitting.matrix.totals()
    assert p[np.argmax(totals)] > 0.8
    assert p[np.argmin(totals)] == 0


def test_seeded_and_reproducible():
    m = simulate_sitting(300, 15, seed=4).matrix
    a = bootstrap_top_k(m, 10, replicates=200, seed=9).p_top_k
    assert np.array_equal(a, bootstrap_top_k(m, 10, replicates=200, seed=9).p_top_k)
    assert not np.array_equal(a, bootstrap_top_k(m, 10, replicates=200, seed=10).p_top_k)


def test_batches_do_not_change_the_answer():
    m = simulate_sitting(200, 10, seed=5).matrix
    one = bootstrap_top_k(m, 10, replicates=100, seed=1, batch=100).p_top_k
    many = bootstrap_top_k(m, 10, replicates=100, seed=1, batch=7).p_top_k
    assert np.allclose(one, many, rtol=0, atol=1e-12)  # same draws, summed in other batches


def test_identical_candidates_get_identical_probabilities():
    scores = [[1, 1, 0, 1], [1, 1, 0, 1], [0, 1, 1, 0], [1, 0, 0, 0]]
    p = bootstrap_top_k(score_matrix(scores, 1), 1, replicates=500, seed=0).p_top_k
    assert p[0] == p[1]
    assert p.sum() == pytest.approx(1)


def test_rank_bands_for_tracked_candidates():
    sitting = simulate_sitting(500, 30, seed=6)
    order = np.argsort(-sitting.matrix.totals())[:30]
    result = bootstrap_top_k(sitting.matrix, 10, replicates=400, seed=0, tracked=order)
    assert result.tracked.tolist() == order.tolist()
    assert np.all(result.rank_low >= 1) and np.all(result.rank_low <= result.rank_high)
    assert result.rank_high[0] < result.rank_low[-1]  # the leader is clearly above the 30th


def test_refuses_bad_arguments():
    m = score_matrix(SMALL, 1)
    with pytest.raises(ValueError):
        bootstrap_top_k(m, 6)
    with pytest.raises(ValueError):
        bootstrap_top_k(m, 2, replicates=0)
