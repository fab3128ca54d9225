"""The answer-test framework: outcomes, errors, option parsing and the registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sympy

from ..parser import Ctx
from ..types import ParseError, PartSettings
from ..validation import Answer, read


@dataclass(frozen=True)
class Outcome:
    """What an answer test says: passed or not, a STACK-style note, feedback for the candidate."""

    passed: bool
    note: str
    feedback: str = ""
    feedback_params: dict[str, str] = field(default_factory=dict)


class TestError(Exception):
    """The test cannot be applied (bad options, wrong kind of answer key...).

    :param message: English text for the error field.
    :param note: the answer note.
    """

    def __init__(self, message: str, note: str, code: str = ""):
        super().__init__(message)
        self.note = note
        self.code = code


@dataclass(frozen=True)
class Spec:
    """An answer test: its function and what it needs."""

    fn: Callable[..., Outcome]
    raw: bool = False  # gets the raw strings, not parsed answers (String tests)
    options: str = "none"  # none | optional | required
    lenient: bool = False  # unreadable options fall back to the default (NumRelative...)


REGISTRY: dict[str, Spec] = {}


UNREADABLE = sympy.Symbol("__unreadable_option__")


def register(
    name: str, raw: bool = False, options: str = "none", lenient: bool = False
) -> Callable:
    """Class-free registration decorator for answer tests.

    :param name: STACK's name of the test.
    :param raw: whether the test compares raw strings.
    :param options: ``none``, ``optional`` or ``required``.
    :param lenient: unreadable options fall back to the test's default.
    :returns: the decorator.
    """

    def wrap(fn: Callable[..., Outcome]) -> Callable[..., Outcome]:
        REGISTRY[name] = Spec(fn, raw, options, lenient)
        return fn

    return wrap


_OPT_CTX = Ctx(teacher=True)


def parse_options(text: str, test: str) -> sympy.Basic:
    """Parse an option string (``"x"``, ``"[x,NOCONST]"``, ``"0.01"``, ``"[3,2]"``).

    :param text: the option string.
    :param test: the test's name (for the note).
    :returns: the parsed option.
    :raises TestError: when the options cannot be read.
    """
    try:
        return read(text, PartSettings(), _OPT_CTX, limit=2000).value
    except ParseError as exc:
        raise TestError(
            f"Bad options: {exc.message}", f"AT{test}_STACKERROR_Opt.", exc.code
        ) from None


def option_list(opt: sympy.Basic) -> list[sympy.Basic]:
    """Options as a list: ``[x, NOCONST]`` -> ``[x, NOCONST]``, ``x`` -> ``[x]``.

    :param opt: the parsed options.
    :returns: the items.
    """
    if isinstance(opt, sympy.Tuple):
        return list(opt.args)
    return [opt]


def is_number(x: sympy.Basic) -> bool:
    """Whether ``x`` is a finite real number (no variables).

    :param x: a SymPy object.
    :returns: ``True`` for numbers like ``3``, ``pi+2``, ``0.5``.
    """
    if not isinstance(x, sympy.Expr) or x.free_symbols or getattr(x, "is_Matrix", False):
        return False
    if x.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan):
        return False
    try:
        v = complex(x.evalf(30))
    except (TypeError, ValueError):
        return False
    return abs(v.imag) <= 1e-12 * max(1.0, abs(v.real))


def to_float(x: sympy.Basic, digits: int = 50) -> sympy.Float:
    """A number as a high-precision SymPy Float.

    :param x: a number (see :func:`is_number`).
    :param digits: the precision.
    :returns: its value.
    """
    return sympy.re(sympy.N(x, digits))


AnswerPair = tuple[Answer, Answer]
