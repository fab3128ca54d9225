"""Does P(top k) mean what it says? A calibration study on simulated sittings.

Each sitting is drawn from a 2PL model with sections that draw questions from pools, worth
unequal points (:func:`.simulate.simulate_pooled_sitting`); the truth is who has the k highest
true abilities. Candidates are pooled over sittings and binned by their predicted probability;
in a calibrated method each bin's observed share of true top-k members is close to its mean
prediction. Brier scores are reported for the committee's figure (posterior with estimated item
parameters), for an oracle that knows the true item parameters, and for the bootstrap check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from exam_engine.psychometrics.analysis import AUTO_2PL_MIN_CANDIDATES
from exam_engine.psychometrics.bootstrap import bootstrap_top_k
from exam_engine.psychometrics.irt import Model, fit_irt
from exam_engine.psychometrics.plausible import posterior_top_k, with_parameters
from exam_engine.psychometrics.simulate import simulate_pooled_sitting

#: Bin edges of predicted probabilities.
EDGES = (0.0, 0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 1.0)
#: The exam of the study: four sections drawing 3 of 6, 4 of 8, all 4, and 3 of 6 questions.
SECTIONS = ((6, 3), (8, 4), (4, 4), (6, 3))


@dataclass(frozen=True)
class Band:
    """One bin of predictions: how many, the mean prediction, the observed frequency."""

    low: float
    high: float
    count: int
    predicted: float
    observed: float


@dataclass(frozen=True)
class Study:
    """The result of a study: reliability bands (ours and the oracle's) and Brier scores.

    The oracle's bands show how far the observed frequencies scatter by chance alone at this
    number of sittings: a band of a few dozen candidates can be off by more than 0.05 even for
    a method that knows the true item parameters.
    """

    n: int
    k: int
    sittings: int
    bands: list[Band] = field(default_factory=list)
    oracle_bands: list[Band] = field(default_factory=list)
    brier: float = 0.0
    brier_oracle: float = 0.0
    brier_bootstrap: float = 0.0


def _bands(p: np.ndarray, truth: np.ndarray) -> list[Band]:
    bands = []
    for i, (low, high) in enumerate(zip(EDGES, EDGES[1:], strict=False)):
        last = i == len(EDGES) - 2
        chosen = (p >= low) & ((p <= high) if last else (p < high))
        if chosen.any():
            bands.append(
                Band(
                    low,
                    high,
                    int(chosen.sum()),
                    float(p[chosen].mean()),
                    float(truth[chosen].mean()),
                )
            )
    return bands


def study(
    n: int, k: int, sittings: int, *, seed: int = 0, draws: int = 400, bootstrap: bool = True
) -> Study:
    """Run a calibration study.

    :param n: candidates per sitting.
    :param k: size of the cohort.
    :param sittings: simulated sittings.
    :param seed: first seed; sitting ``s`` uses ``seed + s``.
    :param draws: posterior draws (and bootstrap replicates) per sitting.
    :param bootstrap: also score the bootstrap check.
    :returns: the bands of the committee's figure and the three Brier scores.
    """
    model: Model = "2pl" if n >= AUTO_2PL_MIN_CANDIDATES else "rasch"
    ours, oracle, boot, truth = [], [], [], []
    for s in range(sittings):
        sitting = simulate_pooled_sitting(n, SECTIONS, seed=seed + s)
        matrix = sitting.matrix
        fit = fit_irt(matrix, model)
        ours.append(posterior_top_k(fit, matrix, k, draws=draws, seed=s).p_top_k)
        known = with_parameters(matrix, sitting.slope, sitting.difficulty)
        oracle.append(
            posterior_top_k(known, matrix, k, draws=draws, seed=s, parameter_sets=1).p_top_k
        )
        if bootstrap:
            boot.append(bootstrap_top_k(matrix, k, replicates=draws, seed=s).p_top_k)
        truth.append(sitting.true_top_k(k))
    p, t = np.concatenate(ours), np.concatenate(truth).astype(np.float64)
    o = np.concatenate(oracle)
    b = np.concatenate(boot) if boot else np.full_like(p, np.nan)
    return Study(
        n=n,
        k=k,
        sittings=sittings,
        bands=_bands(p, t),
        oracle_bands=_bands(o, t),
        brier=float(np.mean((p - t) ** 2)),
        brier_oracle=float(np.mean((o - t) ** 2)),
        brier_bootstrap=float(np.mean((b - t) ** 2)),
    )
