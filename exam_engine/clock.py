"""The server's clock, in one place so that tests can set it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app


def now(config: Mapping[str, Any] | None = None) -> datetime:
    """The current UTC time, shifted by ``CLOCK_OFFSET_SECONDS`` (tests only).

    :param config: the app's configuration (default: the current app's, if there is one).
    """
    if config is None:
        config = current_app.config if current_app else {}
    offset = config.get("CLOCK_OFFSET_SECONDS", 0)
    return datetime.now(UTC) + timedelta(seconds=float(offset or 0))
