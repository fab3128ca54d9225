"""The analysis of a real exam whose section draws from a pool, on SQLite and PostgreSQL."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import select

from exam_engine.extensions import db
from exam_engine.jobs.analysis import analyse_now
from exam_engine.models import AttemptQuestion, ItemAction, Question, QuestionVersion
from exam_engine.services import review
from exam_engine.services.analysis import analyse_exam, previous_labels, random_guess
from tests.factories import make_exam, make_staff, right, sit

NOW = datetime.now(UTC)
SECTIONS = [
    {"title": "Calculus", "bank": "fellowship", "topic": "calculus", "draw": 2},
    {"title": "Probability", "bank": "fellowship", "topic": "probability", "draw": 2},
]


def some(part):  # type: ignore[no-untyped-def]
    """Right on every other part key (by its first letter), blank elsewhere."""
    return right(part) if part.key[0] in "aeimqux" else None


def drawn(attempt_id: int) -> dict[int, float]:
    """Question id → points of the questions this attempt was given."""
    stmt = (
        select(QuestionVersion.question_id, QuestionVersion.points)
        .join(AttemptQuestion, AttemptQuestion.question_version_id == QuestionVersion.id)
        .where(AttemptQuestion.attempt_id == attempt_id)
    )
    return {q: float(p) for q, p in db.session.execute(stmt)}


def test_pooled_exam_is_ranked_by_share_with_missing_questions(app: Flask) -> None:
    exam = make_exam(now=NOW, sections=SECTIONS, cohort_size=2)
    answers = [right, some, None, right, some]
    attempts = [sit(exam, f"c{i}@example.org", a, NOW) for i, a in enumerate(answers)]
    result = analyse_exam(exam, replicates=100)
    matrix = result.matrix
    assert matrix is not None and result.analysis is not None
    given = {a.id: drawn(a.id) for a in attempts}
    seen = {q for d in given.values() for q in d}
    assert len(seen) > 4  # the sections draw from pools: not everyone had the same questions
    assert sorted(int(q) for q in matrix.item_ids) == sorted(seen)
    for i, attempt in enumerate(attempts):
        row = result.by_attempt[attempt.id]
        for j, q in enumerate(matrix.item_ids):
            assert math.isnan(matrix.scores[i, j]) == (int(q) not in given[attempt.id])
        assert row.available == sum(given[attempt.id].values())
        assert row.score == round(100 * row.total / row.available, 6)
    scores = [result.by_attempt[r.attempt_id].score for r in result.ranking.rows]
    assert scores == sorted(scores, reverse=True)
    for item in result.questions:
        assert item.stats is not None and item.stats.n == item.seen_by
        assert item.stats.n == sum(item.question.id in d for d in given.values())
    pooled = [i for i in result.questions if i.seen_by < len(attempts)]
    assert pooled and all(i.stats.effective_weight is None for i in pooled)  # type: ignore[union-attr]


def test_a_dropped_question_counts_for_no_one(app: Flask) -> None:
    exam = make_exam(now=NOW, sections=SECTIONS, cohort_size=1)
    attempts = [sit(exam, f"d{i}@example.org", a, NOW) for i, a in enumerate([right, some, some])]
    before = analyse_exam(exam, replicates=50)
    question_id = next(iter(drawn(attempts[1].id)))
    question = db.session.get_one(Question, question_id)
    review.adjust_item(exam, question, ItemAction.DROP, "broken key", make_staff("committee"), NOW)
    db.session.commit()
    after = analyse_exam(exam, replicates=50)
    assert after.matrix is not None and str(question_id) not in after.matrix.item_ids
    points = drawn(attempts[1].id)[question_id]
    for attempt in attempts:
        had = question_id in drawn(attempt.id)
        old, new = before.by_attempt[attempt.id], after.by_attempt[attempt.id]
        assert new.available == old.available - (points if had else 0)
        assert 0 <= new.score <= 100
    dropped = next(i for i in after.questions if i.question.id == question_id)
    assert dropped.adjustment == "drop" and dropped.stats is None
    assert after.matrix.n_items == before.matrix.n_items - 1  # type: ignore[union-attr]


def test_random_guess_score_of_choice_questions() -> None:
    choice = {"input": "choice", "choices": [{"key": k} for k in "abcd"]}
    assert random_guess({"parts": [choice]}) == 0.25
    assert random_guess({"parts": [choice, {"input": "algebraic"}]}) is None
    assert random_guess({"parts": []}) is None


def test_labels_remember_the_last_analysis_of_the_same_cohort_size(app: Flask) -> None:
    exam = make_exam(now=NOW, sections=SECTIONS, cohort_size=1)
    for i, answer in enumerate([right, some, None]):
        sit(exam, f"h{i}@example.org", answer, NOW)
    assert previous_labels(exam) == {}
    analyse_now(exam, replicates=50)
    db.session.commit()
    remembered = previous_labels(exam)
    assert len(remembered) == 3 and set(remembered.values()) <= {
        "clearly in",
        "borderline",
        "clearly out",
    }
    exam.cohort_size = 2
    db.session.commit()
    assert previous_labels(exam) == {}
