"""Committee pages at scale: the SQL statements a page runs do not grow with the candidates."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from exam_engine.extensions import db
from exam_engine.jobs.analysis import analyse_now
from exam_engine.models import Attempt, AttemptStatus, Exam
from exam_engine.services import attempts, membership, review
from tests.factories import login, make_exam, make_staff, right, sit

NOW = datetime.now(UTC)
SECTIONS = [
    {"bank": "fellowship", "topic": "probability", "draw": 3},
    {"bank": "fellowship", "topic": "calculus", "draw": 1},
]
PAGES = [
    "/committee/exams/{slug}",
    "/committee/exams/{slug}/ranking",
    "/committee/exams/{slug}/ranking?q=cand",
    "/committee/exams/{slug}/items",
    "/committee/exams/{slug}/integrity",
    "/committee/exams/{slug}/regrade",
    "/committee/exams/{slug}/ranking.csv",
    "/committee/exams/{slug}/responses.csv",
    "/committee/exams/{slug}/export.json",
    "/committee/attempts/{attempt}",
]


def first_part(part: Any) -> str | None:
    """The model answer to a question's first part only: cheap to grade, still varied."""
    return right(part) if part.key in {"a", "exactly", "mean", "first"} else "7"


def cohort(slug: str, n: int, staff: Any) -> Exam:
    exam = make_exam(slug, now=NOW, sections=SECTIONS, cohort_size=2)
    membership.add_member(exam, staff, None, NOW)  # the staff member sits on its committee
    made = [sit(exam, f"cand{i}-{slug}@example.org", first_part, NOW) for i in range(n)]
    # Some committee work on top: an override with its history, a decision, an open attempt.
    grade = db.session.scalars(
        select(review.Grade).where(review.Grade.attempt_id == made[0].id)
    ).first()
    assert grade is not None
    review.override_grade(grade, 0.0, "checked", staff, NOW)
    review.decide(made[1], review.DecisionKind.SHORTLIST, "", staff, NOW)
    attempts.start_attempt(exams_invite(exam, f"late-{slug}@example.org"), NOW - timedelta(hours=3))
    db.session.commit()
    analyse_now(exam, replicates=50)
    db.session.commit()
    return exam


def exams_invite(exam: Exam, email: str) -> Any:
    from tests.factories import make_invitation

    return make_invitation(exam, email)


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def statements_per_page(client: FlaskClient, exam: Exam) -> dict[str, int]:
    attempt = db.session.scalars(
        select(Attempt)
        .where(Attempt.exam_id == exam.id, Attempt.status != AttemptStatus.OPEN)
        .order_by(Attempt.id.desc())
    ).first()
    assert attempt is not None
    counts = {}
    for page in PAGES:
        url = page.format(slug=exam.slug, attempt=attempt.id)
        client.get(url).get_data()  # warm: the first view fills per-process caches
        with counting() as statements:
            response = client.get(url)
            body = response.get_data(as_text=True)
        assert response.status_code == 200, (url, body[:500])
        counts[page] = len(statements)
    return counts


def test_statement_counts_do_not_grow_with_the_cohort(app: Flask, client: FlaskClient) -> None:
    staff = make_staff("committee")
    small = cohort("small", 3, staff)
    large = cohort("large", 12, staff)
    login(client, staff)
    counts = statements_per_page(client, small)
    assert counts == statements_per_page(client, large)
    # The pages are few statements each, whatever the cohort (and so not an N+1 in disguise).
    assert max(counts.values()) <= 20, counts


def test_committee_gets_write_nothing(app: Flask, client: FlaskClient) -> None:
    """An attempt past its deadline shows as ended on every page, and stays stored as open."""
    staff = make_staff("committee")
    exam = cohort("gets", 3, staff)
    login(client, staff)
    late = db.session.scalars(
        select(Attempt).where(Attempt.exam_id == exam.id, Attempt.status == AttemptStatus.OPEN)
    ).one()
    with counting() as statements:
        for page in PAGES:
            client.get(page.format(slug=exam.slug, attempt=late.id))
    writes = [
        s for s in statements if s.split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]
    assert not writes
    page = client.get(f"/committee/attempts/{late.id}").get_data(as_text=True)
    assert "time ran out" in page and "grading…" in page
    dashboard = client.get(f"/committee/exams/{exam.slug}").get_data(as_text=True)
    assert "Grading… 3 of 4 graded." in dashboard
    db.session.expire_all()
    assert db.session.get(Attempt, late.id).status == AttemptStatus.OPEN
