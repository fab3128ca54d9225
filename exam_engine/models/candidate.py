"""Candidates and their invitations to an exam."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exam_engine.extensions import db
from exam_engine.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from exam_engine.models.exam import Exam


class Candidate(db.Model):  # type: ignore[name-defined]
    """A person who sits exams; identified by email, never signs in with a password."""

    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Invitation(db.Model):  # type: ignore[name-defined]
    """One candidate's link into one exam, with their accommodations."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("exam_id", "candidate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    time_factor: Mapped[float] = mapped_column(Float, default=1.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    exam: Mapped[Exam] = relationship()
    candidate: Mapped[Candidate] = relationship()
