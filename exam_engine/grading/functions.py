"""The whitelisted functions: each name in ``names.FUNCTIONS`` maps to a builder here.

Builders receive SymPy objects (already built and guarded) and return SymPy objects; the
Maxima helpers that answer keys use (``ratsimp``, ``ev``, ``taylor``...) live here too.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy

from . import messages as M
from .build import (
    binomial,
    factorial,
    gamma,
    guarded_expand,
    matrix_from_rows,
    power,
    too_large,
)
from .names import FUNCTIONS
from .types import ParseError

PREDICATE_NAMES = (  # STACK predicates, built from the tree by construct.py (predicates.py)
    "complex_exponentialp",
    "imag_numberp",
    "integerp",
    "lowesttermsp",
    "scientific_notationp",
    "rationalized",
)


def _log(*a: sympy.Basic) -> sympy.Basic:
    return sympy.log(a[0]) if len(a) == 1 else sympy.log(a[0], a[1])


def _lg(*a: sympy.Basic) -> sympy.Basic:
    return sympy.log(a[0], a[1] if len(a) > 1 else 10)


def _root(*a: sympy.Basic) -> sympy.Basic:
    return sympy.sqrt(a[0]) if len(a) == 1 else power(a[0], 1 / a[1])


def _matrix(*rows: sympy.Basic) -> sympy.Basic:
    if not all(isinstance(r, sympy.Tuple) for r in rows):
        raise ParseError(M.NOT_A_MATRIX, "not_a_matrix")
    return matrix_from_rows([list(r) for r in rows])


def _interval(kind: str) -> Callable[..., sympy.Basic]:
    def make(a: sympy.Basic, b: sympy.Basic) -> sympy.Basic:
        return sympy.Interval(a, b, kind[0] == "o", kind[1] == "o")

    return make


def _diff(*a: sympy.Basic) -> sympy.Basic:
    expr = a[0]
    if len(a) == 1:
        syms = sorted(expr.free_symbols, key=str)
        return sympy.diff(expr, *syms[:1]) if syms else sympy.Integer(0)
    if len(a) == 3 and not (isinstance(a[2], sympy.Integer) and 0 <= int(a[2]) <= 20):
        raise too_large()
    return sympy.diff(expr, *a[1:])


def _integrate(*a: sympy.Basic) -> sympy.Basic:
    if len(a) == 2:
        return sympy.integrate(a[0], a[1])
    if len(a) == 4:
        return sympy.integrate(a[0], (a[1], a[2], a[3]))
    raise ParseError(
        M.WRONG_ARGS, "wrong_args", {"name": "integrate", "expected": "2 or 4", "got": str(len(a))}
    )


def _exdowncase(expr: sympy.Basic) -> sympy.Basic:
    subs = {
        s: sympy.Symbol(s.name.lower()) for s in expr.free_symbols if isinstance(s, sympy.Symbol)
    }
    return expr.xreplace(subs)


def _ratsimp(expr: sympy.Basic) -> sympy.Basic:
    return sympy.cancel(sympy.together(expr)) if isinstance(expr, sympy.Expr) else expr


def _ident(expr: sympy.Basic, *rest: sympy.Basic) -> sympy.Basic:
    return expr


def _sign_minmax(fn: Callable[..., sympy.Basic]) -> Callable[..., sympy.Basic]:
    return lambda *a: fn(*a)


def _round_half_even(x: sympy.Basic) -> sympy.Basic:
    if not (isinstance(x, sympy.Expr) and x.is_number):
        return sympy.Function("round")(x)
    return sympy.Integer(round(sympy.Rational(x) if x.is_Rational else float(x)))


def _sigfigs(x: sympy.Basic, n: sympy.Basic) -> sympy.Basic:
    if not (isinstance(x, sympy.Expr) and x.is_number and isinstance(n, sympy.Integer)):
        raise ParseError(M.BAD_USE, "bad_use", {"what": "significantfigures"})
    k = int(n)
    if not 0 < k < 60:
        raise too_large()
    v = sympy.N(x, 60)
    if v == 0:
        return sympy.Integer(0)
    e = int(sympy.floor(sympy.log(abs(v), 10)))
    scaled = v * sympy.Integer(10) ** (k - 1 - e)
    return sympy.floor(scaled + sympy.Rational(1, 2)) * sympy.Integer(10) ** (e - k + 1)


def _taylor(f: sympy.Basic, x: sympy.Basic, a: sympy.Basic, n: sympy.Basic) -> sympy.Basic:
    if not (isinstance(n, sympy.Integer) and 0 <= int(n) <= 12 and x.is_Symbol):
        raise too_large()
    return sympy.series(f, x, a, int(n) + 1).removeO()


def _set_op(op: type) -> Callable[..., sympy.Basic]:
    def make(*sets: sympy.Basic) -> sympy.Basic:
        if not all(isinstance(s, sympy.Set) for s in sets):
            raise ParseError(M.BAD_USE, "bad_use", {"what": "A union of non-sets"})
        return op(*sets)

    return make


def _subst(eq: sympy.Basic, expr: sympy.Basic) -> sympy.Basic:
    if isinstance(eq, sympy.Eq):
        return expr.subs(eq.lhs, eq.rhs)
    raise ParseError(M.BAD_USE, "bad_use", {"what": "subst"})


def _series(
    kind: type, f: sympy.Basic, n: sympy.Basic, a: sympy.Basic, b: sympy.Basic
) -> sympy.Basic:
    """sum/product: evaluated when short (numeric bounds) or polynomial (closed forms)."""
    if not n.is_Symbol:
        raise ParseError(M.BAD_USE, "bad_use", {"what": "The index of a sum"})
    term = kind(f, (n, a, b))
    if a.is_Integer and b.is_Integer:
        if int(b) - int(a) > 1000:
            return term
        return term.doit()
    finite = not (a.has(sympy.oo, -sympy.oo) or b.has(sympy.oo, -sympy.oo))
    if kind is sympy.Sum and finite and f.is_polynomial(n):
        for sub in sympy.preorder_traversal(f):
            if sub.is_Pow and sub.exp.is_Integer and int(sub.exp) > 20:
                return term
        return term.doit()
    return term


CALLS: dict[str, Callable[..., sympy.Basic]] = {
    "sqrt": lambda a: sympy.sqrt(a),
    "root": _root,
    "exp": lambda a: power(sympy.E, a) if not getattr(a, "is_Matrix", False) else sympy.exp(a),
    "log": _log,
    "ln": lambda a: sympy.log(a),
    "lg": _lg,
    "log10": lambda a: sympy.log(a, 10),
    "log2": lambda a: sympy.log(a, 2),
    "abs": lambda a: sympy.Abs(a),
    "sign": lambda a: sympy.sign(a),
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "sec": sympy.sec,
    "csc": sympy.csc,
    "cot": sympy.cot,
    "asin": sympy.asin,
    "acos": sympy.acos,
    "atan": sympy.atan,
    "asec": sympy.asec,
    "acsc": sympy.acsc,
    "acot": sympy.acot,
    "atan2": sympy.atan2,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "tanh": sympy.tanh,
    "sech": sympy.sech,
    "csch": sympy.csch,
    "coth": sympy.coth,
    "asinh": sympy.asinh,
    "acosh": sympy.acosh,
    "atanh": sympy.atanh,
    "asech": sympy.asech,
    "acsch": sympy.acsch,
    "acoth": sympy.acoth,
    "factorial": factorial,
    "binomial": binomial,
    "gamma": gamma,
    "beta": sympy.beta,
    "floor": sympy.floor,
    "ceiling": sympy.ceiling,
    "max": _sign_minmax(sympy.Max),
    "min": _sign_minmax(sympy.Min),
    "re": sympy.re,
    "im": sympy.im,
    "conjugate": sympy.conjugate,
    "arg": sympy.arg,
    "erf": sympy.erf,
    "mod": sympy.Mod,
    "gcd": sympy.gcd,
    "lcm": sympy.lcm,
    "matrix": _matrix,
    "transpose": lambda m: m.T,
    "determinant": lambda m: m.det(),
    "invert": lambda m: m.inv(),
    "oo": _interval("oo"),
    "cc": _interval("cc"),
    "co": _interval("co"),
    "oc": _interval("oc"),
    "diff": _diff,
    "integrate": _integrate,
    "sum": lambda f, n, a, b: _series(sympy.Sum, f, n, a, b),
    "product": lambda f, n, a, b: _series(sympy.Product, f, n, a, b),
    "expand": guarded_expand,
    "factor": sympy.factor,
    "ratsimp": _ratsimp,
    "fullratsimp": _ratsimp,
    "radcan": _ident,
    "trigsimp": sympy.trigsimp,
    "trigexpand": lambda a: sympy.expand_trig(a),
    "trigreduce": _ident,
    "trigrat": _ident,
    "rectform": lambda a: sympy.expand_complex(a),
    "polarform": _ident,
    "logcontract": lambda a: sympy.logcombine(a, force=True),
    "exdowncase": _exdowncase,
    "ev": _ident,
    "simplify": _ident,
    "stackeq": _ident,
    "nounadd": lambda *a: sympy.Add(*a, evaluate=False),
    "nounmul": lambda *a: sympy.Mul(*a, evaluate=False),
    "subst": lambda eq, expr, _=None: _subst(eq, expr),
    "assume": lambda *a: sympy.true,
    "declare": lambda *a: sympy.true,
    "taylor": _taylor,
    "displaydp": _ident,
    "dispsf": _ident,
    "remove_numerical_inert": _ident,
    "displaysci": lambda x, n, e: x * power(sympy.Integer(10), e),
    "round": _round_half_even,
    "significantfigures": _sigfigs,
    "scientific_notation": _ident,
    **{name: _ident for name in PREDICATE_NAMES},  # built from the tree by construct.py
    "%union": _set_op(sympy.Union),
    "%intersection": _set_op(sympy.Intersection),
}


assert set(CALLS) == set(FUNCTIONS), set(FUNCTIONS) ^ set(CALLS)
