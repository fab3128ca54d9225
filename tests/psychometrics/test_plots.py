"""Hand-written SVG plots: well-formed, real text (Korean too), labels that do not overlap,
nothing that could carry script, thread-safe."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from exam_engine.psychometrics import (
    data_table,
    histogram,
    item_map_svg,
    rank_bands_svg,
    score_distribution_svg,
)
from exam_engine.psychometrics.itemstats import MAX_FACILITY, MIN_DISCRIMINATION, MIN_FACILITY
from exam_engine.psychometrics.svg import nice_ticks, shorten, text_width

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert not [e for e in root.iter() if e.get("style") is not None]  # CSP: no inline style
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter(f"{SVG}foreignObject"))
    return root


def _classed(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def _texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter(f"{SVG}text")]


def test_score_distribution_bars_match_the_histogram() -> None:
    totals = np.random.default_rng(0).uniform(0, 40, 300)
    root = _parse(score_distribution_svg(totals, max_total=40, cutoff=31.5))
    bars = _classed(root, "bar")
    bins = histogram(totals, 40)
    assert len(bars) == len(bins) == 40
    assert [int(b.get("data-count") or -1) for b in bars] == [n for _, _, n in bins]
    assert sum(n for _, _, n in bins) == 300
    # Taller bars for larger counts: heights are proportional to the counts.
    heights = [float(b.get("height") or 0) for b in bars]
    assert heights[int(np.argmax([n for _, _, n in bins]))] == max(heights)
    (cutoff,) = _classed(root, "cutoff")
    assert len(list(cutoff.iter(f"{SVG}line"))) == 1
    assert "cut-off 31.5" in _texts(root)


def test_score_distribution_without_cutoff_and_bad_maximum() -> None:
    root = _parse(score_distribution_svg([1, 2, 3], max_total=5))
    assert not _classed(root, "cutoff")
    with pytest.raises(ValueError):
        score_distribution_svg([1], max_total=0)


def test_korean_labels_are_real_text() -> None:
    svg = score_distribution_svg(
        [1, 2],
        max_total=4,
        cutoff=2,
        title="점수 분포",
        xlabel="총점",
        ylabel="응시자",
        cutoff_label="합격선",
    )
    root = _parse(svg)
    texts = _texts(root)
    assert {"점수 분포", "총점", "응시자", "합격선 2"} <= set(texts)
    assert root.get("aria-label") == "점수 분포"


def test_hostile_labels_stay_text() -> None:
    name = '$\\foo$ <script>alert(1)</script> & "x"'
    svg = rank_bands_svg([name], [1], [1], [2], 1, title="<b>t</b>")
    root = _parse(svg)
    assert "<script" not in svg and "<b>" not in svg
    assert any(t.startswith("$\\foo$ <script>") or t.startswith("$\\foo$") for t in _texts(root))


def test_item_map_numbers_points_without_overlap() -> None:
    ids = [f"question-{n}" for n in range(12)]
    facility = [0.5] * 6 + [0.97, 0.3, 0.05, 0.51, 0.52, 0.5]
    discrimination = [0.45, 0.45, 0.46, 0.44, 0.45, 0.45, None, 0.1, -0.2, 0.45, 0.46, 0.44]
    root = _parse(item_map_svg(ids, facility, discrimination))
    (items,) = _classed(root, "items")
    assert len(list(items)) == 12
    tooltips = ["".join(t.itertext()) for t in items.iter(f"{SVG}title")]
    assert tooltips[0] == "1. question-0"
    # Weak items are squares, the others dots: shape, not only colour.
    weak = [
        (d or 0) < MIN_DISCRIMINATION or f < MIN_FACILITY or f > MAX_FACILITY
        for f, d in zip(facility, discrimination, strict=True)
    ]
    assert len(list(items.iter(f"{SVG}rect"))) == sum(weak) >= 2
    for zone in ("low", "hard", "easy"):
        assert _classed(root, zone)
    labels = _classed(root, "label")
    assert labels, "at least some points are numbered"
    boxes = []
    for label in labels:
        x, y, content = float(label.get("x") or 0), float(label.get("y") or 0), label.text or ""
        width = text_width(content, 11)
        left = {"start": x, "end": x - width, "middle": x - width / 2}[
            label.get("text-anchor") or ""
        ]
        boxes.append((left, y - 11, left + width, y))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    with pytest.raises(ValueError):
        item_map_svg(["q1"], [0.5, 0.4], [0.1])


def test_rank_bands() -> None:
    names = ["김민준", "Alice", "C-0003", "A very long name that would never fit in the margin"]
    root = _parse(
        rank_bands_svg(
            names,
            [1, 2, 2, 4],
            [1, 1, 2, 3],
            [1, 4, 5, 7],
            2,
            labels=["clearly in", "borderline", "borderline", "clearly out"],
        )
    )
    (bands,) = _classed(root, "bands")
    assert len(list(bands.iter(f"{SVG}line"))) == 4
    (ranks,) = _classed(root, "ranks")
    assert len(list(ranks.iter(f"{SVG}circle"))) == 4
    assert len(list(_classed(root, "cutoff")[0].iter(f"{SVG}line"))) == 1
    texts = _texts(root)
    assert "김민준" in texts and "Alice" in texts
    assert any(t.endswith("…") and t.startswith("A very") for t in texts)
    with pytest.raises(ValueError):
        rank_bands_svg(["a"], [1, 2], [1], [1], 1)


def test_helpers() -> None:
    assert nice_ticks(0, 40, 8) == [0, 10, 20, 30, 40]
    assert nice_ticks(0, 12, 6) == [0, 5, 10, 15]
    assert nice_ticks(0, 1, 5, whole=True) == [0, 1] and nice_ticks(1, 2, 8, whole=True) == [1, 2]
    assert nice_ticks(-0.25, 1, 8) == [-0.4, -0.2, 0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert text_width("한국", 10) == 20 and text_width("ab", 10) == 12
    assert (
        shorten("abcdefghij", 10, 40).endswith("…")
        and text_width(shorten("abcdefghij", 10, 40), 10) <= 40
    )
    table = data_table("Numbers", ["Mark", "<n>"], [("0–1", 3), ("<i>", 2.5)])
    assert '<th scope="col">&lt;n&gt;</th>' in table and "<td>&lt;i&gt;</td>" in table
    assert '<td class="num">2.5</td>' in table and "<summary>Numbers</summary>" in table


def test_plots_from_many_threads() -> None:
    def draw(seed: int) -> str:
        totals = np.random.default_rng(seed).uniform(0, 20, 100)
        return score_distribution_svg(totals, max_total=20, cutoff=15, title=f"sitting {seed}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        outputs = list(pool.map(draw, range(8)))
    for svg in outputs:
        assert len(_classed(_parse(svg), "bar")) == 20
