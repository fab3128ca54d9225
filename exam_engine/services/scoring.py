"""Grading closed attempts through the grading pool, and storing each part's mark."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select

from exam_engine import banks, grading
from exam_engine.extensions import db
from exam_engine.models import Attempt, AttemptStatus, Grade, QuestionVersion
from exam_engine.services import jobs, questions
from exam_engine.services.attempts import PartRef, answers_of, parts_of


class Grader(Protocol):
    """What scoring needs from the grading pool."""

    def grade_part(
        self, response: str, rules: list[grading.Rule], settings: grading.PartSettings
    ) -> grading.GradeResult: ...


@dataclass(frozen=True)
class PartMark:
    """The grader's verdict on one part, before it is stored."""

    fraction: float
    note: str
    feedback: str
    error: str | None


def mark_part(part: banks.VariantPart, value: str | None, grader: Grader) -> PartMark:
    """Grade one response to one variant part; an empty answer scores 0 without grading.

    :param part: the variant's part (rules and settings).
    :param value: the candidate's latest acknowledged value, if any.
    :param grader: the grading pool.
    :returns: the fraction of the part's points earned, with the note and feedback.
    """
    if value is None or not value.strip():
        return PartMark(0.0, "NoAnswer", "", None)
    result = grader.grade_part(value, list(part.rules), part.settings)
    fraction = max(0.0, min(1.0, float(result.score)))
    return PartMark(fraction, result.note, result.feedback, result.error)


def part_for_version(ref: PartRef, version: QuestionVersion | None) -> banks.VariantPart:
    """The part as ``version`` of the question defines it, at the candidate's own seed.

    Used by regrades that apply a corrected version; ``None`` keeps the version shown.
    """
    if version is None or version.id == ref.question.question_version_id:
        return ref.part
    variant = questions.variant(version, ref.question.variant_seed)
    return variant.part(ref.part.key)


# Notes of verdicts the committee must look at: the grader could not decide within its limits.
LIMIT_NOTE = "LIMIT"
BUDGET_NOTE = "BUDGET"
NEEDS_REVIEW = frozenset({LIMIT_NOTE, BUDGET_NOTE, "INTERNAL"})
OVER_BUDGET = PartMark(
    0.0,
    BUDGET_NOTE,
    "",
    "not graded: the attempt's answers took longer than its grading budget",
)


def grade_attempt(
    attempt: Attempt,
    now: datetime,
    grader: Grader | None = None,
    budget_seconds: float | None = None,
) -> list[Grade]:
    """Grade every part of a closed attempt; unanswered parts score 0 with a note.

    Overrides made by the committee stay in force: only the automatic mark changes. Each answer
    runs under the pool's time and memory limits; once ``budget_seconds`` are spent on the
    attempt, its remaining answers get a final "not graded" verdict that the committee sees.

    :param attempt: a submitted or expired attempt.
    :param now: the time recorded on the grades.
    :param grader: the grading pool (the process-wide one by default).
    :param budget_seconds: the attempt's grading budget (none by default).
    :returns: the grades (flushed), one per part.
    :raises ValueError: when the attempt is still open.
    """
    if attempt.status == AttemptStatus.OPEN:
        raise ValueError("an open attempt cannot be graded")
    marks = mark_attempt(attempt, grader or grading.get_pool(), budget_seconds)
    return store_marks(attempt, marks, now)


def mark_attempt(
    attempt: Attempt, grader: Grader, budget_seconds: float | None = None
) -> dict[str, tuple[PartRef, PartMark]]:
    """The grader's verdict on each part, computed without writing anything."""
    answers = answers_of(attempt)
    started = time.monotonic()
    marks: dict[str, tuple[PartRef, PartMark]] = {}
    for key, ref in parts_of(attempt).items():
        response = answers.get(key)
        value = response.value if response else None
        spent = time.monotonic() - started
        if budget_seconds is not None and spent > budget_seconds and value and value.strip():
            marks[key] = (ref, OVER_BUDGET)
        else:
            marks[key] = (ref, mark_part(ref.part, value, grader))
    return marks


def store_marks(
    attempt: Attempt, marks: dict[str, tuple[PartRef, PartMark]], now: datetime
) -> list[Grade]:
    """Write verdicts into the attempt's grades and mark it graded (flushed)."""
    existing = grades_of(attempt)
    grades = []
    for key, (ref, mark) in marks.items():
        grade = existing.get(key) or Grade(attempt_id=attempt.id, part_key=key)
        store_mark(grade, mark, float(ref.part.points), ref.question.version.topic, now)
        grade.question_version_id = ref.question.question_version_id
        db.session.add(grade)
        grades.append(grade)
    attempt.graded_at = now
    db.session.flush()
    return grades


def grade_if_due(
    attempt_id: int,
    now: datetime,
    grader: Grader | None = None,
    budget_seconds: float | None = None,
) -> bool:
    """Grade a closed, ungraded attempt (what the queue's grading task does); idempotent.

    The marks are computed first, without locks; then the attempt's row is locked and, if
    nobody graded it meanwhile, the grades are written.

    :returns: whether this call stored the grades (flushed, for the caller to commit).
    """
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.status == AttemptStatus.OPEN or attempt.graded_at is not None:
        return False
    marks = mark_attempt(attempt, grader or grading.get_pool(), budget_seconds)
    locked = db.session.scalars(
        select(Attempt)
        .where(Attempt.id == attempt_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if locked.graded_at is not None:
        return False
    store_marks(locked, marks, now)
    jobs.note_graded(attempt_id, True, now)  # the exam's analysis is out of date now
    return True


def store_mark(grade: Grade, mark: PartMark, max_score: float, topic: str, now: datetime) -> None:
    """Write a verdict into a grade, keeping any override as the score that counts."""
    grade.topic = topic
    grade.max_score = max_score
    grade.fraction = mark.fraction
    grade.auto_score = mark.fraction * max_score
    grade.score = grade.override_score if grade.override_score is not None else grade.auto_score
    grade.note, grade.feedback, grade.error = mark.note, mark.feedback, mark.error
    grade.grader_version = grading.GRADER_VERSION
    grade.graded_at = now


def grades_of(attempt: Attempt) -> dict[str, Grade]:
    """The attempt's grades by part key."""
    stmt = select(Grade).where(Grade.attempt_id == attempt.id)
    return {g.part_key: g for g in db.session.scalars(stmt)}
