"""The answer tree's node type, the name-reading context, and the checks that need no parser."""

from __future__ import annotations

from dataclasses import dataclass

from . import messages as M
from .tokens import OP, Token
from .types import ParseError

MAX_DEPTH = 100


@dataclass(frozen=True, slots=True)
class Node:
    """One node of the answer tree.

    ``kind`` is one of: num, name, const, call, ufunc, op, neg, pos, upm, not, fact, list, set,
    tuple, index, interval, assign. ``value`` holds the number's text, the name, the function
    or the operator; ``args`` the children.
    """

    kind: str
    value: str = ""
    args: tuple[Node, ...] = ()
    pos: int = 0


@dataclass(frozen=True)
class Ctx:
    """How names are read: declared variables and functions, implicit products, leniency."""

    variables: frozenset[str] = frozenset()
    functions: frozenset[str] = frozenset()
    implicit: bool = True
    strict_names: bool = False
    teacher: bool = False
    intervals: bool = False


OPEN_CLOSE = {"(": ")", "[": "]", "{": "}"}


def check_brackets(tokens: list[Token], intervals: bool) -> None:
    """Check bracket balance and nesting depth in one linear pass, before parsing.

    :param tokens: the tokens.
    :param intervals: whether ``(1,2]`` style intervals are allowed (mixed brackets).
    :raises ParseError: on unbalanced or mismatched brackets, or nesting over ``MAX_DEPTH``.
    """
    stack: list[str] = []
    for t in tokens:
        if t.kind != OP:
            continue
        if t.text in OPEN_CLOSE:
            stack.append(t.text)
            if len(stack) > MAX_DEPTH:
                raise ParseError(M.TOO_DEEP, "too_deep", {"limit": str(MAX_DEPTH)})
        elif t.text in (")", "]", "}"):
            if not stack:
                raise ParseError(M.UNBALANCED, "unbalanced", {"bracket": t.text})
            opened = stack.pop()
            want = OPEN_CLOSE[opened]
            mixed_ok = intervals and opened in "([" and t.text in ")]"
            if t.text != want and not mixed_ok:
                raise ParseError(M.MISMATCHED, "unbalanced", {"open": opened, "close": t.text})
    if stack:
        raise ParseError(M.UNBALANCED, "unbalanced", {"bracket": stack[-1]})


def split_name(word: str, variables: frozenset[str]) -> list[str] | None:
    """Split ``word`` into declared variables and constants (longest first).

    :param word: an undeclared name, e.g. ``xy``.
    :param variables: the declared variables.
    :returns: the parts, or ``None`` when it cannot be split.
    """
    known = set(variables) | {"pi", "e"}
    if not variables or not word.isalnum():
        return None
    out: list[str] = []
    i = 0
    while i < len(word):
        for j in range(len(word), i, -1):
            piece = word[i:j]
            if piece in known or (piece.isdigit() and out):
                out.append(piece)
                i = j
                break
        else:
            return None
    return out if len(out) > 1 and not all(p.isdigit() for p in out[1:]) else None


def flatten(node: Node, ops: tuple[str, ...]) -> list[tuple[str, Node]]:
    """Flatten a left-deep chain of binary operators iteratively (no recursion).

    :param node: the chain's root.
    :param ops: the operators that belong to the chain, e.g. ``("+", "-")``.
    :returns: ``(operator, operand)`` pairs in order; the first operator is ``ops[0]``.
    """
    out: list[tuple[str, Node]] = []
    while node.kind == "op" and node.value in ops:
        out.append((node.value, node.args[1]))
        node = node.args[0]
    out.append((ops[0], node))
    out.reverse()
    return out
