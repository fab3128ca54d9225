"""``assume(...)`` and ``declare(...)`` in answer keys, used as real assumptions.

STACK keys such as ``(assume(a>0), a*sqrt(5))`` rely on Maxima's assumptions: with ``a > 0``,
``sqrt(5*a^2)`` is ``a*sqrt(5)``. We read the assumptions from the tree and replace the
assumed names, in both answers, by SymPy symbols that carry them:

* ``a > 0``, ``a >= 0``, ``a < 0``, ``a <= 0`` (either side): a positive, nonnegative, negative or
  nonpositive symbol;
* ``a > c`` or ``a < c`` for a number ``c``: ``c + p`` or ``c - p`` with ``p`` positive (so
  ``(assume(x>2), ((x-2)^2)^k)`` is ``(x-2)^(2*k)``);
* ``declare(n, integer)`` (also ``real``, ``even``, ``odd``): an integer (real...) symbol.
"""

from __future__ import annotations

import sympy

from .tree import Node

_KINDS = {
    ">": "positive",
    ">=": "nonnegative",
    "<": "negative",
    "<=": "nonpositive",
}
_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">="}
_DECLARED = {"integer": "integer", "real": "real", "even": "even", "odd": "odd"}


def _number(node: Node) -> sympy.Rational | None:
    if node.kind == "num" and node.value.isdigit():
        return sympy.Integer(int(node.value))
    if node.kind == "neg" and node.args[0].kind == "num" and node.args[0].value.isdigit():
        return -sympy.Integer(int(node.args[0].value))
    return None


def _relation(node: Node, out: dict[sympy.Symbol, sympy.Expr]) -> None:
    if node.kind == "op" and node.value == "and":
        for arg in node.args:
            _relation(arg, out)
        return
    if node.kind != "op" or node.value not in _KINDS:
        return
    lhs, rhs, op = node.args[0], node.args[1], node.value
    if lhs.kind != "name":
        lhs, rhs, op = rhs, lhs, _FLIP[op]
    bound = _number(rhs)
    if lhs.kind != "name" or bound is None:
        return
    name = lhs.value
    if bound == 0:
        out[sympy.Symbol(name)] = sympy.Symbol(name, **{_KINDS[op]: True})
    elif op in (">", "<"):
        offset = sympy.Symbol(f"{name}_", positive=True)
        out[sympy.Symbol(name)] = bound + offset if op == ">" else bound - offset


def assumed(tree: Node) -> dict[sympy.Symbol, sympy.Expr]:
    """The replacements that ``assume``/``declare`` calls in a tree ask for.

    :param tree: a parsed answer (usually a key).
    :returns: plain symbol -> symbol with assumptions (or a shifted positive symbol).
    """
    out: dict[sympy.Symbol, sympy.Expr] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        stack.extend(node.args)
        if node.kind != "call":
            continue
        if node.value == "assume":
            for arg in node.args:
                _relation(arg, out)
        elif node.value == "declare" and len(node.args) == 2:
            name, kind = node.args
            if name.kind == "name" and kind.kind == "name" and kind.value in _DECLARED:
                out[sympy.Symbol(name.value)] = sympy.Symbol(
                    name.value, **{_DECLARED[kind.value]: True}
                )
    return out


def apply(value: sympy.Basic, replacements: dict[sympy.Symbol, sympy.Expr]) -> sympy.Basic:
    """A value with the assumed names replaced (re-evaluated under the assumptions).

    :param value: a built answer.
    :param replacements: from :func:`assumed`.
    :returns: the value under the assumptions.
    """
    return value.xreplace(replacements) if replacements else value
