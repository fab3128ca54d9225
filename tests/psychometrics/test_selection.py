"""The comparable score, missing-by-design questions, the tie-break at the line, stable labels."""

from __future__ import annotations

import numpy as np
import pytest

from exam_engine.psychometrics import (
    analyse,
    bootstrap_top_k,
    cutoff,
    fit_irt,
    posterior_top_k,
    rank,
    score_matrix,
)
from exam_engine.psychometrics.simulate import simulate_pooled_sitting

NAN = float("nan")


def test_share_of_marks_available_ranks_not_raw_points():
    # A drew questions worth 16 in all and got every mark; B got 17 of 20.
    matrix = score_matrix([[4, 12, NAN], [NAN, 9, 8]], [4, 12, 8], candidate_ids=["A", "B"])
    result = rank(matrix)
    assert result.totals.tolist() == [16, 17]
    assert result.available.tolist() == [16, 20]
    assert result.scores.tolist() == [100.0, 85.0]
    assert result.ranks.tolist() == [1, 2]


def test_a_dropped_or_undrawn_question_is_missing_not_zero():
    rows = [[1, 2, NAN], [1, NAN, 3], [0, 1, NAN], [1, NAN, 0]]
    matrix = score_matrix(rows, [1, 2, 3])
    fit = fit_irt(matrix, "rasch")
    assert np.isfinite(fit.ability).all()
    # Filling the holes with zeros would be a different (and wrong) exam.
    zeros = score_matrix(np.nan_to_num(np.array(rows)), [1, 2, 3])
    assert rank(matrix).scores.tolist() == [100.0, 100.0, 33.333333, 25.0]
    assert rank(zeros).scores.tolist() != rank(matrix).scores.tolist()


def test_analysis_rows_carry_score_and_maximum():
    sitting = simulate_pooled_sitting(120, [(4, 2), (6, 3)], seed=5)
    result = analyse(sitting.matrix, 5, replicates=200)
    assert result.unequal_maxima and "raw_points_differ" in result.outlook.warnings
    for row in result.candidates:
        assert row.score == pytest.approx(round(100 * row.total / row.available, 6))
    scores = [row.score for row in result.candidates]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    ("scores", "ability", "k", "expected"),
    [
        ([90, 80, 80, 70], [0, 1, 2, 3], 2, [True, False, True, False]),  # ability breaks it
        ([90, 80, 80, 70], [0, 2, 2, 3], 2, [True, True, True, False]),  # still tied: both in
        ([90, 80, 80, 70], [0, 1, 2, 3], 3, [True, True, True, False]),  # no tie at the line
        ([50, 50, 50], [1, 3, 2], 1, [False, True, False]),
    ],
)
def test_declared_tie_break_at_the_line(scores, ability, k, expected):
    assert cutoff(scores, k, ability).tolist() == expected


def test_tie_break_shows_in_the_analysis():
    # Under the Rasch model equal totals mean equal abilities: all tied stay in.
    rows = [[1, 1, 0, 1], [1, 0, 1, 1], [0, 1, 1, 1], [0, 0, 0, 1], [1, 0, 0, 0]]
    rasch = analyse(score_matrix(rows, 1), 1, replicates=100)
    top = [row for row in rasch.candidates if row.rank == 1]
    assert len(top) == 3 and all(row.in_cohort and not row.tie_break for row in top)
    # Under the 2PL the same score can come from more or less telling questions.
    sitting = simulate_pooled_sitting(200, [(6, 6)], seed=3, points=(1,))
    ranking = rank(sitting.matrix)
    r = int(min(v for v in ranking.ranks if (ranking.ranks == v).sum() >= 2 and v > 1))
    result = analyse(sitting.matrix, r, replicates=100, irt_model="2pl")
    group = [row for row in result.candidates if row.rank == r]
    # One place is left for the group: the best ability takes it, with everyone equal to it.
    best = group[0].ability
    assert all(row.in_cohort == (row.ability == best) for row in group)
    assert all(row.tie_break == (row.ability < best) for row in group)
    assert any(not row.in_cohort for row in group)


def test_posterior_regresses_a_pure_noise_test():
    # Marks are coin flips: nobody is truly better. The bootstrap is sure of the best scorer;
    # the posterior is not.
    rng = np.random.default_rng(7)
    matrix = score_matrix((rng.random((200, 12)) < 0.5).astype(float), 1)
    best = int(np.argmax(np.nansum(matrix.scores, axis=1)))
    fit = fit_irt(matrix, "rasch")
    post = posterior_top_k(fit, matrix, 5, draws=400, seed=1)
    boot = bootstrap_top_k(matrix, 5, replicates=400, seed=1)
    assert post.p_top_k.sum() == pytest.approx(5)
    assert post.p_top_k[best] < 0.5 < boot.p_top_k[best]


@pytest.mark.parametrize("seed", [0, 1])
def test_one_mark_far_away_does_not_flip_labels(seed):
    sitting = simulate_pooled_sitting(300, [(6, 3), (8, 4), (4, 4)], seed=seed)
    matrix = sitting.matrix
    before = analyse(matrix, 10, replicates=600)
    previous = {row.candidate_id: row.label for row in before.candidates}
    far = before.candidates[200].candidate_id  # well below the line
    i = matrix.candidate_ids.index(far)
    scores = matrix.scores.copy()
    j = int(np.flatnonzero(~np.isnan(scores[i]))[0])
    scores[i, j] += 1 if scores[i, j] < matrix.max_marks[j] else -1
    changed = score_matrix(
        scores, matrix.max_marks, candidate_ids=matrix.candidate_ids, item_ids=matrix.item_ids
    )
    after = analyse(changed, 10, replicates=600, previous=previous)
    p_before = {row.candidate_id: row.p_top_k for row in before.candidates}
    moved = [abs(row.p_top_k - p_before[row.candidate_id]) for row in after.candidates]
    assert max(moved) < 0.02
    assert {r.candidate_id: r.label for r in after.candidates if r.candidate_id != far} == {
        c: label for c, label in previous.items() if c != far
    }
