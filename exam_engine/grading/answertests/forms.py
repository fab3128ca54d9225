"""Form tests: Expanded, FacForm, SingleFrac, PartFrac, CompSquare, LowestTerms.

SymPy distributes numbers over sums as it builds (``2*(x-1)`` becomes ``2*x - 2``), so the
checks that depend on how the answer was written look at the parsed tree instead.
"""

from __future__ import annotations

import math

import sympy

from .. import messages as M
from ..construct import flatten, to_sympy
from ..parser import Node
from ..structures import equiv, kind_of
from ..validation import Answer, walk
from .base import Outcome, TestError, register


def _strip(node: Node) -> Node:
    while node.kind in ("neg", "pos"):
        node = node.args[0]
    return node


def _is_sum(node: Node) -> bool:
    node = _strip(node)
    return node.kind == "op" and node.value in ("+", "-", "#pm#")


def _product(node: Node) -> tuple[list[Node], list[Node]]:
    """Top-level factors of a product: (multiplied factors, divisors), signs removed."""
    node = _strip(node)
    if not (node.kind == "op" and node.value in ("*", "/")):
        return [node], []
    num: list[Node] = []
    den: list[Node] = []
    for sign, sub in flatten(node, ("*", "/")):
        if sign == "/":
            den.append(_strip(sub))
        else:
            a, b = _product(sub)
            num.extend(a)
            den.extend(b)
    return num, den


def _children(node: Node) -> tuple[Node, ...]:
    """Sub-trees to look into for form checks (not exponents)."""
    if node.kind == "op" and node.value == "^":
        return (node.args[0],)
    return node.args


def _expr_or_fail(answer: Answer, test: str, who: str = "SA") -> Outcome | None:
    if kind_of(answer.value) != "expression":
        return Outcome(False, f"AT{test}_{who}_not_expression.")
    return None


@register("Expanded")
def t_expanded(sa: Answer, ta: Answer, opt: object, raw_opt: str | None) -> Outcome:
    """Expanded: no product or integer power of a sum remains (as written)."""
    fail = _expr_or_fail(sa, "Expanded")
    if fail:
        return fail
    for node in walk(sa.tree):
        if node.kind == "op" and node.value in ("*", "/"):
            num, den = _product(node)
            if any(_is_sum(f) for f in num) and len(num) + len(den) > 1:
                return Outcome(False, "ATExpanded_FALSE.", M.FB_EXPANDED)
        if node.kind == "op" and node.value == "^" and _is_sum(node.args[0]):
            exp = node.args[1]
            if exp.kind == "num" and exp.value.isdigit() and int(exp.value) > 1:
                return Outcome(False, "ATExpanded_FALSE.", M.FB_EXPANDED)
    return Outcome(True, "ATExpanded_TRUE.")


def _factor_ok(f: sympy.Expr) -> bool:
    """Whether one factor is 'fully factored': no content, no common factor, irreducible."""
    if f.is_number:
        return True
    try:
        content, prim = f.as_content_primitive()
    except (TypeError, ValueError):
        return False
    if isinstance(content, sympy.Rational) and abs(int(content.p)) != 1:
        return False
    common = sympy.factor_terms(prim)
    if isinstance(common, sympy.Mul) and any(not a.is_number for a in common.args):
        if sum(1 for a in common.args if not a.is_number) > 1:
            return False
    if isinstance(common, sympy.Mul) and any(
        a.is_number and a not in (1, -1) and not (a.is_Rational and abs(a.p) == 1)
        for a in common.args
    ):
        return False
    try:
        poly = sympy.Poly(prim)
    except (sympy.PolynomialError, sympy.GeneratorsNeeded, TypeError, ValueError):
        return False
    for g in poly.gens:
        if g.is_Pow and not (g.exp.is_Rational and g.exp > 0):
            return False
        if not (g.is_Symbol or g.is_Function or g.is_Pow):
            return False
    if poly.total_degree() <= 1:
        return True
    try:
        _, factors = sympy.factor_list(prim)
    except (sympy.PolynomialError, TypeError, ValueError):
        return False
    return sum(k for p, k in factors if not p.is_number) <= 1


@register("FacForm", options="required")
def t_fac_form(sa: Answer, ta: Answer, opt: sympy.Basic | None, raw_opt: str | None) -> Outcome:
    """FacForm: equivalent to the key and written as a product of irreducible factors."""
    fail = _expr_or_fail(sa, "FacForm")
    if fail:
        return fail
    equal = equiv(sa.value, ta.value).equal
    num, den = _product(sa.tree)
    factored = True
    for node in num + den:
        base = node.args[0] if node.kind == "op" and node.value == "^" else node
        if not _factor_ok(to_sympy(base)):
            factored = False
            break
    if factored and equal:
        return Outcome(True, "ATFacForm_true.")
    notes = ["ATFacForm_isfactored." if factored else "ATFacForm_notfactored."]
    if not equal:
        notes.append("ATFacForm_notalgequiv.")
    return Outcome(False, " ".join(notes), "" if factored else M.FB_NOT_FACTORED)


def _has_division(node: Node) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.kind == "op" and n.value == "/":
            return True
        if n.kind in ("call", "ufunc"):
            continue
        stack.extend(_children(n))
    return False


