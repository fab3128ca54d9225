"""Rules for what a candidate may type, beyond syntax: the candidate does the mathematics.

Answer keys may use any command the grader knows (``diff``, ``integrate``, ``invert``...), but a
candidate's answer that contains one would let the CAS do the work the question asks for: such
commands are refused unless the part lists them in ``allowed_commands``. Likewise a product of
two matrices or vectors (``[[3,1],[0,4]]*[[1,2],[-1,1]]``) or a power of a matrix is refused
unless the part sets ``allow_matrix_product``.
"""

from __future__ import annotations

import re

from . import messages as M
from .names import CAS_COMMANDS, STUDENT_HIDDEN, command_name
from .tree import Node
from .types import ParseError, PartSettings

_WORD = re.compile(r"%?[A-Za-z_][A-Za-z0-9_]*")
_MATRIX_CALLS = frozenset({"matrix", "transpose", "invert"})
_REFUSED = CAS_COMMANDS | STUDENT_HIDDEN  # also assume(...), ev(...): keys only


def check_candidate(tree: Node, text: str, settings: PartSettings) -> None:
    """Refuse CAS commands and matrix products a part does not allow in candidate answers.

    :param tree: the parsed answer.
    :param text: the normalised text the tree was parsed from (to quote what was typed).
    :param settings: the part's settings (``allowed_commands``, ``allow_matrix_product``).
    :raises ParseError: ``cas_command`` or ``matrix_product``.
    """
    allowed = frozenset(command_name(w) for w in settings.allowed_commands)
    stack = [tree]
    while stack:
        node = stack.pop()
        stack.extend(node.args)
        if node.kind == "call" and node.value in _REFUSED and node.value not in allowed:
            m = _WORD.match(text, node.pos)
            raise ParseError(
                M.CAS_COMMAND, "cas_command", {"name": m.group(0) if m else node.value}
            )
        if settings.allow_matrix_product or node.kind != "op":
            continue
        if node.value == "*" and sum(map(nonscalar, _factors(node))) >= 2:
            raise ParseError(M.MATRIX_PRODUCT, "matrix_product")
        if node.value == "^" and nonscalar(node.args[0]):
            raise ParseError(M.MATRIX_PRODUCT, "matrix_product")


def _factors(node: Node) -> list[Node]:
    """The factors of a chain of ``*`` (divisions by a matrix are refused when building)."""
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n.kind == "op" and n.value == "*":
            stack.extend(n.args)
        else:
            out.append(n)
    return out


def nonscalar(node: Node) -> bool:
    """Whether a subtree is, by its shape, a matrix or a vector (a list, ``matrix(...)``...).

    :param node: the subtree.
    :returns: ``True`` for lists, matrices, and sums, products and negatives of them.
    """
    while node.kind in ("neg", "pos"):
        node = node.args[0]
    if node.kind == "list":
        return True
    if node.kind == "call":
        return node.value in _MATRIX_CALLS
    if node.kind == "op" and node.value in ("+", "-", "*", "/"):
        return any(nonscalar(a) for a in node.args)
    if node.kind == "op" and node.value == "^":
        return nonscalar(node.args[0])
    return False
