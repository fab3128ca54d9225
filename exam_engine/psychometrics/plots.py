"""The committee's plots as hand-written SVG.

Text is real ``<text>``, drawn by the reader's browser with the reader's fonts, so Korean names
and labels need nothing on the server; elements carry classes (``bar``, ``cutoff``, ``items``,
``bands``, ``ranks``, ``weak-zone``) for pages and tests; every function is pure and thread-safe.
Item points are numbered (the numbers are placed so they do not overlap), and
:func:`exam_engine.psychometrics.svg.data_table` gives the numbers behind each plot as a table.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from exam_engine.psychometrics.itemstats import MAX_FACILITY, MIN_DISCRIMINATION, MIN_FACILITY
from exam_engine.psychometrics.svg import (
    GRID,
    MUTED,
    document,
    element,
    nice_ticks,
    number,
    shorten,
    text,
    text_width,
    tooltip,
)

LABEL_COLOURS = {"clearly in": "#1b6e20", "borderline": "#a04f00", "clearly out": "#5e5e5e"}
CUTOFF_COLOUR = "#b2182b"
BAR_COLOUR = "#2f6fb3"


class _Frame:
    """A plotting area inside the SVG with linear scales."""

    def __init__(self, left: float, top: float, right: float, bottom: float) -> None:
        self.left, self.top, self.right, self.bottom = left, top, right, bottom
        self.x0, self.x1, self.y0, self.y1 = 0.0, 1.0, 0.0, 1.0

    def x(self, value: float) -> float:
        return self.left + (value - self.x0) / (self.x1 - self.x0) * (self.right - self.left)

    def y(self, value: float) -> float:
        return self.bottom - (value - self.y0) / (self.y1 - self.y0) * (self.bottom - self.top)

    def axes(
        self, xticks: Sequence[float], yticks: Sequence[float], xlabel: str, ylabel: str
    ) -> str:
        parts = ['<g class="axis">']
        xticks = [t for t in xticks if self.x0 - 1e-9 <= t <= self.x1 + 1e-9]
        yticks = [t for t in yticks if self.y0 - 1e-9 <= t <= self.y1 + 1e-9]
        for t in yticks:
            y = self.y(t)
            parts.append(element("line", x1=self.left, x2=self.right, y1=y, y2=y, stroke=GRID))
            parts.append(
                text(self.left - 6, y + 4, number(t), 11, "end", fill=MUTED, class_="tick")
            )
        for t in xticks:
            x = self.x(t)
            parts.append(
                element("line", x1=x, x2=x, y1=self.bottom, y2=self.bottom + 5, stroke=MUTED)
            )
            parts.append(
                text(x, self.bottom + 18, number(t), 11, "middle", fill=MUTED, class_="tick")
            )
        bottom = self.bottom
        parts.append(
            element("line", x1=self.left, x2=self.right, y1=bottom, y2=bottom, stroke=MUTED)
        )
        parts.append(
            text(
                (self.left + self.right) / 2,
                self.bottom + 38,
                xlabel,
                12,
                "middle",
                class_="axis-title",
            )
        )
        if ylabel:
            middle = (self.top + self.bottom) / 2
            parts.append(
                text(
                    14,
                    middle,
                    ylabel,
                    12,
                    "middle",
                    transform=f"rotate(-90 14 {middle:.1f})",
                    class_="axis-title",
                )
            )
        parts.append("</g>")
        return "".join(parts)


def histogram(totals: npt.ArrayLike, max_total: float) -> list[tuple[float, float, int]]:
    """The bins of :func:`score_distribution_svg`: ``(low, high, count)``, the last one closed.

    :raises ValueError: if ``max_total`` is not positive.
    """
    if max_total <= 0:
        raise ValueError("max_total must be positive")
    values = np.asarray(totals, dtype=np.float64)
    edges = np.linspace(0, max_total, min(40, max(10, int(np.ceil(max_total)))) + 1)
    counts, _ = np.histogram(values, bins=edges)
    return [(float(edges[i]), float(edges[i + 1]), int(counts[i])) for i in range(len(counts))]


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
    :param cutoff_label: the cut-off line's label.
    :returns: an SVG document; bars are ``<rect class="bar">``, the line ``<g class="cutoff">``.
    :raises ValueError: if ``max_total`` is not positive.
    """
    bins = histogram(totals, max_total)
    frame = _Frame(56, 56, 700, 310)
    frame.x1 = max_total
    yticks = nice_ticks(0, max(c for _, _, c in bins) or 1, 5, whole=True)
    frame.y1 = yticks[-1]
    body = [frame.axes(nice_ticks(0, max_total, 8), yticks, xlabel, ylabel), '<g class="bars">']
    for low, high, count in bins:
        x, right = frame.x(low), frame.x(high)
        y = frame.y(count)
        body.append(
            element(
                "rect",
                tooltip(f"{number(low)}–{number(high)}: {count}"),
                class_="bar",
                x=x + 0.5,
                y=y,
                width=max(right - x - 1, 1),
                height=frame.bottom - y,
                fill=BAR_COLOUR,
                data_count=count,
            )
        )
    body.append("</g>")
    if cutoff is not None:
        x = frame.x(cutoff)
        label = f"{cutoff_label} {number(cutoff)}"
        anchor, shift = ("end", -5) if x + text_width(label, 11) > frame.right else ("start", 5)
        line = element(
            "line",
            x1=x,
            x2=x,
            y1=frame.top - 20,
            y2=frame.bottom,
            stroke=CUTOFF_COLOUR,
            stroke_width=2.5,
            stroke_dasharray="6 3",
        )
        caption = text(
            x + shift, frame.top - 8, label, 11, anchor, fill=CUTOFF_COLOUR, font_weight="bold"
        )
        body.append(element("g", line + caption, class_="cutoff"))
    return document(720, 362, title, body)


