"""Staff pages: sign-in, role guards, the committee's ranking and the author's preview."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from exam_engine.extensions import db
from exam_engine.jobs.analysis import analyse_now
from exam_engine.jobs.grading import grade_pending
from exam_engine.models import Question
from tests.conftest import csrf_token
from tests.factories import login, make_exam, make_invitation, make_staff, start


def sit(app: Flask, exam, email: str, answer_all: str | None) -> int:  # type: ignore[no-untyped-def]
    client = app.test_client()
    attempt_id = start(client, make_invitation(exam, email))
    state = client.get(f"/api/attempts/{attempt_id}").get_json()
    h = {"X-CSRFToken": csrf_token(client, f"/attempts/{attempt_id}")}
    if answer_all is not None:
        for q in state["questions"]:
            for p in q["parts"]:
                client.put(
                    f"/api/attempts/{attempt_id}/answers/{p['key']}",
                    json={"value": answer_all, "seq": 1},
                    headers=h,
                )
    assert client.post(f"/api/attempts/{attempt_id}/submit", headers=h).status_code == 200
    return attempt_id


def test_wrong_password_is_refused(app: Flask, client: FlaskClient) -> None:
    user = make_staff("committee")
    token = csrf_token(client, "/staff/login")
    response = client.post(
        "/staff/login", data={"email": user.email, "password": "nope", "csrf_token": token}
    )
    assert response.status_code == 200 and "Wrong email or password" in response.get_data(True)
    assert client.get("/committee/").status_code == 302


def test_role_guard(app: Flask, client: FlaskClient) -> None:
    login(client, make_staff("author"))
    assert client.get("/author/").status_code == 200
    assert client.get("/committee/").status_code == 404


def test_dashboard_ranking_and_csv(app: Flask, client: FlaskClient) -> None:
    exam = make_exam()
    sit(app, exam, "blank@example.org", None)
    sit(app, exam, "ones@example.org", "1")
    login(client, make_staff("committee"))
    dash = client.get(f"/committee/exams/{exam.slug}").get_data(as_text=True)
    assert 'id="count-invited">2<' in dash and 'id="count-submitted">2<' in dash
    assert 'id="count-graded">0<' in dash and "Grading… 0 of 2 graded." in dash
    # What the workers do in the background: grade both attempts, then analyse the exam.
    grade_pending(datetime.now(UTC))
    analyse_now(exam, replicates=100)
    db.session.commit()
    page = client.get(f"/committee/exams/{exam.slug}/ranking")
    assert page.status_code == 200 and "Blank" in page.get_data(as_text=True)
    response = client.get(f"/committee/exams/{exam.slug}/ranking.csv")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["rank", "candidate", "email", "score (percent of marks available)"]
    assert {r[2] for r in rows[1:]} == {"blank@example.org", "ones@example.org"}
    assert "linear-algebra" in rows[0]


def test_author_preview_renders_mathml(app: Flask, client: FlaskClient) -> None:
    login(client, make_staff("author"))
    listing = client.get("/author/").get_data(as_text=True)
    question = db.session.scalars(select(Question)).first()
    assert question is not None and question.slug in listing
    page = client.get(f"/author/questions/{question.id}?seed=7")
    assert page.status_code == 200 and "<math" in page.get_data(as_text=True)
    assert client.get(f"/author/questions/{question.id}?seed=abc").status_code == 200
    assert client.get("/author/questions/999999").status_code == 404


def test_committee_adds_time_with_a_reason_and_sees_events(app: Flask, client: FlaskClient) -> None:
    from exam_engine.models import AuditEntry

    exam = make_exam()
    candidate = app.test_client()
    attempt_id = start(candidate, make_invitation(exam, "late@example.org"))
    h = {"X-CSRFToken": csrf_token(candidate, f"/attempts/{attempt_id}")}
    candidate.post(f"/api/attempts/{attempt_id}/events", json={"kind": "focus_lost"}, headers=h)
    before = candidate.get(f"/api/attempts/{attempt_id}").get_json()["deadline"]
    login(client, make_staff("committee"))
    page = client.get(f"/committee/attempts/{attempt_id}").get_data(as_text=True)
    assert "left the page: 1" in page
    token = csrf_token(client, f"/committee/attempts/{attempt_id}")
    missing = client.post(
        f"/committee/attempts/{attempt_id}/time",
        data={"minutes": "15", "reason": "", "csrf_token": token},
    )
    assert missing.status_code == 200
    assert candidate.get(f"/api/attempts/{attempt_id}").get_json()["deadline"] == before
    done = client.post(
        f"/committee/attempts/{attempt_id}/time",
        data={"minutes": "15", "reason": "fire alarm", "csrf_token": token},
    )
    assert done.status_code == 302
    after = candidate.get(f"/api/attempts/{attempt_id}").get_json()["deadline"]
    from datetime import datetime

    gap = datetime.fromisoformat(after) - datetime.fromisoformat(before)
    assert gap.total_seconds() == 15 * 60
    entry = db.session.scalars(select(AuditEntry)).one()
    assert entry.action == "attempt.time_added" and entry.details["reason"] == "fire alarm"
