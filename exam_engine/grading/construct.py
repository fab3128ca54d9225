"""Walk a :class:`~.parser.Node` tree and construct the SymPy object it stands for."""

from __future__ import annotations

import sympy
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanAtom, BooleanFunction

from . import messages as M
from .build import CONSTS, PM, RELATIONS, BuildOptions, matrix_from_rows, number, power
from .definitions import build_definition
from .functions import CALLS
from .names import FUNCTIONS
from .parser import Node
from .predicates import PREDICATES
from .tree import flatten
from .types import ParseError

_SET_OPS = {"union": sympy.Union, "intersect": sympy.Intersection}
_LOGIC_OPS = {
    "implies": sympy.Implies,
    "xor": sympy.Xor,
    "xnor": lambda a, b: sympy.Not(sympy.Xor(a, b)),
}
_FLAGGED = frozenset(  # Maxima simplifiers whose extra arguments are flags: ignored
    {
        "ratsimp",
        "fullratsimp",
        "radcan",
        "trigsimp",
        "trigexpand",
        "trigreduce",
        "trigrat",
        "rectform",
        "polarform",
        "logcontract",
        "factor",
    }
)
_ANY_ARGS = frozenset(
    {
        "matrix",
        "max",
        "min",
        "ev",
        "stackeq",
        "transpose",
        "determinant",
        "invert",
        "expand",
        "factor",
        "ratsimp",
        "fullratsimp",
        "trigsimp",
        "radcan",
        "trigrat",
        "trigreduce",
        "trigexpand",
        "rectform",
        "polarform",
        "logcontract",
        "simplify",
        "exdowncase",
        "assume",
        "declare",
        "%union",
        "%intersection",
        "remove_numerical_inert",
        "displaydp",
        "dispsf",
        "scientific_notation",
        "subst",
    }
)


def to_sympy(node: Node, opts: BuildOptions | None = None) -> sympy.Basic:
    """Construct the SymPy object for a tree.

    :param node: the tree from :func:`~.parser.parse_tree`.
    :param opts: how to build floats and matrices.
    :returns: the SymPy object.
    :raises ParseError: when the tree is well-formed but meaningless (``{1}+2``, a wrong
        number of arguments, a division by zero) or too expensive to build.
    """
    opts = opts or BuildOptions()
    try:
        result = _build(node, opts)
    except ParseError:
        raise
    except (TypeError, ValueError, AttributeError, IndexError, NotImplementedError) as exc:
        raise ParseError(M.BAD_USE, "bad_use", {"what": _what(exc)}) from None
    except (RecursionError, MemoryError, OverflowError):
        raise ParseError(M.NUMBER_TOO_LARGE, "too_large") from None
    if isinstance(result, sympy.Basic) and result.has(sympy.zoo, sympy.nan):
        raise ParseError(M.UNDEFINED, "undefined")
    return result


def _what(exc: Exception) -> str:
    return "This combination of objects"


def _expr(x: sympy.Basic, what: str | None = None) -> sympy.Expr:
    if isinstance(x, sympy.Expr) or getattr(x, "is_Matrix", False):
        return x
    raise ParseError(M.BAD_USE, "bad_use", {"what": what or "A set, list or equation"})


def _is_vector(x: sympy.Basic) -> bool:
    """A list of scalars, which does arithmetic entry by entry as in Maxima (``2*[1,1]``)."""
    return isinstance(x, sympy.Tuple) and len(x) > 0 and all(isinstance(a, sympy.Expr) for a in x)


def _scale(vector: sympy.Basic, factor: sympy.Basic) -> sympy.Tuple:
    return sympy.Tuple(*[factor * a for a in vector])


def _vector_sum(terms: list[sympy.Basic]) -> sympy.Tuple:
    """``[1,2]+[3,4]`` entry by entry; a scalar added to a list is refused (Maxima adds it to
    every entry, which hides mistakes)."""
    if not all(_is_vector(t) for t in terms):
        raise ParseError(M.BAD_USE, "bad_use", {"what": "A sum of a list and a number"})
    if len({len(t) for t in terms}) != 1:
        raise ParseError(M.BAD_USE, "bad_use", {"what": "A sum of lists of different lengths"})
    return sympy.Tuple(*[sympy.Add(*entries) for entries in zip(*terms, strict=True)])


