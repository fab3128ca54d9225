"""The sitting's JSON API (API.md): state, saves, validation echo, submit, integrity events."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask_babel import get_locale
from werkzeug.wrappers import Response

from exam_engine import clock, grading
from exam_engine.api.echo import echo
from exam_engine.candidate import access
from exam_engine.errors import DomainError, InvalidAnswer, NotFound
from exam_engine.extensions import db
from exam_engine.models import Attempt
from exam_engine.services import attempts as attempt_service
from exam_engine.services import integrity
from exam_engine.services.sitting import close_if_due, iso, sitting_view
from exam_engine.services.sitting import submit as submit_attempt

bp = Blueprint("api", __name__, url_prefix="/api")


def _body() -> dict[str, Any]:
    """The JSON object of the request, or a 400 with a message."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidAnswer("the body must be a JSON object")
    return data


def _attempt(attempt_id: int) -> Attempt:
    """The attempt, if this browser session may see it (404 otherwise)."""
    return attempt_service.get_attempt(attempt_id, access.allowed())


@bp.get("/attempts/<int:attempt_id>")
def attempt_state(attempt_id: int) -> Response:
    """The attempt's questions, saved answers, deadline and the server's time."""
    attempt = _attempt(attempt_id)
    return jsonify(sitting_view(attempt, clock.now(), str(get_locale())))


@bp.put("/attempts/<int:attempt_id>/answers/<part_key>")
def save_answer(attempt_id: int, part_key: str) -> Response:
    """Save one part's value; answers only after the commit."""
    attempt = _attempt(attempt_id)
    data = _body()
    value, seq = data.get("value"), data.get("seq")
    if not isinstance(value, str) or isinstance(seq, bool) or not isinstance(seq, int):
        raise InvalidAnswer('expected {"value": string, "seq": integer}')
    if "\x00" in value:
        raise InvalidAnswer("the answer contains a NUL character")
    now = clock.now()
    max_chars = current_app.config["MAX_ANSWER_CHARS"]
    client_id = request.headers.get("X-Client-Id")
    ref = attempt_service.parts_of(attempt).get(part_key)
    if ref is None:
        raise NotFound()
    try:
        response = attempt_service.save_answer(attempt, part_key, value, seq, now, max_chars)
        integrity.note_client(attempt, client_id, now)
        acknowledged = {"seq": response.seq, "saved_at": iso(response.saved_at)}
        db.session.commit()
    except DomainError:
        db.session.rollback()
        # A refused save still tells us which page tried it (a second session shows up here).
        integrity.note_client(attempt, client_id, now)
        db.session.commit()
        close_if_due(attempt, now)
        raise
    # Everything the answer needs was read before the commit: nothing is loaded again.
    return jsonify({**acknowledged, "validation": echo(value, ref.part.settings)})


@bp.post("/validate")
def validate() -> Response:
    """The validation echo for a typed answer; nothing is saved."""
    data = _body()
    value = data.get("value")
    if not isinstance(value, str):
        raise InvalidAnswer('expected {"value": string}')
    if len(value) > current_app.config["MAX_ANSWER_CHARS"]:
        raise InvalidAnswer("the answer is too long")
    settings = grading.PartSettings()
    attempt_id, part_key = data.get("attempt_id"), data.get("part_key")
    if isinstance(attempt_id, int) and isinstance(part_key, str):
        parts = attempt_service.parts_of(_attempt(attempt_id))
        if part_key in parts:
            settings = parts[part_key].part.settings
    return jsonify(echo(value, settings))


@bp.post("/attempts/<int:attempt_id>/submit")
def submit(attempt_id: int) -> Response:
    """Submit the attempt (idempotent): the receipt and the time of submission."""
    attempt = submit_attempt(_attempt(attempt_id), clock.now())
    return jsonify(
        {
            "receipt": attempt.receipt,
            "submitted_at": iso(attempt.submitted_at),
            "status": attempt.status.value,
        }
    )


@bp.post("/attempts/<int:attempt_id>/events")
def events(attempt_id: int) -> tuple[Response, int]:
    """Record integrity events from the page, for people to review (never a penalty)."""
    attempt = _attempt(attempt_id)
    data = _body()
    items = data.get("events", [data])
    if not isinstance(items, list) or len(items) > 100:
        raise InvalidAnswer("expected up to 100 events")
    now = clock.now()
    for item in items:
        kind = item.get("kind") if isinstance(item, dict) else None
        if kind not in integrity.EVENT_KINDS:
            raise InvalidAnswer(f"unknown event kind: {str(kind)[:40]!r}")
        details = {str(k)[:40]: str(v)[:200] for k, v in list(item.items())[:10] if k != "kind"}
        integrity.record(attempt, kind, now, details)
    db.session.commit()
    return jsonify({"stored": len(items)}), 201


@bp.put("/attempts/<int:attempt_id>/flags/<question_key>")
def flag(attempt_id: int, question_key: str) -> Response:
    """Flag a question for review, or clear the flag."""
    attempt = _attempt(attempt_id)
    flagged = _body().get("flagged")
    if not isinstance(flagged, bool):
        raise InvalidAnswer('expected {"flagged": true or false}')
    attempt_service.set_flag(attempt, question_key, flagged)
    db.session.commit()
    return jsonify({"question": question_key, "flagged": flagged})
