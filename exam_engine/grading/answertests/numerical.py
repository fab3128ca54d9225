"""Numerical tests: NumRelative, NumAbsolute, NumSigFigs, NumDecPlaces, GT, GTE."""

from __future__ import annotations

import decimal
import math
from dataclasses import dataclass

import mpmath
import sympy

from .. import messages as M
from ..build import number
from ..parser import Node
from ..structures import kind_of
from ..validation import Answer
from .base import UNREADABLE, Outcome, TestError, is_number, option_list, register

_CTX = decimal.Context(prec=80, rounding=decimal.ROUND_HALF_UP)
_UNREADABLE = UNREADABLE


@dataclass(frozen=True)
class Literal:
    """A number as the candidate wrote it: value, and the digits that were written."""

    value: sympy.Rational
    mantissa: str  # digits and point as written, no sign, e.g. "0.00100" or "138"
    exp10: int  # power of ten written after the mantissa (e or *10^k)


def literal(node: Node) -> Literal | None:
    """Read a written number: ``3.14``, ``-0.5``, ``5.3e21``, ``1.38*10^-1``, ``138*10^(-3)``.

    :param node: a parsed tree.
    :returns: the literal, or ``None`` when the answer is not a written number.
    """
    sign = 1
    while node.kind in ("neg", "pos"):
        sign = -sign if node.kind == "neg" else sign
        node = node.args[0]
    exp10 = 0
    if node.kind == "op" and node.value == "*" and len(node.args) == 2:
        base, power = node.args
        while base.kind in ("neg", "pos"):
            sign = -sign if base.kind == "neg" else sign
            base = base.args[0]
        k = _power_of_ten(power)
        if base.kind != "num" or k is None:
            return None
        node, exp10 = base, k
    if node.kind != "num":
        return None
    text = node.value.lower()
    mant, _, e = text.partition("e")
    exp10 += int(e) if e else 0
    value = number(mant, True) * sympy.Rational(10) ** exp10
    return Literal(sympy.Rational(sign) * value, mant, exp10)


def _power_of_ten(node: Node) -> int | None:
    if not (node.kind == "op" and node.value == "^"):
        return None
    base, exp = node.args
    if base.kind != "num" or base.value != "10":
        return None
    sign = 1
    while exp.kind in ("neg", "pos"):
        sign = -sign if exp.kind == "neg" else sign
        exp = exp.args[0]
    if exp.kind != "num" or not exp.value.isdigit():
        return None
    return sign * int(exp.value)


def sig_fig_range(mantissa: str) -> tuple[int, int]:
    """How many significant figures a written mantissa has: (fewest, most).

    ``"0.00100"`` -> (3, 3); ``"100"`` -> (1, 3) (trailing zeros of integers are ambiguous);
    ``"0.00"`` -> (2, 2); ``"0"`` -> (1, 1).

    :param mantissa: digits with an optional decimal point.
    :returns: the range.
    """
    whole, dot, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    if not digits:
        return (len(frac), len(frac)) if frac else (1, 1)
    if dot:
        return len(digits), len(digits)
    return len(digits.rstrip("0")), len(digits)


def to_decimal(x: sympy.Basic) -> decimal.Decimal:
    """An exact-enough decimal for a number (rationals exactly, others to 60 digits).

    :param x: a real number.
    :returns: its decimal value.
    """
    if isinstance(x, sympy.Rational):
        return _CTX.divide(decimal.Decimal(int(x.p)), decimal.Decimal(int(x.q)))
    with mpmath.workdps(70):
        return decimal.Decimal(mpmath.nstr(mpmath.mpf(sympy.re(sympy.N(x, 70))), 65))


