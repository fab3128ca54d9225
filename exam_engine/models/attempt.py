"""A candidate's sitting: the attempt, its questions, responses and grades."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Enum,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from exam_engine.extensions import db
from exam_engine.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from exam_engine.models.bank import QuestionVersion
    from exam_engine.models.candidate import Candidate, Invitation
    from exam_engine.models.exam import Exam


class AttemptStatus(enum.StrEnum):
    """Where an attempt stands."""

    OPEN = "open"
    SUBMITTED = "submitted"
    EXPIRED = "expired"


class Attempt(db.Model):  # type: ignore[name-defined]
    """One candidate's one sitting of one exam, with its seed and server-side deadline."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), unique=True)
    seed: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[AttemptStatus] = mapped_column(
        Enum(AttemptStatus, native_enum=False, length=20), default=AttemptStatus.OPEN
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When grading was last handed to the task queue; the sweep re-sends it if it went missing.
    grading_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    receipt: Mapped[str | None] = mapped_column(String(64))
    extra_minutes: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    # The page instance that saved last: a different one saving soon after is a second session.
    client_id: Mapped[str | None] = mapped_column(String(40))
    client_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    exam: Mapped[Exam] = relationship()
    candidate: Mapped[Candidate] = relationship()
    invitation: Mapped[Invitation] = relationship()
    questions: Mapped[list[AttemptQuestion]] = relationship(
        back_populates="attempt", order_by="AttemptQuestion.position", cascade="all, delete-orphan"
    )

    def past_grace(self, now: datetime) -> bool:
        """Whether ``now`` is after the deadline plus the exam's grace (saves are refused)."""
        return now > self.deadline_at + timedelta(seconds=self.exam.grace_seconds)


class AttemptQuestion(db.Model):  # type: ignore[name-defined]
    """A question version shown in an attempt, at a position, with its variant seed."""

    __tablename__ = "attempt_questions"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"))
    variant_seed: Mapped[int] = mapped_column(BigInteger)
    section_position: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    attempt: Mapped[Attempt] = relationship(back_populates="questions")
    version: Mapped[QuestionVersion] = relationship()

    @property
    def key(self) -> str:
        """The question's key inside the attempt, e.g. ``q3``."""
        return f"q{self.position}"


class Response(db.Model):  # type: ignore[name-defined]
    """The latest acknowledged value of one part; ``seq`` only ever grows."""

    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("attempt_id", "part_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    part_key: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)
    seq: Mapped[int] = mapped_column(BigInteger)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ResponseHistory(db.Model):  # type: ignore[name-defined]
    """Every value ever saved, in order: nothing a candidate typed is thrown away."""

    __tablename__ = "response_history"
    __table_args__ = (UniqueConstraint("attempt_id", "part_key", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    part_key: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)
    seq: Mapped[int] = mapped_column(BigInteger)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Grade(db.Model):  # type: ignore[name-defined]
    """The mark of one part of one attempt, with the grader's note and version."""

    __tablename__ = "grades"
    __table_args__ = (UniqueConstraint("attempt_id", "part_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    part_key: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str] = mapped_column(String(100), default="")
    score: Mapped[float] = mapped_column(Float)  # what counts: the override if any, else auto
    auto_score: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    override_score: Mapped[float | None] = mapped_column(Float)
    override_reason: Mapped[str | None] = mapped_column(Text)
    max_score: Mapped[float] = mapped_column(Float)
    fraction: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    feedback: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)
    grader_version: Mapped[str] = mapped_column(String(40))
    question_version_id: Mapped[int | None] = mapped_column(ForeignKey("question_versions.id"))
    graded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IntegrityEvent(db.Model):  # type: ignore[name-defined]
    """Something the page noticed (focus lost, paste, reconnect): for people to review."""

    __tablename__ = "integrity_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
