"""The safe parser: everyday and Maxima syntax, Unicode, implicit products, round trips."""

from __future__ import annotations

import pytest
import sympy
from sympy import Abs, E, Eq, FiniteSet, I, Interval, Rational, Tuple, oo, pi, sqrt

from exam_engine.grading import ParseError, PartSettings, parse

x, y, n, k, a, b = sympy.symbols("x y n k a b")
XY = PartSettings(variables=("x", "y"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2x", 2 * x),
        ("x^2", x**2),
        ("x**2", x**2),
        ("(x+1)(x-1)", (x + 1) * (x - 1)),
        ("sqrt(x)", sqrt(x)),
        ("ln(x)", sympy.log(x)),
        ("log(x)", sympy.log(x)),
        ("exp(x)", sympy.exp(x)),
        ("e^x", sympy.exp(x)),
        ("%e^x", sympy.exp(x)),
        ("pi", pi),
        ("%pi/2", pi / 2),
        ("%i^2", -1),
        ("n!", sympy.factorial(n)),
        ("binomial(n,k)", sympy.binomial(n, k)),
        ("abs(x)", Abs(x)),
        ("|x|", Abs(x)),
        ("|x|+|y|", Abs(x) + Abs(y)),
        ("sin(x)cos(x)", sympy.sin(x) * sympy.cos(x)),
        ("arcsin(x)", sympy.asin(x)),
        ("atan(x)", sympy.atan(x)),
        ("cosh(x)", sympy.cosh(x)),
        ("-x^2", -(x**2)),
        ("2^-1", Rational(1, 2)),
        ("x^2^3", x**8),
        ("1/2x", x / 2),
        ("{1,2,2}", FiniteSet(1, 2)),
        ("[1,x]", Tuple(1, x)),
        ("x=1", Eq(x, 1, evaluate=False)),
        ("0.5", sympy.Float("0.5")),
        ("5.1e-2", sympy.Float("0.051")),
        ("x_1", sympy.Symbol("x_1")),
        ("x[1]", sympy.Symbol("x[1]")),
        ("−x×y÷2", -x * y / 2),
        ("（x＋1）", x + 1),
        ("x²", x**2),
        ("α+β", sympy.Symbol("alpha") + sympy.Symbol("beta")),
        ("μ0", sympy.Symbol("mu0")),
        ("1/(x+1)", 1 / (x + 1)),
        ("inf", oo),
        ("e", E),
        ("2i", 2 * I),
    ],
)
def test_accepts(text: str, expected: sympy.Basic) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("xy", x * y), ("2xy", 2 * x * y), ("x(x+1)", x * (x + 1)), ("xy^2", x * y**2)],
)
def test_splits_products_of_declared_variables(text: str, expected: sympy.Basic) -> None:
    assert parse(text, XY) == expected


def test_matrices_and_intervals_by_input_type() -> None:
    m = parse("[[1,2],[3,4]]", PartSettings(input_type="matrix"))
    assert m == sympy.ImmutableMatrix([[1, 2], [3, 4]])
    assert parse("matrix([1,2],[3,4])") == m
    assert parse("(0,1]", PartSettings(input_type="interval")) == Interval(0, 1, True, False)
    assert parse("[a,b)", PartSettings(input_type="interval")) == Interval(a, b, False, True)


@pytest.mark.parametrize(
    "expr",
    [
        x**2 - 2 * x + 1,
        sympy.sin(x) ** 2 / (1 + sympy.cos(2 * x)),
        sympy.exp(-(x**2) / 2) / sqrt(2 * pi),
        Rational(3, 7) * x * y - sympy.log(x + 1),
        sympy.binomial(10, 3) / 2**10,
        sympy.factorial(n) / (sympy.factorial(k) * sympy.factorial(n - k)),
        Abs(x - 1) + sympy.atan(y),
        sympy.I * x + E**x,
    ],
)
def test_str_round_trips(expr: sympy.Basic) -> None:
    """Contract: str() of a SymPy expression parses back to the same expression."""
    assert parse(str(expr)) == expr


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("(x+1", "unbalanced"),
        ("x+1)", "unbalanced"),
        ("(x]", "unbalanced"),
        ("sinx(2)", "unknown_function"),
        ("sni(x)", "unknown_function"),
        ("sin", "no_argument"),
        ("sin^2(x)", "function_power"),
        ("2 3", "two_numbers"),
        ("1/0", "division_by_zero"),
        ("x+", "syntax"),
        ("*x", "syntax"),
        ("x;y", "syntax"),
        ("x\\y", "bad_char"),
        ("x\x00", "bad_char"),
        ("__import__('os')", "keyword"),
        ("9^9^9^9", "too_large"),
        ("factorial(10^10)", "too_large"),
        ("{1} + 2", "bad_use"),
        ("binomial(1)", "wrong_args"),
    ],
)
def test_rejects(text: str, code: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.code == code
    assert info.value.message


def test_undeclared_names_rejected_when_variables_are_declared() -> None:
    with pytest.raises(ParseError) as info:
        parse("x+z", XY)
    assert info.value.code == "unknown_variable"
    assert "z" in info.value.message


def test_python_is_never_run() -> None:
    for text in ("__class__", "().__class__", "lambda: 1", "import os", "x.real", "eval(x)"):
        with pytest.raises(ParseError):
            parse(text, XY)