def round_sf(x: decimal.Decimal, n: int) -> decimal.Decimal:
    """Round to ``n`` significant figures, half up, as STACK does: in binary floating point.

    The scaled value is computed as a double, so ``0.145`` (stored as 0.14499...) rounds
    to 0.14 at two figures, exactly as in STACK's fixtures.

    :param x: the value.
    :param n: significant figures.
    :returns: the rounded value.
    """
    if x == 0:
        return x
    e = x.adjusted()
    scaled = float(x) * 10.0 ** (n - 1 - e)
    digits = int(math.floor(scaled + 0.5))
    return decimal.Decimal(digits).scaleb(e - n + 1)


def _int_option(x: sympy.Basic, test: str, allow: tuple[int, ...] = ()) -> int:
    if isinstance(x, sympy.Integer) and (int(x) > 0 or int(x) in allow):
        return int(x)
    raise TestError("The option must be a positive integer", f"AT{test}_STACKERROR_not_integer.")


@register("NumSigFigs", options="required")
def t_num_sig_figs(sa: Answer, ta: Answer, opt: sympy.Basic, raw_opt: str | None) -> Outcome:
    """NumSigFigs: written to n significant figures, accurate to m (options n or [n, m])."""
    opts = option_list(opt)
    if len(opts) > 2:
        raise TestError(
            "NumSigFigs takes n or [n, m]", "ATNumSigFigs_STACKERROR_list_wrong_length."
        )
    n = _int_option(opts[0], "NumSigFigs")
    m = _int_option(opts[1], "NumSigFigs", (0, -1)) if len(opts) == 2 else n
    if kind_of(sa.value) != "expression":
        raise TestError("NumSigFigs needs a number", "ATNumSigFigs_NotDecimal.")
    lit = literal(sa.tree)
    if lit is None:
        return Outcome(False, "ATNumSigFigs_NotDecimal.", M.FB_SIGFIGS, {"n": str(n)})
    low, high = sig_fig_range(lit.mantissa)
    if (m == -1 and high < n) or (m != -1 and not low <= n <= high):
        return Outcome(False, "ATNumSigFigs_WrongDigits.", M.FB_SIGFIGS, {"n": str(n)})
    if m == 0:
        return Outcome(True, "ATNumSigFigs_True.")
    if not is_number(ta.value):
        raise TestError("The answer key is not a number", "ATNumSigFigs_STACKERROR_TAns.")
    s, t = to_decimal(lit.value), to_decimal(ta.value)
    if m == -1:
        ok = round_sf(s, n) == round_sf(t, n)
    else:
        r = round_sf(t, m)
        if r == 0:
            ok = s == 0
        else:
            tol = decimal.Decimal(5).scaleb(r.adjusted() - m)
            ok = abs(s - r) < tol
    if ok:
        return Outcome(True, "ATNumSigFigs_True.")
    sign = (s < 0) != (t < 0) and s != 0 and t != 0
    return Outcome(False, "ATNumSigFigs_WrongSign." if sign else "ATNumSigFigs_Inaccurate.")


@register("NumDecPlaces", options="required")
def t_num_dec_places(sa: Answer, ta: Answer, opt: sympy.Basic, raw_opt: str | None) -> Outcome:
    """NumDecPlaces: written with exactly n decimal places and equal to the key rounded."""
    n = _int_option(opt, "NumDecPlaces")
    if not is_number(ta.value):
        raise TestError("The answer key is not a number", "ATNumDecPlaces_STACKERROR_TAns.")
    lit = literal(sa.tree)
    if lit is None or lit.exp10 != 0:
        return Outcome(False, "ATNumDecPlaces_SA_Not_num.", M.FB_DECPLACES, {"n": str(n)})
    places = len(lit.mantissa.partition(".")[2])
    t = to_decimal(ta.value).quantize(decimal.Decimal(1).scaleb(-n), rounding=decimal.ROUND_HALF_UP)
    equal = to_decimal(lit.value) == t
    if places != n:
        return Outcome(False, "ATNumDecPlaces_Wrong_DPs.", M.FB_DECPLACES, {"n": str(n)})
    return Outcome(equal, "ATNumDecPlaces_%s." % ("Equiv" if equal else "Not_equiv"))


