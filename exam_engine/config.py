"""Configuration: defaults, an instance file, then ``EXAM_ENGINE_*`` environment variables."""

from __future__ import annotations

import os
from typing import Any

ENV_PREFIX = "EXAM_ENGINE_"


class Config:
    """Defaults for development; production must set a secret key."""

    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # default filled in from the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    DATABASE_POOL_SIZE = 10  # PostgreSQL connections a process keeps (>= threads per web worker)
    WTF_CSRF_TIME_LIMIT: int | None = None  # a 2-hour exam must not lose its token
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    MAX_ANSWER_CHARS = 5_000
    # The sitting's heartbeat and ordinary saves answered without the framework (api/hot.py);
    # off, the Flask views answer every one (same answers, more CPU).
    HOT_PATH = True
    # An open exam page that has heard nothing from the server (a save's answer brings the
    # deadline too) for this long asks for the clock: news of added time or of a closed attempt
    # reaches an idle page within it; at its zero the page asks anyway (docs/api.md).
    HEARTBEAT_SECONDS = 15
    DEADLINE_GRACE_SECONDS = 30  # the default grace of a new exam
    BASE_URL: str | None = None  # required outside development: the public address
    DEV_SERVER = False  # set by `exam-engine run`
    GRADER_WORKERS = 2  # grading processes per web process (one in a worker's pool process)
    GRADER_TIMEOUT = 2.0  # seconds per answer
    GRADER_MEMORY_MB = 1024  # address space per grading process
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("en", "ko")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # True forces it; over TLS the cookie is Secure anyway
    TRUSTED_PROXIES = 0  # TLS-terminating proxies in front (ProxyFix reads their X-Forwarded-*)
    QUESTION_BANKS_PATH: str | None = None
    # The task queue (exam_engine/jobs): no broker URL = the embedded one in the instance folder.
    BROKER_URL: str | None = None
    QUEUE_NAME = "exam-engine"
    EMBEDDED_BROKER_PATH: str | None = None  # default: the instance folder's queue/
    SWEEP_SECONDS = 20.0  # how often the scheduler closes due attempts and re-enqueues lost work
    GRADING_REQUEUE_SECONDS = 300  # a closed attempt still ungraded this long after it was queued
    GRADING_ATTEMPT_BUDGET_SECONDS = 60.0  # per attempt; each answer also has the pool's limit
    TASK_TIME_LIMIT_SECONDS = 900
    JOB_STALE_SECONDS = 120  # a running committee job silent this long is taken to be dead
    JOB_REQUEUE_SECONDS = 60  # a queued committee job not started this long is sent again
    ANALYSIS_REPLICATES = 1000  # bootstrap replicates and IRT posterior draws per analysis
    WORKER_MAX_TASKS_PER_CHILD = 1000
    WORKER_MAX_MEMORY_MB = 1024
    # E-mail (exam_engine/mail): no server = written to the log and the instance folder's mail/.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False  # STARTTLS after connecting (port 587 at most providers)
    MAIL_SENDER = "exam-engine <no-reply@localhost>"
    MAIL_TIMEOUT = 15  # seconds a mail server may take to answer
    MAIL_MAX_TRIES = 6  # a failing send is tried this often, backing off, then shown as failed
    MAIL_RETRY_SECONDS = 30.0  # the first back-off; it doubles with each try
    MAIL_FILE_PATH: str | None = None  # where development mail goes (default: instance/mail)
    APPLY_LINK_HOURS = 48  # how long an applicant's confirmation link works
    APPLY_PER_ADDRESS_PER_HOUR = 60  # applications from one network address (a campus shares one)
    RESET_LINK_MINUTES = 60  # how long a password-reset link works
    LOG_FORMAT = "auto"  # json in production; text under the debug server and in tests
    LOG_LEVEL = "INFO"


# Read as given: a password or a user name may look like a number.
_STRINGS = {
    "SECRET_KEY",
    "QUESTION_BANKS_PATH",
    "BASE_URL",
    "BROKER_URL",
    "MAIL_SERVER",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_SENDER",
    "MAIL_FILE_PATH",
}


def _coerce(value: str) -> Any:
    """Turn an environment string into a bool, int or float where it obviously is one."""
    lowered = value.lower()
    if lowered in {"true", "false"}:
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            continue
    return value


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Collect ``EXAM_ENGINE_*`` variables as config keys.

    ``EXAM_ENGINE_DATABASE_URL`` maps to ``SQLALCHEMY_DATABASE_URI``; any other
    ``EXAM_ENGINE_NAME`` maps to ``NAME``.

    :param environ: the environment to read (``os.environ`` by default).
    :returns: config keys and values.
    """
    environ = dict(os.environ if environ is None else environ)
    found: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX) :]
        if name == "DATABASE_URL":
            found["SQLALCHEMY_DATABASE_URI"] = value
        elif name in _STRINGS:
            found[name] = value
        else:
            found[name] = _coerce(value)
    return found
