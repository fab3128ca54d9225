"""Integrity events: what the page noticed, kept for people to review, never a verdict."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import func, select

from exam_engine.errors import AttemptClosed, DomainError, InvalidAnswer
from exam_engine.extensions import db
from exam_engine.models import Attempt, AttemptStatus, IntegrityEvent

EVENT_KINDS = ("focus_lost", "focus_gained", "paste", "reconnect", "offline", "second_session")
SECOND_SESSION_WINDOW = timedelta(minutes=2)
# The same page saving again refreshes its mark at most this often (one write fewer per save).
REFRESH_EVERY = timedelta(seconds=60)
# What one page may send: events per request, per attempt, per minute; detail keys and sizes.
MAX_PER_REQUEST = 100
MAX_PER_ATTEMPT = 1_000
MAX_PER_MINUTE = 120
MAX_DETAILS = 10
MAX_KEY_CHARS = 40
MAX_VALUE_CHARS = 200

Details = dict[str, str | int | float | bool | None]


class TooManyEvents(DomainError):
    """The page sent more integrity events than an attempt may keep."""

    status = 429
    code = "too_many_events"
    message = lazy_gettext("Too many events from this page; they were not recorded.")


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


def client_change(
    last_client: str | None, seen_at: datetime | None, client_id: str | None, now: datetime
) -> tuple[str, bool] | None:
    """What a save from page ``client_id`` changes in the attempt's mark, if anything.

    :param last_client: the page that saved last, seen at ``seen_at``.
    :returns: ``None`` when nothing is to be written (no id, or the same page seen less than
        a minute ago), else the id to store and whether this is a second session (a different
        page saving within two minutes of the last one).
    """
    if not client_id:
        return None
    client_id = client_id[:40]
    second = (
        last_client is not None
        and last_client != client_id
        and seen_at is not None
        and now - seen_at < SECOND_SESSION_WINDOW
    )
    stale = seen_at is None or now - seen_at >= REFRESH_EVERY
    if second or last_client != client_id or stale:
        return client_id, second
    return None


def note_client(attempt: Attempt, client_id: str | None, now: datetime) -> bool:
    """Remember which open page saved; a different page saving soon after is a second session.

    :param client_id: the random id a page instance sends with its saves (``X-Client-Id``).
    :returns: whether a ``second_session`` event was recorded.
    """
    change = client_change(attempt.client_id, attempt.client_seen_at, client_id, now)
    if change is None:
        return False
    new_id, second = change
    if second:
        record(attempt, "second_session", now, {"previous": attempt.client_id, "new": new_id})
    attempt.client_id, attempt.client_seen_at = new_id, now
    return second


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


def parse_page_events(data: dict[str, Any]) -> list[tuple[str, Details]]:
    """The events of a request body (one event, or ``{"events": [...]}``), checked.

    :raises InvalidAnswer: for anything malformed, with a message saying what.
    """
    items = data["events"] if "events" in data else [data]
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_PER_REQUEST:
        raise InvalidAnswer(_("Send from 1 to %(n)s events.", n=MAX_PER_REQUEST))
    parsed = []
    for item in items:
        if not isinstance(item, dict):
            raise InvalidAnswer(_("Each event must be a JSON object."))
        kind = item.get("kind")
        if kind not in EVENT_KINDS:
            raise InvalidAnswer(_("Unknown event kind: %(kind)s", kind=str(kind)[:40]))
        details = {k: v for k, v in item.items() if k != "kind"}
        if len(details) > MAX_DETAILS:
            raise InvalidAnswer(_("An event has at most %(n)s details.", n=MAX_DETAILS))
        for key, value in details.items():
            if len(key) > MAX_KEY_CHARS:
                raise InvalidAnswer(
                    _("Detail names are limited to %(n)s characters.", n=MAX_KEY_CHARS)
                )
            if value is not None and not isinstance(value, str | int | float | bool):
                raise InvalidAnswer(_("Detail values must be text, numbers or true/false."))
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**53:
                raise InvalidAnswer(_("Detail numbers must be below 2^53."))
            if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
                raise InvalidAnswer(
                    _("Detail values are limited to %(n)s characters.", n=MAX_VALUE_CHARS)
                )
        parsed.append((str(kind), details))
    return parsed


def record_page_events(attempt: Attempt, events: list[tuple[str, Details]], now: datetime) -> int:
    """Store a page's events while the attempt is open, within the caps.

    The caller holds the attempt's lock (so two requests cannot both pass the caps) and
    commits.

    :returns: how many were stored.
    :raises AttemptClosed: once the attempt is submitted or past its deadline and grace.
    :raises TooManyEvents: over :data:`MAX_PER_ATTEMPT` in all or :data:`MAX_PER_MINUTE` in
        the last minute.
    """
    if attempt.status != AttemptStatus.OPEN or attempt.past_grace(now):
        raise AttemptClosed()
    since = now - timedelta(minutes=1)
    counted = select(
        func.count(IntegrityEvent.id),
        func.count(IntegrityEvent.id).filter(IntegrityEvent.at > since),
    ).where(IntegrityEvent.attempt_id == attempt.id)
    total, recent = db.session.execute(counted).one()
    if total + len(events) > MAX_PER_ATTEMPT or recent + len(events) > MAX_PER_MINUTE:
        raise TooManyEvents()
    for kind, details in events:
        record(attempt, kind, now, details)
    db.session.flush()
    return len(events)
