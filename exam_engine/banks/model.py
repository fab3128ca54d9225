"""Plain dataclasses for question banks: the loaded specification and an instantiated variant.

Nothing here knows about files, Flask or the database: :mod:`exam_engine.banks.loader` builds
these objects from YAML (or from the stored JSON form) and :mod:`exam_engine.banks.variants`
turns a :class:`QuestionSpec` and a seed into a :class:`Variant`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exam_engine.grading.types import INPUT_TYPES as GRADER_INPUT_TYPES

if TYPE_CHECKING:
    from exam_engine.grading import PartSettings, Rule

TOPICS: tuple[str, ...] = (
    "linear-algebra",
    "calculus",
    "probability",
    "statistics",
    "optimisation",
)
#: The grader defines which inputs exist; the bank format accepts exactly those.
INPUT_TYPES: tuple[str, ...] = GRADER_INPUT_TYPES
CHOICE_INPUTS: tuple[str, ...] = ("choice", "multichoice")


#: Text an author may give in one language (a string) or several: ``{en: ..., ko: ...}``.
LocalText = str | dict[str, str]

#: Languages a question's text may be written in.
LANGUAGES = ("en", "ko")


def pick(text: LocalText, locale: str = "en") -> str:
    """The text in ``locale``, else in English, else in whichever language it has.

    :param text: a string or a mapping of language codes to strings.
    :param locale: the reader's language.
    :returns: the text to show.
    """
    return pick_with_language(text, locale)[0]


def pick_with_language(text: LocalText, locale: str = "en") -> tuple[str, str]:
    """:func:`pick`, and the language of what it picked (a plain string counts as English), so
    that a page can mark text that is not in its own language."""
    if isinstance(text, str):
        return text, "en"
    for lang in (locale, "en"):
        if text.get(lang):
            return text[lang], lang
    return next(((v, k) for k, v in text.items() if v), ("", locale))


def languages_of(text: LocalText) -> set[str]:
    """The languages a text is written in (a plain string counts as English)."""
    if isinstance(text, str):
        return {"en"} if text else set()
    return {lang for lang, value in text.items() if value}


@dataclass(frozen=True)
class Problem:
    """One problem found while validating a bank file.

    :param file: the file, as given or relative to the bank folder.
    :param question: the question id, or ``""`` when it is unknown.
    :param field: the field path, e.g. ``parts[1].test`` (``""`` for the whole file).
    :param line: 1-based line in the file, or ``None`` when it is unknown.
    :param message: what is wrong, in English.
    """

    file: str
    question: str
    field: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return ": ".join(x for x in (where, self.question, self.field, self.message) if x)


@dataclass(frozen=True)
class ChoiceSpec:
    """One option of a multiple-choice part: a key (``A``) and its Markdown text."""

    key: str
    text: LocalText


@dataclass(frozen=True)
class RuleSpec:
    """A partial-credit rule as written by the author (answer still in terms of parameters)."""

    test: str
    answer: str | tuple[str, ...]
    options: str | None = None
    score: float = 0.0
    feedback: LocalText = ""
    note: str = ""


@dataclass(frozen=True)
class PartSpec:
    """One part of a question, as written by the author.

    ``answer`` is an expression in the parameters (or a choice key, or a list of keys for
    ``multichoice``); ``points`` is already resolved from ``points``/``weight``.
    """

    key: str
    prompt: LocalText
    input_type: str
    answer: str | tuple[str, ...]
    test: str
    options: str | None
    points: float
    variables: tuple[str, ...] = ()
    allow_floats: bool = True
    implicit_multiplication: bool = True
    forbidden_words: tuple[str, ...] = ()
    # Commands a candidate may type in this part (refused by default), and matrix products.
    allowed_commands: tuple[str, ...] = ()
    allow_matrix_product: bool = False
    choices: tuple[ChoiceSpec, ...] = ()
    shuffle: bool = False
    rules: tuple[RuleSpec, ...] = ()
    feedback_correct: LocalText = ""
    feedback_incorrect: LocalText = ""


@dataclass(frozen=True)
class AuthorTest:
    """An author test: responses per part key and the score (0..1) expected for each.

    Responses may contain ``{{name}}`` (a parameter's value) and ``{{answer}}`` (the part's
    instantiated model answer). ``seed`` restricts the test to one seed.
    """

    responses: dict[str, str]
    expected: dict[str, float]
    note: str = ""
    seed: int | None = None


@dataclass(frozen=True)
class QuestionSpec:
    """A validated question, ready to instantiate.

    ``raw`` is the mapping as loaded (JSON-serialisable), ``content_hash`` its sha256.
    """

    id: str
    title: LocalText
    topic: str
    tags: tuple[str, ...]
    difficulty: int
    points: float
    body: LocalText
    parameters: dict[str, str]
    conditions: tuple[str, ...]
    parts: tuple[PartSpec, ...]
    tests: tuple[AuthorTest, ...]
    content_hash: str
    raw: dict[str, Any] = field(compare=False, repr=False)
    source: str | None = None

    @property
    def is_random(self) -> bool:
        """Whether the question has random parameters (variants differ by seed)."""
        return bool(self.parameters)


@dataclass
class Bank:
    """A bank folder: ``bank.yaml`` metadata and its questions."""

    name: str
    path: Path
    questions: list[QuestionSpec]
    title: str = ""
    description: str = ""
    #: Topic slug -> title (``bank.yaml``'s ``topics:``); see :mod:`exam_engine.banks.topics`.
    topics: dict[str, LocalText] = field(default_factory=dict)

    def get(self, question_id: str) -> QuestionSpec:
        """Return the question with this id.

        :param question_id: the question's id.
        :returns: the question.
        :raises KeyError: when the bank has no such question.
        """
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)


@dataclass
class VariantPart:
    """One part of an instantiated question. ``model_answer`` must never reach a candidate."""

    key: str
    prompt_html: str
    input_type: str
    points: float
    settings: PartSettings
    rules: list[Rule]
    choices: list[tuple[str, str]]
    model_answer: str
    feedback_incorrect: str = ""


@dataclass
class Variant:
    """A question instantiated with one seed: parameter values, rendered HTML and grading rules."""

    question_id: str
    seed: int
    params: dict[str, str]
    body_html: str
    parts: list[VariantPart]
    content_hash: str = ""
    title: str = ""
    locale: str = "en"

    def part(self, key: str) -> VariantPart:
        """Return the part with this key.

        :param key: the part key.
        :returns: the part.
        :raises KeyError: when there is no such part.
        """
        for part in self.parts:
            if part.key == key:
                return part
        raise KeyError(key)
