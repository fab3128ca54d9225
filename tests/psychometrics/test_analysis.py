"""The facade the committee pages call."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from exam_engine.psychometrics import analyse, drop_items, full_marks, score_matrix
from exam_engine.psychometrics.simulate import simulate_sitting


@pytest.fixture(scope="module")
def sitting():
    return simulate_sitting(600, 25, seed=21, partial_steps=2)


@pytest.fixture(scope="module")
def result(sitting):
    return analyse(sitting.matrix, 15, replicates=300, seed=1)


def test_rows_are_in_rank_order_with_every_field(result, sitting):
    ranks = [row.rank for row in result.candidates]
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert len(result.candidates) == 600 and len(result.items) == 25
    assert result.irt_model == "2pl" and result.irt_converged
    by_id = {row.candidate_id: row for row in result.candidates}
    totals = sitting.matrix.totals()
    assert by_id["c00007"].total == totals[7]
    assert sum(row.in_cohort for row in result.candidates) >= 15


def test_probabilities_and_labels_agree(result):
    for row in result.candidates:
        if row.label == "clearly in":
            assert row.p_top_k >= 0.9
        elif row.label == "clearly out":
            assert row.p_top_k <= 0.1
        else:
            assert 0.1 < row.p_top_k < 0.9
    assert sum(r.p_top_k for r in result.candidates) == pytest.approx(15)
    assert sum(r.p_top_k_bootstrap for r in result.candidates) == pytest.approx(15)
    labels = {row.label for row in result.candidates}
    assert labels == {"clearly in", "borderline", "clearly out"}


def test_rank_bands_near_the_cut_only(result):
    banded = [row for row in result.candidates if row.rank_low is not None]
    assert banded == result.candidates[:45]  # the first max(3k, k + 20) rows
    assert all(row.rank_low <= row.rank_high for row in banded)  # type: ignore[operator]


def test_json_serialisable(result):
    text = json.dumps(dataclasses.asdict(result), allow_nan=False)
    data = json.loads(text)
    assert set(data["candidates"][0]) >= {
        "total",
        "rank",
        "tied",
        "percentile",
        "p_top_k_bootstrap",
        "ability",
        "ability_se",
        "p_top_k",
        "score",
        "available",
        "tie_break",
        "label",
    }
    assert data["items"][0]["facility"] > 0
    assert data["outlook"]["k"] == 15


def test_ranking_follows_item_decisions(sitting):
    before = analyse(sitting.matrix, 10, replicates=50)
    worst = min(before.items, key=lambda item: item.discrimination_index or 0).item_id
    dropped = analyse(drop_items(sitting.matrix, [worst]), 10, replicates=50)
    assert dropped.n_items == 24 and worst not in {i.item_id for i in dropped.items}
    expected = np.delete(sitting.matrix.scores, sitting.matrix.item_index([worst])[0], axis=1)
    totals = {row.candidate_id: row.total for row in dropped.candidates}
    assert totals["c00003"] == pytest.approx(expected[3].sum())
    rescored = analyse(full_marks(sitting.matrix, [worst]), 10, replicates=50)
    assert rescored.max_total == before.max_total
    assert {r.candidate_id: r.rank for r in rescored.candidates} == {
        r.candidate_id: r.rank for r in dropped.candidates
    }  # same order either way


def test_small_sittings_use_rasch_and_survive_edge_cases():
    scores = [[1, 1, 1], [1, 1, 1], [1, 0, 1], [0, 0, 1]]
    result = analyse(score_matrix(scores, 1), 2, replicates=100)
    assert result.irt_model == "rasch"
    top = result.candidates[:2]
    assert [row.rank for row in top] == [1, 1] and all(row.tied for row in top)
    # When a resample misses item 2, the third candidate ties with them and takes a share.
    third = result.candidates[2]
    assert top[0].p_top_k_bootstrap == top[1].p_top_k_bootstrap > third.p_top_k_bootstrap
    assert sum(row.p_top_k_bootstrap for row in result.candidates) == pytest.approx(2)
    json.dumps(dataclasses.asdict(result), allow_nan=False)


def test_single_candidate():
    result = analyse(score_matrix([[1, 0]], 1), 1, replicates=10)
    assert result.candidates[0].label == "clearly in"
    assert result.test is not None and result.test.sd is None


@pytest.mark.parametrize("k", [0, 5])
def test_bad_k(k):
    with pytest.raises(ValueError):
        analyse(score_matrix([[1], [0], [1], [1]], 1), k)


def test_rank_bands_are_a_count_of_rows_even_when_many_tie():
    # Sixty candidates share full marks: a limit on ranks would band all of them.
    rows = [[1, 1, 1]] * 60 + [[1, 0, 1], [0, 1, 0], [0, 0, 1], [0, 0, 0]] * 10
    result = analyse(score_matrix(rows, 1), 2, replicates=50)
    banded = [row for row in result.candidates if row.rank_low is not None]
    assert len(banded) == 22 and all(row.rank == 1 for row in banded)
