"""An answer key written back in the syntax candidates type (``x^2``, ``e^(-3*x)``, ``ln``).

Answer keys are stored in SymPy's spelling (``x**2*exp(-3*x)``, ``log(3)``, ``oo``): fine for the
grader, foreign to a committee comparing a key with what a candidate typed. This prints the
key's tree (the same tree the echo renders) in candidate syntax; reading the printed text back
gives the same tree shape, so the mark does not depend on which spelling one looks at.
"""

from __future__ import annotations

from .construct import flatten
from .latex import _PREC, _REL_TEX, to_latex
from .latex import _prec as _latex_prec
from .normalise import normalise
from .parser import Node, parse_tree
from .types import ParseError, PartSettings
from .validation import teacher_ctx

_RELATIONS = set(_REL_TEX)
_CONSTANTS = {"inf": "inf", "minf": "-inf"}


def _prec(node: Node) -> int:
    """How tightly ``node`` binds as typed: the echo's rule (``latex._prec``), except that
    ``-inf`` is a negation and ``exp(x)`` is printed as a power."""
    if node.kind == "const" and node.value == "minf":
        return _PREC["neg"]
    if node.kind == "call" and node.value == "exp" and len(node.args) == 1:
        return _PREC["^"]  # printed as e^(...)
    return _latex_prec(node)


def _wrap(node: Node, min_prec: int, matrix: bool) -> str:
    text = to_typed(node, matrix)
    return f"({text})" if _prec(node) < min_prec else text


def to_typed(node: Node, matrix: bool = False) -> str:
    """Print a tree in candidate syntax.

    :param node: a parsed answer (see :func:`.parser.parse_tree`).
    :param matrix: print ``matrix([1,2],[3,4])`` as ``[[1, 2], [3, 4]]`` (matrix parts).
    :returns: text a candidate could type for the same answer.
    """
    kind, value, args = node.kind, node.value, node.args
    if kind in ("num", "name"):
        return value
    if kind == "const":
        return _CONSTANTS.get(value, value)
    if kind == "op":
        return _op(node, matrix)
    if kind in ("neg", "pos", "upm"):
        sign = {"neg": "-", "pos": "+", "upm": "+-"}[kind]
        return sign + _wrap(args[0], _PREC["neg"] + 1, matrix)
    if kind == "not":
        return "not " + _wrap(args[0], _PREC["not"], matrix)
    if kind == "fact":
        return _wrap(args[0], _PREC["atom"], matrix) + "!"
    inner = ", ".join(to_typed(a, matrix) for a in args)
    if kind in ("call", "ufunc"):
        return _call(node, inner, matrix)
    if kind == "list":
        return f"[{inner}]"
    if kind == "set":
        return "{" + inner + "}"
    if kind == "tuple":
        return f"({inner})"
    if kind == "index":
        return f"{value}[{inner}]"
    if kind == "interval":
        left = "(" if value[0] == "o" else "["
        right = ")" if value[1] == "o" else "]"
        return f"{left}{inner}{right}"
    if kind == "assign" and len(args) == 2:
        return f"{to_typed(args[0], matrix)}: {to_typed(args[1], matrix)}"
    return value


def _op(node: Node, matrix: bool) -> str:
    value, args = node.value, node.args
    if value in ("+", "-", "#pm#"):
        out = []
        for i, (sign, sub) in enumerate(flatten(node, ("+", "-", "#pm#"))):
            text = _wrap(sub, _PREC["+"] + (1 if i else 0), matrix)
            out.append(text if i == 0 else {"+": " + ", "-": " - ", "#pm#": " +- "}[sign] + text)
        return "".join(out)
    if value in ("*", "/"):
        out = []
        for i, (sign, sub) in enumerate(flatten(node, ("*", "/"))):
            # A negative factor after the first is bracketed: 2*(-x), not 2*-x.
            text = _wrap(sub, _PREC["*"] if i == 0 else _PREC["neg"] + 1, matrix)
            out.append(text if i == 0 else sign + text)
        return "".join(out)
    if value == "^":
        base, power = args
        exponent = to_typed(power, matrix)
        if _prec(power) < _PREC["atom"] or power.kind == "num" and "." in power.value:
            exponent = f"({exponent})"
        return f"{_wrap(base, _PREC['^'] + 1, matrix)}^{exponent}"
    if value in _RELATIONS:
        return f"{to_typed(args[0], matrix)} {value} {to_typed(args[1], matrix)}"
    if value in ("and", "or"):
        joined = flatten(node, (value,))
        return f" {value} ".join(_wrap(s, _PREC[value] + 1, matrix) for _, s in joined)
    if value in ("union", "intersect"):
        return f" {value} ".join(_wrap(a, _PREC["set"] + 1, matrix) for a in args)
    return value


def _call(node: Node, inner: str, matrix: bool) -> str:
    name, args = node.value, node.args
    if name == "exp" and len(args) == 1:
        return f"e^{inner}" if _prec(args[0]) == _PREC["atom"] else f"e^({inner})"
    if name == "log" and len(args) == 1:
        return f"ln({inner})"
    if name == "matrix" and matrix and all(a.kind == "list" for a in args):
        return f"[{inner}]"
    return f"{name}({inner})"


def typed_key(key: str, settings: PartSettings) -> str:
    """An answer key in candidate syntax; the key unchanged when it cannot be read.

    :param key: the key as stored (SymPy's spelling).
    :param settings: the part's settings (how names are read, whether it is a matrix part).
    :returns: the key as a candidate would type it.
    """
    return key_forms(key, settings)[0]


def key_forms(key: str, settings: PartSettings) -> tuple[str, str | None]:
    """An answer key in candidate syntax and as LaTeX (the echo's rendering of its tree).

    :returns: ``(typed, latex)``; ``latex`` is ``None`` for choice and text parts and for a
        key that cannot be read (then ``typed`` is the key unchanged).
    """
    if settings.input_type in ("choice", "multichoice", "string"):
        return key, None
    try:
        tree, _ = parse_tree(normalise(key).strip(), teacher_ctx(settings))
    except (ParseError, RecursionError):
        return key, None
    matrix = settings.input_type == "matrix"
    return to_typed(tree, matrix=matrix), to_latex(tree)
