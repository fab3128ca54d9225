"""A small SVG writer for the committee's plots: real ``<text>`` the browser draws with the
reader's fonts (so Korean works anywhere), presentation attributes only (no ``style``), nice axis
ticks, rough text widths for laying out labels, and a data table as the plots' text alternative.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from html import escape

FONT = (
    "system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK KR', "
    "'Apple SD Gothic Neo', 'Malgun Gothic', sans-serif"
)
INK = "#1d2330"
MUTED = "#4f5766"
GRID = "#e3e6ec"


def attrs(**values: object) -> str:
    """``key="value"`` pairs, escaped; ``class_`` -> ``class``, ``_`` -> ``-``; ``None`` dropped."""
    out = []
    for key, value in values.items():
        if value is None:
            continue
        name = "class" if key == "class_" else key.rstrip("_").replace("_", "-")
        if isinstance(value, float):
            value = f"{value:.2f}".rstrip("0").rstrip(".")
        out.append(f' {name}="{escape(str(value), quote=True)}"')
    return "".join(out)


def text(
    x: float, y: float, content: str, size: float = 11, anchor: str = "start", **extra: object
) -> str:
    """A ``<text>`` element in the plots' font."""
    fill = extra.pop("fill", INK)
    return element(
        "text",
        escape(content, quote=False),
        x=x,
        y=y,
        font_size=size,
        text_anchor=anchor,
        fill=fill,
        **extra,
    )


def element(tag: str, inner: str | None = None, **values: object) -> str:
    """``<tag ...>inner</tag>``, or ``<tag .../>`` without ``inner`` (already escaped)."""
    return (
        f"<{tag}{attrs(**values)}/>"
        if inner is None
        else f"<{tag}{attrs(**values)}>{inner}</{tag}>"
    )


def tooltip(content: str) -> str:
    """A ``<title>`` child: the tooltip of the element it is in."""
    return f"<title>{escape(content, quote=False)}</title>"


def text_width(content: str, size: float) -> float:
    """A generous estimate of the drawn width: wide (CJK) characters count as one em."""
    ems = sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in content)
    return ems * size


def shorten(content: str, size: float, width: float) -> str:
    """``content`` cut with an ellipsis so that it fits ``width`` pixels."""
    if text_width(content, size) <= width:
        return content
    while content and text_width(content + "…", size) > width:
        content = content[:-1]
    return content + "…"


def nice_ticks(low: float, high: float, count: int = 6, whole: bool = False) -> list[float]:
    """About ``count`` round ticks from at or below ``low`` to at or above ``high``
    (steps of 1, 2 or 5 x 10^n; at least 1 when ``whole``)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if whole:  # counts and ranks: no tick between two whole numbers
        step = max(step, 1)
    first = math.floor(low / step + 1e-9) * step
    ticks = [round(first, 10)]
    while ticks[-1] < high - step * 1e-9:  # the last tick covers the highest value
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def number(value: float) -> str:
    """A tick or table number without trailing zeros."""
    return f"{value:.3f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))


def document(width: int, height: int, title: str, body: Sequence[str]) -> str:
    """The ``<svg>`` root: an image named by its title, scaled to its container."""
    inner = tooltip(title) + text(width / 2, 22, title, 14, "middle", font_weight="bold")
    return element(
        "svg",
        inner + "".join(body),
        xmlns="http://www.w3.org/2000/svg",
        class_="plot",
        viewBox=f"0 0 {width} {height}",
        width=width,
        height=height,
        role="img",
        aria_label=title,
        font_family=FONT,
    )


def data_table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """The numbers behind a plot as an HTML table in a ``<details>``, for every reader.

    :param caption: the summary line and the table's caption.
    :param headers: column headers.
    :param rows: cells; numbers are right-aligned.
    :returns: an HTML fragment.
    """
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{escape(number(c) if isinstance(c, float) else str(c))}</td>'
            if isinstance(c, int | float)
            else f"<td>{escape(str(c))}</td>"
            for c in row
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<details class="plot-data"><summary>{escape(caption)}</summary>'
        f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div></details>"
    )
