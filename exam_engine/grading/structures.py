"""Equivalence of structured answers: equations, inequalities, logic, sets, lists, matrices."""

from __future__ import annotations

import random
from fractions import Fraction

import sympy
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanAtom, BooleanFunction

from .build import PM
from .equivalence import Verdict, expr_equal
from .exact import Evaluator, TooBig, atoms_of, stable_seed

_ORDER = (sympy.StrictLessThan, sympy.LessThan, sympy.StrictGreaterThan, sympy.GreaterThan)


def kind_of(x: sympy.Basic) -> str:
    """A coarse type name: expression, equation, inequality, logic, set, list, matrix, ...

    :param x: a SymPy object.
    :returns: the type name.
    """
    if getattr(x, "is_Matrix", False):
        return "matrix"
    if isinstance(x, sympy.Eq):
        return "equation"
    if isinstance(x, sympy.Ne):
        return "inequation"
    if isinstance(x, Relational):
        return "inequality"
    if isinstance(x, (BooleanAtom, BooleanFunction)):
        return "logic"
    if isinstance(x, sympy.FiniteSet) or x is sympy.S.EmptySet:
        return "set"
    if isinstance(x, sympy.Set):
        return "interval"
    if isinstance(x, sympy.Tuple):
        return "list"
    return "expression"


def _has_pm(x: sympy.Basic) -> bool:
    return isinstance(x, sympy.Basic) and x.has(PM)


def _branches(x: sympy.Basic) -> list[sympy.Basic]:
    return [x.xreplace({PM: 1}), x.xreplace({PM: -1})] if _has_pm(x) else [x]


def _truth(x: sympy.Basic) -> bool | None:
    """``true``/``all`` -> True, ``false``/``none`` -> False; ``x=x`` -> True; ``1=2`` -> False."""
    if x is sympy.true:
        return True
    if x is sympy.false:
        return False
    if isinstance(x, sympy.Eq):
        d = x.lhs - x.rhs if isinstance(x.lhs, sympy.Expr) else None
        if d == 0:
            return True
        if d is not None and d.is_number and d.is_zero is False:
            return False
    return None


def _eq_poly(x: sympy.Basic) -> sympy.Expr | None:
    """The numerator of lhs - rhs; for ``or`` of equations, the product of those."""
    if isinstance(x, sympy.Eq) and isinstance(x.lhs, sympy.Expr):
        return sympy.fraction(sympy.together(x.lhs - x.rhs))[0]
    if isinstance(x, sympy.Or) and all(isinstance(a, sympy.Eq) for a in x.args):
        polys = [_eq_poly(a) for a in x.args]
        if any(p is None for p in polys):
            return None
        return sympy.Mul(*polys)
    return None


def _proportional(p: sympy.Expr, q: sympy.Expr, positive: bool = False) -> Verdict:
    """Whether ``p = c*q`` for a constant ``c != 0`` (``c > 0`` when ``positive``)."""
    symbols = sorted(p.free_symbols | q.free_symbols, key=str)
    rng = random.Random(stable_seed(p, q))
    exact_c = _exact_ratio(p, q, rng)
    if exact_c is not None:
        if exact_c == 0 or (positive and exact_c < 0):
            return Verdict(False, "structural")
        return expr_equal(p, sympy.Rational(exact_c.numerator, exact_c.denominator) * q)
    for _ in range(6):
        point = {s: sympy.Rational(rng.randrange(3, 30), rng.randrange(1, 7)) for s in symbols}
        try:
            qv = _small_value(q, point)
            if qv is None or qv.is_zero is not False or not qv.is_finite:
                continue
            pv = _small_value(p, point)
            if pv is None:
                continue
            c = pv / qv
        except (ZeroDivisionError, TypeError, ValueError):
            continue
        if c.is_zero is not False or c.has(sympy.zoo, sympy.nan):
            return Verdict(False, "structural")
        if positive and c.is_positive is not True:
            return Verdict(False, "structural")
        return expr_equal(p, sympy.expand(c) * q)
    return Verdict(False, "undecided")


def _exact_ratio(p: sympy.Expr, q: sympy.Expr, rng: random.Random) -> Fraction | None:
    """p/q at a random integer point, exactly, when both are rational functions."""
    atoms = atoms_of(p) | atoms_of(q)
    if any(not a.is_Symbol for a in atoms):
        return None
    for _ in range(4):
        ev = Evaluator(rng, {})
        try:
            qv = ev.ev(q)
            if qv.is_zero():
                continue
            ratio = ev.ev(p) / qv
        except (ZeroDivisionError, TooBig):
            return None
        return ratio.re if ratio.im == 0 else None
    return None


