"""The candidate's pages: invitation, the exam itself, the receipt."""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from exam_engine import clock
from exam_engine.api.echo import ANSWERED, EMPTY, INVALID, answer_states
from exam_engine.candidate import access
from exam_engine.candidate.plural import plural_forms
from exam_engine.errors import InvalidInvitation, NotFound
from exam_engine.extensions import db
from exam_engine.models import Attempt, AttemptStatus
from exam_engine.services import answers
from exam_engine.services import attempts as attempt_service
from exam_engine.services import exams as exam_service
from exam_engine.services.sitting import effective_status, sitting_view

bp = Blueprint("candidate", __name__)


class StartForm(FlaskForm):
    """Only a CSRF token: starting is one button."""


def _own_attempt(attempt_id: int) -> Attempt:
    """The attempt, if this browser started or resumed it; else a 404 that says what to do.

    The same page answers for ids that do not exist, so it tells nobody whether one does.
    """
    try:
        return attempt_service.get_attempt(attempt_id, access.allowed())
    except NotFound:
        raise NotFound(
            _(
                "This exam page opens only in the browser where the exam was started. If it is "
                "yours, open your invitation link again (from your e-mail) to continue where "
                "you left off."
            )
        ) from None


@bp.get("/i/<token>")
def invitation(token: str) -> str:
    """The invitation page: the exam's instructions, its window and a start button."""
    invite = exam_service.invitation_by_token(token)
    if invite is None:
        raise InvalidInvitation()
    g.exam_locale = invite.exam.default_locale
    attempt = attempt_service.attempt_for(invite)
    now = clock.now()
    return render_template(
        "candidate/invitation.html",
        invite=invite,
        exam=invite.exam,
        attempt=attempt,
        is_open=invite.exam.is_open(now),
        now=now,
        form=StartForm(),
    )


@bp.post("/i/<token>/start")
def start(token: str) -> Response:
    """Start (or resume) the attempt and go to it."""
    invite = exam_service.invitation_by_token(token)
    if invite is None:
        raise InvalidInvitation()
    attempt = attempt_service.start_attempt(invite, clock.now())
    db.session.commit()
    access.remember(attempt.id)
    return redirect(url_for("candidate.attempt", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
def attempt(attempt_id: int) -> str | Response:
    """The exam page; a closed attempt shows its receipt instead."""
    attempt = _own_attempt(attempt_id)
    g.exam_locale = attempt.exam.default_locale
    if effective_status(attempt, clock.now()) != AttemptStatus.OPEN:
        return redirect(url_for("candidate.receipt", attempt_id=attempt.id))
    view = sitting_view(attempt, clock.now(), str(get_locale()))
    values = {key: answer["value"] for key, answer in view["answers"].items()}
    # The page starts from what the server holds, each answer already checked by grading's
    # own validation (no request per part when the page opens).
    states = answer_states(values, answers.attempt_parts(attempt.id))
    added = plural_forms(
        lambda n: ngettext(
            "The committee gave you %(minutes)s more minute.",
            "The committee gave you %(minutes)s more minutes.",
            n,
            minutes="{n}",
        )
    )
    return render_template(
        "candidate/attempt.html",
        attempt=attempt,
        view=view,
        states=states,
        time_added=added,
        offline=plural_forms(
            lambda n: ngettext(
                "Offline: %(n)s answer waiting", "Offline: %(n)s answers waiting", n, n="{n}"
            )
        ),
        max_chars=current_app.config["MAX_ANSWER_CHARS"],
    )


@bp.get("/attempts/<int:attempt_id>/receipt")
def receipt(attempt_id: int) -> str | Response:
    """The receipt: when it was submitted and the hash of the final answers."""
    attempt = _own_attempt(attempt_id)
    g.exam_locale = attempt.exam.default_locale
    status = effective_status(attempt, clock.now())
    if status == AttemptStatus.OPEN:
        return redirect(url_for("candidate.attempt", attempt_id=attempt.id))
    # Time ran out but the scheduler has not closed the attempt yet: show what it will store.
    receipt = attempt.receipt or attempt_service.receipt_for(attempt)
    stored = {key: r.value for key, r in attempt_service.answers_of(attempt).items()}
    states = answer_states(stored, answers.attempt_parts(attempt.id))
    rows = [
        {
            "question": q["number"],
            "label": p["label"],
            "value": stored.get(p["key"]),
            **states[p["key"]],
        }
        for q in sitting_view(attempt, clock.now(), str(get_locale()))["questions"]
        for p in q["parts"]
    ]
    counts = {
        kind: sum(row["state"] == kind for row in rows) for kind in (ANSWERED, INVALID, EMPTY)
    }
    return render_template(
        "candidate/receipt.html",
        attempt=attempt,
        status=status,
        receipt=receipt,
        rows=rows,
        counts=counts,
    )