def _build(node: Node, opts: BuildOptions) -> sympy.Basic:
    kind = node.kind
    if kind == "num":
        return number(node.value, opts.exact_floats)
    if kind == "name":
        return sympy.Symbol(node.value)
    if kind == "const":
        return CONSTS[node.value]
    if kind == "op":
        return _op(node, opts)
    if kind == "neg":
        inner = _build(node.args[0], opts)
        if _is_vector(inner):
            return sympy.Tuple(*[-_expr(x) for x in inner])
        return -_expr(inner)
    if kind == "pos":
        return _expr(_build(node.args[0], opts))
    if kind == "upm":
        return PM * _expr(_build(node.args[0], opts))
    if kind == "not":
        return sympy.Not(_build(node.args[0], opts))
    if kind == "fact":
        return CALLS["factorial"](_expr(_build(node.args[0], opts)))
    if kind in ("call", "ufunc"):
        return _call(node, opts)
    if kind == "tuple" and all(
        (a.kind == "call" and a.value in ("assume", "declare"))
        or (a.kind == "op" and a.value == ":")
        for a in node.args[:-1]
    ):
        return _build(node.args[-1], opts)  # Maxima's (assume(a>0), expr): the last value
    if kind in ("list", "tuple"):
        items = [_build(a, opts) for a in node.args]
        if (
            opts.matrices
            and kind == "list"
            and items
            and all(isinstance(x, sympy.Tuple) for x in items)
        ):
            return matrix_from_rows([list(x) for x in items])
        return sympy.Tuple(*items)
    if kind == "set":
        return sympy.FiniteSet(*[_build(a, opts) for a in node.args])
    if kind == "index":
        inner = ",".join(_index_text(a) for a in node.args)
        return sympy.Symbol(f"{node.value}[{inner}]")
    if kind == "interval":
        a, b = (_expr(_build(x, opts)) for x in node.args)
        return sympy.Interval(a, b, node.value[0] == "o", node.value[1] == "o")
    raise ParseError(M.BAD_USE, "bad_use", {"what": node.value or kind})


def _index_text(node: Node) -> str:
    if node.kind in ("num", "name"):
        return node.value
    if node.kind == "neg" and node.args[0].kind == "num":
        return "-" + node.args[0].value
    raise ParseError(M.BAD_USE, "bad_use", {"what": "This subscript"})


