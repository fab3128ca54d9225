"""The committee's changes after grading: overrides, item adjustments, decisions, reveal.

Every change is audited with who, when and why.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from exam_engine.errors import DomainError
from exam_engine.extensions import db
from exam_engine.models import (
    Attempt,
    Decision,
    DecisionKind,
    Exam,
    Grade,
    GradeChange,
    ItemAction,
    ItemAdjustment,
    Question,
    User,
)
from exam_engine.services import audit
from exam_engine.services.jobs import grades_changed, grades_changed_for_attempt


class ReviewError(DomainError):
    """A committee change that cannot be made as asked."""

    code = "review_refused"


def _reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise ReviewError(_("A reason is required."))
    return reason.strip()[:2000]


def log_change(
    grade: Grade, kind: str, old: float, reason: str, actor: User, now: datetime
) -> None:
    """Keep one change to a mark in the grade's history (override, clear_override, regrade)."""
    db.session.add(
        GradeChange(
            grade_id=grade.id,
            at=now,
            actor_id=actor.id,
            kind=kind,
            old_score=old,
            new_score=grade.score,
            reason=reason,
        )
    )


def override_grade(grade: Grade, score: float, reason: str, actor: User, now: datetime) -> None:
    """Set the mark of one response by hand; the grader's mark is kept beside it.

    :param score: from 0 to the part's maximum.
    :raises ReviewError: for a missing reason or a score out of range.
    """
    reason = _reason(reason)
    if not 0 <= score <= grade.max_score:
        highest = format(grade.max_score, "g")
        raise ReviewError(_("The mark must be between 0 and %(max)s.", max=highest))
    old = grade.score
    grade.override_score, grade.override_reason, grade.score = score, reason, score
    log_change(grade, "override", old, reason, actor, now)
    grades_changed_for_attempt(grade.attempt_id, now)
    audit.record(
        "grade.override",
        now=now,
        actor=actor,
        target=grade,
        details={
            "part": grade.part_key,
            "attempt": grade.attempt_id,
            "old": old,
            "new": score,
            "reason": reason,
        },
    )


def clear_override(grade: Grade, reason: str, actor: User, now: datetime) -> None:
    """Go back to the grader's mark.

    :raises ReviewError: when there is no override or no reason.
    """
    reason = _reason(reason)
    if grade.override_score is None:
        raise ReviewError(_("This mark was not overridden."))
    old = grade.score
    grade.override_score, grade.override_reason, grade.score = None, None, grade.auto_score
    log_change(grade, "clear_override", old, reason, actor, now)
    grades_changed_for_attempt(grade.attempt_id, now)
    audit.record(
        "grade.override_cleared",
        now=now,
        actor=actor,
        target=grade,
        details={"part": grade.part_key, "old": old, "new": grade.score, "reason": reason},
    )


def history(grade: Grade) -> list[GradeChange]:
    """Every change to a grade, oldest first."""
    stmt = select(GradeChange).where(GradeChange.grade_id == grade.id).order_by(GradeChange.id)
    return list(db.session.scalars(stmt))


def histories(grades: list[Grade]) -> dict[int, list[GradeChange]]:
    """Every change to each of these grades, oldest first, by grade id (one statement)."""
    found: dict[int, list[GradeChange]] = {g.id: [] for g in grades}
    if grades:
        stmt = (
            select(GradeChange)
            .where(GradeChange.grade_id.in_(list(found)))
            .order_by(GradeChange.id)
        )
        for change in db.session.scalars(stmt):
            found[change.grade_id].append(change)
    return found


def adjust_item(
    exam: Exam,
    question: Question,
    action: ItemAction | None,
    reason: str,
    actor: User,
    now: datetime,
) -> None:
    """Drop a question from the exam, give everyone full marks on it, or undo (``None``).

    The ranking follows at once; stored grades are untouched, so it can be undone.
    """
    reason = _reason(reason)
    existing = db.session.scalars(
        select(ItemAdjustment).where(
            ItemAdjustment.exam_id == exam.id, ItemAdjustment.question_id == question.id
        )
    ).first()
    before = existing.action.value if existing else None
    if action is None:
        if existing is not None:
            db.session.delete(existing)
    elif existing is None:
        db.session.add(
            ItemAdjustment(
                exam_id=exam.id,
                question_id=question.id,
                action=action,
                reason=reason,
                actor_id=actor.id,
                at=now,
            )
        )
    else:
        existing.action, existing.reason, existing.actor_id, existing.at = (
            action,
            reason,
            actor.id,
            now,
        )
    audit.record(
        "item.adjust",
        now=now,
        actor=actor,
        target=exam,
        details={
            "question": question.slug,
            "before": before,
            "after": action.value if action else None,
            "reason": reason,
        },
    )
    grades_changed(exam.id, now)
    db.session.flush()


def decide(
    attempt: Attempt, kind: DecisionKind | None, note: str, actor: User, now: datetime
) -> Decision | None:
    """Record (or clear, with ``None``) the committee's decision on a candidate."""
    decision = db.session.scalars(select(Decision).where(Decision.attempt_id == attempt.id)).first()
    before = decision.kind.value if decision else None
    if kind is None:
        if decision is not None:
            db.session.delete(decision)
        decision = None
    elif decision is None:
        decision = Decision(
            attempt_id=attempt.id, kind=kind, note=note.strip()[:2000], actor_id=actor.id, at=now
        )
        db.session.add(decision)
    else:
        decision.kind, decision.note, decision.actor_id, decision.at = (
            kind,
            note.strip()[:2000],
            actor.id,
            now,
        )
        decision.revision += 1
    audit.record(
        "decision.set",
        now=now,
        actor=actor,
        target=attempt,
        details={
            "before": before,
            "after": kind.value if kind else None,
            "note": note.strip()[:2000],
        },
    )
    db.session.flush()
    return decision


def current_decision(attempt: Attempt) -> Decision | None:
    """The decision recorded for an attempt, if any."""
    return db.session.scalars(select(Decision).where(Decision.attempt_id == attempt.id)).first()


def set_blind(exam: Exam, blind: bool, actor: User, now: datetime) -> None:
    """Hide candidates' names until a reveal (or show them: the reveal), audited."""
    exam.blind = blind
    exam.revealed_at = None if blind else now
    audit.record("exam.blind" if blind else "exam.reveal", now=now, actor=actor, target=exam)
    db.session.flush()


def display_name(exam: Exam, attempt_id: int, name: str, email: str) -> str:
    """What the committee sees for a candidate: a pseudonym while the exam is blind."""
    if exam.blind:
        return f"#{attempt_id}"
    return name or email
