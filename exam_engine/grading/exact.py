"""Exact identity testing: evaluate with exact Gaussian rationals at random points.

An expression is read as a rational function of its symbols and of unknowns:

* ``exp(u)``, ``sin(u)``, ``cosh(u)``... with ``u = c1*m1 + c2*m2 + ...`` (``ci`` rational)
  become rational functions of ``T_m = exp(m/L)`` (``m`` a monomial, ``L`` the lcm of the
  denominators of its coefficients), e.g. ``sin(u) = (E - 1/E)/(2i)`` with ``E = exp(i*u)``;
* ``b^(p/q)`` becomes ``U_b^(p*L/q)`` with ``U_b = b^(1/L)``;
* ``i`` is the imaginary unit, exactly;
* anything else (``log(x)``, ``sqrt(x+1)``...) is a "generic atom", a fresh unknown.

Unknowns get random values as if they were independent variables; forgetting their relations
only makes the test stricter, so a zero result proves the identity. Values are computed
*exactly*. A non-zero polynomial of degree d vanishes at a random point of S^n with
probability at most d/|S| (Schwartz-Zippel); we draw from |S| = 2^41 at several points. A
non-zero value is an exact counter-example when no unknown other than plain variables and
``i`` was introduced.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from fractions import Fraction

import sympy

MAX_BITS = 400_000
POINTS = 3
_TRIG = (sympy.sin, sympy.cos, sympy.tan, sympy.cot, sympy.sec, sympy.csc)
_HYP = (sympy.sinh, sympy.cosh, sympy.tanh, sympy.coth, sympy.sech, sympy.csch)


class TooBig(Exception):
    """Exact evaluation would need numbers that are too large."""


@dataclass(frozen=True, slots=True)
class G:
    """A Gaussian rational ``re + im*i`` with exact Fraction parts."""

    re: Fraction
    im: Fraction = Fraction(0)

    def __add__(self, o: G) -> G:
        return G(self.re + o.re, self.im + o.im)

    def __sub__(self, o: G) -> G:
        return G(self.re - o.re, self.im - o.im)

    def __mul__(self, o: G) -> G:
        return G(self.re * o.re - self.im * o.im, self.re * o.im + self.im * o.re)

    def inverse(self) -> G:
        n = self.re * self.re + self.im * self.im
        if n == 0:
            raise ZeroDivisionError
        return G(self.re / n, -self.im / n)

    def __truediv__(self, o: G) -> G:
        return self * o.inverse()

    def bits(self) -> int:
        return max(
            self.re.numerator.bit_length(),
            self.re.denominator.bit_length(),
            self.im.numerator.bit_length(),
            self.im.denominator.bit_length(),
            1,
        )

    def __pow__(self, n: int) -> G:
        if self.bits() * abs(n) > MAX_BITS:
            raise TooBig
        if self.im == 0:
            if n < 0 and self.re == 0:
                raise ZeroDivisionError
            return G(self.re**n)
        base = self if n >= 0 else self.inverse()
        out, k = ONE, abs(n)
        while k:
            if k & 1:
                out = out * base
            base = base * base if k > 1 else base
            k >>= 1
        return out

    def is_zero(self) -> bool:
        return self.re == 0 and self.im == 0


ONE = G(Fraction(1))
HALF = G(Fraction(1, 2))
I_UNIT = G(Fraction(0), Fraction(1))


def stable_seed(*exprs: sympy.Basic) -> int:
    """A seed from the structure of expressions: stable across processes, cheap for huge ones.

    :param exprs: SymPy objects.
    :returns: a 64-bit seed.
    """
    h = hashlib.sha256()
    for expr in exprs:
        for k, node in enumerate(sympy.preorder_traversal(expr)):
            if k > 20000:
                break
            if node.is_Integer or node.is_Rational:
                p, q = int(node.p), int(node.q)
                part = f"{type(node).__name__}:{p.bit_length()}:{p % 1000003}/{q % 1000003}"
            elif node.is_Symbol:
                part = "S:" + str(node.name)
            elif isinstance(node, sympy.Float):
                part = "F:" + repr(float(node))
            else:
                part = type(node).__name__
            h.update(part.encode() + b";")
        h.update(b"|")
    return int.from_bytes(h.digest()[:8], "big")


def _linear(u: sympy.Basic) -> list[tuple[Fraction, sympy.Basic]]:
    """``u`` as a sum of (rational coefficient, monomial) pairs."""
    out = []
    for term in sympy.Add.make_args(sympy.expand(u)):
        c, m = term.as_coeff_Mul()
        if not c.is_Rational:
            c, m = sympy.Integer(1), term
        out.append((Fraction(int(c.p), int(c.q)), m))
    return out


class Evaluator:
    """Exact evaluation of one expression at one random point (see the module docstring)."""

    def __init__(self, rng: random.Random, scales: dict, bound: int = 2**40):
        self.rng = rng
        self.scales = scales
        self.bound = bound
        self.values: dict[object, G] = {}
        self.generic = False
        self.memo: dict[sympy.Basic, G] = {}

    def unknown(self, key: object) -> G:
        hit = self.values.get(key)
        if hit is None:
            hit = G(Fraction(self.rng.randrange(-self.bound, self.bound) or 1))
            self.values[key] = hit
        return hit

    def ev(self, expr: sympy.Basic) -> G:
        hit = self.memo.get(expr)
        if hit is None:
            hit = self._ev(expr)
            self.memo[expr] = hit
        return hit

    def _exp_i(self, u: sympy.Basic, imaginary: bool) -> G:
        """exp(i*u) (``imaginary``) or exp(u), as a product of powers of unknowns."""
        out = ONE
        for c, m in _linear(sympy.I * u if imaginary else u):
            scale = self.scales.get(m, 1)
            out = out * self.unknown(("T", m)) ** int(c * scale)
            self.generic = True
        return out

    def _ev(self, e: sympy.Basic) -> G:
        if e.is_Rational:
            return G(Fraction(int(e.p), int(e.q)))
        if e is sympy.I:
            return I_UNIT
        if e.is_Add:
            total = G(Fraction(0))
            for a in e.args:
                total = total + self.ev(a)
            return total
        if e.is_Mul:
            prod = ONE
            for a in e.args:
                prod = prod * self.ev(a)
            return prod
        if e.is_Pow and e.exp.is_Integer:
            return self.ev(e.base) ** int(e.exp)
        if e is sympy.E:
            return self._exp_i(sympy.Integer(1), False)
        if e.is_Pow and not e.exp.is_number:
            return self._exp_i(e.exp * sympy.log(e.base), False)
        if e.is_Pow and e.exp.is_Rational:
            # b^(p/q) = U^(p*L/q) with U = b^(1/L), keyed by the *value* of b: equal bases
            # written differently share their root (a function of the value)
            scale = self.scales.get("root", int(e.exp.q))
            self.generic = True
            return self.unknown(("U", self.ev(e.base))) ** int(e.exp * scale)
        if isinstance(e, sympy.exp):
            return self._exp_i(e.args[0], False)
        if isinstance(e, _TRIG):
            z = self._exp_i(e.args[0], True)
            s = (z - z.inverse()) / (I_UNIT + I_UNIT)
            c = (z + z.inverse()) * HALF
            return self._ratio(type(e), s, c)
        if isinstance(e, _HYP):
            z = self._exp_i(e.args[0], False)
            s = (z - z.inverse()) * HALF
            c = (z + z.inverse()) * HALF
            return self._ratio(type(e), s, c, hyperbolic=True)
        if isinstance(e, sympy.log) and e.args[0].is_Rational and e.args[0] > 0:
            return self._log_rational(e.args[0])
        if isinstance(e, sympy.Function) and e.args:
            # any other function: an unknown keyed by the function and its arguments' values
            self.generic = True
            return self.unknown(("F", e.func, tuple(self.ev(a) for a in e.args)))
        if not e.is_Symbol:
            self.generic = True
        return self.unknown(e)

    def _log_rational(self, r: sympy.Rational) -> G:
        """log(p/q) = sum of e*log(prime): primes' logs are independent unknowns."""
        p, q = int(r.p), int(r.q)
        if max(p, q) > 10**12:
            self.generic = True
            return self.unknown(sympy.log(r))
        total = G(Fraction(0))
        for n, sign in ((p, 1), (q, -1)):
            for prime, k in sympy.factorint(n).items():
                total = total + self.unknown(("log", prime)) * G(Fraction(sign * k))
        self.generic = True
        return total

    @staticmethod
    def _ratio(kind: type, s: G, c: G, hyperbolic: bool = False) -> G:
        names = {
            sympy.sin: "s",
            sympy.cos: "c",
            sympy.tan: "t",
            sympy.cot: "ct",
            sympy.sec: "se",
            sympy.csc: "cs",
            sympy.sinh: "s",
            sympy.cosh: "c",
            sympy.tanh: "t",
            sympy.coth: "ct",
            sympy.sech: "se",
            sympy.csch: "cs",
        }
        which = names[kind]
        if which == "s":
            return s
        if which == "c":
            return c
        if which == "t":
            return s / c
        if which == "ct":
            return c / s
        if which == "se":
            return c.inverse()
        return s.inverse()


