"""The regrade dry run as a job in a real worker; applying stores exactly the reviewed plan."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from exam_engine import banks
from exam_engine.extensions import db
from exam_engine.models import Attempt, Exam, Grade, Job, JobKind, JobState, QuestionVersion
from exam_engine.services import questions
from exam_engine.services.scoring import grades_of
from tests.conftest import csrf_token
from tests.factories import login, make_exam, make_staff, right, sit
from tests.workers import Worker, wait_for

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def fixed_exam() -> Exam:
    pool = [v for v in questions.current_versions("fellowship") if v.topic == "probability"]
    sections = [{"bank": "fellowship", "topic": "probability", "draw": len(pool)}]
    return make_exam(now=NOW, sections=sections, cohort_size=1)


def fix_a_key(best: Attempt) -> str:
    """A new current version of one question whose first part expects something else."""
    question = next(
        q.version.question
        for q in best.questions
        if q.version.data["parts"][0].get("input") in ("algebraic", "numeric")
    )
    current = question.current_version
    assert current is not None
    data = dict(current.data)
    data["parts"] = [dict(p) for p in data["parts"]]
    data["parts"][0]["answer"] = "123456789"
    data["parts"][0].pop("rules", None)
    data["tests"] = []
    version = QuestionVersion(
        question_id=question.id,
        content_hash=banks.content_hash(data),  # caches key on it
        title=current.title,
        topic=data["topic"],
        tags=data.get("tags", []),
        points=current.points,
        data=data,
    )
    db.session.add(version)
    db.session.flush()
    question.current_version = version
    db.session.commit()
    return question.slug


def dry_run(client: FlaskClient, slug: str) -> int:
    """Start a dry run from the page and wait for the worker to store its plan."""
    url = f"/committee/exams/{slug}/regrade"
    started = client.post(url, data={"csrf_token": csrf_token(client, url), "policy": "current"})
    assert started.status_code == 302
    job_id = db.session.scalars(
        select(Job.id).where(Job.kind == JobKind.REGRADE).order_by(Job.id.desc())
    ).first()
    assert job_id is not None

    def stored() -> bool:
        db.session.rollback()
        job = db.session.get(Job, job_id, populate_existing=True)
        return job is not None and job.state in (JobState.DONE, JobState.FAILED)

    wait_for(stored, timeout=120)
    return job_id


def apply(client: FlaskClient, slug: str, job_id: int) -> str:
    url = f"/committee/exams/{slug}/regrade"
    response = client.post(
        f"{url}/{job_id}/apply",
        data={"csrf_token": csrf_token(client, url)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def scores(attempt_id: int) -> dict[str, float]:
    db.session.rollback()
    attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    assert attempt is not None
    return {k: g.score for k, g in grades_of(attempt).items()}


def test_dry_run_in_a_worker_then_apply_exactly_that_plan(
    app: Flask, client: FlaskClient, workers: Callable[..., Worker]
) -> None:
    exam = fixed_exam()
    best = sit(exam, "best@example.org", right, NOW)
    blank = sit(exam, "blank@example.org", None, NOW)
    fix_a_key(best)
    before = scores(best.id)
    login(client, make_staff("committee"))
    workers(ANALYSIS_REPLICATES=100)

    first = dry_run(client, exam.slug)
    page = client.get(f"/committee/exams/{exam.slug}/regrade").get_data(as_text=True)
    assert "Marks that would change: 1." in page and 'id="apply"' in page and "Best" in page
    assert scores(best.id) == before  # a dry run changes nothing

    # Someone overrides a mark after the plan was made: the plan no longer applies.
    grade = db.session.scalars(select(Grade).where(Grade.attempt_id == blank.id)).first()
    assert grade is not None
    url = f"/committee/attempts/{blank.id}"
    client.post(
        f"{url}/override",
        data={
            "csrf_token": csrf_token(client, url),
            "part_key": grade.part_key,
            "score": str(grade.max_score),
            "reason": "equivalent form",
        },
    )
    refused = apply(client, exam.slug, first)
    assert "Not applied: marks changed since this dry run was made" in refused
    assert 'id="plan-outdated"' in refused and 'id="apply"' not in refused
    assert scores(best.id) == before

    # A new dry run is stored by the worker; applying it writes the marks it computed.
    second = dry_run(client, exam.slug)
    plan = db.session.get_one(Job, second).result
    assert plan is not None and len(plan["changes"]) == 1
    change = plan["changes"][0]
    applied = apply(client, exam.slug, second)
    assert "Regrade applied: 1 mark changed." in applied
    after = scores(best.id)
    assert after[change["part_key"]] == change["new"] == 0.0
    assert {k: v for k, v in after.items() if k != change["part_key"]} == {
        k: v for k, v in before.items() if k != change["part_key"]
    }
    # Applying the same plan twice is refused: it was applied already.
    assert "this regrade was applied already" in apply(client, exam.slug, second)


def test_a_dry_run_that_fails_shows_why(
    app: Flask, client: FlaskClient, workers: Callable[..., Worker]
) -> None:
    from exam_engine.services import jobs as job_service

    exam = fixed_exam()
    sit(exam, "best@example.org", right, NOW)
    job = job_service.create_job(
        JobKind.REGRADE, exam.id, datetime.now(UTC), {"policy": "bogus"}, None
    )
    db.session.commit()
    workers()

    def failed() -> bool:
        db.session.rollback()
        found = db.session.get(Job, job.id, populate_existing=True)
        return found is not None and found.state == JobState.FAILED

    wait_for(failed, timeout=120)
    login(client, make_staff("committee"))
    page = client.get(f"/committee/exams/{exam.slug}/regrade").get_data(as_text=True)
    assert 'id="regrade-failed"' in page and "unknown regrade policy" in page
