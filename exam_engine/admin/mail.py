"""Administrators' e-mail: send invitations (one, or every one not yet sent) and see what
failed, with a button to try again."""

from __future__ import annotations

from collections import Counter

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from exam_engine import clock
from exam_engine.admin.routes import bp
from exam_engine.auth.guards import role_required
from exam_engine.committee.routes import exam_by_slug
from exam_engine.errors import NotFound
from exam_engine.extensions import db
from exam_engine.jobs import MAIL_INVITATIONS, enqueue
from exam_engine.mail import messages, outbox
from exam_engine.models import Exam, Invitation, MailMessage, MailState, Role


class ButtonForm(FlaskForm):
    """Only a CSRF token: each action is one button."""


@bp.get("/exams/<slug>/mail")
@role_required(Role.ADMIN)
def mail(slug: str) -> str:
    """The exam's outbox: counts by state, failures first, and invitations never e-mailed."""
    exam = exam_by_slug(slug)
    sent = outbox.of_exam(exam)
    counts = Counter(m.state.value for m in sent)
    troubled = [m for m in sent if m.state in (MailState.FAILED, MailState.RETRYING)]
    return render_template(
        "admin/mail_outbox.html",
        exam=exam,
        counts=counts,
        troubled=troubled,
        recent=sent[:200],
        unsent=messages.not_yet_invited(exam),
        form=ButtonForm(),
    )


@bp.post("/exams/<slug>/mail/invitations/<int:invitation_id>")
@role_required(Role.ADMIN)
def mail_one(slug: str, invitation_id: int) -> Response:
    """E-mail one candidate their invitation (again, if it was sent before)."""
    exam = exam_by_slug(slug)
    invite = db.session.get(Invitation, invitation_id)
    if invite is None or invite.exam_id != exam.id or not ButtonForm().validate_on_submit():
        raise NotFound()
    made = messages.invitation(invite, clock.now())
    db.session.commit()
    outbox.dispatch([made])
    flash(_("The invitation to %(email)s is on its way.", email=invite.candidate.email), "info")
    return redirect(url_for("admin.mail", slug=exam.slug))


@bp.post("/exams/<slug>/mail/invitations")
@role_required(Role.ADMIN)
def mail_unsent(slug: str) -> Response:
    """E-mail every invited candidate who has not been e-mailed an invitation yet (a task)."""
    exam = exam_by_slug(slug)
    if not ButtonForm().validate_on_submit():
        raise NotFound()
    count = len(messages.not_yet_invited(exam))
    enqueue(MAIL_INVITATIONS, exam.id)
    flash(
        ngettext(
            "%(num)d invitation is on its way.", "%(num)d invitations are on their way.", count
        ),
        "info",
    )
    return redirect(url_for("admin.mail", slug=exam.slug))


@bp.post("/mail/<int:message_id>/retry")
@role_required(Role.ADMIN)
def mail_retry(message_id: int) -> Response:
    """Try a failed message again, with a fresh set of tries."""
    message = db.session.get(MailMessage, message_id)
    if message is None or not ButtonForm().validate_on_submit():
        raise NotFound()
    outbox.requeue(message, clock.now())
    db.session.commit()
    outbox.dispatch([message])
    flash(_("The message to %(email)s will be tried again.", email=message.to_address), "info")
    exam = db.session.get(Exam, message.exam_id) if message.exam_id is not None else None
    if exam is None:
        return redirect(url_for("admin.mail_all"))
    return redirect(url_for("admin.mail", slug=exam.slug))


@bp.get("/mail")
@role_required(Role.ADMIN)
def mail_all() -> str:
    """Every message that failed or is being retried, whatever it was for (resets too)."""
    stmt = (
        select(MailMessage)
        .where(MailMessage.state.in_([MailState.FAILED, MailState.RETRYING]))
        .order_by(MailMessage.id.desc())
        .limit(500)
    )
    return render_template(
        "admin/mail_outbox.html",
        exam=None,
        counts=Counter(),
        troubled=list(db.session.scalars(stmt)),
        recent=[],
        unsent=[],
        form=ButtonForm(),
    )
