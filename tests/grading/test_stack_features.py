"""STACK features added for conformance: ``:=`` definitions, ``assume``/``declare`` in keys,
and STACK's form predicates (keys and the answer-test layer only)."""

from __future__ import annotations

import pytest

from exam_engine.grading import PartSettings, Rule, grade, grade_part, validate


@pytest.mark.parametrize(
    ("student", "teacher", "correct"),
    [
        ("f(x):=x^2", "f(x):=x^2", True),
        ("f(y):=y^2", "f(x):=x^2", True),
        ("f(a,b):=a^2+b^2", "f(x,y):=x^2+y^2", True),
        ("f(x):=(x+1)^2", "f(x):=x^2+2*x+1", True),
        ("f(a,b):=a^2+2*b", "f(x,y):=y^2+2*x", False),  # parameters are matched in order
        ("f(x):=x^2", "f(x):=sin(x)", False),
        ("g(x):=x^2", "f(x):=x^2", False),
        ("f(x):=x^2", "f(x,y):=x^2+y^2", False),
        ("f(x)=x^2", "f(x):=x^2", False),
        ("1", "f(x):=x^2", False),
    ],
)
def test_function_definitions(student: str, teacher: str, correct: bool) -> None:
    result = grade(student, teacher)
    assert result.error is None and result.correct is correct


@pytest.mark.parametrize(
    ("student", "teacher", "correct"),
    [
        ("a*sqrt(5)", "(assume(a>0), sqrt(5*a^2))", True),
        ("-a*sqrt(5)", "(assume(a<0), sqrt(5*a^2))", True),
        ("a*sqrt(5)", "(assume(a<0), sqrt(5*a^2))", False),
        ("a*sqrt(5)", "sqrt(5*a^2)", False),  # without the assumption a may be negative
        ("6*(x-2)^(2*k)", "(assume(x>2), 6*((x-2)^2)^k)", True),
        ("-(-1)^n", "(declare(n,integer), sin((2*pi*n-pi)/2))", True),
        ("x", "(assume(x>=0), sqrt(x^2))", True),
        ("x", "(assume(0<x), abs(x))", True),
    ],
)
def test_assumptions_in_keys_are_used(student: str, teacher: str, correct: bool) -> None:
    result = grade(student, teacher)
    assert result.error is None and result.correct is correct


def test_a_candidate_cannot_assume_anything() -> None:
    assert validate("(assume(a>0), a)").code == "cas_command"
    rules = [Rule("AlgEquiv", "(assume(a>0), sqrt(5*a^2))")]
    assert grade_part("a*sqrt(5)", rules, PartSettings()).correct


@pytest.mark.parametrize(
    ("student", "teacher", "test", "correct"),
    [
        ("complex_exponentialp(3*e^(i*pi/6))", "true", "CasEqual", True),
        ("complex_exponentialp(3*exp(-i*pi/6))", "true", "CasEqual", True),
        ("complex_exponentialp(e^(i)/4)", "true", "CasEqual", True),
        ("complex_exponentialp(-3*exp(i*pi/6))", "false", "CasEqual", True),
        ("complex_exponentialp(7*e^(3*i*pi))", "false", "CasEqual", True),
        ("complex_exponentialp(3+i)", "false", "CasEqual", True),
        ("imag_numberp(2*i)", "true", "CasEqual", True),
        ("imag_numberp(2)", "false", "CasEqual", True),
        ("integerp(3)", "true", "AlgEquiv", True),
        ("integerp(3.1)", "false", "AlgEquiv", True),
        ("lowesttermsp(1/3)", "true", "EqualComAss", True),
        ("lowesttermsp(2/6)", "false", "EqualComAss", True),
        ("lowesttermsp((x^2-1)/(x-1))", "false", "EqualComAss", True),
        ("lowesttermsp((x^2-1)/(x+2))", "true", "EqualComAss", True),
        ("scientific_notationp(4.1561*10^16)", "true", "EqualComAss", True),
        ("scientific_notationp(41.561*10^15)", "false", "EqualComAss", True),
        ("rationalized(1+sqrt(3)/3)", "true", "EqualComAss", True),
        ("rationalized(1/sqrt(2)+1/sqrt(3))", "[sqrt(2),sqrt(3)]", "EqualComAss", True),
        ("rationalized(1/(1+i))", "[i]", "EqualComAss", True),
    ],
)
def test_stack_predicates(student: str, teacher: str, test: str, correct: bool) -> None:
    result = grade(student, teacher, test)
    assert result.error is None and result.correct is correct


@pytest.mark.parametrize("text", ["lowesttermsp(2/6)", "integerp(3)", "rationalized(1/sqrt(2))"])
def test_predicates_are_not_for_candidates(text: str) -> None:
    assert validate(text).code == "cas_command"
