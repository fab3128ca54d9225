"""Pages that belong to no role: the front page and the language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> str:
    """The front page: where candidates and staff each go."""
    return render_template("index.html")


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
