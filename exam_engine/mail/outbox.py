"""The outbox: create messages (flush, never commit), hand them to the queue, deliver them."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_mailman import EmailMessage
from sqlalchemy import select

from exam_engine.extensions import db
from exam_engine.mail import mail
from exam_engine.models import Exam, Invitation, MailMessage, MailState

log = logging.getLogger(__name__)

SEND_MAIL = "exam_engine.send_mail"


def create(
    kind: str,
    to: str,
    locale: str,
    subject: str,
    body: str,
    now: datetime,
    *,
    key: str | None = None,
    exam: Exam | None = None,
    invitation: Invitation | None = None,
    flush: bool = True,
) -> MailMessage | None:
    """Add a rendered message to the outbox (flushed).

    :param key: makes the message unique (``receipt:<attempt id>``): when a message with this
        key exists already, nothing is added.
    :param flush: flush now (``False`` lets a caller making many flush once).
    :returns: the new message, or ``None`` when ``key`` was taken.
    """
    if (
        key is not None
        and db.session.scalars(select(MailMessage.id).where(MailMessage.key == key)).first()
    ):
        return None
    message = MailMessage(
        kind=kind,
        key=key,
        to_address=to,
        locale=locale,
        subject=subject[:300],
        body_text=body,
        state=MailState.QUEUED,
        tries=0,
        exam_id=exam.id if exam is not None else None,
        invitation_id=invitation.id if invitation is not None else None,
        created_at=now,
        queued_at=now,
    )
    db.session.add(message)
    if flush:
        db.session.flush()
    return message


def dispatch(messages: Iterable[MailMessage | None]) -> int:
    """Send a task per message, after the caller committed them.

    A broker that cannot be reached costs nothing: the mail sweep sends what is still queued.

    :returns: how many tasks reached the broker.
    """
    from exam_engine.jobs import enqueue

    return sum(enqueue(SEND_MAIL, m.id) for m in messages if m is not None)


def _permanent(exc: Exception) -> bool:
    """Whether retrying cannot help: the server refused every recipient with a 5xx code."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def deliver(message: MailMessage, now: datetime) -> bool:
    """Hand one message to the mail server and record the outcome (flushed).

    A message already sent is not sent again. A failure counts a try and keeps the error;
    a permanent refusal, or the last of ``MAIL_MAX_TRIES``, marks the message failed.

    :returns: whether the message is sent (now or before).
    """
    if message.state == MailState.SENT:
        return True
    message.tries += 1
    connection = mail.get_connection()
    email = EmailMessage(
        message.subject, message.body_text, to=[message.to_address], connection=connection
    )
    try:
        connection.open()
        email.send()
    except Exception as exc:  # noqa: BLE001 - every failure of a send is recorded and shown
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        last = message.tries >= int(current_app.config["MAIL_MAX_TRIES"])
        message.state = MailState.FAILED if last or _permanent(exc) else MailState.RETRYING
        log.warning(
            "mail %s to %s failed (try %d): %s",
            message.id,
            message.to_address,
            message.tries,
            message.last_error,
        )
        db.session.flush()
        return False
    finally:
        _close(connection)
    message.state = MailState.SENT
    message.sent_at = now
    message.last_error = None
    db.session.flush()
    return True


def _close(connection: Any) -> None:
    """Close a mail connection whatever state a failure left it in.

    (Flask-Mailman closes only after a successful send; a refused one would keep its socket.)
    """
    raw = getattr(connection, "connection", None)
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - the message's outcome is already known
        if raw is not None:
            raw.close()


def backoff(tries: int) -> float:
    """Seconds before the next try: ``MAIL_RETRY_SECONDS`` doubling per try, at most an hour."""
    first = float(current_app.config["MAIL_RETRY_SECONDS"])
    return float(min(3600.0, first * 2 ** max(0, tries - 1)))


def requeue(message: MailMessage, now: datetime) -> None:
    """Give a failed message a fresh set of tries (an administrator asked for it; flushed)."""
    if message.state != MailState.SENT:
        message.state = MailState.QUEUED
        message.tries = 0
        message.queued_at = now
        db.session.flush()


def lost(now: datetime, older_than: timedelta, limit: int = 1000) -> list[MailMessage]:
    """Queued messages whose task seems lost: never tried and queued longer ago than this."""
    stmt = (
        select(MailMessage)
        .where(MailMessage.state == MailState.QUEUED, MailMessage.queued_at < now - older_than)
        .order_by(MailMessage.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def of_exam(exam: Exam) -> list[MailMessage]:
    """An exam's messages, newest first."""
    stmt = select(MailMessage).where(MailMessage.exam_id == exam.id).order_by(MailMessage.id.desc())
    return list(db.session.scalars(stmt))
