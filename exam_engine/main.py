"""Pages that belong to no role: the front page and the language switch."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

bp = Blueprint("main", __name__)
LANGUAGE_COOKIE = "lang"


@bp.get("/")
def index() -> str:
    """The front page: where candidates and staff each go."""
    return render_template("index.html")


@bp.get("/healthz")
def health() -> tuple[Response, int]:
    """200 when the database, the broker and the grading processes answer; 503 otherwise."""
    checks = health_checks()
    healthy = all(value == "ok" for value in checks.values())
    return jsonify({"status": "ok" if healthy else "failing", **checks}), 200 if healthy else 503


def health_checks() -> dict[str, str]:
    """Each dependency's state: ``ok`` or what went wrong (no secrets, no URLs)."""
    from sqlalchemy import text

    from exam_engine import grading, jobs
    from exam_engine.extensions import db

    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        db.session.rollback()
        checks["database"] = type(exc).__name__
    try:
        with jobs.celery_app().connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = type(exc).__name__
    try:
        echoed = grading.get_pool().validate("1+1")
        checks["grading"] = "ok" if echoed.valid else "not answering"
    except Exception as exc:  # noqa: BLE001
        checks["grading"] = type(exc).__name__
    return checks


@bp.post("/lang/<code>")
def set_language(code: str) -> Response:
    """Remember the reader's language choice (in a cookie of its own, for a year: the session
    cookie stays a browser session's) and go back where they were."""
    from exam_engine.auth.routes import safe_next

    response = redirect(safe_next(request.form.get("next") or "") or url_for("main.index"))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANGUAGE_COOKIE,
            code,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response
