"""Are two expressions equal? Exact checks first, seeded numbers to find counter-examples.

The order of work for ``a`` and ``b``:

1. structural equality, or ``a - b`` simplifying to 0 automatically;
2. exact evaluation as a rational function at random integer points (:mod:`.exact`): decides
   polynomials and rational functions both ways, and proves identities that hold with
   ``sin(x)``, ``sqrt(2)``... read as unknowns;
3. seeded evaluation at 50 digits (:mod:`.numeric`) at points where the variables are positive
   and where they have mixed signs: a confirmed difference is a counter-example ("not equal");
4. symbolic rewriting (expand, trig, exp, log, powers, ``simplify``) under a time budget,
   each result checked exactly by step 2: "equal" only when one of them proves it.

Agreement of numbers alone never gives "equal": an identity no rewriting proves is reported
as undecided, which the answer tests mark as not equal (and say so in the note).
"""

from __future__ import annotations

import random
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy

from .build import guarded_expand
from .domains import DOMAIN, Bounds
from .exact import exact_zero, stable_seed
from .numeric import MP, Unevaluable, close, evaluate, finite, is_real

POINTS = 14
FAST_SAFETY_SECONDS = 2.0  # only pathological inputs reach this
SYMBOLIC_SECONDS = 0.05  # budget for the slow symbolic rewrites of one comparison
DIGITS = 30


@dataclass(frozen=True)
class Verdict:
    """The answer to "equal?": ``equal`` and how it was decided."""

    equal: bool
    method: str  # structural | exact | counterexample | symbolic | undecided


class BudgetExceeded(Exception):
    """A symbolic step ran out of its time budget."""


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Limit the wall time of a block with SIGALRM (main thread of a process only).

    :param seconds: the budget.
    :raises BudgetExceeded: inside the block when the time is up.
    """
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise BudgetExceeded

    prev = signal.getitimer(signal.ITIMER_REAL)[0]  # an enclosing budget's time left, or 0
    old = signal.signal(signal.SIGALRM, on_alarm)
    start = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, min(seconds, prev) if prev > 0 else seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        if prev > 0:
            left = prev - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))


def _rng(a: sympy.Basic, b: sympy.Basic) -> random.Random:
    return random.Random(stable_seed(a, b))


def sample_points(symbols: list[sympy.Basic], rng: random.Random, n: int = POINTS) -> list[dict]:
    """Seeded sample points: half with every variable positive, half with mixed signs.

    :param symbols: the variables.
    :param rng: the seeded generator.
    :param n: how many points.
    :returns: a list of {symbol: mpf} maps.
    """
    out = []
    domain = DOMAIN.get() or {}
    special = [mpmath.mpf(v) / 2 for v in (-4, -3, -1, 1, 3, 5)]
    for _ in range(2 * n // 5):  # small half-integers of mixed sign catch branch errors
        point: dict[sympy.Basic, Any] = {}
        for s in symbols:
            v = special[rng.randrange(len(special))]
            bounds = domain.get(getattr(s, "name", ""))
            point[s] = v if bounds is None or _inside(v, bounds) else _draw(rng, bounds, True)
        out.append(point)
    for k in range(n - len(out)):
        point = {}
        for s in symbols:
            bounds = domain.get(getattr(s, "name", ""), (None, None))
            point[s] = _draw(rng, bounds, k % 2 == 0)
        out.append(point)
    return out


def _inside(v: Any, bounds: Bounds) -> bool:
    lo, hi = bounds
    return (lo is None or v > lo) and (hi is None or v < hi)


def _draw(rng: random.Random, bounds: Bounds, positive: bool) -> Any:
    """A seeded value: in (0.5, 3.5), maybe negated, or inside the author's bounds."""
    u = mpmath.mpf(rng.randrange(2**40, 7 * 2**40)) / 2**41  # (0.5, 3.5)
    lo, hi = bounds
    if lo is not None and hi is not None:
        return mpmath.mpf(lo) + (mpmath.mpf(hi) - lo) * (u - mpmath.mpf(1) / 4) / 3.5
    if lo is not None:
        return mpmath.mpf(lo) + u
    if hi is not None:
        return mpmath.mpf(hi) - u
    return u if positive or rng.random() < 0.5 else -u


