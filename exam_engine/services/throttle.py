"""Back-off for failed sign-ins, per account and per address (flush, never commit).

An account may fail ``ACCOUNT_FREE`` times, an address ``ADDRESS_FREE`` times (an office or a
university shares one); each further failure doubles the wait, up to ``MAX_WAIT``. A success
clears the account's count, not the address's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from exam_engine.extensions import db
from exam_engine.models import LoginThrottle

ACCOUNT_FREE = 5
ADDRESS_FREE = 20
MAX_WAIT = timedelta(minutes=15)


def keys_for(email: str, address: str | None) -> list[str]:
    """The throttle keys of a sign-in: its account and its address."""
    return [f"account:{email.strip().lower()[:254]}", f"address:{address or '-'}"]


def _rows(keys: list[str]) -> dict[str, LoginThrottle]:
    found = db.session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys)))
    return {row.key: row for row in found}


def retry_after(keys: list[str], now: datetime) -> int:
    """Seconds until a sign-in with these keys may be tried again (0: now)."""
    waits = [
        (row.locked_until - now).total_seconds()
        for row in _rows(keys).values()
        if row.locked_until is not None and row.locked_until > now
    ]
    return int(max(waits) + 0.999) if waits else 0


def failed(keys: list[str], now: datetime) -> int:
    """Count a failure on every key; returns the wait it earned (seconds, 0 for none)."""
    rows = _rows(keys)
    longest = 0
    for key in keys:
        row = rows.get(key)
        if row is None:
            row = LoginThrottle(key=key, failures=0, last_failure_at=now)
            db.session.add(row)
        row.failures += 1
        row.last_failure_at = now
        free = ACCOUNT_FREE if key.startswith("account:") else ADDRESS_FREE
        if row.failures >= free:
            wait = min(MAX_WAIT, timedelta(seconds=2 ** min(row.failures - free + 1, 20)))
            row.locked_until = now + wait
            longest = max(longest, int(wait.total_seconds()))
    db.session.flush()
    return longest


def succeeded(keys: list[str]) -> None:
    """A correct password clears the account's count."""
    for row in _rows(keys[:1]).values():
        db.session.delete(row)
    db.session.flush()


def hit(key: str, now: datetime, limit: int, window: timedelta) -> int:
    """Count one use of ``key`` (applications, reset requests) in a fixed window (flushed).

    Unlike sign-in failures these are ordinary actions, so the count starts afresh with each
    window instead of backing off: ``limit`` uses per ``window``, then a wait until it ends.

    :returns: seconds to wait before this use is allowed (0: allowed, and counted).
    """
    row = _rows([key]).get(key)
    if row is None:
        row = LoginThrottle(key=key, failures=0, last_failure_at=now, locked_until=now + window)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:  # two first uses at once: count on the row the other one made
            row = _rows([key])[key]
    elif row.locked_until is None or row.locked_until <= now:
        row.failures, row.locked_until = 0, now + window
    if row.failures >= limit:
        assert row.locked_until is not None
        return max(1, int((row.locked_until - now).total_seconds() + 0.999))
    row.failures += 1
    row.last_failure_at = now
    db.session.flush()
    return 0
