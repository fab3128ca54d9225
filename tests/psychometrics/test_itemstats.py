"""Moodle's quiz statistics, checked against an independent implementation written in this file.

The reference below is plain Python over dictionaries, one candidate and one question at a time,
written from Moodle's documented definitions ("Quiz statistics calculations" and "... in
practice" on docs.moodle.org): facility and SD over the candidates who saw a question, divided by
its own maximum; discrimination and efficiency against the rest of the candidate's own test;
effective weight over slots, blank for the questions behind a random slot; alpha over slots;
skewness and kurtosis from the k-statistics; blanks where Moodle shows none.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest

from exam_engine.psychometrics import analyse_items, score_matrix

NAN = float("nan")

# Eight candidates, five questions everyone had: q1 (max 1) right/wrong, q2 (max 2) half marks,
# q3 (max 1) answered backwards by the strong, q4 (max 1) everyone right, q5 (max 3) partial.
FIXED = [
    [1, 2.0, 0, 1, 3],
    [1, 2.0, 0, 1, 2],
    [1, 1.5, 0, 1, 3],
    [0, 1.5, 1, 1, 2],
    [1, 1.0, 1, 1, 1],
    [0, 0.5, 1, 1, 1],
    [0, 1.0, 0, 1, 0],
    [0, 0.0, 1, 1, 0],
]
FIXED_MAX = [1, 2, 1, 1, 3]
GUESS = [0.5, NAN, NAN, 0.25, NAN]

# Ten candidates; q1 is fixed (slot 1); slot 2 draws one of q2 (max 2) / q3 (max 4); slot 3 draws
# one of q4 (max 1) / q5 (max 3) / q6 (max 2). Raw totals differ in maximum from row to row.
POOLED = [
    [1, 2, NAN, 1, NAN, NAN],
    [1, NAN, 4, NAN, 3, NAN],
    [0, 1, NAN, NAN, NAN, 1],
    [1, NAN, 3, NAN, 2, NAN],
    [0, 0, NAN, 0, NAN, NAN],
    [1, NAN, 1, NAN, NAN, 2],
    [0, NAN, 0, NAN, 0, NAN],
    [1, 2, NAN, NAN, NAN, 2],
    [0, 1, NAN, 1, NAN, NAN],
    [1, NAN, 2, NAN, 1, NAN],
]
POOLED_MAX = [1, 2, 4, 1, 3, 2]
SLOT_OF = [0, 1, 1, 2, 2, 2]


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def _cov(xs: list[float], ys: list[float]) -> float:
    mx, my = _mean(xs), _mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (len(xs) - 1)


def moodle_reference(rows: list[list[float]], maxima: list[int], slot_of: list[int]) -> dict:
    """Moodle's statistics, computed the long way (``nan`` = question not given)."""
    had = [{j: v for j, v in enumerate(r) if not math.isnan(v)} for r in rows]
    totals = [sum(h.values()) for h in had]
    available = [sum(maxima[j] for j in h) for h in had]
    n_slots = max(slot_of) + 1
    slot_marks = [{slot_of[j]: v for j, v in h.items()} for h in had]
    complete = [i for i, s in enumerate(slot_marks) if len(s) == n_slots]
    slot_totals = [totals[i] for i in complete]
    roots = []
    for s in range(n_slots):
        c = _cov([slot_marks[i][s] for i in complete], slot_totals)
        if c >= 0:
            roots.append(math.sqrt(c))
    items = []
    for j, top in enumerate(maxima):
        who = [i for i, h in enumerate(had) if j in h]
        x = [had[i][j] for i in who]
        rest = [totals[i] - had[i][j] for i in who]
        item = {
            "n": len(who),
            "facility": _mean(x) / top,
            "sd": math.sqrt(_cov(x, x)) / top,
            "intended_weight": top / _mean([available[i] for i in who]),
            "discrimination_index": None,
            "discriminative_efficiency": None,
            "effective_weight": None,
        }
        if _cov(x, x) > 0 and _cov(rest, rest) > 0:
            item["discrimination_index"] = _cov(x, rest) / math.sqrt(_cov(x, x) * _cov(rest, rest))
            item["discriminative_efficiency"] = _cov(x, rest) / _cov(sorted(x), sorted(rest))
        if len(who) == len(rows):  # Moodle leaves it blank for a random slot's questions
            c = _cov([had[i][j] for i in complete], slot_totals)
            item["effective_weight"] = math.sqrt(c) / sum(roots) if c >= 0 else None
        items.append(item)
    scores = [100 * t / a for t, a in zip(totals, available, strict=True)]
    s = len(scores)
    mean = _mean(scores)
    m2, m3, m4 = (sum((v - mean) ** p for v in scores) / s for p in (2, 3, 4))
    k2 = s * m2 / (s - 1)
    k3 = s**2 * m3 / ((s - 1) * (s - 2))
    k4 = s**2 * ((s + 1) * m4 - 3 * (s - 1) * m2**2) / ((s - 1) * (s - 2) * (s - 3))
    slot_vars = sum(
        _cov([slot_marks[i][q] for i in complete], [slot_marks[i][q] for i in complete])
        for q in range(n_slots)
    )
    alpha = n_slots / (n_slots - 1) * (1 - slot_vars / _cov(slot_totals, slot_totals))
    sd = math.sqrt(k2)
    test = {
        "mean": mean,
        "median": statistics.median(scores),
        "sd": sd,
        "skewness": k3 / k2**1.5,
        "kurtosis": k4 / k2**2,
        "cronbach_alpha": alpha,
        "error_ratio": math.sqrt(1 - alpha),
        "standard_error": math.sqrt(1 - alpha) * sd,
    }
    return {"items": items, "test": test}