def _scales(expr: sympy.Basic) -> dict[sympy.Basic, int]:
    """lcm of denominators per monomial of exp/trig arguments, and per base of real powers."""
    scales: dict = {}
    for sub in sympy.preorder_traversal(expr):
        if isinstance(sub, (sympy.exp, *_TRIG, *_HYP)):
            u = sub.args[0] if isinstance(sub, (sympy.exp, *_HYP)) else sympy.I * sub.args[0]
            for c, m in _linear(u):
                scales[m] = math.lcm(scales.get(m, 1), c.denominator)
        elif sub.is_Pow and not sub.exp.is_number:
            for c, m in _linear(sub.exp * sympy.log(sub.base)):
                scales[m] = math.lcm(scales.get(m, 1), c.denominator)
        elif sub.is_Pow and sub.exp.is_Rational and not sub.exp.is_Integer:
            scales["root"] = math.lcm(scales.get("root", 1), int(sub.exp.q))
    if any(v > 720 for v in scales.values()):
        raise TooBig
    return scales


@dataclass(frozen=True)
class ExactResult:
    """``zero``: True (identity holds), False (proven non-zero), None (undecided)."""

    zero: bool | None
    generic: bool  # whether unknowns other than plain variables were introduced


def atoms_of(expr: sympy.Basic) -> set[sympy.Basic]:
    """Symbols and generic atoms of an expression read as a plain rational function.

    :param expr: a SymPy expression.
    :returns: the set of atoms.
    """
    out: set[sympy.Basic] = set()
    stack = [expr]
    while stack:
        e = stack.pop()
        if e.is_Rational:
            continue
        if e.is_Add or e.is_Mul:
            stack.extend(e.args)
        elif e.is_Pow and e.exp.is_Integer:
            stack.append(e.base)
        else:
            out.add(e)
    return out


