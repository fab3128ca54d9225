"""Author-set variable domains for the numeric stage of equivalence (AlgEquiv's options).

``AlgEquiv`` accepts options such as ``"x>0"``, ``"[x>0, y<1]"`` or ``"[0<t, t<=1]"``: the
seeded sample points are then drawn inside those bounds, so ``sqrt(x^2)`` equals ``x`` when
the author says ``x>0``. Proofs are unchanged (they are exact).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

import sympy
from sympy.core.relational import Relational

Bounds = tuple[float | None, float | None]
Domain = dict[str, Bounds]

DOMAIN: contextvars.ContextVar[Domain | None] = contextvars.ContextVar("domain", default=None)


class DomainError(ValueError):
    """The options are not a list of bounds on variables."""


def _bound(rel: Relational) -> tuple[str, Bounds]:
    lhs, rhs = rel.lhs, rel.rhs
    if isinstance(lhs, sympy.Symbol) and rhs.is_number:
        var, value, upper = lhs, rhs, isinstance(rel, (sympy.StrictLessThan, sympy.LessThan))
    elif isinstance(rhs, sympy.Symbol) and lhs.is_number:
        var, value, upper = rhs, lhs, isinstance(rel, (sympy.StrictGreaterThan, sympy.GreaterThan))
    else:
        raise DomainError(str(rel))
    if isinstance(rel, (sympy.Eq, sympy.Ne)) or not value.is_real:
        raise DomainError(str(rel))
    v = float(value)
    return var.name, (None, v) if upper else (v, None)


def parse_domain(opt: sympy.Basic) -> Domain:
    """Read bounds from parsed options: a relation, ``and`` of relations, or a list of them.

    :param opt: the parsed options.
    :returns: bounds per variable name.
    :raises DomainError: when an item is not a bound ``variable < number`` (or reversed).
    """
    items = list(opt.args) if isinstance(opt, (sympy.Tuple, sympy.And)) else [opt]
    domain: Domain = {}
    for item in items:
        if isinstance(item, sympy.And):
            for name, (lo, hi) in parse_domain(item).items():
                domain[name] = _merge(domain.get(name, (None, None)), (lo, hi))
            continue
        if not isinstance(item, Relational):
            raise DomainError(str(item))
        name, bounds = _bound(item)
        domain[name] = _merge(domain.get(name, (None, None)), bounds)
    for lo, hi in domain.values():
        if lo is not None and hi is not None and lo >= hi:
            raise DomainError("empty domain")
    return domain


def _merge(a: Bounds, b: Bounds) -> Bounds:
    lo = max((v for v in (a[0], b[0]) if v is not None), default=None)
    hi = min((v for v in (a[1], b[1]) if v is not None), default=None)
    return lo, hi


@contextmanager
def using(domain: Domain | None) -> Iterator[None]:
    """Make ``domain`` the current one for the block.

    :param domain: bounds per variable name, or ``None``.
    """
    token = DOMAIN.set(domain)
    try:
        yield
    finally:
        DOMAIN.reset(token)
