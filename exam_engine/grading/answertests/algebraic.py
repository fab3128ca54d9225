"""Equivalence tests: AlgEquiv, EqualComAss, CasEqual, SameType, SubstEquiv, Sets."""

from __future__ import annotations

import itertools
import random

import mpmath
import sympy

from .. import messages as M
from ..canon import eca_key, has_call, shape
from ..definitions import is_definition, matched_bodies
from ..domains import DomainError, parse_domain, using
from ..equivalence import sample_points
from ..exact import stable_seed
from ..numeric import Unevaluable, close, evaluate
from ..predicates import PREDICATES
from ..structures import equiv, kind_of, match_sets
from ..validation import Answer
from .base import Outcome, TestError, option_list, register

_PREDICATES = frozenset(PREDICATES)
_CALCULUS = frozenset({"diff", "integrate"}) | _PREDICATES
_EVALUATING = (
    frozenset(
        {
            "ev",
            "exdowncase",
            "ratsimp",
            "fullratsimp",
            "expand",
            "factor",
            "radcan",
            "trigsimp",
            "diff",
            "integrate",
        }
    )
    | _PREDICATES
)


def alg_equiv(sa: sympy.Basic, ta: sympy.Basic, name: str = "AlgEquiv") -> Outcome:
    """Algebraic equivalence with a STACK-style note.

    :param sa: the student's value.
    :param ta: the teacher's value.
    :param name: the note prefix.
    :returns: the outcome.
    """
    if is_definition(sa) or is_definition(ta):
        bodies = matched_bodies(sa, ta)
        if bodies is None:
            return Outcome(False, f"AT{name}_False.")
        sa, ta = bodies
    verdict = equiv(sa, ta)
    if verdict.equal:
        return Outcome(True, f"AT{name}_True.")
    if verdict.method == "type":
        ks, kt = kind_of(sa), kind_of(ta)
        if ks != kt:
            return Outcome(
                False,
                f"AT{name}_SA_not_{kt}.",
                M.FB_WRONG_TYPE,
                {"expected": _article(kt), "got": _article(ks)},
            )
        return Outcome(False, f"AT{name}_wrongsize.")
    if verdict.method == "undecided":
        return Outcome(False, f"AT{name}_Undecided.")
    if _lower_equal(sa, ta):
        return Outcome(False, f"AT{name}_WrongCase.")
    return Outcome(False, f"AT{name}_False.")


def _article(kind: str) -> str:
    return {
        "expression": "an expression",
        "equation": "an equation",
        "set": "a set",
        "list": "a list",
        "matrix": "a matrix",
        "inequality": "an inequality",
        "logic": "a condition",
        "interval": "an interval",
        "inequation": "an inequation",
    }.get(kind, kind)


def _lower_equal(sa: sympy.Basic, ta: sympy.Basic) -> bool:
    syms = sa.free_symbols if isinstance(sa, sympy.Basic) else set()
    if not any(isinstance(s, sympy.Symbol) and s.name != s.name.lower() for s in syms):
        return False
    low = {s: sympy.Symbol(s.name.lower()) for s in syms if isinstance(s, sympy.Symbol)}
    try:
        return equiv(sa.xreplace(low), ta).equal
    except (TypeError, ValueError):
        return False


@register("AlgEquiv", options="optional")
def t_alg_equiv(sa: Answer, ta: Answer, opt: sympy.Basic | None, raw_opt: str | None) -> Outcome:
    """AlgEquiv: the answers are algebraically equivalent.

    Options (our extension): bounds on variables for the numeric stage, e.g. ``[x>0, y<1]``.
    """
    if opt is None:
        return alg_equiv(sa.value, ta.value)
    try:
        domain = parse_domain(opt)
    except DomainError as exc:
        raise TestError(
            f"AlgEquiv options must be bounds such as x>0: {exc}", "ATAlgEquiv_STACKERROR_Opt."
        ) from None
    with using(domain):
        return alg_equiv(sa.value, ta.value)


@register("EqualComAss")
def t_equal_com_ass(sa: Answer, ta: Answer, opt: object, raw_opt: str | None) -> Outcome:
    """EqualComAss: equal up to commutativity and associativity, nothing evaluated."""
    if kind_of(sa.value) != kind_of(ta.value):
        return alg_equiv(sa.value, ta.value, "EqualComAss")
    if eca_key(sa.tree) == eca_key(ta.tree):
        return Outcome(True, "ATEqualComAss_True.")
    if has_call(sa.tree, _CALCULUS) and sa.value == ta.value:
        return Outcome(True, "ATEqualComAss_True.")
    equal = equiv(sa.value, ta.value).equal
    return Outcome(False, "ATEqualComAss (AlgEquiv-%s)." % ("true" if equal else "false"))


