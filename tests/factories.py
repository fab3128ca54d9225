"""Builders of test data through the real services (flushed and committed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient

from exam_engine.extensions import db
from exam_engine.models import Attempt, Exam, Invitation, User
from exam_engine.services import exams, users
from tests.conftest import PASSWORD, csrf_token

SECTIONS = [
    {"title": "Linear algebra", "bank": "fellowship", "topic": "linear-algebra", "draw": 2},
    {"title": "Calculus", "bank": "fellowship", "topic": "calculus", "draw": 1},
    {"title": "Probability", "bank": "fellowship", "topic": "probability", "draw": 2},
]


def make_exam(slug: str = "screening", now: datetime | None = None, **overrides: Any) -> Exam:
    """An exam open from a day ago for a week, drawing from the sample bank."""
    now = now or datetime.now(UTC)
    data = {
        "slug": slug,
        "title": "Screening",
        "opens_at": (now - timedelta(days=1)).isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
        "duration_minutes": 90,
        "cohort_size": 2,
        "sections": SECTIONS,
        **overrides,
    }
    exam = exams.save_exam(data)
    db.session.commit()
    return exam


def make_invitation(exam: Exam, email: str = "cand@example.org", factor: float = 1.0) -> Invitation:
    invitation = exams.invite(exam, email, email.split("@")[0].title(), factor)
    db.session.commit()
    return invitation


def make_staff(role: str, email: str | None = None, exams: list[Exam] | None = None) -> User:
    """A staff account; a committee account sits on the committee of ``exams``.

    :param exams: for a committee account, the exams it is assigned to; ``None`` means every
        exam that exists now (most tests create the exam first and mean "its committee").
    """
    from sqlalchemy import select

    from exam_engine.models import CommitteeMember

    user = users.create_user(email or f"{role}@example.org", PASSWORD, role, role.title())
    if role == "committee":
        # Rows of their own, not the audited service: tests count audit entries.
        found = list(db.session.scalars(select(Exam))) if exams is None else exams
        db.session.add_all(CommitteeMember(exam_id=e.id, user_id=user.id) for e in found)
    db.session.commit()
    return user


def login(client: FlaskClient, user: User) -> None:
    """Sign in through the real form."""
    token = csrf_token(client, "/staff/login")
    response = client.post(
        "/staff/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def start(client: FlaskClient, invitation: Invitation) -> int:
    """Start the invitation's attempt through the page's form; returns the attempt id."""
    token = csrf_token(client, f"/i/{invitation.token}")
    response = client.post(f"/i/{invitation.token}/start", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def text_part(client: FlaskClient, attempt_id: int) -> str:
    """The key of a part of the attempt that takes typed text (saves store any text)."""
    state = client.get(f"/api/attempts/{attempt_id}").get_json()
    return str(
        next(
            p["key"]
            for q in state["questions"]
            for p in q["parts"]
            if p["input"] not in ("choice", "multichoice")
        )
    )


def sit(exam: Exam, email: str, answer: Any = None, now: datetime | None = None) -> Attempt:
    """A candidate sits the exam through the services and is graded by the real grader.

    :param answer: a function of the variant part giving the value typed (``None`` leaves the
        part blank), or ``None`` to leave everything blank.
    """
    from exam_engine.services import attempts
    from exam_engine.services.scoring import grade_attempt

    now = now or datetime.now(UTC)
    attempt = attempts.start_attempt(make_invitation(exam, email), now)
    for key, ref in attempts.parts_of(attempt).items():
        value = answer(ref.part) if answer else None
        if value is not None:
            attempts.save_answer(attempt, key, value, 1, now, 5000)
    attempts.submit_attempt(attempt, now + timedelta(minutes=30))
    grade_attempt(attempt, now + timedelta(minutes=30))
    db.session.commit()
    return attempt


def right(part: Any) -> str:
    """The model answer, as a candidate would type it."""
    return str(part.model_answer)
