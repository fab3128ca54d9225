"""Simulated sittings with known abilities, to check the estimates against the truth."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from exam_engine.psychometrics.irt import Model
from exam_engine.psychometrics.matrix import FloatArray, ScoreMatrix, score_matrix


@dataclass(frozen=True, eq=False)
class Sitting:
    """A simulated sitting and the truth behind it.

    :ivar matrix: the marks.
    :ivar ability: ``(n,)`` true abilities, drawn from N(0, 1).
    :ivar slope: ``(m,)`` true discriminations.
    :ivar difficulty: ``(m,)`` true difficulties.
    """

    matrix: ScoreMatrix
    ability: FloatArray
    slope: FloatArray
    difficulty: FloatArray

    def true_top_k(self, k: int) -> np.ndarray:
        """Whether each candidate's true ability is among the k highest.

        :param k: size of the cohort.
        :returns: ``(n,)`` booleans, exactly ``k`` of them true.
        """
        order = np.argsort(-self.ability, kind="stable")
        truth = np.zeros(self.ability.size, dtype=bool)
        truth[order[:k]] = True
        return truth


def simulate_sitting(
    n: int,
    m: int,
    *,
    seed: int,
    model: Model = "2pl",
    partial_steps: int = 1,
    rasch_slope: float = 1.5,
    slope_range: tuple[float, float] = (0.8, 2.2),
    difficulty_mean: float = 0.5,
) -> Sitting:
    """Draw a sitting from a Rasch or 2PL model.

    Abilities are N(0, 1); difficulties N(``difficulty_mean``, 1); slopes uniform on
    ``slope_range`` (2PL) or all ``rasch_slope`` (Rasch). With ``partial_steps = r > 1`` each item
    is marked out of ``r`` and the mark is Binomial(r, P) — partial credit that follows the model.

    :param n: number of candidates.
    :param m: number of items.
    :param seed: seed of the random generator.
    :param model: ``"rasch"`` or ``"2pl"``.
    :param partial_steps: marks per item (1 for right/wrong items).
    :param rasch_slope: the shared slope of a Rasch sitting.
    :param slope_range: range of the 2PL slopes.
    :param difficulty_mean: mean item difficulty (a screening exam is hard: above 0).
    :returns: the sitting and its true parameters.
    :raises ValueError: on non-positive sizes.
    """
    if n < 1 or m < 1 or partial_steps < 1:
        raise ValueError("n, m and partial_steps must be positive")
    rng = np.random.default_rng(seed)
    ability = rng.standard_normal(n)
    difficulty = rng.normal(difficulty_mean, 1.0, m)
    if model == "rasch":
        slope = np.full(m, rasch_slope)
    else:
        slope = rng.uniform(*slope_range, m)
    p = expit(slope * (ability[:, None] - difficulty))
    marks = rng.binomial(partial_steps, p).astype(np.float64)
    matrix = score_matrix(
        marks,
        np.full(m, float(partial_steps)),
        candidate_ids=[f"c{i:05d}" for i in range(n)],
        item_ids=[f"q{j + 1:02d}" for j in range(m)],
    )
    return Sitting(matrix, ability, slope, difficulty)


def simulate_pooled_sitting(
    n: int,
    sections: Sequence[tuple[int, int]],
    *,
    seed: int,
    points: Sequence[int] = (1, 2, 3, 4),
    slope_range: tuple[float, float] = (0.8, 2.2),
    difficulty_mean: float = 0.5,
) -> Sitting:
    """A 2PL sitting whose sections draw questions from pools, worth unequal points.

    Section ``(pool, drawn)`` gives each candidate ``drawn`` questions picked at random from a
    pool of ``pool``; each question is worth a number of points picked from ``points`` and its
    mark is Binomial(points, P) — partial credit that follows the model. Questions a candidate
    did not draw are missing (``nan``).

    :param n: number of candidates.
    :param sections: ``(pool size, questions drawn)`` per section.
    :param seed: seed of the random generator.
    :param points: the possible maximum marks of a question.
    :param slope_range: range of the slopes.
    :param difficulty_mean: mean difficulty.
    :returns: the sitting and its true parameters.
    :raises ValueError: on an empty exam or a section drawing more than its pool.
    """
    if n < 1 or not sections or any(not 1 <= d <= p for p, d in sections):
        raise ValueError("need candidates and sections that draw at most their pool")
    rng = np.random.default_rng(seed)
    m = sum(p for p, _ in sections)
    ability = rng.standard_normal(n)
    difficulty = rng.normal(difficulty_mean, 1.0, m)
    slope = rng.uniform(*slope_range, m)
    maxima = rng.choice(np.asarray(points, dtype=np.int64), m)
    p = expit(slope * (ability[:, None] - difficulty))
    marks = rng.binomial(maxima, p).astype(np.float64)
    drawn = np.zeros((n, m), dtype=bool)
    start = 0
    for pool, count in sections:
        keys = rng.random((n, pool))
        chosen = np.argsort(keys, axis=1)[:, :count] + start
        np.put_along_axis(drawn, chosen, True, axis=1)
        start += pool
    marks[~drawn] = np.nan
    matrix = score_matrix(
        marks,
        maxima.astype(np.float64),
        candidate_ids=[f"c{i:05d}" for i in range(n)],
        item_ids=[f"q{j + 1:02d}" for j in range(m)],
    )
    return Sitting(matrix, ability, slope, difficulty)
