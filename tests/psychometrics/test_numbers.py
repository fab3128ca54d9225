"""The one rounding rule and the one percentile definition."""

from __future__ import annotations

import numpy as np
import pytest

from exam_engine.psychometrics import (
    analyse,
    percentile_ranks,
    rank,
    round_value,
    rounded,
    score_matrix,
)
from exam_engine.psychometrics.numbers import percentile_rank, plain


def test_rounding_is_half_even_to_six_decimals_and_has_no_negative_zero():
    assert round_value(10.0000004) == 10.0
    assert round_value(0.1 + 0.2) == 0.3
    assert round_value(2.0000005) == 2.0  # half to even (in binary it is just below the half)
    assert str(round_value(-0.0000001)) == "0.0"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (66.66666666, "66.666667"),
        (10.0, "10"),
        (0.5, "0.5"),
        (None, ""),
        (1e-9, "0"),
        (1e7, "10000000"),
    ],
)
def test_plain_text_for_exports(value, text):
    assert plain(value) == text


def test_nearly_equal_totals_tie_everywhere():
    # 10.0 and 10.0000004 are the same mark: the same rank, score and probability.
    matrix = score_matrix([[10.0000004, 0], [10.0, 0], [3, 1], [2, 0]], [11, 1])
    ranking = rank(matrix)
    assert ranking.ranks.tolist()[:2] == [1, 1] and ranking.tied[:2].all()
    result = analyse(matrix, 1, replicates=200)
    top = [row for row in result.candidates if row.rank == 1]
    assert top[0].p_top_k_bootstrap == top[1].p_top_k_bootstrap
    assert top[0].score == top[1].score


def test_percentile_rank_definition():
    assert percentile_ranks([10, 20, 30, 40]).tolist() == [12.5, 37.5, 62.5, 87.5]
    assert percentile_ranks([5, 5, 5]).tolist() == [50.0, 50.0, 50.0]
    assert percentile_rank(below=1, equal=2, n=4) == 50.0
    assert percentile_ranks([1.0, 1.0000001]).tolist() == [50.0, 50.0]


def test_scalar_and_array_rounding_agree_bit_for_bit():
    rng = np.random.default_rng(0)
    values = np.concatenate(
        [rng.random(20000) * 100, np.round(rng.random(20000) * 1000, 7), np.arange(-800, 800) / 8e6]
    )
    assert rounded(values).tolist() == [round_value(v) for v in values]
