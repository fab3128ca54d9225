"""The committee's view of one attempt: answers, marks, integrity timeline, extra time."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from exam_engine import clock
from exam_engine.auth.guards import role_required
from exam_engine.committee.forms import AddTimeForm
from exam_engine.committee.routes import bp
from exam_engine.extensions import db
from exam_engine.models import Grade, Role
from exam_engine.services import attempts as attempt_service
from exam_engine.services import integrity
from exam_engine.services.accommodations import add_time


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@role_required(Role.COMMITTEE)
def attempt(attempt_id: int) -> str | Response:
    """One attempt in full; the form adds time while it runs."""
    attempt = attempt_service.get_attempt(attempt_id)
    form = AddTimeForm()
    if form.validate_on_submit():
        add_time(attempt, form.minutes.data or 0, current_user, form.reason.data or "", clock.now())
        db.session.commit()
        flash(_("Added %(n)d minutes.", n=form.minutes.data), "info")
        return redirect(url_for("committee.attempt", attempt_id=attempt.id))
    grades = {
        g.part_key: g
        for g in db.session.scalars(select(Grade).where(Grade.attempt_id == attempt.id))
    }
    events = integrity.events_of(attempt)
    return render_template(
        "committee/attempt.html",
        attempt=attempt,
        parts=attempt_service.parts_of(attempt),
        answers=attempt_service.answers_of(attempt),
        grades=grades,
        events=events,
        event_counts=integrity.counts_by_attempt([attempt.id])[attempt.id],
        seconds_left=attempt_service.seconds_left(attempt, clock.now()),
        form=form,
    )