def _eval_pair(a: sympy.Basic, b: sympy.Basic, point: dict, dps: int) -> tuple[Any, Any] | None:
    with mpmath.workdps(dps):
        try:
            va, vb = evaluate(a, point), evaluate(b, point)
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            return None
        if not (finite(va) and finite(vb)):
            return None
        return va, vb


def numeric_compare(a: sympy.Expr, b: sympy.Expr) -> bool | None:
    """Compare two expressions at seeded random points.

    A point counts when both values are finite. Where both are real (or, if no point gives
    real values, where both are complex) the values must agree; one real and one non-real
    value is a difference of domain. A difference is confirmed at 100 digits, so rounding
    never produces a counter-example.

    :param a: an expression.
    :param b: another.
    :returns: ``False`` for a confirmed counter-example, ``True`` when all points agree,
        ``None`` when nothing could be evaluated.
    :raises Unevaluable: when an expression cannot be evaluated numerically.
    """
    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    rng = _rng(a, b)
    real_agree = complex_agree = 0
    complex_differ = False
    points = sample_points(symbols, rng) if symbols else [{}]
    for point in points:
        pair = _eval_pair(a, b, point, DIGITS + 10)
        if pair is None:
            continue
        va, vb = pair
        ra, rb = is_real(va), is_real(vb)
        with mpmath.workdps(DIGITS + 10):
            same = close(va, vb, DIGITS - 8)
        if not same:
            pair = _eval_pair(a, b, point, 110)
            if pair is not None:
                with mpmath.workdps(110):
                    same = close(pair[0], pair[1], 80)
        if ra and rb:
            if not same:
                return False
            real_agree += 1
        elif ra != rb:
            if not same:
                return False
        elif same:
            complex_agree += 1
        else:
            complex_differ = True
    if real_agree:
        return True
    if complex_differ:
        return False
    return True if complex_agree else None


def _positive(expr: sympy.Basic) -> sympy.Basic:
    """Variables as positive symbols, or as the author's domain says (negative, real)."""
    domain = DOMAIN.get() or {}
    subs = {}
    for s in expr.free_symbols:
        if not s.is_Symbol:
            continue
        lo, hi = domain.get(s.name, (0.0, None))
        if lo is not None and lo >= 0:
            subs[s] = sympy.Symbol(s.name, positive=True)
        elif hi is not None and hi <= 0:
            subs[s] = sympy.Symbol(s.name, negative=True)
        else:
            subs[s] = sympy.Symbol(s.name, real=True)
    return expr.xreplace(subs)


def _assumed(d: sympy.Expr) -> sympy.Basic | None:
    return sympy.expand(_positive(d)) if DOMAIN.get() else None


def _guarded_expand(d: sympy.Expr) -> sympy.Basic:
    return guarded_expand(d)


def _logs(d: sympy.Expr) -> sympy.Basic | None:
    if not d.has(sympy.log) or not d.free_symbols:
        return None
    return sympy.expand_log(_positive(d), force=True)


def _powers(d: sympy.Expr) -> sympy.Basic | None:
    if not d.free_symbols or not any(not p.exp.is_Integer for p in d.atoms(sympy.Pow)):
        return None
    return sympy.powdenest(sympy.expand_power_base(_positive(d), force=True), force=True)


def _denest(d: sympy.Expr) -> sympy.Basic | None:
    if not d.is_number or sympy.count_ops(d) > 60:
        return None
    return sympy.radsimp(sympy.sqrtdenest(d))


def _gamma(d: sympy.Expr) -> sympy.Basic | None:
    if not d.has(sympy.factorial, sympy.binomial, sympy.gamma):
        return None
    return sympy.gammasimp(sympy.expand_func(d))


def _fast_rewrites() -> list[Callable[[sympy.Expr], sympy.Basic | None]]:
    """Cheap rewritings (milliseconds), each checked exactly."""
    return [
        _guarded_expand,
        _assumed,
        _gamma,
        _denest,
        _logs,
        _powers,
    ]


