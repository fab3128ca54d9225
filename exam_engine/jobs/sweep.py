"""The scheduler's sweep: close attempts at their deadline, re-enqueue work that went missing."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import shared_task
from flask import current_app
from sqlalchemy import or_, select, update

from exam_engine import clock
from exam_engine.extensions import db
from exam_engine.jobs import GRADE_ATTEMPT, SWEEP, enqueue
from exam_engine.models import Attempt, AttemptStatus
from exam_engine.services import attempts as attempt_service

log = logging.getLogger(__name__)


def owed_grading(now: datetime, requeue_after: timedelta, limit: int = 5000) -> list[int]:
    """Closed, ungraded attempts never queued, or queued longer ago than ``requeue_after``."""
    stmt = (
        select(Attempt.id)
        .where(
            Attempt.status != AttemptStatus.OPEN,
            Attempt.graded_at.is_(None),
            or_(
                Attempt.grading_queued_at.is_(None),
                Attempt.grading_queued_at < now - requeue_after,
            ),
        )
        .order_by(Attempt.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def mark_queued(attempt_ids: list[int], now: datetime) -> None:
    """Record that these attempts' grading was handed to the queue (flushed)."""
    if attempt_ids:
        db.session.execute(
            update(Attempt).where(Attempt.id.in_(attempt_ids)).values(grading_queued_at=now)
        )


def enqueue_grading(attempt_ids: list[int]) -> int:
    """Send a grading task per attempt (after the caller committed ``mark_queued``)."""
    return sum(enqueue(GRADE_ATTEMPT, attempt_id) for attempt_id in attempt_ids)


@shared_task(name=SWEEP)
def sweep() -> dict[str, int]:
    """Finalise every attempt whose deadline and grace have passed, and enqueue owed grading.

    Run by the beat scheduler every ``SWEEP_SECONDS``; safe to run twice at once.
    """
    now = clock.now()
    closed = [attempt.id for attempt in attempt_service.finalize_due(now)]
    db.session.commit()
    requeue = timedelta(seconds=float(current_app.config["GRADING_REQUEUE_SECONDS"]))
    owed = owed_grading(now, requeue)
    mark_queued(owed, now)
    db.session.commit()
    sent = enqueue_grading(owed)
    if closed or owed:
        log.info("sweep: closed %d attempt(s), enqueued %d grading task(s)", len(closed), sent)
    return {"closed": len(closed), "enqueued": sent}
