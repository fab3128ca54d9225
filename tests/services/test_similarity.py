"""Flags for pairs sharing unusual identical wrong answers, and nothing for common mistakes."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient

from exam_engine.extensions import db
from exam_engine.jobs.analysis import analyse_now
from exam_engine.services import questions
from exam_engine.services.similarity import flagged_pairs, normalise
from tests.factories import login, make_exam, make_staff, right, sit

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def everyone_same_questions():  # type: ignore[no-untyped-def]
    pool = [v for v in questions.current_versions("fellowship") if v.topic == "probability"]
    return make_exam(
        now=NOW, sections=[{"bank": "fellowship", "topic": "probability", "draw": len(pool)}]
    )


def test_only_the_pair_with_rare_shared_mistakes_is_flagged(
    app: Flask, client: FlaskClient
) -> None:
    exam = everyone_same_questions()
    odd = {"exactly": "17/97", "mean": "13/11", "first": "99/7"}

    def colluder(part):  # type: ignore[no-untyped-def]
        return odd.get(part.key, right(part))

    def common_mistake(part):  # type: ignore[no-untyped-def]
        return "0" if part.key in odd else right(part)

    a = sit(exam, "a@example.org", colluder, NOW)
    b = sit(
        exam,
        "b@example.org",
        lambda part: odd[part.key].replace("/", " / ") if part.key in odd else right(part),
        NOW,
    )
    for i in range(6):
        sit(exam, f"c{i}@example.org", common_mistake, NOW)
    pairs = flagged_pairs(exam, rare_fraction=0.3)
    assert [(p.first, p.second) for p in pairs] == [(a.id, b.id)]
    assert {s.answer for s in pairs[0].shared} == {normalise(v) for v in odd.values()}
    assert all(s.given_by == 2 and s.seen_by == 8 for s in pairs[0].shared)

    # The page shows the pairs of the last stored analysis (a background job's work).
    analyse_now(exam, replicates=50)
    db.session.commit()
    login(client, make_staff("committee"))
    page = client.get(f"/committee/exams/{exam.slug}/integrity").get_data(as_text=True)
    assert "2 of 8 gave it" in page and "13/11" in page


def test_no_flags_without_rare_shared_answers(app: Flask) -> None:
    exam = everyone_same_questions()
    for i in range(3):
        sit(exam, f"r{i}@example.org", right, NOW)
    assert flagged_pairs(exam) == []
