"""Domain errors, and how they reach people: a clear 4xx page or JSON body, never a 500."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A rule of the exam was broken; ``status`` is the HTTP status it maps to.

    Every error has a ``code`` in snake_case (the JSON body's ``code``). The body's ``error`` is
    the same code, except where the sitting's published API fixed another spelling first
    (``legacy_error``: ``"deadline passed"``, ``"attempt closed"``), which is kept for clients.
    """

    status = 400
    code = "bad_request"
    legacy_error: str | None = None
    message: Any = lazy_gettext("The request could not be processed.")

    def __init__(self, message: Any = None, **extra: Any) -> None:
        super().__init__(str(message or self.message))
        if message is not None:
            self.message = message
        self.extra = extra


class NotFound(DomainError):
    """The thing does not exist, or is not yours to see."""

    status = 404
    code = "not_found"
    message = lazy_gettext("Not found.")


class InvalidInvitation(NotFound):
    """The invitation token does not match any invitation."""

    code = "invalid_invitation"
    message = lazy_gettext("This invitation link is not valid. Check that you copied all of it.")


class ExamClosed(DomainError):
    """The exam's window is not open."""

    status = 409
    code = "exam_closed"
    message = lazy_gettext("This exam is not open now.")


class DeadlinePassed(DomainError):
    """A save or submit arrived after the deadline and its grace."""

    status = 409
    code = "deadline_passed"
    legacy_error = "deadline passed"
    message = lazy_gettext("The time for this exam is over; this answer was not saved.")


class StaleSave(DomainError):
    """A save carried an older ``seq`` than the one stored (another tab, or a replay)."""

    status = 409
    code = "stale"
    message = lazy_gettext(
        "A newer answer was already saved, perhaps from another tab. Reload to see it."
    )


class AttemptClosed(DomainError):
    """The attempt was already submitted."""

    status = 409
    code = "attempt_closed"
    legacy_error = "attempt closed"
    message = lazy_gettext("This exam was already submitted; answers can no longer change.")


class InvalidAnswer(DomainError):
    """The request body is malformed or over a size limit."""

    status = 400
    code = "invalid"


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.is_json


def register(app: Flask) -> None:
    """Map domain errors and HTTP errors to pages or JSON."""

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Any:
        if _wants_json():
            body = {
                "error": error.legacy_error or error.code,
                "code": error.code,
                "message": str(error.message),
                **error.extra,
            }
            return jsonify(body), error.status
        return (
            render_template("error.html", status=error.status, message=str(error.message)),
            error.status,
        )

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> Any:
        message = _("Your session has expired or the form was tampered with. Reload and try again.")
        if _wants_json():
            return jsonify({"error": "csrf", "code": "csrf", "message": message}), 400
        return render_template("error.html", status=400, message=message), 400

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        # Anything else is a bug: undo the request's writes, log it with its request id, and
        # answer in the form the caller reads. Nothing of the error's text reaches the page.
        from exam_engine.extensions import db
        from exam_engine.logs import current_id

        db.session.rollback()
        logging.getLogger("exam_engine.errors").exception(
            "unhandled error on %s %s", request.method, request.path
        )
        message = _(
            "Something went wrong on our side. It has been logged (reference %(id)s).",
            id=current_id(),
        )
        if _wants_json():
            body = {"error": "internal", "code": "internal", "message": message}
            return jsonify({**body, "request_id": current_id()}), 500
        return render_template("error.html", status=500, message=message), 500

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        messages = {
            400: _("The request was malformed."),
            403: _("You are not allowed to see this page."),
            404: _("Page not found."),
            405: _("That method is not allowed here."),
            413: _("What you sent is too large."),
        }
        status = error.code or 500
        message = messages.get(status, error.description or _("Something went wrong."))
        if _wants_json():
            code = error.name.lower().replace(" ", "_").replace("'", "")
            return jsonify({"error": code, "code": code, "message": message}), status
        return render_template("error.html", status=status, message=message), status