def exact_zero(expr: sympy.Basic) -> ExactResult:
    """Decide whether ``expr`` is identically zero, exactly (see the module docstring).

    :param expr: a SymPy expression (not a relation, set or matrix).
    :returns: the result; ``zero=None`` when undecided (numbers too large, singular points,
        or a non-zero value in the presence of unknowns).
    """
    if not isinstance(expr, sympy.Expr) or expr.is_Matrix:
        return ExactResult(None, False)
    try:
        scales = _scales(expr)
    except TooBig:
        return ExactResult(None, True)
    rng = random.Random(stable_seed(expr))
    zeros = 0
    generic = False
    degree = max((abs(int(p.exp)) for p in expr.atoms(sympy.Pow) if p.exp.is_Integer), default=1)
    # high degrees: smaller numbers, more points (6000/2^25 per point, 6 points)
    bound, points = (2**40, POINTS) if degree <= 200 else (2**24, 2 * POINTS)
    for _ in range(points * 3):
        ev = Evaluator(rng, scales, bound)
        try:
            value = ev.ev(expr)
        except ZeroDivisionError:
            continue
        except TooBig:
            return ExactResult(None, True)
        generic = generic or ev.generic
        if not value.is_zero():
            return ExactResult(None if ev.generic else False, ev.generic)
        zeros += 1
        if zeros >= (1 if not ev.values else points):
            return ExactResult(True, generic)
    return ExactResult(None, generic)
