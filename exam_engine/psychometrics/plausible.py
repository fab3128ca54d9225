"""P(top k) and rank bands from plausible values of the abilities (the committee's figure).

:func:`posterior_top_k` draws item parameters from their approximate posterior (normal, with the
curvature of the last M-step, widened by the information the unobserved abilities take away:
:data:`PARAMETER_SE_INFLATION`), then every ability from its exact grid posterior under those
parameters, and ranks each joint draw. With few candidates the item parameters are uncertain and
this widens every candidate's posterior in a correlated way; at 10,000 candidates it changes
almost nothing. Sampling the grid posterior rather than a normal approximation keeps the skew of
the posteriors of the best candidates, whose marks are near the ceiling.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from exam_engine.psychometrics.irt import GRID, IrtFit, Model, _posterior, _split, mark_steps
from exam_engine.psychometrics.matrix import FloatArray, ScoreMatrix
from exam_engine.psychometrics.ranking import TopKResult, TopKTally

#: The curvature of the expected complete-data log-posterior understates how uncertain the item
#: parameters are (abilities are not observed); their standard errors are multiplied by this.
PARAMETER_SE_INFLATION = 1.5
#: Sets of item parameters drawn by :func:`posterior_top_k` (abilities are drawn under each).
PARAMETER_SETS = 20


def _parameter_draw(fit: IrtFit, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    """One draw of the used items' slopes and intercepts from their approximate posterior."""
    used = fit.used
    a, c = fit.slope[used], fit.intercept[used]
    var_a, var_c, cov_ac = (fit.covariance[used] * PARAMETER_SE_INFLATION**2).T
    z1, z2 = rng.standard_normal(a.size), rng.standard_normal(a.size)
    if a.size == 0:
        return a, c
    if fit.model == "rasch":
        da = np.full_like(a, np.sqrt(var_a[0]) * z1[0])
        return a + da, c + np.sqrt(var_c) * z2
    # Cholesky of each 2 x 2 covariance.
    l11 = np.sqrt(var_a)
    l21 = cov_ac / l11
    l22 = np.sqrt(np.maximum(var_c - l21**2, 0.0))
    return a + l11 * z1, c + l21 * z1 + l22 * z2


def sample_abilities(post: FloatArray, size: int, rng: np.random.Generator) -> FloatArray:
    """Draw abilities from grid posteriors, spread uniformly within each grid cell.

    :param post: ``(n, Q)`` posterior weights over :data:`GRID`.
    :param size: draws per candidate.
    :param rng: the random generator.
    :returns: ``(size, n)`` abilities.
    """
    n, q = post.shape
    cdf = np.cumsum(post, axis=1)
    cdf /= cdf[:, -1:]
    offsets = np.arange(n, dtype=np.float64)
    flat = (cdf + offsets[:, None]).ravel()
    # One candidate's draws side by side: the queries arrive nearly sorted, which keeps the
    # binary searches in cache (five times faster than candidate-major order at 10,000).
    u = rng.random((n, size)) * (1 - 1e-12) + offsets[:, None]
    index = np.searchsorted(flat, u) - (np.arange(n) * q)[:, None]
    index = np.clip(index, 0, q - 1).T
    step = GRID[1] - GRID[0]
    return GRID[index] + rng.uniform(-step / 2, step / 2, index.shape)


