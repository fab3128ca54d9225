"""The e-mails the engine sends, each rendered in its recipient's language (flush, never commit)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from exam_engine.extensions import db
from exam_engine.mail import render
from exam_engine.mail.outbox import create
from exam_engine.models import Attempt, Exam, Invitation, MailMessage, User
from exam_engine.services import attempts as attempt_service


def candidate_locale(invitation: Invitation) -> str:
    """The language a candidate reads: the one they applied in, else the exam's."""
    return invitation.candidate.locale or invitation.exam.default_locale or "en"


def invitation(
    invite: Invitation, now: datetime, key: str | None = None, flush: bool = True
) -> MailMessage | None:
    """The invitation: the exam, its window and the candidate's own link.

    :param key: ``first-invitation:<id>`` for the bulk send, so that two at once mail nobody
        twice; ``None`` for a deliberate resend.
    """
    locale = candidate_locale(invite)
    subject, body = render(
        "invitation",
        locale,
        _l("Your invitation: %(exam)s", exam=invite.exam.title_in(locale)),
        invite=invite,
        exam=invite.exam,
    )
    return create(
        "invitation",
        invite.candidate.email,
        locale,
        subject,
        body,
        now,
        exam=invite.exam,
        invitation=invite,
        key=key,
        flush=flush,
    )


def not_yet_invited(exam: Exam, limit: int | None = None) -> list[Invitation]:
    """The exam's staff invitations that no invitation e-mail was ever made for."""
    mailed = select(MailMessage.invitation_id).where(
        MailMessage.kind == "invitation", MailMessage.invitation_id.is_not(None)
    )
    stmt = (
        select(Invitation)
        .where(
            Invitation.exam_id == exam.id,
            Invitation.source == "invitation",
            Invitation.id.not_in(mailed),
        )
        .options(joinedload(Invitation.candidate), joinedload(Invitation.exam))
        .order_by(Invitation.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def confirm_application(
    exam: Exam, to: str, name: str, locale: str, link: str, hours: int, now: datetime
) -> MailMessage | None:
    """The link an applicant opens to confirm their address."""
    subject, body = render(
        "apply_confirm",
        locale,
        _l("Confirm your application: %(exam)s", exam=exam.title_in(locale)),
        exam=exam,
        name=name,
        link=link,
        hours=hours,
    )
    return create("application", to, locale, subject, body, now, exam=exam)


def already_applied(invite: Invitation, locale: str, now: datetime) -> MailMessage | None:
    """Someone applied again with an address that has its link already: send that link."""
    subject, body = render(
        "apply_again",
        locale,
        _l("Your link to %(exam)s", exam=invite.exam.title_in(locale)),
        invite=invite,
        exam=invite.exam,
    )
    return create(
        "application",
        invite.candidate.email,
        locale,
        subject,
        body,
        now,
        exam=invite.exam,
        invitation=invite,
    )


def receipt(attempt: Attempt, now: datetime) -> MailMessage | None:
    """The receipt of a closed attempt: its fingerprint and what was accepted (once per attempt)."""
    invite = attempt.invitation
    locale = candidate_locale(invite)
    answers = attempt_service.answers_of(attempt)
    parts = attempt_service.parts_of(attempt)
    answered = {key for key in parts if key in answers and answers[key].value.strip()}
    rows = []
    for item in attempt.questions:
        keys = [key for key in parts if key.startswith(f"{item.key}-")]
        rows.append((item.position, sum(key in answered for key in keys), len(keys)))
    fingerprint = attempt.receipt or attempt_service.receipt_for(attempt)
    subject, body = render(
        "receipt",
        locale,
        _l("Receipt: %(exam)s", exam=attempt.exam.title_in(locale)),
        attempt=attempt,
        exam=attempt.exam,
        receipt=fingerprint,
        rows=rows,
        answered=len(answered),
        total=len(parts),
    )
    return create(
        "receipt",
        invite.candidate.email,
        locale,
        subject,
        body,
        now,
        key=f"receipt:{attempt.id}",
        exam=attempt.exam,
        invitation=invite,
    )


def password_reset(user: User, link: str, minutes: int, now: datetime) -> MailMessage | None:
    """A staff member's password-reset link."""
    locale = user.locale or "en"
    subject, body = render(
        "reset",
        locale,
        _l("Reset your exam-engine password"),
        user=user,
        link=link,
        minutes=minutes,
    )
    return create("reset", user.email, locale, subject, body, now)
