"""Grading through the real queue: submit returns at once, a worker process grades."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from exam_engine.extensions import db
from exam_engine.models import Attempt, AttemptStatus, Grade
from exam_engine.services import attempts
from tests.conftest import csrf_token
from tests.factories import make_exam, make_invitation, right, start
from tests.workers import Worker, wait_for


def graded(attempt_id: int) -> bool:
    """Whether the attempt has its grades (read afresh, as another process wrote them)."""
    db.session.rollback()
    return db.session.get(Attempt, attempt_id, populate_existing=True).graded_at is not None


def finished_jobs(worker: Worker) -> list[str]:
    """The grading jobs a worker's log says ended (a retry is not an end)."""
    return re.findall(r"job exam_engine\.grade_attempt (?:SUCCESS|FAILURE)", worker.text())


def answer_everything(attempt_id: int, value: Callable[..., str], now: datetime) -> int:
    attempt = attempts.get_attempt(attempt_id)
    parts = attempts.parts_of(attempt)
    for key, ref in parts.items():
        attempts.save_answer(attempt, key, value(ref.part), 1, now, 5000)
    db.session.commit()
    return len(parts)


def test_submit_returns_at_once_and_a_worker_grades(
    app: Flask, client: FlaskClient, workers: Callable[..., Worker]
) -> None:
    invitation = make_invitation(make_exam())
    attempt_id = start(client, invitation)
    n_parts = answer_everything(attempt_id, right, datetime.now(UTC))
    headers = {"X-CSRFToken": csrf_token(client, f"/attempts/{attempt_id}")}
    submitted = client.post(f"/api/attempts/{attempt_id}/submit", headers=headers)
    assert submitted.status_code == 200
    # The request committed the submission and enqueued its grading; nothing is graded yet.
    assert not graded(attempt_id)
    workers()
    wait_for(lambda: graded(attempt_id))
    grades = db.session.scalars(select(Grade).where(Grade.attempt_id == attempt_id)).all()
    assert len(grades) == n_parts
    assert all(g.fraction == 1.0 for g in grades), [(g.part_key, g.note) for g in grades]


def test_a_worker_logs_each_job_once_as_json(
    app: Flask, client: FlaskClient, workers: Callable[..., Worker]
) -> None:
    """docs/operations.md: one line per job, JSON in production (not again through Celery's
    capture of standard error, nor again through its root logger)."""
    invitation = make_invitation(make_exam())
    attempt_id = start(client, invitation)
    answer_everything(attempt_id, right, datetime.now(UTC))
    headers = {"X-CSRFToken": csrf_token(client, f"/attempts/{attempt_id}")}
    assert client.post(f"/api/attempts/{attempt_id}/submit", headers=headers).status_code == 200
    worker = workers()  # the scheduler too: a sweep every second
    wait_for(lambda: graded(attempt_id))
    wait_for(lambda: worker.text().count("job exam_engine.sweep") >= 2)
    worker.stop()
    ours = [
        line
        for line in worker.text().splitlines()
        if "job exam_engine." in line or "graded attempt" in line
    ]
    jobs = [json.loads(line) for line in ours if "job exam_engine." in line]
    assert all(line.startswith("{") for line in ours), ours[:4]
    assert {j["task"] for j in jobs} >= {"exam_engine.grade_attempt", "exam_engine.sweep"}, jobs
    assert len({j["request_id"] for j in jobs}) == len(jobs)  # one line per job
    assert worker.text().count(f"graded attempt {attempt_id}") == 1


def test_the_scheduler_closes_and_grades_without_any_request(
    app: Flask, client: FlaskClient, workers: Callable[..., Worker]
) -> None:
    exam = make_exam(duration_minutes=1, grace_seconds=0)
    attempt_id = start(client, make_invitation(exam))
    answer_everything(attempt_id, lambda part: "1", datetime.now(UTC))
    # The browser never comes back. The worker's clock is two minutes ahead: time is up.
    workers(CLOCK_OFFSET_SECONDS=120)
    wait_for(lambda: graded(attempt_id))
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.status == AttemptStatus.EXPIRED
    assert attempt.receipt == attempts.receipt_for(attempt)
    assert attempt.submitted_at == attempt.deadline_at


