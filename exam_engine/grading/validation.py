"""Reading answers: ``parse`` and the validation echo ``validate``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy

from . import messages as M
from .build import BuildOptions
from .candidate import check_candidate
from .construct import to_sympy
from .latex import to_latex
from .normalise import normalise
from .parser import Ctx, Node, parse_tree
from .tokens import NAME, tokenise
from .types import DEFAULT_SETTINGS, ParseError, PartSettings, Validation

MAX_STUDENT_CHARS = 2000
MAX_TEACHER_CHARS = 20000


@dataclass(frozen=True)
class Answer:
    """A read answer: the raw and normalised text, the tree, the exact SymPy value, LaTeX."""

    raw: str
    text: str
    tree: Node
    value: sympy.Basic
    display: str
    floats: tuple[str, ...]


def walk(node: Node) -> list[Node]:
    """Every node of a tree, iteratively (trees can be 6,000 nodes deep on the left).

    :param node: the root.
    :returns: all nodes, parents before children.
    """
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(reversed(n.args))
    return out


def _suggest(text: str, positions: list[int]) -> str:
    chars = list(text)
    for p in sorted(set(positions), reverse=True):
        chars.insert(p, "*")
    return "".join(chars).strip().replace(" *", "*").replace("* ", "*")


def student_ctx(
    settings: PartSettings,
    extra_vars: frozenset[str] = frozenset(),
    functions: frozenset[str] = frozenset(),
    strict: bool | None = None,
) -> Ctx:
    """The name-reading context for a candidate's answer under ``settings``.

    :param settings: the part's settings.
    :param extra_vars: more names to treat as variables (e.g. the answer key's).
    :param functions: user functions allowed (e.g. those in the answer key).
    :param strict: reject undeclared names; default: when the part declares variables.
    :returns: the context.
    """
    declared = frozenset(normalise(v).strip() for v in settings.variables)
    return Ctx(
        variables=declared | extra_vars,
        functions=functions,
        implicit=True,
        strict_names=bool(declared) if strict is None else strict,
        teacher=False,
        intervals=settings.input_type in ("interval", "set"),
    )


def teacher_ctx(settings: PartSettings) -> Ctx:
    """The lenient context for answer keys and options (unknown ``f(x)`` is a function).

    :param settings: the part's settings.
    :returns: the context.
    """
    return Ctx(
        variables=frozenset(normalise(v).strip() for v in settings.variables),
        implicit=True,
        teacher=True,
        intervals=settings.input_type in ("interval",),
    )


def read(
    raw: str,
    settings: PartSettings,
    ctx: Ctx,
    limit: int = MAX_STUDENT_CHARS,
    exact: bool = True,
    candidate: bool = False,
) -> Answer:
    """Read one answer under a context: limits, Unicode, tokens, tree, checks, SymPy value.

    :param raw: the text as typed.
    :param settings: the part's settings (floats, forbidden words, implicit products, type).
    :param ctx: how to read names.
    :param limit: the most characters accepted.
    :param exact: build decimals as exact rationals.
    :param candidate: apply the candidate-input rules (no CAS commands, no matrix products
        unless the part allows them); see :func:`.candidate.check_candidate`.
    :returns: the read answer.
    :raises ParseError: when the answer is not valid.
    """
    if not isinstance(raw, str):
        raise ParseError(M.EMPTY, "empty")
    if len(raw) > limit:
        raise ParseError(M.TOO_LONG, "too_long", {"length": str(len(raw)), "limit": str(limit)})
    text = normalise(raw).strip()
    if not text:
        raise ParseError(M.EMPTY, "empty")
    if settings.forbidden_words:
        _check_forbidden(text, settings.forbidden_words)
    tree, implicit_at = parse_tree(text, ctx)
    if candidate and not ctx.teacher:
        check_candidate(tree, text, settings)
    if implicit_at and not settings.implicit_multiplication and not ctx.teacher:
        raise ParseError(
            M.MISSING_STAR, "missing_star", {"suggestion": _suggest(text, implicit_at)}
        )
    floats = tuple(n.value for n in walk(tree) if n.kind == "num" and not n.value.isdigit())
    if floats and not settings.allow_floats and not ctx.teacher:
        raise ParseError(M.FLOATS_FORBIDDEN, "float", {"number": floats[0]})
    opts = BuildOptions(exact_floats=exact, matrices=settings.input_type == "matrix")
    value = to_sympy(tree, opts)
    if not ctx.teacher:
        _check_type(value, settings.input_type)
    shown = tree
    if (
        opts.matrices
        and tree.kind == "list"
        and tree.args
        and all(row.kind == "list" for row in tree.args)
    ):
        shown = Node("call", "matrix", tree.args, tree.pos)  # [[1,2],[3,4]] echoed as a matrix
    return Answer(raw, text, tree, value, to_latex(shown), floats)


def _check_forbidden(text: str, words: tuple[str, ...]) -> None:
    banned = {w.lower() for w in words}
    for tok in tokenise(text):
        if tok.kind == NAME and tok.text.lower().lstrip("%") in banned:
            raise ParseError(M.FORBIDDEN_WORD, "forbidden_word", {"word": tok.text})


def _check_type(value: sympy.Basic, input_type: str) -> None:
    if input_type == "numeric":
        if not (
            isinstance(value, sympy.Expr)
            and not value.free_symbols
            and not getattr(value, "is_Matrix", False)
        ):
            raise ParseError(M.NOT_A_NUMBER, "not_a_number")
    elif input_type == "matrix":
        if not getattr(value, "is_Matrix", False):
            raise ParseError(M.NOT_A_MATRIX, "not_a_matrix")
    elif input_type == "set":
        if not isinstance(value, sympy.Set):
            raise ParseError(M.NOT_A_SET, "not_a_set")
    elif input_type == "equation":
        if not isinstance(value, (sympy.Eq, sympy.And, sympy.Or)):
            raise ParseError(M.NOT_AN_EQUATION, "not_an_equation")
    elif input_type == "interval":
        if not isinstance(value, sympy.Set) or isinstance(value, sympy.FiniteSet) and False:
            raise ParseError(M.NOT_AN_INTERVAL, "not_an_interval")


@lru_cache(maxsize=4096)
def read_teacher(raw: str, settings: PartSettings) -> Answer:
    """Read an answer key (lenient names, long texts allowed); cached.

    :param raw: the answer key.
    :param settings: the part's settings.
    :returns: the read answer.
    :raises ParseError: when the key is not valid.
    """
    return read(raw, settings, teacher_ctx(settings), MAX_TEACHER_CHARS)


def parse(text: str, settings: PartSettings = DEFAULT_SETTINGS) -> sympy.Basic:
    """Parse a candidate's answer into SymPy, safely (nothing is evaluated as code).

    Decimals stay SymPy Floats here (with at least the precision written); the answer tests
    read them as exact decimals.

    :param text: the answer as typed.
    :param settings: the part's settings.
    :returns: the SymPy object.
    :raises ParseError: with a message template and a code when the answer is not valid.
    """
    return read(text, settings, student_ctx(settings), exact=False).value


def validate(text: str, settings: PartSettings = DEFAULT_SETTINGS) -> Validation:
    """The validation echo: LaTeX of a valid answer, or one specific message.

    :param text: the answer as typed.
    :param settings: the part's settings.
    :returns: the validation.
    """
    if settings.input_type in ("choice", "multichoice", "string"):
        from .choices import validate_choice

        return validate_choice(text, settings)
    try:
        answer = read(text, settings, student_ctx(settings), candidate=True)
    except ParseError as exc:
        return Validation(False, "", exc.template, exc.params, exc.code)
    except RecursionError:
        return Validation(False, "", M.TOO_DEEP, {"limit": "100"}, "too_deep")
    return Validation(True, answer.display)
