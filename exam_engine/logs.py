"""Logs an operator can follow: one line per request and per job, each with its request id.

JSON lines in production (one object per line, for a log collector), readable lines in
development and tests (``LOG_FORMAT``: ``json``, ``text`` or ``auto``). Every line carries the
id of the request (``X-Request-Id``, taken from the proxy when it sends a sane one, else made
here, and echoed in the response) or of the job it belongs to.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from typing import Any

from flask import Flask, g, has_request_context, request
from werkzeug.wrappers import Response

log = logging.getLogger("exam_engine.requests")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_HANDLER_MARK = "_exam_engine_handler"


def current_id() -> str:
    """The id of the request or job being served, or ``-`` outside both."""
    if has_request_context():
        return str(getattr(g, "request_id", "-"))
    from celery import current_task

    task = current_task
    return str(task.request.id) if task and task.request and task.request.id else "-"


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):  # given as ``extra`` outside a request
            record.request_id = current_id()
        return True


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (a test's capture, a redirected run)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


class JSONFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and extras."""

    FIELDS = ("method", "path", "status", "ms", "task", "attempt", "exam")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        entry.update({k: getattr(record, k) for k in self.FIELDS if hasattr(record, k)})
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(app: Flask) -> None:
    """Attach one handler to the ``exam_engine`` logger (once per process)."""
    logger = logging.getLogger("exam_engine")
    logger.setLevel(str(app.config.get("LOG_LEVEL", "INFO")).upper())
    if any(getattr(h, _HANDLER_MARK, False) for h in logger.handlers):
        return
    kind = str(app.config.get("LOG_FORMAT", "auto"))
    if kind == "auto":
        development = app.debug or app.testing or bool(app.config.get("DEV_SERVER"))
        kind = "text" if development else "json"
    handler = _StderrHandler()
    setattr(handler, _HANDLER_MARK, True)
    handler.addFilter(_ContextFilter())
    handler.setFormatter(
        JSONFormatter()
        if kind == "json"
        else logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
    )
    logger.addHandler(handler)


def init_app(app: Flask) -> None:
    """Request ids in and out, and one log line per request."""
    configure(app)

    @app.before_request
    def _begin() -> None:
        g.request_id = request_id(request.headers.get("X-Request-Id", ""))
        g.request_started = time.perf_counter()

    @app.after_request
    def _end(response: Response) -> Response:
        response.headers["X-Request-Id"] = str(getattr(g, "request_id", "-"))
        started = getattr(g, "request_started", None)
        if started is not None and request.endpoint != "static":
            log_request(request.method, request.path, response.status_code, started)
        return response


def request_id(given: str) -> str:
    """The request's id: the proxy's when it sent a sane one, else a new one."""
    return given if _SANE_ID.match(given) else uuid.uuid4().hex[:16]


def log_request(
    method: str, path: str, status: int, started: float, request_id: str | None = None
) -> None:
    """The request's one log line (``started``: its ``time.perf_counter()``; ``request_id``
    when there is no Flask request context to read it from)."""
    if not log.isEnabledFor(logging.INFO):
        return
    ms = round((time.perf_counter() - started) * 1000, 1)
    extra = {"method": method, "path": path, "status": status, "ms": ms}
    if request_id is not None:
        extra["request_id"] = request_id
    log.info("%s %s %s %.1f ms", method, path, status, ms, extra=extra)
