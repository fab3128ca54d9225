"""The committee's background jobs and each exam's grades revision.

Every change to an exam's marks bumps its *grades revision* (:func:`grades_changed`) and makes
sure one analysis job is queued for it. Jobs record the revision they read: an analysis older
than the exam's revision is out of date, and a regrade plan made at another revision is refused.

Debouncing: at most one *queued* analysis per exam (the bump's row lock orders concurrent
changes), and a job does not start while another analysis of its exam runs; the finishing job
hands the queued one to the queue. Services here flush and never commit: a job created here is
handed to the queue by the session's next successful commit (and by the sweep if that is lost).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import defer

from exam_engine.extensions import db
from exam_engine.models import Attempt, ExamRevision, Job, JobKind, JobState

ACTIVE = (JobState.QUEUED, JobState.RUNNING)
MAX_RUNS = 3  # a job whose worker dies this many times is failed, not tried again


ANALYSE_EXAM = "exam_engine.analyse_exam"
PLAN_REGRADE = "exam_engine.plan_regrade"
TASK_FOR = {JobKind.ANALYSIS: ANALYSE_EXAM, JobKind.REGRADE: PLAN_REGRADE}


def send_after_commit(job: Job) -> None:
    """Hand the job to the queue once the current transaction commits (never before)."""
    from exam_engine.jobs import enqueue

    task, job_id = TASK_FOR[job.kind], job.id
    event.listen(db.session(), "after_commit", lambda _session: enqueue(task, job_id), once=True)


def note_graded(attempt_id: int, stored: bool, now: datetime) -> None:
    """After a grading task stored an attempt's grades: its exam's analysis is out of date."""
    if stored:
        grades_changed_for_attempt(attempt_id, now)


def revision_of(exam_id: int) -> int:
    """The exam's grades revision (0 before any change)."""
    found = db.session.scalar(select(ExamRevision.revision).where(ExamRevision.exam_id == exam_id))
    return found or 0


