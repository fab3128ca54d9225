"""The analysis as a background job, through real worker processes and the real broker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from exam_engine.extensions import db
from exam_engine.models import Exam, Grade, Job, JobKind, JobState
from exam_engine.services import jobs as job_service
from tests.conftest import csrf_token
from tests.factories import login, make_exam, make_staff, right, sit
from tests.workers import Worker, wait_for

NOW = datetime.now(UTC)
SECTIONS = [{"bank": "fellowship", "topic": "probability", "draw": 3}]
FAST = {"ANALYSIS_REPLICATES": 100}


def three(app: Flask) -> tuple[Exam, int]:
    """Ada answers everything right, Bob wrongly, Cy nothing; returns Cy's attempt too."""
    exam = make_exam(now=NOW, sections=SECTIONS, cohort_size=1)
    sit(exam, "ada@example.org", right, NOW)
    sit(exam, "bob@example.org", lambda part: "0", NOW)
    cy = sit(exam, "cy@example.org", None, NOW)
    return exam, cy.id


def up_to_date(exam_id: int) -> bool:
    """Whether the newest stored analysis was made at the exam's current grades revision."""
    db.session.rollback()
    done = job_service.latest(exam_id, JobKind.ANALYSIS, (JobState.DONE,))
    return done is not None and done.revision == job_service.revision_of(exam_id)


def override(client: FlaskClient, grade: Grade, score: float) -> None:
    url = f"/committee/attempts/{grade.attempt_id}"
    response = client.post(
        f"{url}/override",
        data={
            "csrf_token": csrf_token(client, url),
            "part_key": grade.part_key,
            "score": str(score),
            "reason": "accepted by hand",
        },
    )
    assert response.status_code == 302


def cy_row(page: str) -> str:
    start = page.index("Cy</a>", page.index('<table id="ranking"'))  # not the panel's list
    return page[start : page.index("</tr>", start)]


def test_an_override_is_analysed_by_a_worker_and_the_page_follows(
    app: Flask, client: FlaskClient, workers: Callable[..., Worker]
) -> None:
    exam, cy = three(app)
    login(client, make_staff("committee"))
    first, second = db.session.scalars(
        select(Grade).where(Grade.attempt_id == cy).order_by(Grade.id).limit(2)
    ).all()
    override(client, first, first.max_score)
    # The request stored the override and queued the analysis; nothing was computed in it.
    page = client.get(f"/committee/exams/{exam.slug}/ranking").get_data(as_text=True)
    assert 'id="analysis-progress"' in page and 'id="no-analysis"' in page
    queued = db.session.scalars(select(Job).where(Job.kind == JobKind.ANALYSIS)).all()
    assert [j.state for j in queued] == [JobState.QUEUED]

    workers(**FAST)
    wait_for(lambda: up_to_date(exam.id), timeout=120)
    page = client.get(f"/committee/exams/{exam.slug}/ranking").get_data(as_text=True)
    assert 'id="analysis-progress"' not in page and "<svg" in page
    assert f"{first.max_score:g} / " in cy_row(page)

    # A second change: the worker analyses again and the page shows the new total.
    override(client, second, second.max_score)
    wait_for(lambda: up_to_date(exam.id), timeout=120)
    page = client.get(f"/committee/exams/{exam.slug}/ranking").get_data(as_text=True)
    assert f"{first.max_score + second.max_score:g} / " in cy_row(page)
    states = db.session.scalars(select(Job.state).where(Job.kind == JobKind.ANALYSIS)).all()
    assert set(states) == {JobState.DONE}


def test_a_job_whose_worker_died_is_picked_up_again(
    app: Flask, client: FlaskClient, workers: Callable[..., Worker]
) -> None:
    exam, _ = three(app)
    # A job a worker took and never finished: running, its heartbeat long silent.
    long_ago = datetime.now(UTC) - timedelta(minutes=10)
    job = job_service.create_job(JobKind.ANALYSIS, exam.id, long_ago, {}, None)
    job.state, job.started_at, job.heartbeat_at, job.runs = (
        JobState.RUNNING,
        long_ago,
        long_ago,
        1,
    )
    db.session.commit()
    workers(JOB_STALE_SECONDS=5, **FAST)

    def finished() -> bool:
        db.session.rollback()
        found = db.session.get(Job, job.id, populate_existing=True)
        return found is not None and found.state == JobState.DONE

    wait_for(finished, timeout=120)
    found = db.session.get(Job, job.id)
    assert found is not None and found.runs == 2 and found.result is not None
    assert [r["email"] for r in found.result["rows"]][0] == "ada@example.org"


def test_an_analysis_that_fails_is_shown_with_its_message(app: Flask, client: FlaskClient) -> None:
    """A job that hits an error is marked failed and the committee sees why."""
    from exam_engine.jobs.analysis import analyse

    exam, _ = three(app)
    exam.cohort_size = 0  # the analysis refuses k = 0
    job = job_service.create_job(JobKind.ANALYSIS, exam.id, datetime.now(UTC), {}, None)
    db.session.commit()
    analyse.run(job.id)  # the task's own code, in this process
    db.session.rollback()
    found = db.session.get(Job, job.id, populate_existing=True)
    assert found is not None and found.state == JobState.FAILED and "k must be" in found.error
    login(client, make_staff("committee"))
    page = client.get(f"/committee/exams/{exam.slug}/ranking").get_data(as_text=True)
    assert 'id="analysis-failed"' in page and "k must be" in page
