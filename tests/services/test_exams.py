"""Opening an exam: its pools must hold enough questions, and those questions must pass their
author tests."""

from __future__ import annotations

import copy

import pytest
from flask import Flask
from sqlalchemy import select

from exam_engine import banks
from exam_engine.extensions import db
from exam_engine.models import Exam, Question, QuestionVersion
from exam_engine.services.authoring import store_version
from exam_engine.services.exams import ExamNotReady, InvalidExam
from tests.conftest import BANKS
from tests.factories import make_exam


def test_a_pool_too_small_is_refused(app: Flask) -> None:
    with pytest.raises(InvalidExam, match="has only"):
        make_exam(sections=[{"bank": "fellowship", "topic": "calculus", "draw": 500}])


def break_binomial_coins() -> None:
    """Store a version of binomial-coins whose key is wrong, so its right-answer test fails."""
    question = db.session.scalars(select(Question).where(Question.slug == "binomial-coins")).one()
    current = question.current_version
    assert current is not None
    data = dict(current.data)
    data["parts"] = [dict(p) for p in data["parts"]]
    data["parts"][0]["answer"] = "123456789"  # a wrong key: the right-answer test now fails
    broken = QuestionVersion(
        question_id=question.id,
        content_hash=banks.content_hash(data),  # caches key on it
        title=current.title,
        topic=current.topic,
        tags=current.tags,
        points=current.points,
        data=data,
    )
    db.session.add(broken)
    db.session.flush()
    question.current_version = broken
    db.session.commit()


def test_questions_failing_their_tests_keep_the_exam_closed(app: Flask) -> None:
    break_binomial_coins()
    with pytest.raises(ExamNotReady, match="binomial-coins"):
        make_exam(sections=[{"bank": "fellowship", "topic": "probability", "draw": 2}])
    db.session.rollback()
    assert db.session.scalars(select(Exam)).first() is None
    make_exam(sections=[{"bank": "fellowship", "topic": "calculus", "draw": 2}])


def test_an_exam_can_require_both_languages(app: Flask) -> None:
    probability = [{"bank": "fellowship", "topic": "probability", "draw": 2}]
    exam = make_exam("bilingual", sections=probability, languages=["en", "ko"])
    assert exam.settings["languages"] == ["en", "ko"]
    calculus = [{"bank": "fellowship", "topic": "calculus", "draw": 2}]
    # Every sample question is bilingual: store an English-only version of one of them.
    english = copy.deepcopy(banks.load_bank(BANKS / "fellowship").get("chain-rule").raw)
    english["title"] = english["title"]["en"]
    store_version("fellowship", banks.question_from_data(english))
    with pytest.raises(ExamNotReady, match=r"chain-rule: title: ko"):
        make_exam("english-only", sections=calculus, languages=["en", "ko"])
    db.session.rollback()
    with pytest.raises(InvalidExam, match="languages"):
        make_exam("bad", sections=calculus, languages=["fr"])
