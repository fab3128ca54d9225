"""STACK's predicate functions, for answer keys and the answer-test layer (as in STACK).

STACK authors test the form of an expression with Maxima predicates such as
``lowesttermsp(ans1)``. They look at the expression *as written* (the tree), the way STACK
reads an answer without simplification, and give ``true``/``false`` (``rationalized`` gives
the list of surds left in denominators). They are refused in candidate answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sympy

from .tree import Node, flatten

Build = Callable[[Node], sympy.Basic]
_SURD_CALLS = frozenset({"sqrt", "root"})


def _truth(value: bool) -> sympy.Basic:
    return sympy.true if value else sympy.false


def _factors(node: Node) -> tuple[list[Node], list[Node]]:
    """Numerator and denominator factors of a written product/quotient."""
    top: list[Node] = []
    bottom: list[Node] = []
    for sign, sub in flatten(node, ("*", "/")):
        (bottom if sign == "/" else top).append(sub)
    return top, bottom


def _is_exp(node: Node) -> Node | None:
    """The exponent of ``exp(z)`` or ``e^z`` as written, else ``None``."""
    if node.kind == "call" and node.value == "exp":
        return node.args[0]
    if node.kind == "op" and node.value == "^" and node.args[0].kind == "const":
        return node.args[1] if node.args[0].value == "e" else None
    return None


def complex_exponentialp(args: Sequence[Node], build: Build) -> sympy.Basic:
    """``r*e^(i*t)`` with a positive real ``r`` and ``-pi < t <= pi``, as written."""
    top, bottom = _factors(args[0])
    angles = 0
    for factor in top + bottom:
        exponent = _is_exp(factor)
        if exponent is not None:
            z = build(exponent)
            if z.is_number and sympy.re(z) == 0 and z != 0:
                t = sympy.im(z) if factor in top else -sympy.im(z)
                if not (-sympy.pi < t <= sympy.pi) or angles:
                    return sympy.false
                angles += 1
                continue
        value = build(factor)
        if not (isinstance(value, sympy.Expr) and value.is_positive is True):
            return sympy.false
    return sympy.true


def imag_numberp(args: Sequence[Node], build: Build) -> sympy.Basic:
    """A purely imaginary number (``2*i``, ``e^(i*pi/2)``)."""
    v = build(args[0])
    if not (isinstance(v, sympy.Expr) and v.is_number):
        return sympy.false
    return _truth(sympy.re(v) == 0 and sympy.im(v) != 0)


def integerp(args: Sequence[Node], build: Build) -> sympy.Basic:
    """An integer as written (``-1`` is a negation of one until simplified by ``ev``)."""
    node = args[0]
    if node.kind == "num":
        return _truth(node.value.isdigit())
    if node.kind == "neg":
        return sympy.false
    return _truth(isinstance(build(node), sympy.Integer))


def lowesttermsp(args: Sequence[Node], build: Build) -> sympy.Basic:
    """No common factor between the written numerator and denominator (``2/6`` is not)."""
    node = args[0]
    while node.kind == "neg":
        node = node.args[0]
    top, bottom = _factors(node)
    if not bottom:
        return sympy.true
    if top and top[0].kind == "neg" and bottom[0].kind == "neg":
        return sympy.false  # -y/-x
    num = sympy.Mul(*[build(f) for f in top]) if top else sympy.Integer(1)
    den = sympy.Mul(*[build(f) for f in bottom])
    return _truth(abs(sympy.gcd(num, den)) == 1)


def scientific_notationp(args: Sequence[Node], build: Build) -> sympy.Basic:
    """``m*10^n`` as written, with ``1 <= |m| < 10`` and an integer ``n``."""
    node = args[0]
    if node.kind == "neg":
        node = node.args[0]
    if not (node.kind == "op" and node.value == "*" and node.args[0].kind == "num"):
        return sympy.false
    power = node.args[1]
    if not (power.kind == "op" and power.value == "^" and power.args[0].value == "10"):
        return sympy.false
    mantissa, exponent = build(node.args[0]), build(power.args[1])
    return _truth(1 <= abs(mantissa) < 10 and isinstance(exponent, sympy.Integer))


def rationalized(args: Sequence[Node], build: Build) -> sympy.Basic:
    """``true`` when no denominator holds a surd or ``i``; else the list of those found."""
    found: list[sympy.Basic] = []
    stack = [args[0]]
    while stack:
        node = stack.pop()
        if node.kind == "op" and node.value == "/":
            stack.append(node.args[0])
            found.extend(build(s) for s in _surds(node.args[1]))
            continue
        stack.extend(reversed(node.args))
    return sympy.Tuple(*found) if found else sympy.true


def _surds(node: Node) -> list[Node]:
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n.kind == "call" and n.value in _SURD_CALLS or n.kind == "const" and n.value == "i":
            out.append(n)
        elif (
            n.kind == "op" and n.value == "^" and n.args[1].kind == "op" and n.args[1].value == "/"
        ):
            out.append(n)
        else:
            stack.extend(reversed(n.args))
    return out


PREDICATES: dict[str, Callable[[Sequence[Node], Build], sympy.Basic]] = {
    "complex_exponentialp": complex_exponentialp,
    "imag_numberp": imag_numberp,
    "integerp": integerp,
    "lowesttermsp": lowesttermsp,
    "scientific_notationp": scientific_notationp,
    "rationalized": rationalized,
}
