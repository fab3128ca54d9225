"""Pages that belong to no role: the front page and the language switch."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

bp = Blueprint("main", __name__)


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
    """Remember the reader's language choice and go back where they were."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        session.permanent = True  # remembered across browser restarts
    target = request.form.get("next") or url_for("main.index")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("main.index")
    return redirect(target)
