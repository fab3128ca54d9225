"""The analysis task: ranking, P(top k), item statistics, integrity pairs and plots, stored once.

Queued whenever an exam's marks change (:func:`exam_engine.services.jobs.grades_changed`); one
runs per exam at a time and a change during a run queues one more. The committee's sweep hands
back to the queue jobs whose worker died and analyses that are owed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import shared_task
from flask import current_app

from exam_engine import clock
from exam_engine.committee import snapshot as snapshots
from exam_engine.extensions import db
from exam_engine.jobs import enqueue
from exam_engine.models import Exam, Job, JobKind
from exam_engine.services import jobs as job_service
from exam_engine.services.analysis import analyse_exam
from exam_engine.services.jobs import ANALYSE_EXAM, TASK_FOR
from exam_engine.services.similarity import flagged_pairs

log = logging.getLogger(__name__)

COMMITTEE_SWEEP = "exam_engine.committee_sweep"


def stale_after() -> timedelta:
    """How long a running job may go without a heartbeat before it counts as dead."""
    return timedelta(seconds=float(current_app.config["JOB_STALE_SECONDS"]))


def send(job: Job | int | None) -> bool:
    """Hand a committed job to the queue (``None`` does nothing)."""
    if job is None:
        return False
    job_id = job if isinstance(job, int) else job.id
    kind = job.kind if isinstance(job, Job) else db.session.get_one(Job, job_id).kind
    return enqueue(TASK_FOR[kind], job_id)


def run_analysis(job: Job, replicates: int | None = None, report: bool = False) -> dict[str, Any]:
    """Compute and store a claimed analysis job's snapshot (flushed); what the task runs.

    :param report: store progress as it goes (in its own transactions: the claim must be
        committed first).
    :returns: the snapshot.
    """
    exam = db.session.get_one(Exam, job.exam_id)

    def progress(done: int, total: int) -> None:
        if report:
            job_service.record_progress(job.id, done, total + 2, clock.now())

    kwargs = {} if replicates is None else {"replicates": replicates}
    result = analyse_exam(exam, progress=progress, **kwargs)
    snap = snapshots.build(exam, result, flagged_pairs(exam))
    done = len(result.questions) + 4
    progress(done, done)
    snap["plots"] = snapshots.draw_plots(snap)
    job.total = done + 2
    job_service.finish(job, snap, clock.now())
    return snap


def analyse_now(exam: Exam, replicates: int | None = None) -> Job:
    """Queue, claim and run an analysis in this process (tests, the command line); flushed."""
    job = job_service.create_job(JobKind.ANALYSIS, exam.id, clock.now(), {}, None)
    claimed = job_service.claim(job.id, clock.now(), stale_after())
    assert claimed is not None
    run_analysis(claimed, replicates)
    return claimed


def run_claimed(job_id: int, work: Callable[[Job], object]) -> Job | None:
    """Claim a committee job and run ``work`` on it, committing; an error marks the job failed
    with its message (shown to the committee). ``None`` when the job could not be claimed."""
    job = job_service.claim(job_id, clock.now(), stale_after())
    db.session.commit()
    if job is None:
        return None
    kind = job.kind.value
    try:
        work(job)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        log.exception("%s job %s failed", kind, job_id)
        job_service.fail(job_id, f"{type(exc).__name__}: {exc}", clock.now())
        db.session.commit()
    return job


@shared_task(name=ANALYSE_EXAM)
def analyse(job_id: int) -> bool:
    """Run one analysis job unless another runs for its exam; then hand on the next one."""
    replicates = current_app.config.get("ANALYSIS_REPLICATES")
    job = run_claimed(
        job_id, lambda j: run_analysis(j, int(replicates) if replicates else None, report=True)
    )
    if job is None:
        return False
    send(job_service.next_queued(job.exam_id, JobKind.ANALYSIS))
    return True


@shared_task(name=COMMITTEE_SWEEP)
def committee_sweep() -> dict[str, int]:
    """Re-send jobs whose worker died or whose message was lost; queue owed analyses."""
    now = clock.now()
    requeue = timedelta(seconds=float(current_app.config["JOB_REQUEUE_SECONDS"]))
    owed = job_service.owed(now, stale_after(), requeue)
    fresh = job_service.stale_analyses(now)
    db.session.commit()
    for job_id in owed:
        send(job_id)
    if owed or fresh:
        log.info("committee sweep: re-sent %d job(s), queued %d analyses", len(owed), len(fresh))
    return {"resent": len(owed), "queued": len(fresh)}