@register("CasEqual")
def t_cas_equal(sa: Answer, ta: Answer, opt: object, raw_opt: str | None) -> Outcome:
    """CasEqual: the same expression as written (or, after ``ev(...)``, as simplified)."""
    if has_call(sa.tree, _EVALUATING) or has_call(ta.tree, _EVALUATING):
        same = sa.value == ta.value
    else:
        same = shape(sa.tree) == shape(ta.tree)
    return Outcome(same, "ATCASEqual_%s." % ("true" if same else "false"))


def _type(x: sympy.Basic) -> str:
    k = kind_of(x)
    if k == "logic" and any(kind_of(a) == "inequality" for a in x.args):
        return "inequality"
    return k


def same_type(a: sympy.Basic, b: sympy.Basic) -> bool:
    """Same kind of object; lists of equal length must match element by element.

    :param a: the student's value.
    :param b: the teacher's value.
    :returns: whether they are of the same type.
    """
    ka, kb = _type(a), _type(b)
    if ka != kb:
        return False
    if ka == "list" and len(a.args) == len(b.args):
        return all(same_type(x, y) for x, y in zip(a.args, b.args, strict=True))
    return True


@register("SameType")
def t_same_type(sa: Answer, ta: Answer, opt: object, raw_opt: str | None) -> Outcome:
    """SameType: both answers are the same kind of object."""
    same = same_type(sa.value, ta.value)
    return Outcome(same, "ATSameType_%s." % ("true" if same else "false"))


def _fingerprint_match(sa: sympy.Expr, ta: sympy.Expr, mapping: dict) -> bool:
    """Cheap numeric pre-check of a substitution before the full equivalence test."""
    symbols = sorted(ta.free_symbols, key=str)
    point = sample_points(symbols, random.Random(stable_seed(ta)), 1)[0]
    spoint = {s: point[mapping[s]] for s in mapping if mapping[s] in point}
    try:
        with mpmath.workdps(30):
            return close(evaluate(sa, spoint), evaluate(ta, point), 15)
    except (Unevaluable, ZeroDivisionError, ValueError, TypeError, KeyError):
        return True


@register("SubstEquiv", options="optional")
def t_subst_equiv(sa: Answer, ta: Answer, opt: sympy.Basic | None, raw_opt: str | None) -> Outcome:
    """SubstEquiv: equivalent after renaming the variables; options list fixed variables."""
    fixed: set[sympy.Basic] = set()
    if opt is not None:
        if not isinstance(opt, sympy.Tuple):
            raise TestError(
                "SubstEquiv options must be a list of variables", "ATSubstEquiv_Opt_List."
            )
        fixed = set(option_list(opt))
    sv = sorted(sa.value.free_symbols - fixed, key=str)
    tv = sorted(ta.value.free_symbols - fixed, key=str)
    if len(sv) != len(tv) or len(sv) > 7:
        return Outcome(False, "ATSubstEquiv_False.")
    scalar = isinstance(sa.value, sympy.Expr) and isinstance(ta.value, sympy.Expr)
    tried = 0
    for perm in itertools.permutations(tv):
        mapping = dict(zip(sv, perm, strict=True))
        if scalar and not _fingerprint_match(sa.value, ta.value, mapping):
            continue
        tried += 1
        if tried > 200:
            break
        if equiv(sa.value.xreplace(mapping), ta.value).equal:
            subst = ",".join(f"{k} = {v}" for k, v in mapping.items())
            return Outcome(True, f"ATSubstEquiv_Subst [{subst}].")
    return Outcome(False, "ATSubstEquiv_False.")


@register("Sets")
def t_sets(sa: Answer, ta: Answer, opt: object, raw_opt: str | None) -> Outcome:
    """Sets: the two sets have the same elements (up to equivalence)."""
    if kind_of(sa.value) != "set":
        return Outcome(
            False,
            "ATSets_SA_not_set.",
            M.FB_WRONG_TYPE,
            {"expected": "a set", "got": _article(kind_of(sa.value))},
        )
    if kind_of(ta.value) != "set":
        return Outcome(False, "ATSets_SB_not_set.")
    extra, missing = match_sets(list(sa.value.args), list(ta.value.args))
    if not extra and not missing:
        return Outcome(True, "ATSets_True.")
    notes = []
    if extra:
        notes.append("ATSets_wrongentries.")
    if missing:
        notes.append("ATSets_missingentries.")
    return Outcome(False, " ".join(notes), M.FB_SET_WRONG)