def posterior_top_k(
    fit: IrtFit,
    matrix: ScoreMatrix,
    k: int,
    *,
    draws: int = 1000,
    seed: int = 0,
    parameter_sets: int = PARAMETER_SETS,
    tracked: npt.ArrayLike | None = None,
    level: float = 0.9,
) -> TopKResult:
    """P(top k) and rank bands from plausible values of every candidate's ability.

    For each of ``parameter_sets`` draws of the item parameters (the point estimates when
    ``parameter_sets`` is 1, as for an oracle that knows them), the abilities are drawn from
    their grid posteriors given the candidate's marks, and the draws are ranked: the share of
    draws in which a candidate is among the ``k`` highest is their probability.

    :param fit: a fitted model (its item parameters and their uncertainty).
    :param matrix: the marks the model was fitted to.
    :param k: size of the cohort.
    :param draws: joint draws of all abilities.
    :param seed: seed of the random generator; the same inputs and seed give the same result.
    :param parameter_sets: draws of the item parameters.
    :param tracked: rows whose rank bands are wanted.
    :param level: coverage of the rank bands.
    :returns: probabilities of a top-k place and rank bands.
    :raises ValueError: if ``k`` is out of range or ``draws`` is not positive.
    """
    if draws < 1 or parameter_sets < 1:
        raise ValueError("draws and parameter_sets must be positive")
    n = matrix.n_candidates
    tally = TopKTally(n, k, tracked)
    rng = np.random.default_rng(seed)
    used = fit.used
    f0, mask = _split(matrix.fractions[:, used])
    trials = fit.trials[used]
    sets = min(parameter_sets, draws)
    per_set = [draws // sets + (1 if s < draws % sets else 0) for s in range(sets)]
    for size in per_set:
        if sets == 1:
            slope, intercept = fit.slope[used], fit.intercept[used]
        else:
            slope, intercept = _parameter_draw(fit, rng)
        post = _posterior(f0, mask, slope, intercept, trials)
        tally.add(sample_abilities(post, size, rng))
    return tally.result(level)


def with_parameters(
    matrix: ScoreMatrix, slope: npt.ArrayLike, difficulty: npt.ArrayLike, model: Model = "2pl"
) -> IrtFit:
    """A model with known item parameters (an oracle for simulations), abilities from them.

    :param matrix: the marks (right/wrong or binomial partial credit).
    :param slope: ``(m,)`` true slopes.
    :param difficulty: ``(m,)`` true difficulties.
    :param model: recorded in the result.
    :returns: a fit whose item parameters are exact (zero covariance).
    """
    a = np.asarray(slope, dtype=np.float64)
    c = -a * np.asarray(difficulty, dtype=np.float64)
    m = a.size
    fractions = matrix.fractions
    steps = mark_steps(fractions)
    f0, mask = _split(fractions)
    post = _posterior(f0, mask, a, c, steps)
    ability = post @ GRID
    ability_se = np.sqrt(np.maximum(post @ GRID**2 - ability**2, 0.0))
    zeros = np.zeros((m, 3))
    return IrtFit(model, a, c, -c / a, steps, ability, ability_se, 0, True, zeros)


def irt_top_k(
    fit: IrtFit,
    k: int,
    *,
    draws: int = 1000,
    seed: int = 0,
    tracked: npt.ArrayLike | None = None,
    level: float = 0.9,
    batch: int = 250,
) -> TopKResult:
    """P(top k) from normal approximations N(EAP, SE^2) of the abilities (the older method).

    Kept for comparison: it ignores the uncertainty of the item parameters and the skew of the
    posteriors at the top; :func:`posterior_top_k` is what the committee sees.

    :param fit: a fitted model.
    :param k: size of the cohort.
    :param draws: number of joint posterior draws.
    :param seed: seed of the random generator.
    :param tracked: rows whose rank bands are wanted.
    :param level: coverage of the rank bands.
    :param batch: draws per batch (bounds memory at ``8 * n * batch`` bytes).
    :returns: probabilities of a top-k place and rank bands.
    :raises ValueError: if ``k`` is out of range or ``draws`` is not positive.
    """
    if draws < 1:
        raise ValueError("draws must be positive")
    n = fit.ability.size
    tally = TopKTally(n, k, tracked)
    rng = np.random.default_rng(seed)
    done = 0
    while done < draws:
        size = min(batch, draws - done)
        noise = rng.standard_normal((size, n))
        tally.add(fit.ability + fit.ability_se * noise)
        done += size
    return tally.result(level)
