"""Grading closed attempts through the grading pool, and storing each part's mark."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import select

from exam_engine import grading
from exam_engine.extensions import db
from exam_engine.models import Attempt, AttemptStatus, Grade
from exam_engine.services.attempts import answers_of, parts_of


class Grader(Protocol):
    """What scoring needs from the grading pool."""

    def grade_part(
        self, response: str, rules: list[grading.Rule], settings: grading.PartSettings
    ) -> grading.GradeResult: ...


def grade_attempt(attempt: Attempt, now: datetime, grader: Grader | None = None) -> list[Grade]:
    """Grade every part of a closed attempt; unanswered parts score 0 with a note.

    :param attempt: a submitted or expired attempt.
    :param now: the time recorded on the grades.
    :param grader: the grading pool (the process-wide one by default).
    :returns: the grades (flushed), one per part.
    :raises ValueError: when the attempt is still open.
    """
    if attempt.status == AttemptStatus.OPEN:
        raise ValueError("an open attempt cannot be graded")
    grader = grader or grading.get_pool()
    answers = answers_of(attempt)
    existing = {
        g.part_key: g
        for g in db.session.scalars(select(Grade).where(Grade.attempt_id == attempt.id))
    }
    grades = []
    for key, ref in parts_of(attempt).items():
        response = answers.get(key)
        grade = existing.get(key) or Grade(attempt_id=attempt.id, part_key=key)
        grade.topic = ref.question.version.topic
        grade.max_score = float(ref.part.points)
        if response is None or not response.value.strip():
            grade.score, grade.fraction = 0.0, 0.0
            grade.note, grade.feedback, grade.error = "NoAnswer", "", None
        else:
            result = grader.grade_part(response.value, list(ref.part.rules), ref.part.settings)
            grade.fraction = max(0.0, min(1.0, float(result.score)))
            grade.score = grade.fraction * grade.max_score
            grade.note, grade.feedback, grade.error = result.note, result.feedback, result.error
        grade.grader_version = grading.GRADER_VERSION
        grade.graded_at = now
        db.session.add(grade)
        grades.append(grade)
    attempt.graded_at = now
    db.session.flush()
    return grades


def grade_pending(now: datetime, grader: Grader | None = None) -> int:
    """Grade every closed attempt that has no grades yet.

    :returns: how many attempts were graded.
    """
    stmt = select(Attempt).where(Attempt.status != AttemptStatus.OPEN, Attempt.graded_at.is_(None))
    count = 0
    for attempt in db.session.scalars(stmt).all():
        grade_attempt(attempt, now, grader)
        count += 1
    return count
