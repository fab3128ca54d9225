"""Questions in English and Korean: validation, fallback and instantiation per language."""

from __future__ import annotations

import copy
import re

import pytest

from exam_engine import banks
from exam_engine.banks.loader import question_from_data
from exam_engine.banks.schema import check_question
from tests.conftest import BANKS

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def bayes() -> dict:  # type: ignore[type-arg]
    bank = banks.load_bank(BANKS / "fellowship")
    return copy.deepcopy(bank.get("bayes-screening").raw)


def test_pick_falls_back_to_english_then_any() -> None:
    assert banks.pick("plain", "ko") == "plain"
    assert banks.pick({"en": "E", "ko": "K"}, "ko") == "K"
    assert banks.pick({"en": "E"}, "ko") == "E"
    assert banks.pick({"ko": "K"}, "en") == "K"
    assert banks.languages_of({"en": "E", "ko": ""}) == {"en"}


def test_variants_in_each_language_share_numbers_and_rules() -> None:
    spec = question_from_data(bayes())
    english, korean = banks.instantiate(spec, 7, "en"), banks.instantiate(spec, 7, "ko")
    assert not HANGUL.search(english.body_html) and HANGUL.search(korean.body_html)
    assert english.params == korean.params
    assert [p.rules for p in english.parts] == [p.rules for p in korean.parts]
    assert korean.title == "선별 검사 양성"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("body", {"fr": "Bonjour"}, "unknown language"),
        ("body", {"ko": 3}, "must be a string"),
        ("title", ["a"], "mapping of languages"),
    ],
)
def test_bad_language_mappings_are_named(field: str, value: object, message: str) -> None:
    data = bayes()
    data[field] = value
    issues = check_question(data)
    assert any(message in text for _, text in issues), issues


def test_missing_languages_are_listed() -> None:
    spec = question_from_data(bayes())
    assert banks.missing_languages(spec, ("en", "ko")) == []
    data = bayes()
    data["parts"][0]["prompt"] = data["parts"][0]["prompt"]["en"]
    gaps = banks.missing_languages(question_from_data(data), ("en", "ko"))
    assert gaps == ["parts[0].prompt: ko"]
