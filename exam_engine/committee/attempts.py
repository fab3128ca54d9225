"""The committee's view of one attempt: answers, marks and overrides, integrity, decisions."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from exam_engine import clock
from exam_engine.auth.guards import role_required
from exam_engine.committee.forms import AddTimeForm, DecisionForm, OverrideForm
from exam_engine.committee.marking import review_of
from exam_engine.committee.routes import bp, committee_attempt, has_ended
from exam_engine.errors import NotFound
from exam_engine.extensions import db
from exam_engine.models import Attempt, DecisionKind, Role
from exam_engine.services import attempts as attempt_service
from exam_engine.services import integrity, review
from exam_engine.services.accommodations import add_time
from exam_engine.services.scoring import grades_of


def _page(attempt: Attempt, **forms: object) -> str:
    grades = grades_of(attempt)
    decision = review.current_decision(attempt)
    now = clock.now()
    changes = review.histories(list(grades.values()))
    return render_template(
        "committee/attempt.html",
        attempt=attempt,
        questions=review_of(attempt, attempt_service.answers_of(attempt), grades),
        history={key: changes[g.id] for key, g in grades.items()},
        events=integrity.events_of(attempt),
        event_counts=integrity.counts_by_attempt([attempt.id])[attempt.id],
        seconds_left=attempt_service.seconds_left(attempt, now),
        ended=has_ended(attempt, now),
        time_form=forms.get("time_form") or AddTimeForm(formdata=None),
        override_form=forms.get("override_form") or OverrideForm(formdata=None),
        decision_form=forms.get("decision_form")
        or DecisionForm(
            formdata=None,
            kind=decision.kind.value if decision else "",
            note=decision.note if decision else "",
        ),
    )


@bp.get("/attempts/<int:attempt_id>")
@role_required(Role.COMMITTEE)
def attempt(attempt_id: int) -> str:
    """One attempt in full, as stored (an attempt past its deadline shows as ended)."""
    return _page(committee_attempt(attempt_id))


@bp.post("/attempts/<int:attempt_id>/time")
@role_required(Role.COMMITTEE)
def attempt_time(attempt_id: int) -> str | Response:
    """Add time to a running attempt (audited)."""
    attempt = committee_attempt(attempt_id)
    form = AddTimeForm()
    if not form.validate():
        return _page(attempt, time_form=form)
    add_time(attempt, form.minutes.data or 0, current_user, form.reason.data or "", clock.now())
    db.session.commit()
    flash(ngettext("Added %(num)d minute.", "Added %(num)d minutes.", form.minutes.data), "info")
    return redirect(url_for("committee.attempt", attempt_id=attempt.id))


@bp.post("/attempts/<int:attempt_id>/override")
@role_required(Role.COMMITTEE)
def attempt_override(attempt_id: int) -> str | Response:
    """Set one response's mark by hand, with a reason (audited, history kept)."""
    attempt = committee_attempt(attempt_id)
    form = OverrideForm()
    if not form.validate():
        return _page(attempt, override_form=form)
    grade = grades_of(attempt).get(form.part_key.data or "")
    if grade is None:
        raise NotFound()
    review.override_grade(
        grade, float(form.score.data or 0), form.reason.data or "", current_user, clock.now()
    )
    db.session.commit()
    flash(_("The mark is changed and the reason recorded."), "info")
    return redirect(url_for("committee.attempt", attempt_id=attempt.id) + "#answers")


@bp.post("/attempts/<int:attempt_id>/decision")
@role_required(Role.COMMITTEE)
def attempt_decision(attempt_id: int) -> str | Response:
    """Record the committee's decision and its note (audited)."""
    attempt = committee_attempt(attempt_id)
    form = DecisionForm()
    if not form.validate():
        return _page(attempt, decision_form=form)
    kind = DecisionKind(form.kind.data) if form.kind.data else None
    review.decide(attempt, kind, form.note.data or "", current_user, clock.now())
    db.session.commit()
    flash(_("The decision is saved."), "info")
    return redirect(url_for("committee.attempt", attempt_id=attempt.id))