def _small_value(e: sympy.Expr, point: dict) -> sympy.Expr | None:
    """``e`` at a point, unless that needs huge exact numbers (then ``None``)."""
    for sub in sympy.preorder_traversal(e):
        if sub.is_Pow and sub.exp.is_Integer and abs(int(sub.exp)) > 200:
            return None
    return e.xreplace(point)


def _ineq_form(x: Relational) -> tuple[sympy.Expr, bool]:
    """``a > b`` -> (a - b, strict); ``a < b`` -> (b - a, strict)."""
    if isinstance(x, (sympy.StrictGreaterThan, sympy.GreaterThan)):
        return x.lhs - x.rhs, isinstance(x, sympy.StrictGreaterThan)
    return x.rhs - x.lhs, isinstance(x, sympy.StrictLessThan)


def equiv(a: sympy.Basic, b: sympy.Basic) -> Verdict:
    """Algebraic equivalence of any two answers (expressions or structures).

    :param a: the student's answer.
    :param b: the teacher's answer.
    :returns: the verdict; mismatched types are not equal (method ``"type"``).
    """
    if a == b:
        return Verdict(True, "structural")
    if _has_pm(a) or _has_pm(b):
        return _pm_equiv(a, b)
    ka, kb = kind_of(a), kind_of(b)
    if ka == "expression" and kb == "expression":
        return expr_equal(a, b)
    ta, tb = _truth(a), _truth(b)
    if ta is not None and tb is not None:
        return Verdict(ta == tb, "structural")
    pa, pb = _eq_poly(a), _eq_poly(b)
    if pa is not None and pb is not None:
        if pa == 0 or pb == 0:
            return Verdict(pa == pb, "structural")
        return _proportional(pa, pb)
    real_sets = _as_real_sets(a, b)
    if real_sets is not None:
        return Verdict(real_sets[0] == real_sets[1], "exact")
    if ka != kb:
        return Verdict(False, "type")
    if ka == "inequality":
        (da, sa), (db, sb) = _ineq_form(a), _ineq_form(b)
        if sa != sb:
            return Verdict(False, "structural")
        if da == db:
            return Verdict(True, "structural")
        return _proportional(da, db, positive=True)
    if ka == "inequation":
        return _proportional(a.lhs - a.rhs, b.lhs - b.rhs)
    if ka == "logic":
        return _logic(a, b)
    if ka == "set":
        return sets_equal(list(a.args), list(b.args))
    if ka == "list":
        return seq_equal(list(a.args), list(b.args))
    if ka == "matrix":
        if a.shape != b.shape:
            return Verdict(False, "type")
        return seq_equal(list(a), list(b))
    if ka == "interval":
        return Verdict(bool(a == b) or _interval_equal(a, b), "structural")
    return Verdict(a == b, "structural")


def _condition_like(x: sympy.Basic) -> bool:
    if isinstance(x, (Relational, BooleanAtom)):
        return True
    if isinstance(x, (sympy.And, sympy.Or, sympy.Not)):
        return all(_condition_like(a) for a in x.args)
    return isinstance(x, sympy.Set) and not isinstance(x, sympy.FiniteSet)


def _as_real_sets(a: sympy.Basic, b: sympy.Basic) -> tuple[sympy.Set, sympy.Set] | None:
    """Conditions in one variable (and intervals) as subsets of the reals, when possible."""
    if not (_condition_like(a) and _condition_like(b)):
        return None
    for s, other in ((a, b), (b, a)):
        if isinstance(s, sympy.Set) and not isinstance(other, sympy.Set):
            if not isinstance(other, BooleanAtom) or s is sympy.S.EmptySet:
                return None  # an interval is not a condition on x (except all/none)
    if isinstance(a, sympy.Eq) and isinstance(b, sympy.Eq):
        return None
    syms = (a.free_symbols | b.free_symbols) if not isinstance(a, sympy.Set) else set()
    if isinstance(a, sympy.Set) or isinstance(b, sympy.Set):
        syms = set()
        for x in (a, b):
            if not isinstance(x, sympy.Set):
                syms |= x.free_symbols
    if len(syms) > 1:
        return None
    var = next(iter(syms)) if syms else sympy.Dummy("x")
    real = sympy.Dummy("r", real=True)

    def to_set(x: sympy.Basic) -> sympy.Set:
        if isinstance(x, sympy.Set):
            return x
        if x is sympy.true:
            return sympy.S.Reals
        if x is sympy.false:
            return sympy.S.EmptySet
        return x.xreplace({var: real}).as_set()

    try:
        with_sets = to_set(a), to_set(b)
    except Exception:  # noqa: BLE001 - SymPy cannot solve it: fall back to other checks
        return None
    if any(isinstance(s, (sympy.ConditionSet, sympy.ImageSet)) for s in with_sets):
        return None
    return with_sets


