"""Topic titles in bank.yaml: validated with file, field and line; shown with sensible fallbacks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from exam_engine.banks import BankError, load_bank, validate_path
from exam_engine.banks.model import TOPICS, Bank
from exam_engine.banks.topics import (
    check_topics,
    merged,
    readable,
    topic_title,
    topic_title_with_language,
)
from tests.banks.conftest import SAMPLE_BANK

BANK_HEAD = "name: fellowship\ntitle: Sample\n"


@pytest.fixture
def bank_copy(tmp_path: Path) -> Path:
    """A one-question bank (validating all of the sample bank per case would take minutes)."""
    target = tmp_path / "fellowship"
    (target / "calculus").mkdir(parents=True)
    shutil.copy(SAMPLE_BANK / "calculus" / "two-limits.yaml", target / "calculus")
    shutil.copy(SAMPLE_BANK / "bank.yaml", target)
    return target


def write_meta(bank: Path, topics: str) -> None:
    """Replace the copy's bank.yaml by a head and a ``topics:`` block (the block starts line 3)."""
    (bank / "bank.yaml").write_text(BANK_HEAD + topics, encoding="utf-8")


def test_sample_bank_titles_every_topic_in_both_languages(sample_bank: Bank) -> None:
    assert set(sample_bank.topics) == set(TOPICS)
    for slug in TOPICS:
        title = sample_bank.topics[slug]
        assert isinstance(title, dict) and title["en"] and title["ko"]
    assert topic_title("linear-algebra", sample_bank.topics, "ko") == "선형대수"
    assert topic_title("linear-algebra", sample_bank.topics, "en") == "Linear algebra"


def test_good_titles_load(bank_copy: Path) -> None:
    write_meta(
        bank_copy,
        "topics:\n"
        "  calculus: Calculus and analysis\n"
        "  probability: {en: Probability, ko: 확률}\n"
        "  statistics: {ko: 통계}\n",
    )
    assert validate_path(bank_copy) == []
    topics = load_bank(bank_copy).topics
    # A plain string is English; a topic without a title (here linear-algebra) is allowed.
    assert topic_title("calculus", topics, "ko") == "Calculus and analysis"
    assert topic_title("probability", topics, "ko") == "확률"
    assert topic_title("statistics", topics, "en") == "통계"
    assert topic_title("linear-algebra", topics, "ko") == "Linear algebra"


def test_a_bank_without_topics_still_loads(bank_copy: Path) -> None:
    write_meta(bank_copy, "")
    assert validate_path(bank_copy) == []
    assert load_bank(bank_copy).topics == {}


@pytest.mark.parametrize(
    ("topics", "field", "line", "message"),
    [
        ("topics:\n  topology: Topology\n", "topics.topology", 4, "unknown topic"),
        ("topics:\n  calculus: 3\n", "topics.calculus", 4, "must be text"),
        ("topics:\n  calculus: [Calculus]\n", "topics.calculus", 4, "must be text"),
        ("topics:\n  calculus: {en: 3}\n", "topics.calculus.en", 4, "must be a string"),
        ("topics:\n  calculus: {fr: Calcul}\n", "topics.calculus.fr", 4, "unknown language"),
        ("topics:\n  calculus: {en: '', ko: ' '}\n", "topics.calculus", 4, "not empty"),
        ("topics:\n  calculus: ''\n", "topics.calculus", 4, "not empty"),
        ("topics: [calculus]\n", "topics", 3, "must be a mapping"),
    ],
)
def test_bad_titles_name_the_field_and_line(
    bank_copy: Path, topics: str, field: str, line: int, message: str
) -> None:
    write_meta(bank_copy, topics)
    problems = validate_path(bank_copy)
    assert [(p.file, p.field, p.line) for p in problems] == [("bank.yaml", field, line)]
    assert message in problems[0].message
    with pytest.raises(BankError):
        load_bank(bank_copy)


def test_check_topics_reports_every_bad_entry() -> None:
    issues = check_topics({"calculus": 1, "algebra": "Algebra", "probability": "Probability"})
    assert [path for path, _ in issues] == [("topics", "calculus"), ("topics", "algebra")]


@pytest.mark.parametrize(
    ("slug", "words"),
    [("linear-algebra", "Linear algebra"), ("optimisation", "Optimisation"), ("a_b", "A b")],
)
def test_readable_slug(slug: str, words: str) -> None:
    assert readable(slug) == words


def test_fallbacks_in_order() -> None:
    titles = {"calculus": {"en": "Calculus", "ko": ""}, "statistics": {"ko": "통계"}}
    assert topic_title("calculus", titles, "ko") == "Calculus"  # empty Korean: English
    assert topic_title("statistics", titles, "en") == "통계"  # only Korean: that
    assert topic_title("probability", titles, "ko") == "Probability"  # none: the slug as words
    assert topic_title("probability", None, "en") == "Probability"
    # And the language of what was picked, for pages to mark a fallback.
    assert topic_title_with_language("calculus", titles, "ko") == ("Calculus", "en")
    assert topic_title_with_language("statistics", titles, "en") == ("통계", "ko")
    assert topic_title_with_language("statistics", titles, "ko") == ("통계", "ko")
    assert topic_title_with_language("probability", titles, "ko") == ("Probability", "en")
    assert topic_title_with_language("algebra", {"algebra": "Algebra"}, "ko") == ("Algebra", "en")


def test_merged_prefers_the_first_bank() -> None:
    first = {"calculus": "Calculus", "statistics": "Statistics"}
    second = {"calculus": "Analysis", "probability": "Chance"}
    assert merged([first, second]) == {
        "calculus": "Calculus",
        "statistics": "Statistics",
        "probability": "Chance",
    }
