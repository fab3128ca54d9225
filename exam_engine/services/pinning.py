"""An open exam is frozen: the question versions it serves are pinned (flush, never commit).

While an exam is being prepared, its pins follow the current version of every question its
sections can draw. From the moment it opens (or its first attempt starts), they stay: an edit
in the editor or an import makes a new version that reaches the exam only when someone
publishes it to the exam, after its author tests pass, with an audit entry naming the
candidates who were already shown the old version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from exam_engine import banks
from exam_engine.banks.limited import limited_author_tests
from exam_engine.errors import DomainError, NotFound
from exam_engine.extensions import db
from exam_engine.models import (
    Attempt,
    AttemptQuestion,
    Bank,
    Exam,
    ExamQuestion,
    ExamSection,
    Question,
    QuestionVersion,
    User,
)
from exam_engine.services import audit, questions

PUBLISH_SEEDS = tuple(range(10))


class PublishRefused(DomainError):
    """The new version fails its author tests, so the open exam keeps the old one."""

    status = 409
    code = "publish_refused"


def is_frozen(exam: Exam, now: datetime) -> bool:
    """Whether the exam's versions are fixed: it has opened, or someone has started it."""
    if exam.opens_at <= now:
        return True
    started = db.session.scalar(select(func.count()).where(Attempt.exam_id == exam.id))
    return bool(started)


def _matches(version: QuestionVersion, section: ExamSection) -> bool:
    return (section.topic is None or version.topic == section.topic) and set(section.tags) <= set(
        version.tags
    )


def pin(exam: Exam, now: datetime) -> None:
    """Pin the current versions of every question the exam's sections can draw.

    A frozen exam keeps its pins; one that has not opened follows its pools exactly.
    """
    if is_frozen(exam, now) and _has_pins(exam):
        return
    wanted: dict[int, QuestionVersion] = {}
    for section in exam.sections:
        for version in questions.pool(section.bank_slug, section.topic, section.tags):
            wanted[version.question_id] = version
    existing = {p.question_id: p for p in _pins(exam)}
    for question_id, old in existing.items():
        if question_id not in wanted:
            db.session.delete(old)
    for question_id, version in wanted.items():
        row = existing.get(question_id)
        if row is None:
            db.session.add(
                ExamQuestion(
                    exam_id=exam.id,
                    question_id=question_id,
                    question_version_id=version.id,
                    pinned_at=now,
                )
            )
        elif row.question_version_id != version.id:
            row.question_version_id, row.pinned_at = version.id, now
    db.session.flush()


def _pins(exam: Exam) -> list[ExamQuestion]:
    return list(db.session.scalars(select(ExamQuestion).where(ExamQuestion.exam_id == exam.id)))


def _has_pins(exam: Exam) -> bool:
    count = db.session.scalar(
        select(func.count()).select_from(ExamQuestion).where(ExamQuestion.exam_id == exam.id)
    )
    return bool(count)


def pool_for(exam: Exam, section: ExamSection, now: datetime) -> list[QuestionVersion]:
    """The versions a section draws from: the exam's pins in its bank, topic and tags, by slug.

    An exam that has none yet (made before pinning existed, or imported) is pinned now.
    """
    pinned = _pinned_in_bank(exam, section.bank_slug)
    if not pinned and not _has_pins(exam):  # asked only when the bank has no pins
        try:
            with db.session.begin_nested():
                pin(exam, now)
        except IntegrityError:
            pass  # another request pinned it at the same moment: use theirs
        pinned = _pinned_in_bank(exam, section.bank_slug)
    return [v for v in pinned if _matches(v, section)]


def _pinned_in_bank(exam: Exam, bank_slug: str) -> list[QuestionVersion]:
    # Without each version's question (its JSON): a start draws a few of the pool, whose
    # variants come from the per-process caches (services/questions.py) or load it then.
    stmt = (
        select(QuestionVersion)
        .options(defer(QuestionVersion.data))
        .join(ExamQuestion, ExamQuestion.question_version_id == QuestionVersion.id)
        .join(Question, Question.id == ExamQuestion.question_id)
        .join(Bank, Bank.id == Question.bank_id)
        .where(ExamQuestion.exam_id == exam.id, Bank.slug == bank_slug)
        .order_by(Question.slug)
    )
    return list(db.session.scalars(stmt))


@dataclass
class Serving:
    """Where a question is served by an exam that is frozen and not yet closed."""

    exam: Exam
    served: QuestionVersion
    current: QuestionVersion | None
    saw_served: int

    @property
    def behind(self) -> bool:
        """Whether the question has a newer version than the exam serves."""
        return self.current is not None and self.current.id != self.served.id


def open_exams_serving(question: Question, now: datetime) -> list[Serving]:
    """The frozen, unclosed exams that serve a version of ``question``."""
    stmt = (
        select(ExamQuestion)
        .join(Exam, Exam.id == ExamQuestion.exam_id)
        .where(ExamQuestion.question_id == question.id, Exam.closes_at > now)
        .order_by(Exam.opens_at)
    )
    found = []
    for row in db.session.scalars(stmt):
        if is_frozen(row.exam, now):
            found.append(
                Serving(row.exam, row.version, question.current_version, _saw(row.exam, row))
            )
    return found


def _saw(exam: Exam, row: ExamQuestion) -> int:
    return int(
        db.session.scalar(
            select(func.count(func.distinct(AttemptQuestion.attempt_id)))
            .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
            .where(
                Attempt.exam_id == exam.id,
                AttemptQuestion.question_version_id == row.question_version_id,
            )
        )
        or 0
    )


@dataclass
class Published:
    """What publishing changed: the versions, and who had been shown the old one."""

    exam: Exam
    old: QuestionVersion
    new: QuestionVersion
    saw_old: list[int] = field(default_factory=list)


def publish(exam: Exam, question: Question, actor: User, now: datetime) -> Published:
    """Serve the question's current version in the exam from now on.

    Candidates who already drew the question keep the version they were shown (and are graded
    on it); new draws get the new one.

    :raises NotFound: when the exam does not serve this question.
    :raises PublishRefused: when the new version fails its author tests.
    """
    row = db.session.scalars(
        select(ExamQuestion).where(
            ExamQuestion.exam_id == exam.id, ExamQuestion.question_id == question.id
        )
    ).first()
    current = question.current_version
    if row is None or current is None:
        raise NotFound()
    old = row.version
    failures = limited_author_tests(banks.question_from_data(current.data), PUBLISH_SEEDS)
    if failures:
        shown = "; ".join(str(f) for f in failures[:3])
        raise PublishRefused(_("The new version fails its author tests: %(tests)s", tests=shown))
    saw_old = list(
        db.session.scalars(
            select(func.distinct(AttemptQuestion.attempt_id))
            .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
            .where(Attempt.exam_id == exam.id, AttemptQuestion.question_version_id == old.id)
            .order_by(AttemptQuestion.attempt_id)
        )
    )
    row.question_version_id, row.pinned_at = current.id, now
    audit.record(
        "exam.question_published",
        now=now,
        actor=actor,
        target=exam,
        details={
            "question": question.slug,
            "old_version": old.id,
            "new_version": current.id,
            "attempts_shown_old_version": saw_old,
        },
    )
    db.session.flush()
    return Published(exam, old, current, saw_old)