def _logic_table(a: sympy.Basic, b: sympy.Basic) -> Verdict | None:
    """Propositional formulas in plain symbols: compare truth tables (up to 10 symbols)."""
    atoms = a.atoms(sympy.Symbol) | b.atoms(sympy.Symbol)
    for x in (a, b):
        for sub in sympy.preorder_traversal(x):
            if isinstance(sub, Relational):
                return None
    if len(atoms) > 10:
        return None
    try:
        same = sympy.satisfiable(sympy.Xor(a, b)) is False
    except (TypeError, ValueError):
        return None
    return Verdict(same, "exact")


def _interval_equal(a: sympy.Basic, b: sympy.Basic) -> bool:
    if isinstance(a, sympy.Interval) and isinstance(b, sympy.Interval):
        if a.left_open != b.left_open or a.right_open != b.right_open:
            return False
        return expr_equal(a.start, b.start).equal and expr_equal(a.end, b.end).equal
    return False


def _pm_equiv(a: sympy.Basic, b: sympy.Basic) -> Verdict:
    def expand_pm(x: sympy.Basic) -> sympy.Basic:
        if not _has_pm(x):
            return x
        if isinstance(x, sympy.Eq):
            return sympy.Or(*[sympy.Eq(br.lhs, br.rhs, evaluate=False) for br in _branches(x)])
        return x

    a2, b2 = expand_pm(a), expand_pm(b)
    if not _has_pm(a2) and not _has_pm(b2):
        return equiv(a2, b2)
    ba, bb = _branches(a2), _branches(b2)
    if len(ba) != len(bb):
        return Verdict(False, "structural")
    first = [equiv(x, y) for x, y in zip(ba, bb, strict=True)]
    if all(v.equal for v in first):
        return Verdict(True, first[0].method)
    swapped = [equiv(x, y) for x, y in zip(ba, reversed(bb), strict=True)]
    if all(v.equal for v in swapped):
        return Verdict(True, swapped[0].method)
    return Verdict(False, "structural")


def _logic(a: sympy.Basic, b: sympy.Basic) -> Verdict:
    table = _logic_table(a, b)
    if table is not None:
        return table
    if type(a) is not type(b):
        return Verdict(False, "structural")
    if isinstance(a, BooleanAtom):
        return Verdict(a == b, "structural")
    if isinstance(a, sympy.Not):
        return equiv(a.args[0], b.args[0])
    return sets_equal(list(a.args), list(b.args))


def seq_equal(xs: list[sympy.Basic], ys: list[sympy.Basic]) -> Verdict:
    """Element-wise equivalence of two sequences.

    :param xs: the student's elements.
    :param ys: the teacher's elements.
    :returns: the verdict.
    """
    if len(xs) != len(ys):
        return Verdict(False, "type")
    for x, y in zip(xs, ys, strict=True):
        v = equiv(x, y)
        if not v.equal:
            return v
    return Verdict(True, "structural")


def match_sets(xs: list[sympy.Basic], ys: list[sympy.Basic]) -> tuple[list, list]:
    """Match elements up to equivalence.

    :param xs: the student's elements.
    :param ys: the teacher's elements.
    :returns: (student elements with no partner, teacher elements with no partner).
    """
    left = list(ys)
    extra = []
    for x in xs:
        for i, y in enumerate(left):
            if equiv(x, y).equal:
                del left[i]
                break
        else:
            extra.append(x)
    return extra, left


def sets_equal(xs: list[sympy.Basic], ys: list[sympy.Basic]) -> Verdict:
    """Equivalence of two sets: every element of each has an equivalent in the other.

    :param xs: the student's elements.
    :param ys: the teacher's elements.
    :returns: the verdict.
    """
    for x in xs:
        if not any(equiv(x, y).equal for y in ys):
            return Verdict(False, "structural")
    for y in ys:
        if not any(equiv(x, y).equal for x in xs):
            return Verdict(False, "structural")
    return Verdict(True, "structural")
