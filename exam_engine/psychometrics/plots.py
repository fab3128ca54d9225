"""Server-side plots as SVG strings.

Each call builds its own :class:`matplotlib.figure.Figure` and renders it with the SVG canvas, so
nothing touches pyplot's global figure manager and calls are safe from several threads. Text is
drawn as paths (matplotlib's default ``svg.fonttype``), so the browser needs no font; every text we
place asks for :data:`FONT_FAMILY`, whose fallbacks include Noto Sans CJK KR for Korean names and
labels. Key elements carry ``id`` attributes (``bar-0``, ``cutoff``, ``items``, ``bands``, ...) so
pages and tests can find them.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from exam_engine.psychometrics.itemstats import MAX_FACILITY, MIN_DISCRIMINATION, MIN_FACILITY

FONT_FAMILY = ["DejaVu Sans", "Noto Sans CJK KR", "Noto Sans CJK JP", "sans-serif"]
LABEL_COLOURS = {"clearly in": "#1b7837", "borderline": "#e08214", "clearly out": "#5e5e5e"}
CUTOFF_COLOUR = "#b2182b"


def _text(size: float = 10) -> dict[str, Any]:
    return {"fontfamily": FONT_FAMILY, "fontsize": size}


def _render(figure: Figure) -> str:
    FigureCanvasSVG(figure)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def score_distribution_svg(
    totals: npt.ArrayLike,
    *,
    max_total: float,
    cutoff: float | None = None,
    title: str = "Score distribution",
    xlabel: str = "Total mark",
    ylabel: str = "Candidates",
    cutoff_label: str = "cut-off",
) -> str:
    """Histogram of total marks with a vertical line at the cut-off.

    :param totals: every candidate's total.
    :param max_total: the highest possible total (the x axis runs from 0 to it).
    :param cutoff: total of the k-th ranked candidate, or ``None`` for no line.
    :param title: plot title; this and the other labels may be in any language.
    :param xlabel: x axis label.
    :param ylabel: y axis label.
    :param cutoff_label: legend text of the cut-off line.
    :returns: an SVG document; bar ``i`` in ``<g id="bar-i">``, the line in ``<g id="cutoff">``.
    :raises ValueError: if ``max_total`` is not positive.
    """
    if max_total <= 0:
        raise ValueError("max_total must be positive")
    values = np.asarray(totals, dtype=np.float64)
    figure = Figure(figsize=(7, 3.6))
    axes = figure.add_subplot()
    bins = np.linspace(0, max_total, min(40, max(10, int(np.ceil(max_total)))) + 1)
    _, _, bars = axes.hist(
        values, bins=list(bins), color="#4393c3", edgecolor="white", linewidth=0.5
    )
    for number, bar in enumerate(cast(BarContainer, bars)):
        bar.set_gid(f"bar-{number}")
    if cutoff is not None:
        line = axes.axvline(cutoff, color=CUTOFF_COLOUR, linewidth=2, label=cutoff_label)
        line.set_gid("cutoff")
        axes.legend(prop={"family": FONT_FAMILY, "size": 9}, frameon=False)
    axes.set_xlim(0, max_total)
    axes.set_title(title, **_text(12))
    axes.set_xlabel(xlabel, **_text())
    axes.set_ylabel(ylabel, **_text())
    figure.tight_layout()
    return _render(figure)


def item_map_svg(
    item_ids: Sequence[str],
    facility: Sequence[float],
    discrimination: Sequence[float | None],
    *,
    title: str = "Items: facility and discrimination",
    xlabel: str = "Facility index",
    ylabel: str = "Discrimination index",
) -> str:
    """Scatter of item facility against discrimination, with the weak-item zones shaded.

    Items whose discrimination is undefined (no variance) are drawn at 0.

    :param item_ids: labels written next to the points.
    :param facility: facility indices (fractions).
    :param discrimination: discrimination indices (fractions, ``None`` where undefined).
    :param title: plot title.
    :param xlabel: x axis label.
    :param ylabel: y axis label.
    :returns: an SVG document; points in ``<g id="items">``, the shaded zones in
        ``<g id="weak-zone-...">``.
    :raises ValueError: if the three sequences differ in length.
    """
    if not len(item_ids) == len(facility) == len(discrimination):
        raise ValueError("need one facility and one discrimination per item")
    x = np.asarray(facility, dtype=np.float64)
    y = np.asarray([0.0 if d is None else d for d in discrimination], dtype=np.float64)
    figure = Figure(figsize=(6, 4.5))
    axes = figure.add_subplot()
    low = min(-0.2, float(y.min(initial=0.0)) - 0.05)
    zones = [
        ("low", (0, low), 1, MIN_DISCRIMINATION - low),
        ("hard", (0, low), MIN_FACILITY, 1.05 - low),
        ("easy", (MAX_FACILITY, low), 1 - MAX_FACILITY, 1.05 - low),
    ]
    for name, corner, width, height in zones:
        patch = axes.add_patch(_rectangle(corner, width, height))
        patch.set_gid(f"weak-zone-{name}")
    weak = (y < MIN_DISCRIMINATION) | (x < MIN_FACILITY) | (x > MAX_FACILITY)
    points = axes.scatter(x, y, c=np.where(weak, CUTOFF_COLOUR, "#2166ac"), s=28, zorder=3)
    points.set_gid("items")
    for label, px, py in zip(item_ids, x, y, strict=True):
        axes.annotate(label, (px, py), xytext=(3, 3), textcoords="offset points", **_text(7))
    axes.set_xlim(0, 1)
    axes.set_ylim(low, 1.05)
    axes.set_title(title, **_text(12))
    axes.set_xlabel(xlabel, **_text())
    axes.set_ylabel(ylabel, **_text())
    figure.tight_layout()
    return _render(figure)


def _rectangle(corner: tuple[float, float], width: float, height: float) -> Rectangle:
    return Rectangle(corner, width, height, facecolor="#f4a582", alpha=0.25, linewidth=0)


def rank_bands_svg(
    names: Sequence[str],
    ranks: Sequence[int],
    low: Sequence[int],
    high: Sequence[int],
    k: int,
    *,
    labels: Sequence[str] | None = None,
    title: str = "Rank with its 90% band",
    xlabel: str = "Rank",
) -> str:
    """One row per candidate: their rank as a dot and the band of plausible ranks as a bar.

    :param names: row labels, best rank first (names, or codes in blind review).
    :param ranks: observed ranks.
    :param low: lower ends of the rank bands.
    :param high: upper ends of the rank bands.
    :param k: size of the cohort; a line is drawn between rank k and k + 1.
    :param labels: "clearly in" / "borderline" / "clearly out" per row, to colour the bands.
    :param title: plot title.
    :param xlabel: x axis label.
    :returns: an SVG document; bars in ``<g id="bands">``, dots in ``<g id="ranks">``.
    :raises ValueError: if the sequences differ in length.
    """
    count = len(names)
    if not count == len(ranks) == len(low) == len(high) or (labels and len(labels) != count):
        raise ValueError("need one rank, band and label per name")
    rows = np.arange(count)
    colours = [LABEL_COLOURS.get(lab, "#2166ac") for lab in labels] if labels else "#2166ac"
    figure = Figure(figsize=(7, 1.2 + 0.2 * max(count, 3)))
    axes = figure.add_subplot()
    bands = axes.hlines(
        rows, np.asarray(low) - 0.4, np.asarray(high) + 0.4, colors=colours, linewidth=4, alpha=0.6
    )
    bands.set_gid("bands")
    dots = axes.scatter(ranks, rows, c="black", s=10, zorder=3)
    dots.set_gid("ranks")
    line = axes.axvline(k + 0.5, color=CUTOFF_COLOUR, linewidth=1.5, linestyle="--")
    line.set_gid("cutoff")
    axes.set_yticks(rows, labels=list(names), **_text(7))
    axes.invert_yaxis()
    axes.set_xlim(0.5, max([*high, k + 1]) + 0.5)
    axes.set_title(title, **_text(12))
    axes.set_xlabel(xlabel, **_text())
    figure.tight_layout()
    return _render(figure)
