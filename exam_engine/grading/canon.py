"""Canonical keys of answer trees, for the form-sensitive tests (EqualComAss, CasEqual).

Nothing is evaluated: ``2+2`` and ``4`` have different keys. ``eca_key`` is equal for trees
that differ only by commutativity and associativity of ``+``, ``*``, ``and``, ``or``, the
order of set elements and the sides of ``=``; unary minus signs are pulled out of products
(``x*(-y)`` = ``-(x*y)``) but never cancelled (``(-x)*(-x)`` is not ``x*x``).
"""

from __future__ import annotations

from .construct import flatten
from .parser import Node

Key = tuple


def _sorted(keys: list[Key]) -> tuple:
    return tuple(sorted(keys, key=repr))


def _negs(key: Key) -> tuple[int, Key]:
    if key[0] == "negs":
        return key[1], key[2]
    return 0, key


def _wrap(n: int, key: Key) -> Key:
    return ("negs", n, key) if n else key


def _num(text: str) -> Key:
    return ("num", str(int(text)) if text.isdigit() else text.lower())


def eca_key(node: Node) -> Key:
    """The key of a tree up to commutativity and associativity.

    :param node: a parsed tree.
    :returns: a nested tuple; equal keys mean "equal up to commutativity and associativity".
    """
    k = node.kind
    if k == "num":
        return _num(node.value)
    if k in ("name", "const"):
        return (k, node.value)
    if k == "pos":
        return eca_key(node.args[0])
    if k == "neg":
        n, inner = _negs(eca_key(node.args[0]))
        return _wrap(n + 1, inner)
    if k == "op":
        return _op(node)
    if k == "call":
        if node.value == "exp":
            return ("^", (("const", "e"), eca_key(node.args[0])))
        if node.value == "stackeq":
            return eca_key(node.args[0])
        if node.value == "exdowncase":
            return eca_key(_lower(node.args[0]))
        return ("call", node.value, tuple(eca_key(a) for a in node.args))
    if k == "set":
        return ("set", _sorted([eca_key(a) for a in node.args]))
    if k == "not":
        return ("not", eca_key(node.args[0]))
    return (k, node.value, tuple(eca_key(a) for a in node.args))


def _op(node: Node) -> Key:
    v = node.value
    if v in ("+", "-", "#pm#"):
        terms: list[Key] = []
        for sign, sub in flatten(node, ("+", "-", "#pm#")):
            key = eca_key(sub)
            if sign == "-":
                n, inner = _negs(key)
                key = _wrap(n + 1, inner)
            elif sign == "#pm#":
                key = ("pm", key)
            if key[0] == "+":
                terms.extend(key[1])
            else:
                terms.append(key)
        return ("+", _sorted(terms))
    if v in ("*", "/"):
        negs = 0
        factors: list[Key] = []
        for sign, sub in flatten(node, ("*", "/")):
            key = eca_key(sub)
            if sign == "/":
                factors.append(("inv", key))
                continue
            n, inner = _negs(key)
            negs += n
            if inner[0] == "*":
                factors.extend(inner[1])
            else:
                factors.append(inner)
        return _wrap(negs, ("*", _sorted(factors)))
    if v in ("=", "#"):
        return (v, _sorted([eca_key(a) for a in node.args]))
    if v in ("and", "or"):
        return (v, _sorted([eca_key(s) for _, s in flatten(node, (v,))]))
    return (v, tuple(eca_key(a) for a in node.args))


def _lower(node: Node) -> Node:
    if node.kind == "name":
        return Node("name", node.value.lower(), (), node.pos)
    return Node(node.kind, node.value, tuple(_lower(a) for a in node.args), node.pos)


def shape(node: Node) -> str:
    """A string of the tree's exact shape (no commutativity), built without recursion.

    :param node: a parsed tree.
    :returns: a canonical string; equal strings mean "written the same way".
    """
    out: list[str] = []
    stack: list[Node | str] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        value = _num(item.value)[1] if item.kind == "num" else item.value
        out.append(f"({item.kind} {value}")
        stack.append(")")
        for child in reversed(item.args):
            stack.append(child)
    return " ".join(out)


def has_call(node: Node, names: frozenset[str]) -> bool:
    """Whether the tree calls one of ``names``.

    :param node: a parsed tree.
    :param names: function names.
    :returns: ``True`` when one is called.
    """
    stack = [node]
    while stack:
        n = stack.pop()
        if n.kind == "call" and n.value in names:
            return True
        stack.extend(n.args)
    return False