def _numbers(x: sympy.Basic) -> list[sympy.Basic] | None:
    if is_number(x):
        return [x]
    return None


def _close(s: sympy.Basic, t: sympy.Basic, tol: sympy.Basic, relative: bool) -> bool:
    ds, dt = to_decimal(s), to_decimal(t)
    bound = to_decimal(tol) * (abs(dt) if relative else 1)
    return abs(ds - dt) <= bound


def _tolerance(opt: sympy.Basic | None, test: str) -> sympy.Basic:
    if opt is None or opt is _UNREADABLE:
        return sympy.Rational(1, 20)
    if not is_number(opt) or not (sympy.re(sympy.N(opt)) > 0):
        raise TestError("The tolerance must be a positive number", "ATNumerical_STACKERROR_tol.")
    return opt


def _numerical(
    sa: Answer, ta: Answer, opt: sympy.Basic | None, relative: bool, test: str
) -> Outcome:
    tol = _tolerance(opt, test)
    s, t = sa.value, ta.value
    ks, kt = kind_of(s), kind_of(t)
    if kt in ("list", "set"):
        if ks != kt:
            return Outcome(False, f"ATNumerical_SA_not_{kt}.")
        xs, ys = list(s.args), list(t.args)
        if not all(is_number(x) for x in xs) or not all(is_number(y) for y in ys):
            return Outcome(False, "ATNumerical_SA_not_number.")
        if len(xs) != len(ys):
            return Outcome(False, "ATNumerical_wronglen.")
        if kt == "list":
            ok = all(_close(x, y, tol, relative) for x, y in zip(xs, ys, strict=True))
        else:
            ok = all(any(_close(x, y, tol, relative) for y in ys) for x in xs) and all(
                any(_close(x, y, tol, relative) for x in xs) for y in ys
            )
        return Outcome(ok, "ATNumerical_%s." % ("true" if ok else "wrongentries"))
    if not is_number(t):
        return Outcome(False, "ATNumerical_SB_not_number.")
    if ks != "expression" and ks != kt:
        return Outcome(False, "ATNumerical_SA_not_number.")
    if not is_number(s):
        return Outcome(False, "ATNumerical_SA_not_number.")
    ok = _close(s, t, tol, relative)
    return Outcome(ok, "AT{}_{}.".format(test, "true" if ok else "false"))


@register("NumRelative", options="optional", lenient=True)
def t_num_relative(sa: Answer, ta: Answer, opt: sympy.Basic | None, raw_opt: str | None) -> Outcome:
    """NumRelative: |sa - ta| <= tol * |ta| (default tol 0.05); lists and sets element-wise."""
    return _numerical(sa, ta, opt, True, "NumRelative")


@register("NumAbsolute", options="optional", lenient=True)
def t_num_absolute(sa: Answer, ta: Answer, opt: sympy.Basic | None, raw_opt: str | None) -> Outcome:
    """NumAbsolute: |sa - ta| <= tol (default tol 0.05); lists and sets element-wise."""
    return _numerical(sa, ta, opt, False, "NumAbsolute")


def _compare(sa: Answer, ta: Answer, strict: bool, name: str) -> Outcome:
    if not is_number(sa.value):
        return Outcome(False, f"AT{name}_SA_not_number.")
    if not is_number(ta.value):
        return Outcome(False, f"AT{name}_SB_not_number.")
    s, t = to_decimal(sa.value), to_decimal(ta.value)
    ok = s > t if strict else s >= t
    return Outcome(ok, "AT{}_{}.".format(name, "true" if ok else "false"))


@register("GT")
def t_gt(sa: Answer, ta: Answer, opt: object, raw_opt: str | None) -> Outcome:
    """GT: the student's number is greater than the key."""
    return _compare(sa, ta, True, "GT")


@register("GTE")
def t_gte(sa: Answer, ta: Answer, opt: object, raw_opt: str | None) -> Outcome:
    """GTE: the student's number is greater than or equal to the key."""
    return _compare(sa, ta, False, "GTE")
