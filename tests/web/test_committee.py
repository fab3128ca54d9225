"""The committee's pages over HTTP: ranking with certainty, items, regrade, overrides, exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from exam_engine.extensions import db
from exam_engine.jobs.analysis import analyse_now
from exam_engine.jobs.regrade import run_plan
from exam_engine.models import AttemptQuestion, Exam, Grade, Job, JobKind, JobState
from exam_engine.services.jobs import claim
from tests.conftest import csrf_token
from tests.factories import login, make_exam, make_staff, right, sit

NOW = datetime.now(UTC)
# Every candidate gets the same four questions: how sure the ranking is between two candidates
# depends on the questions they share (with disjoint draws in a cohort of three, P(top k) has
# nothing to tell them apart by, and comes out equal).
SECTIONS = [{"bank": "fellowship", "topic": "probability", "tags": ["counting"], "draw": 4}]


def half(part):  # type: ignore[no-untyped-def]
    return right(part) if part.key in {"exactly", "mean", "first", "posterior", "which"} else "0"


def analysed(exam: Exam) -> None:
    """Run the analysis job's work here and store its snapshot, as a worker would."""
    analyse_now(exam, replicates=200)
    db.session.commit()


def sitting(app: Flask) -> str:
    exam = make_exam(now=NOW, sections=SECTIONS, cohort_size=1)
    sit(exam, "ada@example.org", right, NOW)
    sit(exam, "bob@example.org", half, NOW)
    sit(exam, "cy@example.org", None, NOW)
    analysed(exam)
    return exam.slug


def test_ranking_page_shows_certainty_and_plots(app: Flask, client: FlaskClient) -> None:
    slug = sitting(app)
    login(client, make_staff("committee"))
    page = client.get(f"/committee/exams/{slug}/ranking").get_data(as_text=True)
    assert "Bootstrap check" in page and "clearly" in page and "How sure is the line?" in page
    assert page.count("<svg") == 2 and 'class="in cutoff"' in page
    assert page.index("Ada") < page.index("Bob") < page.index("Cy")


def test_blind_review_hides_names_until_reveal(app: Flask, client: FlaskClient) -> None:
    slug = sitting(app)
    login(client, make_staff("committee"))
    token = csrf_token(client, f"/committee/exams/{slug}/ranking")
    client.post(f"/committee/exams/{slug}/blind", data={"csrf_token": token})
    hidden = client.get(f"/committee/exams/{slug}/ranking").get_data(as_text=True)
    assert "Ada" not in hidden and "ada@example.org" not in hidden
    csv_text = client.get(f"/committee/exams/{slug}/ranking.csv").get_data(as_text=True)
    assert "ada@example.org" not in csv_text
    client.post(f"/committee/exams/{slug}/blind", data={"csrf_token": token})
    assert "Ada" in client.get(f"/committee/exams/{slug}/ranking").get_data(as_text=True)


def test_ranking_csv_has_subscores_and_probabilities(app: Flask, client: FlaskClient) -> None:
    slug = sitting(app)
    login(client, make_staff("committee"))
    text = client.get(f"/committee/exams/{slug}/ranking.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["email"] for r in rows] == ["ada@example.org", "bob@example.org", "cy@example.org"]
    assert all(0 <= float(r["P(top k) bootstrap check"]) <= 1 for r in rows)
    assert float(rows[0]["P(top k)"]) > float(rows[2]["P(top k)"])
    responses = client.get(f"/committee/exams/{slug}/responses.csv").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(responses)))) > 10
    export = json.loads(client.get(f"/committee/exams/{slug}/export.json").get_data())
    assert export["format"] == "exam-engine/exam-export" and len(export["attempts"]) == 3


def test_override_through_the_page_requires_a_reason(app: Flask, client: FlaskClient) -> None:
    slug = sitting(app)
    login(client, make_staff("committee"))
    grade = db.session.scalars(select(Grade).order_by(Grade.id)).first()
    assert grade is not None
    url = f"/committee/attempts/{grade.attempt_id}"
    token = csrf_token(client, url)
    refused = client.post(
        f"{url}/override",
        data={"csrf_token": token, "part_key": grade.part_key, "score": "0.5", "reason": ""},
    )
    assert refused.status_code == 200 and "This field is required" in refused.get_data(True)
    done = client.post(
        f"{url}/override",
        data={
            "csrf_token": token,
            "part_key": grade.part_key,
            "score": "0.5",
            "reason": "partial method",
        },
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Grade, grade.id).score == 0.5
    assert "partial method" in client.get(url).get_data(as_text=True)
    assert slug


def test_items_page_and_dropping_an_item(app: Flask, client: FlaskClient) -> None:
    slug = sitting(app)
    login(client, make_staff("committee"))
    page = client.get(f"/committee/exams/{slug}/items").get_data(as_text=True)
    assert "Discrimination" in page and "<svg" in page
    # A question someone actually drew (the section draws 5 of a larger pool).
    seen = db.session.scalars(select(AttemptQuestion).order_by(AttemptQuestion.id)).first()
    assert seen is not None
    question = seen.version.question
    token = csrf_token(client, f"/committee/exams/{slug}/items")
    client.post(
        f"/committee/exams/{slug}/items",
        data={
            "csrf_token": token,
            "question_id": str(question.id),
            "action": "drop",
            "reason": "ambiguous",
        },
    )
    page = client.get(f"/committee/exams/{slug}/items").get_data(as_text=True)
    assert 'value="drop" selected' in page


def test_regrade_page_dry_run_changes_nothing(app: Flask, client: FlaskClient) -> None:
    slug = sitting(app)
    login(client, make_staff("committee"))
    token = csrf_token(client, f"/committee/exams/{slug}/regrade")
    started = client.post(
        f"/committee/exams/{slug}/regrade", data={"csrf_token": token, "policy": "shown"}
    )
    assert started.status_code == 302
    # The request only queued the dry run: the page shows it waiting, with a progress bar.
    waiting = client.get(f"/committee/exams/{slug}/regrade").get_data(as_text=True)
    assert "<progress" in waiting and "Marks that would change" not in waiting
    job = db.session.scalars(select(Job).where(Job.kind == JobKind.REGRADE)).one()
    claimed = claim(job.id, datetime.now(UTC), timedelta(minutes=2))
    assert claimed is not None
    run_plan(claimed)
    db.session.commit()
    page = client.get(f"/committee/exams/{slug}/regrade").get_data(as_text=True)
    assert "Marks that would change: 0." in page and 'id="apply"' not in page
    assert job.state == JobState.DONE
