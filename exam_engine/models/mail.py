"""The outbox: every e-mail the engine sends and its state, so failures are seen and retried."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exam_engine.extensions import db
from exam_engine.models.types import UTCDateTime, utcnow


class MailState(enum.StrEnum):
    """Where a message is on its way out."""

    QUEUED = "queued"  # rendered and handed to the task queue
    RETRYING = "retrying"  # a send failed; the queue tries again later
    SENT = "sent"  # the mail server accepted it
    FAILED = "failed"  # refused for good, or out of tries: an administrator must look


class MailMessage(db.Model):  # type: ignore[name-defined]
    """One rendered e-mail and what became of it.

    ``key`` makes sending idempotent where it must be (one receipt per attempt): a second
    message with the same key is never created.
    """

    __tablename__ = "mail_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(10), default="en")
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    state: Mapped[MailState] = mapped_column(
        Enum(MailState, native_enum=False, length=20), default=MailState.QUEUED, index=True
    )
    tries: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    exam_id: Mapped[int | None] = mapped_column(ForeignKey("exams.id"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
