"""Write instantiated SymPy values back in the answer syntax the grader parses.

``str()`` is right for ordinary expressions (``**`` is accepted), but not for matrices,
equations or intervals, whose ``str()`` is a Python constructor call (``Matrix([[1, 2]])``,
``Eq(x, 1)``, ``Interval(0, 1)``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy
from sympy.core.relational import Relational
from sympy.matrices import MatrixBase

_RELATIONS = {"==": "=", "!=": "#", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def to_text(value: object) -> str:
    """Return ``value`` in our answer syntax.

    :param value: a SymPy object (or a list/tuple of them).
    :returns: text that :func:`exam_engine.grading.parse` reads back as the same value.
    """
    if isinstance(value, MatrixBase):
        rows = ", ".join(
            "[" + ", ".join(to_text(x) for x in value.row(i)) + "]" for i in range(value.rows)
        )
        return f"matrix({rows})"
    if isinstance(value, Relational):
        return f"{to_text(value.lhs)} {_RELATIONS[value.rel_op]} {to_text(value.rhs)}"
    if isinstance(value, sympy.Interval):
        left = "(" if value.left_open else "["
        right = ")" if value.right_open else "]"
        return f"{left}{to_text(value.start)}, {to_text(value.end)}{right}"
    if isinstance(value, sympy.FiniteSet):
        return "{" + ", ".join(to_text(x) for x in sympy.ordered(value.args)) + "}"
    if isinstance(value, list | tuple | sympy.Tuple):
        return "[" + ", ".join(to_text(x) for x in value) + "]"
    if isinstance(value, sympy.And | sympy.Or):
        joiner = " and " if isinstance(value, sympy.And) else " or "
        return joiner.join(f"({to_text(arg)})" for arg in value.args)
    return str(value)


def choice_answer(answer: str | Sequence[str], input_type: str) -> str:
    """The teacher string of a choice part: one key, or the keys of a multichoice part.

    :param answer: a key or a list of keys.
    :param input_type: ``choice`` or ``multichoice``.
    :returns: ``"B"`` for a single choice, ``"A, C"`` (sorted) for several.
    """
    if isinstance(answer, str):
        return answer
    keys = sorted(answer)
    if input_type == "choice" and len(keys) == 1:
        return keys[0]
    return ", ".join(keys)
