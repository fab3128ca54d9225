"""STACK questions from Moodle XML: what converts, what is skipped and why, and safe parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from exam_engine.banks import question_from_data, run_author_tests
from exam_engine.banks.moodle import MoodleError, convert_moodle_xml, read_xml
from exam_engine.banks.moodle_text import definition, html_to_markdown, slug, split_statements

FIXTURE = Path(__file__).parent / "fixtures" / "stack_small.xml"


@pytest.fixture(scope="module")
def converted():  # type: ignore[no-untyped-def]
    return convert_moodle_xml(FIXTURE.read_bytes(), "calculus")


def test_supported_question_converts_and_its_tests_pass(converted) -> None:  # type: ignore[no-untyped-def]
    first = converted[0]
    assert first.data is not None and first.data["id"] == "differentiate-a-power"
    part = first.data["parts"][0]
    assert part["answer"] == "n*x^(n-1)" and part["variables"] == ["x"]
    assert part["forbidden_words"] == ["diff"] and part["allow_floats"] is False
    assert part["implicit_multiplication"] is False and part["points"] == 2
    assert part["rules"] == [
        {
            "answer": "x^n/(n+1)",
            "score": 0,
            "feedback": "You integrated instead.",
            "note": "prt1-2-T",
        }
    ]
    assert first.data["parameters"] == {"n": "randint(2, 6)"}
    assert first.data["body"] == "Differentiate $x^{ {{n}} }$ with respect to $x$."
    spec = question_from_data(first.data)
    assert run_author_tests(spec, range(5)) == []
    assert [t["expected"] for t in first.data["tests"]] == [{"ans1": 1}, {"ans1": 0}]
    assert any("Sneaky" in note for note in first.notes)


def test_unsupported_questions_are_reported(converted) -> None:  # type: ignore[no-untyped-def]
    notes = {c.name: c.notes for c in converted if c.data is None}
    assert "type 'notes' is not supported" in " ".join(notes["Explain a proof"])
    assert "not a STACK question" in " ".join(notes["Old multiple choice"])


@pytest.mark.parametrize(
    "text",
    [
        '<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaa">]><quiz>&a;</quiz>',
        '<!DOCTYPE quiz SYSTEM "file:///etc/passwd"><quiz/>',
        '<!DOCTYPE q [<!ENTITY a "xxxxxxxxxx"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><quiz>&c;</quiz>',
    ],
)
def test_dtds_and_entities_are_refused(text: str) -> None:
    with pytest.raises(MoodleError, match="DTD"):
        read_xml(text)


def test_a_dtd_in_utf16_is_refused_too() -> None:
    """A byte regex over the file missed this; the parser sees the declaration whatever the
    encoding."""
    text = (
        '<?xml version="1.0" encoding="UTF-16"?>'
        '<!DOCTYPE quiz [<!ENTITY a "boom">]><quiz>&a;</quiz>'
    )
    with pytest.raises(MoodleError, match="DTD"):
        read_xml(text.encode("utf-16"))


def test_an_entity_outside_a_dtd_is_malformed() -> None:
    with pytest.raises(MoodleError, match="well-formed"):
        read_xml("<quiz><!ENTITY x 'y'></quiz>")


def test_malformed_and_huge_files_are_refused() -> None:
    with pytest.raises(MoodleError, match="well-formed"):
        read_xml("<quiz><question></quiz>")
    with pytest.raises(MoodleError, match="larger"):
        read_xml(b"<quiz>" + b" " * (6 * 1024 * 1024) + b"</quiz>")


@pytest.mark.parametrize(
    ("stack", "ours"),
    [
        ("rand(5)", "randint(0, 4)"),
        ("rand(5)+2", "randint(2, 6)"),
        ("3 + rand(4)", "randint(3, 6)"),
        ("rand([1, 2, 5])", "choice([1, 2, 5])"),
        ("rand_with_step(-4, 4, 2)", "randint(-4, 4, step=2)"),
        ("rand_with_prohib(-3, 3, [0])", "randint(-3, 3, exclude=[0])"),
        ("a + 1", None),
        ("rand(0)", None),
    ],
)
def test_random_draws(stack: str, ours: str | None) -> None:
    assert definition(stack) == ours


def test_statements_and_text() -> None:
    notes: list[str] = []
    found = split_statements("a: rand(3); /* c */ b: [1, 2; 3]$ f(x) := x^2; c:a+1", notes)
    assert found == [("a", "rand(3)"), ("b", "[1, 2; 3]"), ("c", "a+1")]
    assert "not an assignment" in notes[0]
    text = html_to_markdown("<p>Cost $5 and \\(x^{@a@}\\), {@foo@}</p>", {"a": "1"}, notes)
    assert text == "Cost \\$5 and $x^{ {{a}} }$, `foo`"
    used: set[str] = {"a-b"}
    assert slug("A b!", used) == "a-b-2" and slug("", used) == "stack-question"
