"""The committee's three labels."""

from __future__ import annotations

import pytest

from exam_engine.psychometrics import label, labels


@pytest.mark.parametrize(
    ("estimates", "expected"),
    [
        ([0.95, 0.91], "clearly in"),
        ([0.9, 0.9], "clearly in"),
        ([0.95, 0.85], "borderline"),
        ([0.5], "borderline"),
        ([0.05, 0.1], "clearly out"),
        ([0.05, 0.2], "borderline"),
        ([0.99, None], "clearly in"),
        ([None, 0.0], "clearly out"),
    ],
)
def test_label(estimates, expected):
    assert label(estimates) == expected


def test_custom_thresholds():
    assert label([0.85], clearly_in=0.8) == "clearly in"
    assert label([0.15], clearly_out=0.2) == "clearly out"
    with pytest.raises(ValueError):
        label([0.5], clearly_in=0.1, clearly_out=0.2)


def test_labels_vectorised():
    assert labels([0.95, 0.5, 0.0], [0.92, 0.9, 0.05]) == [
        "clearly in",
        "borderline",
        "clearly out",
    ]
    with pytest.raises(ValueError):
        labels()
    with pytest.raises(ValueError):
        label([None])
