"""Integrity events: what the page noticed, kept for people to review, never a verdict."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from exam_engine.extensions import db
from exam_engine.models import Attempt, IntegrityEvent

EVENT_KINDS = ("focus_lost", "focus_gained", "paste", "reconnect", "offline", "second_session")
SECOND_SESSION_WINDOW = timedelta(minutes=2)
# The same page saving again refreshes its mark at most this often (one write fewer per save).
REFRESH_EVERY = timedelta(seconds=60)


def record(
    attempt: Attempt, kind: str, now: datetime, details: dict[str, Any] | None = None
) -> IntegrityEvent:
    """Store one event.

    :raises ValueError: for a kind not in ``EVENT_KINDS``.
    """
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    event = IntegrityEvent(attempt_id=attempt.id, kind=kind, at=now, details=details or {})
    db.session.add(event)
    return event


def note_client(attempt: Attempt, client_id: str | None, now: datetime) -> bool:
    """Remember which open page saved; a different page saving soon after is a second session.

    :param client_id: the random id a page instance sends with its saves (``X-Client-Id``).
    :returns: whether a ``second_session`` event was recorded.
    """
    if not client_id:
        return False
    client_id = client_id[:40]
    recorded = False
    if (
        attempt.client_id
        and attempt.client_id != client_id
        and attempt.client_seen_at is not None
        and now - attempt.client_seen_at < SECOND_SESSION_WINDOW
    ):
        record(attempt, "second_session", now, {"previous": attempt.client_id, "new": client_id})
        recorded = True
    stale = attempt.client_seen_at is None or now - attempt.client_seen_at >= REFRESH_EVERY
    if recorded or attempt.client_id != client_id or stale:
        attempt.client_id, attempt.client_seen_at = client_id, now
    return recorded


def events_of(attempt: Attempt) -> list[IntegrityEvent]:
    """The attempt's events in time order."""
    stmt = (
        select(IntegrityEvent)
        .where(IntegrityEvent.attempt_id == attempt.id)
        .order_by(IntegrityEvent.at, IntegrityEvent.id)
    )
    return list(db.session.scalars(stmt))


def counts_by_attempt(attempt_ids: list[int]) -> dict[int, Counter[str]]:
    """Event counts per kind for each attempt (for the dashboard)."""
    found: dict[int, Counter[str]] = {i: Counter() for i in attempt_ids}
    if attempt_ids:
        stmt = select(IntegrityEvent.attempt_id, IntegrityEvent.kind).where(
            IntegrityEvent.attempt_id.in_(attempt_ids)
        )
        for attempt_id, kind in db.session.execute(stmt):
            found[attempt_id][kind] += 1
    return found
