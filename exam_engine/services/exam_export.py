"""A whole exam as JSON: its definition, question versions, candidates, attempts, answers,
marks, overrides, decisions and integrity events. :mod:`exam_import` reads it back."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from exam_engine.errors import DomainError
from exam_engine.extensions import db
from exam_engine.models import (
    Attempt,
    AttemptQuestion,
    Bank,
    Candidate,
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
BATCH = 500  # attempts read at a time
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
    return {**export_header(exam), "attempts": list(export_attempts(exam))}


def pseudonym(candidate_id: int) -> tuple[str, str]:
    """The e-mail address and name that stand for a candidate in a pseudonymised export: stable
    (the same candidate in the invitations and the attempts), importable, and unroutable."""
    return f"candidate-{candidate_id}@pseudonym.invalid", f"Candidate {candidate_id}"


def export_json(exam: Exam, batch: int = BATCH, pseudonymise: bool = False) -> Iterator[str]:
    """:func:`export_exam` as JSON text in pieces, reading the attempts a batch at a time.

    What a web response streams: memory stays flat and the first bytes leave at once.

    :param pseudonymise: replace names and e-mail addresses with :func:`pseudonym` (what the
        committee downloads while the exam is in blind review).
    """
    header = json.dumps(export_header(exam, pseudonymise), ensure_ascii=False, indent=1)
    yield header[: header.rindex("}")].rstrip() + ',\n "attempts": ['
    for n, attempt in enumerate(export_attempts(exam, batch, pseudonymise)):
        yield ("," if n else "") + "\n" + json.dumps(attempt, ensure_ascii=False)
    yield "\n ]\n}\n"


def export_header(exam: Exam, pseudonymise: bool = False) -> dict[str, Any]:
    """The exam, its question versions, adjustments and invitations (all but the attempts)."""
    version_ids = (
        select(AttemptQuestion.question_version_id)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .where(Attempt.exam_id == exam.id)
        .distinct()
    )
    versions = db.session.scalars(
        select(QuestionVersion)
        .where(QuestionVersion.id.in_(version_ids))
        .options(joinedload(QuestionVersion.question).joinedload(Question.bank))
    ).all()
    adjustments = db.session.scalars(
        select(ItemAdjustment).where(ItemAdjustment.exam_id == exam.id)
    ).all()
    slugs = {qid: slug for qid, slug in db.session.execute(select(Question.id, Question.slug))}
    used = {v.question.bank.slug for v in versions} | {s.bank_slug for s in exam.sections}
    banks = db.session.scalars(select(Bank).where(Bank.slug.in_(used)).order_by(Bank.slug)).all()
    invitations = db.session.execute(
        select(Candidate.id, Candidate.email, Candidate.name, Invitation.time_factor)
        .join(Candidate, Candidate.id == Invitation.candidate_id)
        .where(Invitation.exam_id == exam.id)
        .order_by(Invitation.id)
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
            "pseudonymised": pseudonymise,
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
        # The banks' titles and topic titles, so pages elsewhere read as they do here.
        "banks": [{"slug": b.slug, "title": b.title, "topics": b.topics or {}} for b in banks],
        "question_versions": [
            {
                "bank": v.question.bank.slug,
                "question": v.question.slug,
                "content_hash": v.content_hash,
                "data": v.data,
            }
            for v in sorted(versions, key=lambda v: (v.question.slug, v.id))
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
            {"email": email, "name": name, "time_factor": factor}
            if not pseudonymise
            else dict(zip(("email", "name"), pseudonym(cid), strict=True), time_factor=factor)
            for cid, email, name, factor in invitations
        ],
    }


# The columns each part of an attempt's export needs: plain rows, no ORM objects (10,000
# attempts' worth of objects would cost seconds to build and memory to keep).
_COLUMNS: dict[Any, tuple[Any, ...]] = {
    Response: (Response.part_key, Response.value, Response.seq, Response.saved_at),
    ResponseHistory: (
        ResponseHistory.part_key,
        ResponseHistory.value,
        ResponseHistory.seq,
        ResponseHistory.saved_at,
    ),
    Grade: tuple(
        getattr(Grade, name)
        for name in (
            "part_key",
            "topic",
            "score",
            "auto_score",
            "override_score",
            "override_reason",
            "max_score",
            "fraction",
            "note",
            "feedback",
            "error",
            "grader_version",
            "graded_at",
        )
    ),
    IntegrityEvent: (IntegrityEvent.kind, IntegrityEvent.at, IntegrityEvent.details),
    Decision: (Decision.kind, Decision.note, Decision.at),
}


def export_attempts(
    exam: Exam, batch: int = BATCH, pseudonymise: bool = False
) -> Iterator[dict[str, Any]]:
    """Each attempt with its answers, marks, events and decision, read ``batch`` at a time."""
    ids = list(
        db.session.scalars(
            select(Attempt.id).where(Attempt.exam_id == exam.id).order_by(Attempt.id)
        )
    )
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        attempts = db.session.execute(
            select(
                Attempt.id,
                Candidate.id.label("candidate_id"),
                Candidate.email,
                Attempt.seed,
                Attempt.status,
                Attempt.started_at,
                Attempt.deadline_at,
                Attempt.submitted_at,
                Attempt.graded_at,
                Attempt.receipt,
                Attempt.extra_minutes,
            )
            .join(Candidate, Candidate.id == Attempt.candidate_id)
            .where(Attempt.id.in_(chunk))
            .order_by(Attempt.id)
        ).all()
        drawn = _by_attempt(
            AttemptQuestion,
            chunk,
            (
                AttemptQuestion.position,
                QuestionVersion.content_hash,
                Question.slug,
                AttemptQuestion.variant_seed,
                AttemptQuestion.section_position,
                AttemptQuestion.flagged,
            ),
            lambda stmt: (
                stmt.join(
                    QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id
                )
                .join(Question, Question.id == QuestionVersion.question_id)
                .order_by(AttemptQuestion.attempt_id, AttemptQuestion.position)
            ),
        )
        children = {model: _by_attempt(model, chunk, cols) for model, cols in _COLUMNS.items()}
        children[AttemptQuestion] = drawn
        for attempt in attempts:
            exported = _attempt(
                attempt, {m: rows.get(attempt.id, []) for m, rows in children.items()}
            )
            if pseudonymise:
                exported["email"] = pseudonym(attempt.candidate_id)[0]
            yield exported


def _by_attempt(
    model: Any, ids: list[int], columns: tuple[Any, ...], shape: Any = None
) -> dict[int, list[Any]]:
    """Rows of ``columns`` for these attempts, by attempt id, in id order."""
    stmt = select(model.attempt_id, *columns).where(model.attempt_id.in_(ids))
    stmt = shape(stmt) if shape else stmt.order_by(model.id)
    found: dict[int, list[Any]] = defaultdict(list)
    for row in db.session.execute(stmt):
        found[row[0]].append(row)
    return found


def _attempt(attempt: Any, children: dict[Any, list[Any]]) -> dict[str, Any]:
    def rows(model: Any) -> list[Any]:
        return children[model]

    decision = next(iter(rows(Decision)), None)
    return {
        "email": attempt.email,
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
                "content_hash": q.content_hash,
                "question": q.slug,
                "variant_seed": q.variant_seed,
                "section": q.section_position,
                "flagged": q.flagged,
            }
            for q in rows(AttemptQuestion)
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
