"""The sitting's JSON API (API.md): state, saves, validation echo, submit, integrity events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from exam_engine import clock, grading
from exam_engine.api.echo import answer_states, echo, save_echo
from exam_engine.candidate import access
from exam_engine.errors import DomainError, InvalidAnswer, NotFound
from exam_engine.extensions import db
from exam_engine.models import Attempt
from exam_engine.services import answers, integrity
from exam_engine.services import attempts as attempt_service
from exam_engine.services.locks import lock
from exam_engine.services.sitting import clock_state, close_if_due, finalise, iso, sitting_view
from exam_engine.services.sitting import submit as submit_attempt

bp = Blueprint("api", __name__, url_prefix="/api")


def _body() -> dict[str, Any]:
    """The JSON object of the request, or a 400 with a message."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidAnswer(_("The body must be a JSON object."))
    return data


def _attempt(attempt_id: int) -> Attempt:
    """The attempt, if this browser session may see it (404 otherwise)."""
    return attempt_service.get_attempt(attempt_id, access.allowed())


@bp.get("/attempts/<int:attempt_id>")
def attempt_state(attempt_id: int) -> Response:
    """The attempt's questions, saved answers, deadline and the server's time."""
    attempt = _attempt(attempt_id)
    view = sitting_view(attempt, clock.now(), str(get_locale()))
    values = {key: answer["value"] for key, answer in view["answers"].items()}
    view["states"] = {
        key: {"state": state["state"], "message": state["message"]}
        for key, state in answer_states(values, answers.attempt_parts(attempt.id)).items()
    }
    return jsonify(view)


@bp.get("/attempts/<int:attempt_id>/clock")
def heartbeat(attempt_id: int) -> Response:
    """The open page's heartbeat: the deadline (time added reaches the page here), the status
    and the server's time. One indexed read, no writes."""
    if attempt_id not in access.allowed():
        raise NotFound()
    return jsonify(clock_state(attempt_id, clock.now()))


@bp.post("/attempts/<int:attempt_id>/finalise")
def finalise_attempt(attempt_id: int) -> Response:
    """The page's clock reached zero: the server closes the attempt only if its deadline has
    really passed, and otherwise answers with the deadline as it stands."""
    now = clock.now()
    attempt = finalise(_attempt(attempt_id), now)
    db.session.commit()
    return jsonify(
        {
            "status": attempt.status.value,
            "deadline": iso(attempt.deadline_at),
            "server_now": iso(now),
            "receipt": attempt.receipt,
            "submitted_at": iso(attempt.submitted_at),
        }
    )


@bp.put("/attempts/<int:attempt_id>/answers/<part_key>")
def save_answer(attempt_id: int, part_key: str) -> Response:
    """Save one part's value; answers only after the commit, with the value's validation
    echo (made after the commit: one validation per keystroke burst, docs/api.md "Save").

    The lean path (docs/operations.md, "Where a save's CPU goes"): no ORM objects, the
    attempt's lock, one conditional write and its history row, the commit, then the echo.
    """
    if attempt_id not in access.allowed():
        raise NotFound()
    data = _body()
    value, seq = data.get("value"), data.get("seq")
    if not isinstance(value, str) or isinstance(seq, bool) or not isinstance(seq, int):
        raise InvalidAnswer(_('Expected {"value": text, "seq": whole number}.'))
    answers.check_value(value, seq, current_app.config["MAX_ANSWER_CHARS"])
    settings = answers.attempt_parts(attempt_id).get(part_key)
    if settings is None:
        raise NotFound()
    now = clock.now()
    client_id = request.headers.get("X-Client-Id")
    try:
        stored = answers.store_answer(attempt_id, part_key, value, seq, now, client_id)
        db.session.commit()
    except DomainError:
        db.session.rollback()
        _after_refusal(attempt_id, client_id, now)
        raise
    validation = save_echo(value, settings)
    return jsonify(
        {
            "seq": stored.seq,
            "saved_at": iso(stored.saved_at),
            "validation": validation,
            "deadline": iso(stored.deadline),
            "server_now": iso(now),
        }
    )


def _after_refusal(attempt_id: int, client_id: str | None, now: datetime) -> None:
    """A refused save still tells us which page tried it (a second session shows up here);
    past the deadline, the attempt is closed and its grading enqueued."""
    attempt = attempt_service.get_attempt(attempt_id)
    lock(attempt)
    integrity.note_client(attempt, client_id, now)
    db.session.commit()
    close_if_due(attempt, now)
    db.session.commit()


@bp.post("/validate")
def validate() -> Response:
    """The validation echo for a typed answer; nothing is saved."""
    data = _body()
    value = data.get("value")
    if not isinstance(value, str):
        raise InvalidAnswer(_('Expected {"value": text}.'))
    if len(value) > current_app.config["MAX_ANSWER_CHARS"]:
        raise InvalidAnswer(_("The answer is too long."))
    settings = grading.PartSettings()
    attempt_id, part_key = data.get("attempt_id"), data.get("part_key")
    if isinstance(attempt_id, int) and isinstance(part_key, str):
        if attempt_id not in access.allowed():
            raise NotFound()
        # The parts the save path keeps: no variant is instantiated for an echo.
        settings = answers.attempt_parts(attempt_id).get(part_key, settings)
    return jsonify(echo(value, settings))


@bp.post("/attempts/<int:attempt_id>/submit")
def submit(attempt_id: int) -> Response:
    """Submit the attempt (idempotent): the receipt and the time of submission."""
    attempt = submit_attempt(_attempt(attempt_id), clock.now())  # under the attempt's lock
    db.session.commit()
    return jsonify(
        {
            "receipt": attempt.receipt,
            "submitted_at": iso(attempt.submitted_at),
            "status": attempt.status.value,
        }
    )


@bp.post("/attempts/<int:attempt_id>/events")
def events(attempt_id: int) -> tuple[Response, int]:
    """Record integrity events from the page, for people to review (never a penalty).

    Refused once the attempt is closed, and over the caps (docs/api.md).
    """
    if attempt_id not in access.allowed():
        raise NotFound()
    parsed = integrity.parse_page_events(_body())
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFound()
    lock(attempt)
    stored = integrity.record_page_events(attempt, parsed, clock.now())
    db.session.commit()
    return jsonify({"stored": stored}), 201


@bp.put("/attempts/<int:attempt_id>/flags/<question_key>")
def flag(attempt_id: int, question_key: str) -> Response:
    """Flag a question for review, or clear the flag."""
    attempt = _attempt(attempt_id)
    flagged = _body().get("flagged")
    if not isinstance(flagged, bool):
        raise InvalidAnswer(_('Expected {"flagged": true or false}.'))
    attempt_service.set_flag(attempt, question_key, flagged)
    db.session.commit()
    return jsonify({"question": question_key, "flagged": flagged})
