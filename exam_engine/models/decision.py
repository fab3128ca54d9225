"""The committee's work on top of the grades: overrides, item adjustments and decisions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exam_engine.extensions import db
from exam_engine.models.types import UTCDateTime, utcnow


class GradeChange(db.Model):  # type: ignore[name-defined]
    """One change to a part's mark (override or regrade), kept forever."""

    __tablename__ = "grade_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    grade_id: Mapped[int] = mapped_column(ForeignKey("grades.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))  # override | clear_override | regrade
    old_score: Mapped[float] = mapped_column(Float)
    new_score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text, default="")


class ItemAction(enum.StrEnum):
    """What the committee did to a question after item analysis."""

    DROP = "drop"
    FULL_MARKS = "full_marks"


class ItemAdjustment(db.Model):  # type: ignore[name-defined]
    """A question dropped from an exam, or given full marks for everyone."""

    __tablename__ = "item_adjustments"
    __table_args__ = (UniqueConstraint("exam_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    action: Mapped[ItemAction] = mapped_column(Enum(ItemAction, native_enum=False, length=20))
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DecisionKind(enum.StrEnum):
    """Where a candidate stands after the committee's review."""

    SHORTLIST = "shortlist"
    OFFER = "offer"
    WAITLIST = "waitlist"
    REJECT = "reject"


class Decision(db.Model):  # type: ignore[name-defined]
    """The committee's decision on one attempt, with a note."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), unique=True)
    kind: Mapped[DecisionKind] = mapped_column(Enum(DecisionKind, native_enum=False, length=20))
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revision: Mapped[int] = mapped_column(Integer, default=1)
