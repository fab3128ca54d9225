"""Equivalence: exact where possible, never "equal" because numbers are merely close."""

from __future__ import annotations

import pytest

from exam_engine.grading import grade
from exam_engine.grading.equivalence import expr_equal
from exam_engine.grading.exact import exact_zero
from exam_engine.grading.types import PartSettings
from exam_engine.grading.validation import read_teacher


@pytest.mark.parametrize(
    ("student", "teacher"),
    [
        ("10^10*x", "10^10*x+1"),
        ("x", "x+10^(-20)"),
        ("0.333333", "1/3"),
        ("0.33333333333333333333", "1/3"),
        ("x^2", "x^2+10^(-30)*x"),
        ("exp(x)", "exp(x)+10^(-25)"),
        ("sin(x)", "sin(x+10^(-22))"),
        ("pi", "355/113"),
        ("sqrt(2)", "1.4142135623730950488"),
        ("sqrt(x^2)", "x"),
        ("(x-1)^20", "(x-1)^20+1"),
        ("log(x^2)", "2*log(x)"),  # different where x < 0: log(x^2) is real there
    ],
)
def test_close_is_not_equal(student: str, teacher: str) -> None:
    r = grade(student, teacher, "AlgEquiv")
    assert r.error is None
    assert r.correct is False and r.score == 0.0


@pytest.mark.parametrize(
    ("student", "teacher"),
    [
        ("x^2-1", "(x-1)*(x+1)"),
        ("0.5", "1/2"),
        ("(a-x)^6000", "(x-a)^6000"),
        ("cos(x)^2+sin(x)^2", "1"),
        ("2*cos(x)^2-1", "cos(2*x)"),
        ("tan(x)", "sin(x)/cos(x)"),
        ("sinh(x)", "(e^x-e^(-x))/2"),
        ("1/(1+exp(-2*x))", "tanh(x)/2+1/2"),
        ("exp(%i*t)", "cos(t)+%i*sin(t)"),
        ("log(a^2*b)", "2*log(abs(a))+log(b)"),
        ("x^(3/2)", "x*sqrt(x)"),
        ("n!/(k!*(n-k)!)", "binomial(n,k)"),
        ("1/n-1/(n+1)", "1/(n*(n+1))"),
        ("abs(x)", "sqrt(x^2)"),
        ("sqrt(12)", "2*sqrt(3)"),
    ],
)
def test_identities_are_equal(student: str, teacher: str) -> None:
    r = grade(student, teacher, "AlgEquiv")
    assert r.correct is True and r.score == 1.0, r.note


@pytest.mark.parametrize(
    ("student", "teacher", "same"),
    [
        ("x=1 or x=2", "(x-1)*(x-2)=0", True),
        ("2*y=4*x+2", "y=2*x+1", True),
        ("(x-2)^2=0", "x=2", False),
        ("x>2", "2<x", True),
        ("x>2", "x>=2", False),
        ("x^2>4", "x>2 or x<-2", True),
        ("{1,2,3}", "{3,2,1}", True),
        ("{1,2}", "{1,2,3}", False),
        ("[1,2]", "[2,1]", False),
        ("matrix([1,2],[3,4])", "matrix([1,2],[3,4])", True),
        ("A and B", "B and A", True),
        ("not(A or B)", "not A and not B", True),
        ("x", "[x]", False),
    ],
)
def test_structures(student: str, teacher: str, same: bool) -> None:
    assert grade(student, teacher, "AlgEquiv").correct is same


def test_same_inputs_same_verdict() -> None:
    first = [grade(s, t).to_dict() for s, t in [("sin(x)^2", "1-cos(x)^2"), ("x^3", "x^2")]]
    again = [grade(s, t).to_dict() for s, t in [("sin(x)^2", "1-cos(x)^2"), ("x^3", "x^2")]]
    assert first == again


def _value(text: str):  # noqa: ANN202 - test helper
    return read_teacher(text, PartSettings()).value


@pytest.mark.parametrize(
    ("text", "zero"),
    [
        ("(x+1)^2-x^2-2*x-1", True),
        ("(x+1)^2-x^2-2*x", False),
        ("sin(2*x)-2*sin(x)*cos(x)", True),
        ("%i^2+1", True),
        ("exp(x)*exp(y)-exp(x+y)", True),
    ],
)
def test_exact_zero(text: str, zero: bool) -> None:
    result = exact_zero(_value(text))
    assert (result.zero is True) is zero


def test_undecidable_is_not_equal() -> None:
    v = expr_equal(
        _value("(4*sqrt(3)*%i+4)^(1/5)"),
        _value("8^(1/5)*(cos(%pi/15)+%i*sin(%pi/15))"),
        symbolic_seconds=0.01,
    )
    assert v.equal is False


@pytest.mark.parametrize(
    ("student", "teacher", "options", "same"),
    [
        ("sqrt(x^2)", "x", None, False),
        ("sqrt(x^2)", "x", "x>0", True),
        ("sqrt(x^2)", "-x", "[x<0]", True),
        ("sqrt(x^2)", "x", "[x<0]", False),
        ("log(x^2)", "2*log(x)", "[0<x, x<10]", True),
        ("x^2", "x", "[0<x, x<1]", False),
    ],
)
def test_author_domains(student: str, teacher: str, options: str | None, same: bool) -> None:
    r = grade(student, teacher, "AlgEquiv", options)
    assert r.error is None and r.correct is same


@pytest.mark.parametrize("options", ["foo", "[x=1]", "[x>1, x<0]", "[x>y]"])
def test_bad_domains_are_errors(options: str) -> None:
    r = grade("x", "x", "AlgEquiv", options)
    assert r.error and "Opt" in r.note
