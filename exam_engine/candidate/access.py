"""Which attempts the browser's session may see: only those it started or resumed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import session

_KEY = "attempt_ids"


def remember(attempt_id: int) -> None:
    """Let this browser session see ``attempt_id`` (after it presented the invitation)."""
    ids = [i for i in session.get(_KEY, []) if i != attempt_id]
    session[_KEY] = (ids + [attempt_id])[-10:]


def allowed() -> set[int]:
    """The attempt ids this browser session may see."""
    return ids_in(session)


def ids_in(data: Mapping[str, Any]) -> set[int]:
    """The attempt ids a session's data lets its browser see."""
    return {int(i) for i in data.get(_KEY, [])}
