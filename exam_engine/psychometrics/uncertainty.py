"""From probabilities of a top-k place to the committee's labels and the words of the panel.

Labels come from one figure, P(top k) from the ability posterior (:mod:`.plausible`); the
bootstrap is a sensitivity check and never changes a label. A label has **hysteresis**: once a
candidate is "clearly in", they stay so until their probability falls :data:`HYSTERESIS` below
the threshold, and a borderline candidate becomes clearly in only :data:`HYSTERESIS` above it
(likewise at the bottom). So a small change elsewhere — one mark to a far-away candidate, which
nudges the item parameters and so every probability by a little — does not flip labels; a
label changes when the evidence about that candidate really changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

#: A candidate is "clearly in" when P(top k) is at least this.
CLEARLY_IN = 0.9
#: A candidate is "clearly out" when P(top k) is at most this.
CLEARLY_OUT = 0.1
#: How far past a threshold P must move before a previous label changes.
HYSTERESIS = 0.05
#: Below this many candidates the item parameters (and so every probability) are shaky.
SMALL_COHORT = 50
#: Below this marginal reliability (1 - mean posterior variance) the exam is too short.
MIN_RELIABILITY = 0.7

LABEL_IN = "clearly in"
LABEL_BORDERLINE = "borderline"
LABEL_OUT = "clearly out"


def label(
    p: float,
    previous: str | None = None,
    *,
    clearly_in: float = CLEARLY_IN,
    clearly_out: float = CLEARLY_OUT,
    margin: float = HYSTERESIS,
) -> str:
    """Label one candidate from their probability of a top-k place.

    :param p: P(top k) from the ability posterior.
    :param previous: the label of the last analysis, if any (for hysteresis).
    :param clearly_in: lower bound for "clearly in".
    :param clearly_out: upper bound for "clearly out".
    :param margin: the hysteresis band either side of a threshold.
    :returns: ``"clearly in"``, ``"borderline"`` or ``"clearly out"``.
    :raises ValueError: if the thresholds are inverted.
    """
    if not clearly_out < clearly_in:
        raise ValueError("clearly_out must be below clearly_in")
    known = previous in (LABEL_IN, LABEL_BORDERLINE, LABEL_OUT)
    # Crossing into a label from another takes the margin; staying in one forgives it.
    in_bar = clearly_in + (-margin if previous == LABEL_IN else margin if known else 0.0)
    out_bar = clearly_out + (margin if previous == LABEL_OUT else -margin if known else 0.0)
    if p >= in_bar:
        return LABEL_IN
    if p <= out_bar:
        return LABEL_OUT
    return LABEL_BORDERLINE


def labels(
    p: npt.ArrayLike,
    previous: Sequence[str | None] | None = None,
    *,
    clearly_in: float = CLEARLY_IN,
    clearly_out: float = CLEARLY_OUT,
    margin: float = HYSTERESIS,
) -> list[str]:
    """Label every candidate (see :func:`label`).

    :param p: ``(n,)`` probabilities.
    :param previous: the last analysis's labels, aligned with ``p`` (``None`` where unknown).
    :param clearly_in: lower bound for "clearly in".
    :param clearly_out: upper bound for "clearly out".
    :param margin: the hysteresis band.
    :returns: one label per candidate.
    :raises ValueError: if ``previous`` is not aligned with ``p``.
    """
    values = np.asarray(p, dtype=np.float64).reshape(-1)
    before: Sequence[str | None] = previous if previous is not None else [None] * values.size
    if len(before) != values.size:
        raise ValueError("previous labels must be aligned with the probabilities")
    return [
        label(float(v), b, clearly_in=clearly_in, clearly_out=clearly_out, margin=margin)
        for v, b in zip(values, before, strict=True)
    ]


@dataclass(frozen=True)
class Outlook:
    """How sure the selection is near the line: the figures behind the ranking page's panel.

    :ivar k: size of the cohort.
    :ivar expected_above: expected number of the true top k among those above the line.
    :ivar expected_below: expected number of the true top k among those below it; rounded, this
        is "about how many of the k places are uncertain".
    :ivar uncertain_places: ``expected_below`` rounded to a whole number.
    :ivar contenders: row indices of the borderline candidates, best first.
    :ivar clearly_in: how many are clearly in.
    :ivar disagreements: rows where the bootstrap and the posterior differ by more than 0.3.
    :ivar reliability: marginal reliability of the ability estimates, 1 - mean posterior variance.
    :ivar warnings: ``small_cohort``, ``short_exam``, ``cannot_separate``, ``raw_points_differ``.
    """

    k: int
    expected_above: float
    expected_below: float
    uncertain_places: int
    contenders: list[int]
    clearly_in: int
    disagreements: list[int]
    reliability: float
    warnings: list[str] = field(default_factory=list)


def outlook(
    p: npt.ArrayLike,
    p_bootstrap: npt.ArrayLike,
    in_cohort: npt.ArrayLike,
    names: Sequence[str],
    order: npt.ArrayLike,
    ability_se: npt.ArrayLike,
    k: int,
    *,
    unequal_maxima: bool = False,
) -> Outlook:
    """The panel's figures from the probabilities, the line and the labels.

    :param p: P(top k) from the posterior, per row.
    :param p_bootstrap: the bootstrap's figure, per row.
    :param in_cohort: whether each row is above the line.
    :param names: each row's label.
    :param order: row indices, best rank first.
    :param ability_se: posterior standard deviations of the abilities.
    :param k: size of the cohort.
    :param unequal_maxima: whether candidates had different maximum marks (a warning).
    :returns: the outlook.
    """
    prob = np.asarray(p, dtype=np.float64)
    boot = np.asarray(p_bootstrap, dtype=np.float64)
    inside = np.asarray(in_cohort, dtype=bool)
    ranked = [int(i) for i in np.asarray(order)]
    below = float(prob[~inside].sum())
    contenders = [i for i in ranked if names[i] == LABEL_BORDERLINE]
    se = np.asarray(ability_se, dtype=np.float64)
    reliability = float(1 - np.mean(se**2)) if se.size else 0.0
    warnings = []
    if prob.size < SMALL_COHORT:
        warnings.append("small_cohort")
    if reliability < MIN_RELIABILITY:
        warnings.append("short_exam")
    if len(contenders) > 3 * k or round(below) * 2 >= k:
        warnings.append("cannot_separate")
    if unequal_maxima:
        warnings.append("raw_points_differ")
    return Outlook(
        k=k,
        expected_above=float(prob[inside].sum()),
        expected_below=below,
        uncertain_places=int(round(below)),
        contenders=contenders,
        clearly_in=sum(1 for name in names if name == LABEL_IN),
        disagreements=[i for i in ranked if abs(prob[i] - boot[i]) > 0.3],
        reliability=reliability,
        warnings=warnings,
    )
