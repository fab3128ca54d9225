"""IRT estimation validated on simulated sittings whose true abilities are known."""

from __future__ import annotations

import numpy as np
import pytest

from exam_engine.psychometrics import fit_irt, irt_top_k, score_matrix
from exam_engine.psychometrics.simulate import simulate_sitting

CALIBRATION_SITTINGS = 8


@pytest.mark.parametrize(("model", "steps"), [("2pl", 1), ("2pl", 3), ("rasch", 1), ("rasch", 3)])
def test_ability_recovery_at_2000_by_40(model, steps):
    sitting = simulate_sitting(2000, 40, seed=11, model=model, partial_steps=steps)
    fit = fit_irt(sitting.matrix, model)
    assert fit.converged
    assert np.corrcoef(fit.ability, sitting.ability)[0, 1] >= 0.95
    assert np.corrcoef(fit.difficulty, sitting.difficulty)[0, 1] >= 0.98
    if model == "2pl":
        assert np.corrcoef(fit.slope, sitting.slope)[0, 1] >= 0.9
    else:
        assert fit.slope[0] == pytest.approx(1.5, abs=0.15)


def test_estimator_is_as_good_as_knowing_the_items():
    # The ceiling for any estimator is the posterior mean computed with the true item parameters;
    # a weak estimator would fall visibly short of it.
    sitting = simulate_sitting(2000, 40, seed=12)
    fit = fit_irt(sitting.matrix)
    grid = np.linspace(-6, 6, 241)
    p = 1 / (1 + np.exp(-sitting.slope * (grid[:, None] - sitting.difficulty)))
    x = sitting.matrix.fractions
    loglik = x @ np.log(p).T + (1 - x) @ np.log1p(-p).T - grid**2 / 2
    post = np.exp(loglik - loglik.max(axis=1, keepdims=True))
    oracle = (post @ grid) / post.sum(axis=1)
    r_oracle = np.corrcoef(oracle, sitting.ability)[0, 1]
    assert np.corrcoef(fit.ability, sitting.ability)[0, 1] >= r_oracle - 0.003


def test_standard_errors_match_the_actual_errors():
    sitting = simulate_sitting(2000, 40, seed=13, partial_steps=2)
    fit = fit_irt(sitting.matrix)
    z = (fit.ability - sitting.ability) / fit.ability_se
    assert np.std(z) == pytest.approx(1.0, abs=0.1)


def _pooled(model: str, steps: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    probabilities, truth = [], []
    for seed in range(CALIBRATION_SITTINGS):
        sitting = simulate_sitting(2000, 40, seed=100 + seed, model=model, partial_steps=steps)
        fit = fit_irt(sitting.matrix, model)
        probabilities.append(irt_top_k(fit, k, draws=500, seed=seed).p_top_k)
        truth.append(sitting.true_top_k(k))
    return np.concatenate(probabilities), np.concatenate(truth)


@pytest.mark.slow
@pytest.mark.parametrize(("model", "steps"), [("2pl", 1), ("2pl", 3)])
def test_probabilities_are_calibrated(model, steps):
    p, truth = _pooled(model, steps, k=50)
    for low, high in [(0.7, 0.9), (0.3, 0.7), (0.1, 0.3), (0.9, 1.0)]:
        band = (p >= low) & (p <= high)
        assert band.sum() >= 80, (low, high, band.sum())
        assert truth[band].mean() == pytest.approx(p[band].mean(), abs=0.1), (low, high)
    assert p.sum() == pytest.approx(50 * CALIBRATION_SITTINGS)


def test_full_and_zero_marks_give_finite_abilities():
    rng = np.random.default_rng(4)
    scores = (rng.random((300, 10)) < 0.5).astype(float)
    scores[0] = 1
    scores[1] = 0
    fit = fit_irt(score_matrix(scores, 1), "rasch")
    assert np.all(np.isfinite(fit.ability)) and np.all(np.isfinite(fit.ability_se))
    assert fit.ability[0] == fit.ability.max() and fit.ability[1] == fit.ability.min()
    assert fit.ability_se[0] > np.median(fit.ability_se)


def test_items_without_variance_are_left_out():
    sitting = simulate_sitting(400, 12, seed=5)
    scores = sitting.matrix.scores.copy()
    scores[:, 3] = 1
    fit = fit_irt(score_matrix(scores, 1))
    assert np.isnan(fit.slope[3]) and np.isnan(fit.difficulty[3])
    assert np.all(np.isfinite(np.delete(fit.slope, 3)))


def test_nothing_informative_gives_the_prior():
    fit = fit_irt(score_matrix(np.ones((5, 3)), 1))
    assert np.allclose(fit.ability, 0) and np.allclose(fit.ability_se, 1, atol=0.01)


def test_dichotomous_items_count_as_one_trial_and_partial_items_as_more():
    sitting = simulate_sitting(1500, 20, seed=6, partial_steps=4)
    fit = fit_irt(sitting.matrix)
    assert np.median(fit.trials) == pytest.approx(4, rel=0.2)
    assert np.all(fit_irt(simulate_sitting(300, 10, seed=6).matrix).trials == 1)


def test_top_k_probabilities_add_up_and_are_seeded():
    fit = fit_irt(simulate_sitting(500, 20, seed=7).matrix)
    first = irt_top_k(fit, 25, draws=300, seed=1)
    assert first.p_top_k.sum() == pytest.approx(25)
    assert np.array_equal(first.p_top_k, irt_top_k(fit, 25, draws=300, seed=1).p_top_k)
    with pytest.raises(ValueError):
        irt_top_k(fit, 0)
    with pytest.raises(ValueError):
        fit_irt(simulate_sitting(10, 3, seed=1).matrix, "3pl")  # type: ignore[arg-type]