def _slow_rewrites() -> list[Callable[[sympy.Expr], sympy.Basic | None]]:
    """Expensive rewritings, run under the time budget."""
    return [
        lambda d: sympy.expand_complex(sympy.expand(d.rewrite(sympy.cos))) if d.is_number else d,
        lambda d: sympy.powsimp(sympy.powdenest(_positive(d), force=True), force=True),
        lambda d: sympy.cancel(sympy.together(_positive(d))),
        lambda d: sympy.trigsimp(d),
        _minpoly_zero,
        lambda d: sympy.expand_complex(sympy.expand(d.rewrite(sympy.cos))),
        lambda d: sympy.simplify(d),
        lambda d: sympy.simplify(_positive(d)),
    ]


_X = sympy.Dummy("x")


def _minpoly_zero(d: sympy.Expr) -> sympy.Basic:
    """For a constant: exactly 0 when its minimal polynomial is x (algebraic numbers)."""
    if d.free_symbols or not d.is_number:
        return d
    return sympy.Integer(0) if sympy.minimal_polynomial(d, _X) == _X else d


def _proves_zero(rewrite: Callable[[sympy.Expr], sympy.Basic | None], d: sympy.Expr) -> bool:
    try:
        r = rewrite(d)
    except (BudgetExceeded, RecursionError):
        raise
    except Exception:  # noqa: BLE001 - any SymPy failure means "not this way"
        return False
    return r is not None and (r == 0 or exact_zero(r).zero is True)


def symbolic_zero(d: sympy.Expr, seconds: float = SYMBOLIC_SECONDS) -> str | None:
    """Try rewritings of ``d``; each result is checked exactly.

    The fast rewritings always run to the end (they are cheap for expressions of the sizes
    the parser admits), so what they prove does not depend on the machine's load. The slow
    ones (``simplify``, minimal polynomials) run under ``seconds`` of wall time.

    :param d: the difference of two expressions.
    :param seconds: the time budget for the slow rewritings.
    :returns: ``"symbolic"`` or ``"symbolic-slow"`` when proven zero, else ``None``.
    """
    try:
        with budget(FAST_SAFETY_SECONDS):
            if any(_proves_zero(rw, d) for rw in _fast_rewrites()):
                return "symbolic"
    except (BudgetExceeded, RecursionError):
        return None
    if threading.current_thread() is not threading.main_thread():
        return None  # no SIGALRM outside the main thread: never start what cannot be stopped
    try:
        with budget(seconds):
            if any(_proves_zero(rw, d) for rw in _slow_rewrites()):
                return "symbolic-slow"
    except (BudgetExceeded, RecursionError):
        return None
    return None


def expr_equal(
    a: sympy.Basic, b: sympy.Basic, symbolic_seconds: float = SYMBOLIC_SECONDS
) -> Verdict:
    """Decide whether two scalar expressions are equal (see the module docstring).

    :param a: an expression.
    :param b: another expression.
    :param symbolic_seconds: the budget for symbolic rewriting.
    :returns: the verdict.
    """
    if not isinstance(a, sympy.Basic):
        a = sympy.Integer(int(a))
    if not isinstance(b, sympy.Basic):
        b = sympy.Integer(int(b))
    if a == b:
        return Verdict(True, "structural")
    if a.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan) or b.has(
        sympy.oo, -sympy.oo, sympy.zoo, sympy.nan
    ):
        return Verdict(False, "structural")
    try:
        d = a - b
    except (TypeError, ValueError):
        return Verdict(False, "structural")
    if d == 0:
        return Verdict(True, "structural")
    exact = exact_zero(d)
    if exact.zero is not None:
        return Verdict(exact.zero, "exact")
    try:
        agree = numeric_compare(a, b)
    except Unevaluable:
        agree = None
    if agree is False:
        return Verdict(False, "counterexample")
    proof = symbolic_zero(d, symbolic_seconds)
    if proof:
        return Verdict(True, proof)
    return Verdict(False, "undecided")


__all__ = ["Verdict", "expr_equal", "numeric_compare", "symbolic_zero", "sample_points", "MP"]
