"""Exams, their windows and the sections that draw questions from pools."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from exam_engine.extensions import db
from exam_engine.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from exam_engine.models.bank import QuestionVersion


class Exam(db.Model):  # type: ignore[name-defined]
    """A timed exam, open during a window, from which the committee picks ``cohort_size``."""

    __tablename__ = "exams"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    instructions: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    duration_minutes: Mapped[int] = mapped_column(Integer)
    cohort_size: Mapped[int] = mapped_column(Integer, default=10)
    grace_seconds: Mapped[int] = mapped_column(Integer, default=30)
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=True)
    default_locale: Mapped[str] = mapped_column(String(10), default="en")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    blind: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sections: Mapped[list[ExamSection]] = relationship(
        back_populates="exam", order_by="ExamSection.position", cascade="all, delete-orphan"
    )

    def is_open(self, now: datetime) -> bool:
        """Whether a candidate may start at ``now``."""
        return self.opens_at <= now < self.closes_at

    # --- Programme settings kept in ``settings`` (issue 15.1): texts, accommodations, status.

    def status(self, now: datetime) -> ExamStatus:
        """Upcoming before its window, open during it, closed after."""
        if now < self.opens_at:
            return ExamStatus.UPCOMING
        return ExamStatus.OPEN if now < self.closes_at else ExamStatus.CLOSED

    @property
    def translations(self) -> dict[str, dict[str, str]]:
        """Title and instructions in languages other than the default one, by language."""
        return dict((self.settings or {}).get("translations") or {})

    def title_in(self, locale: object) -> str:
        """The title in ``locale`` when the exam has one, else in its default language."""
        return self.text_in("title", locale)[0]

    def instructions_in(self, locale: object) -> str:
        """The instructions in ``locale`` when written, else in the default language."""
        return self.text_in("instructions", locale)[0]

    def text_in(self, name: str, locale: object) -> tuple[str, str]:
        """The exam's ``title`` or ``instructions`` in ``locale`` when written, else in its
        default language; and the language of what is returned (pages mark a fallback)."""
        found = self.translations.get(str(locale), {}).get(name)
        if found and str(locale) != self.default_locale:
            return str(found), str(locale)
        return str(getattr(self, name) or ""), self.default_locale

    @property
    def accommodations(self) -> dict[str, float]:
        """Extra-time factors by (lower-case) e-mail, for candidates invited or applying."""
        return {
            str(k): float(v) for k, v in ((self.settings or {}).get("accommodations") or {}).items()
        }


class ExamStatus(enum.StrEnum):
    """Where an exam is in its window."""

    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


class ExamSection(db.Model):  # type: ignore[name-defined]
    """Draws ``draw_count`` questions from a bank's pool, filtered by topic and tags."""

    __tablename__ = "exam_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200), default="")
    bank_slug: Mapped[str] = mapped_column(String(100))
    topic: Mapped[str | None] = mapped_column(String(100))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    draw_count: Mapped[int] = mapped_column(Integer)

    exam: Mapped[Exam] = relationship(back_populates="sections")


class ExamQuestion(db.Model):  # type: ignore[name-defined]
    """The version of a question that an exam serves.

    Pinned to the question's current version while the exam is being prepared; from the moment
    it opens, only an explicit, audited publish changes it, so an edit or an import never
    reaches candidates of an open exam by itself.
    """

    __tablename__ = "exam_questions"
    __table_args__ = (UniqueConstraint("exam_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"))
    pinned_at: Mapped[datetime] = mapped_column(UTCDateTime)

    exam: Mapped[Exam] = relationship()
    version: Mapped[QuestionVersion] = relationship()
