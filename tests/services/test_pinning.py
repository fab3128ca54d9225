"""An open exam is frozen: edits and imports reach it only through an audited publish."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from exam_engine import banks
from exam_engine.extensions import db
from exam_engine.models import AuditEntry, Bank, ExamQuestion, Question
from exam_engine.services import attempts, authoring, pinning
from exam_engine.services.exams import save_exam
from tests.factories import login, make_exam, make_invitation, make_staff

ONE_QUESTION = [
    {"title": "Chain", "bank": "fellowship", "topic": "calculus", "tags": ["chain-rule"], "draw": 1}
]


def chain_rule() -> Question:
    return db.session.scalars(
        select(Question).join(Bank).where(Bank.slug == "fellowship", Question.slug == "chain-rule")
    ).one()


def edit(question: Question, change: str, base: dict[str, object] | None = None) -> None:
    """Store a new version of ``question`` as the editor does: a new title, or a wrong key."""
    data = copy.deepcopy(base or question.current_version.data)
    if change == "title":
        data["title"] = "Chain rule, reworded"
    else:  # the key no longer matches the author tests
        data["parts"][0]["answer"] = "a*x*cos(a*x^2)"
    authoring.store_version("fellowship", banks.question_from_data(data))
    db.session.commit()


def draw(exam: object, email: str, now: datetime) -> int:
    attempt = attempts.start_attempt(make_invitation(exam, email), now)  # type: ignore[arg-type]
    db.session.commit()
    return attempt.questions[0].question_version_id


def test_an_open_exam_keeps_its_versions_after_an_edit(app: Flask) -> None:
    now = datetime.now(UTC)
    exam = make_exam(sections=ONE_QUESTION, now=now)
    question = chain_rule()
    served = question.current_version_id
    assert draw(exam, "first@example.org", now) == served
    edit(question, "title")
    assert question.current_version_id != served
    # The next candidate still gets what the exam opened with.
    assert draw(exam, "second@example.org", now) == served
    # Saving the (open) exam's file again does not move its pins either.
    save_exam({**exam_data(exam), "sections": ONE_QUESTION}, now)
    db.session.commit()
    assert draw(exam, "third@example.org", now) == served


def test_new_questions_do_not_join_an_open_exam(app: Flask) -> None:
    now = datetime.now(UTC)
    exam = make_exam(sections=ONE_QUESTION, now=now)
    draw(exam, "first@example.org", now)
    data = copy.deepcopy(chain_rule().current_version.data)
    data["id"] = "chain-rule-two"
    authoring.store_version("fellowship", banks.question_from_data(data))
    db.session.commit()
    pool = pinning.pool_for(exam, exam.sections[0], now)
    assert [v.question.slug for v in pool] == ["chain-rule"]


def test_an_open_exam_without_pins_is_pinned_at_its_first_start(app: Flask) -> None:
    """An exam made before pinning existed (or imported without pins) is pinned once, by the
    first start; a section whose bank holds none of the pins then draws from nothing."""
    now = datetime.now(UTC)
    exam = make_exam(sections=ONE_QUESTION, now=now)
    db.session.execute(ExamQuestion.__table__.delete().where(ExamQuestion.exam_id == exam.id))
    db.session.commit()
    served = draw(exam, "first@example.org", now)
    assert served == chain_rule().current_version_id
    pins = db.session.scalars(select(ExamQuestion).where(ExamQuestion.exam_id == exam.id)).all()
    assert [p.question_version_id for p in pins] == [served]
    edit(chain_rule(), "title")  # the pins hold: the next start does not pin again
    assert draw(exam, "second@example.org", now) == served
    elsewhere = exam.sections[0]
    elsewhere.bank_slug = "no-such-bank"
    assert pinning.pool_for(exam, elsewhere, now) == []
    db.session.rollback()


def test_an_exam_not_yet_open_follows_its_pools(app: Flask) -> None:
    now = datetime.now(UTC)
    later = now + timedelta(days=2)
    exam = make_exam(
        sections=ONE_QUESTION,
        opens_at=later.isoformat(),
        closes_at=(later + timedelta(days=1)).isoformat(),
        now=now,
    )
    question = chain_rule()
    edit(question, "title")
    save_exam(exam_data(exam), now)
    db.session.commit()
    pins = db.session.scalars(select(ExamQuestion).where(ExamQuestion.exam_id == exam.id)).all()
    assert [p.question_version_id for p in pins] == [question.current_version_id]


def test_publishing_runs_the_author_tests_and_is_audited(app: Flask) -> None:
    now = datetime.now(UTC)
    exam = make_exam(sections=ONE_QUESTION, now=now)
    question = chain_rule()
    old = question.current_version_id
    original = question.current_version.data
    first = draw(exam, "first@example.org", now)
    admin = make_staff("author")
    edit(question, "key")
    with pytest.raises(pinning.PublishRefused):
        pinning.publish(exam, question, admin, now)
    db.session.rollback()
    edit(question, "title", original)
    done = pinning.publish(exam, question, admin, now)
    db.session.commit()
    assert done.old.id == old and len(done.saw_old) == 1
    assert draw(exam, "second@example.org", now) == question.current_version_id != first
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "exam.question_published")
    ).one()
    assert entry.details["attempts_shown_old_version"] == done.saw_old


def test_the_editor_says_when_a_question_is_in_an_open_exam(
    app: Flask, client: FlaskClient
) -> None:
    now = datetime.now(UTC)
    exam = make_exam(sections=ONE_QUESTION, now=now)
    draw(exam, "first@example.org", now)
    question = chain_rule()
    login(client, make_staff("author"))
    page = client.get("/author/banks/fellowship/questions/chain-rule/edit").get_data(as_text=True)
    assert "In open exams" in page and exam.title in page
    edit(question, "title")
    preview = client.get(f"/author/questions/{question.id}").get_data(as_text=True)
    assert "Publish the current version to this exam" in preview
    from tests.conftest import csrf_token

    token = csrf_token(client, f"/author/questions/{question.id}")
    done = client.post(
        f"/author/questions/{question.id}/publish",
        data={"csrf_token": token, "exam": exam.slug},
        follow_redirects=True,
    )
    assert "1 candidate had already been shown the old version" in done.get_data(as_text=True)


def exam_data(exam: object) -> dict[str, object]:
    return {
        "slug": exam.slug,  # type: ignore[attr-defined]
        "title": exam.title,  # type: ignore[attr-defined]
        "opens_at": exam.opens_at.isoformat(),  # type: ignore[attr-defined]
        "closes_at": exam.closes_at.isoformat(),  # type: ignore[attr-defined]
        "duration_minutes": 90,
        "sections": ONE_QUESTION,
    }
