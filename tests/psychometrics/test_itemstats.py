"""Moodle's quiz statistics, checked against plain Python written from the definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from exam_engine.psychometrics import analyse_items, score_matrix

# Eight candidates, five items: item 1 (max 1) is right/wrong, item 2 (max 2) has half marks,
# item 3 (max 1) is answered backwards by the strong candidates, everyone gets item 4 (max 1),
# item 5 (max 3) has partial credit.
SCORES = [
    [1, 2.0, 0, 1, 3],
    [1, 2.0, 0, 1, 2],
    [1, 1.5, 0, 1, 3],
    [0, 1.5, 1, 1, 2],
    [1, 1.0, 1, 1, 1],
    [0, 0.5, 1, 1, 1],
    [0, 1.0, 0, 1, 0],
    [0, 0.0, 1, 1, 0],
]
MAX = [1, 2, 1, 1, 3]
GUESS = [0.5, float("nan"), float("nan"), 0.25, float("nan")]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _cov(xs: list[float], ys: list[float]) -> float:
    mx, my = _mean(xs), _mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (len(xs) - 1)


def _reference() -> tuple[list[dict[str, float | None]], dict[str, float]]:
    """Moodle's definitions, one candidate and one item at a time."""
    n, m = len(SCORES), len(MAX)
    totals = [sum(row) for row in SCORES]
    items: list[dict[str, float | None]] = []
    root_covs = []
    for j in range(m):
        x = [row[j] for row in SCORES]
        rest = [totals[i] - x[i] for i in range(n)]
        var_x, var_rest = _cov(x, x), _cov(rest, rest)
        cov_rest = _cov(x, rest)
        cov_max = _cov(sorted(x), sorted(rest))
        cov_total = _cov(x, totals)
        root_covs.append(math.sqrt(cov_total) if cov_total >= 0 else None)
        items.append(
            {
                "facility": _mean(x) / MAX[j],
                "sd": math.sqrt(var_x) / MAX[j],
                "intended_weight": MAX[j] / sum(MAX),
                "discrimination_index": (
                    cov_rest / math.sqrt(var_x * var_rest) if var_x * var_rest > 0 else None
                ),
                "discriminative_efficiency": cov_rest / cov_max if cov_max else None,
            }
        )
    weight_sum = sum(r for r in root_covs if r is not None)
    for item, root in zip(items, root_covs, strict=True):
        item["effective_weight"] = None if root is None else root / weight_sum
    var_total = _cov(totals, totals)
    alpha = (
        m
        / (m - 1)
        * (
            1
            - sum(_cov([r[j] for r in SCORES], [r[j] for r in SCORES]) for j in range(m))
            / var_total
        )
    )
    test = {
        "mean": _mean(totals),
        "sd": math.sqrt(var_total),
        "cronbach_alpha": alpha,
        "error_ratio": math.sqrt(1 - alpha),
        "standard_error": math.sqrt(1 - alpha) * math.sqrt(var_total),
    }
    return items, test


@pytest.fixture(scope="module")
def analysis():
    return analyse_items(score_matrix(SCORES, MAX, random_guess=GUESS))


FIELDS = [
    "facility",
    "sd",
    "intended_weight",
    "effective_weight",
    "discrimination_index",
    "discriminative_efficiency",
]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("j", range(5))
def test_item_statistic_matches_reference(analysis, field, j):
    expected = _reference()[0][j][field]
    got = getattr(analysis.items[j], field)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("field", ["mean", "sd", "cronbach_alpha", "error_ratio", "standard_error"])
def test_test_statistic_matches_reference(analysis, field):
    assert getattr(analysis.test, field) == pytest.approx(_reference()[1][field], abs=1e-12)


def test_hand_computed_values(analysis):
    first = analysis.items[0]
    assert first.facility == pytest.approx(0.5)
    assert first.sd == pytest.approx(math.sqrt(2 / 7))  # 8 * 0.25 / (8 - 1)
    assert analysis.items[1].facility == pytest.approx(9.5 / 16)
    assert analysis.items[4].intended_weight == pytest.approx(3 / 8)
    assert analysis.test.median == pytest.approx(5.25)
    assert analysis.test.max_total == 8


def test_random_guess_score_where_defined(analysis):
    assert [item.random_guess_score for item in analysis.items] == [0.5, None, None, 0.25, None]


def test_weak_items_are_flagged(analysis):
    flags = {item.item_id: item.flags for item in analysis.items}
    assert flags["1"] == flags["2"] == flags["5"] == ()
    assert flags["3"] == ("negative_discrimination",)
    assert flags["4"] == ("no_variance", "too_easy")


@pytest.mark.parametrize(
    ("column", "flags"),
    [
        ([1, 1, 1, 1, 1, 1, 1, 0.8], ("too_easy",)),
        ([0, 0, 0, 0, 0, 0, 0, 0], ("no_variance", "too_hard")),
        ([1, 0, 1, 0, 0, 1, 0, 0], ("low_discrimination",)),
    ],
)
def test_flags_for_constructed_items(column, flags):
    scores = [[*row[:4], mark] for row, mark in zip(SCORES, column, strict=True)]
    matrix = score_matrix(scores, [1, 2, 1, 1, 1])
    assert analyse_items(matrix).items[4].flags == flags


def test_effective_weights_of_positive_items_sum_to_one(analysis):
    weights = [i.effective_weight for i in analysis.items if i.effective_weight is not None]
    assert sum(weights) == pytest.approx(1.0)
    assert analysis.items[2].effective_weight is None  # negative covariance with the total


def test_statistics_follow_a_perfect_item():
    # An item that orders candidates exactly as the rest does has efficiency 1.
    scores = [[1, 1, 1], [1, 1, 0], [0, 1, 0], [0, 0, 0]]
    items = analyse_items(score_matrix(scores, 1)).items
    assert items[0].discriminative_efficiency == pytest.approx(1.0)
    assert items[0].discrimination_index == pytest.approx(
        _cov([1, 1, 0, 0], [2, 1, 1, 0])
        / (math.sqrt(_cov([1, 1, 0, 0], [1, 1, 0, 0]) * _cov([2, 1, 1, 0], [2, 1, 1, 0])))
    )


@pytest.mark.parametrize("scores", [[[1, 0, 1]], [[1, 1], [1, 1]], [[0], [1]]])
def test_degenerate_matrices_give_none_not_warnings(scores):
    result = analyse_items(score_matrix(scores, 1))
    assert result.test.cronbach_alpha is None
    assert all(item.discrimination_index is None for item in result.items)


def test_large_matrix_is_vectorised_and_finite():
    rng = np.random.default_rng(3)
    scores = (rng.random((5000, 30)) < rng.random(30)).astype(float)
    result = analyse_items(score_matrix(scores, 1))
    assert len(result.items) == 30
    assert all(item.sd is not None for item in result.items)
