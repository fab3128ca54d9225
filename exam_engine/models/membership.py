"""Who sits on which exam's committee, and which exam is the second stage of which."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exam_engine.extensions import db
from exam_engine.models.types import UTCDateTime, utcnow


class CommitteeMember(db.Model):  # type: ignore[name-defined]
    """A committee user assigned to one exam: they see that exam and no other.

    Administrators see every exam without a row here.
    """

    __tablename__ = "committee_members"
    __table_args__ = (UniqueConstraint("exam_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ExamStage(db.Model):  # type: ignore[name-defined]
    """A second exam that candidates shortlisted in a first one were invited to."""

    __tablename__ = "exam_stages"
    __table_args__ = (UniqueConstraint("first_exam_id", "second_exam_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    first_exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"), index=True)
    second_exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"), index=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
