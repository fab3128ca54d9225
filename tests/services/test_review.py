"""The committee's changes after grading, on a real database with the real grader."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from exam_engine import banks
from exam_engine.extensions import db
from exam_engine.models import (
    AuditEntry,
    DecisionKind,
    Exam,
    ItemAction,
    QuestionVersion,
)
from exam_engine.services import questions, review
from exam_engine.services.exam_export import export_exam
from exam_engine.services.exam_import import InvalidExport, import_exam
from exam_engine.services.ranking import rank_exam
from exam_engine.services.regrade import apply_regrade, plan_regrade
from exam_engine.services.scoring import grades_of
from tests.factories import make_exam, make_staff, right, sit

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def fixed_exam() -> Exam:
    """Everyone gets every probability question, so marks compare question by question."""
    pool = [v for v in questions.current_versions("fellowship") if v.topic == "probability"]
    sections = [{"bank": "fellowship", "topic": "probability", "draw": len(pool)}]
    return make_exam(now=NOW, sections=sections, cohort_size=1)


def totals() -> dict[str, float]:
    ranking = rank_exam(db.session.scalars(select(Exam)).one())
    return {r.candidate.email: r.total for r in ranking.rows}


def test_right_answers_score_full_and_blank_scores_zero(app: Flask) -> None:
    exam = fixed_exam()
    best = sit(exam, "best@example.org", right, NOW)
    blank = sit(exam, "blank@example.org", None, NOW)
    assert all(g.score == g.max_score for g in grades_of(best).values()), [
        (g.part_key, g.note, g.error) for g in grades_of(best).values() if g.score < g.max_score
    ]
    assert all(g.score == 0 and g.note == "NoAnswer" for g in grades_of(blank).values())
    ranking = rank_exam(exam)
    assert [r.candidate.email for r in ranking.rows] == ["best@example.org", "blank@example.org"]
    assert ranking.rows[0].within_cohort and not ranking.rows[1].within_cohort
    assert ranking.rows[0].percentile == 75.0 and ranking.rows[1].percentile == 25.0


def test_override_needs_a_reason_keeps_history_and_moves_the_ranking(app: Flask) -> None:
    exam = fixed_exam()
    staff = make_staff("committee")
    blank = sit(exam, "blank@example.org", None, NOW)
    grade = next(iter(grades_of(blank).values()))
    with pytest.raises(review.ReviewError):
        review.override_grade(grade, grade.max_score, "  ", staff, NOW)
    with pytest.raises(review.ReviewError):
        review.override_grade(grade, grade.max_score + 1, "typo in key", staff, NOW)
    review.override_grade(grade, grade.max_score, "accepted equivalent form", staff, NOW)
    db.session.commit()
    assert totals()["blank@example.org"] == grade.max_score
    assert [(h.kind, h.old_score, h.new_score) for h in review.history(grade)] == [
        ("override", 0.0, grade.max_score)
    ]
    review.clear_override(grade, "mistake", staff, NOW)
    db.session.commit()
    assert totals()["blank@example.org"] == 0.0
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["grade.override", "grade.override_cleared"]


def test_drop_and_full_marks_change_the_ranking_and_undo(app: Flask) -> None:
    exam = fixed_exam()
    staff = make_staff("committee")
    best = sit(exam, "best@example.org", right, NOW)
    sit(exam, "blank@example.org", None, NOW)
    before = rank_exam(exam).rows[0].max_total
    question = best.questions[0].version.question
    assert question.current_version is not None
    points = question.current_version.points
    review.adjust_item(exam, question, ItemAction.FULL_MARKS, "ambiguous wording", staff, NOW)
    assert totals()["blank@example.org"] == points
    review.adjust_item(exam, question, ItemAction.DROP, "broken", staff, NOW)
    assert totals()["blank@example.org"] == 0.0
    assert rank_exam(exam).rows[0].max_total == before - points
    review.adjust_item(exam, question, None, "restored", staff, NOW)
    assert rank_exam(exam).rows[0].max_total == before


def test_decisions_and_blind_review_are_audited(app: Flask) -> None:
    exam = fixed_exam()
    staff = make_staff("committee")
    attempt = sit(exam, "a@example.org", right, NOW)
    review.decide(attempt, DecisionKind.SHORTLIST, "strong", staff, NOW)
    review.decide(attempt, DecisionKind.OFFER, "top", staff, NOW)
    decision = review.current_decision(attempt)
    assert decision is not None and decision.kind == DecisionKind.OFFER and decision.revision == 2
    review.set_blind(exam, True, staff, NOW)
    assert review.display_name(exam, attempt.id, "Ada", "a@example.org") == f"#{attempt.id}"
    review.set_blind(exam, False, staff, NOW)
    assert review.display_name(exam, attempt.id, "Ada", "a@example.org") == "Ada"
    assert exam.revealed_at == NOW
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["decision.set", "decision.set", "exam.blind", "exam.reveal"]


def test_regrade_after_a_key_fix_dry_run_then_apply(app: Flask) -> None:
    exam = fixed_exam()
    staff = make_staff("committee")
    best = sit(exam, "best@example.org", right, NOW)
    sit(exam, "blank@example.org", None, NOW)
    assert plan_regrade(exam, "shown").changes == []
    # A "fix" to one question's key: its first part now expects something else.
    question = next(
        q.version.question
        for q in best.questions
        if q.version.data["parts"][0].get("input") in ("algebraic", "numeric")
    )
    assert question.current_version is not None
    data = dict(question.current_version.data)
    data["parts"] = [dict(p) for p in data["parts"]]
    data["parts"][0]["answer"] = "123456789"
    data["parts"][0].pop("rules", None)
    data["tests"] = []
    version = QuestionVersion(
        question_id=question.id,
        content_hash=banks.content_hash(data),  # caches of specs and variants key on it
        title=question.current_version.title,
        topic=data["topic"],
        tags=data.get("tags", []),
        points=question.current_version.points,
        data=data,
    )
    db.session.add(version)
    db.session.flush()
    question.current_version = version
    db.session.commit()
    before = totals()
    plan = plan_regrade(exam, "current")
    changed = [c.attempt_id for c in plan.changes]
    assert changed == sorted(changed)  # in attempt order
    assert len(plan.changes) == 1 and plan.changes[0].new == 0.0
    assert totals() == before  # a dry run changes nothing
    assert apply_regrade(exam, plan, staff, NOW) == 1
    db.session.commit()
    assert totals()["best@example.org"] == before["best@example.org"] - plan.changes[0].old
    assert plan_regrade(exam, "current").changes == []


def test_whole_exam_export_imports_back(app: Flask) -> None:
    exam = fixed_exam()
    staff = make_staff("committee")
    attempt = sit(exam, "best@example.org", right, NOW)
    sit(exam, "blank@example.org", None, NOW)
    grade = next(iter(grades_of(attempt).values()))
    review.override_grade(grade, 0.0, "checked by hand", staff, NOW)
    review.decide(attempt, DecisionKind.SHORTLIST, "note", staff, NOW)
    db.session.commit()
    exported = export_exam(exam)
    copy = import_exam(exported, "screening-copy")
    db.session.commit()
    again = export_exam(copy)
    again["exam"]["slug"] = exported["exam"]["slug"]
    assert again == exported
    with pytest.raises(InvalidExport):
        import_exam(exported, "screening-copy")
    with pytest.raises(InvalidExport):
        import_exam({"format": "something else"})
    with pytest.raises(InvalidExport):
        import_exam({**exported, "attempts": [{"email": "x"}]}, "broken")


def test_every_change_to_marks_bumps_the_revision_and_queues_one_analysis(app: Flask) -> None:
    """Debounced: however many changes arrive, one analysis waits in the queue per exam."""
    from exam_engine.models import Job, JobKind, JobState
    from exam_engine.services import jobs

    exam = fixed_exam()
    staff = make_staff("committee")
    blank = sit(exam, "blank@example.org", None, NOW)
    assert jobs.revision_of(exam.id) == 0
    first, second = list(grades_of(blank).values())[:2]
    review.override_grade(first, first.max_score, "fine", staff, NOW)
    review.override_grade(second, second.max_score, "fine", staff, NOW)
    review.adjust_item(exam, first_question(blank), ItemAction.DROP, "broken", staff, NOW)
    review.decide(blank, DecisionKind.SHORTLIST, "", staff, NOW)  # not a change to marks
    db.session.commit()
    assert jobs.revision_of(exam.id) == 3
    queued = db.session.scalars(select(Job).where(Job.kind == JobKind.ANALYSIS)).all()
    assert [(j.exam_id, j.state) for j in queued] == [(exam.id, JobState.QUEUED)]
    # Once it runs, the next change queues one more (and only one).
    claimed = jobs.claim(queued[0].id, NOW, timedelta(minutes=2))
    assert claimed is not None and claimed.revision == 3
    review.clear_override(first, "undo", staff, NOW)
    review.clear_override(second, "undo", staff, NOW)
    db.session.commit()
    states = db.session.scalars(select(Job.state).order_by(Job.id)).all()
    assert states == [JobState.RUNNING, JobState.QUEUED]
    # The running one is the only analysis of the exam that may run now.
    assert jobs.claim(jobs.next_queued(exam.id, JobKind.ANALYSIS) or 0, NOW, timedelta(1)) is None


def test_a_stored_plan_is_refused_once_marks_moved(app: Flask) -> None:
    from exam_engine.models import JobKind
    from exam_engine.services import jobs
    from exam_engine.services.regrade import RegradeRefused, apply_plan, plan_to_json

    exam = fixed_exam()
    staff = make_staff("committee")
    best = sit(exam, "best@example.org", right, NOW)
    job = jobs.create_job(JobKind.REGRADE, exam.id, NOW, {"policy": "shown"}, staff.id)
    claimed = jobs.claim(job.id, NOW, timedelta(minutes=2))
    assert claimed is not None
    jobs.finish(claimed, plan_to_json(plan_regrade(exam, "shown")), NOW)
    grade = next(iter(grades_of(best).values()))
    review.override_grade(grade, 0.0, "copied", staff, NOW)
    with pytest.raises(RegradeRefused) as refused:
        apply_plan(exam, claimed, staff, NOW)
    assert refused.value.reason == "changed"


def first_question(attempt):  # type: ignore[no-untyped-def]
    return attempt.questions[0].version.question


def test_an_export_carries_its_banks_topic_titles(app: Flask) -> None:
    """Imported elsewhere, the exam's pages name its topics as they do here: a bank missing
    there is made with its title and topic titles; one already there keeps its own titles and
    gains only those it lacks."""
    from exam_engine.models import Bank

    exam = fixed_exam()
    sit(exam, "best@example.org", right, NOW)
    db.session.commit()
    bank = db.session.scalars(select(Bank).where(Bank.slug == "fellowship")).one()
    assert bank.topics, "the demo bank names its topics"
    exported = export_exam(exam)
    assert exported["banks"] == [{"slug": "fellowship", "title": bank.title, "topics": bank.topics}]

    # A bank this installation lacks (the same bank under another slug).
    elsewhere = json.loads(json.dumps(exported).replace('"fellowship"', '"fellowship-there"'))
    import_exam(elsewhere, "copy-there")
    made = db.session.scalars(select(Bank).where(Bank.slug == "fellowship-there")).one()
    assert (made.title, made.topics) == (bank.title, bank.topics)

    # A bank already here: its own titles stay, the missing ones are added.
    own = {"probability": {"en": "Our probability", "ko": "우리 확률"}}
    bank.topics = own
    db.session.commit()
    import_exam(exported, "copy-here")
    db.session.commit()
    db.session.refresh(bank)
    assert bank.topics["probability"] == own["probability"]
    assert set(bank.topics) == set(exported["banks"][0]["topics"]) | {"probability"}

    # An export from before topic titles imports as it did; a damaged bank entry is refused.
    import_exam({k: v for k, v in exported.items() if k != "banks"}, "copy-old")
    for broken in (
        {"slug": "x"},
        "fellowship",
        {"slug": "x", "title": "X", "topics": {"nope": "?"}},
    ):
        with pytest.raises(InvalidExport):
            import_exam({**exported, "banks": [broken]}, "copy-broken")
