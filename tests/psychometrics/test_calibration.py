"""P(top k) means what it says: a seeded calibration study at a modest size.

Eighty simulated sittings of 200 candidates, k = 10, sections drawing from pools of questions
worth 1 to 4 points (the data are 2PL; at this size the app fits the Rasch model, so the model
is also misspecified, as it will be in real use). Every band of predictions must match the
observed frequency of true top-10 membership within 0.05, and the Brier score must be within
10% of an oracle's that knows the true item parameters. The full tables (k = 5 and 50, N = 500
and 2,000) come from ``tests/benchmarks/calibration.py`` and are in ``docs/psychometrics.md``.
"""

from __future__ import annotations

import pytest

from exam_engine.psychometrics.calibration import study


@pytest.fixture(scope="module")
def result():
    return study(200, 10, 80, seed=1000, draws=300, bootstrap=True)


def test_every_band_is_within_five_points_of_the_observed_frequency(result):
    assert len(result.bands) == 7 and all(band.count >= 100 for band in result.bands)
    for band in result.bands:
        assert band.predicted == pytest.approx(band.observed, abs=0.05), band


def test_close_to_the_oracle_and_better_than_the_bootstrap(result):
    assert result.brier <= 1.1 * result.brier_oracle
    assert result.brier < result.brier_bootstrap
