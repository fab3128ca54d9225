"""E-mail tasks: send one outbox message (retried with back-off), receipts, the mail sweep."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from flask import current_app, url_for
from sqlalchemy import and_, exists, select
from sqlalchemy.exc import IntegrityError

from exam_engine import clock
from exam_engine.extensions import db
from exam_engine.jobs import MAIL_INVITATIONS, MAIL_SWEEP, SEND_RECEIPT, SEND_RESET
from exam_engine.mail import messages, outbox, public_base
from exam_engine.models import Attempt, AttemptStatus, Exam, MailMessage, MailState

log = logging.getLogger(__name__)

RECEIPTS_WITHIN = timedelta(days=2)  # closed attempts older than this get no receipt by sweep
LOST_AFTER = timedelta(minutes=5)


@shared_task(name=outbox.SEND_MAIL, bind=True, max_retries=None)
def send_mail(self: object, message_id: int) -> bool:
    """Send one outbox message; a failure is retried after ``outbox.backoff`` until it is
    marked failed (then an administrator sees it and may send it again).

    :returns: whether it is sent.
    """
    message = db.session.get(MailMessage, message_id)
    if message is None:
        return False
    sent = outbox.deliver(message, clock.now())
    db.session.commit()
    if sent:
        log.info("mail %s sent to %s", message.id, message.to_address)
    elif message.state == MailState.RETRYING:
        raise self.retry(countdown=outbox.backoff(message.tries))  # type: ignore[attr-defined]
    return sent


@shared_task(name=SEND_RECEIPT)
def send_receipt(attempt_id: int) -> bool:
    """Make and send the receipt of a closed attempt (once: a second call finds it made).

    :returns: whether this call made it.
    """
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.status == AttemptStatus.OPEN:
        return False
    try:
        made = messages.receipt(attempt, clock.now())
        db.session.commit()
    except IntegrityError:  # the sweep and the submit's task made it at the same moment
        db.session.rollback()
        return False
    outbox.dispatch([made])
    return made is not None


INVITATION_BATCH = 200


@shared_task(name=MAIL_INVITATIONS)
def mail_invitations(exam_id: int) -> int:
    """E-mail every staff invitation of an exam that was never e-mailed, a batch at a time.

    Run as a task because an exam may have thousands. Each invitation's first e-mail has a key,
    so two runs at once (a double click) mail nobody twice.

    :returns: how many messages it made.
    """
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        return 0
    made = 0
    while True:
        batch = messages.not_yet_invited(exam, limit=INVITATION_BATCH)
        if not batch:
            return made
        now = clock.now()
        try:
            created = [
                messages.invitation(invite, now, key=f"first-invitation:{invite.id}", flush=False)
                for invite in batch
            ]
            db.session.commit()
        except IntegrityError:  # another run made some of these first: look again
            db.session.rollback()
            continue
        outbox.dispatch(created)
        made += sum(m is not None for m in created)


@shared_task(name=SEND_RESET)
def send_reset(email: str) -> bool:
    """E-mail a password-reset link to the active staff account with this address, if any.

    Done here, not in the request, so that the request takes as long for an unknown address.

    :returns: whether a message was made.
    """
    from exam_engine.auth.reset import make_token
    from exam_engine.services.users import find_user

    user = find_user(email)
    if user is None or not user.active:
        log.info("password reset asked for an address with no active account")
        return False
    minutes = int(current_app.config["RESET_LINK_MINUTES"])
    with current_app.test_request_context("/", base_url=public_base()):
        link = url_for("reset.reset", token=make_token(user), _external=True)
    made = messages.password_reset(user, link, minutes, clock.now())
    db.session.commit()
    outbox.dispatch([made])
    return made is not None


def owed_receipts(limit: int = 500) -> list[int]:
    """Attempts closed recently that have no receipt message yet (the deadline closed them, or
    the task that should have made it was lost)."""
    since = clock.now() - RECEIPTS_WITHIN
    has_receipt = exists().where(
        and_(MailMessage.kind == "receipt", MailMessage.invitation_id == Attempt.invitation_id)
    )
    stmt = (
        select(Attempt.id)
        .where(
            Attempt.status != AttemptStatus.OPEN,
            Attempt.deadline_at > since,
            ~has_receipt,
        )
        .order_by(Attempt.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


@shared_task(name=MAIL_SWEEP)
def mail_sweep() -> dict[str, int]:
    """Re-send queued messages whose task went missing; make receipts still owed."""
    now = clock.now()
    lost = outbox.lost(now, LOST_AFTER)
    for message in lost:
        message.queued_at = now
    db.session.commit()
    sent = outbox.dispatch(lost)
    receipts = 0
    for attempt_id in owed_receipts():
        receipts += send_receipt(attempt_id)
    if lost or receipts:
        log.info("mail sweep: re-sent %d message(s), made %d receipt(s)", sent, receipts)
    return {"resent": sent, "receipts": receipts}
