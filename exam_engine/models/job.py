"""Background jobs the committee waits for (analyses, regrade plans); grades revisions."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from exam_engine.extensions import db
from exam_engine.models.types import UTCDateTime, utcnow


class JobKind(enum.StrEnum):
    """What a job computes."""

    ANALYSIS = "analysis"  # ranking, P(top k), item statistics, integrity pairs and plots
    REGRADE = "regrade"  # a regrade dry run: the plan the committee reviews, then applies


class JobState(enum.StrEnum):
    """Where a job stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):  # type: ignore[name-defined]
    """One background computation for one exam, with its progress and its stored result.

    ``revision`` is the exam's grades revision the job read when it started: a result is out of
    date once the exam's revision has moved past it, and a regrade plan can then not be applied.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_exam_kind", "exam_id", "kind", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[JobKind] = mapped_column(Enum(JobKind, native_enum=False, length=20))
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    state: Mapped[JobState] = mapped_column(
        Enum(JobState, native_enum=False, length=20), default=JobState.QUEUED
    )
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int | None] = mapped_column(Integer)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ExamRevision(db.Model):  # type: ignore[name-defined]
    """A counter bumped by every change to an exam's marks (grading, override, item adjustment,
    regrade): what tells that an analysis is stale and that a regrade plan no longer applies."""

    __tablename__ = "exam_revisions"

    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
