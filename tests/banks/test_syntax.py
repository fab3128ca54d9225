"""Instantiated values are written back in answer syntax that the grader reads as the same
value, and templates fill in values correctly inside and outside maths."""

from __future__ import annotations

import pytest
import sympy

from exam_engine.banks.syntax import choice_answer, to_text
from exam_engine.banks.variants import fill_latex, fill_text, template_names
from exam_engine.grading import PartSettings, parse

x, y = sympy.symbols("x y")


@pytest.mark.parametrize(
    ("value", "input_type"),
    [
        (sympy.Rational(15, 128), "algebraic"),
        (sympy.Float("67.728"), "numeric"),
        (2 * sympy.exp(3) / 9 + sympy.Rational(1, 9), "algebraic"),
        (3 * x**2 * sympy.exp(-2 * x), "algebraic"),
        (sympy.ImmutableMatrix([[9, 13], [18, 6]]), "matrix"),
        (sympy.ImmutableMatrix([[sympy.Rational(1, 6), -sympy.Rational(1, 36)], [0, 1]]), "matrix"),
        (sympy.FiniteSet(-6, 12), "set"),
        (sympy.Tuple(5, 6), "algebraic"),
        (sympy.Interval.Ropen(0, sympy.Rational(1, 4)), "interval"),
        (sympy.Interval(-1, 2), "interval"),
        (sympy.Eq(y, 4 * x - 2), "equation"),
    ],
)
def test_to_text_reads_back_as_the_same_value(value: sympy.Basic, input_type: str) -> None:
    text = to_text(value)
    again = parse(text, PartSettings(input_type=input_type, variables=("x", "y")))
    if isinstance(value, sympy.Float):
        assert abs(float(again) - float(value)) < 1e-12
    elif isinstance(value, sympy.Eq):
        assert sympy.simplify((again.lhs - again.rhs) - (value.lhs - value.rhs)) == 0
    else:
        assert again == value, (text, again)


def test_matrix_and_interval_are_not_python_calls() -> None:
    assert to_text(sympy.ImmutableMatrix([[1, 2], [3, 4]])) == "matrix([1, 2], [3, 4])"
    assert to_text(sympy.Interval.open(0, 2)) == "(0, 2)"
    assert to_text(sympy.Eq(y, 2 * x)) == "y = 2*x"


def test_choice_answers() -> None:
    assert choice_answer("B", "choice") == "B"
    assert choice_answer(("D", "A", "C"), "multichoice") == "A, C, D"


def test_fill_latex_inside_and_outside_maths() -> None:
    values = {"a": sympy.Rational(1, 2), "b": sympy.Integer(-3)}
    text = "$x + {{a}}$, then {{a}}, $$ {{ b }} $$ and a price of \\$ {{b}}"
    assert fill_latex(text, values) == (
        "$x + \\frac{1}{2}$, then $\\frac{1}{2}$, $$ -3 $$ and a price of \\$ $-3$"
    )


def test_fill_latex_unknown_name() -> None:
    with pytest.raises(KeyError):
        fill_latex("{{nope}}", {})


def test_fill_text_brackets_compound_values() -> None:
    values = {"n": "10", "b": "-3", "p": "1/100", "answer": "binomial(10, 3)/2**10"}
    assert fill_text("binomial({{n}},3)/2^{{n}}", values) == "binomial(10,3)/2^10"
    assert fill_text("{{b}}^2 + {{p}}", values) == "(-3)^2 + (1/100)"
    assert fill_text("{{answer}}", values) == "(binomial(10, 3)/2**10)"


def test_template_names() -> None:
    assert template_names("$ {{a}} $ and {{ b2 }} but not {a} or $") == ["a", "b2"]
