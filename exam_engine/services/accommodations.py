"""Extra time for a running attempt, audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _

from exam_engine.errors import AttemptClosed, DomainError
from exam_engine.models import Attempt, AttemptStatus, User
from exam_engine.services import audit
from exam_engine.services.locks import lock

MAX_EXTRA_MINUTES = 240


def add_time(attempt: Attempt, minutes: float, actor: User, reason: str, now: datetime) -> None:
    """Move a running attempt's deadline later and record who did it and why.

    :param minutes: from 1 to ``MAX_EXTRA_MINUTES``.
    :param reason: required; kept in the audit log.
    :raises AttemptClosed: when the attempt is no longer open.
    :raises DomainError: for a missing reason or minutes out of range.
    """
    lock(attempt)  # one writer at a time: a finalise or the sweep may be closing it right now
    if attempt.status != AttemptStatus.OPEN:
        raise AttemptClosed()
    if not 1 <= minutes <= MAX_EXTRA_MINUTES:
        raise DomainError(_("Extra time must be between 1 and %(n)d minutes.", n=MAX_EXTRA_MINUTES))
    if not reason.strip():
        raise DomainError(_("A reason is required."))
    before = attempt.deadline_at
    attempt.deadline_at = before + timedelta(minutes=minutes)
    attempt.extra_minutes = (attempt.extra_minutes or 0.0) + minutes
    audit.record(
        "attempt.time_added",
        now=now,
        actor=actor,
        target=attempt,
        details={
            "minutes": minutes,
            "reason": reason.strip(),
            "deadline_before": before.isoformat(),
            "deadline_after": attempt.deadline_at.isoformat(),
        },
    )
