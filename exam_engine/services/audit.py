"""Recording actions in the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from exam_engine.extensions import db
from exam_engine.models import AuditEntry, User


def record(
    action: str,
    *,
    now: datetime,
    actor: User | None = None,
    target: Any = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry to the session.

    :param action: a stable dotted name such as ``attempt.time_added``.
    :param now: when it happened (UTC).
    :param actor: the staff member, or ``None`` for the system or a candidate.
    :param target: the model instance acted on, if any.
    :param details: anything needed to understand the change later.
    :returns: the new entry (flushed, not committed).
    """
    entry = AuditEntry(
        at=now,
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "id", "")) if target is not None else "",
        details=details or {},
    )
    db.session.add(entry)
    db.session.flush()
    return entry
