"""High-precision evaluation of SymPy expressions with mpmath, by our own tree walk.

No code generation (``lambdify`` builds and executes source text): each node type is mapped
to an mpmath function. Unknown functions ``f(x)`` are evaluated as fixed, seeded "generic"
functions, so ``f(x+1)`` and ``f(x)+1`` are told apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

import mpmath
import sympy
from sympy.core.function import AppliedUndef


class Unevaluable(Exception):
    """The expression contains something we cannot evaluate numerically."""


MP = mpmath.mp

_F1: dict[type, Callable[[Any], Any]] = {
    sympy.sin: mpmath.sin,
    sympy.cos: mpmath.cos,
    sympy.tan: mpmath.tan,
    sympy.sec: mpmath.sec,
    sympy.csc: mpmath.csc,
    sympy.cot: mpmath.cot,
    sympy.asin: mpmath.asin,
    sympy.acos: mpmath.acos,
    sympy.atan: mpmath.atan,
    sympy.asec: mpmath.asec,
    sympy.acsc: mpmath.acsc,
    sympy.acot: mpmath.acot,
    sympy.sinh: mpmath.sinh,
    sympy.cosh: mpmath.cosh,
    sympy.tanh: mpmath.tanh,
    sympy.sech: mpmath.sech,
    sympy.csch: mpmath.csch,
    sympy.coth: mpmath.coth,
    sympy.asinh: mpmath.asinh,
    sympy.acosh: mpmath.acosh,
    sympy.atanh: mpmath.atanh,
    sympy.asech: mpmath.asech,
    sympy.acsch: mpmath.acsch,
    sympy.acoth: mpmath.acoth,
    sympy.exp: mpmath.exp,
    sympy.Abs: abs,
    sympy.gamma: mpmath.gamma,
    sympy.erf: mpmath.erf,
    sympy.conjugate: mpmath.conj,
    sympy.re: mpmath.re,
    sympy.im: mpmath.im,
    sympy.arg: mpmath.arg,
    sympy.factorial: lambda v: mpmath.gamma(v + 1),
    sympy.floor: lambda v: mpmath.floor(_real(v)),
    sympy.ceiling: lambda v: mpmath.ceil(_real(v)),
    sympy.sign: lambda v: mpmath.sign(v),
}


def _real(v: Any) -> Any:
    if isinstance(v, mpmath.mpc):
        if abs(v.imag) > abs(v) * mpmath.mpf(10) ** (-MP.dps + 5):
            raise Unevaluable("complex argument")
        return v.real
    return v


def _generic(name: str, args: list[Any]) -> Any:
    """A fixed smooth "generic function" for an unknown ``f``: seeded by its name."""
    digest = hashlib.sha256(name.encode()).digest()
    total = mpmath.mpf(0)
    for k, a in enumerate(args):
        c = [mpmath.mpf(digest[4 * k + j] + 1) / 97 for j in range(4)]
        total += c[0] * mpmath.sin(c[1] * a + c[2]) + c[3] * a * a / 7 + (k + 1) * a / 3
    return total + mpmath.mpf(digest[30]) / 53


def evaluate(expr: sympy.Basic, point: Mapping[sympy.Basic, Any]) -> Any:
    """Evaluate an expression at a point, in mpmath at the current precision.

    :param expr: a SymPy expression.
    :param point: values (mpf/mpc) for its free symbols.
    :returns: an mpf or mpc.
    :raises Unevaluable: for objects we do not evaluate (sums, integrals, sets...).
    :raises ZeroDivisionError: and other arithmetic errors at singular points.
    """
    if expr.is_Symbol:
        try:
            return point[expr]
        except KeyError:
            raise Unevaluable(str(expr)) from None
    if expr.is_Integer:
        return mpmath.mpf(int(expr))
    if expr.is_Rational:
        return mpmath.mpf(int(expr.p)) / int(expr.q)
    if expr.is_Float:
        return mpmath.mpf(expr._mpf_) if hasattr(expr, "_mpf_") else mpmath.mpf(str(expr))
    if expr.is_Add:
        total = mpmath.mpf(0)
        for a in expr.args:
            total += evaluate(a, point)
        return total
    if expr.is_Mul:
        prod = mpmath.mpf(1)
        for a in expr.args:
            prod *= evaluate(a, point)
        return prod
    if expr.is_Pow:
        base = evaluate(expr.base, point)
        e = expr.exp
        if e.is_Integer:
            n = int(e)
            if n < 0 and base == 0:
                raise ZeroDivisionError
            return base**n
        if e == sympy.S.Half:
            return mpmath.sqrt(base)
        ev = evaluate(e, point)
        if base == 0:
            if mpmath.re(ev) > 0:
                return mpmath.mpf(0)
            raise ZeroDivisionError
        return mpmath.power(base, ev)
    if expr is sympy.pi:
        return +MP.pi
    if expr is sympy.E:
        return mpmath.e + 0
    if expr is sympy.I:
        return mpmath.mpc(0, 1)
    if expr is sympy.EulerGamma:
        return +MP.euler
    if expr is sympy.GoldenRatio:
        return +MP.phi
    if isinstance(expr, sympy.Function):
        return _function(expr, point)
    raise Unevaluable(type(expr).__name__)


def _function(expr: sympy.Basic, point: Mapping[sympy.Basic, Any]) -> Any:
    args = [evaluate(a, point) for a in expr.args]
    fn = _F1.get(type(expr))
    if fn is not None and len(args) == 1:
        return fn(args[0])
    if isinstance(expr, sympy.log):
        if len(args) == 1:
            if args[0] == 0:
                raise ZeroDivisionError
            return mpmath.log(args[0])
        return mpmath.log(args[0]) / mpmath.log(args[1])
    if isinstance(expr, sympy.atan2):
        return mpmath.atan2(_real(args[0]), _real(args[1]))
    if isinstance(expr, sympy.binomial):
        return mpmath.binomial(args[0], args[1])
    if isinstance(expr, (sympy.Max, sympy.Min)):
        reals = [_real(a) for a in args]
        return max(reals) if isinstance(expr, sympy.Max) else min(reals)
    if isinstance(expr, sympy.beta):
        return mpmath.beta(args[0], args[1])
    if isinstance(expr, sympy.Mod):
        return mpmath.fmod(_real(args[0]), _real(args[1]))
    if isinstance(expr, AppliedUndef):
        return _generic(type(expr).__name__, args)
    raise Unevaluable(type(expr).__name__)


def is_real(v: Any) -> bool:
    """Whether an mpmath value is real (up to rounding at the working precision).

    :param v: the value.
    :returns: ``True`` for real values.
    """
    if isinstance(v, mpmath.mpc):
        return abs(v.imag) <= abs(v) * mpmath.mpf(10) ** (-MP.dps + 8)
    return True


def close(a: Any, b: Any, digits: int) -> bool:
    """Whether two values agree to ``digits`` significant digits (absolutely near zero).

    :param a: a value.
    :param b: another value.
    :param digits: how many digits must agree.
    :returns: ``True`` when they agree.
    """
    scale = max(abs(a), abs(b), mpmath.mpf(1))
    return bool(abs(a - b) <= scale * mpmath.mpf(10) ** (-digits))


def finite(v: Any) -> bool:
    """Whether an mpmath value is finite (no nan, no infinity).

    :param v: the value.
    :returns: ``True`` when finite.
    """
    return bool(mpmath.isfinite(v))
