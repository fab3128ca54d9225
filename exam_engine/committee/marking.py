"""An attempt as the committee judges it: each question as the candidate saw it, side by side
with the model answer, the candidate's answer, the mark and the grader's note in words.

Nothing here writes. Candidate text reaches the page only escaped, or as MathML that went
through the sanitising renderer; the candidate's answer is read again by the grading pool
(under its time and memory limits), exactly as the echo read it while they typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from exam_engine import banks, grading
from exam_engine.banks.render import MathError, latex_to_mathml, render_markdown
from exam_engine.committee.notes import explain
from exam_engine.grading.typed import key_forms
from exam_engine.models import Attempt, Grade, Response
from exam_engine.services import questions

LABELS = "abcdefghijklmnopqrstuvwxyz"


@dataclass
class Choice:
    """One option of a choice part: its text, whether it is right and whether it was chosen."""

    key: str
    html: Markup
    right: bool
    chosen: bool


@dataclass
class PartReview:
    """One part: the prompt, both answers (rendered and as text), the mark and the note."""

    key: str
    label: str
    input_type: str
    prompt_html: Markup
    points: float
    value: str | None
    answer_math: Markup | None
    answer_problem: str | None
    model_typed: str
    model_math: Markup | None
    choices: list[Choice]
    grade: Grade | None
    feedback_html: Markup | None
    note_words: list[str]


@dataclass
class QuestionReview:
    """One question of the attempt, in the candidate's order, with its variant's text."""

    key: str
    number: int
    title: str
    topic: str
    body_html: Markup
    parts: list[PartReview] = field(default_factory=list)

    @property
    def score(self) -> float:
        """Points awarded over the parts graded so far."""
        return sum(p.grade.score for p in self.parts if p.grade is not None)

    @property
    def max_score(self) -> float:
        """Points available on this question."""
        return sum(p.grade.max_score if p.grade is not None else p.points for p in self.parts)


def math(latex: str | None) -> Markup | None:
    """Sanitised MathML for LaTeX, or the LaTeX as escaped code when it cannot be converted."""
    if not latex:
        return None
    try:
        return Markup(latex_to_mathml(latex, display=False))  # noqa: S704 - sanitised MathML
    except MathError:
        return Markup("<code>{}</code>").format(latex)


def chosen_keys(value: str | None) -> set[str]:
    """The option keys of a choice answer: ``A``, ``A,C`` or ``{A, C}``."""
    text = (value or "").replace("{", "").replace("}", "").replace("[", "").replace("]", "")
    return {k.strip() for k in text.split(",") if k.strip()}


def _candidate(value: str | None, part: banks.VariantPart) -> tuple[Markup | None, str | None]:
    """The candidate's answer as the echo showed it: MathML, or the reason it was not valid."""
    if value is None or not value.strip() or part.input_type in ("choice", "multichoice"):
        return None, None
    result = grading.get_pool().validate(value, part.settings)
    if not result.valid:
        if not result.message_template:
            return None, _("This answer is not valid.")
        return None, _(result.message_template, **(result.message_params or {}))
    return math(result.display), None


def part_review(
    key: str, index: int, part: banks.VariantPart, response: Response | None, grade: Grade | None
) -> PartReview:
    """Everything the committee needs to judge one part."""
    value = response.value if response is not None else None
    answer_math, problem = _candidate(value, part)
    typed, latex = key_forms(part.model_answer, part.settings)
    right = chosen_keys(part.model_answer)
    picked = chosen_keys(value)
    feedback = grade.feedback if grade is not None and grade.feedback else ""
    return PartReview(
        key=key,
        label=LABELS[index % len(LABELS)],
        input_type=part.input_type,
        prompt_html=Markup(part.prompt_html),  # noqa: S704 - rendered and sanitised by banks
        points=part.points,
        value=value,
        answer_math=answer_math,
        answer_problem=problem,
        model_typed=typed,
        model_math=math(latex),
        choices=[
            Choice(k, Markup(html), k in right, k in picked)  # noqa: S704 - sanitised by banks
            for k, html in part.choices
        ],
        grade=grade,
        feedback_html=Markup(render_markdown(feedback)) if feedback else None,  # noqa: S704
        note_words=explain(grade.note, grade.fraction) if grade is not None else [],
    )


def review_of(
    attempt: Attempt, answers: dict[str, Response], grades: dict[str, Grade]
) -> list[QuestionReview]:
    """The attempt's questions in the candidate's order, their variants in the reader's language.

    :param attempt: the attempt (its questions and versions loaded).
    :param answers: the stored responses by part key.
    :param grades: the stored grades by part key.
    :returns: one review per question.
    """
    locale = str(get_locale() or "en")
    out = []
    for item in sorted(attempt.questions, key=lambda q: q.position):
        variant = questions.variant(item.version, item.variant_seed, locale)
        review = QuestionReview(
            key=item.key,
            number=item.position,
            title=variant.title or item.version.title,
            topic=item.version.topic,
            body_html=Markup(variant.body_html),  # noqa: S704 - rendered and sanitised by banks
        )
        for index, part in enumerate(variant.parts):
            key = f"{item.key}-{part.key}"
            review.parts.append(part_review(key, index, part, answers.get(key), grades.get(key)))
        out.append(review)
    return out
