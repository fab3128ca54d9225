"""Random parameters: definitions such as ``randint(2, 9)``, drawn reproducibly from a seed.

A definition is a generator call (``randint``, ``choice``, ``rational``) or an expression in
earlier parameters (``a*b + 1``). Every argument and expression goes through the grader's safe
parser; nothing written by an author is ever evaluated as Python.

Draws come from :mod:`exam_engine.banks.seeding`, so a variant is the same in every process
and on every Python version.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import lru_cache

import sympy

from exam_engine.banks.seeding import below, rng_for
from exam_engine.grading import ParseError, PartSettings, parse

GENERATORS = ("randint", "choice", "rational")
MAX_DRAWS = 1000
MAX_RANGE = 1_000_000
_CALL = re.compile(r"^\s*([A-Za-z_]+)\s*\((.*)\)\s*$", re.DOTALL)
_KEYWORD = re.compile(r"^\s*([A-Za-z_]+)\s*=(?!=)(.*)$", re.DOTALL)
_ALLOWED_KEYWORDS = {"randint": {"step", "exclude"}, "choice": set(), "rational": {"den"}}


class ParameterError(ValueError):
    """A parameter or condition that cannot be parsed or drawn.

    :param message: what is wrong.
    :param field: the field path, e.g. ``parameters.a`` or ``conditions[0]``.
    """

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Definition:
    """A parsed definition: a generator call (``kind``) or a plain expression (``kind="expr"``)."""

    kind: str
    args: tuple[str, ...] = ()
    kwargs: dict[str, str] = field(default_factory=dict)
    within: str | None = None


def split_constraint(text: str) -> tuple[str, str | None]:
    """Split a declared range off a definition: ``rational(1, 99, den=100) in (0, 1)``.

    :param text: a parameter definition, optionally ending in ``in <interval>``.
    :returns: the definition proper and the interval text (``None`` when none is declared).
    """
    head, sep, tail = text.rpartition(" in ")
    tail = tail.strip()
    if not sep or not head.strip() or tail[:1] not in "([" or tail[-1:] not in ")]":
        return text, None
    return head.strip(), tail


def split_top_level(text: str) -> list[str]:
    """Split ``text`` on commas that are not inside brackets.

    :param text: e.g. ``"1, [2, 3], f(4, 5)"``.
    :returns: the stripped pieces (``[]`` for blank text).
    :raises ValueError: when brackets do not balance.
    """
    pieces, depth, current = [], 0, ""
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                raise ValueError("unbalanced brackets")
        if char == "," and depth == 0:
            pieces.append(current.strip())
            current = ""
        else:
            current += char
    if depth != 0:
        raise ValueError("unbalanced brackets")
    if current.strip() or pieces:
        pieces.append(current.strip())
    return pieces


def parse_definition(text: str, where: str) -> Definition:
    """Recognise a generator call or fall back to an expression (checked later by the parser).

    :param text: the definition as written.
    :param where: the field path for error messages.
    :returns: the definition.
    :raises ParameterError: when a generator call is malformed.
    """
    text, within = split_constraint(text)
    match = _CALL.match(text)
    if match is None or match.group(1) not in GENERATORS:
        return Definition("expr", (text,), within=within)
    kind = match.group(1)
    try:
        pieces = split_top_level(match.group(2))
    except ValueError as exc:
        raise ParameterError(f"{kind}(...): {exc}", where) from exc
    args: list[str] = []
    kwargs: dict[str, str] = {}
    for piece in pieces:
        keyword = _KEYWORD.match(piece)
        if keyword:
            if keyword.group(1) not in _ALLOWED_KEYWORDS[kind]:
                raise ParameterError(f"{kind}() has no option {keyword.group(1)!r}", where)
            kwargs[keyword.group(1)] = keyword.group(2).strip()
        elif kwargs:
            raise ParameterError(f"{kind}(): positional argument after an option", where)
        else:
            args.append(piece)
    wanted = {"randint": 2, "choice": 1, "rational": 2}[kind]
    if len(args) != wanted:
        raise ParameterError(f"{kind}() takes {wanted} argument(s), got {len(args)}", where)
    if kind == "rational" and "den" not in kwargs:
        raise ParameterError("rational(lo, hi, den=d) needs den=", where)
    if kind == "choice" and not (args[0].startswith("[") and args[0].endswith("]")):
        raise ParameterError("choice() takes a list: choice([1, 2, 3])", where)
    return Definition(kind, tuple(args), kwargs, within)


@lru_cache(maxsize=8192)
def parse_expression(
    text: str, names: tuple[str, ...], input_type: str = "algebraic"
) -> sympy.Basic:
    """Parse an author expression with the safe parser; names are the ones in scope.

    :param text: the expression in our syntax.
    :param names: parameter (and variable) names allowed in it.
    :param input_type: how to read it (``interval`` reads ``(0, 1]``, ``matrix`` ``[[1, 2]]``).
    :returns: the SymPy expression.
    :raises ParseError: when the parser rejects it.
    :raises ValueError: when it uses a name that is not in scope.
    """
    # "numeric" would refuse the answer's parameters before they are substituted.
    read_as = "algebraic" if input_type == "numeric" else input_type
    settings = PartSettings(input_type=read_as, variables=names, implicit_multiplication=False)
    expr = parse(text, settings)
    unknown = sorted(s.name for s in getattr(expr, "free_symbols", ()) if s.name not in names)
    if unknown:
        raise ValueError(f"unknown name(s) {', '.join(unknown)}")
    return expr


def substitute(expr: sympy.Basic, values: dict[str, sympy.Basic]) -> sympy.Basic:
    """Replace parameter symbols (matched by name, whatever their assumptions) by values.

    :param expr: a parsed expression.
    :param values: parameter name -> value.
    :returns: the substituted expression.
    """
    mapping = {s: values[s.name] for s in getattr(expr, "free_symbols", ()) if s.name in values}
    return expr.subs(mapping) if mapping else expr


def evaluate(
    text: str, values: dict[str, sympy.Basic], where: str, input_type: str = "algebraic"
) -> sympy.Basic:
    """Parse ``text`` with the current parameters in scope and substitute their values.

    :param text: an expression in earlier parameters.
    :param values: the parameters drawn so far.
    :param where: the field path for error messages.
    :param input_type: how to read the text (see :func:`parse_expression`).
    :returns: the value.
    :raises ParameterError: when it does not parse or uses an unknown name.
    """
    try:
        result = substitute(parse_expression(text, tuple(values), input_type), values)
    except ParseError as exc:
        raise ParameterError(f"{text!r} does not parse: {exc.message}", where) from exc
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise ParameterError(f"{text!r}: {exc}", where) from exc
    if isinstance(result, sympy.Basic) and result.has(sympy.zoo, sympy.nan):
        raise ParameterError(f"{text!r} is undefined here (a division by zero?)", where)
    return result


def _integer(value: sympy.Basic, what: str, where: str) -> int:
    if not (isinstance(value, sympy.Integer) or (value.is_number and value.is_integer)):
        raise ParameterError(f"{what} must be an integer, got {value}", where)
    return int(value)


def draw(
    definition: Definition, values: dict[str, sympy.Basic], rng: random.Random, where: str
) -> sympy.Basic:
    """Draw one parameter value.

    :param definition: the parsed definition.
    :param values: earlier parameters (usable in the arguments).
    :param rng: the variant's generator.
    :param where: the field path for error messages.
    :returns: the value.
    :raises ParameterError: when an argument is not valid or the range is empty.
    """
    if definition.kind == "expr":
        return evaluate(definition.args[0], values, where)
    if definition.kind == "choice":
        items = split_top_level(definition.args[0][1:-1])
        if not items:
            raise ParameterError("choice([]) has nothing to choose from", where)
        return evaluate(items[below(rng, len(items))], values, where)
    lo = evaluate(definition.args[0], values, where)
    hi = evaluate(definition.args[1], values, where)
    if definition.kind == "rational":
        den = _integer(evaluate(definition.kwargs["den"], values, where), "den", where)
        if den < 1:
            raise ParameterError("den must be at least 1", where)
        lo_k, hi_k = sympy.ceiling(lo * den), sympy.floor(hi * den)
        start, stop, step, exclude = int(lo_k), int(hi_k), 1, set()
    else:
        start, stop = _integer(lo, "lower bound", where), _integer(hi, "upper bound", where)
        step = _integer(evaluate(definition.kwargs.get("step", "1"), values, where), "step", where)
        if step < 1:
            raise ParameterError("step must be at least 1", where)
        listed = definition.kwargs.get("exclude", "[]")
        exclude = {evaluate(x, values, where) for x in split_top_level(listed.strip("[]"))}
        den = 1
    count = (stop - start) // step + 1
    if count < 1 or count > MAX_RANGE:
        raise ParameterError(f"range has {max(count, 0)} values (1 to {MAX_RANGE} allowed)", where)
    allowed = (
        [k for k in range(count) if sympy.Integer(start + k * step) not in exclude]
        if exclude
        else None
    )
    if allowed is not None and not allowed:
        raise ParameterError("every value of the range is excluded", where)
    index = allowed[below(rng, len(allowed))] if allowed is not None else below(rng, count)
    return sympy.Rational(start + index * step, den)


def condition_text(text: str) -> str:
    """Accept ``!=`` in conditions as well as the parser's Maxima spelling ``#``.

    :param text: a condition as written.
    :returns: the condition in parser syntax.
    """
    return text.replace("!=", "#")


def check_condition(text: str, values: dict[str, sympy.Basic], where: str) -> bool:
    """Evaluate one condition on a complete draw.

    :param text: a boolean expression such as ``a != b`` or ``a*d - b*c # 0``.
    :param values: the drawn parameters.
    :param where: the field path for error messages.
    :returns: whether the draw is accepted.
    :raises ParameterError: when the condition is not true or false once substituted.
    """
    result = evaluate(condition_text(text), values, where)
    if isinstance(result, sympy.Basic) and result not in (sympy.true, sympy.false):
        result = result.doit()  # an equation whose sides became numbers, e.g. gcd(4, 6) = 2
    if result in (sympy.true, True):
        return True
    if result in (sympy.false, False):
        return False
    raise ParameterError(
        f"condition {text!r} is not true or false here (it is {result}); note that ' #' starts "
        "a YAML comment: write != for 'not equal'",
        where,
    )


def draw_parameters(
    question_id: str, parameters: dict[str, str], conditions: tuple[str, ...], seed: int
) -> dict[str, sympy.Basic]:
    """Draw every parameter in order, retrying (a bounded number of times) until all
    conditions hold.

    :param question_id: the question id (part of the seed).
    :param parameters: name -> definition, in order.
    :param conditions: boolean expressions a draw must satisfy.
    :param seed: the variant seed.
    :returns: name -> SymPy value, in definition order.
    :raises ParameterError: when a definition is invalid or no draw satisfies the conditions
        within :data:`MAX_DRAWS` tries.
    """
    definitions = {
        name: parse_definition(str(text), f"parameters.{name}") for name, text in parameters.items()
    }
    rng = rng_for(question_id, seed)
    for _ in range(MAX_DRAWS):
        values: dict[str, sympy.Basic] = {}
        for name, definition in definitions.items():
            values[name] = draw(definition, values, rng, f"parameters.{name}")
        if all(
            check_condition(text, values, f"conditions[{i}]") for i, text in enumerate(conditions)
        ):
            return values
    raise ParameterError(
        f"no draw satisfied the conditions in {MAX_DRAWS} tries (seed {seed}); "
        "widen the ranges or relax the conditions",
        "conditions",
    )
