"""The server's clock, in one place so that tests can set it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app


def now() -> datetime:
    """The current UTC time, shifted by ``CLOCK_OFFSET_SECONDS`` (tests only)."""
    offset = current_app.config.get("CLOCK_OFFSET_SECONDS", 0) if current_app else 0
    return datetime.now(UTC) + timedelta(seconds=float(offset or 0))
