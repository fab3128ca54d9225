"""What the candidate's page sees of an attempt; closing it and handing its grading to the queue."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, bindparam, select

from exam_engine.errors import NotFound
from exam_engine.extensions import db
from exam_engine.jobs import GRADE_ATTEMPT, SEND_RECEIPT, enqueue_after_commit
from exam_engine.models import Attempt, AttemptStatus, Exam
from exam_engine.services import attempts as attempt_service
from exam_engine.services import questions


def iso(moment: datetime | None) -> str | None:
    """ISO-8601 with an explicit UTC offset."""
    return moment.isoformat() if moment is not None else None


def sitting_view(attempt: Attempt, now: datetime, locale: str = "en") -> dict[str, Any]:
    """The attempt as the candidate may see it: questions, parts, saved answers, the clock.

    Model answers and grading rules are never part of it.

    :param attempt: the candidate's attempt.
    :param now: the server's time, sent so the page can correct the browser's clock.
    :param locale: the reader's language for the questions' texts.
    :returns: the JSON of ``GET /api/attempts/<id>`` (API.md).
    """
    answers = attempt_service.answers_of(attempt)
    shown = []
    for item in attempt.questions:
        variant = questions.variant(item.version, item.variant_seed, locale)
        shown.append(
            {
                "key": item.key,
                "number": item.position,
                "title": variant.title or item.version.title,
                "topic": item.version.topic,
                "points": item.version.points,
                "flagged": item.flagged,
                "body_html": variant.body_html,
                "parts": [
                    {
                        "key": f"{item.key}-{part.key}",
                        "label": "abcdefghijklmnopqrstuvwxyz"[index % 26],
                        "input": part.input_type,
                        "prompt_html": part.prompt_html,
                        "points": part.points,
                        "choices": [{"key": k, "html": h} for k, h in part.choices],
                    }
                    for index, part in enumerate(variant.parts)
                ],
            }
        )
    return {
        "id": attempt.id,
        "exam": {"slug": attempt.exam.slug, "title": attempt.exam.title_in(locale)},
        "status": effective_status(attempt, now).value,
        "deadline": iso(attempt.deadline_at),
        "server_now": iso(now),
        "grace_seconds": attempt.exam.grace_seconds,
        "questions": shown,
        "answers": {
            key: {"value": r.value, "seq": r.seq, "saved_at": iso(r.saved_at)}
            for key, r in answers.items()
        },
    }


def effective_status(attempt: Attempt, now: datetime) -> AttemptStatus:
    """The attempt's status as of ``now``, without writing: past deadline + grace it is over.

    Pages read this; the scheduler (or the next write) stores the closing itself.
    """
    if attempt.status == AttemptStatus.OPEN and attempt.past_grace(now):
        return AttemptStatus.EXPIRED
    return attempt.status


@cache
def _clock_query() -> Select[Any]:
    """The heartbeat's one statement (built once: building costs more than running it)."""
    attempts, exams = Attempt.__table__.c, Exam.__table__.c
    return (
        select(attempts.status, attempts.deadline_at, exams.grace_seconds)
        .join_from(Attempt.__table__, Exam.__table__, exams.id == attempts.exam_id)
        .where(attempts.id == bindparam("a"))
    )


def clock_state(
    attempt_id: int, now: datetime, connection: Connection | None = None
) -> dict[str, Any]:
    """The heartbeat: the attempt's deadline and status as of ``now``, from one indexed read.

    Loads no ORM object and writes nothing; an open page asks every few seconds, so time
    the committee adds reaches it quickly.

    :returns: ``{"status", "deadline", "server_now"}`` (the status as
        :func:`effective_status` gives it).
    :param connection: where to read (default: the app's session).
    :raises NotFound: for an attempt that does not exist.
    """
    run = connection.execute if connection is not None else db.session.execute
    row = run(_clock_query(), {"a": attempt_id}).first()
    if row is None:
        raise NotFound()
    status, deadline, grace = row
    if status == AttemptStatus.OPEN and now > deadline + timedelta(seconds=grace):
        status = AttemptStatus.EXPIRED
    return {"status": status.value, "deadline": iso(deadline), "server_now": iso(now)}


def finalise(attempt: Attempt, now: datetime) -> Attempt:
    """The page's clock reached zero: close the attempt if its deadline has really passed.

    Never trusts the page's clock: a deadline that moved (time added) keeps the attempt open,
    and the caller answers with the new deadline. A closed attempt's grading is enqueued when
    the caller commits.
    """
    if attempt_service.close_at_deadline(attempt, now):
        queue_grading(attempt, now)
    return attempt


def close_if_due(attempt: Attempt, now: datetime) -> bool:
    """Finalise an attempt whose time is up; its grading is enqueued when the caller commits.

    :returns: whether the attempt was closed now.
    """
    if not attempt_service.finalize_if_due(attempt, now):
        return False
    queue_grading(attempt, now)
    return True


def submit(attempt: Attempt, now: datetime) -> Attempt:
    """Submit (idempotently); grading is enqueued when the caller commits.

    Grading never runs in the request: the receipt is the candidate's answer at once.
    """
    before = attempt.status
    attempt_service.submit_attempt(attempt, now)
    if before == AttemptStatus.OPEN and attempt.status != AttemptStatus.OPEN:
        queue_grading(attempt, now)
    return attempt


def queue_grading(attempt: Attempt, now: datetime) -> None:
    """Mark the just-closed attempt as queued; once the caller commits, its grading and its
    receipt e-mail (exam_engine/jobs/mail.py; sent once however often asked) go to the queue."""
    attempt.grading_queued_at = now
    enqueue_after_commit(GRADE_ATTEMPT, attempt.id)
    enqueue_after_commit(SEND_RECEIPT, attempt.id)
