"""Parser gaps of issue 13 (point 2): √, ±, vulgar fractions, |x| in calls, list arithmetic,
Python keywords, and real odd roots of negative numbers."""

from __future__ import annotations

import pytest

from exam_engine.grading import PartSettings, grade, validate
from exam_engine.grading.normalise import normalise

STRICT = PartSettings(implicit_multiplication=False)


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("√2/2", "sqrt(2)/2"),
        ("√x", "sqrt(x)"),
        ("2√2", "2*sqrt(2)"),
        ("x√y", "x*sqrt(y)"),
        ("√(x+1)", "sqrt(x+1)"),
        ("√ 3", "sqrt(3)"),
        ("√√x", "sqrt(sqrt(x))"),
        ("√sin(x)+1", "sqrt(sin(x))+1"),
        ("√π/2", "sqrt(pi)/2"),
        ("√2.25", "sqrt(2.25)"),
        ("½", "(1/2)"),
        ("¾x", "(3/4)x"),
        ("3½", "(3+1/2)"),
        ("2*3½", "2*(3+1/2)"),
        ("x^⅓", "x^(1/3)"),
        ("1⁄2", "1/2"),
    ],
)
def test_unicode_roots_and_fractions_are_normalised(typed: str, normalised: str) -> None:
    assert normalise(typed) == normalised


@pytest.mark.parametrize(
    ("student", "teacher", "correct"),
    [
        ("√2/2", "1/sqrt(2)", True),
        ("√x", "x^(1/2)", True),
        ("2√2", "sqrt(8)", True),
        ("2√2", "sqrt(2)", False),
        ("√(x+1)", "sqrt(x+1)", True),
        ("½", "1/2", True),
        ("½x", "x/2", True),
        ("3½", "7/2", True),
        ("1⁄3", "1/3", True),
        ("x=+-2", "x=2 or x=-2", True),
        ("x=+-2", "x=2", False),
        ("x=±2", "x=2 or x=-2", True),
        ("x=(5+-1)/2", "x=2 or x=3", True),
        ("x=(5+-1)/2", "x=3", False),
        ("ln|x|+c", "log(abs(x))+c", True),
        ("ln|x+1|", "log(abs(x+1))", True),
        ("ln|x|", "log(x)", False),
        ("sin|x|", "sin(abs(x))", True),
        ("2|x|", "2*abs(x)", True),
        ("[1,2,2]/3", "[1/3,2/3,2/3]", True),
        ("2*[1,1]", "[2,2]", True),
        ("2*[1,1]", "[2,1]", False),
        ("[1,2]+[3,4]", "[4,6]", True),
        ("[1,2]-[3,4]", "[-2,-2]", True),
        ("-[1,2]", "[-1,-2]", True),
        ("t*[1,1]", "[t,t]", True),
        ("[1,2]+t*[1,1]", "[1+t,2+t]", True),
        ("[1,2,3]+s*[1,0,0]+t*[0,1,0]", "[1+s,2+t,3]", True),
    ],
)
def test_closed_gaps_grade_as_candidates_expect(student: str, teacher: str, correct: bool) -> None:
    result = grade(student, teacher)
    assert result.error is None, result.error
    assert result.correct is correct


def test_root_sign_needs_no_star_even_where_implicit_products_are_refused() -> None:
    assert validate("2√2", STRICT).valid


def test_plus_minus_is_echoed_as_pm() -> None:
    assert validate("x=+-2").display == r"x = \pm 2"


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("[1,2]+1", "A sum of a list and a number"),
        ("[1,2]+[1,2,3]", "A sum of lists of different lengths"),
        ("[1,2]/[1,2]", "Division by a list"),
    ],
)
def test_meaningless_list_arithmetic_is_refused(text: str, what: str) -> None:
    v = validate(text)
    assert v.code == "bad_use" and v.message_params == {"what": what}


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("import os", "import"),
        ("x if x else 1", "if"),
        ("lambda x: x", "lambda"),
        ("for", "for"),
        ("while(1)", "while"),
        ("x+None", "None"),
        ("__import__(x)", "__import__"),
        ("eval(x)", "eval"),
    ],
)
def test_python_keywords_are_not_names(text: str, word: str) -> None:
    v = validate(text)
    assert not v.valid and v.code == "keyword" and v.message_params == {"name": word}


@pytest.mark.parametrize(
    "text", ["lambda^2-5*lambda+6", "2*lambda", "λ-1", "(lambda-2)*(lambda-3)"]
)
def test_lambda_the_greek_letter_is_still_a_name(text: str) -> None:
    assert validate(text).valid


def test_a_declared_variable_may_be_spelt_like_a_keyword() -> None:
    assert validate("2*in", PartSettings(variables=("in",))).valid
    assert validate("as", PartSettings(variables=("a", "s"))).valid


@pytest.mark.parametrize(
    ("student", "teacher", "correct"),
    [
        ("(-8)^(1/3)", "-2", True),
        ("(-8)^(2/3)", "4", True),
        ("(-32)^(3/5)", "-8", True),
        ("root(-27,3)", "-3", True),
        ("(-1)^(1/3)", "-1", True),
        ("(-2)^(1/3)", "-2^(1/3)", True),
        ("(-4)^(1/2)", "2*i", True),  # even roots of negative numbers stay complex
        ("sqrt(-4)", "2*i", True),
        ("(-8)^(1/3)", "1+sqrt(3)*i", False),  # not the principal complex root
        ("(-4)^(1/2)", "-2", False),
    ],
)
def test_odd_roots_of_negative_numbers_are_real(student: str, teacher: str, correct: bool) -> None:
    assert grade(student, teacher).correct is correct