def _op(node: Node, opts: BuildOptions) -> sympy.Basic:
    op = node.value
    if op in ("+", "-", "#pm#"):
        terms: list[sympy.Basic] = []
        for sign, sub in flatten(node, ("+", "-", "#pm#")):
            value = _build(sub, opts)
            if isinstance(value, sympy.Set) and len(terms) == 0 and sign == "+":
                terms.append(value)
                continue
            if _is_vector(value):
                terms.append(_scale(value, -1 if sign == "-" else PM if sign == "#pm#" else 1))
                continue
            value = _expr(value)
            terms.append(-value if sign == "-" else PM * value if sign == "#pm#" else value)
        if any(isinstance(t, sympy.Set) for t in terms):
            raise ParseError(M.BAD_USE, "bad_use", {"what": "A set"})
        if any(_is_vector(t) for t in terms):
            return _vector_sum(terms)
        return sympy.Add(*terms)
    if op in ("*", "/"):
        factors: list[sympy.Basic] = []
        for sign, sub in flatten(node, ("*", "/")):
            built = _build(sub, opts)
            if _is_vector(built) and sign == "*":
                factors.append(built)
                continue
            value = _expr(built, "Division by a list" if _is_vector(built) else None)
            if sign == "/":
                if value.is_zero is True:
                    raise ParseError(M.DIVISION_BY_ZERO, "division_by_zero")
                if getattr(value, "is_Matrix", False):
                    raise ParseError(M.BAD_USE, "bad_use", {"what": "Division by a matrix"})
                value = power(value, sympy.Integer(-1))
            factors.append(value)
        return _product(factors)
    if op == "^":
        base = _expr(_build(node.args[0], opts))
        return power(base, _expr(_build(node.args[1], opts)))
    if op == ":=":
        return build_definition(node.args[0], _build(node.args[1], opts))
    if op in RELATIONS:
        lhs, rhs = (_build(a, opts) for a in node.args)
        if _is_condition(lhs) or _is_condition(rhs):
            raise ParseError(M.BAD_USE, "bad_use", {"what": "A chain of relations"})
        return RELATIONS[op](lhs, rhs, evaluate=False)
    if op in ("and", "or"):
        parts = [_boolean(_build(sub, opts)) for _, sub in flatten(node, (op,))]
        return (sympy.And if op == "and" else sympy.Or)(*parts)
    if op in _LOGIC_OPS:
        a, b = (_boolean(_build(x, opts)) for x in node.args)
        return _LOGIC_OPS[op](a, b)
    if op in _SET_OPS:
        a, b = (_build(x, opts) for x in node.args)
        if not (isinstance(a, sympy.Set) and isinstance(b, sympy.Set)):
            raise ParseError(M.BAD_USE, "bad_use", {"what": "A union of non-sets"})
        return _SET_OPS[op](a, b)
    raise ParseError(M.BAD_USE, "bad_use", {"what": op})


def _is_condition(x: sympy.Basic) -> bool:
    return isinstance(x, (Relational, BooleanFunction, BooleanAtom, sympy.Set))


def _boolean(x: sympy.Basic) -> sympy.Basic:
    if _is_condition(x) or isinstance(x, sympy.Symbol):
        return x
    raise ParseError(M.BAD_USE, "bad_use", {"what": "and/or between non-conditions"})


def _product(factors: list[sympy.Basic]) -> sympy.Basic:
    vectors = [f for f in factors if _is_vector(f)]
    if vectors:
        if len({len(v) for v in vectors}) != 1 or any(
            getattr(f, "is_Matrix", False) for f in factors
        ):
            raise ParseError(
                M.BAD_USE, "bad_use", {"what": "A product of lists of different lengths"}
            )
        scalar = sympy.Mul(*[f for f in factors if not _is_vector(f)])
        entries = [sympy.Mul(*column) for column in zip(*vectors, strict=True)]
        return sympy.Tuple(*[scalar * e for e in entries])  # entry by entry, as in Maxima
    if any(getattr(f, "is_Matrix", False) for f in factors):
        out = factors[0]
        for f in factors[1:]:
            out = out * f
        return out
    return sympy.Mul(*factors)


def _call(node: Node, opts: BuildOptions) -> sympy.Basic:
    name = node.value
    if name == "ev" or name in _FLAGGED:
        args = [a for a in node.args[:1]]
    else:
        args = list(node.args)
    if name in ("assume", "declare"):
        return sympy.true
    if any(a.kind == "op" and a.value == ":" for a in args):
        raise ParseError(M.BAD_USE, "bad_use", {"what": ":"})
    if name in PREDICATES:
        return PREDICATES[name](node.args, lambda n: _build(n, opts))
    if node.kind == "ufunc":
        values = [_build(a, opts) for a in args]
        return sympy.Function(name)(*values)
    low, high = FUNCTIONS[name]
    if not low <= len(args) <= high:
        raise ParseError(
            M.WRONG_ARGS,
            "wrong_args",
            {
                "name": name,
                "expected": str(low) if low == high else f"{low}-{high}",
                "got": str(len(args)),
            },
        )
    values = [_build(a, opts) for a in args]
    if name not in _ANY_ARGS:
        values = [_expr(v, f"A set, list or equation inside {name}()") for v in values]
    return CALLS[name](*values)
