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

Missing by design: a question the candidate was not given (drawn from a pool) or that the
committee dropped is missing in their row and simply absent from their likelihood; every item's
parameters are estimated from the candidates who had it.

Estimation: EM over a grid of 61 abilities on [-6, 6] (Bock and Aitkin). The item parameters are
Bayes-modal, with weak priors ``a ~ N(1, 1)`` and ``c ~ N(0, 3^2)``, so an item that everyone gets
right cannot send ``c`` to infinity; items with no variance at all carry no information about
order and are left out of the fit (their parameters are ``nan``).

Abilities are posterior means (EAP) with the posterior standard deviation as standard error; the
N(0, 1) prior keeps the estimate finite for candidates with full or zero marks, where the maximum
likelihood estimate would be infinite.

P(top k) comes from plausible values drawn from these posteriors: see :mod:`.plausible`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.special import expit, log_expit, logsumexp

from exam_engine.psychometrics.matrix import FloatArray, ScoreMatrix

BoolArray = npt.NDArray[np.bool_]

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
    :ivar intercept: ``(m,)`` intercepts ``c_j`` (``nan`` for items left out).
    :ivar difficulty: ``(m,)`` difficulties ``b_j`` on the ability scale (``nan`` if left out).
    :ivar trials: ``(m,)`` effective Bernoulli trials per item: 1 for right/wrong items, more
        for partial-credit items whose marks vary less than one trial's would (``nan`` if left out).
    :ivar ability: ``(n,)`` posterior mean abilities (EAP), population N(0, 1).
    :ivar ability_se: ``(n,)`` posterior standard deviations.
    :ivar iterations: EM iterations used.
    :ivar converged: whether the largest parameter change fell below the tolerance.
    :ivar covariance: ``(m, 3)`` approximate posterior variances of ``a_j`` and ``c_j`` and their
        covariance (``nan`` if left out; for the Rasch model the slope's variance is shared).
    """

    model: str
    slope: FloatArray
    intercept: FloatArray
    difficulty: FloatArray
    trials: FloatArray
    ability: FloatArray
    ability_se: FloatArray
    iterations: int
    converged: bool
    covariance: FloatArray

    @property
    def used(self) -> BoolArray:
        """``(m,)``: the items in the model (those whose marks vary)."""
        return ~np.isnan(self.slope)


def _split(fractions: FloatArray) -> tuple[FloatArray, BoolArray | None]:
    """Fractions with missing entries as 0, and the mask of observed ones (``None``: all)."""
    observed = ~np.isnan(fractions)
    if observed.all():
        return np.ascontiguousarray(fractions), None
    return np.ascontiguousarray(np.where(observed, fractions, 0.0)), observed


def _posterior(
    f0: FloatArray,
    mask: BoolArray | None,
    slope: FloatArray,
    intercept: FloatArray,
    trials: FloatArray,
) -> FloatArray:
    """Posterior weights over the grid, ``(n, Q)``.

    The log-likelihood of candidate ``i`` at grid point ``q`` is
    ``theta_q * sum_j t_j a_j f_ij + sum_j t_j log(1 - P_jq)`` over the items ``j`` they had,
    plus a term free of ``q``.
    """
    weighted = f0 @ (trials * slope)
    log_fail = log_expit(-(np.outer(GRID, slope) + intercept)) * trials
    if mask is None:
        fail = log_fail.sum(axis=1)[None, :]
    else:
        fail = mask.astype(np.float64) @ log_fail.T
    log_post = np.outer(weighted, GRID) + (fail + LOG_PRIOR)
    post = np.exp(log_post - log_post.max(axis=1, keepdims=True))
    post /= post.sum(axis=1, keepdims=True)
    return post


def _expected(
    f0: FloatArray, mask: BoolArray | None, post: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Expected counts of candidates and of marks at each grid point, per item: ``(m, Q)``."""
    # einsum rather than a BLAS product: multithreaded BLAS crawls on a loaded two-core box.
    right = np.einsum("iq,ij->jq", post, f0)
    if mask is None:
        counts = np.broadcast_to(post.sum(axis=0), right.shape).copy()
    else:
        counts = np.einsum("iq,ij->jq", post, mask.astype(np.float64))
    return counts, right


def mark_steps(fractions: FloatArray) -> FloatArray:
    """How many steps each item is marked in: 1 for right/wrong, 4 for quarter marks.

    :param fractions: ``(n, m)`` fractions of the maximum, ``nan`` where missing.
    :returns: ``(m,)`` step counts, at most :data:`MAX_TRIALS`.
    """
    steps = np.ones(fractions.shape[1])
    for j in range(fractions.shape[1]):
        values = np.unique(np.round(fractions[~np.isnan(fractions[:, j]), j], 6))
        gaps = np.diff(np.concatenate([[0.0], values, [1.0]]))
        gaps = gaps[gaps > 1e-6]
        if gaps.size:
            steps[j] = min(float(np.round(1 / gaps.min())), MAX_TRIALS)
    return np.maximum(steps, 1.0)


def _trials(
    f0: FloatArray,
    post: FloatArray,
    p: FloatArray,
    partial: BoolArray,
    right: FloatArray,
    counts: FloatArray,
    cap: FloatArray,
) -> FloatArray:
    """Effective Bernoulli trials of each partial-credit item (1 for right/wrong items).

    ``1 / trials`` is the posterior mean of the Pearson ratio ``(f - P)^2 / (P (1 - P))`` over
    the candidates who had the item: 1 for right/wrong answers, ``1/r`` for a Binomial(r, P)/r
    mark. An item marked in ``r`` steps counts as at most ``r`` trials (``cap``): the estimate is
    noisy, and a mark in four steps cannot carry more than four answers' worth of evidence.
    """
    trials = np.ones(f0.shape[1])
    if partial.any():
        squares = np.einsum("iq,ij->jq", post, f0[:, partial] ** 2)
        pp = np.clip(p[partial], 1e-9, 1 - 1e-9)
        c = counts[partial]
        pearson = (squares - 2 * pp * right[partial] + pp**2 * c) / (pp * (1 - pp))
        seen = np.maximum(c.sum(axis=1), 1e-9)
        dispersion = np.clip(pearson.sum(axis=1) / seen, 1 / cap[partial], 1.0)
        trials[partial] = 1 / dispersion
    return trials


def _curvature(
    slope: FloatArray,
    intercept: FloatArray,
    counts: FloatArray,
    right: FloatArray,
    trials: FloatArray,
    model: Model,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Gradients and curvatures of the expected log-posterior: ``g_a, g_c, h_aa, h_cc, h_ac``."""
    p = expit(np.outer(slope, GRID) + intercept[:, None])
    resid = trials[:, None] * (right - counts * p)
    w = trials[:, None] * counts * p * (1 - p)
    g_c = resid.sum(axis=1) - intercept / INTERCEPT_PRIOR_SD**2
    h_cc = w.sum(axis=1) + 1 / INTERCEPT_PRIOR_SD**2
    if model == "rasch" and slope.size:
        # One slope for all items: pool its gradient and curvature, with a single prior term.
        shared = (resid @ GRID).sum() - (slope[0] - SLOPE_PRIOR_MEAN) / SLOPE_PRIOR_SD**2
        g_a = np.full_like(slope, shared)
        h_aa = np.full_like(slope, (w @ GRID**2).sum() + 1 / SLOPE_PRIOR_SD**2)
        h_ac = np.zeros_like(slope)
    else:
        g_a = resid @ GRID - (slope - SLOPE_PRIOR_MEAN) / SLOPE_PRIOR_SD**2
        h_aa = w @ GRID**2 + 1 / SLOPE_PRIOR_SD**2
        h_ac = w @ GRID
    return g_a, g_c, h_aa, h_cc, h_ac


def _m_step(
    slope: FloatArray,
    intercept: FloatArray,
    counts: FloatArray,
    right: FloatArray,
    trials: FloatArray,
    model: Model,
) -> tuple[FloatArray, FloatArray]:
    """One Newton step on the expected complete-data log-posterior of the item parameters."""
    g_a, g_c, h_aa, h_cc, h_ac = _curvature(slope, intercept, counts, right, trials, model)
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

    :param matrix: the scores; each item's marks are used as fractions of its maximum, and
        missing marks (``nan``) are left out of the likelihood.
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
    seen = (~np.isnan(fractions)).sum(axis=0)
    spread = np.nanmax(fractions, axis=0, initial=-1.0) - np.nanmin(fractions, axis=0, initial=2.0)
    informative = (seen >= 2) & (spread > 1e-12)
    f0, mask = _split(fractions[:, informative])
    sub_mask = mask if mask is not None else np.ones(f0.shape, dtype=bool)
    partial = np.any(sub_mask & (f0 > 1e-12) & (f0 < 1 - 1e-12), axis=0)
    cap = mark_steps(fractions[:, informative])
    slope, trials = np.ones(f0.shape[1]), np.ones(f0.shape[1])
    mean = np.clip(f0.sum(axis=0) / np.maximum(sub_mask.sum(axis=0), 1), 0.01, 0.99)
    intercept = np.log(mean / (1 - mean)) * 1.7
    iterations, converged = 0, f0.shape[1] == 0
    while not converged and iterations < max_iter:
        iterations += 1
        post = _posterior(f0, mask, slope, intercept, trials)
        counts, right = _expected(f0, mask, post)
        p = expit(np.outer(slope, GRID) + intercept[:, None])
        new_trials = _trials(f0, post, p, partial, right, counts, cap)
        new_slope, new_intercept = _m_step(slope, intercept, counts, right, new_trials, model)
        change = max(
            np.max(np.abs(new_slope - slope)),
            np.max(np.abs(new_intercept - intercept)),
            np.max(np.abs(1 / new_trials - 1 / trials)),
        )
        slope, intercept, trials = new_slope, new_intercept, new_trials
        converged = bool(change < tol)
    post = _posterior(f0, mask, slope, intercept, trials)
    counts, right = _expected(f0, mask, post)
    _, _, h_aa, h_cc, h_ac = _curvature(slope, intercept, counts, right, trials, model)
    ability = post @ GRID
    ability_se = np.sqrt(np.maximum(post @ GRID**2 - ability**2, 0.0))

    def spread_out(values: FloatArray) -> FloatArray:
        out = np.full(m, np.nan)
        out[informative] = values
        return out

    if model == "rasch" or not slope.size:
        var_a, var_c, cov_ac = 1 / h_aa, 1 / h_cc, np.zeros_like(h_cc)
    else:
        det = h_aa * h_cc - h_ac**2
        var_a, var_c, cov_ac = h_cc / det, h_aa / det, -h_ac / det
    covariance = np.full((m, 3), np.nan)
    covariance[informative] = np.column_stack([var_a, var_c, cov_ac])
    difficulty = -intercept / np.where(np.abs(slope) > 1e-9, slope, np.nan)
    return IrtFit(
        model,
        spread_out(slope),
        spread_out(intercept),
        spread_out(difficulty),
        spread_out(trials),
        ability,
        ability_se,
        iterations,
        converged,
        covariance,
    )
