"""Calculus tests: Int, Antidiff, AddConst, Diff."""

from __future__ import annotations

import sympy

from .. import messages as M
from ..equivalence import expr_equal
from ..structures import kind_of
from ..validation import Answer
from .base import Outcome, TestError, option_list, register

_FLAGS = ("NOCONST", "FORMAL", "NONSTRICT")


def _variable_and_flags(
    opt: sympy.Basic | None, test: str, many: bool = False
) -> tuple[list[sympy.Symbol], set[str]]:
    if opt is None:
        raise TestError(f"The test {test} needs the variable as option.", "STACKERROR_OPTION.")
    variables: list[sympy.Symbol] = []
    flags: set[str] = set()
    for item in option_list(opt):
        if isinstance(item, sympy.Symbol) and item.name in _FLAGS:
            flags.add(item.name)
        elif isinstance(item, sympy.Symbol):
            variables.append(item)
        else:
            raise TestError("Options must be variables", f"AT{test}_STACKERROR_Opt.")
    if not variables or (len(variables) > 1 and not many):
        raise TestError("Options must name the variable", f"AT{test}_STACKERROR_Opt.")
    return variables, flags


def _expr(answer: Answer, test: str, who: str) -> sympy.Expr:
    value = answer.value
    if kind_of(value) != "expression":
        raise _NotExpression(f"AT{test}_{who}_not_expression.")
    return value


class _NotExpression(Exception):
    pass


def formal_diff(expr: sympy.Expr, x: sympy.Symbol) -> sympy.Expr:
    """d/dx with log(|u|) read as log(u) (the same derivative u'/u), as STACK does.

    :param expr: an expression.
    :param x: the variable.
    :returns: the derivative.
    """
    plain = expr.replace(
        lambda e: isinstance(e, sympy.log) and e.args[0].has(sympy.Abs),
        lambda e: sympy.log(e.args[0].replace(sympy.Abs, lambda u: u)),
    )
    return sympy.diff(plain, x)


def _equal(a: sympy.Basic, b: sympy.Basic) -> bool:
    return expr_equal(a, b).equal


def _logs(expr: sympy.Basic) -> tuple[bool, bool]:
    """(has log(abs(..)), has log(something that is not abs(..)))."""
    with_abs = without = False
    for sub in sympy.preorder_traversal(expr):
        if isinstance(sub, sympy.log):
            if sub.args[0].has(sympy.Abs):
                with_abs = True
            else:
                without = True
    return with_abs, without


def _constants(
    sa: sympy.Expr, dsa: sympy.Expr, x: sympy.Symbol, fixed: set[sympy.Basic]
) -> list[sympy.Symbol]:
    out = []
    for s in sorted(sa.free_symbols - {x} - fixed, key=str):
        if s not in dsa.free_symbols or _equal(sympy.diff(dsa, s), 0):
            out.append(s)
    return out


def _weird(sa: sympy.Expr, c: sympy.Symbol) -> bool:
    try:
        g = sympy.diff(sa, c).subs(c, 0)
    except (TypeError, ValueError):
        return False
    return g == 0


@register("Int", options="required")
def t_int(sa: Answer, ta: Answer, opt: sympy.Basic | None, raw_opt: str | None) -> Outcome:
    """Int: the student's answer is an antiderivative of the key's derivative, with a constant.

    Options: ``x``, ``[x, NOCONST]`` (condone a missing constant), ``[x, FORMAL]`` (only the
    derivatives are compared).
    """
    (x,), flags = _variable_and_flags(opt, "Int")
    try:
        s, t = _expr(sa, "Int", "SA"), _expr(ta, "Int", "TA")
    except _NotExpression as exc:
        return Outcome(False, str(exc))
    ds, dt = formal_diff(s, x), formal_diff(t, x)
    if not _equal(ds, dt):
        if _equal(s, dt):
            return Outcome(False, "ATInt_diff.")
        return Outcome(False, "ATInt_generic.")
    if "FORMAL" in flags:
        return Outcome(True, "ATInt_true_formal.")
    s_abs, s_plain = _logs(s)
    t_abs, _ = _logs(t)
    if t_abs and s_plain:
        return Outcome(False, "ATInt_logabs.")
    if s_abs and s_plain:
        return Outcome(False, "ATInt_logabs_inconsistent.")
    consts = _constants(s, ds, x, set())
    if len(consts) > 1:
        return Outcome(False, "ATInt_weirdconst.")
    if consts and _weird(s, consts[0]):
        return Outcome(False, "ATInt_weirdconst.")
    if not consts:
        if "NOCONST" in flags:
            return Outcome(True, "ATInt_const_condone.")
        note = "ATInt_const." if _equal(s, t) else "ATInt_const_int."
        return Outcome(False, note, M.FB_CONST)
    return Outcome(True, "ATInt_true.")


@register("Antidiff", options="required")
def t_antidiff(sa: Answer, ta: Answer, opt: sympy.Basic | None, raw_opt: str | None) -> Outcome:
    """Antidiff: the derivatives of the two answers agree (no constant needed)."""
    if isinstance(opt, sympy.Tuple):
        raise TestError("Antidiff takes only the variable as option", "ATAntidiff_STACKERROR_Opt.")
    (x,), _ = _variable_and_flags(opt, "Antidiff")
    try:
        s, t = _expr(sa, "Antidiff", "SA"), _expr(ta, "Antidiff", "TA")
    except _NotExpression as exc:
        return Outcome(False, str(exc))
    ok = _equal(formal_diff(s, x), formal_diff(t, x))
    return Outcome(ok, "ATAntidiff_%s." % ("true" if ok else "false"))


@register("AddConst", options="required")
def t_add_const(sa: Answer, ta: Answer, opt: sympy.Basic | None, raw_opt: str | None) -> Outcome:
    """AddConst: the student's answer has exactly one additive constant of integration.

    Options: the variables (``x`` or ``[x, k]``); ``NONSTRICT`` accepts any function of the
    constant (``3*c``, ``ln(k*x)``), otherwise it must appear as ``+c``.
    """
    variables, flags = _variable_and_flags(opt, "AddConst", many=True)
    try:
        s = _expr(sa, "AddConst", "SA")
    except _NotExpression as exc:
        return Outcome(False, str(exc))
    consts = sorted(s.free_symbols - set(variables), key=str)
    if not consts:
        return Outcome(False, "ATAddConst_noconst.", M.FB_CONST)
    if len(consts) > 1:
        return Outcome(False, "ATAddConst_severalconst.")
    c = consts[0]
    g = formal_diff(s, c)
    if "NONSTRICT" in flags:
        ok = not _equal(g, 0) and all(_equal(sympy.diff(g, v), 0) for v in variables)
    else:
        ok = _equal(g, 1)
    return Outcome(ok, "ATAddConst_%s." % ("true" if ok else "generic"))


@register("Diff", options="required")
def t_diff(sa: Answer, ta: Answer, opt: sympy.Basic | None, raw_opt: str | None) -> Outcome:
    """Diff: the student's derivative equals the key (noting an integral instead)."""
    (x,), _ = _variable_and_flags(opt, "Diff")
    try:
        s, t = _expr(sa, "Diff", "SA"), _expr(ta, "Diff", "TA")
    except _NotExpression as exc:
        return Outcome(False, str(exc))
    if _equal(s, t):
        return Outcome(True, "ATDiff_true.")
    if _equal(sympy.diff(s, x), t):
        return Outcome(False, "ATDiff_int.")
    return Outcome(False, "ATDiff_false.")
