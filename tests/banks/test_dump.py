"""Writing questions back to YAML: byte-identical for every sample question, always reloads to
the same data, and keeps the comments of sections that did not change."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from exam_engine.banks import content_hash, load_question_file
from exam_engine.banks.dump import dump_question, scalar, section_text

from .conftest import SAMPLE_BANK

FILES = sorted(SAMPLE_BANK.glob("*/*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_load_then_dump_gives_the_same_bytes(path: Path) -> None:
    spec = load_question_file(path)
    assert dump_question(spec.raw).encode("utf-8") == path.read_bytes()


@pytest.mark.parametrize("path", FILES[:8], ids=lambda p: p.stem)
def test_sections_reload_to_the_same_data(path: Path) -> None:
    raw = load_question_file(path).raw
    for key in ("parts", "tests", "parameters"):
        if raw.get(key):
            assert yaml.safe_load(section_text(raw[key])) == raw[key]


TEXT = st.text(
    st.characters(blacklist_categories=("Cs",)),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(value=TEXT, flow=st.booleans(), quote=st.booleans())
def test_any_string_reloads_unchanged(value: str, flow: bool, quote: bool) -> None:
    written = scalar(value, flow, quote)
    loaded = yaml.safe_load(f"[{written}]" if flow else f"k: {written}")
    assert loaded == ([value] if flow else {"k": value})


@settings(max_examples=150, deadline=None)
@given(
    body=TEXT,
    prompt=st.text(st.sampled_from("ab $\\{}:#'\"\n-[]"), max_size=30),
    tags=st.lists(st.sampled_from(["x", "a b", "1", "true", "a, b", "#c"]), max_size=3),
)
def test_any_question_shaped_data_reloads_unchanged(
    body: str, prompt: str, tags: list[str]
) -> None:
    data = {
        "id": "q",
        "body": body,
        "tags": tags,
        "parts": [{"key": "a", "prompt": prompt, "answer": "0.5", "options": 0.01}],
        "tests": [{"parts": {"a": prompt}, "expected": {"a": 1}}],
    }
    assert yaml.safe_load(dump_question(data)) == data


def test_quoting_follows_the_house_style() -> None:
    assert scalar("x^2 + 1") == "x^2 + 1"
    assert scalar("0.01") == '"0.01"'
    assert scalar("true") == '"true"'
    assert scalar("a: b") == '"a: b"'
    assert scalar(r"Use $\frac{1}{2}$: a half") == r"'Use $\frac{1}{2}$: a half'"
    assert scalar("B", quote=True) == '"B"'
    assert scalar("a, b", flow=True) == '"a, b"'


def test_unchanged_sections_keep_their_comments() -> None:
    original = (
        "# a note at the top\n"
        "id: q\n"
        "title: Old   # trailing comment\n"
        "parameters:\n"
        "  # why a starts at 2\n"
        "  a: randint(2, 9)    # never 1\n"
        "body: |\n"
        "  Some text.\n"
    )
    data = yaml.safe_load(original)
    assert dump_question(data, original) == original
    data["title"] = "New"
    written = dump_question(data, original)
    assert written.startswith("# a note at the top\nid: q\ntitle: New\n")
    assert "  # why a starts at 2\n  a: randint(2, 9)    # never 1\n" in written
    assert yaml.safe_load(written) == data


def test_content_hash_ignores_formatting() -> None:
    path = FILES[0]
    raw = load_question_file(path).raw
    assert content_hash(yaml.safe_load(dump_question(raw))) == content_hash(raw)
