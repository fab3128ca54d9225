"""The grading task: one closed attempt, graded once, under a per-attempt budget."""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from exam_engine import clock
from exam_engine.extensions import db
from exam_engine.jobs import GRADE_ATTEMPT
from exam_engine.models import Attempt, AttemptStatus
from exam_engine.services import scoring
from exam_engine.services.scoring import Grader

log = logging.getLogger(__name__)


@shared_task(name=GRADE_ATTEMPT, bind=True, max_retries=5)
def grade_attempt(self: object, attempt_id: int) -> bool:
    """Grade a closed attempt unless it is graded already (messages may arrive twice).

    :returns: whether this run stored the grades.
    """
    budget = float(current_app.config["GRADING_ATTEMPT_BUDGET_SECONDS"])
    try:
        stored = scoring.grade_if_due(attempt_id, clock.now(), budget_seconds=budget)
        db.session.commit()
    except IntegrityError:
        # Another worker stored the same attempt's grades first (SQLite has no row locks).
        db.session.rollback()
        return False
    except OperationalError as exc:
        db.session.rollback()
        raise self.retry(exc=exc, countdown=2)  # type: ignore[attr-defined]  # noqa: B904
    if stored:
        log.info("graded attempt %s", attempt_id)
    return stored


def grade_pending(
    now: datetime, grader: Grader | None = None, budget_seconds: float | None = None
) -> int:
    """Grade every closed attempt that has no grades yet, committing after each one.

    For the command line and tests; the task queue grades one attempt per task instead. Like a
    task, this commits (services only flush).

    :returns: how many attempts were graded.
    """
    stmt = select(Attempt.id).where(
        Attempt.status != AttemptStatus.OPEN, Attempt.graded_at.is_(None)
    )
    count = 0
    for attempt_id in db.session.scalars(stmt).all():
        count += scoring.grade_if_due(attempt_id, now, grader, budget_seconds)
        db.session.commit()
    return count
