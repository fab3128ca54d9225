"""One call for the committee pages: ranking, rank uncertainty, labels and item analysis."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from exam_engine.psychometrics.bootstrap import bootstrap_top_k
from exam_engine.psychometrics.irt import fit_irt, irt_top_k
from exam_engine.psychometrics.itemstats import ItemStats, TestStats, analyse_items
from exam_engine.psychometrics.matrix import ScoreMatrix
from exam_engine.psychometrics.ranking import rank
from exam_engine.psychometrics.uncertainty import CLEARLY_IN, CLEARLY_OUT, labels

#: With ``irt_model="auto"``, the 2PL is used from this many candidates on, the Rasch model below
#: (a slope per item needs more data than one shared slope).
AUTO_2PL_MIN_CANDIDATES = 500


@dataclass(frozen=True)
class CandidateRow:
    """One candidate's line in the ranking.

    ``rank_low``/``rank_high`` bound the central 90% of the candidate's rank over the bootstrap
    replicates; they are computed for the candidates near the cut-off (see :func:`analyse`) and
    are ``None`` for the others.
    """

    candidate_id: str
    total: float
    rank: int
    tied: bool
    percentile: float
    in_cohort: bool
    p_top_k_bootstrap: float
    rank_low: int | None
    rank_high: int | None
    ability: float
    ability_se: float
    p_top_k_irt: float
    label: str


@dataclass(frozen=True)
class Analysis:
    """Everything the committee pages show; ``dataclasses.asdict`` gives plain JSON types.

    ``candidates`` are in rank order (ties in the matrix's row order); ``items`` in column order.
    """

    k: int
    n_candidates: int
    n_items: int
    max_total: float
    irt_model: str
    irt_converged: bool
    replicates: int
    seed: int
    clearly_in: float
    clearly_out: float
    candidates: list[CandidateRow] = field(default_factory=list)
    items: list[ItemStats] = field(default_factory=list)
    test: TestStats | None = None


def band_rows(ranks: np.ndarray, k: int) -> np.ndarray:
    """Rows whose rank bands :func:`analyse` computes: ranks up to ``max(3k, k + 20)``.

    :param ranks: competition ranks of all candidates.
    :param k: size of the cohort.
    :returns: row indices, best rank first.
    """
    limit = max(3 * k, k + 20)
    rows = np.flatnonzero(ranks <= limit)
    return rows[np.argsort(ranks[rows], kind="stable")]


def analyse(
    matrix: ScoreMatrix,
    k: int,
    *,
    replicates: int = 1000,
    seed: int = 0,
    irt_model: Literal["auto", "rasch", "2pl"] = "auto",
    clearly_in: float = CLEARLY_IN,
    clearly_out: float = CLEARLY_OUT,
) -> Analysis:
    """Rank the candidates, estimate how certain each top-k place is, and analyse the items.

    :param matrix: the scores (apply :func:`drop_items` / :func:`full_marks` first to follow
        the committee's decisions on broken items).
    :param k: size of the cohort, ``1 <= k <= n``.
    :param replicates: bootstrap replicates, and draws from the IRT posterior.
    :param seed: seed for both; the same inputs and seed give the same analysis.
    :param irt_model: ``"rasch"``, ``"2pl"``, or ``"auto"`` (see
        :data:`AUTO_2PL_MIN_CANDIDATES`).
    :param clearly_in: both probabilities at least this: "clearly in".
    :param clearly_out: both probabilities at most this: "clearly out".
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
    tracked = band_rows(ranking.ranks, k)
    boot = bootstrap_top_k(matrix, k, replicates=replicates, seed=seed, tracked=tracked)
    fit = fit_irt(matrix, model)
    irt = irt_top_k(fit, k, draws=replicates, seed=seed)
    names = labels(boot.p_top_k, irt.p_top_k, clearly_in=clearly_in, clearly_out=clearly_out)
    bands = {
        int(row): (int(lo), int(hi))
        for row, lo, hi in zip(boot.tracked, boot.rank_low, boot.rank_high, strict=True)
    }
    rows = []
    for i in np.argsort(ranking.ranks, kind="stable"):
        band = bands.get(int(i))
        rows.append(
            CandidateRow(
                candidate_id=matrix.candidate_ids[i],
                total=float(ranking.totals[i]),
                rank=int(ranking.ranks[i]),
                tied=bool(ranking.tied[i]),
                percentile=float(ranking.percentiles[i]),
                in_cohort=bool(ranking.ranks[i] <= k),
                p_top_k_bootstrap=float(boot.p_top_k[i]),
                rank_low=None if band is None else band[0],
                rank_high=None if band is None else band[1],
                ability=float(fit.ability[i]),
                ability_se=float(fit.ability_se[i]),
                p_top_k_irt=float(irt.p_top_k[i]),
                label=names[i],
            )
        )
    items = analyse_items(matrix)
    return Analysis(
        k=k,
        n_candidates=n,
        n_items=matrix.n_items,
        max_total=float(matrix.max_marks.sum()),
        irt_model=model,
        irt_converged=fit.converged,
        replicates=replicates,
        seed=seed,
        clearly_in=clearly_in,
        clearly_out=clearly_out,
        candidates=rows,
        items=items.items,
        test=items.test,
    )
