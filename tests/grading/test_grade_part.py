"""grade_part: validation first, rules in order, partial credit, choices."""

from __future__ import annotations

import pytest

from exam_engine.grading import PartSettings, Rule, grade_part

ALG = PartSettings(variables=("x",))
RULES = [
    Rule("AlgEquiv", "(x-1)*(x+1)", score=1.0, feedback="Well done.", note="full"),
    Rule("AlgEquiv", "(x-1)*(x-1)", score=0.5, feedback="Check the sign.", note="sign"),
    Rule("AlgEquiv", "x^2", score=0.0, feedback="You forgot the constant.", note="const"),
]


@pytest.mark.parametrize(
    ("response", "score", "note", "feedback"),
    [
        ("x^2-1", 1.0, "full", "Well done."),
        ("x^2-2x+1", 0.5, "sign", "Check the sign."),
        ("x*x", 0.0, "const", "You forgot the constant."),
        ("x^3", 0.0, None, ""),
    ],
)
def test_rules_in_order(response: str, score: float, note: str | None, feedback: str) -> None:
    r = grade_part(response, RULES, ALG)
    assert r.error is None
    assert r.score == score and r.correct is (score == 1.0)
    assert r.feedback == feedback
    if note:
        assert r.note == note
    assert r.display


@pytest.mark.parametrize("response", ["", "x^", "y+1", "sinx(x)"])
def test_invalid_is_never_graded(response: str) -> None:
    r = grade_part(response, RULES, ALG)
    assert r.error and r.score == 0.0 and not r.correct


def test_floats_forbidden_by_the_part() -> None:
    r = grade_part("0.5*x^2", [Rule("AlgEquiv", "x^2/2")], PartSettings(allow_floats=False))
    assert r.error and "floating-point" in r.error


@pytest.mark.parametrize(
    ("input_type", "response", "answer", "score"),
    [
        ("numeric", "0.95", "19/20", 1.0),
        ("matrix", "[[2,1],[1,2]]", "matrix([2,1],[1,2])", 1.0),
        ("set", "{2,1}", "{1,2}", 1.0),
        ("equation", "y=2x+1", "y-1=2*x", 1.0),
        ("interval", "(0,1]", "oc(0,1)", 1.0),
        ("interval", "[0,1]", "oc(0,1)", 0.0),
    ],
)
def test_input_types(input_type: str, response: str, answer: str, score: float) -> None:
    r = grade_part(response, [Rule("AlgEquiv", answer)], PartSettings(input_type=input_type))
    assert r.error is None and r.score == score


CHOICE = PartSettings(input_type="choice", choices=("a", "b", "c"))
MULTI = PartSettings(input_type="multichoice", choices=("a", "b", "c", "d"))


@pytest.mark.parametrize(
    ("settings", "response", "score"),
    [
        (CHOICE, "b", 1.0),
        (CHOICE, "a", 0.0),
        (MULTI, "{a,c}", 1.0),
        (MULTI, "c, a", 1.0),
        (MULTI, "a", 0.5),
        (MULTI, "a,b", 0.0),
        (MULTI, "a,c,d", 0.5),
    ],
)
def test_choices(settings: PartSettings, response: str, score: float) -> None:
    answer = "b" if settings.input_type == "choice" else "a,c"
    r = grade_part(response, [Rule("String", answer)], settings)
    assert r.error is None and r.score == score and r.correct is (score == 1.0)


def test_choice_not_offered_is_an_error() -> None:
    assert grade_part("z", [Rule("String", "a")], CHOICE).error


def test_string_input_is_not_parsed() -> None:
    settings = PartSettings(input_type="string")
    rules = [Rule("StringSloppy", "Central Limit Theorem")]
    assert grade_part("central limit  theorem", rules, settings).score == 1.0
    assert grade_part("the CLT; (roughly)", rules, settings).error is None
    assert grade_part("   ", rules, settings).error
