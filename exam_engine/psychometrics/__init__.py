"""Item statistics, IRT, rank uncertainty and plots (hand-written SVG) for the committee.

Pure: numpy and scipy.

The web app calls :func:`analyse` on a :class:`ScoreMatrix` built with :func:`score_matrix`;
``docs/psychometrics.md`` explains every figure it returns.
"""

from exam_engine.psychometrics.analysis import Analysis, CandidateRow, analyse
from exam_engine.psychometrics.bootstrap import bootstrap_top_k
from exam_engine.psychometrics.irt import IrtFit, fit_irt
from exam_engine.psychometrics.itemstats import ItemAnalysis, ItemStats, TestStats, analyse_items
from exam_engine.psychometrics.matrix import ScoreMatrix, drop_items, full_marks, score_matrix
from exam_engine.psychometrics.numbers import percentile_ranks, round_value, rounded
from exam_engine.psychometrics.plausible import irt_top_k, posterior_top_k
from exam_engine.psychometrics.plots import (
    histogram,
    item_map_svg,
    rank_bands_svg,
    score_distribution_svg,
)
from exam_engine.psychometrics.ranking import Ranking, TopKResult, competition_ranks, cutoff, rank
from exam_engine.psychometrics.svg import data_table
from exam_engine.psychometrics.uncertainty import (
    CLEARLY_IN,
    CLEARLY_OUT,
    Outlook,
    label,
    labels,
    outlook,
)

__all__ = [
    "CLEARLY_IN",
    "CLEARLY_OUT",
    "Analysis",
    "CandidateRow",
    "Outlook",
    "IrtFit",
    "ItemAnalysis",
    "ItemStats",
    "Ranking",
    "ScoreMatrix",
    "TestStats",
    "TopKResult",
    "analyse",
    "analyse_items",
    "bootstrap_top_k",
    "competition_ranks",
    "cutoff",
    "data_table",
    "drop_items",
    "fit_irt",
    "histogram",
    "full_marks",
    "irt_top_k",
    "item_map_svg",
    "label",
    "labels",
    "outlook",
    "percentile_ranks",
    "posterior_top_k",
    "rank",
    "rank_bands_svg",
    "round_value",
    "rounded",
    "score_distribution_svg",
    "score_matrix",
]
