"""The regrade dry run as a job: grade every closed attempt again and store the plan."""

from __future__ import annotations

import logging
import time

from celery import shared_task

from exam_engine import clock
from exam_engine.extensions import db
from exam_engine.jobs.analysis import run_claimed
from exam_engine.models import Exam, Job
from exam_engine.services import jobs as job_service
from exam_engine.services.jobs import PLAN_REGRADE
from exam_engine.services.regrade import Grader, plan_regrade, plan_to_json

log = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 0.5


def run_plan(job: Job, grader: Grader | None = None, report: bool = False) -> None:
    """Compute a claimed regrade job's plan and store it (flushed).

    :param report: store progress as it goes (the claim must be committed first).
    """
    exam = db.session.get_one(Exam, job.exam_id)
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        if report and (done == total or time.monotonic() - last > PROGRESS_EVERY_SECONDS):
            last = time.monotonic()
            job_service.record_progress(job.id, done, total, clock.now())

    plan = plan_regrade(exam, str(job.params.get("policy", "shown")), grader, progress)
    result = plan_to_json(plan)
    result["revision"] = job.revision
    job_service.finish(job, result, clock.now())


@shared_task(name=PLAN_REGRADE)
def plan(job_id: int) -> bool:
    """Run one regrade dry run; an error marks the job failed with its message."""
    return run_claimed(job_id, lambda j: run_plan(j, report=True)) is not None
