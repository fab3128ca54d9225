"""Turn probabilities of a top-k place into the committee's three labels."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

#: A candidate is "clearly in" when every available estimate of P(top k) is at least this.
CLEARLY_IN = 0.9
#: A candidate is "clearly out" when every available estimate of P(top k) is at most this.
CLEARLY_OUT = 0.1

LABEL_IN = "clearly in"
LABEL_BORDERLINE = "borderline"
LABEL_OUT = "clearly out"


def label(
    estimates: Sequence[float | None],
    *,
    clearly_in: float = CLEARLY_IN,
    clearly_out: float = CLEARLY_OUT,
) -> str:
    """Label one candidate from one or more estimates of their probability of a top-k place.

    The label is cautious: both the bootstrap and the IRT estimate must agree before a candidate
    is called clearly in or clearly out; any disagreement makes them borderline.

    :param estimates: probabilities (``None`` for an estimate that is not available).
    :param clearly_in: lower bound for "clearly in".
    :param clearly_out: upper bound for "clearly out".
    :returns: ``"clearly in"``, ``"borderline"`` or ``"clearly out"``.
    :raises ValueError: if no estimate is available or the thresholds are inverted.
    """
    if not clearly_out < clearly_in:
        raise ValueError("clearly_out must be below clearly_in")
    known = [p for p in estimates if p is not None]
    if not known:
        raise ValueError("need at least one probability")
    if min(known) >= clearly_in:
        return LABEL_IN
    if max(known) <= clearly_out:
        return LABEL_OUT
    return LABEL_BORDERLINE


def labels(
    *estimates: npt.ArrayLike,
    clearly_in: float = CLEARLY_IN,
    clearly_out: float = CLEARLY_OUT,
) -> list[str]:
    """Label every candidate; each positional argument is one estimator's ``(n,)`` probabilities.

    :param estimates: arrays of probabilities, aligned by candidate.
    :param clearly_in: lower bound for "clearly in".
    :param clearly_out: upper bound for "clearly out".
    :returns: one label per candidate.
    :raises ValueError: if no estimate is given, the arrays differ in length, or the thresholds
        are inverted.
    """
    if not estimates:
        raise ValueError("need at least one array of probabilities")
    stacked = np.vstack([np.asarray(e, dtype=np.float64) for e in estimates])
    return [
        label(list(map(float, column)), clearly_in=clearly_in, clearly_out=clearly_out)
        for column in stacked.T
    ]
