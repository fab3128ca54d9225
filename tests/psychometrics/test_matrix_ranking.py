"""Score matrices, the committee's item decisions, and ranks with ties as ties."""

from __future__ import annotations

import numpy as np
import pytest

from exam_engine.psychometrics import (
    competition_ranks,
    drop_items,
    full_marks,
    rank,
    score_matrix,
)
from exam_engine.psychometrics.ranking import TopKTally

SCORES = [[1, 2, 0], [1, 0, 3], [0, 2, 1], [1, 1, 1], [0, 0, 0]]


@pytest.fixture()
def matrix():
    return score_matrix(SCORES, [1, 2, 3], candidate_ids=list("abcde"), item_ids=["q1", "q2", "q3"])


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([9, 7, 7, 5], [1, 2, 2, 4]),
        ([5, 7, 9, 7], [4, 2, 1, 2]),
        ([3, 3, 3], [1, 1, 1]),
        ([1.0], [1]),
    ],
)
def test_competition_ranks(values, expected):
    assert competition_ranks(values).tolist() == expected


def test_ranking_keeps_ties_and_gives_percentiles(matrix):
    result = rank(matrix)
    assert result.totals.tolist() == [3, 4, 3, 3, 0]
    assert result.ranks.tolist() == [2, 1, 2, 2, 5]
    assert result.tied.tolist() == [True, False, True, True, False]
    assert result.scores.tolist() == [50.0, 66.666667, 50.0, 50.0, 0.0]
    # Percentile rank: below plus half of those level (the candidate included).
    assert result.percentiles.tolist() == [50.0, 90.0, 50.0, 50.0, 10.0]


def test_fractional_marks_that_add_up_equal_tie():
    # 0.1 + 0.2 != 0.3 in floating point; the ranking must still call it a tie.
    m = score_matrix([[0.1, 0.2], [0.3, 0.0]], 1)
    assert rank(m).ranks.tolist() == [1, 1]


def test_drop_items_and_the_ranking_follows(matrix):
    dropped = drop_items(matrix, ["q3"])
    assert dropped.item_ids == ("q1", "q2")
    assert rank(dropped).ranks.tolist() == [1, 4, 2, 2, 5]  # totals 3, 1, 2, 2, 0
    assert matrix.n_items == 3  # the original is unchanged


def test_full_marks_and_the_ranking_follows(matrix):
    rescored = full_marks(matrix, ["q1", "q2"])
    assert rescored.scores[:, :2].tolist() == [[1, 2]] * 5
    assert rank(rescored).ranks.tolist() == [4, 1, 2, 2, 4]  # totals 3, 6, 4, 4, 3
    assert matrix.scores[4, 0] == 0


@pytest.mark.parametrize("ids", [["nope"], ["q1", "nope"]])
def test_unknown_items_are_refused(matrix, ids):
    with pytest.raises(KeyError):
        drop_items(matrix, ids)
    with pytest.raises(KeyError):
        full_marks(matrix, ids)


def test_cannot_drop_everything(matrix):
    with pytest.raises(ValueError):
        drop_items(matrix, ["q1", "q2", "q3"])


@pytest.mark.parametrize(
    ("scores", "maxima"),
    [
        ([1, 2, 3], 3),  # one-dimensional
        ([[2, 2]], [1, 2]),  # 2 is above the first item's maximum of 1
        ([[1.5, 0]], [1, 1]),  # above the maximum
        ([[-0.5, 0]], [1, 1]),  # negative
        ([[float("inf"), 0]], [1, 1]),  # infinite
        ([[1, 0]], [1, 0]),  # zero maximum
        (np.zeros((0, 2)), [1, 1]),  # no candidates
    ],
)
def test_invalid_matrices_are_refused(scores, maxima):
    with pytest.raises(ValueError):
        score_matrix(scores, maxima)


def test_ids_must_be_unique_and_complete():
    with pytest.raises(ValueError):
        score_matrix([[1], [0]], 1, candidate_ids=["a", "a"])
    with pytest.raises(ValueError):
        score_matrix([[1], [0]], 1, candidate_ids=["a"])


def test_matrix_is_read_only(matrix):
    with pytest.raises(ValueError):
        matrix.scores[0, 0] = 5


def test_tally_shares_tied_places():
    tally = TopKTally(4, 2, tracked=[0, 1, 2, 3])
    tally.add(np.array([[5.0, 3.0, 3.0, 3.0], [1.0, 2.0, 3.0, 4.0]]))
    # Replicate 1: candidate 0 is in, the last place is shared three ways.
    # Replicate 2: candidates 3 and 2 are in.
    assert tally.probabilities().tolist() == pytest.approx([0.5, 1 / 6, 2 / 3, 2 / 3])
    low, high = tally.rank_band(level=1.0)
    assert low.tolist() == [1, 2, 2, 1] and high.tolist() == [4, 3, 2, 2]


def test_tally_refuses_bad_k():
    with pytest.raises(ValueError):
        TopKTally(3, 4)
