"""The sitting's rules, through the services, on a real database."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from exam_engine.errors import (
    AttemptClosed,
    DeadlinePassed,
    ExamClosed,
    InvalidAnswer,
    NotFound,
    StaleSave,
)
from exam_engine.extensions import db
from exam_engine.models import AttemptStatus, QuestionVersion, ResponseHistory
from exam_engine.services import answers, attempts, locks, questions
from tests.factories import make_exam, make_invitation

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def first_part(attempt) -> str:  # type: ignore[no-untyped-def]
    return next(iter(attempts.parts_of(attempt)))


def test_start_draws_sections_and_sets_deadline(app: Flask) -> None:
    exam = make_exam(now=NOW)
    invitation = make_invitation(exam, factor=1.5)
    attempt = attempts.start_attempt(invitation, NOW)
    db.session.commit()
    assert attempt.deadline_at == NOW + timedelta(minutes=135)
    assert [q.position for q in attempt.questions] == [1, 2, 3, 4, 5]
    topics = sorted(q.version.topic for q in attempt.questions)
    assert topics == ["calculus", "linear-algebra", "linear-algebra", "probability", "probability"]
    again = attempts.start_attempt(invitation, NOW + timedelta(minutes=5))
    assert again.id == attempt.id and again.deadline_at == attempt.deadline_at


def test_deadline_is_capped_by_the_window(app: Flask) -> None:
    exam = make_exam(now=NOW, closes_at=(NOW + timedelta(minutes=30)).isoformat())
    attempt = attempts.start_attempt(make_invitation(exam), NOW)
    assert attempt.deadline_at == NOW + timedelta(minutes=30)


def test_closed_window_refuses_to_start(app: Flask) -> None:
    exam = make_exam(now=NOW)
    with pytest.raises(ExamClosed):
        attempts.start_attempt(make_invitation(exam), NOW + timedelta(days=8))


def test_saves_keep_history_and_refuse_stale_seq(app: Flask) -> None:
    attempt = attempts.start_attempt(make_invitation(make_exam(now=NOW)), NOW)
    key = first_part(attempt)
    attempts.save_answer(attempt, key, "x+1", 1, NOW, 100)
    attempts.save_answer(attempt, key, "x+2", 2, NOW, 100)
    assert attempts.save_answer(attempt, key, "x+2", 2, NOW, 100).value == "x+2"  # retry
    with pytest.raises(StaleSave):
        attempts.save_answer(attempt, key, "old", 1, NOW, 100)
    with pytest.raises(StaleSave):
        attempts.save_answer(attempt, key, "different", 2, NOW, 100)
    with pytest.raises(InvalidAnswer):
        attempts.save_answer(attempt, key, "x" * 101, 3, NOW, 100)
    db.session.commit()
    history = (
        db.session.query(ResponseHistory)
        .filter_by(attempt_id=attempt.id)
        .order_by(ResponseHistory.id)
        .all()
    )
    assert [(h.seq, h.value) for h in history] == [(1, "x+1"), (2, "x+2")]
    assert attempts.answers_of(attempt)[key].value == "x+2"


def test_save_after_deadline_and_grace_is_refused_and_closes(app: Flask) -> None:
    attempt = attempts.start_attempt(make_invitation(make_exam(now=NOW)), NOW)
    key = first_part(attempt)
    within_grace = attempt.deadline_at + timedelta(seconds=29)
    attempts.save_answer(attempt, key, "1", 1, within_grace, 100)
    with pytest.raises(DeadlinePassed):
        attempts.save_answer(attempt, key, "2", 2, attempt.deadline_at + timedelta(seconds=31), 100)
    assert attempt.status == AttemptStatus.EXPIRED
    assert attempt.submitted_at == attempt.deadline_at
    assert attempts.answers_of(attempt)[key].value == "1"


def test_submit_is_idempotent_and_locks_answers(app: Flask) -> None:
    attempt = attempts.start_attempt(make_invitation(make_exam(now=NOW)), NOW)
    key = first_part(attempt)
    attempts.save_answer(attempt, key, "3", 1, NOW, 100)
    attempts.submit_attempt(attempt, NOW + timedelta(minutes=10))
    receipt = attempt.receipt
    assert receipt and len(receipt) == 64
    attempts.submit_attempt(attempt, NOW + timedelta(minutes=11))
    assert attempt.receipt == receipt
    assert attempt.submitted_at == NOW + timedelta(minutes=10)
    with pytest.raises(AttemptClosed):
        attempts.save_answer(attempt, key, "4", 2, NOW + timedelta(minutes=12), 100)


def test_finalize_due_closes_only_expired(app: Flask) -> None:
    exam = make_exam(now=NOW)
    early = attempts.start_attempt(make_invitation(exam, "a@example.org"), NOW)
    late = attempts.start_attempt(make_invitation(exam, "b@example.org"), NOW + timedelta(hours=1))
    db.session.commit()
    closed = attempts.finalize_due(NOW + timedelta(minutes=91))
    assert [a.id for a in closed] == [early.id]
    assert late.status == AttemptStatus.OPEN


def test_variants_and_order_differ_between_candidates(app: Flask) -> None:
    exam = make_exam(now=NOW)
    seen = []
    for i in range(4):
        attempt = attempts.start_attempt(make_invitation(exam, f"c{i}@example.org"), NOW)
        seen.append(tuple((q.question_version_id, q.variant_seed) for q in attempt.questions))
    assert len(set(seen)) == 4


def _second_writer(url: str, attempt_id: int) -> Any:
    """Another process's attempt to take the attempt for writing, without waiting: raises
    ``OperationalError`` while someone else holds it."""
    if url.startswith("sqlite"):
        other = create_engine(url, connect_args={"timeout": 0.05}, poolclass=NullPool)
        statement = "BEGIN IMMEDIATE"
    else:
        other = create_engine(url, poolclass=NullPool)
        statement = f"SELECT id FROM attempts WHERE id = {int(attempt_id)} FOR UPDATE NOWAIT"

    def attempt_write() -> None:
        with other.connect() as conn:
            conn.exec_driver_sql(statement)
            conn.rollback()

    return attempt_write


def test_a_writer_holds_the_attempt_until_it_commits(app: Flask) -> None:
    attempt = attempts.start_attempt(make_invitation(make_exam(now=NOW)), NOW)
    db.session.commit()
    second = _second_writer(app.config["SQLALCHEMY_DATABASE_URI"], attempt.id)
    second()  # nobody holds it: the other writer gets it at once
    locks.lock(attempt)
    with pytest.raises(OperationalError):
        second()
    attempts.submit_attempt(attempt, NOW)
    with pytest.raises(OperationalError):
        second()
    db.session.commit()
    second()


def test_submitted_at_is_never_before_the_last_stored_save(app: Flask) -> None:
    attempt = attempts.start_attempt(make_invitation(make_exam(now=NOW)), NOW)
    key = first_part(attempt)
    # A save that held the lock while the submit (its clock read earlier) waited for it.
    attempts.save_answer(attempt, key, "x", 1, NOW + timedelta(seconds=2), 100)
    attempts.submit_attempt(attempt, NOW + timedelta(seconds=1))
    assert attempt.submitted_at == NOW + timedelta(seconds=2)
    assert attempt.receipt == attempts.receipt_for(attempt)


def test_seq_must_fit_64_bits(app: Flask) -> None:
    attempt = attempts.start_attempt(make_invitation(make_exam(now=NOW)), NOW)
    key = first_part(attempt)
    for seq in (-1, 2**63):
        with pytest.raises(InvalidAnswer):
            attempts.save_answer(attempt, key, "x", seq, NOW, 100)
    assert attempts.save_answer(attempt, key, "x", 2**63 - 1, NOW, 100).seq == 2**63 - 1
    db.session.commit()
    assert attempts.answers_of(attempt)[key].seq == 2**63 - 1


def test_part_keys_of_the_save_path_are_the_attempts_parts(app: Flask) -> None:
    """The save path's parts (keys and the echo's settings, no variant instantiated) are the
    variants' own: only the drawn order of the choices may differ."""
    exam = make_exam(now=NOW)
    for n in range(3):
        attempt = attempts.start_attempt(make_invitation(exam, f"k{n}@example.org"), NOW)
        db.session.commit()
        kept, variants = answers.attempt_parts(attempt.id), attempts.parts_of(attempt)
        assert set(kept) == set(variants)
        for key, ref in variants.items():
            assert kept[key] == ref.part.settings or ref.part.settings.choices
    # Every question the exam can draw, not only the three draws above.
    choices_seen = 0
    for version in db.session.scalars(select(QuestionVersion)):
        variant = questions.variant(version, 7)
        for (key, settings), part in zip(
            answers._version_parts(version.content_hash, version.id), variant.parts, strict=True
        ):
            assert key == part.key
            assert settings == dataclasses.replace(part.settings, choices=settings.choices)
            assert sorted(settings.choices) == sorted(part.settings.choices)
            choices_seen += bool(part.settings.choices)
    assert choices_seen, "a choice part's settings were compared"
    with pytest.raises(NotFound):
        answers.attempt_parts(attempt.id + 1000)