def test_gets_never_write(app: Flask, client: FlaskClient) -> None:
    """Past the deadline, the candidate's pages show the end without storing it."""
    exam = make_exam(duration_minutes=1, grace_seconds=0)
    attempt_id = start(client, make_invitation(exam))
    answer_everything(attempt_id, lambda part: "1", datetime.now(UTC))
    app.config["CLOCK_OFFSET_SECONDS"] = 120
    state = client.get(f"/api/attempts/{attempt_id}").get_json()
    assert state["status"] == "expired"
    page = client.get(f"/attempts/{attempt_id}")
    assert page.status_code == 302 and page.headers["Location"].endswith("/receipt")
    receipt = client.get(f"/attempts/{attempt_id}/receipt").get_data(as_text=True)
    db.session.rollback()
    attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    assert attempt.status == AttemptStatus.OPEN and attempt.receipt is None
    # The receipt shown is the one the scheduler will store.
    assert attempts.receipt_for(attempt) in receipt


def test_grading_the_same_attempt_twice_stores_one_set_of_grades(
    app: Flask, client: FlaskClient, workers: Callable[..., Worker]
) -> None:
    from exam_engine.jobs import GRADE_ATTEMPT, enqueue

    attempt_id = start(client, make_invitation(make_exam()))
    n_parts = answer_everything(attempt_id, right, datetime.now(UTC))
    attempt = attempts.get_attempt(attempt_id)
    attempts.submit_attempt(attempt, datetime.now(UTC))
    db.session.commit()
    for _ in range(4):
        assert enqueue(GRADE_ATTEMPT, attempt_id)
    first, second = workers("w1", beat=False), workers("w2", beat=False)
    wait_for(lambda: graded(attempt_id))
    # The first grades committed say nothing of the other three messages: count the grades
    # once every message was run (each job's line is written when it ends).
    wait_for(lambda: len(finished_jobs(first) + finished_jobs(second)) >= 4, timeout=60)
    count = db.session.scalar(
        select(func.count()).select_from(Grade).where(Grade.attempt_id == attempt_id)
    )
    assert count == n_parts


def test_hostile_answers_get_a_final_verdict_within_the_budget(
    app: Flask, client: FlaskClient, workers: Callable[..., Worker]
) -> None:
    """Towers of powers in every part: each answer is cut off by the pool's limit, the attempt by
    its budget; the verdicts are final and flagged for the committee."""
    from exam_engine.services.scoring import NEEDS_REVIEW

    attempt_id = start(client, make_invitation(make_exam()))
    n_parts = answer_everything(attempt_id, lambda part: "e^(e^(e^(e^e)))", datetime.now(UTC))
    headers = {"X-CSRFToken": csrf_token(client, f"/attempts/{attempt_id}")}
    assert client.post(f"/api/attempts/{attempt_id}/submit", headers=headers).status_code == 200
    workers(GRADING_ATTEMPT_BUDGET_SECONDS=1.5, GRADER_TIMEOUT=0.5)
    # Within the budget the worker stops and gives its verdict; the wait only keeps a hang
    # (a grader that ignores its limits) from lasting.
    wait_for(lambda: graded(attempt_id), timeout=120)
    grades = db.session.scalars(select(Grade).where(Grade.attempt_id == attempt_id)).all()
    assert len(grades) == n_parts
    assert all(g.score == 0 for g in grades)
    flagged = [g for g in grades if g.note in NEEDS_REVIEW]
    # Whatever the grader could not finish is flagged; nothing is left to retry.
    assert all(g.error for g in flagged)
    assert {g.note for g in grades} <= NEEDS_REVIEW | {"NoAnswer"} or all(g.note for g in grades)


def test_two_workers_share_the_work(
    app: Flask, client: FlaskClient, workers: Callable[..., Worker]
) -> None:
    """Two worker processes on one broker and one database: both take grading tasks."""
    from exam_engine.jobs import GRADE_ATTEMPT, enqueue

    exam = make_exam()
    now = datetime.now(UTC)
    ids = []
    for n in range(12):
        attempt = attempts.start_attempt(make_invitation(exam, f"c{n}@example.org"), now)
        db.session.flush()
        for key, ref in attempts.parts_of(attempt).items():
            attempts.save_answer(attempt, key, right(ref.part), 1, now, 5000)
        attempts.submit_attempt(attempt, now)
        ids.append(attempt.id)
    db.session.commit()
    first, second = workers("w1", beat=False), workers("w2", beat=False)
    for attempt_id in ids:
        enqueue(GRADE_ATTEMPT, attempt_id)
    wait_for(lambda: all(graded(a) for a in ids), timeout=120)
    # A worker logs a job after its commit: wait for the lines, not only the grades.
    wait_for(lambda: set(first.graded()) | set(second.graded()) >= set(ids), timeout=30)
    by_first, by_second = set(first.graded()), set(second.graded())
    assert by_first | by_second == set(ids) and not by_first & by_second
    assert by_first and by_second, (by_first, by_second)
