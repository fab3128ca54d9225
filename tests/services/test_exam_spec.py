"""An exam's definition: the YAML file and the exam in the database are one model (round trip);
what may change after opening; opening and closing; accommodations; bilingual texts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import yaml
from flask import Flask
from sqlalchemy import select

from exam_engine.errors import ExamClosed
from exam_engine.extensions import db
from exam_engine.models import AuditEntry, ExamQuestion, ExamStatus
from exam_engine.services import applications, attempts, exam_spec
from exam_engine.services.exams import (
    ExamNotReady,
    InvalidExam,
    close_now,
    invite,
    open_now,
    save_exam,
)
from tests.factories import make_exam, make_invitation
from tests.services.test_pinning import ONE_QUESTION, chain_rule, edit

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

SPEC = """
slug: spring-2027
title:
  en: Spring screening
  ko: 봄 선발 시험
instructions:
  en: You have 60 minutes.
  ko: 60분이 주어집니다.
default_locale: ko
languages: [en, ko]
timezone: Asia/Seoul
opens_at: 2026-12-01T09:00
closes_at: 2026-12-15T23:59
duration_minutes: 60
cohort_size: 5
grace_seconds: 45
shuffle_questions: false
sections:
  - {title: Calculus, bank: fellowship, topic: calculus, draw: 2}
  - {title: Bayes, bank: fellowship, topic: probability, tags: [bayes], draw: 1}
accommodations:
  - {email: Ada@Example.org, time_factor: 1.5}
applications:
  enabled: true
  terms: {en: We keep your answers a year., ko: 답안은 1년 동안 보관합니다.}
  fields:
    - {name: university, label: {en: University, ko: 대학교}, required: true}
