"""Content hashes are stable, ignore formatting, and change when anything that matters does."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

from exam_engine.banks import Bank, content_hash, load_question_file, pick

from .conftest import SAMPLE_BANK


def test_hash_is_stable_and_hex(sample_bank: Bank) -> None:
    spec = sample_bank.get("two-limits")
    assert spec.content_hash == content_hash(copy.deepcopy(spec.raw))
    assert len(spec.content_hash) == 64 and int(spec.content_hash, 16) >= 0


def test_known_value() -> None:
    """Pinned, so a change to the canonical form is noticed (it would re-version every question)."""
    data = {"id": "q", "title": "T", "parts": [{"key": "a", "answer": "x^2"}], "points": 1.5}
    canonical = b'{"id":"q","parts":[{"answer":"x^2","key":"a"}],"points":1.5,"title":"T"}'
    assert (
        content_hash(data)
        == hashlib.sha256(canonical).hexdigest()
        == ("21f7b1f28f73f53428a4372db154609fbddcbae688290cfee865d5e62408d689")
    )


def test_key_order_does_not_matter() -> None:
    assert content_hash({"a": 1, "b": [1, 2]}) == content_hash({"b": [1, 2], "a": 1})


def test_formatting_and_comments_do_not_matter(tmp_path: Path) -> None:
    source = SAMPLE_BANK / "calculus" / "two-limits.yaml"
    original = load_question_file(source)
    reformatted = tmp_path / "two-limits.yaml"
    reformatted.write_text(
        "# a comment\n"
        + source.read_text(encoding="utf-8").replace(
            "difficulty: 2", "difficulty:    2   # spaced"
        ),
        encoding="utf-8",
    )
    assert load_question_file(reformatted).content_hash == original.content_hash


def test_any_edit_changes_the_hash(sample_bank: Bank) -> None:
    spec = sample_bank.get("binomial-coins")
    edited = copy.deepcopy(spec.raw)
    edited["parts"][0]["answer"] = "binomial(n, k)/2^(n-1)"
    assert content_hash(edited) != spec.content_hash
    retitled = dict(spec.raw, title=pick(spec.title) + ".")
    assert content_hash(retitled) != spec.content_hash


def test_edited_file_gets_a_new_hash(tmp_path: Path) -> None:
    source = SAMPLE_BANK / "calculus" / "two-limits.yaml"
    copy_path = tmp_path / "two-limits.yaml"
    copy_path.write_text(
        source.read_text(encoding="utf-8").replace("randint(2, 7)", "randint(2, 8)"),
        encoding="utf-8",
    )
    assert load_question_file(copy_path).content_hash != load_question_file(source).content_hash
