"""The sample bank validates clean, covers the required kinds of question, and its author
tests pass on several seeds."""

from __future__ import annotations

import re

import pytest

from exam_engine.banks import (
    Bank,
    instantiate,
    load_bank,
    missing_languages,
    run_author_tests,
    validate_path,
)
from exam_engine.banks.model import TOPICS

from .conftest import SAMPLE_BANK

SEEDS = range(6)
HANGUL = re.compile(r"[\uac00-\ud7a3]")
QUESTION_IDS = sorted(p.stem for p in SAMPLE_BANK.rglob("*.yaml") if p.name != "bank.yaml")


def test_sample_bank_validates_clean() -> None:
    assert [str(p) for p in validate_path(SAMPLE_BANK)] == []


def test_folder_of_banks_validates_clean() -> None:
    assert [str(p) for p in validate_path(SAMPLE_BANK.parent)] == []


def test_bank_metadata(sample_bank: Bank) -> None:
    assert sample_bank.name == "fellowship"
    assert sample_bank.title
    assert sample_bank.description


def test_sample_bank_coverage(sample_bank: Bank) -> None:
    questions = sample_bank.questions
    inputs = {part.input_type for q in questions for part in q.parts}
    tests = {part.test for q in questions for part in q.parts}
    assert len(questions) >= 100
    assert {q.topic for q in questions} == set(TOPICS)
    per_topic = {topic: sum(q.topic == topic for q in questions) for topic in TOPICS}
    assert min(per_topic.values()) >= 20, per_topic
    assert sum(q.is_random for q in questions) >= 90
    assert sum(len(q.parts) > 1 for q in questions) >= 30
    assert {"choice", "multichoice", "matrix", "numeric", "algebraic", "set", "interval"} <= inputs
    assert {"NumRelative", "NumAbsolute"} <= tests
    partial = [
        q.id for q in questions for part in q.parts if any(0 < r.score < 1 for r in part.rules)
    ]
    assert len(set(partial)) >= 25
    assert all(q.tests for q in questions)
    assert all(q.raw["id"] == q.id for q in questions)


def test_every_question_is_in_english_and_korean(sample_bank: Bank) -> None:
    gaps = {q.id: missing_languages(q, ("en", "ko")) for q in sample_bank.questions}
    assert {qid: gap for qid, gap in gaps.items() if gap} == {}
    for spec in sample_bank.questions:
        korean = instantiate(spec, 0, "ko")
        assert HANGUL.search(korean.title + korean.body_html), spec.id


def test_statistics_scales_and_probabilities_declare_their_ranges(sample_bank: Bank) -> None:
    """A standard deviation, a variance or a probability drawn at random must say its range."""
    for spec in sample_bank.questions:
        for name, definition in spec.parameters.items():
            if name in {"sigma", "p", "q"} and spec.topic in {"probability", "statistics"}:
                assert " in " in definition, (spec.id, name, definition)


@pytest.mark.parametrize("question_id", QUESTION_IDS)
def test_author_tests_pass_on_several_seeds(sample_bank: Bank, question_id: str) -> None:
    spec = sample_bank.get(question_id)
    failures = run_author_tests(spec, SEEDS, strict=True)
    assert [str(f) for f in failures] == []


def test_every_author_test_has_a_wrong_answer_case(sample_bank: Bank) -> None:
    """Author tests must show the grading can fail, not only that the key passes."""
    for spec in sample_bank.questions:
        scores = [s for test in spec.tests for s in test.expected.values()]
        assert 1.0 in scores, spec.id
        assert any(s < 1 for s in scores), spec.id


def test_load_bank_is_repeatable() -> None:
    first, second = load_bank(SAMPLE_BANK), load_bank(SAMPLE_BANK)
    assert [q.content_hash for q in first.questions] == [q.content_hash for q in second.questions]