"""


def test_the_file_and_the_exam_are_one_model(app: Flask) -> None:
    exam = save_exam(yaml.safe_load(SPEC), NOW)
    db.session.commit()
    assert exam.title == "봄 선발 시험" and exam.title_in("en") == "Spring screening"
    assert exam.instructions_in("ko") == "60분이 주어집니다."
    assert exam.opens_at == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 09:00 in Seoul
    assert exam.accommodations == {"ada@example.org": 1.5}
    assert applications.settings_of(exam).enabled  # self-registration is part of the file too
    exported = exam_spec.to_yaml(exam)
    spec = yaml.safe_load(exported)
    assert spec["opens_at"] == "2026-12-01T09:00+09:00"
    assert spec["applications"]["fields"][0]["name"] == "university"
    assert spec["title"] == {"ko": "봄 선발 시험", "en": "Spring screening"}
    assert spec["sections"][1] == {
        "title": "Bayes",
        "bank": "fellowship",
        "topic": "probability",
        "tags": ["bayes"],
        "draw": 1,
    }
    # Saving the export again changes nothing; under another slug it makes the same exam.
    save_exam(spec, NOW)
    db.session.commit()
    assert exam_spec.to_yaml(exam) == exported
    copy = save_exam({**spec, "slug": "copy"}, NOW)
    db.session.commit()
    assert exam_spec.to_spec(copy) == {**exam_spec.to_spec(exam), "slug": "copy"}


def test_a_plain_text_title_round_trips_as_plain_text(app: Flask) -> None:
    exam = make_exam()
    spec = exam_spec.to_spec(exam)
    assert spec["title"] == "Screening" and spec["instructions"] == ""
    assert "accommodations" not in spec and "languages" not in spec
    assert exam.title_in("ko") == "Screening"  # no Korean title: the default one


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": {"ko": "제목"}}, "title: required in the default language"),
        ({"title": {"fr": "Titre", "en": "T"}}, "unknown language 'fr'"),
        ({"default_locale": "de"}, "default_locale"),
        ({"accommodations": [{"email": "nobody", "time_factor": 2}]}, r"accommodations\[0\]"),
        ({"accommodations": [{"email": "a@b.org", "time_factor": 9}]}, "between 1 and 4"),
        ({"duration_minutes": True}, "duration_minutes: must be a whole number"),
        ({"sections": [{"topic": "calculus", "draw": 1}]}, r"sections\[0\].bank: required"),
    ],
)
def test_wrong_fields_are_named(app: Flask, change: dict[str, object], message: str) -> None:
    spec = {**yaml.safe_load(SPEC), "default_locale": "en", **change}
    with pytest.raises(InvalidExam, match=message):
        save_exam(spec, NOW)


def test_after_opening_only_safe_fields_change(app: Flask) -> None:
    exam = make_exam(now=NOW)  # opened a day before NOW
    spec = exam_spec.to_spec(exam)
    for field, value in [
        ("duration_minutes", 30),
        ("timezone", "Asia/Seoul"),
        ("shuffle_questions", False),
        ("opens_at", (NOW - timedelta(hours=1)).isoformat()),
        ("sections", spec["sections"][:1]),
    ]:
        with pytest.raises(InvalidExam, match=f"{field}: cannot change after the exam has opened"):
            save_exam({**spec, field: value}, NOW)
        db.session.rollback()
    later = (NOW + timedelta(days=30)).isoformat()
    titled = [{**s, "title": f"Part {i}"} for i, s in enumerate(spec["sections"])]
    save_exam(
        {**spec, "cohort_size": 7, "closes_at": later, "title": "New", "sections": titled}, NOW
    )
    db.session.commit()
    assert (exam.cohort_size, exam.title, exam.closes_at) == (7, "New", NOW + timedelta(days=30))
    assert [s.title for s in exam.sections] == ["Part 0", "Part 1", "Part 2"]


def test_opening_runs_the_author_tests_and_freezes_the_versions(app: Flask) -> None:
    upcoming = {
        "opens_at": (NOW + timedelta(days=3)).isoformat(),
        "closes_at": (NOW + timedelta(days=9)).isoformat(),
    }
    exam = make_exam(now=NOW, sections=ONE_QUESTION, **upcoming)
    assert exam.status(NOW) == ExamStatus.UPCOMING
    question = chain_rule()
    edit(question, "title")  # an edit before opening reaches the exam when it opens
    open_now(exam, None, NOW)
    db.session.commit()
    assert exam.status(NOW) == ExamStatus.OPEN and exam.opens_at == NOW

    def pinned() -> int:
        return db.session.scalars(
            select(ExamQuestion.question_version_id).where(ExamQuestion.exam_id == exam.id)
        ).one()

    opened_with = question.current_version_id
    assert pinned() == opened_with
    edit(question, "key")  # after opening, a new version does not reach it
    assert question.current_version_id != opened_with and pinned() == opened_with
    with pytest.raises(InvalidExam, match="only an exam that has not opened"):
        open_now(exam, None, NOW)
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "exam.opened" in actions


def test_an_exam_whose_questions_fail_stays_upcoming(app: Flask) -> None:
    from tests.services.test_exams import break_binomial_coins

    exam = make_exam(
        now=NOW,
        opens_at=(NOW + timedelta(days=3)).isoformat(),
        closes_at=(NOW + timedelta(days=9)).isoformat(),
        sections=[{"bank": "fellowship", "topic": "probability", "draw": 2}],
    )
    break_binomial_coins()
    with pytest.raises(ExamNotReady, match="binomial-coins"):
        open_now(exam, None, NOW)
    db.session.rollback()
    assert exam.status(NOW) == ExamStatus.UPCOMING


def test_closing_stops_new_starts_and_keeps_running_attempts(app: Flask) -> None:
    exam = make_exam(now=NOW)
    running = attempts.start_attempt(make_invitation(exam, "early@example.org"), NOW)
    db.session.commit()
    deadline = running.deadline_at
    close_now(exam, None, NOW + timedelta(minutes=5))
    db.session.commit()
    assert exam.status(NOW + timedelta(minutes=5)) == ExamStatus.CLOSED
    assert running.deadline_at == deadline
    with pytest.raises(ExamClosed):
        attempts.start_attempt(
            make_invitation(exam, "late@example.org"), NOW + timedelta(minutes=6)
        )
    with pytest.raises(InvalidExam, match="only an open exam"):
        close_now(exam, None, NOW + timedelta(minutes=7))


def test_accommodations_reach_invitations(app: Flask) -> None:
    exam = make_exam(now=NOW)
    before = make_invitation(exam, "before@example.org")
    started = make_invitation(exam, "started@example.org")
    attempts.start_attempt(started, NOW)
    db.session.commit()
    spec = exam_spec.to_spec(exam)
    listed = [
        {"email": "before@example.org", "time_factor": 1.5},
        {"email": "started@example.org", "time_factor": 2.0},
        {"email": "later@example.org", "time_factor": 1.25},
    ]
    save_exam({**spec, "accommodations": listed}, NOW)
    db.session.commit()
    assert before.time_factor == 1.5
    assert started.time_factor == 1.0  # its deadline was fixed when it started
    assert invite(exam, "LATER@example.org").time_factor == 1.25
    assert invite(exam, "later@example.org", time_factor=2.0).time_factor == 2.0
