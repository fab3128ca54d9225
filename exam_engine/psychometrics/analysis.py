"""One call for the committee pages: ranking, rank uncertainty, labels, the panel, item analysis."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from exam_engine.psychometrics.bootstrap import bootstrap_top_k
from exam_engine.psychometrics.irt import fit_irt
from exam_engine.psychometrics.itemstats import ItemStats, TestStats, analyse_items
from exam_engine.psychometrics.matrix import ScoreMatrix
from exam_engine.psychometrics.numbers import rounded
from exam_engine.psychometrics.plausible import PARAMETER_SETS, posterior_top_k
from exam_engine.psychometrics.ranking import cutoff, rank
from exam_engine.psychometrics.uncertainty import (
    CLEARLY_IN,
    CLEARLY_OUT,
    Outlook,
    labels,
    outlook,
)

#: With ``irt_model="auto"``, the 2PL is used from this many candidates on, the Rasch model below
#: (a slope per item needs more data than one shared slope).
AUTO_2PL_MIN_CANDIDATES = 500


@dataclass(frozen=True)
class CandidateRow:
    """One candidate's line in the ranking.

    ``score`` (percentage of the marks available to the candidate) is the primary score that
    ranks; ``total``/``available`` show where it comes from. ``rank_low``/``rank_high`` bound the
    central 90% of the candidate's rank over the posterior draws; they are computed for the
    candidates near the cut-off (see :func:`band_rows`) and are ``None`` for the others.
    ``tie_break`` is true where the declared tie-break (the ability) decided ``in_cohort``.
    """

    candidate_id: str
    score: float
    total: float
    available: float
    rank: int
    tied: bool
    percentile: float
    in_cohort: bool
    tie_break: bool
    p_top_k: float
    p_top_k_bootstrap: float
    rank_low: int | None
    rank_high: int | None
    ability: float
    ability_se: float
    label: str


@dataclass(frozen=True)
class Analysis:
    """Everything the committee pages show; ``dataclasses.asdict`` gives plain JSON types.

    ``candidates`` are in rank order (ties by the tie-break, then the matrix's row order);
    ``items`` in column order.
    """

    k: int
    n_candidates: int
    n_items: int
    max_total: float
    unequal_maxima: bool
    irt_model: str
    irt_converged: bool
    replicates: int
    parameter_sets: int
    seed: int
    clearly_in: float
    clearly_out: float
    candidates: list[CandidateRow] = field(default_factory=list)
    items: list[ItemStats] = field(default_factory=list)
    test: TestStats | None = None
    outlook: Outlook | None = None


def band_rows(ranks: np.ndarray, k: int, order: np.ndarray | None = None) -> np.ndarray:
    """Rows whose rank bands :func:`analyse` computes: the first ``max(3k, k + 20)`` rows.

    A count of rows, not of ranks: when many candidates tie near the top (everyone with full
    marks shares rank 1), a limit on ranks would band hundreds of rows and draw them all.

    :param ranks: competition ranks of all candidates.
    :param k: size of the cohort.
    :param order: the rows in ranking order (by rank, in row order, when omitted).
    :returns: row indices, best first.
    """
    limit = max(3 * k, k + 20)
    ranked = np.argsort(ranks, kind="stable") if order is None else np.asarray(order)
    return ranked[:limit]


def analyse(
    matrix: ScoreMatrix,
    k: int,
    *,
    replicates: int = 1000,
    seed: int = 0,
    irt_model: Literal["auto", "rasch", "2pl"] = "auto",
    slots: npt.ArrayLike | None = None,
    previous: Mapping[str, str] | None = None,
    clearly_in: float = CLEARLY_IN,
    clearly_out: float = CLEARLY_OUT,
) -> Analysis:
    """Rank the candidates, estimate how certain each top-k place is, and analyse the items.

    :param matrix: the scores, ``nan`` where a candidate did not have a question (drawn from a
        pool, or dropped by the committee: apply :func:`drop_items` / :func:`full_marks` first).
    :param k: size of the cohort, ``1 <= k <= n``.
    :param replicates: posterior draws, and bootstrap replicates.
    :param seed: seed for both; the same inputs and seed give the same analysis.
    :param irt_model: ``"rasch"``, ``"2pl"``, or ``"auto"`` (see
        :data:`AUTO_2PL_MIN_CANDIDATES`).
    :param slots: ``(n, p)`` slot marks for alpha and effective weights (see
        :func:`analyse_items`).
    :param previous: the last analysis's labels by candidate id, for hysteresis.
    :param clearly_in: P(top k) at least this: "clearly in".
    :param clearly_out: P(top k) at most this: "clearly out".
    :returns: the analysis.
    :raises ValueError: if ``k`` is out of range, ``replicates`` is not positive, or the
        thresholds are inverted.
    """
    n = matrix.n_candidates
    if not 1 <= k <= n:
        raise ValueError(f"k must be between 1 and the number of candidates ({n}), got {k}")
    model: Literal["rasch", "2pl"]
    if irt_model == "auto":
        model = "2pl" if n >= AUTO_2PL_MIN_CANDIDATES else "rasch"
    else:
        model = irt_model
    ranking = rank(matrix)
    fit = fit_irt(matrix, model)
    ability = rounded(fit.ability)
    inside = cutoff(ranking.scores, k, ability)
    plain = ranking.ranks <= k
    order = np.lexsort((np.arange(n), -ability, ranking.ranks))
    tracked = band_rows(ranking.ranks, k, order)
    post = posterior_top_k(fit, matrix, k, draws=replicates, seed=seed, tracked=tracked)
    boot = bootstrap_top_k(matrix, k, replicates=replicates, seed=seed)
    before = None if previous is None else [previous.get(c) for c in matrix.candidate_ids]
    names = labels(post.p_top_k, before, clearly_in=clearly_in, clearly_out=clearly_out)
    bands = {
        int(row): (int(lo), int(hi))
        for row, lo, hi in zip(post.tracked, post.rank_low, post.rank_high, strict=True)
    }
    available = ranking.available
    rows = []
    for i in order:
        band = bands.get(int(i))
        rows.append(
            CandidateRow(
                candidate_id=matrix.candidate_ids[i],
                score=float(ranking.scores[i]),
                total=float(ranking.totals[i]),
                available=float(available[i]),
                rank=int(ranking.ranks[i]),
                tied=bool(ranking.tied[i]),
                percentile=float(ranking.percentiles[i]),
                in_cohort=bool(inside[i]),
                tie_break=bool(inside[i] != plain[i]),
                p_top_k=float(rounded(post.p_top_k[i])),
                p_top_k_bootstrap=float(rounded(boot.p_top_k[i])),
                rank_low=None if band is None else band[0],
                rank_high=None if band is None else band[1],
                ability=float(ability[i]),
                ability_se=float(rounded(fit.ability_se[i])),
                label=names[i],
            )
        )
    items = analyse_items(matrix, slots)
    unequal = bool(np.ptp(available) > 0)
    return Analysis(
        k=k,
        n_candidates=n,
        n_items=matrix.n_items,
        max_total=float(available.max()),
        unequal_maxima=unequal,
        irt_model=model,
        irt_converged=fit.converged,
        replicates=replicates,
        parameter_sets=PARAMETER_SETS,
        seed=seed,
        clearly_in=clearly_in,
        clearly_out=clearly_out,
        candidates=rows,
        items=items.items,
        test=items.test,
        outlook=outlook(
            post.p_top_k,
            boot.p_top_k,
            inside,
            names,
            order,
            fit.ability_se,
            k,
            unequal_maxima=unequal,
        ),
    )
