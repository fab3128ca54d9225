"""The committee's three labels, their hysteresis, and the figures of the ranking's panel."""

from __future__ import annotations

import numpy as np
import pytest

from exam_engine.psychometrics import label, labels, outlook


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.95, "clearly in"),
        (0.9, "clearly in"),
        (0.89, "borderline"),
        (0.5, "borderline"),
        (0.1, "clearly out"),
        (0.0, "clearly out"),
        (0.11, "borderline"),
    ],
)
def test_label_without_history(p, expected):
    assert label(p) == expected


@pytest.mark.parametrize(
    ("p", "previous", "expected"),
    [
        (0.87, "clearly in", "clearly in"),  # inside the margin: stays
        (0.84, "clearly in", "borderline"),  # well below: changes
        (0.92, "borderline", "borderline"),  # just above the threshold: not yet
        (0.96, "borderline", "clearly in"),  # well above: changes
        (0.13, "clearly out", "clearly out"),
        (0.16, "clearly out", "borderline"),
        (0.07, "borderline", "borderline"),
        (0.04, "borderline", "clearly out"),
        (0.97, "clearly out", "clearly in"),  # a real change of evidence goes all the way
        (0.01, "clearly in", "clearly out"),
    ],
)
def test_label_with_hysteresis(p, previous, expected):
    assert label(p, previous) == expected


def test_custom_thresholds_and_errors():
    assert label(0.75, clearly_in=0.7, clearly_out=0.3) == "clearly in"
    assert label(0.35, "clearly out", clearly_in=0.7, clearly_out=0.3) == "clearly out"
    with pytest.raises(ValueError):
        label(0.5, clearly_in=0.1, clearly_out=0.9)
    with pytest.raises(ValueError):
        labels([0.5, 0.5], ["borderline"])


def test_labels_vectorised():
    assert labels([0.99, 0.5, 0.01], [None, "clearly in", None]) == [
        "clearly in",
        "borderline",
        "clearly out",
    ]


def test_outlook_counts_the_places_at_stake():
    # Five candidates ranked in row order, k = 2: P sums to k.
    p = np.array([0.97, 0.6, 0.35, 0.06, 0.02])
    names = labels(p)
    result = outlook(
        p, p, [True, True, False, False, False], names, [0, 1, 2, 3, 4], np.full(5, 0.3), 2
    )
    assert result.expected_above == pytest.approx(1.57)
    assert result.expected_below == pytest.approx(0.43)
    assert result.uncertain_places == 0
    assert result.contenders == [1, 2] and result.clearly_in == 1
    assert result.reliability == pytest.approx(0.91)
    assert "small_cohort" in result.warnings and "short_exam" not in result.warnings


def test_outlook_warns_when_the_exam_cannot_separate():
    n, k = 60, 5
    p = np.full(n, k / n)  # nobody stands out
    names = labels(p)
    inside = np.arange(n) < k
    result = outlook(
        p,
        np.where(inside, 1.0, 0.0),
        inside,
        names,
        np.arange(n),
        np.full(n, 0.8),
        k,
        unequal_maxima=True,
    )
    assert result.uncertain_places == 5
    assert set(result.warnings) == {"short_exam", "cannot_separate", "raw_points_differ"}
    assert result.disagreements == list(range(k))  # the bootstrap is sure, the posterior is not