def _place(
    x: float, y: float, label: str, taken: list[tuple[float, float, float, float]]
) -> tuple[float, float, str] | None:
    """A spot for a point's label beside it that overlaps no other label or point."""
    width, height = text_width(label, 11), 11
    for dx, dy, anchor in (
        (6, 4, "start"),
        (-6, 4, "end"),
        (0, -7, "middle"),
        (0, 15, "middle"),
        (6, -6, "start"),
        (-6, 14, "end"),
    ):
        left = x + dx - (width if anchor == "end" else width / 2 if anchor == "middle" else 0)
        box = (left, y + dy - height, left + width, y + dy)
        if not any(
            box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in taken
        ):
            taken.append(box)
            return x + dx, y + dy, anchor
    return None


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

    Points are numbered 1, 2, ... in the order given (the name is the point's tooltip; the page's
    table maps numbers to items). Items whose discrimination is undefined are drawn at 0.

    :param item_ids: the items, in table order.
    :param facility: facility indices (fractions).
    :param discrimination: discrimination indices (fractions, ``None`` where undefined).
    :param title: plot title.
    :param xlabel: x axis label.
    :param ylabel: y axis label.
    :returns: an SVG document; points are ``<circle>`` in ``<g class="items">``, the shaded
        zones ``<rect class="weak-zone ...">``.
    :raises ValueError: if the three sequences differ in length.
    """
    if not len(item_ids) == len(facility) == len(discrimination):
        raise ValueError("need one facility and one discrimination per item")
    xs = [float(f) for f in facility]
    ys = [0.0 if d is None else float(d) for d in discrimination]
    frame = _Frame(64, 44, 600, 420)
    frame.y0 = min(-0.2, min(ys, default=0.0) - 0.05)
    frame.y1 = 1.05
    body = [frame.axes(nice_ticks(0, 1, 6), nice_ticks(frame.y0, 1.0, 8), xlabel, ylabel)]
    zones = [
        ("low", 0.0, frame.y0, 1.0, MIN_DISCRIMINATION),
        ("hard", 0.0, frame.y0, MIN_FACILITY, frame.y1),
        ("easy", MAX_FACILITY, frame.y0, 1.0, frame.y1),
    ]
    for name, x0, y0, x1, y1 in zones:
        left, top = frame.x(x0), frame.y(y1)
        body.append(
            element(
                "rect",
                class_=f"weak-zone {name}",
                x=left,
                y=top,
                width=frame.x(x1) - left,
                height=frame.y(y0) - top,
                fill="#f4a582",
                fill_opacity=0.25,
            )
        )
    points, labels = ['<g class="items">'], ['<g class="labels">']
    taken = [
        (frame.x(x) - 4, frame.y(y) - 4, frame.x(x) + 4, frame.y(y) + 4)
        for x, y in zip(xs, ys, strict=True)
    ]
    for n, (item, x, y) in enumerate(zip(item_ids, xs, ys, strict=True), start=1):
        weak = y < MIN_DISCRIMINATION or x < MIN_FACILITY or x > MAX_FACILITY
        px, py = frame.x(x), frame.y(y)
        colour = CUTOFF_COLOUR if weak else BAR_COLOUR
        tip = tooltip(f"{n}. {item}")
        points.append(
            element("rect", tip, x=px - 4, y=py - 4, width=8, height=8, fill=colour)
            if weak  # a square: weak items differ in shape, not only in colour
            else element("circle", tip, cx=px, cy=py, r=4.5, fill=colour)
        )
        spot = _place(px, py, str(n), taken)
        if spot:
            labels.append(text(spot[0], spot[1], str(n), 11, spot[2], class_="label"))
    body += [*points, "</g>", *labels, "</g>"]
    return document(640, 480, title, body)


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

    :param names: row labels, best rank first (names, or codes in blind review); long names
        are shortened with an ellipsis.
    :param ranks: observed ranks.
    :param low: lower ends of the rank bands.
    :param high: upper ends of the rank bands.
    :param k: size of the cohort; a line is drawn between rank k and k + 1.
    :param labels: "clearly in" / "borderline" / "clearly out" per row, to colour the bands.
    :param title: plot title.
    :param xlabel: x axis label.
    :returns: an SVG document; bars in ``<g class="bands">``, dots in ``<g class="ranks">``,
        the cohort line in ``<g class="cutoff">``.
    :raises ValueError: if the sequences differ in length.
    """
    count = len(names)
    if not count == len(ranks) == len(low) == len(high) or (labels and len(labels) != count):
        raise ValueError("need one rank, band and label per name")
    shown = [shorten(str(n), 12, 170) for n in names]
    left = 16 + max((text_width(s, 12) for s in shown), default=40)
    row = 20
    frame = _Frame(left, 44, 700, 44 + row * max(count, 1))
    frame.x0, frame.x1 = 0.5, max([*high, k + 1]) + 0.5
    body = [frame.axes(nice_ticks(1, frame.x1 - 0.5, 8, whole=True), [], xlabel, "")]
    bands, dots, names_g = ['<g class="bands">'], ['<g class="ranks">'], ['<g class="names">']
    for i in range(count):
        y = frame.top + row * (i + 0.5)
        colour = LABEL_COLOURS.get(labels[i], BAR_COLOUR) if labels else BAR_COLOUR
        bands.append(
            element(
                "line",
                tooltip(f"{names[i]}: {low[i]}–{high[i]}"),
                x1=frame.x(low[i] - 0.4),
                x2=frame.x(high[i] + 0.4),
                y1=y,
                y2=y,
                stroke=colour,
                stroke_width=7,
                stroke_linecap="round",
                stroke_opacity=0.75,
            )
        )
        dots.append(element("circle", cx=frame.x(ranks[i]), cy=y, r=3.5, fill="#111"))
        names_g.append(text(left - 8, y + 4, shown[i], 12, "end"))
    x = frame.x(k + 0.5)
    body += [*bands, "</g>", *dots, "</g>", *names_g, "</g>"]
    line = element(
        "line",
        x1=x,
        x2=x,
        y1=frame.top - 6,
        y2=frame.bottom,
        stroke=CUTOFF_COLOUR,
        stroke_width=2,
        stroke_dasharray="5 3",
    )
    body.append(element("g", line, class_="cutoff"))
    return document(720, int(frame.bottom) + 50, title, body)
