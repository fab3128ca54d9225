"""Rasch and 2PL item response models, fitted by marginal maximum likelihood (EM).

Model: candidate ``i`` has ability ``theta_i`` drawn from N(0, 1); item ``j`` is answered with
success probability ``P_ij = 1 / (1 + exp(-(a_j * theta_i + c_j)))``, difficulty ``b_j = -c_j/a_j``.
The 2PL lets every slope ``a_j`` vary; the Rasch model has one slope shared by all items, which is
the Rasch model with a population standard deviation of ``a`` logits, reported on the same N(0, 1)
scale as the 2PL so the two can be compared.

Partial credit: a mark that is a fraction ``f`` of the item's maximum enters the likelihood as a
binomial proportion, ``t_j * (f log P + (1 - f) log(1 - P))``. Right/wrong items have ``t_j = 1``:
the usual dichotomous model. For an item with partial marks, ``t_j`` (its effective number of
trials) is estimated in every EM iteration from how far the marks scatter around ``P``: ``1/t_j``
is the posterior mean of ``(f - P)^2 / (P (1 - P))`` (1 for a single trial, ``1/r`` for a
Binomial(r, P)/r mark), bounded to [1, 20]. Without it a question marked out of 4 would count as one
coin flip, and the standard errors would be too wide.

Estimation: EM over a grid of 61 abilities on [-6, 6] (Bock and Aitkin). The item parameters are
Bayes-modal, with weak priors ``a ~ N(1, 1)`` and ``c ~ N(0, 3^2)``, so an item that everyone gets
right cannot send ``c`` to infinity; items with no variance at all carry no information about
order and are left out of the fit (their parameters are ``nan``).

Abilities are posterior means (EAP) with the posterior standard deviation as standard error; the
N(0, 1) prior keeps the estimate finite for candidates with full or zero marks, where the maximum
likelihood estimate would be infinite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.special import expit, log_expit, logsumexp

from exam_engine.psychometrics.matrix import FloatArray, ScoreMatrix
from exam_engine.psychometrics.ranking import TopKResult, TopKTally

Model = Literal["rasch", "2pl"]

GRID = np.linspace(-6.0, 6.0, 61)
LOG_PRIOR = -0.5 * GRID**2 - logsumexp(-0.5 * GRID**2)
SLOPE_PRIOR_MEAN, SLOPE_PRIOR_SD = 1.0, 1.0
INTERCEPT_PRIOR_SD = 3.0
#: Upper bound on an item's effective number of Bernoulli trials.
MAX_TRIALS = 20.0


@dataclass(frozen=True, eq=False)
class IrtFit:
    """A fitted model.

    :ivar model: ``"rasch"`` or ``"2pl"``.
    :ivar slope: ``(m,)`` discriminations ``a_j`` (``nan`` for items left out).
    :ivar difficulty: ``(m,)`` difficulties ``b_j`` on the ability scale (``nan`` if left out).
    :ivar trials: ``(m,)`` effective Bernoulli trials per item: 1 for right/wrong items, more
        for partial-credit items whose marks vary less than one trial's would (``nan`` if left out).
    :ivar ability: ``(n,)`` posterior mean abilities (EAP), population N(0, 1).
    :ivar ability_se: ``(n,)`` posterior standard deviations.
    :ivar iterations: EM iterations used.
    :ivar converged: whether the largest parameter change fell below the tolerance.
    """

    model: str
    slope: FloatArray
    difficulty: FloatArray
    trials: FloatArray
    ability: FloatArray
    ability_se: FloatArray
    iterations: int
    converged: bool


def _posterior(
    fractions: FloatArray, slope: FloatArray, intercept: FloatArray, trials: FloatArray
) -> FloatArray:
    """Posterior weights over the grid, ``(n, Q)``.

    The log-likelihood of candidate ``i`` at grid point ``q`` is
    ``theta_q * sum_j t_j a_j f_ij + sum_j t_j log(1 - P_jq)`` plus a term free of ``q``: the
    weighted score ``sum_j t_j a_j f_ij`` is all the posterior needs.
    """
    weighted = fractions @ (trials * slope)
    log_fail = log_expit(-(np.outer(GRID, slope) + intercept)) @ trials
    log_post = np.outer(weighted, GRID) + (log_fail + LOG_PRIOR)
    post = np.exp(log_post - log_post.max(axis=1, keepdims=True))
    post /= post.sum(axis=1, keepdims=True)
    return post


def _trials(
    fractions: FloatArray,
    post: FloatArray,
    p: FloatArray,
    partial: npt.NDArray[np.bool_],
    right: FloatArray,
    counts: FloatArray,
) -> FloatArray:
    """Effective Bernoulli trials of each partial-credit item (1 for right/wrong items).

    ``1 / trials`` is the posterior mean of the Pearson ratio ``(f - P)^2 / (P (1 - P))``, which
    is 1 for right/wrong answers and ``1/r`` for a Binomial(r, P) / r mark.
    """
    trials = np.ones(fractions.shape[1])
    if partial.any():
        squares = np.einsum("iq,ij->jq", post, fractions[:, partial] ** 2)
        pp = np.clip(p[partial], 1e-9, 1 - 1e-9)
        pearson = (squares - 2 * pp * right[partial] + pp**2 * counts) / (pp * (1 - pp))
        dispersion = np.clip(pearson.sum(axis=1) / fractions.shape[0], 1 / MAX_TRIALS, 1.0)
        trials[partial] = 1 / dispersion
    return trials


def _m_step(
    slope: FloatArray,
    intercept: FloatArray,
    counts: FloatArray,
    right: FloatArray,
    trials: FloatArray,
    model: Model,
) -> tuple[FloatArray, FloatArray]:
    """One Newton step on the expected complete-data log-posterior of the item parameters."""
    p = expit(np.outer(slope, GRID) + intercept[:, None])
    resid = trials[:, None] * (right - counts * p)
    w = trials[:, None] * counts * p * (1 - p)
    g_c = resid.sum(axis=1) - intercept / INTERCEPT_PRIOR_SD**2
    h_cc = w.sum(axis=1) + 1 / INTERCEPT_PRIOR_SD**2
    if model == "rasch":
        # One slope for all items: pool its gradient and curvature, with a single prior term.
        g_a = (resid @ GRID).sum() - (slope[0] - SLOPE_PRIOR_MEAN) / SLOPE_PRIOR_SD**2
        h_aa = (w @ GRID**2).sum() + 1 / SLOPE_PRIOR_SD**2
        step_a = np.full_like(slope, g_a / h_aa)
        step_c = g_c / h_cc
    else:
        g_a = resid @ GRID - (slope - SLOPE_PRIOR_MEAN) / SLOPE_PRIOR_SD**2
        h_aa = w @ GRID**2 + 1 / SLOPE_PRIOR_SD**2
        h_ac = w @ GRID
        det = h_aa * h_cc - h_ac**2
        step_a = (h_cc * g_a - h_ac * g_c) / det
        step_c = (h_aa * g_c - h_ac * g_a) / det
    return slope + np.clip(step_a, -0.5, 0.5), intercept + np.clip(step_c, -1.0, 1.0)


def fit_irt(
    matrix: ScoreMatrix,
    model: Model = "2pl",
    *,
    tol: float = 1e-3,
    max_iter: int = 500,
) -> IrtFit:
    """Fit a Rasch or 2PL model to ``matrix`` and estimate each candidate's ability.

    :param matrix: the scores; each item's marks are used as fractions of its maximum.
    :param model: ``"rasch"`` (one shared slope) or ``"2pl"`` (a slope per item).
    :param tol: stop when no item parameter moves by more than this in an iteration.
    :param max_iter: give up after this many EM iterations (``converged`` is then False).
    :returns: item parameters and abilities with standard errors.
    :raises ValueError: on an unknown model.
    """
    if model not in ("rasch", "2pl"):
        raise ValueError(f"unknown IRT model {model!r}")
    fractions = matrix.fractions
    n, m = fractions.shape
    informative = np.ptp(fractions, axis=0) > 1e-12
    f = np.ascontiguousarray(fractions[:, informative])
    partial = np.any((f > 1e-12) & (f < 1 - 1e-12), axis=0)
    slope, trials = np.ones(f.shape[1]), np.ones(f.shape[1])
    mean = np.clip(f.mean(axis=0), 0.01, 0.99)
    intercept = np.log(mean / (1 - mean)) * 1.7
    iterations, converged = 0, f.shape[1] == 0
    while not converged and iterations < max_iter:
        iterations += 1
        post = _posterior(f, slope, intercept, trials)
        counts = post.sum(axis=0)
        # einsum rather than a BLAS product: multithreaded BLAS crawls on a loaded two-core box.
        right = np.einsum("iq,ij->jq", post, f)
        p = expit(np.outer(slope, GRID) + intercept[:, None])
        new_trials = _trials(f, post, p, partial, right, counts)
        new_slope, new_intercept = _m_step(slope, intercept, counts, right, new_trials, model)
        change = max(
            np.max(np.abs(new_slope - slope)),
            np.max(np.abs(new_intercept - intercept)),
            np.max(np.abs(1 / new_trials - 1 / trials)),
        )
        slope, intercept, trials = new_slope, new_intercept, new_trials
        converged = bool(change < tol)
    post = _posterior(f, slope, intercept, trials)
    ability = post @ GRID
    ability_se = np.sqrt(np.maximum(post @ GRID**2 - ability**2, 0.0))
    all_slope, all_trials = np.full(m, np.nan), np.full(m, np.nan)
    all_slope[informative], all_trials[informative] = slope, trials
    difficulty = np.full(m, np.nan)
    difficulty[informative] = -intercept / np.where(np.abs(slope) > 1e-9, slope, np.nan)
    return IrtFit(
        model, all_slope, difficulty, all_trials, ability, ability_se, iterations, converged
    )


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
    """P(top k) from the abilities' posteriors, approximated as normal.

    Candidates are independent given the item parameters, so drawing every ability from its own
    N(EAP, SE^2) and ranking the draws samples the joint posterior of the ranking.

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