@register("SingleFrac")
def t_single_frac(sa: Answer, ta: Answer, opt: object, raw_opt: str | None) -> Outcome:
    """SingleFrac: written as one fraction n/d with no fractions inside n or d."""
    fail = _expr_or_fail(sa, "SingleFrac")
    if fail:
        return fail
    top = _strip(sa.tree)
    chain = flatten(top, ("*", "/")) if top.kind == "op" and top.value in ("*", "/") else []
    factors = [_strip(f) for _, f in chain] if chain else [top]
    single = not any(_has_division(f) for f in factors)
    if not single:
        return Outcome(False, "ATSingleFrac_part.", M.FB_NOT_SINGLE_FRAC)
    equal = equiv(sa.value, ta.value).equal
    return Outcome(equal, "ATSingleFrac_true." if equal else "ATSingleFrac_ret_exp.")


def _variable(opt: sympy.Basic | None, test: str) -> sympy.Basic:
    if opt is None or not isinstance(opt, sympy.Expr) or opt.is_number:
        raise TestError("The option must be the variable", f"AT{test}_STACKERROR_Opt.")
    return opt


def _pf_term_ok(term: sympy.Expr, v: sympy.Basic) -> bool:
    n, d = term.as_numer_denom()
    if not d.has(v):
        return True
    try:
        if not (n.is_polynomial(v) and d.is_polynomial(v)):
            return False
        _, factors = sympy.factor_list(d, v)
    except (sympy.PolynomialError, TypeError, ValueError):
        return False
    bases = [(p, k) for p, k in factors if p.has(v)]
    if len(bases) != 1:
        return False
    p = bases[0][0]
    return sympy.degree(n, v) < sympy.degree(p, v)


@register("PartFrac", options="required")
def t_part_frac(sa: Answer, ta: Answer, opt: sympy.Basic | None, raw_opt: str | None) -> Outcome:
    """PartFrac: equivalent to the key and in partial fractions with respect to the variable."""
    v = _variable(opt, "PartFrac")
    fail = _expr_or_fail(sa, "PartFrac") or _expr_or_fail(ta, "PartFrac", "TA")
    if fail:
        return fail
    form = all(_pf_term_ok(t, v) for t in sympy.Add.make_args(sa.value))
    equal = equiv(sa.value, ta.value).equal
    if form and equal:
        return Outcome(True, "ATPartFrac_true.")
    if not form:
        return Outcome(False, "ATPartFrac_false_factor.", M.FB_NOT_PARTFRAC)
    return Outcome(False, "ATPartFrac_ret_expression.")


@register("CompSquare", options="required")
def t_comp_square(sa: Answer, ta: Answer, opt: sympy.Basic | None, raw_opt: str | None) -> Outcome:
    """CompSquare: equivalent to the key, and the variable occurs only once (a(x-h)^2+k)."""
    v = _variable(opt, "CompSquare")
    fail = _expr_or_fail(sa, "CompSquare")
    if fail:
        return fail
    if not equiv(sa.value, ta.value).equal:
        return Outcome(False, "ATCompSquare_false_not_AlgEquiv.")
    marker = sympy.Dummy("v")
    replaced = sa.value.xreplace({v: marker})
    if replaced.free_symbols & v.free_symbols:
        return Outcome(False, "ATCompSquare_false_no_summands.", M.FB_NOT_COMPSQUARE)
    count = sum(1 for sub in sympy.preorder_traversal(replaced) if sub == marker)
    if count > 1:
        return Outcome(False, "ATCompSquare_false_no_summands.", M.FB_NOT_COMPSQUARE)
    return Outcome(True, "ATCompSquare_true.")


def _int_literal(node: Node) -> tuple[int, int] | None:
    """(negations, value) of a signed integer literal."""
    negs = 0
    while node.kind in ("neg", "pos"):
        negs += node.kind == "neg"
        node = node.args[0]
    if node.kind == "num" and node.value.isdigit():
        return negs, int(node.value)
    return None


def _coefficient(nodes: list[Node]) -> int | None:
    value = 1
    for n in nodes:
        lit = _int_literal(n)
        if lit is not None:
            value *= lit[1]
    return value


def _irrational(node: Node) -> bool:
    for n in walk(node):
        if n.kind == "call" and n.value in ("sqrt", "root"):
            return True
        if n.kind == "const" and n.value == "i":
            return True
        if n.kind == "op" and n.value == "^" and _has_division(n.args[1]):
            return True
    return False


@register("LowestTerms")
def t_lowest_terms(sa: Answer, ta: Answer, opt: object, raw_opt: str | None) -> Outcome:
    """LowestTerms: every written fraction of integers is in lowest terms, denominators rational."""
    for node in walk(sa.tree):
        if not (node.kind == "op" and node.value == "/"):
            continue
        num, den = node.args
        if _irrational(den):
            return Outcome(False, "ATLowestTerms_not_rat.", M.FB_NOT_LOWEST)
        a, b = _int_literal(num), _int_literal(den)
        if b is not None:
            top = a[1] if a is not None else _coefficient(_product(num)[0])
            if top is not None and math.gcd(top, b[1]) > 1:
                return Outcome(False, "ATLowestTerms_entries.", M.FB_NOT_LOWEST)
            if a is not None and a[0] and b[0]:
                return Outcome(False, "ATLowestTerms_entries.", M.FB_NOT_LOWEST)
    return Outcome(True, "ATLowestTerms_true.")
