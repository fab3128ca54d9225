"""Pairs of candidates who share unusual identical wrong answers: flags for people to review.

A wrong answer is *unusual* when few of the candidates who saw the question gave it (at most
``max(2, rare_fraction × seen)``). Two candidates are flagged when they share at least
``min_shared`` unusual wrong answers. Common mistakes shared by many say nothing and are ignored;
right answers are never counted. The flag is a question for a person, never a verdict.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from exam_engine.extensions import db
from exam_engine.models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Exam,
    Grade,
    Question,
    QuestionVersion,
    Response,
)

_SPACE = re.compile(r"\s+")


@dataclass
class SharedAnswer:
    """One unusual wrong answer two candidates both gave."""

    question: str
    part: str
    answer: str
    given_by: int
    seen_by: int


@dataclass
class PairFlag:
    """Two attempts and the unusual wrong answers they share."""

    first: int
    second: int
    shared: list[SharedAnswer] = field(default_factory=list)


def normalise(value: str) -> str:
    """The answer as compared: no white space, lower case."""
    return _SPACE.sub("", value).lower()


def flagged_pairs(exam: Exam, min_shared: int = 2, rare_fraction: float = 0.05) -> list[PairFlag]:
    """Pairs of closed attempts sharing at least ``min_shared`` unusual identical wrong answers.

    :param exam: the exam.
    :param min_shared: how many shared unusual wrong answers make a flag.
    :param rare_fraction: the share of candidates below which a wrong answer is unusual.
    :returns: flagged pairs, most shared first.
    """
    closed = select(Attempt.id).where(
        Attempt.exam_id == exam.id, Attempt.status != AttemptStatus.OPEN
    )
    slugs = {
        (attempt_id, f"q{position}"): slug
        for attempt_id, position, slug in db.session.execute(
            select(AttemptQuestion.attempt_id, AttemptQuestion.position, Question.slug)
            .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
            .join(Question, Question.id == QuestionVersion.question_id)
            .where(AttemptQuestion.attempt_id.in_(closed))
        )
    }
    answers = db.session.execute(
        select(Grade.attempt_id, Grade.part_key, Grade.fraction, Response.value)
        .join(
            Response,
            (Response.attempt_id == Grade.attempt_id) & (Response.part_key == Grade.part_key),
            isouter=True,
        )
        .where(Grade.attempt_id.in_(closed))
    )
    seen: dict[tuple[str, str], set[int]] = defaultdict(set)
    wrong: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    for attempt_id, part_key, fraction, value in answers:
        position, _, part = part_key.partition("-")
        slug = slugs.get((attempt_id, position))
        if slug is None:
            continue
        seen[(slug, part)].add(attempt_id)
        answer = normalise(value or "")
        if answer and fraction < 1.0:
            wrong[(slug, part, answer)].add(attempt_id)
    pairs: dict[tuple[int, int], PairFlag] = {}
    for (slug, part, answer), who in wrong.items():
        audience = len(seen[(slug, part)])
        if len(who) < 2 or len(who) > max(2, rare_fraction * audience):
            continue
        for a, b in itertools.combinations(sorted(who), 2):
            flag = pairs.setdefault((a, b), PairFlag(a, b))
            flag.shared.append(SharedAnswer(slug, part, answer, len(who), audience))
    found = [p for p in pairs.values() if len(p.shared) >= min_shared]
    found.sort(key=lambda p: (-len(p.shared), p.first, p.second))
    return found
