"""A whole exam as JSON: its definition, question versions, candidates, attempts, answers,
marks, overrides, decisions and integrity events. :mod:`exam_import` reads it back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from exam_engine.errors import DomainError
from exam_engine.extensions import db
from exam_engine.models import (
    Attempt,
    Decision,
    Exam,
    Grade,
    IntegrityEvent,
    Invitation,
    ItemAdjustment,
    Question,
    QuestionVersion,
    Response,
    ResponseHistory,
)

FORMAT = "exam-engine/exam-export"
VERSION = 1


class InvalidExport(DomainError):
    """The file is not an exam export this version can read."""

    code = "invalid_export"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def parse_time(value: str | None) -> datetime | None:
    """An ISO-8601 time from an export (``None`` stays ``None``)."""
    return datetime.fromisoformat(value) if value else None


def export_exam(exam: Exam) -> dict[str, Any]:
    """Everything about an exam, keyed by stable identifiers (slugs, hashes, emails).

    :returns: a JSON-serialisable dict.
    """
    attempts = db.session.scalars(
        select(Attempt).where(Attempt.exam_id == exam.id).order_by(Attempt.id)
    ).all()
    versions: dict[int, QuestionVersion] = {}
    for attempt in attempts:
        for item in attempt.questions:
            versions[item.version.id] = item.version
    adjustments = db.session.scalars(
        select(ItemAdjustment).where(ItemAdjustment.exam_id == exam.id)
    ).all()
    slugs = {qid: slug for qid, slug in db.session.execute(select(Question.id, Question.slug))}
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.exam_id == exam.id).order_by(Invitation.id)
    ).all()
    return {
        "format": FORMAT,
        "version": VERSION,
        "exam": {
            "slug": exam.slug,
            "title": exam.title,
            "instructions": exam.instructions,
            "opens_at": _iso(exam.opens_at),
            "closes_at": _iso(exam.closes_at),
            "timezone": exam.timezone,
            "duration_minutes": exam.duration_minutes,
            "cohort_size": exam.cohort_size,
            "grace_seconds": exam.grace_seconds,
            "shuffle_questions": exam.shuffle_questions,
            "default_locale": exam.default_locale,
            "blind": exam.blind,
            "settings": exam.settings or {},
            "sections": [
                {
                    "title": s.title,
                    "bank": s.bank_slug,
                    "topic": s.topic,
                    "tags": s.tags,
                    "draw": s.draw_count,
                }
                for s in exam.sections
            ],
        },
        "question_versions": [
            {
                "bank": v.question.bank.slug,
                "question": v.question.slug,
                "content_hash": v.content_hash,
                "data": v.data,
            }
            for v in sorted(versions.values(), key=lambda v: (v.question.slug, v.id))
        ],
        "adjustments": [
            {
                "question": slugs[a.question_id],
                "action": a.action.value,
                "reason": a.reason,
                "at": _iso(a.at),
            }
            for a in adjustments
        ],
        "invitations": [
            {"email": i.candidate.email, "name": i.candidate.name, "time_factor": i.time_factor}
            for i in invitations
        ],
        "attempts": [_attempt(a) for a in attempts],
    }


def _attempt(attempt: Attempt) -> dict[str, Any]:
    def rows(model: Any) -> list[Any]:
        return list(
            db.session.scalars(
                select(model).where(model.attempt_id == attempt.id).order_by(model.id)
            )
        )

    decision = next(iter(rows(Decision)), None)
    return {
        "email": attempt.candidate.email,
        "seed": attempt.seed,
        "status": attempt.status.value,
        "started_at": _iso(attempt.started_at),
        "deadline_at": _iso(attempt.deadline_at),
        "submitted_at": _iso(attempt.submitted_at),
        "graded_at": _iso(attempt.graded_at),
        "receipt": attempt.receipt,
        "extra_minutes": attempt.extra_minutes,
        "questions": [
            {
                "position": q.position,
                "content_hash": q.version.content_hash,
                "question": q.version.question.slug,
                "variant_seed": q.variant_seed,
                "section": q.section_position,
                "flagged": q.flagged,
            }
            for q in attempt.questions
        ],
        "responses": [
            {"part": r.part_key, "value": r.value, "seq": r.seq, "saved_at": _iso(r.saved_at)}
            for r in rows(Response)
        ],
        "history": [
            {"part": r.part_key, "value": r.value, "seq": r.seq, "saved_at": _iso(r.saved_at)}
            for r in rows(ResponseHistory)
        ],
        "grades": [
            {
                "part": g.part_key,
                "topic": g.topic,
                "score": g.score,
                "auto_score": g.auto_score,
                "override_score": g.override_score,
                "override_reason": g.override_reason,
                "max_score": g.max_score,
                "fraction": g.fraction,
                "note": g.note,
                "feedback": g.feedback,
                "error": g.error,
                "grader_version": g.grader_version,
                "graded_at": _iso(g.graded_at),
            }
            for g in rows(Grade)
        ],
        "events": [
            {"kind": e.kind, "at": _iso(e.at), "details": e.details} for e in rows(IntegrityEvent)
        ],
        "decision": {"kind": decision.kind.value, "note": decision.note, "at": _iso(decision.at)}
        if decision
        else None,
    }
