"""Candidates and their invitations to an exam."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Float, ForeignKey, String, UniqueConstraint
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
    # The language the candidate chose when applying (e-mail to them uses it); None: the exam's.
    locale: Mapped[str | None] = mapped_column(String(10))
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
    # Where the candidate came from: "invitation" (staff invited them) or "application".
    source: Mapped[str] = mapped_column(
        String(20), default="invitation", server_default="invitation"
    )
    # An application's answers: the programme's fields and the consent given (when, to what).
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    exam: Mapped[Exam] = relationship()
    candidate: Mapped[Candidate] = relationship()