def _slot_matrix(rows, slot_of):
    out = np.full((len(rows), max(slot_of) + 1), np.nan)
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if not math.isnan(v):
                out[i, slot_of[j]] = v
    return out


CASES = {
    "fixed": (FIXED, FIXED_MAX, list(range(5))),
    "pooled": (POOLED, POOLED_MAX, SLOT_OF),
}


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    rows, maxima, slot_of = CASES[request.param]
    matrix = score_matrix(rows, maxima, random_guess=GUESS if request.param == "fixed" else None)
    ours = analyse_items(matrix, _slot_matrix(rows, slot_of))
    return ours, moodle_reference(rows, maxima, slot_of)


ITEM_FIELDS = [
    "n",
    "facility",
    "sd",
    "intended_weight",
    "effective_weight",
    "discrimination_index",
    "discriminative_efficiency",
]


@pytest.mark.parametrize("field", ITEM_FIELDS)
def test_item_statistics_match_the_reference(case, field):
    ours, reference = case
    for got, expected in zip(ours.items, reference["items"], strict=True):
        value = getattr(got, field)
        if expected[field] is None:
            assert value is None
        else:
            assert value == pytest.approx(expected[field], abs=1e-9)


@pytest.mark.parametrize("field", list(moodle_reference(FIXED, FIXED_MAX, [0, 1, 2, 3, 4])["test"]))
def test_test_statistics_match_the_reference(case, field):
    ours, reference = case
    assert getattr(ours.test, field) == pytest.approx(reference["test"][field], abs=1e-6)


def test_pool_questions_use_their_own_maximum_and_viewers():
    rows, maxima, slot_of = CASES["pooled"]
    items = analyse_items(score_matrix(rows, maxima), _slot_matrix(rows, slot_of)).items
    q3 = items[2]  # max 4, seen by five candidates with marks 4, 3, 1, 0, 2
    assert q3.n == 5 and q3.facility == pytest.approx(10 / 20)
    assert [i.effective_weight is None for i in items] == [False] + [True] * 5


def test_hand_computed_values():
    result = analyse_items(score_matrix(FIXED, FIXED_MAX))
    assert result.items[0].facility == pytest.approx(0.5)
    assert result.items[0].sd == pytest.approx(math.sqrt(2 / 7))
    assert result.items[4].intended_weight == pytest.approx(3 / 8)
    assert result.test.median == pytest.approx(100 * 5.25 / 8)


def test_random_guess_score_where_defined():
    result = analyse_items(score_matrix(FIXED, FIXED_MAX, random_guess=GUESS))
    assert [item.random_guess_score for item in result.items] == [0.5, None, None, 0.25, None]


def test_weak_items_are_flagged():
    flags = {i.item_id: i.flags for i in analyse_items(score_matrix(FIXED, FIXED_MAX)).items}
    assert flags["1"] == flags["2"] == flags["5"] == ()
    assert flags["3"] == ("negative_discrimination",)
    assert flags["4"] == ("no_variance", "too_easy")


def test_near_zero_variance_is_exactly_zero_and_flagged():
    # 0.1 + 0.2 and 0.3 differ in the last bit; the marks do not vary, and the item says so.
    rows = [[0.1 + 0.2, 1], [0.3, 0], [0.30000000000000004, 1], [0.3, 0]]
    item = analyse_items(score_matrix(rows, [1, 1])).items[0]
    assert item.sd == 0.0 and "no_variance" in item.flags
    assert item.discrimination_index is None


@pytest.mark.parametrize(
    ("column", "flags"),
    [
        ([1, 1, 1, 1, 1, 1, 1, 0.8], ("too_easy",)),
        ([0, 0, 0, 0, 0, 0, 0, 0], ("no_variance", "too_hard")),
        ([1, 0, 1, 0, 0, 1, 0, 0], ("low_discrimination",)),
    ],
)
def test_flags_for_constructed_items(column, flags):
    scores = [[*row[:4], mark] for row, mark in zip(FIXED, column, strict=True)]
    assert analyse_items(score_matrix(scores, [1, 2, 1, 1, 1])).items[4].flags == flags


def test_effective_weights_of_positive_items_sum_to_one():
    items = analyse_items(score_matrix(FIXED, FIXED_MAX)).items
    weights = [i.effective_weight for i in items if i.effective_weight is not None]
    assert sum(weights) == pytest.approx(1.0)
    assert items[2].effective_weight is None  # negative covariance with the total


@pytest.mark.parametrize("n", [1, 2])
def test_blanks_where_moodle_shows_none(n):
    result = analyse_items(score_matrix(FIXED[:n], FIXED_MAX))
    test = result.test
    assert test.cronbach_alpha is test.error_ratio is test.standard_error is None
    assert test.skewness is None and test.kurtosis is None
    if n == 1:
        assert all(i.sd is None and i.discrimination_index is None for i in result.items)


def test_three_candidates_have_skewness_but_no_kurtosis():
    test = analyse_items(score_matrix(FIXED[:3], FIXED_MAX)).test
    assert test.skewness is not None and test.kurtosis is None
    assert test.cronbach_alpha is not None


def test_large_matrix_is_finite():
    rng = np.random.default_rng(3)
    scores = (rng.random((5000, 30)) < rng.random(30)).astype(float)
    result = analyse_items(score_matrix(scores, 1))
    assert len(result.items) == 30 and all(item.sd is not None for item in result.items)