def bump_revision(exam_id: int, now: datetime) -> None:
    """Count one change to the exam's marks (an upsert; it locks the exam's row until commit)."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(ExamRevision).values(exam_id=exam_id, revision=1, changed_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[ExamRevision.exam_id],
        set_={"revision": ExamRevision.revision + 1, "changed_at": now},
    )
    db.session.execute(stmt)


def grades_changed(exam_id: int, now: datetime) -> Job | None:
    """Bump the exam's revision and make sure an analysis is queued for it (flushed).

    :returns: a job the caller must enqueue after committing, or ``None`` when one is queued.
    """
    bump_revision(exam_id, now)
    return request_analysis(exam_id, now)


def grades_changed_for_attempt(attempt_id: int, now: datetime) -> Job | None:
    """:func:`grades_changed` for the exam of an attempt."""
    exam_id = db.session.scalar(select(Attempt.exam_id).where(Attempt.id == attempt_id))
    return grades_changed(exam_id, now) if exam_id is not None else None


def request_analysis(exam_id: int, now: datetime) -> Job | None:
    """Queue an analysis of the exam unless one is queued already (flushed)."""
    queued = db.session.scalar(
        select(Job.id).where(
            Job.exam_id == exam_id, Job.kind == JobKind.ANALYSIS, Job.state == JobState.QUEUED
        )
    )
    if queued is not None:
        return None
    job = Job(
        kind=JobKind.ANALYSIS, exam_id=exam_id, state=JobState.QUEUED, created_at=now, queued_at=now
    )
    db.session.add(job)
    db.session.flush()
    send_after_commit(job)
    return job


def create_job(
    kind: JobKind, exam_id: int, now: datetime, params: dict[str, Any], user_id: int | None
) -> Job:
    """A new queued job (flushed); the caller commits, then enqueues it."""
    job = Job(
        kind=kind,
        exam_id=exam_id,
        state=JobState.QUEUED,
        params=params,
        requested_by_id=user_id,
        created_at=now,
        queued_at=now,
    )
    db.session.add(job)
    db.session.flush()
    send_after_commit(job)
    return job


def claim(job_id: int, now: datetime, stale_after: timedelta) -> Job | None:
    """Move a queued job to running, unless another job of its kind runs for the exam.

    A job found ``running`` with a heartbeat older than ``stale_after`` lost its worker: it is
    claimed again. :returns: the job to run (flushed), or ``None`` when there is nothing to do.
    """
    job = db.session.scalars(
        select(Job)
        .where(Job.id == job_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if job is None or job.state in (JobState.DONE, JobState.FAILED):
        return None
    fresh = now - stale_after
    if job.state == JobState.RUNNING and job.heartbeat_at and job.heartbeat_at > fresh:
        return None  # a live worker has it (a duplicate message)
    if job.kind == JobKind.ANALYSIS:
        other = db.session.scalar(
            select(Job.id).where(
                Job.exam_id == job.exam_id,
                Job.kind == JobKind.ANALYSIS,
                Job.state == JobState.RUNNING,
                Job.id != job.id,
                Job.heartbeat_at > fresh,
            )
        )
        if other is not None:
            return None  # the running one hands this one on when it finishes
    job.state, job.started_at, job.heartbeat_at = JobState.RUNNING, now, now
    job.done, job.runs, job.error = 0, job.runs + 1, None
    job.revision = revision_of(job.exam_id)
    db.session.flush()
    return job


def record_progress(job_id: int, done: int, total: int, now: datetime) -> None:
    """Store a running job's progress and heartbeat in its own short transaction.

    A separate connection: the job's session keeps its objects and its reads undisturbed.
    """
    with db.engine.begin() as connection:
        connection.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == JobState.RUNNING)
            .values(done=done, total=total, heartbeat_at=now)
        )


def finish(job: Job, result: dict[str, Any], now: datetime) -> None:
    """Store the result and mark the job done (flushed)."""
    job.result, job.state, job.finished_at = result, JobState.DONE, now
    job.done = job.total = max(job.total, job.done, 1)
    db.session.flush()


def fail(job_id: int, error: str, now: datetime) -> None:
    """Mark a job failed with a message the committee sees (flushed)."""
    db.session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(state=JobState.FAILED, error=error[:2000], finished_at=now)
    )


def next_queued(exam_id: int, kind: JobKind) -> int | None:
    """The oldest queued job of this kind for the exam, if any."""
    return db.session.scalar(
        select(Job.id)
        .where(Job.exam_id == exam_id, Job.kind == kind, Job.state == JobState.QUEUED)
        .order_by(Job.id)
        .limit(1)
    )


def latest(
    exam_id: int,
    kind: JobKind,
    states: tuple[JobState, ...] | None = None,
    with_result: bool = True,
) -> Job | None:
    """The newest job of this kind for the exam (in one of ``states``, when given).

    :param with_result: load the stored result too (it may be large).
    """
    stmt = select(Job).where(Job.exam_id == exam_id, Job.kind == kind)
    if not with_result:
        stmt = stmt.options(defer(Job.result))
    if states:
        stmt = stmt.where(Job.state.in_(states))
    return db.session.scalars(stmt.order_by(Job.id.desc()).limit(1)).first()


def owed(now: datetime, stale_after: timedelta, requeue_after: timedelta) -> list[int]:
    """Jobs to hand to the queue again: running with a dead worker, or queued and never taken.

    Stale running jobs go back to queued (flushed); the caller commits and enqueues the ids.
    """
    dead = []
    for job_id, runs in db.session.execute(
        select(Job.id, Job.runs).where(
            Job.state == JobState.RUNNING, Job.heartbeat_at < now - stale_after
        )
    ):
        if runs >= MAX_RUNS:
            fail(job_id, f"gave up: the job's worker stopped {runs} times", now)
        else:
            dead.append(job_id)
    if dead:
        db.session.execute(
            update(Job).where(Job.id.in_(dead)).values(state=JobState.QUEUED, queued_at=now)
        )
    waiting = list(
        db.session.scalars(
            select(Job.id).where(Job.state == JobState.QUEUED, Job.queued_at < now - requeue_after)
        )
    )
    if waiting:
        db.session.execute(update(Job).where(Job.id.in_(waiting)).values(queued_at=now))
    return sorted(set(dead) | set(waiting))


def stale_analyses(now: datetime) -> list[Job]:
    """Queue an analysis for every exam whose marks changed since its last one (flushed)."""
    analysed = (
        select(Job.exam_id, db.func.max(Job.revision).label("revision"))
        .where(Job.kind == JobKind.ANALYSIS, Job.state == JobState.DONE)
        .group_by(Job.exam_id)
        .subquery()
    )
    active = select(Job.exam_id).where(Job.kind == JobKind.ANALYSIS, Job.state.in_(ACTIVE))
    stmt = (
        select(ExamRevision.exam_id)
        .outerjoin(analysed, analysed.c.exam_id == ExamRevision.exam_id)
        .where(
            db.func.coalesce(analysed.c.revision, -1) < ExamRevision.revision,
            ExamRevision.exam_id.not_in(active),
        )
    )
    jobs = []
    for exam_id in list(db.session.scalars(stmt)):
        job = request_analysis(exam_id, now)
        if job is not None:
            jobs.append(job)
    return jobs
