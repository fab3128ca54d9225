"""Build SymPy objects from a parsed :class:`~.parser.Node` tree, with cost guards.

Nothing here evaluates text: every SymPy object is constructed from a whitelisted node.
Numbers that would be too large to compute (``9^9^9^9``, ``factorial(10^10)``) raise
:class:`~.types.ParseError` with code ``"too_large"`` before SymPy tries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy
from sympy.core.relational import Relational

from . import messages as M
from .types import ParseError

MAX_BITS = 200_000  # largest exact number we let SymPy compute (about 60,000 digits)
MAX_FACTORIAL = 3000
MAX_EXPAND_DEGREE = 400
PM = sympy.Symbol("±")


@dataclass(frozen=True)
class BuildOptions:
    """How to build: floats as exact decimals (for equivalence) or as SymPy Floats."""

    exact_floats: bool = True
    matrices: bool = False  # [[1,2],[3,4]] -> Matrix


def too_large() -> ParseError:
    """The error for a number too large to compute."""
    return ParseError(M.NUMBER_TOO_LARGE, "too_large")


def number(text: str, exact: bool) -> sympy.Expr:
    """Build a number from a validated numeric token.

    :param text: digits, optional decimal point and exponent, as typed.
    :param exact: build decimals as exact rationals (``0.1`` -> ``1/10``).
    :returns: a SymPy Integer, Rational or Float.
    :raises ParseError: when the exponent is out of range.
    """
    mant, _, exp_text = text.lower().partition("e")
    exp10 = int(exp_text) if exp_text else 0
    if abs(exp10) > 1000:
        raise too_large()
    whole, dot, frac = mant.partition(".")
    if not dot and not exp_text:
        return sympy.Integer(int(whole))
    digits = int((whole or "0") + frac)
    scale = exp10 - len(frac)
    if exact:
        return (
            sympy.Rational(digits * 10**scale) if scale >= 0 else sympy.Rational(digits, 10**-scale)
        )
    sig = len((whole + frac).lstrip("0")) or 1
    return sympy.Float(sympy.Rational(digits) * sympy.Rational(10) ** scale, max(15, sig))


def _bits(value: sympy.Rational) -> float:
    p, q = abs(int(value.p)), int(value.q)
    return max(p.bit_length(), q.bit_length(), 1)


def power(base: sympy.Basic, exp: sympy.Basic) -> sympy.Basic:
    """``base**exp``, refusing results that would be huge exact numbers.

    :param base: the base.
    :param exp: the exponent.
    :returns: the power.
    :raises ParseError: when the exact result would exceed ``MAX_BITS``, or divides by zero.
    """
    if isinstance(exp, sympy.Rational) and not isinstance(exp, sympy.Integer):
        if abs(int(exp.p)) > 10**6 or int(exp.q) > 10**6:
            raise too_large()
    if (
        isinstance(base, sympy.Rational)
        and base.is_negative
        and isinstance(exp, sympy.Rational)
        and not isinstance(exp, sympy.Integer)
        and int(exp.q) % 2 == 1
    ):
        # Odd roots of negative numbers are real, as in Maxima (STACK): (-8)^(1/3) = -2,
        # (-8)^(2/3) = 4. Even roots stay complex: (-4)^(1/2) = 2*i.
        return sympy.Integer(-1) ** int(exp.p) * power(-base, exp)
    if isinstance(base, sympy.Number) and isinstance(exp, sympy.Rational):
        if base.is_zero and exp.is_negative:
            raise ParseError(M.DIVISION_BY_ZERO, "division_by_zero")
        if isinstance(base, sympy.Rational) and abs(base) not in (0, 1):
            if _bits(base) * abs(float(exp.p)) > MAX_BITS:
                raise too_large()
        if isinstance(base, sympy.Float) and abs(float(exp.p)) > 10**6:
            raise too_large()
    if isinstance(exp, sympy.Number) and exp.is_finite and abs(float(exp)) > 10**9:
        if not (isinstance(base, sympy.Number) and abs(base) in (0, 1)):
            raise too_large()
    elif _huge(exp) and not (isinstance(base, sympy.Number) and abs(base) in (0, 1)):
        raise too_large()  # towers: e^e^e^e^e, 2^exp(exp(10))
    if base.is_Matrix:
        if not (isinstance(exp, sympy.Integer) and abs(int(exp)) <= 50):
            raise ParseError(M.BAD_USE, "bad_use", {"what": "This power of a matrix"})
    return sympy.Pow(base, exp)


def _huge(x: sympy.Basic) -> bool:
    """Whether a numeric, non-rational exponent (``e^e^e``) is over 10^9 in size.

    Checked level by level as powers are built, so the value estimated here is never itself
    a tower: a 10-digit estimate of it is cheap.
    """
    if isinstance(x, sympy.Number) or not isinstance(x, sympy.Expr) or not x.is_number:
        return False
    try:
        size = abs(complex(sympy.N(x, 10)))
    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
        return False
    return size > 10**9


def gamma(arg: sympy.Basic) -> sympy.Basic:
    """``gamma(arg)`` with the size guard of :func:`factorial` (``gamma(10^10)``).

    :param arg: the argument.
    :returns: the gamma function's value.
    :raises ParseError: when the argument is a huge real number.
    """
    if isinstance(arg, sympy.Number) and arg.is_finite and abs(float(arg)) > MAX_FACTORIAL:
        raise too_large()
    return sympy.gamma(arg)


def factorial(arg: sympy.Basic) -> sympy.Basic:
    """``arg!`` with a size guard.

    :param arg: the argument.
    :returns: the factorial.
    :raises ParseError: when the argument is a huge integer.
    """
    if isinstance(arg, sympy.Number) and arg.is_finite and abs(float(arg)) > MAX_FACTORIAL:
        raise too_large()
    return sympy.factorial(arg)


def binomial(n: sympy.Basic, k: sympy.Basic) -> sympy.Basic:
    """``binomial(n, k)`` with a size guard.

    :param n: the top.
    :param k: the bottom.
    :returns: the binomial coefficient.
    :raises ParseError: when the exact result would be huge.
    """
    if isinstance(n, sympy.Integer) and isinstance(k, sympy.Integer):
        small = min(int(k), int(n) - int(k))
        if small > 0 and small * math.log2(max(abs(int(n)), 2)) > MAX_BITS:
            raise too_large()
    elif isinstance(k, sympy.Number) and k.is_finite and abs(float(k)) > MAX_FACTORIAL:
        raise too_large()
    return sympy.binomial(n, k)


def guarded_expand(expr: sympy.Basic) -> sympy.Basic:
    """``expand`` that refuses powers of sums with large exponents.

    :param expr: the expression.
    :returns: the expanded expression.
    :raises ParseError: when the expansion would be too large.
    """
    for sub in sympy.preorder_traversal(expr):
        if sub.is_Pow and sub.base.is_Add and sub.exp.is_Integer:
            if abs(int(sub.exp)) > MAX_EXPAND_DEGREE:
                raise too_large()
    return sympy.expand(expr)


def matrix_from_rows(rows: list[list[sympy.Basic]]) -> sympy.Basic:
    """Build an immutable matrix, checking the rows are equally long.

    :param rows: the entries row by row.
    :returns: the matrix.
    :raises ParseError: when rows differ in length or are empty.
    """
    if not rows or any(len(r) != len(rows[0]) for r in rows) or not rows[0]:
        raise ParseError(M.MATRIX_ROWS, "matrix_rows")
    if not all(isinstance(x, sympy.Expr) for r in rows for x in r):
        raise ParseError(M.BAD_USE, "bad_use", {"what": "This matrix entry"})
    return sympy.ImmutableMatrix(rows)


RELATIONS: dict[str, type[Relational]] = {
    "=": sympy.Eq,
    "#": sympy.Ne,
    "<": sympy.StrictLessThan,
    "<=": sympy.LessThan,
    ">": sympy.StrictGreaterThan,
    ">=": sympy.GreaterThan,
}
CONSTS: dict[str, sympy.Basic] = {
    "pi": sympy.pi,
    "e": sympy.E,
    "i": sympy.I,
    "inf": sympy.oo,
    "minf": -sympy.oo,
    "true": sympy.true,
    "false": sympy.false,
    "all": sympy.true,
    "none": sympy.false,
    "euler_gamma": sympy.EulerGamma,
    "golden": sympy.GoldenRatio,
}
