"""Public value types of the grading core (see docs/CONTRACTS.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

GRADER_VERSION = "1.0.0"

INPUT_TYPES = (
    "algebraic",
    "numeric",
    "matrix",
    "choice",
    "multichoice",
    "set",
    "equation",
    "interval",
    "string",
)


class ParseError(ValueError):
    """Raised by :func:`parse` when a text is not a valid answer.

    :param message: the English message template (``%(name)s`` placeholders).
    :param code: a stable machine-readable code, e.g. ``"missing_star"``.
    :param params: values for the template's placeholders.
    """

    def __init__(self, message: str, code: str = "syntax", params: dict[str, str] | None = None):
        self.template = message
        self.code = code
        self.params = dict(params or {})
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The template with its parameters filled in."""
        try:
            return self.template % self.params if self.params else self.template
        except (KeyError, ValueError, TypeError):
            return self.template


@dataclass(frozen=True)
class PartSettings:
    """Settings of one question part."""

    input_type: str = "algebraic"
    variables: tuple[str, ...] = ()
    implicit_multiplication: bool = True
    allow_floats: bool = True
    forbidden_words: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    #: CAS commands (``diff``, ``int``, ``det``...) the candidate may type; by default none.
    allowed_commands: tuple[str, ...] = ()
    #: whether a candidate may type a product of matrices or vectors (``A*B``); default no.
    allow_matrix_product: bool = False


DEFAULT_SETTINGS = PartSettings()


@dataclass(frozen=True)
class Validation:
    """The validation echo of one typed answer."""

    valid: bool
    display: str
    message_template: str | None = None
    message_params: dict[str, str] = field(default_factory=dict)
    code: str | None = None

    @property
    def message(self) -> str | None:
        """The message with its parameters filled in, or ``None`` when valid."""
        if self.message_template is None:
            return None
        try:
            return self.message_template % self.message_params
        except (KeyError, ValueError, TypeError):
            return self.message_template


@dataclass(frozen=True)
class GradeResult:
    """The outcome of grading one answer: exactly grade-batch's output fields."""

    correct: bool
    score: float
    error: str | None
    note: str
    feedback: str
    display: str

    def to_dict(self) -> dict[str, object]:
        """Return the result as a JSON-ready dict (grade-batch's output fields)."""
        return {
            "correct": self.correct,
            "score": self.score,
            "error": self.error,
            "note": self.note,
            "feedback": self.feedback,
            "display": self.display,
        }


@dataclass(frozen=True)
class Rule:
    """One partial-credit rule, tried in order."""

    test: str
    answer: str
    options: str | None = None
    score: float = 1.0
    feedback: str = ""
    note: str = ""
