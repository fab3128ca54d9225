"""Server-side SVG plots: well-formed, with the expected elements, Korean included, thread-safe."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from exam_engine.psychometrics import item_map_svg, rank_bands_svg, score_distribution_svg

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def _group(root: ET.Element, gid: str) -> ET.Element:
    found = [e for e in root.iter() if e.get("id") == gid]
    assert len(found) == 1, gid
    return found[0]


def _count(element: ET.Element, tag: str) -> int:
    return sum(1 for e in element.iter(f"{SVG}{tag}"))


def _glyph_fonts(root: ET.Element) -> set[str]:
    return {
        (e.get("id") or "").split("-")[0]
        for e in root.iter(f"{SVG}path")
        if "-" in (e.get("id") or "")
    }


def test_score_distribution():
    totals = np.random.default_rng(0).uniform(0, 40, 300)
    root = _parse(score_distribution_svg(totals, max_total=40, cutoff=31.5))
    bars = [e for e in root.iter() if (e.get("id") or "").startswith("bar-")]
    assert len(bars) == 40
    assert _count(_group(root, "cutoff"), "path") == 1


def test_score_distribution_without_cutoff():
    root = _parse(score_distribution_svg([1, 2, 3], max_total=5))
    assert not [e for e in root.iter() if e.get("id") == "cutoff"]
    with pytest.raises(ValueError):
        score_distribution_svg([1], max_total=0)


def test_korean_labels_are_drawn_with_a_korean_font():
    # A missing glyph would be a UserWarning, an error under filterwarnings = error.
    root = _parse(
        score_distribution_svg(
            [1, 2],
            max_total=4,
            cutoff=2,
            title="점수 분포",
            xlabel="총점",
            ylabel="응시자",
            cutoff_label="합격선",
        )
    )
    assert any(font.startswith("NotoSansCJK") for font in _glyph_fonts(root))


def test_item_map():
    root = _parse(
        item_map_svg(["q1", "q2", "q3", "q4"], [0.5, 0.97, 0.3, 0.05], [0.45, None, 0.1, -0.2])
    )
    assert _count(_group(root, "items"), "use") == 4
    for zone in ("low", "hard", "easy"):
        _group(root, f"weak-zone-{zone}")
    with pytest.raises(ValueError):
        item_map_svg(["q1"], [0.5, 0.4], [0.1])


def test_rank_bands():
    names = ["김민준", "Alice", "C-0003", "C-0004"]
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
    assert _count(_group(root, "bands"), "path") == 4
    assert _count(_group(root, "ranks"), "use") == 4
    assert _count(_group(root, "cutoff"), "path") == 1
    assert any(font.startswith("NotoSansCJK") for font in _glyph_fonts(root))
    with pytest.raises(ValueError):
        rank_bands_svg(["a"], [1, 2], [1], [1], 1)


def test_plots_from_many_threads():
    def draw(seed: int) -> str:
        totals = np.random.default_rng(seed).uniform(0, 20, 100)
        return score_distribution_svg(totals, max_total=20, cutoff=15, title=f"sitting {seed}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        outputs = list(pool.map(draw, range(8)))
    for svg in outputs:
        root = _parse(svg)
        assert len([e for e in root.iter() if (e.get("id") or "").startswith("bar-")]) == 20
