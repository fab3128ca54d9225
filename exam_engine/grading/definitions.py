"""Function definitions ``f(x) := x^2`` (Maxima's ``:=``), in answers and answer keys.

A definition is built as the inert call ``%define(f, (x,), x^2)``. Two definitions are
equivalent when they define the same function name with the same number of parameters and
their bodies are equivalent once the parameters are matched in order (``f(y):=y^2`` is
``f(x):=x^2``), as STACK's AlgEquiv decides.
"""

from __future__ import annotations

import sympy
from sympy.core.function import AppliedUndef

from . import messages as M
from .tree import Node
from .types import ParseError

DEFINE = sympy.Function("%define")


def build_definition(lhs: Node, body: sympy.Basic) -> sympy.Basic:
    """The value of ``lhs := body``.

    :param lhs: the tree left of ``:=``: a call of a function on distinct names.
    :param body: the built right-hand side.
    :returns: the inert definition.
    :raises ParseError: when the left-hand side is not ``name(param, ...)``.
    """
    params = [a.value for a in lhs.args]
    if (
        lhs.kind not in ("ufunc", "call")
        or not all(a.kind == "name" for a in lhs.args)
        or len(set(params)) != len(params)
    ):
        raise ParseError(M.BAD_USE, "bad_use", {"what": ":="})
    symbols = [sympy.Symbol(p) for p in params]
    return DEFINE(sympy.Symbol(lhs.value), sympy.Tuple(*symbols), body)


def is_definition(x: object) -> bool:
    """Whether a value is a function definition built by :func:`build_definition`.

    :param x: a built value.
    :returns: ``True`` for ``%define(...)``.
    """
    return isinstance(x, AppliedUndef) and x.func == DEFINE


def matched_bodies(sa: sympy.Basic, ta: sympy.Basic) -> tuple[sympy.Basic, sympy.Basic] | None:
    """The two bodies with the student's parameters renamed to the teacher's, or ``None`` when
    the two are not definitions of the same name and arity.

    :param sa: the student's value.
    :param ta: the teacher's value.
    :returns: the bodies to compare, or ``None`` (not equivalent).
    """
    if not (is_definition(sa) and is_definition(ta)):
        return None
    s_name, s_params, s_body = sa.args
    t_name, t_params, t_body = ta.args
    if s_name != t_name or len(s_params) != len(t_params):
        return None
    dummies = [sympy.Dummy() for _ in s_params]
    s_body = s_body.xreplace(dict(zip(s_params, dummies, strict=True)))
    t_body = t_body.xreplace(dict(zip(t_params, dummies, strict=True)))
    return s_body, t_body
